//! `immunoprofile tmb`.

use std::path::PathBuf;

use clap::Args;

use crate::error::{Error, Result};
use crate::tmb::{
    self, CountClass, Denominator, FilterOverrides, InMemoryAnnotation, Preset, TmbParams,
};
use crate::variant::Caller;

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
    #[arg(long)]
    pub min_depth: Option<u32>,
    #[arg(long)]
    pub min_alt_reads: Option<u32>,
    #[arg(long)]
    pub min_vaf: Option<f64>,
    #[arg(long)]
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
    /// Output prefix: writes PREFIX.tmb.json and PREFIX.tmb.variants.tsv.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
}

fn fraction(name: &str, v: Option<f64>) -> Result<Option<f64>> {
    match v {
        Some(x) if !(0.0..=1.0).contains(&x) => Err(Error::usage(format!(
            "--{name} {x} is not a fraction between 0 and 1 (5% is 0.05)"
        ))),
        other => Ok(other),
    }
}

impl TmbArgs {
    /// Validates the options into library parameters (no file is opened here).
    ///
    /// # Errors
    /// Out-of-range values, or no territory.
    pub fn into_params(self, threads: usize) -> Result<(TmbParams, PathBuf)> {
        let overrides = FilterOverrides {
            pass_only: self.pass_only,
            min_depth: self.min_depth,
            min_alt_reads: self.min_alt_reads,
            min_vaf: fraction("min-vaf", self.min_vaf)?,
            max_vaf: fraction("max-vaf", self.max_vaf)?,
            max_population_af: fraction("max-population-af", self.max_population_af)?,
            population_af_fields: self.population_af_field,
            count: self.count,
            exclude_indels: self.exclude_indels,
            min_normal_depth: self.min_normal_depth,
            max_normal_vaf: fraction("max-normal-vaf", self.max_normal_vaf)?,
            varscan_somatic_status: self.varscan_somatic_status,
        };
        if self.gtf.is_some() && self.targets.is_none() && self.fasta.is_none() {
            return Err(Error::usage(
                "--gtf needs --targets (coding territory) or --fasta (annotation in memory)",
            ));
        }
        let annotation = match (&self.gtf, self.fasta) {
            (Some(gtf), Some(fasta)) => Some(InMemoryAnnotation {
                gtf: gtf.clone(),
                fasta,
                allow_mismatch: self.allow_mismatch,
            }),
            _ => None,
        };
        let denominator = match (self.targets, self.effective_size) {
            (Some(bed), _) => Denominator::Targets { bed, gtf: self.gtf },
            (None, Some(bp)) => Denominator::EffectiveSize(bp),
            (None, None) => match self.preset.and_then(Preset::default_effective_size) {
                Some(bp) => Denominator::EffectiveSize(bp),
                None => {
                    return Err(Error::usage(
                        "tmb needs the territory searched: --targets BED (optionally with --gtf) or --effective-size BP",
                    ))
                }
            },
        };
        if !(self.threshold.is_finite() && self.threshold >= 0.0) {
            return Err(Error::usage(
                "--threshold must be a non-negative number of mutations per Mb",
            ));
        }
        let params = TmbParams {
            vcf: self.vcf,
            sample: self.sample,
            normal_sample: self.normal_sample,
            support: crate::variant::SupportOptions {
                caller: self.caller,
                depth_field: self.depth_field,
                alt_reads_field: self.alt_reads_field,
            },
            denominator,
            annotation,
            preset: self.preset,
            filters: overrides.resolve(self.preset),
            threshold: self.threshold,
            threads,
        };
        Ok((params, self.output))
    }
}

/// # Errors
/// Bad options or inputs.
pub fn run(args: TmbArgs, threads: usize) -> Result<()> {
    let (params, prefix) = args.into_params(threads)?;
    let summary = tmb::run(&params, &prefix)?;
    log::info!(
        "{}: {} of {} variant alleles counted over {} bp: TMB {:.2}/Mb (95% CI {:.2}-{:.2})",
        summary.sample,
        summary.variants_counted,
        summary.variants_total,
        summary.effective_size_bp,
        summary.tmb,
        summary.tmb_ci95[0],
        summary.tmb_ci95[1]
    );
    Ok(())
}
