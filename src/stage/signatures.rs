//! `signatures`: its description, parameters and entry point.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{need, req, values, Stage, StageInfo};
use crate::error::Result;
use crate::quant::{Scale, TableFormat};
use crate::signatures::{self, SignaturesParams, SignaturesSummary};

pub const INFO: StageInfo = StageInfo {
    name: "signatures",
    after: &["quant"],
    default: true,
    outputs: &[req("signatures.json"), req("signatures.tsv")],
    reserved: &["expression", "output"],
};

pub struct Signatures;

/// The options of `immunoprofile signatures`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub expression: Option<PathBuf>,
    #[serde(with = "values::opt_enum")]
    pub format: Option<TableFormat>,
    pub gtf: Option<PathBuf>,
    pub gene_sets: Vec<PathBuf>,
    pub no_built_in: bool,
    #[serde(with = "values::opt_enum")]
    pub scale: Option<Scale>,
    pub sample: Option<String>,
    /// Whose ssGSEA: `gsva` (default) or `gseapy`.
    #[serde(with = "values::req_enum")]
    pub ssgsea: crate::signatures::ssgsea::Flavour,
}

impl Params {
    /// The library parameters (no file is opened here).
    ///
    /// # Errors
    /// No expression table.
    pub fn resolve(&self) -> Result<SignaturesParams> {
        Ok(SignaturesParams {
            expression: need(&self.expression, "signatures", "expression")?,
            format: self.format,
            gtf: self.gtf.clone(),
            gene_sets: self.gene_sets.clone(),
            built_in: !self.no_built_in,
            scale: self.scale,
            sample: self.sample.clone(),
            ssgsea: self.ssgsea,
        })
    }
}

impl Stage for Signatures {
    const INFO: StageInfo = INFO;
    type Params = Params;
    type Summary = SignaturesSummary;

    fn run(params: &Params, prefix: &Path, _threads: usize) -> Result<SignaturesSummary> {
        let s = signatures::run(&params.resolve()?, prefix)?;
        log::info!(
            "{} signatures scored on {} samples ({} genes, values read as {:?})",
            s.signatures.len(),
            s.samples.len(),
            s.genes,
            s.scale_used
        );
        Ok(s)
    }
}
