//! Feature tables for batch scoring: CSV or TSV (detected from the header line), the training
//! file's column names, any column absent or empty; other columns are listed and ignored.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::response::features::{FeatureRow, Input};

/// A parsed table.
#[derive(Debug, Clone, Serialize)]
pub struct FeatureTable {
    pub rows: Vec<FeatureRow>,
    /// Columns that are not model inputs (ignored), in file order.
    pub ignored_columns: Vec<String>,
    /// Model inputs with no column in the file (missing for every patient).
    pub absent_columns: Vec<&'static str>,
    /// `,` or `\t`.
    pub delimiter: char,
}

/// Reads a feature table (plain or gzip).
///
/// # Errors
/// No `SAMPLE_ID` column, a duplicated column or sample, an empty sample name, or a bad value:
/// one line naming the file, the row (line number and sample) and the column.
pub fn read_feature_table(path: &Path) -> Result<FeatureTable> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| Error::io(path, e))?;
        bytes = out;
    }
    parse_feature_table(path, &bytes)
}

/// [`read_feature_table`] on bytes already read (`path` names them in errors).
///
/// # Errors
/// See [`read_feature_table`].
pub fn parse_feature_table(path: &Path, bytes: &[u8]) -> Result<FeatureTable> {
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let delimiter = if first_line.contains(&b'\t') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| Error::invalid(path, Some("header".into()), e.to_string()))?
        .clone();
    let mut seen = HashSet::new();
    for h in headers.iter() {
        if !seen.insert(h.trim()) {
            return Err(Error::invalid(
                path,
                Some("header".into()),
                format!("column '{}' appears twice", h.trim()),
            ));
        }
    }
    let id_col = headers
        .iter()
        .position(|h| h.trim() == "SAMPLE_ID")
        .ok_or_else(|| {
            Error::invalid(
                path,
                Some("header".into()),
                "no SAMPLE_ID column (one row per patient with the training file's column names: SAMPLE_ID, TMB, CancerType, ...)",
            )
        })?;
    let mut inputs = Vec::new();
    let mut ignored_columns = Vec::new();
    for (c, h) in headers.iter().enumerate() {
        if c == id_col {
            continue;
        }
        match Input::from_column(h) {
            Some(i) => inputs.push((i, c)),
            None => ignored_columns.push(h.trim().to_string()),
        }
    }
    let absent_columns = Input::ALL
        .iter()
        .filter(|i| !inputs.iter().any(|(j, _)| j == *i))
        .map(|i| i.column())
        .collect();
    let mut rows = Vec::new();
    let mut samples = HashSet::new();
    for (n, rec) in reader.records().enumerate() {
        let line = n + 2;
        let rec = rec.map_err(|e| Error::at_line(path, line, e.to_string()))?;
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let sample = rec.get(id_col).unwrap_or("").trim().to_string();
        if sample.is_empty() {
            return Err(Error::at_line(path, line, "empty SAMPLE_ID"));
        }
        if !samples.insert(sample.clone()) {
            return Err(Error::invalid(
                path,
                Some(format!("line {line}, sample {sample}")),
                "duplicate SAMPLE_ID (one row per patient)",
            ));
        }
        let mut row = FeatureRow {
            sample: sample.clone(),
            ..Default::default()
        };
        for &(input, c) in &inputs {
            row.set_cell(input, rec.get(c).unwrap_or("")).map_err(|e| {
                Error::invalid(path, Some(format!("line {line}, sample {sample}")), e)
            })?;
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(Error::invalid(path, None, "no patients (only a header)"));
    }
    Ok(FeatureTable {
        rows,
        ignored_columns,
        absent_columns,
        delimiter: delimiter as char,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_and_csv_are_detected_and_extra_columns_listed() {
        let p = Path::new("t.tsv");
        let t = parse_feature_table(
            p,
            b"SAMPLE_ID\tTMB\tCancerType\tPFS_Months\nA\t5\tMelanoma\t3\nB\t\t\t\n",
        )
        .unwrap();
        assert_eq!(t.delimiter, '\t');
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].tmb, Some(5.0));
        assert_eq!(t.rows[1].tmb, None);
        assert_eq!(t.ignored_columns, vec!["PFS_Months"]);
        assert!(t.absent_columns.contains(&"HED"));
        let c = parse_feature_table(p, b"SAMPLE_ID,TMB\nA,5\n").unwrap();
        assert_eq!(c.delimiter, ',');
    }

    #[test]
    fn bad_tables_name_the_problem() {
        let p = Path::new("t.csv");
        let e = parse_feature_table(p, b"ID,TMB\nA,5\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("SAMPLE_ID"), "{e}");
        let e = parse_feature_table(p, b"SAMPLE_ID,TMB\nA,5\nA,6\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("duplicate") && e.contains("line 3"), "{e}");
        let e = parse_feature_table(p, b"SAMPLE_ID,Albumin\nA,-2\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("Albumin") && e.contains("line 2") && e.contains("sample A"),
            "{e}"
        );
    }
}
