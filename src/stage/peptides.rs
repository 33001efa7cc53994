//! `peptides`: its description, parameters and entry point.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{need, req, Stage, StageInfo};
use crate::annotate::InMemoryAnnotation;
use crate::error::{Error, Result};
use crate::peptides::{self, Downstream, EntryFilter, PeptideParams, PeptideSummary};

pub const INFO: StageInfo = StageInfo {
    name: "peptides",
    after: &["annotate"],
    default: true,
    outputs: &[
        req("peptides.json"),
        req("peptides.fasta"),
        req("peptides.tsv"),
    ],
    reserved: &["vcf", "output"],
};

pub struct Peptides;

/// The options of `immunoprofile peptides`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub vcf: Option<PathBuf>,
    pub sample: Option<String>,
    pub flank: usize,
    pub downstream_length: String,
    pub biotypes: Vec<String>,
    pub allow_incomplete_transcripts: bool,
    pub pass_only: bool,
    pub mutant_only: bool,
    pub gtf: Option<PathBuf>,
    pub fasta: Option<PathBuf>,
    pub allow_mismatch: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            vcf: None,
            sample: None,
            flank: 10,
            downstream_length: "1000".into(),
            biotypes: vec!["protein_coding".into()],
            allow_incomplete_transcripts: false,
            pass_only: false,
            mutant_only: false,
            gtf: None,
            fasta: None,
            allow_mismatch: false,
        }
    }
}

/// `N` or `full`.
///
/// # Errors
/// Anything else.
pub fn parse_downstream(text: &str) -> Result<Downstream> {
    if text.eq_ignore_ascii_case("full") {
        return Ok(Downstream::Full);
    }
    text.parse::<usize>()
        .ok()
        .filter(|n| *n > 0)
        .map(Downstream::Limit)
        .ok_or_else(|| {
            Error::usage(format!(
                "--downstream-length '{text}' must be a positive whole number or 'full'"
            ))
        })
}

/// `--gtf G --fasta F` together, or neither.
pub(crate) fn in_memory(
    gtf: &Option<PathBuf>,
    fasta: &Option<PathBuf>,
    allow_mismatch: bool,
) -> Result<Option<InMemoryAnnotation>> {
    match (gtf, fasta) {
        (Some(gtf), Some(fasta)) => Ok(Some(InMemoryAnnotation {
            gtf: gtf.clone(),
            fasta: fasta.clone(),
            allow_mismatch,
        })),
        (None, None) => Ok(None),
        _ => Err(Error::usage(
            "--gtf and --fasta go together (annotation in memory)",
        )),
    }
}

pub(crate) fn biotypes(list: &[String]) -> Result<Vec<String>> {
    let b: Vec<String> = list
        .iter()
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty())
        .collect();
    if b.is_empty() {
        return Err(Error::usage(
            "--biotypes needs at least one biotype (e.g. protein_coding)",
        ));
    }
    Ok(b)
}

impl Params {
    /// The library parameters (no file is opened here).
    ///
    /// # Errors
    /// Out-of-range values.
    pub fn resolve(&self, threads: usize) -> Result<PeptideParams> {
        Peptides::check(self)?;
        Ok(PeptideParams {
            vcf: need(&self.vcf, "peptides", "vcf")?,
            sample: self.sample.clone(),
            flank: self.flank,
            downstream: parse_downstream(&self.downstream_length)?,
            filter: EntryFilter {
                biotypes: biotypes(&self.biotypes)?,
                allow_incomplete: self.allow_incomplete_transcripts,
                pass_only: self.pass_only,
            },
            mutant_only: self.mutant_only,
            annotation: in_memory(&self.gtf, &self.fasta, self.allow_mismatch)?,
            threads,
        })
    }
}

impl Stage for Peptides {
    const INFO: StageInfo = INFO;
    type Params = Params;
    type Summary = PeptideSummary;

    fn check(p: &Params) -> Result<()> {
        if p.flank == 0 {
            return Err(Error::usage("--flank must be at least 1"));
        }
        parse_downstream(&p.downstream_length)?;
        biotypes(&p.biotypes)?;
        in_memory(&p.gtf, &p.fasta, p.allow_mismatch)?;
        Ok(())
    }

    fn run(params: &Params, prefix: &Path, threads: usize) -> Result<PeptideSummary> {
        let s = peptides::run(&params.resolve(threads)?, prefix)?;
        log::info!(
            "{}: {} window pairs from {} transcript entries",
            s.sample,
            s.windows,
            s.entries
        );
        Ok(s)
    }
}
