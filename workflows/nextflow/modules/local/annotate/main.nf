process IMMUNOPROFILE_ANNOTATE {
    tag "$meta.id"
    label 'process_medium'

    input:
    tuple val(meta), path(vcf)
    path gtf
    path fasta

    output:
    tuple val(meta), path("*.annotated.vcf.gz") , emit: vcf
    path "versions.yml"                         , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args   ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    immunoprofile annotate \\
        --threads $task.cpus \\
        --vcf $vcf \\
        --gtf $gtf \\
        --fasta $fasta \\
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
    echo "" | gzip > ${prefix}.annotated.vcf.gz

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        immunoprofile: \$(immunoprofile --version | sed 's/^immunoprofile //')
    END_VERSIONS
    """
}
