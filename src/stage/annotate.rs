//! `annotate`: its description, parameters and entry point.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{need, opt, req, Stage, StageInfo};
use crate::annotate::model::ModelOptions;
use crate::annotate::stage::{self, AnnotateParams, AnnotateSummary};
use crate::error::Result;

pub const INFO: StageInfo = StageInfo {
    name: "annotate",
    after: &[],
    default: true,
    outputs: &[
        req("annotate.json"),
        req("annotated.vcf.gz"),
        opt("annotated.vcf.gz.tbi"),
        opt("annotated.vcf.gz.csi"),
    ],
    reserved: &["vcf", "gtf", "fasta", "output"],
};

pub struct Annotate;

/// The options of `immunoprofile annotate`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub vcf: Option<PathBuf>,
    pub gtf: Option<PathBuf>,
    pub fasta: Option<PathBuf>,
    pub allow_mismatch: bool,
}

impl Params {
    /// The library parameters (no file is opened here).
    ///
    /// # Errors
    /// A missing input.
    pub fn resolve(&self, threads: usize) -> Result<AnnotateParams> {
        Ok(AnnotateParams {
            vcf: need(&self.vcf, "annotate", "vcf")?,
            gtf: need(&self.gtf, "annotate", "gtf")?,
            fasta: need(&self.fasta, "annotate", "fasta")?,
            model: ModelOptions {
                allow_mismatch: self.allow_mismatch,
            },
            threads,
        })
    }
}

impl Stage for Annotate {
    const INFO: StageInfo = INFO;
    type Params = Params;
    type Summary = AnnotateSummary;

    fn run(params: &Params, prefix: &Path, threads: usize) -> Result<AnnotateSummary> {
        let s = stage::run(&params.resolve(threads)?, prefix)?;
        log::info!(
            "{} records, {} alleles annotated ({} CSQ entries) -> {}",
            s.records,
            s.alleles,
            s.annotations,
            s.output.display()
        );
        Ok(s)
    }
}
