process IMMUNOPROFILE_MSI {
    tag "$meta.id"
    label 'process_medium'

    conda "${moduleDir}/environment.yml"
    // Built by the repository's Dockerfile (`docker build -t immunoprofile:0.1.0 .`); no
    // Singularity image is published: Singularity users convert this one.
    container "immunoprofile:0.1.0"

    input:
    tuple val(meta), path(tumor_bam), path(tumor_bai), path(normal_bam), path(normal_bai)
    path fasta

    output:
    tuple val(meta), path("*.msi.json")      , emit: json
    tuple val(meta), path("*.msi.sites.tsv") , emit: sites
    tuple val("${task.process}"), val('immunoprofile'), eval("immunoprofile --version | sed 's/^immunoprofile //'"), topic: versions, emit: versions_immunoprofile

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
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.msi.json ${prefix}.msi.sites.tsv
    """
}
