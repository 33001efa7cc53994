process IMMUNOPROFILE_REPORT {
    tag "$meta.id"
    label 'process_single'

    conda "${moduleDir}/environment.yml"
    // Built by the repository's Dockerfile (`docker build -t immunoprofile:0.1.0 .`); no
    // Singularity image is published: Singularity users convert this one.
    container "immunoprofile:0.1.0"

    input:
    tuple val(meta), path(stage_files, stageAs: 'sample/*')
    path(cohort_files, stageAs: 'cohort/*')

    output:
    tuple val(meta), path("*.report.json") , emit: json
    tuple val(meta), path("*.report.html") , emit: html
    tuple val("${task.process}"), val('immunoprofile'), eval("immunoprofile --version | sed 's/^immunoprofile //'"), topic: versions, emit: versions_immunoprofile

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
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.report.json ${prefix}.report.html
    """
}
