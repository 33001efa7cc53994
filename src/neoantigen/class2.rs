//! Class II in `neoantigens`: the molecules asked for (given or typed by `hla`), how typed
//! chains are paired, and the scorers that let one code path serve both MHC classes.

use std::path::PathBuf;

use serde::Serialize;

use crate::binding::class2::predictor::Class2Predictor;
use crate::binding::class2::Class2Molecule;
use crate::binding::{BindingPredictor, HlaAllele, Prediction};
use crate::error::{Error, Result};
use crate::hla::output::{calls_at, LocusCalls};

/// Which MHC class a table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MhcClass {
    I,
    II,
}

impl MhcClass {
    /// pVACseq's file tag: `MHC_I` / `MHC_II`.
    pub fn pvacseq_tag(self) -> &'static str {
        match self {
            MhcClass::I => "MHC_I",
            MhcClass::II => "MHC_II",
        }
    }

    /// Stem of our own tables: `neoantigens` / `neoantigens.class2`.
    pub fn stem(self) -> &'static str {
        match self {
            MhcClass::I => "neoantigens",
            MhcClass::II => "neoantigens.class2",
        }
    }
}

/// A class II molecule as the user (or the typing) wrote it, and as the model reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Class2Allele {
    pub given: String,
    pub molecule: Class2Molecule,
}

/// The class II part of `neoantigens`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Class2Params {
    pub alleles: Vec<Class2Allele>,
    /// Epitope lengths, ascending (default 15).
    pub lengths: Vec<usize>,
    /// IPD-IMGT/HLA release folder the pseudo-sequences are read from.
    pub imgt: PathBuf,
    /// Typed molecules whose chains the release lacks are dropped with a warning instead of
    /// failing the run (given ones fail).
    #[serde(skip)]
    pub drop_unservable: bool,
}

/// Parses class II names, keeping the first spelling of each molecule.
///
/// # Errors
/// A name the class II parser rejects.
pub fn parse_molecules(names: &[String]) -> Result<Vec<Class2Allele>> {
    let mut out: Vec<Class2Allele> = Vec::new();
    for name in names {
        let molecule =
            Class2Molecule::parse(name).map_err(|e| Error::usage(format!("--alleles: {e}")))?;
        if !out.iter().any(|a| a.molecule == molecule) {
            out.push(Class2Allele {
                given: name.clone(),
                molecule,
            });
        }
    }
    Ok(out)
}

/// The class II molecules of `immunoprofile hla`'s calls: each DRB1/3/4/5 allele with DRA*01:01,
/// and every DQA1 × DQB1 and DPA1 × DPB1 pairing. Typing does not phase the two chromosomes, so
/// the cis pairs cannot be told from the trans ones; trans DQ heterodimers are also expressed
/// (the DQ2/DQ8 trans pairs of coeliac disease), so all pairings are scored, as NetMHCIIpan and
/// pVACseq users list them. Names are IEDB's (`HLA-DRB1*03:01`, `HLA-DQA1*05:01/DQB1*03:02`).
pub fn typed_molecules(calls: &LocusCalls) -> Vec<String> {
    let at = |locus: &str| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for name in calls_at(calls, locus) {
            let name = name.trim().trim_start_matches("HLA-").to_string();
            // Null alleles are not expressed.
            if !name.ends_with('N') && !out.contains(&name) {
                out.push(name);
            }
        }
        out
    };
    pair_calls(&at)
}

/// [`typed_molecules`] on any source of per-locus calls (`DRB1*03:01` …).
pub fn pair_calls(calls: &dyn Fn(&str) -> Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |name: String| {
        if !out.contains(&name) {
            out.push(name);
        }
    };
    for drb in ["DRB1", "DRB3", "DRB4", "DRB5"] {
        for b in calls(drb) {
            add(format!("HLA-{b}"));
        }
    }
    for (alpha, beta) in [("DQA1", "DQB1"), ("DPA1", "DPB1")] {
        for a in calls(alpha) {
            for b in calls(beta) {
                add(format!("HLA-{a}/{b}"));
            }
        }
    }
    out
}

/// pVACseq's spelling of a class II molecule: the DRB chain alone when DRA is DRA*01:01
/// (`DRB1*04:05`, as its example run writes it), else `DQA1*05:01-DQB1*03:02`.
pub fn pvacseq_name(m: &Class2Molecule) -> String {
    if m.alpha.gene == "DRA" && m.alpha.group == 1 && m.alpha.protein == 1 {
        m.beta.to_string()
    } else {
        format!("{}-{}", m.alpha, m.beta)
    }
}

/// One peptide's score against one allele or molecule.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub prediction: Prediction,
    /// The 9-residue binding core (class II).
    pub core: Option<String>,
}

/// Scores peptides against the alleles of one class, by index, so the epitope, filter and tier
/// code is shared by both classes.
pub trait Scorer: Sync {
    /// Provenance name of the predictor.
    fn name(&self) -> String;
    /// Every peptide against allele `allele`, in order.
    ///
    /// # Errors
    /// As the predictor's.
    fn score(&self, allele: usize, peptides: &[&str]) -> Result<Vec<Scored>>;
}

/// Class I: a [`BindingPredictor`] over the parameters' alleles.
pub struct Class1Scorer<'a> {
    pub predictor: &'a dyn BindingPredictor,
    pub alleles: &'a [HlaAllele],
}

impl Scorer for Class1Scorer<'_> {
    fn name(&self) -> String {
        self.predictor.name().to_string()
    }

    fn score(&self, allele: usize, peptides: &[&str]) -> Result<Vec<Scored>> {
        Ok(self
            .predictor
            .predict(&self.alleles[allele], peptides)?
            .into_iter()
            .map(|prediction| Scored {
                prediction,
                core: None,
            })
            .collect())
    }
}

/// Class II: the built-in class II model over the parameters' molecules.
pub struct Class2Scorer<'a> {
    pub predictor: &'a Class2Predictor,
    pub molecules: Vec<Class2Molecule>,
}

impl Scorer for Class2Scorer<'_> {
    fn name(&self) -> String {
        self.predictor.name()
    }

    fn score(&self, allele: usize, peptides: &[&str]) -> Result<Vec<Scored>> {
        Ok(self
            .predictor
            .predict(&self.molecules[allele], peptides)?
            .into_iter()
            .map(|p| Scored {
                prediction: Prediction {
                    ic50: p.ic50,
                    percentile: Some(p.percentile),
                },
                core: Some(p.core),
            })
            .collect())
    }
}

/// The molecules the predictor can serve: all of them, or (typed ones) those whose chains the
/// release holds, the others named in a warning.
///
/// # Errors
/// A given molecule whose chains the release lacks; no typed molecule left.
pub fn servable(params: &Class2Params, predictor: &Class2Predictor) -> Result<Vec<Class2Allele>> {
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for a in &params.alleles {
        match predictor.pseudo(&a.molecule) {
            Ok(_) => kept.push(a.clone()),
            Err(e) if !params.drop_unservable => {
                return Err(Error::usage(format!(
                    "{} (--imgt {}): {e}",
                    a.given,
                    params.imgt.display()
                )))
            }
            Err(_) => dropped.push(a.given.clone()),
        }
    }
    if !dropped.is_empty() {
        log::warn!(
            "typed class II molecules whose chains {} lacks are not scored: {}",
            params.imgt.display(),
            dropped.join(", ")
        );
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_chains_pair_every_way_and_drb_alone() {
        let calls = |locus: &str| -> Vec<String> {
            match locus {
                "DRB1" => vec!["DRB1*03:01".into(), "DRB1*15:01".into()],
                "DQA1" => vec!["DQA1*05:01".into(), "DQA1*01:02".into()],
                "DQB1" => vec!["DQB1*02:01".into(), "DQB1*06:02".into()],
                "DPA1" => vec!["DPA1*01:03".into()],
                "DPB1" => vec!["DPB1*04:01".into()],
                _ => Vec::new(),
            }
        };
        assert_eq!(
            pair_calls(&calls),
            vec![
                "HLA-DRB1*03:01",
                "HLA-DRB1*15:01",
                "HLA-DQA1*05:01/DQB1*02:01",
                "HLA-DQA1*05:01/DQB1*06:02",
                "HLA-DQA1*01:02/DQB1*02:01",
                "HLA-DQA1*01:02/DQB1*06:02",
                "HLA-DPA1*01:03/DPB1*04:01",
            ]
        );
        // A beta chain without its alpha pairs with nothing.
        let beta_only = |locus: &str| -> Vec<String> {
            if locus == "DQB1" {
                vec!["DQB1*02:01".into()]
            } else {
                Vec::new()
            }
        };
        assert!(pair_calls(&beta_only).is_empty());
    }

    #[test]
    fn pvacseq_spelling() {
        let m = Class2Molecule::parse("HLA-DRB1*04:05").unwrap();
        assert_eq!(pvacseq_name(&m), "DRB1*04:05");
        let m = Class2Molecule::parse("HLA-DQA1*05:01/DQB1*03:02").unwrap();
        assert_eq!(pvacseq_name(&m), "DQA1*05:01-DQB1*03:02");
    }

    #[test]
    fn molecules_deduplicate_by_molecule_not_spelling() {
        let got = parse_molecules(&[
            "DQA1*05:01-DQB1*03:02".into(),
            "HLA-DQA1*05:01/DQB1*03:02".into(),
            "DRB1*03:01".into(),
        ])
        .unwrap();
        let given: Vec<&str> = got.iter().map(|a| a.given.as_str()).collect();
        assert_eq!(given, vec!["DQA1*05:01-DQB1*03:02", "DRB1*03:01"]);
        assert!(parse_molecules(&["DQB1*03:02".into()]).is_err());
    }
}
