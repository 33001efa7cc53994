#!/usr/bin/env nextflow
/*
 * immunoprofile as a Nextflow DSL2 pipeline: samplesheet in, every stage as a process,
 * results published per sample as RESULTS/SAMPLE/SAMPLE.<stage>.* (the layout `immunoprofile
 * run` writes).
 *
 *   nextflow run workflows/nextflow -profile test,docker
 *   nextflow run workflows/nextflow --input samples.csv --fasta genome.fa --gtf genes.gtf \
 *       --targets panel.bed --outdir results
 *
 * Parameters: nextflow_schema.json (`--help` lists them); MultiQC report in RESULTS/multiqc/.
 *
 * Samplesheet columns (nf-core style, empty cells allowed):
 *   sample,vcf,tumor_bam,normal_bam,rna_bam,expression,hla_alleles
 * A row with empty hla_alleles is typed by the hla stage (with --imgt, the user's
 * IPD-IMGT/HLA release folder) from its normal BAM, else its tumour BAM, else its RNA BAM;
 * alleles given in the samplesheet win.
 */
nextflow.enable.dsl = 2

include { IMMUNOPROFILE_ANNOTATE    } from './modules/local/annotate/main'
include { IMMUNOPROFILE_TMB         } from './modules/local/tmb/main'
include { IMMUNOPROFILE_PEPTIDES    } from './modules/local/peptides/main'
include { IMMUNOPROFILE_QUANT       } from './modules/local/quant/main'
include { IMMUNOPROFILE_SIGNATURES  } from './modules/local/signatures/main'
include { IMMUNOPROFILE_NEOANTIGENS } from './modules/local/neoantigens/main'
include { IMMUNOPROFILE_MSI         } from './modules/local/msi/main'
include { IMMUNOPROFILE_HLA         } from './modules/local/hla/main'
include { IMMUNOPROFILE_REPORT      } from './modules/local/report/main'
include { IMMUNOPROFILE_COHORT      } from './modules/local/cohort/main'
include { MULTIQC                   } from './modules/local/multiqc/main'
include { validateParameters        } from 'plugin/nf-schema'

def stageOn(String name) {
    return params.stages.tokenize(',').contains(name)
}

workflow {
    // Every parameter against nextflow_schema.json (types, patterns, files that must exist).
    validateParameters()
    if (!params.input) {
        error "Give the samplesheet with --input samples.csv"
    }
    def fasta   = params.fasta   ? file(params.fasta, checkIfExists: true)   : []
    def gtf     = params.gtf     ? file(params.gtf, checkIfExists: true)     : []
    def targets = params.targets ? file(params.targets, checkIfExists: true) : []
    def imgt    = params.imgt    ? file(params.imgt, checkIfExists: true, type: 'dir') : []

    ch_rows = Channel.fromPath(params.input, checkIfExists: true)
        .splitCsv(header: true, strip: true)
        .map { row ->
            def meta = [
                id          : row.sample,
                hla_alleles : (row.hla_alleles ?: '').tokenize(';,| '),
            ]
            def f = { col -> row[col] ? file(row[col], checkIfExists: true) : [] }
            // BAM/CRAM indexes travel with their alignments (region fetch needs them).
            def idx = { col -> row[col] ? file(row[col] + (row[col].endsWith('.cram') ? '.crai' : '.bai'), checkIfExists: true) : [] }
            [ meta, f('vcf'), f('tumor_bam'), idx('tumor_bam'), f('normal_bam'), idx('normal_bam'), f('rna_bam'), idx('rna_bam'), f('expression') ]
        }

    ch_outputs  = Channel.empty()
    ch_multiqc  = Channel.empty()

    // annotate (when a GTF and FASTA are given), else the samplesheet's VCF as it is
    ch_vcf = ch_rows.filter { it[1] }.map { meta, vcf, t, ti, n, ni, r, ri, e -> [ meta, vcf ] }
    if (stageOn('annotate') && gtf && fasta) {
        IMMUNOPROFILE_ANNOTATE(ch_vcf, gtf, fasta)
        ch_vcf      = IMMUNOPROFILE_ANNOTATE.out.vcf
        ch_outputs  = ch_outputs.mix(IMMUNOPROFILE_ANNOTATE.out.vcf)
    }
    if (stageOn('tmb')) {
        IMMUNOPROFILE_TMB(ch_vcf, targets)
        ch_outputs  = ch_outputs.mix(IMMUNOPROFILE_TMB.out.json, IMMUNOPROFILE_TMB.out.variants)
    }
    if (stageOn('peptides')) {
        IMMUNOPROFILE_PEPTIDES(ch_vcf)
        ch_outputs  = ch_outputs.mix(IMMUNOPROFILE_PEPTIDES.out.fasta, IMMUNOPROFILE_PEPTIDES.out.tsv)
    }
    // expression: quant of the RNA BAM, else the samplesheet's table
    ch_expression = ch_rows.filter { it[8] }.map { meta, v, t, ti, n, ni, r, ri, e -> [ meta, e ] }
    if (stageOn('quant') && gtf) {
        IMMUNOPROFILE_QUANT(ch_rows.filter { it[6] }.map { meta, v, t, ti, n, ni, r, ri, e -> [ meta, r, ri ] }, gtf)
        ch_expression = ch_expression.mix(IMMUNOPROFILE_QUANT.out.tsv)
        ch_outputs    = ch_outputs.mix(IMMUNOPROFILE_QUANT.out.tsv, IMMUNOPROFILE_QUANT.out.json)
    }
    if (stageOn('signatures')) {
        IMMUNOPROFILE_SIGNATURES(ch_expression)
        ch_outputs  = ch_outputs.mix(IMMUNOPROFILE_SIGNATURES.out.tsv, IMMUNOPROFILE_SIGNATURES.out.json)
    }
    // HLA class I alleles per sample: the samplesheet's, else typed from the reads (normal DNA
    // preferred, then tumour DNA, then RNA).
    ch_alleles = ch_rows.filter { it[0].hla_alleles }.map { it -> [ it[0], it[0].hla_alleles ] }
    if (stageOn('hla') && imgt) {
        ch_hla_in = ch_rows
            .filter { !it[0].hla_alleles && (it[4] || it[2] || it[6]) }
            .map { meta, v, t, ti, n, ni, r, ri, e -> n ? [ meta, n, ni ] : (t ? [ meta, t, ti ] : [ meta, r, ri ]) }
        IMMUNOPROFILE_HLA(ch_hla_in, imgt)
        ch_outputs  = ch_outputs.mix(IMMUNOPROFILE_HLA.out.json, IMMUNOPROFILE_HLA.out.tsv)
        ch_alleles  = ch_alleles.mix(
            IMMUNOPROFILE_HLA.out.json.map { meta, json ->
                def called = new groovy.json.JsonSlurper().parse(json).alleles ?: [:]
                def calls = { locus -> (called[locus] ?: []).findAll { !it.endsWith('N') }.unique() }
                // Class II as `neoantigens --hla-json` pairs them: each DRB alone (DRA*01:01
                // implied), every DQA1 x DQB1 and DPA1 x DPB1 pairing (typing is unphased).
                def class2 = [ 'DRB1', 'DRB3', 'DRB4', 'DRB5' ].collectMany { calls(it).collect { "HLA-${it}" } } +
                    [ [ 'DQA1', 'DQB1' ], [ 'DPA1', 'DPB1' ] ].collectMany { ab ->
                        calls(ab[0]).collectMany { a -> calls(ab[1]).collect { b -> "HLA-${a}/${b}" } }
                    }
                [ meta, ([ 'A', 'B', 'C' ].collectMany { called[it] ?: [] } + class2).unique() ]
            }.filter { it[1] }
        )
    }
    if (stageOn('neoantigens')) {
        ch_neo = ch_vcf
            .join(ch_rows.map { meta, v, t, ti, n, ni, r, ri, e -> [ meta, t, ti, r, ri ] })
            .join(ch_expression, remainder: true)
            .join(ch_alleles)
            .map { meta, vcf, t, ti, r, ri, e, alleles -> [ meta, vcf, t, ti, r, ri, e ?: [], alleles ] }
        IMMUNOPROFILE_NEOANTIGENS(ch_neo, imgt)
        ch_outputs  = ch_outputs.mix(
            IMMUNOPROFILE_NEOANTIGENS.out.tsv, IMMUNOPROFILE_NEOANTIGENS.out.all,
            IMMUNOPROFILE_NEOANTIGENS.out.json, IMMUNOPROFILE_NEOANTIGENS.out.fasta,
            IMMUNOPROFILE_NEOANTIGENS.out.class2_tsv, IMMUNOPROFILE_NEOANTIGENS.out.class2_all,
            IMMUNOPROFILE_NEOANTIGENS.out.class2_fasta)
    }
    if (stageOn('msi') && fasta) {
        IMMUNOPROFILE_MSI(ch_rows.filter { it[2] }.map { meta, v, t, ti, n, ni, r, ri, e -> [ meta, t, ti, n, ni ] }, fasta)
        ch_outputs  = ch_outputs.mix(IMMUNOPROFILE_MSI.out.json, IMMUNOPROFILE_MSI.out.sites)
    }
    if (stageOn('report')) {
        // Each report places its sample against every sample's stage outputs.
        ch_cohort = ch_outputs.map { meta, f -> f }.collect()
        IMMUNOPROFILE_REPORT(ch_outputs.groupTuple().map { meta, fs -> [ meta, fs.flatten() ] }, ch_cohort)
        IMMUNOPROFILE_COHORT(IMMUNOPROFILE_REPORT.out.json.map { meta, f -> f }.collect())
        ch_multiqc = ch_multiqc.mix(IMMUNOPROFILE_COHORT.out.multiqc.flatten())
    }

    // Software versions: every module publishes [ process, tool, version ] on the `versions`
    // topic. Written as MultiQC's *_mqc_versions.yml (PROCESS: {tool: version}) for its
    // "Software versions" section, and kept in pipeline_info/.
    ch_versions_yml = channel.topic('versions')
        .unique()
        .map { proc, tool, version -> "${proc.tokenize(':').last()}:\n  ${tool}: ${version}\n" }
        .collectFile(name: 'immunoprofile_software_mqc_versions.yml', sort: true, storeDir: "${params.outdir}/pipeline_info")

    if (stageOn('multiqc') && stageOn('report')) {
        def multiqc_config = params.multiqc_config ? file(params.multiqc_config, checkIfExists: true) : file("${projectDir}/assets/multiqc_config.yml", checkIfExists: true)
        MULTIQC(ch_multiqc.mix(ch_versions_yml).collect(), multiqc_config)
    }
}
