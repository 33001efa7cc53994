process MULTIQC {
    label 'process_single'

    conda "${moduleDir}/environment.yml"
    container "${ workflow.containerEngine in ['singularity', 'apptainer'] && !task.ext.singularity_pull_docker_container ?
        'https://community-cr-prod.seqera.io/docker/registry/v2/blobs/sha256/c8/c8e346f4f6080eadf1253505e6ff09ef004454fc18e8d672006fd7b222cc412e/data' :
        'community.wave.seqera.io/library/multiqc:1.35--c17fb751507e9dfc' }"

    input:
    path(multiqc_files, stageAs: "?/*")
    path(multiqc_config)

    output:
    path("*.html") , emit: report
    path("*_data") , emit: data
    // Not published to the versions topic, unlike the other modules: this process reads that
    // topic (the software versions table), which would then never close.
    tuple val("${task.process}"), val('multiqc'), eval('multiqc --version | sed "s/.* //g"'), emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args ?: ''
    def prefix = task.ext.prefix ? "--filename ${task.ext.prefix}.html" : ''
    def config = multiqc_config ? "--config ${multiqc_config}" : ''
    // --strict: a custom-content file MultiQC cannot read is an error, not a silently missing
    // section.
    """
    multiqc \\
        --force \\
        --strict \\
        $args \\
        $config \\
        $prefix \\
        .
    """

    stub:
    """
    mkdir multiqc_data
    touch multiqc_data/multiqc.log
    touch multiqc_report.html
    """
}
