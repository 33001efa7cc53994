//! `PREFIX.hla.json` (the whole result) and `PREFIX.hla.tsv` (one row a locus), written under
//! temporary names and renamed together.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::HlaResult;
use crate::error::{Error, Result};
use crate::io::output::{commit_all, json_file, prefixed, AtomicFile};

/// Columns of `PREFIX.hla.tsv`.
pub const TSV_COLUMNS: [&str; 11] = [
    "locus",
    "allele1",
    "allele2",
    "reads",
    "confidence",
    "g_group1",
    "g_group2",
    "reads1",
    "reads2",
    "margin",
    "reason",
];

/// Writes both files.
///
/// # Errors
/// A file cannot be written.
pub fn write(result: &HlaResult, prefix: &Path) -> Result<Vec<PathBuf>> {
    let json = json_file(prefixed(prefix, "hla.json"), result)?;
    let mut tsv = AtomicFile::create(prefixed(prefix, "hla.tsv"))?;
    let p = tsv.path().to_path_buf();
    let mut text = TSV_COLUMNS.join("\t");
    text.push('\n');
    for l in &result.loci {
        let row: Vec<String> = match &l.call {
            Some(c) => vec![
                l.locus.clone(),
                c.alleles[0].allele.clone(),
                c.alleles[1].allele.clone(),
                l.reads.to_string(),
                l.confidence.clone(),
                c.alleles[0].g_group.clone(),
                c.alleles[1].g_group.clone(),
                c.alleles[0].reads.to_string(),
                c.alleles[1].reads.to_string(),
                crate::io::output::fmt_num(c.margin, 2),
                String::new(),
            ],
            None => vec![
                l.locus.clone(),
                "NA".into(),
                "NA".into(),
                l.reads.to_string(),
                l.confidence.clone(),
                "NA".into(),
                "NA".into(),
                "NA".into(),
                "NA".into(),
                "NA".into(),
                l.reason.clone().unwrap_or_default(),
            ],
        };
        text.push_str(&row.join("\t"));
        text.push('\n');
    }
    tsv.write_all(text.as_bytes())
        .map_err(|e| Error::io(&p, e))?;
    commit_all(vec![json, tsv])
}

/// An `hla.json`'s `alleles` object: locus → the names it called, in file order.
pub type LocusCalls = serde_json::Map<String, serde_json::Value>;

/// Reads the calls of an `hla.json` (once, for every class).
///
/// # Errors
/// The file cannot be read or is not an `hla` summary.
pub fn read_calls(path: &Path) -> Result<LocusCalls> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::invalid(path, None, format!("not an hla.json: {e}")))?;
    match v.get_mut("alleles").map(serde_json::Value::take) {
        Some(serde_json::Value::Object(map)) => Ok(map),
        _ => Err(Error::invalid(
            path,
            None,
            "no 'alleles' object: not written by `immunoprofile hla`",
        )),
    }
}

/// The names called at `locus` (none when the locus was not typed).
pub fn calls_at<'a>(calls: &'a LocusCalls, locus: &str) -> impl Iterator<Item = &'a str> {
    calls
        .get(locus)
        .and_then(|l| l.as_array())
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str())
}

/// The class I alleles (loci A, B, C) called, in locus order; homozygous loci give one name.
pub fn class_i_alleles(calls: &LocusCalls) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for locus in ["A", "B", "C"] {
        for name in calls_at(calls, locus) {
            if !out.iter().any(|o| o == name) {
                out.push(name.to_string());
            }
        }
    }
    out
}
