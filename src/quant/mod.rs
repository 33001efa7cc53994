//! Gene expression: reads counted per gene from an RNA BAM/CRAM with featureCounts' default
//! rules (see [`count`]), or taken from a peer's quantification table (see [`tables`]), with
//! TPM from counts and union-of-exons length.

pub mod assign;
pub mod count;
pub mod featurecounts;
pub mod genes;
pub mod tables;

pub use assign::{Strandedness, Unassigned};
pub use count::CountOptions;
pub use genes::{Gene, GeneModel};
pub use tables::{ExpressionMatrix, Scale, TableFormat};

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::io::output::{commit_all, fmt_num, json_file, prefixed, AtomicFile};

/// Version of the `quant.json` layout.
pub const SCHEMA_VERSION: u32 = 1;

/// Header of `PREFIX.quant.tsv`.
pub const TSV_HEADER: &str = "gene_id\tgene_name\tlength\tcount\ttpm\n";

/// featureCounts' gene table, written beside `quant.tsv` when counting a BAM.
pub const FEATURECOUNTS_TABLE: &str = "featureCounts.txt";
/// featureCounts' status summary.
pub const FEATURECOUNTS_SUMMARY: &str = "featureCounts.txt.summary";

/// Where the expression comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuantInput {
    /// Count an indexed RNA BAM/CRAM over the GTF's exons.
    Bam {
        bam: PathBuf,
        gtf: PathBuf,
        options: CountOptions,
    },
    /// Read a quantification table (`format` detected when `None`); `gtf` maps transcripts to
    /// genes for transcript-level tables.
    Table {
        path: PathBuf,
        format: Option<TableFormat>,
        gtf: Option<PathBuf>,
        sample: Option<String>,
    },
}

/// Everything `quant` needs, validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantParams {
    pub input: QuantInput,
}

/// One row of `PREFIX.quant.tsv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GeneRow {
    pub gene_id: String,
    pub gene_name: Option<String>,
    /// Union-of-exons length (bp), or the table's length.
    pub length: Option<f64>,
    pub count: Option<f64>,
    pub tpm: Option<f64>,
}

/// `PREFIX.quant.json`.
#[derive(Debug, Clone, Serialize)]
pub struct QuantSummary {
    pub schema_version: u32,
    pub version: &'static str,
    pub source: String,
    /// Fragments (pairs) were counted rather than reads.
    pub paired: Option<bool>,
    pub genes: usize,
    pub genes_detected: usize,
    /// Reads or fragments counted for a gene.
    pub assigned: Option<u64>,
    /// featureCounts' summary rows: `Unassigned_NoFeatures`, `Unassigned_Ambiguity`, ...
    pub unassigned: BTreeMap<String, u64>,
    /// Genes declared in the GTF without any exon line: not counted.
    pub genes_without_exons: Vec<String>,
    pub params: QuantParams,
}

/// The result of [`compute`].
#[derive(Debug, Clone)]
pub struct QuantResult {
    pub rows: Vec<GeneRow>,
    pub summary: QuantSummary,
    /// featureCounts' table and summary (BAM input only).
    pub feature_counts: Option<featurecounts::FeatureCountsTables>,
}

/// TPM from counts and lengths: `count/length` normalised to sum to 10^6 (genes of length 0
/// get 0).
pub fn tpm(counts: &[f64], lengths: &[f64]) -> Vec<f64> {
    let rates: Vec<f64> = counts
        .iter()
        .zip(lengths)
        .map(|(&c, &l)| if l > 0.0 { c / l } else { 0.0 })
        .collect();
    let total: f64 = rates.iter().sum();
    if total > 0.0 {
        rates.iter().map(|r| r / total * 1e6).collect()
    } else {
        vec![0.0; rates.len()]
    }
}

/// Computes the gene table without writing files.
///
/// # Errors
/// Unreadable or malformed BAM/CRAM, GTF or table.
pub fn compute(params: &QuantParams) -> Result<QuantResult> {
    match &params.input {
        QuantInput::Bam { bam, gtf, options } => {
            let model = GeneModel::from_gtf(gtf)?;
            if !model.genes_without_exons.is_empty() {
                log::warn!(
                    "{}: {} genes have no exon line and are not counted (first: {})",
                    gtf.display(),
                    model.genes_without_exons.len(),
                    model.genes_without_exons[0]
                );
            }
            let counts = count::count(bam, &model, options)?;
            let lengths: Vec<f64> = model.genes.iter().map(|g| g.length() as f64).collect();
            let as_f64: Vec<f64> = counts.genes.iter().map(|&c| c as f64).collect();
            let tpms = tpm(&as_f64, &lengths);
            let rows: Vec<GeneRow> = model
                .genes
                .iter()
                .zip(&counts.genes)
                .zip(tpms)
                .map(|((g, &c), t)| GeneRow {
                    gene_id: g.id.clone(),
                    gene_name: g.name.clone(),
                    length: Some(g.length() as f64),
                    count: Some(c as f64),
                    tpm: Some(t),
                })
                .collect();
            let unassigned = Unassigned::ALL
                .iter()
                .map(|u| (u.label().to_string(), counts.unassigned[u.index()]))
                .collect();
            let feature_counts = featurecounts::tables(
                &model,
                &counts.genes,
                counts.assigned,
                &counts.unassigned,
                &bam.display().to_string(),
            );
            Ok(QuantResult {
                feature_counts: Some(feature_counts),
                summary: QuantSummary {
                    schema_version: SCHEMA_VERSION,
                    version: crate::VERSION,
                    source: "bam".into(),
                    paired: Some(counts.paired),
                    genes: rows.len(),
                    genes_detected: counts.genes.iter().filter(|&&c| c > 0).count(),
                    assigned: Some(counts.assigned),
                    unassigned,
                    genes_without_exons: model.genes_without_exons.clone(),
                    params: params.clone(),
                },
                rows,
            })
        }
        QuantInput::Table {
            path,
            format,
            gtf,
            sample,
        } => {
            let (rows, fmt) =
                tables::read_gene_table(path, *format, gtf.as_deref(), sample.as_deref())?;
            Ok(QuantResult {
                feature_counts: None,
                summary: QuantSummary {
                    schema_version: SCHEMA_VERSION,
                    version: crate::VERSION,
                    source: fmt.as_str().into(),
                    paired: None,
                    genes: rows.len(),
                    genes_detected: rows
                        .iter()
                        .filter(|r| r.count.or(r.tpm).is_some_and(|v| v > 0.0))
                        .count(),
                    assigned: None,
                    unassigned: BTreeMap::new(),
                    genes_without_exons: Vec::new(),
                    params: params.clone(),
                },
                rows,
            })
        }
    }
}

/// One line of `PREFIX.quant.tsv` as written: `NA` for missing values, lengths and counts with
/// up to 3 decimals, TPM with up to 6 (trailing zeros dropped).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct QuantTsvRow {
    pub gene_id: String,
    pub gene_name: String,
    pub length: String,
    pub count: String,
    pub tpm: String,
}

impl From<&GeneRow> for QuantTsvRow {
    fn from(r: &GeneRow) -> Self {
        let na = |v: Option<f64>, d| v.map_or_else(|| "NA".to_string(), |x| fmt_num(x, d));
        QuantTsvRow {
            gene_id: r.gene_id.clone(),
            gene_name: r.gene_name.clone().unwrap_or_else(|| "NA".into()),
            length: na(r.length, 3),
            count: na(r.count, 3),
            tpm: na(r.tpm, 6),
        }
    }
}

/// Writes the rows as `PREFIX.quant.tsv` text (header [`TSV_HEADER`]).
///
/// # Errors
/// Write failures.
pub fn write_tsv(rows: &[GeneRow], out: &mut dyn Write, path: &Path) -> Result<()> {
    let err = |e: csv::Error| Error::io(path, std::io::Error::other(e));
    let mut w = crate::io::table::writer(out);
    if rows.is_empty() {
        // serde writes the header with the first row; an empty table still has one.
        w.write_record(TSV_HEADER.trim_end().split('\t'))
            .map_err(err)?;
    }
    for r in rows {
        w.serialize(QuantTsvRow::from(r)).map_err(err)?;
    }
    w.flush().map_err(|e| Error::io(path, e))
}

/// Runs the stage: `PREFIX.quant.tsv` and `PREFIX.quant.json`, plus featureCounts'
/// `PREFIX.featureCounts.txt` and `.summary` when counting a BAM; all appear only when complete.
///
/// # Errors
/// As [`compute`], plus write failures.
pub fn run(params: &QuantParams, prefix: &Path) -> Result<QuantSummary> {
    let result = compute(params)?;
    let tsv_path = prefixed(prefix, "quant.tsv");
    let mut tsv = AtomicFile::create(&tsv_path)?;
    write_tsv(&result.rows, &mut tsv, &tsv_path)?;
    let json = json_file(prefixed(prefix, "quant.json"), &result.summary)?;
    let mut files = vec![tsv, json];
    if let (Some(fc), QuantInput::Bam { bam, gtf, options }) =
        (&result.feature_counts, &params.input)
    {
        let path = prefixed(prefix, FEATURECOUNTS_TABLE);
        let mut table = AtomicFile::create(&path)?;
        let program = featurecounts::program_line(bam, gtf, options, prefix);
        featurecounts::write_table(fc, &program, &mut table, &path)?;
        let path = prefixed(prefix, FEATURECOUNTS_SUMMARY);
        let mut summary = AtomicFile::create(&path)?;
        featurecounts::write_summary(fc, &mut summary, &path)?;
        files.push(table);
        files.push(summary);
    }
    commit_all(files)?;
    Ok(result.summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tpm_normalises_rates() {
        // Rates 10/1000 = 0.01 and 30/3000 = 0.01: equal TPM, 5e5 each; zero length -> 0.
        let t = tpm(&[10.0, 30.0, 5.0], &[1000.0, 3000.0, 0.0]);
        assert_eq!(t, vec![500_000.0, 500_000.0, 0.0]);
        assert_eq!(tpm(&[0.0], &[10.0]), vec![0.0]);
    }
}
