//! `cohort.counts.tsv` and `cohort.tpm.tsv`: gene × sample matrices from every sample's
//! `SAMPLE.quant.tsv`, laid out as DESeq2 (`DESeqDataSetFromMatrix`) and edgeR (`DGEList`) users
//! load them: first column `gene_id`, then one column per sample, values as `quant` wrote them.
//!
//! Streamed: the sample files are read line by line side by side, at most [`BLOCK`] open at once;
//! larger cohorts are merged in blocks through temporary files, so memory stays one line per
//! open file whatever the number of samples or genes.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::cohort::tsv_text;
use crate::error::{Error, Result};
use crate::io::output::AtomicFile;

/// `gene × sample` raw counts.
pub const COUNTS_TSV: &str = "cohort.counts.tsv";
/// `gene × sample` TPM.
pub const TPM_TSV: &str = "cohort.tpm.tsv";

/// Files open at once (well under the usual limit of 1,024 descriptors).
pub const BLOCK: usize = 256;

/// A source of matrix rows: one gene id and its value cells (tab-joined) per line.
struct Rows {
    path: PathBuf,
    reader: BufReader<File>,
    line: String,
    line_no: usize,
    /// For a sample's quant table: the `gene_id` and value column; `None` for a block file
    /// (already `gene_id\tvalues…`).
    columns: Option<(usize, usize)>,
    gene: (usize, usize),
    values: (usize, usize),
}

impl Rows {
    /// Opens `path` and reads its header; `column` names the value column of a quant table.
    fn open(path: &Path, column: Option<&str>) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut rows = Rows {
            path: path.to_path_buf(),
            reader: BufReader::new(file),
            line: String::new(),
            line_no: 0,
            columns: None,
            gene: (0, 0),
            values: (0, 0),
        };
        if !rows.read_line()? {
            return Err(Error::invalid(path, None, "empty table: no header line"));
        }
        if let Some(column) = column {
            let header: Vec<&str> = rows.line.split('\t').collect();
            let find = |name: &str| {
                header.iter().position(|h| *h == name).ok_or_else(|| {
                    Error::invalid(
                        path,
                        Some("header".into()),
                        format!("no '{name}' column: not an `immunoprofile quant` gene table"),
                    )
                })
            };
            rows.columns = Some((find("gene_id")?, find(column)?));
        }
        Ok(rows)
    }

    /// Reads the next line into `self.line` (without its line end); false at the end.
    fn read_line(&mut self) -> Result<bool> {
        self.line.clear();
        let n = self
            .reader
            .read_line(&mut self.line)
            .map_err(|e| Error::io(&self.path, e))?;
        self.line_no += 1;
        let keep = self.line.trim_end_matches(['\n', '\r']).len();
        self.line.truncate(keep);
        Ok(n > 0)
    }

    /// Advances to the next row; false at the end.
    fn next(&mut self) -> Result<bool> {
        if !self.read_line()? {
            return Ok(false);
        }
        let line = &self.line;
        match self.columns {
            None => {
                let tab = line.find('\t').unwrap_or(line.len());
                self.gene = (0, tab);
                self.values = ((tab + 1).min(line.len()), line.len());
            }
            Some((g, v)) => {
                let mut spans = Vec::with_capacity(8);
                let mut start = 0;
                for (i, b) in line.bytes().enumerate() {
                    if b == b'\t' {
                        spans.push((start, i));
                        start = i + 1;
                    }
                }
                spans.push((start, line.len()));
                let (Some(gene), Some(value)) = (spans.get(g), spans.get(v)) else {
                    return Err(Error::at_line(
                        &self.path,
                        self.line_no,
                        format!(
                            "{} columns, fewer than the header's: the table is truncated",
                            spans.len()
                        ),
                    ));
                };
                self.gene = *gene;
                self.values = *value;
            }
        }
        Ok(true)
    }

    fn gene(&self) -> &str {
        &self.line[self.gene.0..self.gene.1]
    }

    fn values(&self) -> &str {
        &self.line[self.values.0..self.values.1]
    }
}

/// Writes `gene_id` + `names` as the header, then one row per gene from `sources` side by side;
/// every source must list the same genes in the same order.
fn merge(
    sources: &mut [Rows],
    names: &[&str],
    out: &mut impl Write,
    out_path: &Path,
) -> Result<()> {
    let werr = |e| Error::io(out_path, e);
    write!(out, "gene_id").map_err(werr)?;
    for n in names {
        write!(out, "\t{}", tsv_text(n)).map_err(werr)?;
    }
    writeln!(out).map_err(werr)?;
    loop {
        let mut ended = Vec::new();
        for (i, s) in sources.iter_mut().enumerate() {
            if !s.next()? {
                ended.push(i);
            }
        }
        if ended.len() == sources.len() {
            return Ok(());
        }
        if let Some(&i) = ended.first() {
            let other = (0..sources.len())
                .find(|j| !ended.contains(j))
                .map_or_else(String::new, |j| sources[j].path.display().to_string());
            return Err(Error::invalid(
                &sources[i].path,
                None,
                format!(
                    "ends after {} lines while {other} has more genes: run every sample's quant with the same GTF",
                    sources[i].line_no - 1
                ),
            ));
        }
        let (first, rest) = sources.split_at(1);
        let gene = first[0].gene();
        out.write_all(gene.as_bytes()).map_err(werr)?;
        for s in std::iter::once(&first[0]).chain(rest) {
            if s.gene() != gene {
                return Err(Error::at_line(
                    &s.path,
                    s.line_no,
                    format!(
                        "gene {} where {} has {gene} on the same line: the samples' quant tables list different genes; run every sample's quant with the same GTF",
                        s.gene(),
                        first[0].path.display()
                    ),
                ));
            }
            out.write_all(b"\t").map_err(werr)?;
            out.write_all(s.values().as_bytes()).map_err(werr)?;
        }
        out.write_all(b"\n").map_err(werr)?;
    }
}

/// Merges `inputs` (name, file) into `out`, through block files next to `out` when there are
/// more than [`BLOCK`].
fn merge_files(
    inputs: &[(String, PathBuf)],
    column: Option<&str>,
    out: &mut impl Write,
    out_path: &Path,
    level: usize,
) -> Result<()> {
    let names: Vec<&str> = inputs.iter().map(|(n, _)| n.as_str()).collect();
    if inputs.len() <= BLOCK {
        let mut sources = inputs
            .iter()
            .map(|(_, p)| Rows::open(p, column))
            .collect::<Result<Vec<_>>>()?;
        return merge(&mut sources, &names, out, out_path);
    }
    let dir = out_path.parent().unwrap_or(Path::new("."));
    let stem = out_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut blocks: Vec<(String, PathBuf)> = Vec::new();
    let result = (|| {
        for (i, chunk) in inputs.chunks(BLOCK).enumerate() {
            let path = dir.join(format!(".{stem}.level{level}.block{i}.tmp"));
            blocks.push((String::new(), path.clone()));
            let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
            let mut w = BufWriter::new(file);
            merge_files(chunk, column, &mut w, &path, level + 1)?;
            w.flush().map_err(|e| Error::io(&path, e))?;
        }
        let mut sources = blocks
            .iter()
            .map(|(_, p)| Rows::open(p, None))
            .collect::<Result<Vec<_>>>()?;
        merge(&mut sources, &names, out, out_path)
    })();
    for (_, p) in &blocks {
        let _ = std::fs::remove_file(p);
    }
    result
}

/// Writes `dir/cohort.counts.tsv` and `dir/cohort.tpm.tsv` (uncommitted) from `samples`
/// (sample name → its `quant.tsv`), columns in the order given.
///
/// # Errors
/// Unreadable tables, tables without `gene_id`/`count`/`tpm`, samples listing different genes.
pub fn write(dir: &Path, samples: &[(String, PathBuf)]) -> Result<Vec<AtomicFile>> {
    let mut files = Vec::new();
    for (name, column) in [(COUNTS_TSV, "count"), (TPM_TSV, "tpm")] {
        let path = dir.join(name);
        let mut file = AtomicFile::create(&path)?;
        {
            let mut w = BufWriter::new(&mut file);
            merge_files(samples, Some(column), &mut w, &path, 0)?;
            w.flush().map_err(|e| Error::io(&path, e))?;
        }
        files.push(file);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quant(dir: &Path, name: &str, rows: &[(&str, &str, &str)]) -> (String, PathBuf) {
        let path = dir.join(format!("{name}.quant.tsv"));
        let mut text = String::from("gene_id\tgene_name\tlength\tcount\ttpm\n");
        for (g, c, t) in rows {
            text.push_str(&format!("{g}\tname_{g}\t1000\t{c}\t{t}\n"));
        }
        std::fs::write(&path, text).unwrap();
        (name.to_string(), path)
    }

    fn matrix(dir: &Path, samples: &[(String, PathBuf)], column: &str) -> Result<String> {
        let mut out = Vec::new();
        merge_files(samples, Some(column), &mut out, &dir.join("m.tsv"), 0)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn one_column_per_sample_values_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let a = quant(dir.path(), "A", &[("G1", "10", "5.5"), ("G2", "0", "0")]);
        let b = quant(dir.path(), "B", &[("G1", "3", "1.25"), ("G2", "7", "12")]);
        let s = [a, b];
        assert_eq!(
            matrix(dir.path(), &s, "count").unwrap(),
            "gene_id\tA\tB\nG1\t10\t3\nG2\t0\t7\n"
        );
        assert_eq!(
            matrix(dir.path(), &s, "tpm").unwrap(),
            "gene_id\tA\tB\nG1\t5.5\t1.25\nG2\t0\t12\n"
        );
    }

    #[test]
    fn different_genes_are_refused_not_misaligned() {
        let dir = tempfile::tempdir().unwrap();
        let a = quant(dir.path(), "A", &[("G1", "1", "1"), ("G2", "2", "2")]);
        let b = quant(dir.path(), "B", &[("G2", "1", "1"), ("G1", "2", "2")]);
        let e = matrix(dir.path(), &[a.clone(), b], "count").unwrap_err();
        assert!(e.to_string().contains("same GTF"), "{e}");
        let c = quant(dir.path(), "C", &[("G1", "1", "1")]);
        let e = matrix(dir.path(), &[a, c], "count").unwrap_err();
        assert!(e.to_string().contains("more genes"), "{e}");
    }

    #[test]
    fn blocks_give_the_same_matrix_as_one_pass() {
        // More samples than BLOCK: merged through block files, which are removed afterwards.
        let dir = tempfile::tempdir().unwrap();
        let n = BLOCK * 2 + 3;
        let samples: Vec<(String, PathBuf)> = (0..n)
            .map(|i| {
                let c1 = i.to_string();
                let c2 = (2 * i).to_string();
                quant(
                    dir.path(),
                    &format!("S{i:04}"),
                    &[("G1", c1.as_str(), "1"), ("G2", c2.as_str(), "2")],
                )
            })
            .collect();
        let text = matrix(dir.path(), &samples, "count").unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        let header: Vec<&str> = lines[0].split('\t').collect();
        assert_eq!(header.len(), n + 1);
        assert_eq!(header[1], "S0000");
        assert_eq!(header[n], format!("S{:04}", n - 1));
        let g2: Vec<&str> = lines[2].split('\t').collect();
        assert_eq!(g2[0], "G2");
        assert_eq!(g2[BLOCK + 1], (2 * BLOCK).to_string());
        assert_eq!(g2[n], (2 * (n - 1)).to_string());
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(left.is_empty());
    }
}
