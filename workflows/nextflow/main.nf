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
 * Samplesheet columns (nf-core style, empty cells allowed):
 *   sample,vcf,tumor_bam,normal_bam,rna_bam,expression,hla_alleles
 */
nextflow.enable.dsl = 2

include { IMMUNOPROFILE_ANNOTATE    } from './modules/local/annotate/main'
include { IMMUNOPROFILE_TMB         } from './modules/local/tmb/main'
include { IMMUNOPROFILE_PEPTIDES    } from './modules/local/peptides/main'
include { IMMUNOPROFILE_QUANT       } from './modules/local/quant/main'
include { IMMUNOPROFILE_SIGNATURES  } from './modules/local/signatures/main'
include { IMMUNOPROFILE_NEOANTIGENS } from './modules/local/neoantigens/main'
include { IMMUNOPROFILE_MSI         } from './modules/local/msi/main'
include { IMMUNOPROFILE_REPORT      } from './modules/local/report/main'
include { IMMUNOPROFILE_COHORT      } from './modules/local/cohort/main'

def stageOn(String name) {
    return params.stages.tokenize(',').contains(name)
}

workflow {
    if (!params.input) {
        error "Give the samplesheet with --input samples.csv"
    }
    def fasta   = params.fasta   ? file(params.fasta, checkIfExists: true)   : []
    def gtf     = params.gtf     ? file(params.gtf, checkIfExists: true)     : []
    def targets = params.targets ? file(params.targets, checkIfExists: true) : []

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

    ch_versions = Channel.empty()
    ch_outputs  = Channel.empty()

    // annotate (when a GTF and FASTA are given), else the samplesheet's VCF as it is
    ch_vcf = ch_rows.filter { it[1] }.map { meta, vcf, t, ti, n, ni, r, ri, e -> [ meta, vcf ] }
    if (stageOn('annotate') && gtf && fasta) {
        IMMUNOPROFILE_ANNOTATE(ch_vcf, gtf, fasta)
        ch_vcf      = IMMUNOPROFILE_ANNOTATE.out.vcf
        ch_outputs  = ch_outputs.mix(IMMUNOPROFILE_ANNOTATE.out.vcf)
        ch_versions = ch_versions.mix(IMMUNOPROFILE_ANNOTATE.out.versions)
    }
    if (stageOn('tmb')) {
        IMMUNOPROFILE_TMB(ch_vcf, targets)
        ch_outputs  = ch_outputs.mix(IMMUNOPROFILE_TMB.out.json, IMMUNOPROFILE_TMB.out.variants)
        ch_versions = ch_versions.mix(IMMUNOPROFILE_TMB.out.versions)
    }
    if (stageOn('peptides')) {
        IMMUNOPROFILE_PEPTIDES(ch_vcf)
        ch_outputs  = ch_outputs.mix(IMMUNOPROFILE_PEPTIDES.out.fasta, IMMUNOPROFILE_PEPTIDES.out.tsv)
        ch_versions = ch_versions.mix(IMMUNOPROFILE_PEPTIDES.out.versions)
    }
    // expression: quant of the RNA BAM, else the samplesheet's table
    ch_expression = ch_rows.filter { it[8] }.map { meta, v, t, ti, n, ni, r, ri, e -> [ meta, e ] }
    if (stageOn('quant') && gtf) {
        IMMUNOPROFILE_QUANT(ch_rows.filter { it[6] }.map { meta, v, t, ti, n, ni, r, ri, e -> [ meta, r, ri ] }, gtf)
        ch_expression = ch_expression.mix(IMMUNOPROFILE_QUANT.out.tsv)
        ch_outputs    = ch_outputs.mix(IMMUNOPROFILE_QUANT.out.tsv, IMMUNOPROFILE_QUANT.out.json)
        ch_versions   = ch_versions.mix(IMMUNOPROFILE_QUANT.out.versions)
    }
    if (stageOn('signatures')) {
        IMMUNOPROFILE_SIGNATURES(ch_expression)
        ch_outputs  = ch_outputs.mix(IMMUNOPROFILE_SIGNATURES.out.tsv, IMMUNOPROFILE_SIGNATURES.out.json)
        ch_versions = ch_versions.mix(IMMUNOPROFILE_SIGNATURES.out.versions)
    }
    if (stageOn('neoantigens')) {
        ch_neo = ch_vcf
            .join(ch_rows.map { meta, v, t, ti, n, ni, r, ri, e -> [ meta, t, ti, r, ri ] })
            .join(ch_expression, remainder: true)
            .filter { it[0].hla_alleles }
            .map { meta, vcf, t, ti, r, ri, e -> [ meta, vcf, t, ti, r, ri, e ?: [] ] }
        IMMUNOPROFILE_NEOANTIGENS(ch_neo)
        ch_outputs  = ch_outputs.mix(IMMUNOPROFILE_NEOANTIGENS.out.tsv, IMMUNOPROFILE_NEOANTIGENS.out.all)
        ch_versions = ch_versions.mix(IMMUNOPROFILE_NEOANTIGENS.out.versions)
    }
    if (stageOn('msi') && fasta) {
        IMMUNOPROFILE_MSI(ch_rows.filter { it[2] }.map { meta, v, t, ti, n, ni, r, ri, e -> [ meta, t, ti, n, ni ] }, fasta)
        ch_outputs  = ch_outputs.mix(IMMUNOPROFILE_MSI.out.json, IMMUNOPROFILE_MSI.out.sites)
        ch_versions = ch_versions.mix(IMMUNOPROFILE_MSI.out.versions)
    }
    if (stageOn('report')) {
        // Each report places its sample against every sample's stage outputs.
        ch_cohort = ch_outputs.map { meta, f -> f }.collect()
        IMMUNOPROFILE_REPORT(ch_outputs.groupTuple().map { meta, fs -> [ meta, fs.flatten() ] }, ch_cohort)
        IMMUNOPROFILE_COHORT(IMMUNOPROFILE_REPORT.out.json.map { meta, f -> f }.collect())
        ch_versions = ch_versions.mix(IMMUNOPROFILE_REPORT.out.versions, IMMUNOPROFILE_COHORT.out.versions)
    }
    ch_versions.unique().collectFile(name: 'immunoprofile_versions.yml', storeDir: "${params.outdir}/pipeline_info")
}
