process IMMUNOPROFILE_BINDING {
    tag "$meta.id"
    label 'process_medium'

    input:
    tuple val(meta), path(peptides)

    output:
    tuple val(meta), path("*.binding.tsv") , emit: tsv
    path "versions.yml"                    , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args   ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    immunoprofile binding \\
        --threads $task.cpus \\
        --alleles ${meta.hla_alleles.join(',')} \\
        --peptides $peptides \\
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
    touch ${prefix}.binding.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        immunoprofile: \$(immunoprofile --version | sed 's/^immunoprofile //')
    END_VERSIONS
    """
}
