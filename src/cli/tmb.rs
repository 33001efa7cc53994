//! `immunoprofile tmb`.

use std::path::PathBuf;

use clap::Args;

use crate::error::Result;
use crate::stage::tmb::{Params, Tmb};
use crate::stage::Stage;
use crate::tmb::{CountClass, Preset};
use crate::variant::Caller;

/// Shown after `immunoprofile tmb --help`.
pub const EXAMPLES: &str = "\
Examples:
  immunoprofile tmb --vcf tumour.vep.vcf.gz --targets panel.bed -o out/S1
  immunoprofile tmb --vcf tumour.vcf.gz --preset foundation-one-cdx -o out/S1
  immunoprofile tmb --vcf tumour.vcf.gz --targets exome.bed --gtf genes.gtf --fasta genome.fa --min-vaf 0.05 -o - | jq .tmb";

/// Tumour mutational burden of one tumour sample.
#[derive(Debug, Args)]
pub struct TmbArgs {
    /// Somatic VCF/BCF (plain, bgzip or BCF; `-` for stdin), annotated by VEP or snpEff for
    /// --count nonsynonymous|coding.
    #[arg(long)]
    pub vcf: PathBuf,
    /// Tumour sample (default: ##tumor_sample, a sample named TUMOR, or the only sample).
    #[arg(long)]
    pub sample: Option<String>,
    /// Matched normal sample (default: ##normal_sample, NORMAL, or the other of two samples).
    #[arg(long)]
    pub normal_sample: Option<String>,
    /// Read every record's counts with this caller's FORMAT fields (default: decided per record
    /// from the fields it carries).
    #[arg(long, value_enum)]
    pub caller: Option<Caller>,
    /// FORMAT field holding the read depth, for callers the built-in rules do not know (e.g.
    /// PCGR's DPT); used on every record that carries it.
    #[arg(long, value_name = "FIELD")]
    pub depth_field: Option<String>,
    /// FORMAT field holding the alt read counts (one per ALT, or REF first when declared
    /// Number=R), e.g. PCGR's ADT.
    #[arg(long, value_name = "FIELD")]
    pub alt_reads_field: Option<String>,
    /// VarScan2 somatic statuses (INFO/SS) counted [default: 2 (somatic); 1 germline, 3 LOH].
    #[arg(long, value_delimiter = ',', value_name = "SS")]
    pub varscan_somatic_status: Option<Vec<u8>>,
    /// Target regions (BED); the territory is their merged size.
    #[arg(long, conflicts_with = "effective_size")]
    pub targets: Option<PathBuf>,
    /// GTF: with --targets, restricts the territory to its coding exons (CDS + stop codons);
    /// with --fasta, annotates the variants in memory (instead of reading CSQ/ANN).
    #[arg(long)]
    pub gtf: Option<PathBuf>,
    /// Reference FASTA: with --gtf, annotate the variants in memory (no VEP/snpEff needed).
    #[arg(long, requires = "gtf")]
    pub fasta: Option<PathBuf>,
    /// Territory size in bp, instead of --targets.
    #[arg(long)]
    pub effective_size: Option<u64>,
    /// A published definition; explicit options override it.
    #[arg(long, value_enum)]
    pub preset: Option<Preset>,
    /// Count only FILTER=PASS (or '.') records [default: true].
    #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub pass_only: Option<bool>,
    /// Minimum tumour read depth at the variant [default: none, or the preset's].
    #[arg(long, value_name = "READS")]
    pub min_depth: Option<u32>,
    /// Minimum tumour reads supporting the allele [default: none, or the preset's].
    #[arg(long, value_name = "READS")]
    pub min_alt_reads: Option<u32>,
    /// Minimum tumour VAF, a fraction (5% is 0.05) [default: none, or the preset's].
    #[arg(long, value_name = "FRACTION")]
    pub min_vaf: Option<f64>,
    /// Maximum tumour VAF, a fraction; e.g. 0.9 drops likely germline homozygous calls in
    /// tumour-only data [default: none, or the preset's].
    #[arg(long, value_name = "FRACTION")]
    pub max_vaf: Option<f64>,
    /// Drop variants whose population allele frequency is above this.
    #[arg(long)]
    pub max_population_af: Option<f64>,
    /// Annotation or INFO fields with population AFs (comma-separated; default: gnomAD_AF,
    /// gnomADe_AF, gnomADg_AF, gnomAD_exomes_AF, gnomAD_genomes_AF, MAX_AF, AF_popmax).
    #[arg(long, value_delimiter = ',')]
    pub population_af_field: Option<Vec<String>>,
    /// Which variants make the numerator [default: nonsynonymous].
    #[arg(long, value_enum)]
    pub count: Option<CountClass>,
    /// Count SNVs and MNVs only.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub exclude_indels: Option<bool>,
    /// With a normal sample: minimum normal depth.
    #[arg(long)]
    pub min_normal_depth: Option<u32>,
    /// With a normal sample: maximum VAF of the allele in the normal.
    #[arg(long)]
    pub max_normal_vaf: Option<f64>,
    /// TMB-high cut-off, mutations per Mb (FDA 2020: 10).
    #[arg(long, default_value_t = 10.0)]
    pub threshold: f64,
    /// With --gtf and --fasta: annotate in memory even when no CDS translates against the FASTA
    /// or more than 10% of REF alleles disagree with it (normally a refusal: wrong build).
    #[arg(long, requires = "fasta")]
    pub allow_mismatch: bool,
    /// Output prefix: writes PREFIX.tmb.json and PREFIX.tmb.variants.tsv. `-`: the JSON on stdout.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
}

impl TmbArgs {
    /// The stage parameters and output prefix (no check, no I/O: [`Tmb::run`] checks).
    pub fn into_stage(self) -> (Params, PathBuf) {
        let TmbArgs {
            vcf,
            sample,
            normal_sample,
            caller,
            depth_field,
            alt_reads_field,
            varscan_somatic_status,
            targets,
            gtf,
            fasta,
            effective_size,
            preset,
            pass_only,
            min_depth,
            min_alt_reads,
            min_vaf,
            max_vaf,
            max_population_af,
            population_af_field,
            count,
            exclude_indels,
            min_normal_depth,
            max_normal_vaf,
            threshold,
            allow_mismatch,
            output,
        } = self;
        let params = Params {
            vcf: Some(vcf),
            sample,
            normal_sample,
            caller,
            depth_field,
            alt_reads_field,
            varscan_somatic_status,
            targets,
            gtf,
            fasta,
            effective_size,
            preset,
            pass_only,
            min_depth,
            min_alt_reads,
            min_vaf,
            max_vaf,
            max_population_af,
            population_af_field,
            count,
            exclude_indels,
            min_normal_depth,
            max_normal_vaf,
            threshold,
            allow_mismatch,
        };
        (params, output)
    }
}

/// # Errors
/// Bad options or inputs.
pub fn run(args: TmbArgs, threads: usize) -> Result<()> {
    let (params, prefix) = args.into_stage();
    super::stdout::with_prefix(&prefix, "tmb", &["tmb.json"], |prefix| {
        Tmb::run(&params, prefix, threads).map(|_| ())
    })
}
