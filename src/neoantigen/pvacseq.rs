//! pVACseq 7's output files (`--format pvacseq`), so pVACview and pVACseq-based tooling can load
//! our candidates: `PREFIX.MHC_I.all_epitopes.tsv`, `PREFIX.MHC_I.filtered.tsv`,
//! `PREFIX.MHC_I.all_epitopes.aggregated.tsv` and its `.metrics.json`, and the same `MHC_II`
//! files for class II. Columns, their order and
//! the aggregated report's best-peptide choice and tiers follow pVACtools'
//! `docs/pvacseq/output_files.rst` and `pvactools/lib/aggregate_all_epitopes.py`,
//! `get_best_candidate.py`, `update_tiers.py`; values we do not have are `NA` (README).

mod aggregate;
mod metrics;

use std::path::Path;

use serde::Serialize;

pub use aggregate::{aggregate, AggregateParams, Aggregated};

use super::{Candidate, ClassView, NeoantigenResult};
use crate::error::{Error, Result};
use crate::io::output::{fmt_opt, prefixed, AtomicFile};
use crate::peptides::{VariantEntry, VariantType};

/// Which neoantigen tables `neoantigens` writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// PREFIX.neoantigens.{all.tsv,tsv,json} and PREFIX.peptides.fasta.
    #[default]
    Ours,
    /// Only pVACseq 7's PREFIX.MHC_I.* files.
    Pvacseq,
    /// Both.
    Both,
}

impl OutputFormat {
    pub fn ours(self) -> bool {
        self != OutputFormat::Pvacseq
    }
    pub fn pvacseq(self) -> bool {
        self != OutputFormat::Ours
    }
}

/// all_epitopes.tsv / filtered.tsv columns before the per-predictor ones (pVACseq 7,
/// `docs/pvacseq/output_files.rst` and its example `HCC1395_TUMOR_DNA.MHC_I.all_epitopes.tsv`).
pub const EPITOPE_HEAD: [&str; 60] = [
    "Chromosome",
    "Start",
    "Stop",
    "Reference",
    "Variant",
    "Transcript",
    "Transcript Support Level",
    "Transcript Length",
    "Canonical",
    "MANE Select",
    "Biotype",
    "Transcript CDS Flags",
    "Ensembl Gene ID",
    "Variant Type",
    "Mutation",
    "Protein Position",
    "Gene Name",
    "HGVSc",
    "HGVSp",
    "HLA Allele",
    "Peptide Length",
    "Sub-peptide Position",
    "Mutation Position",
    "MT Epitope Seq",
    "WT Epitope Seq",
    "Best MT IC50 Score Method",
    "Best MT IC50 Score",
    "Corresponding WT IC50 Score",
    "Corresponding Fold Change",
    "Best MT Percentile Method",
    "Best MT Percentile",
    "Corresponding WT Percentile",
    "Best MT IC50 Percentile Method",
    "Best MT IC50 Percentile",
    "Corresponding WT IC50 Percentile",
    "Best MT Immunogenicity Percentile Method",
    "Best MT Immunogenicity Percentile",
    "Corresponding WT Immunogenicity Percentile",
    "Best MT Presentation Percentile Method",
    "Best MT Presentation Percentile",
    "Corresponding WT Presentation Percentile",
    "Tumor DNA Depth",
    "Tumor DNA VAF",
    "Tumor RNA Depth",
    "Tumor RNA VAF",
    "Normal Depth",
    "Normal VAF",
    "Gene Expression",
    "Transcript Expression",
    "Median MT IC50 Score",
    "Median WT IC50 Score",
    "Median Fold Change",
    "Median MT Percentile",
    "Median WT Percentile",
    "Median MT IC50 Percentile",
    "Median WT IC50 Percentile",
    "Median MT Immunogenicity Percentile",
    "Median WT Immunogenicity Percentile",
    "Median MT Presentation Percentile",
    "Median WT Presentation Percentile",
];

/// Columns after the per-predictor ones (no optional cleavage, stability or problematic-position
/// columns: those steps are not run).
pub const EPITOPE_TAIL: [&str; 10] = [
    "Index",
    "Gene of Interest",
    "cterm_7mer_gravy_score",
    "max_7mer_gravy_score",
    "difficult_n_terminal_residue",
    "c_terminal_cysteine",
    "c_terminal_proline",
    "cysteine_count",
    "n_terminal_asparagine",
    "asparagine_proline_bond_count",
];

/// pVACseq's algorithm name for our predictor (its column prefix), else our name.
pub fn method_name(predictor: &str) -> &str {
    match predictor {
        "netmhcpan-import" => "NetMHCpan",
        "mhcflurry-import" => "MHCflurry",
        other => other,
    }
}

/// The full all_epitopes.tsv header for one predictor.
pub fn epitope_header(method: &str) -> Vec<String> {
    let mut h: Vec<String> = EPITOPE_HEAD.iter().map(|s| s.to_string()).collect();
    for col in [
        "WT IC50 Score",
        "MT IC50 Score",
        "WT Percentile",
        "MT Percentile",
    ] {
        h.push(format!("{method} {col}"));
    }
    h.extend(EPITOPE_TAIL.iter().map(|s| s.to_string()));
    h
}

/// vcfpy's `affected_start`/`affected_end` as pVACseq writes them: 0-based half-open, an
/// insertion is the empty interval after the anchor base, a deletion starts after it.
pub fn start_stop(e: &VariantEntry) -> (u64, u64) {
    let (r, a) = (e.reference.len() as u64, e.alt.len() as u64);
    if r == 1 && a > 1 {
        (e.pos, e.pos)
    } else if r > a {
        (e.pos, e.pos + r - 1)
    } else {
        (e.pos - 1, e.pos + r - 1)
    }
}

/// `1, 3, 4` (pVACseq's separator) or `NA`.
pub fn mutation_position(c: &Candidate) -> String {
    let p = &c.epitope.mutation_positions;
    if p.is_empty() {
        "NA".into()
    } else {
        p.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
    }
}

/// Kyte-Doolittle hydropathy (pVACseq's manufacturability GRAVY scores use this scale).
fn hydropathy(aa: u8) -> f64 {
    match aa {
        b'A' => 1.8,
        b'R' => -4.5,
        b'N' | b'D' | b'Q' | b'E' => -3.5,
        b'C' => 2.5,
        b'G' => -0.4,
        b'H' => -3.2,
        b'I' => 4.5,
        b'L' => 3.8,
        b'K' => -3.9,
        b'M' => 1.9,
        b'F' => 2.8,
        b'P' => -1.6,
        b'S' => -0.8,
        b'T' => -0.7,
        b'W' => -0.9,
        b'Y' => -1.3,
        b'V' => 4.2,
        _ => 0.0,
    }
}

fn gravy(s: &[u8]) -> f64 {
    s.iter().map(|a| hydropathy(*a)).sum::<f64>() / s.len().max(1) as f64
}

fn py_bool(b: bool) -> String {
    if b { "True" } else { "False" }.to_string()
}

/// The eight manufacturability columns of a peptide.
pub fn manufacturability(peptide: &str) -> [String; 8] {
    let p = peptide.as_bytes();
    let k = p.len().min(7);
    let max7 = p
        .windows(k.max(1))
        .map(gravy)
        .fold(f64::NEG_INFINITY, f64::max);
    let first = p.first().copied().unwrap_or(b'-');
    let last = p.last().copied().unwrap_or(b'-');
    [
        fmt_opt(Some(gravy(&p[p.len() - k..])), 6),
        fmt_opt(Some(max7), 6),
        py_bool(matches!(first, b'Q' | b'E' | b'C')),
        py_bool(last == b'C'),
        py_bool(last == b'P'),
        p.iter().filter(|a| **a == b'C').count().to_string(),
        py_bool(first == b'N'),
        p.windows(2).filter(|w| w == b"NP").count().to_string(),
    ]
}

/// `True`/`False`, `NA` when unknown.
fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or("NA".into(), |x| x.to_string())
}

/// One all_epitopes.tsv row in [`epitope_header`]'s order.
pub fn epitope_record(
    e: &VariantEntry,
    allele: &str,
    c: &Candidate,
    method: &str,
    allow_incomplete: bool,
) -> Vec<String> {
    let (start, stop) = start_stop(e);
    let v = &c.values;
    let mt_ic50 = fmt_opt(c.mt.map(|p| p.ic50), 3);
    let wt_ic50 = fmt_opt(c.wt.map(|p| p.ic50), 3);
    let mt_pct = fmt_opt(c.mt.and_then(|p| p.percentile), 3);
    let wt_pct = fmt_opt(c.wt.and_then(|p| p.percentile), 3);
    let fold = fmt_opt(c.agretopicity, 3);
    let pct_method = if c.mt.and_then(|p| p.percentile).is_some() {
        method.to_string()
    } else {
        "NA".into()
    };
    let mut r = vec![
        e.chrom.clone(),
        start.to_string(),
        stop.to_string(),
        e.reference.clone(),
        e.alt.clone(),
        e.transcript.clone(),
        opt(e.tsl.as_deref()),
        "NA".into(),
        py_bool(e.canonical),
        "Not Run".into(),
        opt(e.biotype.as_deref()),
        // Flagged transcripts are dropped unless --allow-incomplete-transcripts.
        if allow_incomplete { "NA" } else { "None" }.into(),
        opt(e.gene_id.as_deref()),
        e.variant_type.as_str().into(),
        e.amino_acid_change.clone(),
        e.protein_position.clone(),
        e.gene.clone(),
        opt(e.hgvsc.as_deref()),
        opt(e.hgvsp.as_deref()),
        allele.to_string(),
        c.epitope.length.to_string(),
        c.epitope.start.to_string(),
        mutation_position(c),
        c.epitope.mt.clone(),
        opt(c.epitope.wt.as_deref()),
        method.to_string(),
        mt_ic50.clone(),
        wt_ic50.clone(),
        fold.clone(),
        pct_method.clone(),
        mt_pct.clone(),
        wt_pct.clone(),
        // Our percentile is a binding (IC50) percentile; no immunogenicity or presentation.
        pct_method,
        mt_pct.clone(),
        wt_pct.clone(),
        "NA".into(),
        "NA".into(),
        "NA".into(),
        "NA".into(),
        "NA".into(),
        "NA".into(),
        opt(v.dna_depth),
        fmt_opt(v.dna_vaf, 6),
        opt(v.rna_depth),
        fmt_opt(v.rna_vaf, 6),
        opt(e.normal.depth),
        fmt_opt(e.normal.vaf, 6),
        fmt_opt(v.gene_expression, 6),
        fmt_opt(v.transcript_expression, 6),
        // One predictor: its score is both the best and the median.
        mt_ic50.clone(),
        wt_ic50.clone(),
        fold,
        mt_pct.clone(),
        wt_pct.clone(),
        mt_pct.clone(),
        wt_pct.clone(),
        "NA".into(),
        "NA".into(),
        "NA".into(),
        "NA".into(),
        wt_ic50,
        mt_ic50,
        wt_pct,
        mt_pct,
        e.index(),
        "NA".into(),
    ];
    r.extend(manufacturability(&c.epitope.mt));
    r
}

fn table(
    path: std::path::PathBuf,
    header: &[String],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<AtomicFile> {
    let mut file = AtomicFile::create(path)?;
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b'\t')
            .quote_style(csv::QuoteStyle::Never)
            .from_writer(&mut file);
        let err = |e: csv::Error| Error::io("pVACseq table", std::io::Error::other(e));
        w.write_record(header).map_err(err)?;
        for r in rows {
            w.write_record(&r).map_err(err)?;
        }
        w.flush().map_err(|e| Error::io("pVACseq table", e))?;
    }
    Ok(file)
}

/// Writes the four files of each class (`MHC_I`, and `MHC_II` when class II molecules were
/// scored), uncommitted, for the caller's `commit_all`. `result.all` (and the class II rows) must
/// hold every epitope row (`NeoantigenParams::format` asks `compute` to keep them).
///
/// # Errors
/// Write failures.
pub fn write(result: &NeoantigenResult, prefix: &Path) -> Result<Vec<AtomicFile>> {
    let mut files = write_class(&result.class1(), prefix)?;
    if let Some(v) = result.class2() {
        files.extend(write_class(&v, prefix)?);
    }
    Ok(files)
}

/// One class's `PREFIX.MHC_I.*` or `PREFIX.MHC_II.*` files. pVACseq 7 writes class II with the
/// same columns as class I (its example run's `HCC1395_TUMOR_DNA.MHC_II.*`), the binding core
/// not among them.
///
/// # Errors
/// Write failures.
pub fn write_class(view: &ClassView, prefix: &Path) -> Result<Vec<AtomicFile>> {
    let params = view.params;
    let tag = view.class.pvacseq_tag();
    let method = method_name(view.predictor).to_string();
    let header = epitope_header(&method);
    let incomplete = params.entries.allow_incomplete;
    let rec = |c: &Candidate| {
        epitope_record(
            &view.entries[c.entry],
            &view.pvacseq_alleles[c.allele],
            c,
            &method,
            incomplete,
        )
    };
    let all = table(
        prefixed(prefix, &format!("{tag}.all_epitopes.tsv")),
        &header,
        view.all.iter().map(rec),
    )?;
    let filtered = table(
        prefixed(prefix, &format!("{tag}.filtered.tsv")),
        &header,
        view.ranked.iter().map(|(_, c)| rec(c)),
    )?;
    let agg_params = AggregateParams::from_filters(&params.filters);
    let agg = aggregate(view, &agg_params, &method);
    let aggregated = table(
        prefixed(prefix, &format!("{tag}.all_epitopes.aggregated.tsv")),
        &agg.header,
        agg.rows.iter().map(|r| r.record.clone()),
    )?;
    let metrics = crate::io::output::json_file(
        prefixed(
            prefix,
            &format!("{tag}.all_epitopes.aggregated.metrics.json"),
        ),
        &agg.metrics,
    )?;
    Ok(vec![all, filtered, aggregated, metrics])
}

/// `FS`, `INS` or `DEL` stand-in for a missing WT peptide in metrics.json.
fn wt_placeholder(t: VariantType) -> &'static str {
    match t {
        VariantType::Frameshift => "FS-NA",
        VariantType::InframeIns => "INS-NA",
        VariantType::InframeDel => "DEL-NA",
        VariantType::Missense => "NA",
    }
}

#[cfg(test)]
mod tests;
