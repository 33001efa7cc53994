process IMMUNOPROFILE_TMB {
    tag "$meta.id"
    label 'process_low'

    input:
    tuple val(meta), path(vcf)
    path targets

    output:
    tuple val(meta), path("*.tmb.json")         , emit: json
    tuple val(meta), path("*.tmb.variants.tsv") , emit: variants
    path "versions.yml"                         , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args   ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    def territory = targets ? "--targets ${targets}" : ''
    """
    immunoprofile tmb \\
        --threads $task.cpus \\
        --vcf $vcf \\
        $territory \\
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
    touch ${prefix}.tmb.json ${prefix}.tmb.variants.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        immunoprofile: \$(immunoprofile --version | sed 's/^immunoprofile //')
    END_VERSIONS
    """
}
