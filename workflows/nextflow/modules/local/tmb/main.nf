process IMMUNOPROFILE_TMB {
    tag "$meta.id"
    label 'process_low'

    conda "${moduleDir}/environment.yml"
    // Built by the repository's Dockerfile (`docker build -t immunoprofile:0.1.0 .`); no
    // Singularity image is published: Singularity users convert this one.
    container "immunoprofile:0.1.0"

    input:
    tuple val(meta), path(vcf)
    path targets

    output:
    tuple val(meta), path("*.tmb.json")         , emit: json
    tuple val(meta), path("*.tmb.variants.tsv") , emit: variants
    tuple val("${task.process}"), val('immunoprofile'), eval("immunoprofile --version | sed 's/^immunoprofile //'"), topic: versions, emit: versions_immunoprofile

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
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.tmb.json ${prefix}.tmb.variants.tsv
    """
}
