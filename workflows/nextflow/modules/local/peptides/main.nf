process IMMUNOPROFILE_PEPTIDES {
    tag "$meta.id"
    label 'process_low'

    conda "${moduleDir}/environment.yml"
    // Built by the repository's Dockerfile (`docker build -t immunoprofile:0.1.0 .`); no
    // Singularity image is published: Singularity users convert this one.
    container "immunoprofile:0.1.0"

    input:
    tuple val(meta), path(vcf)

    output:
    tuple val(meta), path("*.peptides.fasta") , emit: fasta
    tuple val(meta), path("*.peptides.tsv")   , emit: tsv
    tuple val("${task.process}"), val('immunoprofile'), eval("immunoprofile --version | sed 's/^immunoprofile //'"), topic: versions, emit: versions_immunoprofile

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
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.peptides.fasta ${prefix}.peptides.tsv
    """
}
