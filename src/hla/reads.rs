//! Reads for typing: every FASTQ record (one file or two mates), or the BAM/CRAM records over
//! the MHC (build recognised from the chr6 length in the header), on HLA/alt contigs and
//! unmapped. Each read passes a cheap k-mer pre-filter so only reads near the index are kept.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use rust_htslib::bam::{self, Read as _};
use serde::Serialize;

use super::index::HlaIndex;
use super::matching::{touches, Fragment};
use crate::error::{Error, Result};

/// Every 4th k-mer is enough to spot a read over the typing region.
const STRIDE: usize = 4;

/// What was read from the input.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReadStats {
    /// Records (reads, not pairs) looked at.
    pub records_scanned: u64,
    /// Fragments kept by the pre-filter.
    pub fragments_kept: u64,
    /// For BAM/CRAM: the build recognised, and the region read.
    pub region: Option<String>,
}

/// Reads FASTQ (plain or gzip), `r2` being the mates of `r1` in the same order.
///
/// # Errors
/// Unreadable or malformed file, or mates out of step.
pub fn from_fastq(
    index: &HlaIndex,
    r1: &Path,
    r2: Option<&Path>,
) -> Result<(Vec<Fragment>, ReadStats)> {
    let mut a = FastqReader::open(r1)?;
    let mut b = r2.map(FastqReader::open).transpose()?;
    let mut out = Vec::new();
    let mut stats = ReadStats::default();
    loop {
        let Some(s1) = a.next_seq()? else {
            if let Some(b) = b.as_mut() {
                if b.next_seq()?.is_some() {
                    return Err(Error::invalid(
                        b.path.as_path(),
                        Some(format!("line {}", b.line)),
                        "more records than in --fastq: the mate files are out of step",
                    ));
                }
            }
            break;
        };
        stats.records_scanned += 1;
        let mut mates = vec![s1];
        if let Some(b) = b.as_mut() {
            let s2 = b.next_seq()?.ok_or_else(|| {
                Error::invalid(
                    b.path.as_path(),
                    None,
                    "fewer records than in --fastq: the mate files are out of step",
                )
            })?;
            stats.records_scanned += 1;
            mates.push(s2);
        }
        if mates.iter().any(|m| touches(index, m, STRIDE)) {
            out.push(Fragment { mates });
        }
    }
    stats.fragments_kept = out.len() as u64;
    Ok((out, stats))
}

struct FastqReader {
    path: std::path::PathBuf,
    inner: Box<dyn BufRead>,
    line: u64,
    buf: String,
}

impl FastqReader {
    fn open(path: &Path) -> Result<Self> {
        let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut magic = [0u8; 2];
        let n = f.read(&mut magic).map_err(|e| Error::io(path, e))?;
        let f = File::open(path).map_err(|e| Error::io(path, e))?;
        let inner: Box<dyn BufRead> = if n == 2 && magic == [0x1f, 0x8b] {
            Box::new(BufReader::with_capacity(
                1 << 16,
                flate2::read::MultiGzDecoder::new(f),
            ))
        } else {
            Box::new(BufReader::with_capacity(1 << 16, f))
        };
        Ok(Self {
            path: path.to_path_buf(),
            inner,
            line: 0,
            buf: String::new(),
        })
    }

    fn read_line(&mut self) -> Result<bool> {
        self.buf.clear();
        let n = self
            .inner
            .read_line(&mut self.buf)
            .map_err(|e| Error::io(&self.path, e))?;
        self.line += 1;
        Ok(n > 0)
    }

    fn next_seq(&mut self) -> Result<Option<Vec<u8>>> {
        if !self.read_line()? {
            return Ok(None);
        }
        if !self.buf.starts_with('@') {
            return Err(Error::at_line(
                &self.path,
                self.line as usize,
                "expected a FASTQ header starting with @",
            ));
        }
        if !self.read_line()? {
            return Err(Error::at_line(
                &self.path,
                self.line as usize,
                "truncated FASTQ record",
            ));
        }
        let seq = self.buf.trim_end().as_bytes().to_ascii_uppercase();
        for _ in 0..2 {
            if !self.read_line()? {
                return Err(Error::at_line(
                    &self.path,
                    self.line as usize,
                    "truncated FASTQ record",
                ));
            }
        }
        Ok(Some(seq))
    }
}

/// GRCh37 and GRCh38 chr6 lengths and their MHC (xMHC, UCSC `chr6:28.48–33.45 Mb`).
const BUILDS: [(&str, u64, u64, u64); 2] = [
    ("GRCh37", 171_115_067, 28_477_797, 33_448_354),
    ("GRCh38", 170_805_979, 28_510_120, 33_480_577),
];

/// Contigs holding HLA sequence besides chr6: IMGT allele contigs (`HLA-A*01:01:01:01`) and
/// GRCh38's MHC alternate haplotypes (`chr6_GL000250v2_alt` … `chr6_GL000256v2_alt`).
fn hla_contig(name: &str) -> bool {
    name.starts_with("HLA-") || (name.contains("6_GL00025") && name.ends_with("_alt"))
}

/// Reads a BAM/CRAM: with an index, only the MHC, HLA contigs and unmapped reads; without one
/// (or with an unrecognised build), every record through the pre-filter.
///
/// # Errors
/// Unreadable file, CRAM without `fasta`, or a damaged record.
pub fn from_bam(
    index: &HlaIndex,
    path: &Path,
    fasta: Option<&Path>,
) -> Result<(Vec<Fragment>, ReadStats)> {
    let is_cram = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("cram"));
    if is_cram && fasta.is_none() {
        return Err(Error::usage(format!(
            "{}: a CRAM needs --fasta REF (the reference it was written against); immunoprofile never downloads references",
            path.display()
        )));
    }
    if !path.exists() {
        return Err(Error::io(
            path,
            std::io::Error::from(std::io::ErrorKind::NotFound),
        ));
    }
    let mut stats = ReadStats::default();
    let mut pending: HashMap<Vec<u8>, Vec<u8>> = HashMap::new();
    let mut out = Vec::new();
    let mut take = |rec: &bam::Record, stats: &mut ReadStats, out: &mut Vec<Fragment>| {
        if rec.is_secondary() || rec.is_supplementary() || rec.is_quality_check_failed() {
            return;
        }
        stats.records_scanned += 1;
        let seq = rec.seq().as_bytes();
        if rec.is_paired() {
            match pending.remove(rec.qname()) {
                Some(mate) => {
                    if touches(index, &seq, STRIDE) || touches(index, &mate, STRIDE) {
                        out.push(Fragment {
                            mates: order(mate, seq, rec.is_first_in_template()),
                        });
                    }
                }
                None => {
                    pending.insert(rec.qname().to_vec(), seq);
                }
            }
        } else if touches(index, &seq, STRIDE) {
            out.push(Fragment { mates: vec![seq] });
        }
    };
    let mut rec = bam::Record::new();
    let damaged = |e: rust_htslib::errors::Error| {
        Error::invalid(
            path,
            None,
            format!("cannot read a record ({e}): the file is truncated or damaged"),
        )
    };
    match bam::IndexedReader::from_path(path) {
        Ok(mut reader) => {
            if let Some(f) = fasta {
                reader.set_reference(f).map_err(|e| {
                    Error::invalid(f, None, format!("cannot use as the CRAM reference: {e}"))
                })?;
            }
            let header = reader.header().clone();
            let mut regions: Vec<(u32, u64, u64)> = Vec::new();
            let mut build = None;
            for tid in 0..header.target_count() {
                let name = String::from_utf8_lossy(header.tid2name(tid)).into_owned();
                let len = header.target_len(tid).unwrap_or(0);
                if name == "6" || name == "chr6" {
                    if let Some(b) = BUILDS.iter().find(|b| b.1 == len) {
                        regions.push((tid, b.2 - 1, b.3));
                        build = Some(format!("{} {name}:{}-{}", b.0, b.2, b.3));
                    }
                } else if hla_contig(&name) {
                    regions.push((tid, 0, len));
                }
            }
            match build {
                Some(b) => {
                    stats.region = Some(format!("{b}, HLA/alt contigs, unmapped reads"));
                    for (tid, start, end) in regions {
                        reader.fetch((tid, start, end)).map_err(|e| {
                            Error::invalid(path, None, format!("cannot query the index: {e}"))
                        })?;
                        while let Some(r) = reader.read(&mut rec) {
                            r.map_err(damaged)?;
                            take(&rec, &mut stats, &mut out);
                        }
                    }
                    reader.fetch(bam::FetchDefinition::Unmapped).map_err(|e| {
                        Error::invalid(path, None, format!("cannot query unmapped reads: {e}"))
                    })?;
                    while let Some(r) = reader.read(&mut rec) {
                        r.map_err(damaged)?;
                        take(&rec, &mut stats, &mut out);
                    }
                }
                None => {
                    log::warn!("{}: no chr6 of GRCh37 or GRCh38 length in the header; reading every record", path.display());
                    reader
                        .fetch(bam::FetchDefinition::All)
                        .map_err(|e| Error::invalid(path, None, format!("cannot read: {e}")))?;
                    while let Some(r) = reader.read(&mut rec) {
                        r.map_err(damaged)?;
                        take(&rec, &mut stats, &mut out);
                    }
                }
            }
        }
        Err(_) => {
            log::warn!(
                "{}: no index beside it; reading every record",
                path.display()
            );
            let mut reader = bam::Reader::from_path(path)
                .map_err(|e| Error::invalid(path, None, format!("cannot open as BAM/CRAM: {e}")))?;
            if let Some(f) = fasta {
                reader.set_reference(f).map_err(|e| {
                    Error::invalid(f, None, format!("cannot use as the CRAM reference: {e}"))
                })?;
            }
            while let Some(r) = reader.read(&mut rec) {
                r.map_err(damaged)?;
                take(&rec, &mut stats, &mut out);
            }
        }
    }
    // Mates never met (the other outside the region read): typed as single reads.
    let mut singles: Vec<(Vec<u8>, Vec<u8>)> = pending.into_iter().collect();
    singles.sort_unstable();
    for (_, seq) in singles {
        if touches(index, &seq, STRIDE) {
            out.push(Fragment { mates: vec![seq] });
        }
    }
    stats.fragments_kept = out.len() as u64;
    Ok((out, stats))
}

fn order(earlier: Vec<u8>, later: Vec<u8>, later_is_first: bool) -> Vec<Vec<u8>> {
    if later_is_first {
        vec![later, earlier]
    } else {
        vec![earlier, later]
    }
}
