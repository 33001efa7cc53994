process IMMUNOPROFILE_PEPTIDES {
    tag "$meta.id"
    label 'process_low'

    input:
    tuple val(meta), path(vcf)

    output:
    tuple val(meta), path("*.peptides.fasta") , emit: fasta
    tuple val(meta), path("*.peptides.tsv")   , emit: tsv
    path "versions.yml"                       , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args   ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    immunoprofile peptides \\
        --threads $task.cpus \\
        --vcf $vcf \\
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
    touch ${prefix}.peptides.fasta ${prefix}.peptides.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        immunoprofile: \$(immunoprofile --version | sed 's/^immunoprofile //')
    END_VERSIONS
    """
}
