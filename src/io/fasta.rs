//! Indexed reference FASTA (plain or bgzip). Without a `.fai` the index is built in memory.

use std::fs::File;
use std::path::{Path, PathBuf};

use noodles::core::{Position, Region};
use noodles::fasta;

use crate::error::{Error, Result};

/// Random access to a reference FASTA. Not `Sync`: open one per worker.
pub struct Reference {
    path: PathBuf,
    reader: fasta::io::IndexedReader<fasta::io::BufReader<File>>,
    contigs: Vec<(String, u64)>,
}

impl Reference {
    /// Opens `path`, reading `path.fai` when present and indexing the file otherwise (bgzip
    /// FASTA needs its `.fai` and `.gzi`: `samtools faidx ref.fa.gz` makes both).
    ///
    /// # Errors
    /// Unreadable file, or a bgzip FASTA without index.
    pub fn open(path: &Path) -> Result<Self> {
        let mut fai = path.as_os_str().to_os_string();
        fai.push(".fai");
        let builder = if Path::new(&fai).exists() {
            fasta::io::indexed_reader::Builder::default()
        } else {
            let index = fasta::fs::index(path).map_err(|e| {
                Error::invalid(
                    path,
                    None,
                    format!("cannot index the FASTA ({e}); for a bgzip FASTA run `samtools faidx` first"),
                )
            })?;
            fasta::io::indexed_reader::Builder::default().set_index(index)
        };
        let reader = builder
            .build_from_path(path)
            .map_err(|e| Error::io(path, e))?;
        let contigs = reader
            .index()
            .as_ref()
            .iter()
            .map(|r| (String::from_utf8_lossy(r.name()).into_owned(), r.length()))
            .collect();
        Ok(Self {
            path: path.to_path_buf(),
            reader,
            contigs,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Contig names and lengths, in file order.
    pub fn contigs(&self) -> &[(String, u64)] {
        &self.contigs
    }

    pub fn contig_len(&self, name: &str) -> Option<u64> {
        self.contigs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, l)| *l)
    }

    /// Upper-case bases of `[start, end)` (0-based), clipped to the contig's end.
    ///
    /// # Errors
    /// Unknown contig, or a read failure.
    pub fn fetch(&mut self, contig: &str, start: u64, end: u64) -> Result<Vec<u8>> {
        let len = self.contig_len(contig).ok_or_else(|| {
            Error::invalid(
                &self.path,
                None,
                format!("contig '{contig}' is not in the reference"),
            )
        })?;
        let end = end.min(len);
        if start >= end {
            return Ok(Vec::new());
        }
        let (Some(s), Some(e)) = (
            Position::new(start as usize + 1),
            Position::new(end as usize),
        ) else {
            return Ok(Vec::new());
        };
        let region = Region::new(contig, s..=e);
        let record = self
            .reader
            .query(&region)
            .map_err(|e| Error::io(&self.path, e))?;
        let mut seq = record.sequence().as_ref().to_vec();
        seq.make_ascii_uppercase();
        Ok(seq)
    }

    /// A whole contig, upper case.
    ///
    /// # Errors
    /// Unknown contig, or a read failure.
    pub fn fetch_contig(&mut self, contig: &str) -> Result<Vec<u8>> {
        self.fetch(contig, 0, u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn fetches_regions_without_index_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ref.fa");
        let mut f = File::create(&path).unwrap();
        writeln!(f, ">c1 desc\nACGTA\ncgtac\nGG\n>c2\nTTTT").unwrap();
        drop(f);
        let mut r = Reference::open(&path).unwrap();
        assert_eq!(
            r.contigs(),
            &[("c1".to_string(), 12), ("c2".to_string(), 4)]
        );
        assert_eq!(r.fetch("c1", 3, 8).unwrap(), b"TACGT");
        assert_eq!(r.fetch("c1", 10, 100).unwrap(), b"GG");
        assert_eq!(r.fetch_contig("c2").unwrap(), b"TTTT");
        assert!(r.fetch("c3", 0, 1).is_err());
    }
}
