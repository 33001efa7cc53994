process IMMUNOPROFILE_COHORT {
    label 'process_single'

    conda "${moduleDir}/environment.yml"
    // Built by the repository's Dockerfile (`docker build -t immunoprofile:0.1.0 .`); no
    // Singularity image is published: Singularity users convert this one.
    container "immunoprofile:0.1.0"

    input:
    path(reports)

    output:
    path("cohort.tsv")      , emit: tsv
    path("*_mqc.{tsv,json}"), emit: multiqc
    tuple val("${task.process}"), val('immunoprofile'), eval("immunoprofile --version | sed 's/^immunoprofile //'"), topic: versions, emit: versions_immunoprofile

    when:
    task.ext.when == null || task.ext.when

    script:
    """
    immunoprofile report \\
        --cohort .
    """

    stub:
    """
    touch cohort.tsv immunoprofile_general_stats_mqc.tsv immunoprofile_tmb_mqc.json immunoprofile_neoantigens_mqc.json
    """
}
