process IMMUNOPROFILE_REPORT {
    tag "$meta.id"
    label 'process_single'

    input:
    tuple val(meta), path(stage_files, stageAs: 'sample/*')
    path(cohort_files, stageAs: 'cohort/*')

    output:
    tuple val(meta), path("*.report.json") , emit: json
    tuple val(meta), path("*.report.html") , emit: html
    path "versions.yml"                    , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args   ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    immunoprofile report \\
        --threads $task.cpus \\
        --dir sample \\
        --cohort cohort \\
        $args \\
        -o $prefix

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        immunoprofile: \$(immunoprofile --version | sed 's/^immunoprofile //')
    END_VERSIONS
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.report.json ${prefix}.report.html

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        immunoprofile: \$(immunoprofile --version | sed 's/^immunoprofile //')
    END_VERSIONS
    """
}
