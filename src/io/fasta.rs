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
        let head = sniff(path)?;
        let compression = crate::io::detect_compression(&head);
        if compression == crate::io::Compression::Gzip {
            return Err(Error::invalid(
                path,
                None,
                "is gzip-compressed but not with bgzip, so it cannot be read at random: recompress it (`gunzip -c ref.fa.gz | bgzip > ref.fa.bgz && samtools faidx ref.fa.bgz`) or give the plain FASTA",
            ));
        }
        if compression == crate::io::Compression::None {
            check_plain_fasta(path, &head)?;
        }
        let mut fai = path.as_os_str().to_os_string();
        fai.push(".fai");
        let fai = PathBuf::from(fai);
        let builder = if fai.exists() {
            check_fai_fresh(path, &fai, compression)?;
            fasta::io::indexed_reader::Builder::default()
        } else {
            if compression == crate::io::Compression::Bgzf {
                return Err(Error::invalid(
                    path,
                    None,
                    "a bgzip FASTA needs its .fai and .gzi index beside it: run `samtools faidx` on it",
                ));
            }
            let index = fasta::fs::index(path)
                .map_err(|e| Error::invalid(path, None, format!("cannot index the FASTA ({e})")))?;
            fasta::io::indexed_reader::Builder::default().set_index(index)
        };
        let reader = builder.build_from_path(path).map_err(|e| {
            Error::invalid(
                path,
                None,
                format!("cannot open the FASTA with its index ({e}); for a bgzip FASTA both .fai and .gzi are needed (`samtools faidx`)"),
            )
        })?;
        let contigs: Vec<(String, u64)> = reader
            .index()
            .as_ref()
            .iter()
            .map(|r| (String::from_utf8_lossy(r.name()).into_owned(), r.length()))
            .collect();
        if contigs.is_empty() {
            return Err(Error::invalid(path, None, "the FASTA has no sequences"));
        }
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

/// The first bytes of the file (empty for an empty file).
fn sniff(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    if path.is_dir() {
        return Err(Error::invalid(
            path,
            None,
            "is a directory, not a FASTA file",
        ));
    }
    let file = File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::invalid(path, None, "no such file"),
        _ => Error::io(path, e),
    })?;
    let mut head = Vec::with_capacity(4096);
    file.take(4096)
        .read_to_end(&mut head)
        .map_err(|e| Error::io(path, e))?;
    Ok(head)
}

/// An empty file, a file that is not FASTA, and a protein FASTA each get their own message.
fn check_plain_fasta(path: &Path, head: &[u8]) -> Result<()> {
    if head.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::invalid(path, None, "the FASTA is empty"));
    }
    if head[0] != b'>' {
        return Err(Error::invalid(
            path,
            Some("line 1".into()),
            "not a FASTA file (the first line should start with '>')",
        ));
    }
    // Letters of the first sequence lines that no nucleotide (IUPAC) code uses: E F I J L O P Q
    // X Z are amino acids only.
    let body = head
        .split(|&b| b == b'\n')
        .skip(1)
        .take_while(|l| !l.starts_with(b">"));
    let protein = body.flatten().any(|b| b"EFIJLOPQZefijlopqz".contains(b));
    if protein {
        return Err(Error::invalid(
            path,
            None,
            "looks like a protein FASTA (amino-acid letters such as E, F, L, P, Q): give the genome (nucleotide) FASTA",
        ));
    }
    Ok(())
}

/// A `.fai` made for an earlier version of the FASTA points at the wrong bytes: refuse when it is
/// older than the FASTA, or when its first entry does not start after a `>name` line.
fn check_fai_fresh(path: &Path, fai: &Path, compression: crate::io::Compression) -> Result<()> {
    let stale = |why: &str| {
        Error::invalid(
            fai,
            None,
            format!(
                "the FASTA index is stale ({why}): re-run `samtools faidx {}`",
                path.display()
            ),
        )
    };
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if let (Some(f), Some(i)) = (modified(path), modified(fai)) {
        if i < f {
            return Err(stale("older than the FASTA"));
        }
    }
    if compression != crate::io::Compression::None {
        return Ok(());
    }
    let text = std::fs::read_to_string(fai).map_err(|e| Error::io(fai, e))?;
    let Some(first) = text.lines().next() else {
        return Err(stale("empty"));
    };
    let cols: Vec<&str> = first.split('\t').collect();
    let offset = cols.get(2).and_then(|o| o.parse::<u64>().ok());
    let (Some(name), Some(offset)) = (cols.first(), offset) else {
        return Err(stale("not a .fai: its first line lacks name and offset"));
    };
    // The bytes before the offset are `>name[ description]\n`.
    use std::io::{Read, Seek, SeekFrom};
    let start = offset.saturating_sub(name.len() as u64 + 2);
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut buf = vec![0u8; (offset - start) as usize];
    let ok = f.seek(SeekFrom::Start(start)).is_ok()
        && f.read_exact(&mut buf).is_ok()
        && buf.ends_with(b"\n")
        && {
            // The name line may carry a description: look for `>name` right before the offset
            // only when there is none, else accept any line ending there.
            let line = &buf[..buf.len() - 1];
            line.ends_with(name.as_bytes()) || !line.contains(&b'>') || start == 0
        };
    if !ok {
        return Err(stale("its offsets do not match the FASTA"));
    }
    Ok(())
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

    #[test]
    fn each_bad_fasta_has_its_own_message() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.fa");
        let msg = |content: &[u8]| {
            std::fs::write(&p, content).unwrap();
            let _ = std::fs::remove_file(dir.path().join("x.fa.fai"));
            Reference::open(&p).err().unwrap().to_string()
        };
        assert!(msg(b"").contains("the FASTA is empty"));
        assert!(msg(b">p1\nMEEPQSDPSVEPPLSQETF\n").contains("protein FASTA"));
        assert!(msg(b"ACGT\n").contains("not a FASTA"));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b">c\nACGT\n").unwrap();
        assert!(msg(&gz.finish().unwrap()).contains("not with bgzip"));
        // A .fai from an older FASTA: c1's sequence no longer starts at byte 4.
        std::fs::write(&p, b">longername\nACGT\n").unwrap();
        std::fs::write(dir.path().join("x.fa.fai"), "c1\t4\t4\t4\t5\n").unwrap();
        let e = Reference::open(&p).err().unwrap().to_string();
        assert!(e.contains("stale"), "{e}");
    }
}
