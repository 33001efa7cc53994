//! `binding`: its description, parameters and entry point.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{need, req, Stage, StageInfo};
use crate::binding::builtin::BuiltinPredictor;
use crate::binding::stage::{self, check_lengths, BindingParams, BindingSummary};
use crate::binding::BindingPredictor;
use crate::error::{Error, Result};

pub const INFO: StageInfo = StageInfo {
    name: "binding",
    after: &["peptides"],
    default: false,
    outputs: &[req("binding.json"), req("binding.tsv")],
    reserved: &["alleles", "peptides", "output"],
};

pub struct Binding;

/// The options of `immunoprofile binding` (bar `--list-alleles`, which runs nothing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub alleles: Vec<String>,
    pub peptides: Option<PathBuf>,
    pub lengths: Vec<usize>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            alleles: Vec::new(),
            peptides: None,
            lengths: vec![8, 9, 10, 11],
        }
    }
}

impl Params {
    /// The library parameters (no file is opened here).
    ///
    /// # Errors
    /// An allele name that does not parse, a length outside 8–11, missing options.
    pub fn resolve(&self) -> Result<BindingParams> {
        Binding::check(self)?;
        let alleles = super::parse_alleles(&self.alleles)?;
        if alleles.is_empty() {
            return Err(Error::usage(
                "--alleles needs at least one HLA class I allele",
            ));
        }
        let mut lengths = self.lengths.clone();
        lengths.sort_unstable();
        lengths.dedup();
        Ok(BindingParams {
            alleles,
            peptides: need(&self.peptides, "binding", "peptides")?,
            lengths,
        })
    }
}

impl Stage for Binding {
    const INFO: StageInfo = INFO;
    type Params = Params;
    type Summary = BindingSummary;

    fn check(p: &Params) -> Result<()> {
        check_lengths(&p.lengths)
    }

    fn run(params: &Params, prefix: &Path, _threads: usize) -> Result<BindingSummary> {
        let resolved = params.resolve()?;
        let predictor = BuiltinPredictor::load_default()?;
        let summary = stage::run(&resolved, &predictor, prefix)?;
        log::info!(
            "{} peptides x {} alleles scored with {} ({} predictions)",
            summary.peptides,
            summary.alleles.len(),
            predictor.name(),
            summary.predictions
        );
        Ok(summary)
    }
}
