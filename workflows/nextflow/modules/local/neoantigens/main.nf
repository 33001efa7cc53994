process IMMUNOPROFILE_NEOANTIGENS {
    tag "$meta.id"
    label 'process_high'

    conda "${moduleDir}/environment.yml"
    // Built by the repository's Dockerfile (`docker build -t immunoprofile:0.1.0 .`); no
    // Singularity image is published: Singularity users convert this one.
    container "immunoprofile:0.1.0"

    input:
    tuple val(meta), path(vcf), path(tumor_bam), path(tumor_bai), path(rna_bam), path(rna_bai), path(expression), val(alleles)
    path imgt   // IPD-IMGT/HLA release folder for class II molecules (optional: `[]`)

    output:
    tuple val(meta), path("*.neoantigens.tsv")            , emit: tsv
    tuple val(meta), path("*.neoantigens.all.tsv")        , emit: all
    tuple val(meta), path("*.neoantigens.json")           , emit: json
    tuple val(meta), path("*.neoantigens.fasta")          , emit: fasta
    // Written when class II molecules are scored (`--imgt` and class II alleles).
    tuple val(meta), path("*.neoantigens.class2.tsv")     , emit: class2_tsv  , optional: true
    tuple val(meta), path("*.neoantigens.class2.all.tsv") , emit: class2_all  , optional: true
    tuple val(meta), path("*.neoantigens.class2.fasta")   , emit: class2_fasta, optional: true
    tuple val("${task.process}"), val('immunoprofile'), eval("immunoprofile --version | sed 's/^immunoprofile //'"), topic: versions, emit: versions_immunoprofile

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args   ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    def allele_list = alleles instanceof List ? alleles.join(',') : alleles
    def optional = [
        tumor_bam  ? "--tumor-bam ${tumor_bam}"   : '',
        rna_bam    ? "--rna-bam ${rna_bam}"       : '',
        expression ? "--expression ${expression}" : '',
        imgt       ? "--imgt ${imgt}"             : '',
    ].join(' ')
    """
    immunoprofile neoantigens \\
        --threads $task.cpus \\
        --vcf $vcf \\
        --alleles ${allele_list} \\
        $optional \\
        $args \\
        -o $prefix
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.neoantigens.tsv ${prefix}.neoantigens.all.tsv ${prefix}.neoantigens.json ${prefix}.neoantigens.fasta
    touch ${prefix}.neoantigens.class2.tsv ${prefix}.neoantigens.class2.all.tsv ${prefix}.neoantigens.class2.fasta
    """
}
