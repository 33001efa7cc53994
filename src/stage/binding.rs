//! `binding`: its description, parameters and entry point.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{need, opt, req, Stage, StageInfo};
use crate::binding::builtin::BuiltinPredictor;
use crate::binding::class2::predictor::Class2Predictor;
use crate::binding::class2::Class2Molecule;
use crate::binding::stage::{
    self, check_class2_lengths, check_lengths, BindingParams, BindingSummary, Class2Query,
};
use crate::binding::BindingPredictor;
use crate::error::{Error, Result};

pub const INFO: StageInfo = StageInfo {
    name: "binding",
    after: &["peptides"],
    default: false,
    outputs: &[
        req("binding.json"),
        req("binding.tsv"),
        opt("binding.class2.tsv"),
    ],
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
    /// FASTA window lengths for class II molecules.
    pub class2_lengths: Vec<usize>,
    /// IPD-IMGT/HLA release folder (class II pseudo-sequences are built from it).
    pub imgt: Option<PathBuf>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            alleles: Vec::new(),
            peptides: None,
            lengths: vec![8, 9, 10, 11],
            class2_lengths: vec![15],
            imgt: None,
        }
    }
}

/// Splits `--alleles` texts into class I names and class II molecule names (DR, DQ, DP), on
/// the separators `,` `;` `|` and whitespace.
pub fn split_classes(list: &[String]) -> (Vec<String>, Vec<String>) {
    let mut class1 = Vec::new();
    let mut class2 = Vec::new();
    for text in list {
        for name in text
            .split(|c: char| c == ',' || c == ';' || c == '|' || c.is_whitespace())
            .filter(|x| !x.is_empty())
        {
            if crate::binding::class2::looks_class2(name) {
                class2.push(name.to_string());
            } else {
                class1.push(name.to_string());
            }
        }
    }
    (class1, class2)
}

impl Params {
    /// The library parameters (no file is opened here).
    ///
    /// # Errors
    /// An allele name that does not parse, a length outside 8–11, missing options.
    pub fn resolve(&self) -> Result<BindingParams> {
        Binding::check(self)?;
        let (class1, class2_names) = split_classes(&self.alleles);
        let alleles = if class1.is_empty() && !class2_names.is_empty() {
            Vec::new()
        } else {
            super::parse_alleles(&class1)?
        };
        let mut class2: Vec<Class2Query> = Vec::new();
        for name in class2_names {
            let molecule = Class2Molecule::parse(&name)
                .map_err(|e| Error::usage(format!("--alleles: {e}")))?;
            if !class2.iter().any(|q| q.molecule == molecule) {
                class2.push(Class2Query {
                    given: name,
                    molecule,
                });
            }
        }
        if alleles.is_empty() && class2.is_empty() {
            return Err(Error::usage(
                "--alleles needs at least one HLA class I allele or class II molecule",
            ));
        }
        if !class2.is_empty() && self.imgt.is_none() {
            return Err(Error::usage(format!(
                "class II molecules ({}) need --imgt DIR, an IPD-IMGT/HLA release folder: their pseudo-sequences are built from its protein files, which the program does not ship",
                class2.iter().map(|q| q.given.as_str()).collect::<Vec<_>>().join(", ")
            )));
        }
        let mut class2_lengths = self.class2_lengths.clone();
        class2_lengths.sort_unstable();
        class2_lengths.dedup();
        let mut lengths = self.lengths.clone();
        lengths.sort_unstable();
        lengths.dedup();
        Ok(BindingParams {
            alleles,
            peptides: need(&self.peptides, "binding", "peptides")?,
            lengths,
            class2,
            class2_lengths,
            imgt: self.imgt.clone(),
        })
    }
}

impl Stage for Binding {
    const INFO: StageInfo = INFO;
    type Params = Params;
    type Summary = BindingSummary;

    fn check(p: &Params) -> Result<()> {
        check_lengths(&p.lengths)?;
        check_class2_lengths(&p.class2_lengths)
    }

    fn run(params: &Params, prefix: &Path, _threads: usize) -> Result<BindingSummary> {
        let resolved = params.resolve()?;
        let predictor = BuiltinPredictor::load_default()?;
        let class2 = match (&resolved.imgt, resolved.class2.is_empty()) {
            (Some(dir), false) => Some(Class2Predictor::load_default(dir)?),
            _ => None,
        };
        let summary = stage::run_with(&resolved, &predictor, class2.as_ref(), prefix)?;
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
