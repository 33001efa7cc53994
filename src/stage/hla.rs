//! `hla`: its description, parameters and entry point.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{need, req, Stage, StageInfo};
use crate::error::{Error, Result};
use crate::hla::{self, HlaInput, HlaParams, HlaResult};

pub const INFO: StageInfo = StageInfo {
    name: "hla",
    after: &[],
    default: true,
    outputs: &[req("hla.json"), req("hla.tsv")],
    reserved: &["fastq", "fastq2", "bam", "fasta", "imgt", "output"],
};

pub struct Hla;

/// The options of `immunoprofile hla`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub fastq: Option<PathBuf>,
    pub fastq2: Option<PathBuf>,
    pub bam: Option<PathBuf>,
    pub fasta: Option<PathBuf>,
    pub imgt: Option<PathBuf>,
    pub loci: Vec<String>,
    pub min_reads: u64,
    pub homozygosity_penalty: f64,
    /// Folder for the built index (keyed by the IMGT release); default: the output's folder.
    pub index_cache: Option<PathBuf>,
}

impl Default for Params {
    fn default() -> Self {
        let d = HlaParams::new("");
        Params {
            fastq: None,
            fastq2: None,
            bam: None,
            fasta: None,
            imgt: None,
            loci: d.loci,
            min_reads: d.min_reads,
            homozygosity_penalty: d.homozygosity_penalty,
            index_cache: None,
        }
    }
}

impl Params {
    /// The library parameters (no file is opened here).
    ///
    /// # Errors
    /// Neither reads nor an IMGT folder, or a penalty out of range.
    pub fn resolve(&self) -> Result<HlaParams> {
        Hla::check(self)?;
        let input = match (&self.fastq, &self.bam) {
            (Some(r1), None) => HlaInput::Fastq {
                r1: r1.clone(),
                r2: self.fastq2.clone(),
            },
            (None, Some(path)) => HlaInput::Bam {
                path: path.clone(),
                fasta: self.fasta.clone(),
            },
            _ => {
                return Err(Error::usage(
                    "hla needs --fastq R1 [--fastq2 R2] or --bam FILE",
                ))
            }
        };
        Ok(HlaParams {
            input,
            loci: self.loci.clone(),
            min_reads: self.min_reads.max(1),
            homozygosity_penalty: self.homozygosity_penalty,
            index_cache: self.index_cache.clone(),
            ..HlaParams::new(need(&self.imgt, "hla", "imgt")?)
        })
    }
}

impl Stage for Hla {
    const INFO: StageInfo = INFO;
    type Params = Params;
    type Summary = HlaResult;

    fn check(p: &Params) -> Result<()> {
        if !(0.0..1.0).contains(&p.homozygosity_penalty) {
            return Err(Error::usage("--homozygosity-penalty must be in [0, 1)"));
        }
        if p.fastq.is_some() && p.bam.is_some() {
            return Err(Error::usage("--fastq and --bam exclude each other"));
        }
        if p.fastq2.is_some() && p.fastq.is_none() {
            return Err(Error::usage("--fastq2 needs --fastq"));
        }
        Ok(())
    }

    fn run(params: &Params, prefix: &Path, _threads: usize) -> Result<HlaResult> {
        let mut resolved = params.resolve()?;
        if resolved.index_cache.is_none() {
            // Beside the output: `PREFIX`'s folder.
            let dir = prefix
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            resolved.index_cache = Some(dir.to_path_buf());
        }
        let result = hla::type_sample(&resolved)?;
        hla::output::write(&result, prefix)?;
        for l in &result.loci {
            match &l.call {
                Some(c) => log::info!(
                    "HLA-{}: {} {} ({} reads, {})",
                    l.locus,
                    c.alleles[0].allele,
                    c.alleles[1].allele,
                    l.reads,
                    l.confidence
                ),
                None => log::info!(
                    "HLA-{}: undetermined: {}",
                    l.locus,
                    l.reason.as_deref().unwrap_or("")
                ),
            }
        }
        log::info!(
            "IPD-IMGT/HLA {}; please cite: {}",
            result.imgt_release,
            result.citation
        );
        Ok(result)
    }
}
