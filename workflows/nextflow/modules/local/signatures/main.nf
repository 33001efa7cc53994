process IMMUNOPROFILE_SIGNATURES {
    tag "$meta.id"
    label 'process_low'

    input:
    tuple val(meta), path(expression)

    output:
    tuple val(meta), path("*.signatures.tsv")  , emit: tsv
    tuple val(meta), path("*.signatures.json") , emit: json
    path "versions.yml"                        , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args   = task.ext.args   ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    immunoprofile signatures \\
        --threads $task.cpus \\
        --expression $expression \\
        $args \\
        -o $prefix

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        immunoprofile: \$(immunoprofile --version | sed 's/^immunoprofile //')
    END_VERSIONS
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.signatures.tsv ${prefix}.signatures.json

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        immunoprofile: \$(immunoprofile --version | sed 's/^immunoprofile //')
    END_VERSIONS
    """
}
