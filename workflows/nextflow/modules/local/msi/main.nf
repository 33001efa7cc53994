process IMMUNOPROFILE_MSI {
    tag "$meta.id"
    label 'process_medium'

    input:
    tuple val(meta), path(tumor_bam), path(tumor_bai), path(normal_bam), path(normal_bai)
    path fasta

    output:
    tuple val(meta), path("*.msi.json")      , emit: json
    tuple val(meta), path("*.msi.sites.tsv") , emit: sites
    path "versions.yml"                      , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args   ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    def normal = normal_bam ? "--normal-bam ${normal_bam}" : ''
    """
    immunoprofile msi \\
        --threads $task.cpus \\
        --tumor-bam $tumor_bam \\
        $normal \\
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
    touch ${prefix}.msi.json ${prefix}.msi.sites.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        immunoprofile: \$(immunoprofile --version | sed 's/^immunoprofile //')
    END_VERSIONS
    """
}
