process IMMUNOPROFILE_COHORT {
    label 'process_single'

    input:
    path(reports)

    output:
    path "cohort.tsv"          , emit: tsv
    path "*_mqc.{tsv,json}"    , emit: multiqc
    path "versions.yml"        , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    """
    immunoprofile report \\
        --cohort .

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        immunoprofile: \$(immunoprofile --version | sed 's/^immunoprofile //')
    END_VERSIONS
    """

    stub:
    """
    touch cohort.tsv immunoprofile_general_stats_mqc.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        immunoprofile: \$(immunoprofile --version | sed 's/^immunoprofile //')
    END_VERSIONS
    """
}
