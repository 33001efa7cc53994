//! `tmb`: its description, parameters and entry point.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{fraction, need, req, values, Stage, StageInfo};
use crate::error::{Error, Result};
use crate::tmb::{
    self, CountClass, Denominator, FilterOverrides, InMemoryAnnotation, Preset, TmbParams,
    TmbSummary,
};
use crate::variant::Caller;

pub const INFO: StageInfo = StageInfo {
    name: "tmb",
    after: &["annotate"],
    default: true,
    outputs: &[req("tmb.json"), req("tmb.variants.tsv")],
    reserved: &["vcf", "targets", "output"],
};

pub struct Tmb;

/// The options of `immunoprofile tmb` (see its `--help`); `None` takes the preset's value, then
/// the default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub vcf: Option<PathBuf>,
    pub sample: Option<String>,
    pub normal_sample: Option<String>,
    #[serde(with = "values::opt_enum")]
    pub caller: Option<Caller>,
    pub depth_field: Option<String>,
    pub alt_reads_field: Option<String>,
    pub varscan_somatic_status: Option<Vec<u8>>,
    pub targets: Option<PathBuf>,
    pub gtf: Option<PathBuf>,
    pub fasta: Option<PathBuf>,
    pub effective_size: Option<u64>,
    #[serde(with = "values::opt_enum")]
    pub preset: Option<Preset>,
    pub pass_only: Option<bool>,
    pub min_depth: Option<u32>,
    pub min_alt_reads: Option<u32>,
    pub min_vaf: Option<f64>,
    pub max_vaf: Option<f64>,
    pub max_population_af: Option<f64>,
    pub population_af_field: Option<Vec<String>>,
    #[serde(with = "values::opt_enum")]
    pub count: Option<CountClass>,
    pub exclude_indels: Option<bool>,
    pub min_normal_depth: Option<u32>,
    pub max_normal_vaf: Option<f64>,
    pub threshold: f64,
    pub allow_mismatch: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            vcf: None,
            sample: None,
            normal_sample: None,
            caller: None,
            depth_field: None,
            alt_reads_field: None,
            varscan_somatic_status: None,
            targets: None,
            gtf: None,
            fasta: None,
            effective_size: None,
            preset: None,
            pass_only: None,
            min_depth: None,
            min_alt_reads: None,
            min_vaf: None,
            max_vaf: None,
            max_population_af: None,
            population_af_field: None,
            count: None,
            exclude_indels: None,
            min_normal_depth: None,
            max_normal_vaf: None,
            threshold: 10.0,
            allow_mismatch: false,
        }
    }
}

fn opt_fraction(flag: &str, v: Option<f64>) -> Result<Option<f64>> {
    v.map(|x| fraction(flag, x)).transpose()
}

impl Params {
    /// The library parameters (no file is opened here).
    ///
    /// # Errors
    /// Out-of-range values, or no territory.
    pub fn resolve(&self, threads: usize) -> Result<TmbParams> {
        Tmb::check(self)?;
        let p = self.clone();
        let overrides = FilterOverrides {
            pass_only: p.pass_only,
            min_depth: p.min_depth,
            min_alt_reads: p.min_alt_reads,
            min_vaf: p.min_vaf,
            max_vaf: p.max_vaf,
            max_population_af: p.max_population_af,
            population_af_fields: p.population_af_field,
            count: p.count,
            exclude_indels: p.exclude_indels,
            min_normal_depth: p.min_normal_depth,
            max_normal_vaf: p.max_normal_vaf,
            varscan_somatic_status: p.varscan_somatic_status,
        };
        let annotation = match (&p.gtf, p.fasta) {
            (Some(gtf), Some(fasta)) => Some(InMemoryAnnotation {
                gtf: gtf.clone(),
                fasta,
                allow_mismatch: p.allow_mismatch,
            }),
            _ => None,
        };
        let denominator = match (p.targets, p.effective_size) {
            (Some(bed), _) => Denominator::Targets { bed, gtf: p.gtf },
            (None, Some(bp)) => Denominator::EffectiveSize(bp),
            (None, None) => match p.preset.and_then(Preset::default_effective_size) {
                Some(bp) => Denominator::EffectiveSize(bp),
                None => {
                    return Err(Error::usage(
                        "tmb needs the territory searched: --targets BED (optionally with --gtf) or --effective-size BP",
                    ))
                }
            },
        };
        Ok(TmbParams {
            vcf: need(&self.vcf, "tmb", "vcf")?,
            sample: p.sample,
            normal_sample: p.normal_sample,
            support: crate::variant::SupportOptions {
                caller: p.caller,
                depth_field: p.depth_field,
                alt_reads_field: p.alt_reads_field,
            },
            denominator,
            annotation,
            preset: p.preset,
            filters: overrides.resolve(p.preset),
            threshold: p.threshold,
            threads,
        })
    }
}

impl Stage for Tmb {
    const INFO: StageInfo = INFO;
    type Params = Params;
    type Summary = TmbSummary;

    fn check(p: &Params) -> Result<()> {
        for (flag, v) in [
            ("min-vaf", p.min_vaf),
            ("max-vaf", p.max_vaf),
            ("max-population-af", p.max_population_af),
            ("max-normal-vaf", p.max_normal_vaf),
        ] {
            opt_fraction(flag, v)?;
        }
        if p.allow_mismatch && p.fasta.is_none() {
            return Err(Error::usage("--allow-mismatch needs --gtf and --fasta"));
        }
        if p.fasta.is_some() && p.gtf.is_none() {
            return Err(Error::usage("--fasta needs --gtf (annotation in memory)"));
        }
        if p.gtf.is_some() && p.targets.is_none() && p.fasta.is_none() {
            return Err(Error::usage(
                "--gtf needs --targets (coding territory) or --fasta (annotation in memory)",
            ));
        }
        if p.targets.is_some() && p.effective_size.is_some() {
            return Err(Error::usage(
                "--targets and --effective-size both give the territory: choose one",
            ));
        }
        if !(p.threshold.is_finite() && p.threshold >= 0.0) {
            return Err(Error::usage(
                "--threshold must be a non-negative number of mutations per Mb",
            ));
        }
        Ok(())
    }

    fn run(params: &Params, prefix: &Path, threads: usize) -> Result<TmbSummary> {
        let summary = tmb::run(&params.resolve(threads)?, prefix)?;
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
        Ok(summary)
    }
}
