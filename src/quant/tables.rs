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
    /// The header as read, for deserialising rows into the formats' row structs.
    header_record: csv::StringRecord,
    /// `(line number, fields)`, fields trimmed.
    rows: Vec<(usize, csv::StringRecord)>,
}

/// Reads a tab-separated table through [`crate::io::table::reader`]: `#` lines before the
/// header (featureCounts' program line) and blank lines are skipped, fields are trimmed, and
/// every row must have the header's field count.
fn read_table(path: &Path) -> Result<Table> {
    let (mut reader, _) = open_decompressed(path, 1)?;
    // Leading comment and blank lines: read here so that the csv reader starts at the header.
    let mut skipped = 0;
    loop {
        let buf = reader.fill_buf().map_err(|e| read_error(path, e))?;
        if buf.is_empty() || !(buf[0] == b'#' || buf[0] == b'\n' || buf[0] == b'\r') {
            break;
        }
        let mut line = Vec::new();
        read_line_into(&mut reader, &mut line).map_err(|e| read_error(path, e))?;
        skipped += 1;
    }
    let mut csv = crate::io::table::reader(reader);
    let line_of = |pos: Option<&csv::Position>| pos.map_or(0, |p| p.line() as usize) + skipped;
    let bad = |e: csv::Error| -> Error {
        let line = line_of(e.position());
        match e.into_kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => Error::at_line(
                path,
                line,
                format!(
                    "{len} columns where the header has {expected_len}: the table must be tab-separated"
                ),
            ),
            csv::ErrorKind::Utf8 { .. } => Error::at_line(path, line, "not UTF-8 text"),
            csv::ErrorKind::Io(e) => read_error(path, e),
            other => Error::at_line(path, line, format!("{other:?}")),
        }
    };
    let mut header_record = match csv.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(bad(e)),
    };
    header_record.trim();
    if header_record.is_empty() {
        return Err(Error::invalid(path, None, "empty table"));
    }
    let header: Vec<String> = header_record.iter().map(str::to_string).collect();
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let no = line_of(record.position());
                record.trim();
                rows.push((no, record.clone()));
            }
            Err(e) => return Err(bad(e)),
        }
    }
    Ok(Table {
        header,
        header_record,
        rows,
    })
}

/// A row of one of the fixed layouts, by column name (`what` names the layout in errors).
fn row<'de, T: serde::Deserialize<'de>>(
    table: &'de Table,
    path: &Path,
    line: usize,
    record: &'de csv::StringRecord,
    what: &str,
) -> Result<T> {
    record
        .deserialize(Some(&table.header_record))
        .map_err(|e| match e.kind() {
            csv::ErrorKind::Deserialize { err, .. } => Error::invalid(
                path,
                Some("header".into()),
                format!("not a {what} table: {err}"),
            ),
            _ => Error::at_line(path, line, e.to_string()),
        })
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

/// `PREFIX.quant.tsv` (ours; [`crate::quant::QuantTsvRow`] writes it).
#[derive(Debug, serde::Deserialize)]
struct QuantRow<'a> {
    gene_id: &'a str,
    gene_name: &'a str,
    length: &'a str,
    count: &'a str,
    tpm: &'a str,
}

/// salmon `quant.sf` / `quant.genes.sf`.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SalmonRow<'a> {
    name: &'a str,
    length: &'a str,
    #[serde(rename = "TPM")]
    tpm: &'a str,
    num_reads: &'a str,
}

/// kallisto `abundance.tsv`.
#[derive(Debug, serde::Deserialize)]
struct KallistoRow<'a> {
    target_id: &'a str,
    length: &'a str,
    est_counts: &'a str,
    tpm: &'a str,
}

/// RSEM `genes.results`.
#[derive(Debug, serde::Deserialize)]
struct RsemRow<'a> {
    gene_id: &'a str,
    length: &'a str,
    expected_count: &'a str,
    #[serde(rename = "TPM")]
    tpm: &'a str,
}

/// A BAM/CRAM/SAM path's file name without the alignment extension (`/x/S1.bam` → `S1`).
fn bam_stem(column: &str) -> &str {
    let base = column.rsplit(['/', '\\']).next().unwrap_or(column);
    [".bam", ".cram", ".sam"]
        .iter()
        .find_map(|e| base.strip_suffix(e))
        .unwrap_or(base)
}

/// The featureCounts count column `sample` names, among `columns` (BAM paths as featureCounts
/// was given them): the column spelled exactly so, else the one whose file name is `sample`,
/// else whose file name without `.bam`/`.cram`/`.sam` is, else whose file name up to its first
/// dot is (`S1.sorted.bam` for `S1`). Index into `columns`.
///
/// # Errors
/// No column matches, or several match at the first rule that matches any.
pub fn featurecounts_column(columns: &[String], sample: &str, path: &Path) -> Result<usize> {
    type Rule = fn(&str) -> &str;
    let rules: [Rule; 4] = [
        |c| c,
        |c| c.rsplit(['/', '\\']).next().unwrap_or(c),
        bam_stem,
        |c| {
            let stem = bam_stem(c);
            stem.split('.').next().unwrap_or(stem)
        },
    ];
    for rule in rules {
        let hits: Vec<usize> = (0..columns.len())
            .filter(|&i| rule(&columns[i]) == sample)
            .collect();
        match hits.as_slice() {
            [] => continue,
            [one] => return Ok(*one),
            many => {
                return Err(Error::usage(format!(
                    "sample {sample} matches several count columns of {} ({}): give the column's full header with --sample",
                    path.display(),
                    many.iter()
                        .map(|&i| columns[i].as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        }
    }
    Err(Error::usage(format!(
        "sample {sample} is not a count column of {} (columns: {}); give a column header, its file name, or the file name without .bam",
        path.display(),
        columns.join(", ")
    )))
}

/// gene_id → gene_name of every GTF record that has both (Ensembl versions dropped), for
/// tables that name genes by ID only.
///
/// # Errors
/// Unreadable or malformed GTF.
pub fn gene_symbols(gtf: &Path) -> Result<HashMap<String, String>> {
    let mut reader = GtfReader::from_path(gtf)?;
    let mut record = GtfRecord::default();
    let mut map = HashMap::new();
    while reader.read_record(&mut record)? {
        if let (Some(id), Some(name)) = (record.attr("gene_id"), record.attr("gene_name")) {
            if !map.contains_key(strip_version(id)) {
                map.insert(strip_version(id).to_string(), name.to_string());
            }
        }
    }
    Ok(map)
}

/// Reads one sample's gene table (`sample` picks a column of featureCounts output, see
/// [`featurecounts_column`], or of a matrix). With `gtf`, transcript-level tables are summed per
/// gene, and genes without a name get the GTF's `gene_name`.
///
/// # Errors
/// Unreadable file, unknown columns, duplicate genes, values that are not non-negative numbers,
/// a transcript table without `gtf`, a sample that is not there.
pub fn read_gene_table(
    path: &Path,
    format: Option<TableFormat>,
    gtf: Option<&Path>,
    sample: Option<&str>,
) -> Result<(Vec<GeneRow>, TableFormat)> {
    let table = read_table(path)?;
    let (mut rows, fmt) = gene_rows(&table, path, format, gtf, sample)?;
    if let Some(gtf) = gtf {
        let names = gene_symbols(gtf)?;
        for r in rows.iter_mut().filter(|r| r.gene_name.is_none()) {
            r.gene_name = names.get(strip_version(&r.gene_id)).cloned();
        }
    }
    Ok((rows, fmt))
}

fn gene_rows(
    table: &Table,
    path: &Path,
    format: Option<TableFormat>,
    gtf: Option<&Path>,
    sample: Option<&str>,
) -> Result<(Vec<GeneRow>, TableFormat)> {
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
            for (no, f) in &table.rows {
                let r: QuantRow = row(table, path, *no, f, "quant.tsv")?;
                let opt = |v: &str, name| -> Result<Option<f64>> {
                    if v == "NA" {
                        Ok(None)
                    } else {
                        number(path, *no, name, v).map(Some)
                    }
                };
                let name = (r.gene_name != "NA").then(|| r.gene_name.to_string());
                b.push(
                    *no,
                    r.gene_id,
                    name,
                    opt(r.length, "length")?,
                    opt(r.count, "count")?,
                    opt(r.tpm, "tpm")?,
                )?;
            }
        }
        TableFormat::Salmon | TableFormat::Kallisto => {
            let (len, cnt, tpm) = if fmt == TableFormat::Salmon {
                ("Length", "NumReads", "TPM")
            } else {
                ("length", "est_counts", "tpm")
            };
            // (name, length, count, tpm) of each row, by the layout's column names.
            let mut parsed: Vec<(usize, [&str; 4])> = Vec::with_capacity(table.rows.len());
            for (no, f) in &table.rows {
                let v = if fmt == TableFormat::Salmon {
                    let r: SalmonRow = row(table, path, *no, f, "salmon")?;
                    [r.name, r.length, r.num_reads, r.tpm]
                } else {
                    let r: KallistoRow = row(table, path, *no, f, "kallisto")?;
                    [r.target_id, r.length, r.est_counts, r.tpm]
                };
                parsed.push((*no, v));
            }
            let genes_level = !parsed.first().is_some_and(|(_, v)| is_transcript_id(v[0]));
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
            for (no, [name, l, c, t]) in parsed {
                let (length, count, tpm) = (
                    number(path, no, len, l)?,
                    number(path, no, cnt, c)?,
                    number(path, no, tpm, t)?,
                );
                match &map {
                    None => b.push(no, name, None, Some(length), Some(count), Some(tpm))?,
                    Some(m) => {
                        // salmon/kallisto names may carry GENCODE's `|`-joined fields.
                        let tx = name.split('|').next().unwrap_or(name);
                        let (gene, gene_name) = m.get(strip_version(tx)).ok_or_else(|| {
                            Error::at_line(path, no, format!("transcript {tx} is not in the GTF: use the annotation the index was built from"))
                        })?;
                        b.push(no, gene, gene_name.clone(), None, Some(count), Some(tpm))?;
                    }
                }
            }
        }
        TableFormat::Rsem => {
            for (no, f) in &table.rows {
                let r: RsemRow = row(table, path, *no, f, "RSEM")?;
                b.push(
                    *no,
                    r.gene_id,
                    None,
                    Some(number(path, *no, "length", r.length)?),
                    Some(number(path, *no, "expected_count", r.expected_count)?),
                    Some(number(path, *no, "TPM", r.tpm)?),
                )?;
            }
        }
        TableFormat::FeatureCounts => {
            // The count columns follow `Length`, one per BAM, named by its path.
            let l = column(table, path, "Length")?;
            let samples = &table.header[l + 1..];
            let c = l
                + 1
                + match sample {
                    Some(s)
                        if samples.len() == 1
                            && featurecounts_column(samples, s, path).is_err() =>
                    {
                        // One count column: --sample names the sample, as for any
                        // single-sample table.
                        0
                    }
                    Some(s) => featurecounts_column(samples, s, path)?,
                    None if samples.len() == 1 => 0,
                    None => {
                        return Err(Error::usage(format!(
                            "{} has several samples ({}): choose one with --sample",
                            path.display(),
                            samples.join(", ")
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
            let m = matrix_from_table(table, path, fmt)?;
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
        let row = f
            .iter()
            .skip(1)
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
    read_expression(path, format, gtf, None, sample_name)
}

/// As [`read_matrix`], with `sample` choosing one count column of a featureCounts table (see
/// [`featurecounts_column`]; it also names a single-sample table's column, else
/// `default_name` does), and with `gtf` naming genes: rows identified by a gene ID (Ensembl,
/// versioned or not) get the GTF's `gene_name` as their symbol.
///
/// # Errors
/// As [`read_gene_table`].
pub fn read_expression(
    path: &Path,
    format: Option<TableFormat>,
    gtf: Option<&Path>,
    sample: Option<&str>,
    default_name: &str,
) -> Result<ExpressionMatrix> {
    let table = read_table(path)?;
    let cols: Vec<&str> = table.header.iter().map(String::as_str).collect();
    let fmt = format.unwrap_or_else(|| TableFormat::detect(&cols));
    let mut m = if fmt == TableFormat::Matrix {
        matrix_from_table(&table, path, fmt)?
    } else if fmt == TableFormat::FeatureCounts
        && sample.is_none()
        && table.header.len() > column(&table, path, "Length")? + 2
    {
        // Several samples and none chosen: each column to TPM.
        let l = column(&table, path, "Length")?;
        let samples: Vec<String> = table.header[l + 1..].to_vec();
        let mut values = vec![vec![0.0; samples.len()]; table.rows.len()];
        for (j, s) in samples.iter().enumerate() {
            let (rows, _) = gene_rows(&table, path, Some(fmt), gtf, Some(s))?;
            for (i, r) in rows.iter().enumerate() {
                values[i][j] = r.tpm.unwrap_or(0.0);
            }
        }
        let genes: Vec<String> = table
            .rows
            .iter()
            .map(|(_, f)| strip_version(&f[0]).to_string())
            .collect();
        ExpressionMatrix {
            symbols: vec![None; genes.len()],
            genes,
            samples,
            values,
            scale: Scale::Tpm,
            format: fmt,
        }
    } else {
        let (rows, fmt) = gene_rows(&table, path, Some(fmt), gtf, sample)?;
        let scale = if rows.iter().all(|r| r.tpm.is_some()) {
            Scale::Tpm
        } else {
            Scale::Counts
        };
        ExpressionMatrix {
            genes: rows.iter().map(|r| r.gene_id.clone()).collect(),
            symbols: rows.iter().map(|r| r.gene_name.clone()).collect(),
            samples: vec![sample.unwrap_or(default_name).to_string()],
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
        }
    };
    if let Some(gtf) = gtf {
        let names = gene_symbols(gtf)?;
        for (gene, symbol) in m.genes.iter().zip(m.symbols.iter_mut()) {
            if symbol.is_none() {
                *symbol = names.get(strip_version(gene)).cloned();
            }
        }
    }
    Ok(m)
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

    #[test]
    fn featurecounts_columns_by_header_file_name_or_stem() {
        let cols: Vec<String> = ["/x/T1.Aligned.sortedByCoord.out.bam", "rel/N1.cram", "N1"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let p = Path::new("fc.txt");
        let col = |s: &str| featurecounts_column(&cols, s, p);
        assert_eq!(col("/x/T1.Aligned.sortedByCoord.out.bam").unwrap(), 0);
        assert_eq!(col("T1.Aligned.sortedByCoord.out.bam").unwrap(), 0);
        assert_eq!(col("T1").unwrap(), 0);
        assert_eq!(col("N1.cram").unwrap(), 1);
        // An exact header wins over another column's stem.
        assert_eq!(col("N1").unwrap(), 2);
        assert!(col("T2")
            .unwrap_err()
            .to_string()
            .contains("not a count column"));
    }

    #[test]
    fn comments_and_blank_lines_are_skipped_and_lines_counted() {
        let dir = tempfile::tempdir().unwrap();
        // Two comment lines and a blank line before the header; the bad row is line 6.
        let fc = write(
            dir.path(),
            "fc.txt",
            "# Program:featureCounts\n# more\n\nGeneid\tChr\tStart\tEnd\tStrand\tLength\ts.bam\nG1\t1\t1\t100\t+\t100\t10\nG2\t1\t1\t300\t+\t300\n",
        );
        let e = read_gene_table(&fc, None, None, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 6") && e.contains("6 columns where the header has 7"),
            "{e}"
        );
        // A salmon table missing NumReads names the layout and the column.
        let sf = write(dir.path(), "q.sf", "Name\tLength\tTPM\nA\t1\t2\n");
        let e = read_gene_table(&sf, Some(TableFormat::Salmon), None, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("not a salmon table") && e.contains("NumReads"),
            "{e}"
        );
    }
}
