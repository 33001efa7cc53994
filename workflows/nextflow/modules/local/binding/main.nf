process IMMUNOPROFILE_BINDING {
    tag "$meta.id"
    label 'process_medium'

    conda "${moduleDir}/environment.yml"
    // Built by the repository's Dockerfile (`docker build -t immunoprofile:0.1.0 .`); no
    // Singularity image is published: Singularity users convert this one.
    container "immunoprofile:0.1.0"

    input:
    tuple val(meta), path(peptides), val(alleles)

    output:
    tuple val(meta), path("*.binding.tsv") , emit: tsv
    tuple val("${task.process}"), val('immunoprofile'), eval("immunoprofile --version | sed 's/^immunoprofile //'"), topic: versions, emit: versions_immunoprofile

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args   ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    def allele_list = alleles instanceof List ? alleles.join(',') : alleles
    """
    immunoprofile binding \\
        --threads $task.cpus \\
        --alleles ${allele_list} \\
        --peptides $peptides \\
        $args \\
        -o $prefix
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.binding.tsv
    """
}
