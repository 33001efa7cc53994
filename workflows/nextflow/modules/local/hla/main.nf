process IMMUNOPROFILE_HLA {
    tag "$meta.id"
    label 'process_medium'

    conda "${moduleDir}/environment.yml"
    // Built by the repository's Dockerfile (`docker build -t immunoprofile:0.1.0 .`); no
    // Singularity image is published: Singularity users convert this one.
    container "immunoprofile:0.1.0"

    input:
    tuple val(meta), path(reads), path(index)
    path imgt

    output:
    tuple val(meta), path("*.hla.json") , emit: json
    tuple val(meta), path("*.hla.tsv")  , emit: tsv
    tuple val("${task.process}"), val('immunoprofile'), eval("immunoprofile --version | sed 's/^immunoprofile //'"), topic: versions, emit: versions_immunoprofile

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args   ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    // Reads: one BAM/CRAM (with its index), or FASTQ (one file, or the two mates).
    def files  = reads instanceof List ? reads : [reads]
    def bam    = files[0].name ==~ /.*\.(bam|cram)$/
    def input  = bam ? "--bam ${files[0]}" : "--fastq ${files[0]}" + (files.size() > 1 ? " --fastq2 ${files[1]}" : '')
    // The index built from the release is cached in the task folder unless --index-cache is
    // given in ext.args (a shared folder lets every sample reuse one build).
    """
    immunoprofile hla \\
        --threads $task.cpus \\
        $input \\
        --imgt $imgt \\
        $args \\
        -o $prefix
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.hla.json ${prefix}.hla.tsv
    """
}
