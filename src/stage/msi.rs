//! `msi` (scoring): its description, parameters and entry point.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{need, req, Stage, StageInfo};
use crate::error::{Error, Result};
use crate::msi::reads::ReadFilter;
use crate::msi::scan::ScanParams;
use crate::msi::{self, MsiParams, MsiSummary, DEFAULT_THRESHOLD, DEFAULT_THRESHOLD_SOURCE};

pub const INFO: StageInfo = StageInfo {
    name: "msi",
    after: &[],
    default: true,
    outputs: &[req("msi.json"), req("msi.sites.tsv")],
    reserved: &["tumor-bam", "normal-bam", "fasta", "output"],
};

pub struct Msi;

/// The options of `immunoprofile msi` (scoring; the site options flattened in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub tumor_bam: Option<PathBuf>,
    pub normal_bam: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
    pub fasta: Option<PathBuf>,
    pub sites: Option<PathBuf>,
    pub min_homopolymer: u32,
    pub min_repeats: u32,
    pub max_unit: usize,
    pub max_repeat_bp: u32,
    pub flank: usize,
    pub min_coverage: u32,
    pub min_mapq: u8,
    pub fdr: f64,
    pub min_shift: f64,
    pub min_normals: u32,
    pub min_sites: u32,
    pub threshold: Option<f64>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            tumor_bam: None,
            normal_bam: None,
            baseline: None,
            fasta: None,
            sites: None,
            min_homopolymer: 5,
            min_repeats: 3,
            max_unit: 5,
            max_repeat_bp: 60,
            flank: 5,
            min_coverage: 20,
            min_mapq: 20,
            fdr: 0.05,
            min_shift: 0.05,
            min_normals: 2,
            min_sites: 20,
            threshold: None,
        }
    }
}

impl Params {
    /// What counts as a site.
    pub fn scan(&self) -> ScanParams {
        ScanParams {
            min_homopolymer: self.min_homopolymer,
            min_repeats: self.min_repeats,
            max_unit: self.max_unit,
            max_repeat_bp: self.max_repeat_bp,
            flank: self.flank,
        }
    }

    /// The library parameters (no file is opened here).
    ///
    /// # Errors
    /// Missing or out-of-range options.
    pub fn resolve(&self) -> Result<MsiParams> {
        Msi::check(self)?;
        let (threshold, threshold_source) = match self.threshold {
            Some(t) => (t, "--threshold".to_string()),
            None => (DEFAULT_THRESHOLD, DEFAULT_THRESHOLD_SOURCE.to_string()),
        };
        let params = MsiParams {
            tumor_bam: need(&self.tumor_bam, "msi", "tumor-bam")?,
            normal_bam: self.normal_bam.clone(),
            baseline: self.baseline.clone(),
            fasta: need(&self.fasta, "msi", "fasta")?,
            sites: self.sites.clone(),
            scan: self.scan(),
            reads: ReadFilter {
                min_mapq: self.min_mapq,
            },
            min_coverage: self.min_coverage,
            fdr: self.fdr,
            min_shift: self.min_shift,
            min_normals: self.min_normals,
            min_sites: self.min_sites,
            threshold,
            threshold_source,
        };
        params.mode()?;
        Ok(params)
    }
}

impl Stage for Msi {
    const INFO: StageInfo = INFO;
    type Params = Params;
    type Summary = MsiSummary;

    fn check(p: &Params) -> Result<()> {
        if p.normal_bam.is_some() && p.baseline.is_some() {
            return Err(Error::usage(
                "--normal-bam (paired) and --baseline (tumour-only) exclude each other",
            ));
        }
        Ok(())
    }

    fn run(params: &Params, prefix: &Path, _threads: usize) -> Result<MsiSummary> {
        let s = msi::run(&params.resolve()?, prefix)?;
        match s.score {
            Some(score) => log::info!(
                "{}: {} of {} evaluated sites unstable: score {score:.2}% -> {} (threshold {})",
                s.tumor,
                s.sites_unstable,
                s.sites_evaluated,
                s.status,
                s.threshold
            ),
            None => log::warn!(
                "{}: {}",
                s.tumor,
                s.reason.as_deref().unwrap_or("undetermined")
            ),
        }
        Ok(s)
    }
}
