//! What a run keeps of each MHC class: its candidates, the names its tables print, and the
//! ranked table written from them.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use super::class2::MhcClass;
use super::rows::{columns, write_row};
use super::{Candidate, ClassCounts, NeoantigenParams, NeoantigenResult, Tier};
use crate::peptides::VariantEntry;

/// The class II block of `PREFIX.neoantigens.json` (same meaning as the class I keys).
#[derive(Debug, Clone, Serialize)]
pub struct Class2Summary {
    pub predictor: String,
    /// Molecules scored, as given (or as typed).
    pub alleles: Vec<String>,
    /// The same, in IEDB's normalised spelling.
    pub molecules: Vec<String>,
    pub lengths: Vec<usize>,
    /// Rows of class2.all.tsv.
    pub epitopes: u64,
    /// Rows of class2.tsv.
    pub candidates: u64,
    pub filtered: BTreeMap<String, u64>,
    pub by_class: BTreeMap<String, ClassCounts>,
    pub by_tier: BTreeMap<String, u64>,
    pub neoantigen_load: u64,
    pub neoantigen_load_pass: u64,
}

/// The candidates of the second class (class II).
pub struct ClassTables {
    pub class: MhcClass,
    /// Allele names as our tables print them.
    pub alleles: Vec<String>,
    /// Allele names as pVACseq prints them.
    pub pvacseq_alleles: Vec<String>,
    pub predictor: String,
    pub ranked: Vec<(Tier, Candidate)>,
    pub all: Vec<Candidate>,
}

/// One class's candidates with what is needed to write its tables.
pub struct ClassView<'a> {
    pub class: MhcClass,
    pub entries: &'a [VariantEntry],
    pub ranked: &'a [(Tier, Candidate)],
    pub all: &'a [Candidate],
    pub alleles: Vec<String>,
    pub pvacseq_alleles: Vec<String>,
    pub predictor: &'a str,
    pub params: &'a NeoantigenParams,
}

impl NeoantigenResult {
    /// The class I candidates (present even with no class I allele: empty tables).
    pub fn class1(&self) -> ClassView<'_> {
        let names: Vec<String> = self
            .summary
            .params
            .alleles
            .iter()
            .map(ToString::to_string)
            .collect();
        ClassView {
            class: MhcClass::I,
            entries: &self.entries,
            ranked: &self.ranked,
            all: &self.all,
            pvacseq_alleles: names.clone(),
            alleles: names,
            predictor: &self.summary.predictor,
            params: &self.summary.params,
        }
    }

    /// The class II candidates, when class II molecules were scored.
    pub fn class2(&self) -> Option<ClassView<'_>> {
        self.class2.as_ref().map(|t| ClassView {
            class: t.class,
            entries: &self.entries,
            ranked: &t.ranked,
            all: &t.all,
            alleles: t.alleles.clone(),
            pvacseq_alleles: t.pvacseq_alleles.clone(),
            predictor: &t.predictor,
            params: &self.summary.params,
        })
    }
}

/// Writes a ranked table: `rank`, `tier`, then the class's all.tsv columns.
///
/// # Errors
/// Write failures.
pub fn write_ranked(out: &mut dyn Write, view: &ClassView) -> std::io::Result<()> {
    writeln!(out, "rank\ttier\t{}", columns(view.class))?;
    let mut text = String::new();
    for (i, (t, c)) in view.ranked.iter().enumerate() {
        text.clear();
        let e = &view.entries[c.entry];
        write_row(
            &mut text,
            view.class,
            e,
            &e.index(),
            &view.alleles[c.allele],
            c,
        );
        writeln!(out, "{}\t{}\t{text}", i + 1, t.as_str())?;
    }
    Ok(())
}
