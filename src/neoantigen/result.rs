//! What a run keeps of each MHC class: its candidates, the names its tables print, the ranked
//! tables written from them, and the stage's files.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::class2::MhcClass;
use super::compute::{compute_full, Class2Io};
use super::rows::{columns, write_row};
use super::{
    make_predictor, pvacseq, Candidate, ClassCounts, NeoantigenParams, NeoantigenResult,
    NeoantigenSummary, Tier,
};
use crate::binding::class2::predictor::Class2Predictor;
use crate::error::{Error, Result};
use crate::io::output::{commit_all, json_file, prefixed, AtomicFile};
use crate::peptides::{FastaGroups, VariantEntry};

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

/// Runs the stage: `PREFIX.neoantigens.all.tsv`, `PREFIX.neoantigens.tsv`,
/// `PREFIX.neoantigens.json` and `PREFIX.neoantigens.fasta` (the windows the epitopes were cut
/// from; its own name, since `peptides` owns `PREFIX.peptides.fasta`), with class II molecules
/// also `PREFIX.neoantigens.class2.{all.tsv,tsv,fasta}`, all appearing only when complete.
///
/// # Errors
/// As [`super::compute`], plus output write failures and an unreadable IPD-IMGT/HLA folder.
pub fn run(params: &NeoantigenParams, prefix: &Path) -> Result<NeoantigenSummary> {
    let predictor = make_predictor(&params.predictor)?;
    let predictor2 = match &params.class2 {
        Some(c) => Some(Class2Predictor::load_default(&c.imgt)?),
        None => None,
    };
    let mut all = AtomicFile::create(prefixed(prefix, "neoantigens.all.tsv"))?;
    let mut groups = FastaGroups::default();
    let mut all2 = match &predictor2 {
        Some(_) => Some(AtomicFile::create(prefixed(
            prefix,
            "neoantigens.class2.all.tsv",
        ))?),
        None => None,
    };
    let mut groups2 = FastaGroups::default();
    let io2 = match (&predictor2, all2.as_mut()) {
        (Some(p), Some(a)) => Some(Class2Io {
            predictor: p,
            all: a,
            fasta: &mut groups2,
        }),
        _ => None,
    };
    let result = compute_full(params, predictor.as_ref(), &mut all, &mut groups, io2)?;
    let mut files = vec![all];
    let mut views = vec![(result.class1(), groups)];
    if let (Some(v), Some(a)) = (result.class2(), all2) {
        files.push(a);
        views.push((v, groups2));
    }
    for (view, groups) in &views {
        let stem = view.class.stem();
        let mut ranked = AtomicFile::create(prefixed(prefix, &format!("{stem}.tsv")))?;
        write_ranked(&mut ranked, view).map_err(|e| Error::io(ranked.path(), e))?;
        let mut fasta = AtomicFile::create(prefixed(prefix, &format!("{stem}.fasta")))?;
        groups
            .write(&mut fasta, false)
            .map_err(|e| Error::io(fasta.path(), e))?;
        files.push(ranked);
        files.push(fasta);
    }
    drop(views);
    files.push(json_file(
        prefixed(prefix, "neoantigens.json"),
        &result.summary,
    )?);
    if !params.format.ours() {
        files.clear(); // dropped uncommitted: their partial files are removed
    }
    if params.format.pvacseq() {
        files.extend(pvacseq::write(&result, prefix)?);
    }
    commit_all(files)?;
    Ok(result.summary)
}
