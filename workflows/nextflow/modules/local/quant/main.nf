process IMMUNOPROFILE_QUANT {
    tag "$meta.id"
    label 'process_medium'

    conda "${moduleDir}/environment.yml"
    // Built by the repository's Dockerfile (`docker build -t immunoprofile:0.1.0 .`); no
    // Singularity image is published: Singularity users convert this one.
    container "immunoprofile:0.1.0"

    input:
    tuple val(meta), path(bam), path(bai)
    path gtf

    output:
    tuple val(meta), path("*.quant.tsv")  , emit: tsv
    tuple val(meta), path("*.quant.json") , emit: json
    tuple val(meta), path("*.featureCounts.txt")        , emit: featurecounts
    tuple val(meta), path("*.featureCounts.txt.summary"), emit: featurecounts_summary
    tuple val("${task.process}"), val('immunoprofile'), eval("immunoprofile --version | sed 's/^immunoprofile //'"), topic: versions, emit: versions_immunoprofile

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args   ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    immunoprofile quant \\
        --threads $task.cpus \\
        --bam $bam \\
        --gtf $gtf \\
        $args \\
        -o $prefix
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.quant.tsv ${prefix}.quant.json ${prefix}.featureCounts.txt ${prefix}.featureCounts.txt.summary
    """
}
