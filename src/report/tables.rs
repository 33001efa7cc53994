//! Small readers for the stage outputs the report reads: a headed TSV table, a JSON summary, and a
//! file checksum. Columns are found by header name (the contracts of DESIGN.md §4).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// A tab-separated table with a header line; `#` lines before the header are skipped.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// # Errors
    /// The file cannot be read, is not UTF-8, or a row has a different number of columns.
    pub fn read(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut table = Table::default();
        for (i, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| Error::io(path, e))?;
            let line = line.trim_end_matches('\r');
            if table.header.is_empty() {
                if line.starts_with('#') || line.is_empty() {
                    continue;
                }
                table.header = line.split('\t').map(str::to_string).collect();
                continue;
            }
            if line.is_empty() {
                continue;
            }
            let row: Vec<String> = line.split('\t').map(str::to_string).collect();
            if row.len() != table.header.len() {
                return Err(Error::at_line(
                    path,
                    i + 1,
                    format!(
                        "{} columns where the header has {}: the table is truncated or not tab-separated",
                        row.len(),
                        table.header.len()
                    ),
                ));
            }
            table.rows.push(row);
        }
        Ok(table)
    }

    /// Index of a column by name.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The cell of `row` in column `name`, when both exist.
    pub fn get<'a>(&self, row: &'a [String], name: &str) -> Option<&'a str> {
        self.col(name).and_then(|i| row.get(i)).map(String::as_str)
    }

    /// A numeric cell; `NA`, empty or unparsable cells are `None`.
    pub fn num(&self, row: &[String], name: &str) -> Option<f64> {
        self.get(row, name)
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite())
    }
}

/// Reads a JSON summary.
///
/// # Errors
/// Unreadable file or invalid JSON.
pub fn read_json(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text)
        .map_err(|e| Error::invalid(path, Some(format!("line {}", e.line())), e.to_string()))
}

/// SHA-256 of a file, as lowercase hex.
///
/// # Errors
/// The file cannot be read.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(format!("{:x}", hasher.finalize()))
}

/// SHA-256 of bytes, as lowercase hex.
pub fn sha256_bytes(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn sha256_of_abc_is_the_fips_value() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("abc");
        std::fs::File::create(&p)
            .unwrap()
            .write_all(b"abc")
            .unwrap();
        // FIPS 180-2 appendix B.1.
        assert_eq!(
            sha256_file(&p).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn ragged_rows_are_an_error_with_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.tsv");
        std::fs::write(&p, "a\tb\n1\t2\n3\n").unwrap();
        let e = Table::read(&p).unwrap_err().to_string();
        assert!(e.contains("line 3"), "{e}");
        std::fs::write(&p, "# comment\na\tb\n1\tNA\n").unwrap();
        let t = Table::read(&p).unwrap();
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.num(&t.rows[0], "a"), Some(1.0));
        assert_eq!(t.num(&t.rows[0], "b"), None);
    }
}
