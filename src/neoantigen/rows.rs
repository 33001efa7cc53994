//! One class's rows: scoring every distinct peptide, pairing each epitope with its predictions,
//! the all.tsv text and the filter verdicts. Shared by class I and class II.

use std::collections::HashMap;

use rayon::prelude::*;

use super::class2::{MhcClass, Scored, Scorer};
use super::epitopes::Epitope;
use super::{filters, Candidate, NeoantigenParams};
use crate::error::Result;
use crate::io::output::fmt_opt;
use crate::peptides::VariantEntry;

/// Columns of `PREFIX.neoantigens.all.tsv` (the ranked table puts `rank` and `tier` first).
pub const ALL_COLUMNS: &str = "chrom\tpos\tref\talt\tgene\ttranscript\tvariant_type\tprotein_change\tprotein_position\tallele\tlength\tmt_epitope\twt_epitope\tmutation_position\tmt_ic50\twt_ic50\tmt_percentile\twt_percentile\tagretopicity\tdna_depth\tdna_vaf\trna_depth\trna_vaf\tgene_expression\ttranscript_expression\tallele_expression\tindex";

/// Columns of `PREFIX.neoantigens.class2.all.tsv`: class I's with the MT epitope's 9-residue
/// binding core after `mutation_position`.
pub const CLASS2_COLUMNS: &str = "chrom\tpos\tref\talt\tgene\ttranscript\tvariant_type\tprotein_change\tprotein_position\tallele\tlength\tmt_epitope\twt_epitope\tmutation_position\tmt_core\tmt_ic50\twt_ic50\tmt_percentile\twt_percentile\tagretopicity\tdna_depth\tdna_vaf\trna_depth\trna_vaf\tgene_expression\ttranscript_expression\tallele_expression\tindex";

/// The all.tsv columns of a class.
pub fn columns(class: MhcClass) -> &'static str {
    match class {
        MhcClass::I => ALL_COLUMNS,
        MhcClass::II => CLASS2_COLUMNS,
    }
}

/// Scores every distinct peptide for every allele of the class.
pub(super) fn predict_all(
    scorer: &dyn Scorer,
    n_alleles: usize,
    peptides: &[&str],
) -> Result<Vec<HashMap<String, Scored>>> {
    (0..n_alleles)
        .map(|a| {
            let chunks: Vec<Result<Vec<Scored>>> = peptides
                .par_chunks(1024)
                .map(|c| scorer.score(a, c))
                .collect();
            let mut map = HashMap::with_capacity(peptides.len());
            let mut i = 0;
            for c in chunks {
                for p in c? {
                    map.insert(peptides[i].to_string(), p);
                    i += 1;
                }
            }
            Ok(map)
        })
        .collect()
}

/// One row of all.tsv (and, after `rank`/`tier`, of the ranked table).
pub fn write_row(
    out: &mut String,
    class: MhcClass,
    e: &VariantEntry,
    index: &str,
    allele: &str,
    c: &Candidate,
) {
    use std::fmt::Write as _;
    let v = &c.values;
    let _ = write!(
        out,
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t",
        e.chrom,
        e.pos,
        e.reference,
        e.alt,
        e.gene,
        e.transcript,
        e.variant_type.as_str(),
        e.amino_acid_change,
        e.protein_position,
        allele,
        c.epitope.length,
        c.epitope.mt,
        c.epitope.wt.as_deref().unwrap_or("NA"),
        c.epitope.mutation_position_text(),
    );
    if class == MhcClass::II {
        out.push_str(c.core.as_deref().unwrap_or("NA"));
        out.push('\t');
    }
    let _ = write!(
        out,
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        fmt_opt(c.mt.map(|p| p.ic50), 3),
        fmt_opt(c.wt.map(|p| p.ic50), 3),
        fmt_opt(c.mt.and_then(|p| p.percentile), 3),
        fmt_opt(c.wt.and_then(|p| p.percentile), 3),
        fmt_opt(c.agretopicity, 3),
        v.dna_depth.map_or("NA".to_string(), |d| d.to_string()),
        fmt_opt(v.dna_vaf, 6),
        v.rna_depth.map_or("NA".to_string(), |d| d.to_string()),
        fmt_opt(v.rna_vaf, 6),
        fmt_opt(v.gene_expression, 6),
        fmt_opt(v.transcript_expression, 6),
        fmt_opt(c.allele_expression, 6),
        index
    );
}

/// The all.tsv rows of one entry and the candidates that pass the filters (their `order` is
/// relative to the entry's first row).
#[derive(Default)]
pub(super) struct EntryRows {
    pub text: String,
    pub n_rows: u64,
    pub passing: Vec<Candidate>,
    pub all: Vec<Candidate>,
    pub filtered: [u64; filters::FILTER_NAMES.len()],
}

/// Pairs every epitope of an entry with every allele's predictions.
pub(super) fn entry_rows(
    params: &NeoantigenParams,
    class: MhcClass,
    names: &[String],
    e: &VariantEntry,
    eps: &[Epitope],
    entry_idx: usize,
    predictions: &[HashMap<String, Scored>],
) -> EntryRows {
    let mut out = EntryRows {
        text: String::new(),
        n_rows: 0,
        passing: Vec::new(),
        all: Vec::new(),
        filtered: [0; filters::FILTER_NAMES.len()],
    };
    if eps.is_empty() {
        return out;
    }
    let index = e.index();
    let allele_expression = e
        .values
        .gene_expression
        .zip(e.values.rna_vaf)
        .map(|(g, r)| g * r);
    for (ai, allele) in names.iter().enumerate() {
        for ep in eps {
            let mt_scored = predictions[ai].get(&ep.mt);
            let mt = mt_scored.map(|s| s.prediction);
            let wt = ep
                .wt
                .as_ref()
                .and_then(|w| predictions[ai].get(w).map(|s| s.prediction));
            let agretopicity = match (mt, wt) {
                (Some(m), Some(w)) if m.ic50 > 0.0 => Some(w.ic50 / m.ic50),
                _ => None,
            };
            let c = Candidate {
                entry: entry_idx,
                allele: ai,
                epitope: ep.clone(),
                mt,
                wt,
                core: mt_scored.and_then(|s| s.core.clone()),
                agretopicity,
                allele_expression,
                values: e.values,
                order: out.n_rows,
            };
            out.n_rows += 1;
            write_row(&mut out.text, class, e, &index, allele, &c);
            out.text.push('\n');
            if params.format.pvacseq() {
                out.all.push(c.clone());
            }
            match params.filters.first_failure_of(mt, &e.values) {
                Some(i) => out.filtered[i] += 1,
                None => out.passing.push(c),
            }
        }
    }
    out
}
