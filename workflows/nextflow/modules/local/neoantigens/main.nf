process IMMUNOPROFILE_NEOANTIGENS {
    tag "$meta.id"
    label 'process_high'

    input:
    tuple val(meta), path(vcf), path(tumor_bam), path(tumor_bai), path(rna_bam), path(rna_bai), path(expression)

    output:
    tuple val(meta), path("*.neoantigens.tsv")     , emit: tsv
    tuple val(meta), path("*.neoantigens.all.tsv") , emit: all
    path "versions.yml"                            , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args   ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    def optional = [
        tumor_bam  ? "--tumor-bam ${tumor_bam}"   : '',
        rna_bam    ? "--rna-bam ${rna_bam}"       : '',
        expression ? "--expression ${expression}" : '',
    ].join(' ')
    """
    immunoprofile neoantigens \\
        --threads $task.cpus \\
        --vcf $vcf \\
        --alleles ${meta.hla_alleles.join(',')} \\
        $optional \\
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
    touch ${prefix}.neoantigens.tsv ${prefix}.neoantigens.all.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        immunoprofile: \$(immunoprofile --version | sed 's/^immunoprofile //')
    END_VERSIONS
    """
}
