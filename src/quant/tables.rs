//! Readers for existing quantifications: salmon `quant.sf` / `quant.genes.sf`, RSEM
//! `genes.results`, featureCounts output, kallisto `abundance.tsv`, our own `quant.tsv`, and a
//! plain gene × sample matrix. The format is recognised from the header line.
//!
//! Choices for bad tables (documented in the README): a duplicated gene identifier, a negative
//! value or a value that is not a number is an error naming the line; Ensembl version suffixes
//! (`ENSG….12`) are dropped; transcript-level tables are summed per gene through the GTF.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::io::gtf::{GtfReader, GtfRecord};
use crate::io::{open_decompressed, read_error, read_line_into};
use crate::quant::GeneRow;

/// A recognised quantification layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum TableFormat {
    /// `immunoprofile quant` output (`gene_id gene_name length count tpm`).
    Quant,
    /// salmon `quant.sf` (transcripts; needs the GTF) or `quant.genes.sf` (genes).
    Salmon,
    /// RSEM `genes.results`.
    Rsem,
    /// featureCounts output (counts; TPM computed from its `Length`).
    #[value(name = "featurecounts")]
    FeatureCounts,
    /// kallisto `abundance.tsv` (transcripts; needs the GTF).
    Kallisto,
    /// First column genes (symbols or Ensembl IDs), one column per sample.
    Matrix,
}

impl TableFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            TableFormat::Quant => "quant",
            TableFormat::Salmon => "salmon",
            TableFormat::Rsem => "rsem",
            TableFormat::FeatureCounts => "featurecounts",
            TableFormat::Kallisto => "kallisto",
            TableFormat::Matrix => "matrix",
        }
    }

    /// Recognises a layout from its header columns.
    pub fn detect(columns: &[&str]) -> TableFormat {
        let has = |c: &str| columns.contains(&c);
        if columns.first() == Some(&"gene_id") && has("tpm") && has("count") && has("gene_name") {
            TableFormat::Quant
        } else if has("Name") && has("TPM") && has("NumReads") {
            TableFormat::Salmon
        } else if columns.first() == Some(&"gene_id") && has("expected_count") && has("TPM") {
            TableFormat::Rsem
        } else if columns.first() == Some(&"Geneid") && has("Length") {
            TableFormat::FeatureCounts
        } else if has("target_id") && has("est_counts") && has("tpm") {
            TableFormat::Kallisto
        } else {
            TableFormat::Matrix
        }
    }
}

/// The scale of expression values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// Raw read counts.
    Counts,
    /// Transcripts per million.
    Tpm,
    /// log2(TPM + 1).
    #[value(name = "log2tpm1")]
    #[serde(rename = "log2tpm1")]
    Log2Tpm1,
}

/// Genes × samples, values on `scale`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpressionMatrix {
    /// Identifier as given (Ensembl version dropped).
    pub genes: Vec<String>,
    /// Symbol when the table has one beside an Ensembl ID.
    pub symbols: Vec<Option<String>>,
    pub samples: Vec<String>,
    /// `values[gene][sample]`.
    pub values: Vec<Vec<f64>>,
    pub scale: Scale,
    pub format: TableFormat,
}

/// `ENSG00000141510.16` → `ENSG00000141510`; other names unchanged.
pub fn strip_version(id: &str) -> &str {
    if id.starts_with("ENS") {
        if let Some((base, v)) = id.rsplit_once('.') {
            if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
                return base;
            }
        }
    }
    id
}

/// Ensembl (`ENST…`, `ENSMUST…`) or RefSeq (`NM_`, `NR_`, `XM_`, `XR_`) transcript names, as
/// salmon and kallisto report them (GENCODE's `|`-joined names included).
fn is_transcript_id(name: &str) -> bool {
    let name = name.split('|').next().unwrap_or(name);
    if let Some(rest) = name.strip_prefix("ENS") {
        let species: String = rest
            .chars()
            .take_while(|c| c.is_ascii_uppercase())
            .collect();
        return species.ends_with('T');
    }
    ["NM_", "NR_", "XM_", "XR_"]
        .iter()
        .any(|p| name.starts_with(p))
}

struct Table {
    header: Vec<String>,
    /// `(line number, fields)`.
    rows: Vec<(usize, Vec<String>)>,
}

fn read_table(path: &Path) -> Result<Table> {
    let (mut reader, _) = open_decompressed(path, 1)?;
    let mut line = Vec::new();
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut no = 0;
    while read_line_into(&mut reader, &mut line).map_err(|e| read_error(path, e))? {
        no += 1;
        if line.is_empty() || (header.is_none() && line[0] == b'#') {
            continue;
        }
        let text =
            std::str::from_utf8(&line).map_err(|_| Error::at_line(path, no, "not UTF-8 text"))?;
        let fields: Vec<String> = text.split('\t').map(|f| f.trim().to_string()).collect();
        match &header {
            None => header = Some(fields),
            Some(h) => {
                if fields.len() != h.len() {
                    return Err(Error::at_line(
                        path,
                        no,
                        format!(
                            "{} columns where the header has {}: the table must be tab-separated",
                            fields.len(),
                            h.len()
                        ),
                    ));
                }
                rows.push((no, fields));
            }
        }
    }
    let header = header.ok_or_else(|| Error::invalid(path, None, "empty table"))?;
    Ok(Table { header, rows })
}

fn column(table: &Table, path: &Path, name: &str) -> Result<usize> {
    table
        .header
        .iter()
        .position(|c| c == name)
        .ok_or_else(|| Error::invalid(path, Some("header".into()), format!("no column '{name}'")))
}

fn number(path: &Path, line: usize, column: &str, text: &str) -> Result<f64> {
    let v: f64 = text.parse().map_err(|_| {
        Error::at_line(
            path,
            line,
            format!("column {column}: '{text}' is not a number"),
        )
    })?;
    if !v.is_finite() || v < 0.0 {
        return Err(Error::at_line(
            path,
            line,
            format!("column {column}: {text} is negative or not finite; expression must be >= 0"),
        ));
    }
    Ok(v)
}

/// transcript_id (and gene_id) → (gene_id, gene_name), versions dropped.
fn transcript_map(gtf: &Path) -> Result<HashMap<String, (String, Option<String>)>> {
    let mut reader = GtfReader::from_path(gtf)?;
    let mut record = GtfRecord::default();
    let mut map = HashMap::new();
    while reader.read_record(&mut record)? {
        if let (Some(t), Some(g)) = (record.attr("transcript_id"), record.attr("gene_id")) {
            map.entry(strip_version(t).to_string()).or_insert_with(|| {
                (
                    strip_version(g).to_string(),
                    record.attr("gene_name").map(str::to_string),
                )
            });
        }
    }
    Ok(map)
}

/// Gene-level rows, in first-appearance order; duplicate genes are an error.
struct Builder<'a> {
    path: &'a Path,
    rows: Vec<GeneRow>,
    index: HashMap<String, usize>,
    summing: bool,
}

impl Builder<'_> {
    fn push(
        &mut self,
        line: usize,
        id: &str,
        name: Option<String>,
        length: Option<f64>,
        count: Option<f64>,
        tpm: Option<f64>,
    ) -> Result<()> {
        let id = strip_version(id).to_string();
        if let Some(&i) = self.index.get(&id) {
            if !self.summing {
                return Err(Error::at_line(
                    self.path,
                    line,
                    format!("gene {id} appears twice: merge or remove duplicate rows"),
                ));
            }
            let r = &mut self.rows[i];
            let add = |a: Option<f64>, b: Option<f64>| Some(a.unwrap_or(0.0) + b.unwrap_or(0.0));
            r.count = add(r.count, count);
            r.tpm = add(r.tpm, tpm);
            return Ok(());
        }
        self.index.insert(id.clone(), self.rows.len());
        self.rows.push(GeneRow {
            gene_id: id,
            gene_name: name,
            length,
            count,
            tpm,
        });
        Ok(())
    }
}

/// Reads one sample's gene table (`sample` picks a column of featureCounts output or a matrix).
///
/// # Errors
/// Unreadable file, unknown columns, duplicate genes, values that are not non-negative numbers,
/// a transcript table without `gtf`, a matrix sample that is not there.
pub fn read_gene_table(
    path: &Path,
    format: Option<TableFormat>,
    gtf: Option<&Path>,
    sample: Option<&str>,
) -> Result<(Vec<GeneRow>, TableFormat)> {
    let table = read_table(path)?;
    let cols: Vec<&str> = table.header.iter().map(String::as_str).collect();
    let fmt = format.unwrap_or_else(|| TableFormat::detect(&cols));
    let mut b = Builder {
        path,
        rows: Vec::new(),
        index: HashMap::new(),
        summing: false,
    };
    match fmt {
        TableFormat::Quant => {
            let (n, l, c, t) = (
                column(&table, path, "gene_name")?,
                column(&table, path, "length")?,
                column(&table, path, "count")?,
                column(&table, path, "tpm")?,
            );
            for (no, f) in &table.rows {
                let opt = |i: usize, name| -> Result<Option<f64>> {
                    if f[i] == "NA" {
                        Ok(None)
                    } else {
                        number(path, *no, name, &f[i]).map(Some)
                    }
                };
                let name = (f[n] != "NA").then(|| f[n].clone());
                b.push(
                    *no,
                    &f[0],
                    name,
                    opt(l, "length")?,
                    opt(c, "count")?,
                    opt(t, "tpm")?,
                )?;
            }
        }
        TableFormat::Salmon | TableFormat::Kallisto => {
            let (id, len, cnt, tpm) = if fmt == TableFormat::Salmon {
                ("Name", "Length", "NumReads", "TPM")
            } else {
                ("target_id", "length", "est_counts", "tpm")
            };
            let (i, l, c, t) = (
                column(&table, path, id)?,
                column(&table, path, len)?,
                column(&table, path, cnt)?,
                column(&table, path, tpm)?,
            );
            let genes_level = !table
                .rows
                .first()
                .is_some_and(|(_, f)| is_transcript_id(&f[i]));
            let map = if genes_level {
                None
            } else {
                let gtf = gtf.ok_or_else(|| {
                    Error::usage(format!(
                        "{} is transcript-level ({}): give --gtf to sum transcripts per gene",
                        path.display(),
                        fmt.as_str()
                    ))
                })?;
                Some(transcript_map(gtf)?)
            };
            b.summing = map.is_some();
            for (no, f) in &table.rows {
                let (length, count, tpm) = (
                    number(path, *no, len, &f[l])?,
                    number(path, *no, cnt, &f[c])?,
                    number(path, *no, tpm, &f[t])?,
                );
                match &map {
                    None => b.push(*no, &f[i], None, Some(length), Some(count), Some(tpm))?,
                    Some(m) => {
                        // salmon/kallisto names may carry GENCODE's `|`-joined fields.
                        let tx = f[i].split('|').next().unwrap_or(&f[i]);
                        let (gene, name) = m.get(strip_version(tx)).ok_or_else(|| {
                            Error::at_line(path, *no, format!("transcript {tx} is not in the GTF: use the annotation the index was built from"))
                        })?;
                        b.push(*no, gene, name.clone(), None, Some(count), Some(tpm))?;
                    }
                }
            }
        }
        TableFormat::Rsem => {
            let (l, c, t) = (
                column(&table, path, "length")?,
                column(&table, path, "expected_count")?,
                column(&table, path, "TPM")?,
            );
            for (no, f) in &table.rows {
                b.push(
                    *no,
                    &f[0],
                    None,
                    Some(number(path, *no, "length", &f[l])?),
                    Some(number(path, *no, "expected_count", &f[c])?),
                    Some(number(path, *no, "TPM", &f[t])?),
                )?;
            }
        }
        TableFormat::FeatureCounts => {
            let l = column(&table, path, "Length")?;
            let c = match sample {
                Some(s) => column(&table, path, s)?,
                None if table.header.len() == l + 2 => l + 1,
                None => {
                    return Err(Error::usage(format!(
                        "{} has several samples ({}): choose one with --sample",
                        path.display(),
                        table.header[l + 1..].join(", ")
                    )))
                }
            };
            let mut lengths = Vec::new();
            let mut counts = Vec::new();
            for (no, f) in &table.rows {
                let length = number(path, *no, "Length", &f[l])?;
                let count = number(path, *no, &table.header[c], &f[c])?;
                lengths.push(length);
                counts.push(count);
                b.push(*no, &f[0], None, Some(length), Some(count), None)?;
            }
            for (r, t) in b.rows.iter_mut().zip(crate::quant::tpm(&counts, &lengths)) {
                r.tpm = Some(t);
            }
        }
        TableFormat::Matrix => {
            let m = matrix_from_table(&table, path, fmt)?;
            let j = match sample {
                Some(s) => m.samples.iter().position(|x| x == s).ok_or_else(|| {
                    Error::usage(format!(
                        "sample {s} is not in {} (samples: {})",
                        path.display(),
                        m.samples.join(", ")
                    ))
                })?,
                None if m.samples.len() == 1 => 0,
                None => {
                    return Err(Error::usage(format!(
                        "{} has several samples ({}): choose one with --sample",
                        path.display(),
                        m.samples.join(", ")
                    )))
                }
            };
            for (g, row) in m.genes.iter().zip(&m.values) {
                let v = row[j];
                let (count, tpm) = match m.scale {
                    Scale::Counts => (Some(v), None),
                    Scale::Tpm => (None, Some(v)),
                    Scale::Log2Tpm1 => (None, Some(v.exp2() - 1.0)),
                };
                b.rows.push(GeneRow {
                    gene_id: g.clone(),
                    gene_name: None,
                    length: None,
                    count,
                    tpm,
                });
            }
        }
    }
    Ok((b.rows, fmt))
}

/// Guesses the scale of a matrix: whole numbers beyond 1000 are counts, a maximum below 25 is
/// log2(TPM+1), anything else TPM.
pub fn detect_scale(values: &[Vec<f64>]) -> Scale {
    let mut max = 0.0f64;
    let mut integral = true;
    for v in values.iter().flatten() {
        max = max.max(*v);
        integral &= v.fract() == 0.0;
    }
    if integral && max > 1000.0 {
        Scale::Counts
    } else if max < 25.0 {
        Scale::Log2Tpm1
    } else {
        Scale::Tpm
    }
}

fn matrix_from_table(table: &Table, path: &Path, fmt: TableFormat) -> Result<ExpressionMatrix> {
    if table.header.len() < 2 {
        return Err(Error::invalid(
            path,
            Some("header".into()),
            "a gene × sample matrix needs a gene column and at least one sample column",
        ));
    }
    let samples: Vec<String> = table.header[1..].to_vec();
    let mut genes = Vec::with_capacity(table.rows.len());
    let mut values = Vec::with_capacity(table.rows.len());
    let mut seen = HashSet::new();
    for (no, f) in &table.rows {
        let id = strip_version(&f[0]).to_string();
        if !seen.insert(id.clone()) {
            return Err(Error::at_line(
                path,
                *no,
                format!("gene {id} appears twice: merge or remove duplicate rows"),
            ));
        }
        let row = f[1..]
            .iter()
            .zip(&samples)
            .map(|(v, s)| number(path, *no, s, v))
            .collect::<Result<Vec<f64>>>()?;
        genes.push(id);
        values.push(row);
    }
    let scale = detect_scale(&values);
    Ok(ExpressionMatrix {
        symbols: vec![None; genes.len()],
        genes,
        samples,
        values,
        scale,
        format: fmt,
    })
}

/// Reads any supported table as a genes × samples matrix: single-sample tables become one column
/// of TPM named `sample_name` (a matrix keeps its values and detected scale).
///
/// # Errors
/// As [`read_gene_table`].
pub fn read_matrix(
    path: &Path,
    format: Option<TableFormat>,
    gtf: Option<&Path>,
    sample_name: &str,
) -> Result<ExpressionMatrix> {
    let table = read_table(path)?;
    let cols: Vec<&str> = table.header.iter().map(String::as_str).collect();
    let fmt = format.unwrap_or_else(|| TableFormat::detect(&cols));
    if fmt == TableFormat::Matrix {
        return matrix_from_table(&table, path, fmt);
    }
    if fmt == TableFormat::FeatureCounts && table.header.len() > column(&table, path, "Length")? + 2
    {
        // Several samples: each column to TPM.
        let l = column(&table, path, "Length")?;
        let samples: Vec<String> = table.header[l + 1..].to_vec();
        let mut values = vec![vec![0.0; samples.len()]; table.rows.len()];
        for j in 0..samples.len() {
            let (rows, _) = read_gene_table(path, Some(fmt), gtf, Some(&samples[j]))?;
            for (i, r) in rows.iter().enumerate() {
                values[i][j] = r.tpm.unwrap_or(0.0);
            }
        }
        let genes: Vec<String> = table
            .rows
            .iter()
            .map(|(_, f)| strip_version(&f[0]).to_string())
            .collect();
        return Ok(ExpressionMatrix {
            symbols: vec![None; genes.len()],
            genes,
            samples,
            values,
            scale: Scale::Tpm,
            format: fmt,
        });
    }
    let (rows, fmt) = read_gene_table(path, Some(fmt), gtf, None)?;
    let scale = if rows.iter().all(|r| r.tpm.is_some()) {
        Scale::Tpm
    } else {
        Scale::Counts
    };
    Ok(ExpressionMatrix {
        genes: rows.iter().map(|r| r.gene_id.clone()).collect(),
        symbols: rows.iter().map(|r| r.gene_name.clone()).collect(),
        samples: vec![sample_name.to_string()],
        values: rows
            .iter()
            .map(|r| {
                vec![if scale == Scale::Tpm {
                    r.tpm.unwrap_or(0.0)
                } else {
                    r.count.unwrap_or(0.0)
                }]
            })
            .collect(),
        scale,
        format: fmt,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::File::create(&p)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        p
    }

    #[test]
    fn detects_formats_by_header() {
        assert_eq!(
            TableFormat::detect(&["Name", "Length", "EffectiveLength", "TPM", "NumReads"]),
            TableFormat::Salmon
        );
        assert_eq!(
            TableFormat::detect(&[
                "gene_id",
                "transcript_id(s)",
                "length",
                "effective_length",
                "expected_count",
                "TPM",
                "FPKM"
            ]),
            TableFormat::Rsem
        );
        assert_eq!(
            TableFormat::detect(&["target_id", "length", "eff_length", "est_counts", "tpm"]),
            TableFormat::Kallisto
        );
        assert_eq!(
            TableFormat::detect(&["Geneid", "Chr", "Start", "End", "Strand", "Length", "x.bam"]),
            TableFormat::FeatureCounts
        );
        assert_eq!(
            TableFormat::detect(&["GENE", "S1", "S2"]),
            TableFormat::Matrix
        );
        assert_eq!(strip_version("ENSG00000141510.16"), "ENSG00000141510");
        assert_eq!(strip_version("HLA-A.1x"), "HLA-A.1x");
        assert!(is_transcript_id(
            "ENST00000269305.9|ENSG00000141510.18|TP53-201|"
        ));
        assert!(is_transcript_id("ENSMUST00000000001") && is_transcript_id("NM_000546.6"));
        assert!(!is_transcript_id("ENSG00000141510") && !is_transcript_id("TP53"));
    }

    #[test]
    fn salmon_transcripts_sum_per_gene_via_gtf() {
        let dir = tempfile::tempdir().unwrap();
        let gtf = write(
            dir.path(),
            "a.gtf",
            "1\tx\texon\t1\t10\t.\t+\t.\tgene_id \"ENSG1.2\"; transcript_id \"ENST1.1\"; gene_name \"A\";\n\
             1\tx\texon\t1\t10\t.\t+\t.\tgene_id \"ENSG1.2\"; transcript_id \"ENST2.1\"; gene_name \"A\";\n",
        );
        let sf = write(
            dir.path(),
            "quant.sf",
            "Name\tLength\tEffectiveLength\tTPM\tNumReads\nENST1.1\t10\t5\t100\t3\nENST2.1\t10\t5\t50.5\t2\n",
        );
        let (rows, fmt) = read_gene_table(&sf, None, Some(&gtf), None).unwrap();
        assert_eq!(fmt, TableFormat::Salmon);
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].gene_id.as_str(), rows[0].count, rows[0].tpm),
            ("ENSG1", Some(5.0), Some(150.5))
        );
        assert_eq!(rows[0].gene_name.as_deref(), Some("A"));
    }

    #[test]
    fn bad_tables_fail_with_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let dup = write(dir.path(), "d.tsv", "gene\tS1\nCD8A\t1\nCD8A\t2\n");
        let e = read_matrix(&dup, None, None, "x").unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("twice"), "{e}");
        let neg = write(dir.path(), "n.tsv", "gene\tS1\nCD8A\t-1\n");
        assert!(read_matrix(&neg, None, None, "x")
            .unwrap_err()
            .to_string()
            .contains("negative"));
        let na = write(dir.path(), "a.tsv", "gene\tS1\nCD8A\tNA\n");
        assert!(read_matrix(&na, None, None, "x")
            .unwrap_err()
            .to_string()
            .contains("not a number"));
    }

    #[test]
    fn featurecounts_counts_become_tpm() {
        let dir = tempfile::tempdir().unwrap();
        let fc = write(
            dir.path(),
            "fc.txt",
            "# Program:featureCounts v2.0.3\nGeneid\tChr\tStart\tEnd\tStrand\tLength\ts.bam\nG1\t1\t1\t100\t+\t100\t10\nG2\t1\t1\t300\t+\t300\t30\n",
        );
        let (rows, fmt) = read_gene_table(&fc, None, None, None).unwrap();
        assert_eq!(fmt, TableFormat::FeatureCounts);
        assert_eq!(rows[0].tpm, Some(500_000.0));
        assert_eq!(rows[1].count, Some(30.0));
    }
}
