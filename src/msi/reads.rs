//! Repeat-length distributions from alignments: for each site, the reads that hold the left
//! flank, a whole number of repeat units and the right flank, exactly, give one repeat length
//! each (MSIsensor's read-length distribution, Niu 2014). Matching the read's own bases rather
//! than its CIGAR makes the count independent of where the aligner put the indel.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_htslib::bam::{self, Read as _};

use crate::error::{Error, Result};
use crate::genome::ContigMatcher;

use super::sites::Site;

/// Repeat length (in units) → reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Distribution {
    pub counts: BTreeMap<u32, u32>,
}

impl Distribution {
    pub fn add(&mut self, units: u32) {
        *self.counts.entry(units).or_insert(0) += 1;
    }

    pub fn total(&self) -> u32 {
        self.counts.values().sum()
    }

    /// The most frequent length (the shortest on ties).
    pub fn mode(&self) -> Option<u32> {
        let mut best: Option<(u32, u32)> = None;
        for (&len, &n) in &self.counts {
            if best.is_none_or(|(_, bn)| n > bn) {
                best = Some((len, n));
            }
        }
        best.map(|(l, _)| l)
    }

    /// Reads whose length is not `len`.
    pub fn other_than(&self, len: u32) -> u32 {
        self.total() - self.counts.get(&len).copied().unwrap_or(0)
    }

    /// `10:3,11:40` (length:reads, by length), or `NA` when empty.
    pub fn summary(&self) -> String {
        if self.counts.is_empty() {
            return "NA".to_string();
        }
        self.counts
            .iter()
            .map(|(l, n)| format!("{l}:{n}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Which alignments are used.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ReadFilter {
    pub min_mapq: u8,
}

impl Default for ReadFilter {
    fn default() -> Self {
        Self { min_mapq: 20 }
    }
}

/// Unmapped, secondary, QC-fail, duplicate, supplementary.
const SKIP_FLAGS: u16 = 0x4 | 0x100 | 0x200 | 0x400 | 0x800;

/// The repeat length a read shows at `site`, or `None` when the read does not hold both flanks
/// around a whole number of units. When the left flank occurs more than once, the occurrence
/// nearest `expected` (the read offset where the alignment puts it) wins.
pub fn repeat_units_in_read(read: &[u8], site: &Site, expected: i64) -> Option<u32> {
    let lf = &site.left_flank;
    let rf = &site.right_flank;
    let unit = &site.unit;
    let k = unit.len();
    if read.len() < lf.len() + rf.len() {
        return None;
    }
    let mut best: Option<(i64, u32)> = None;
    for p in 0..=read.len() - lf.len() - rf.len() {
        if &read[p..p + lf.len()] != lf.as_slice() {
            continue;
        }
        let mut j = p + lf.len();
        let mut units = 0u32;
        while j + k <= read.len() && &read[j..j + k] == unit.as_slice() {
            units += 1;
            j += k;
        }
        if j + rf.len() <= read.len() && &read[j..j + rf.len()] == rf.as_slice() {
            let distance = (p as i64 - expected).abs();
            if best.is_none_or(|(d, _)| distance < d) {
                best = Some((distance, units));
            }
        }
    }
    best.map(|(_, u)| u)
}

/// One BAM/CRAM with its index, open for region queries. Not `Sync`: one per worker.
pub struct Alignments {
    path: PathBuf,
    reader: bam::IndexedReader,
    /// Site contig name → target id, resolved once (`chr1` vs `1`).
    tids: BTreeMap<String, Option<u32>>,
    matcher: ContigMatcher,
    record: bam::Record,
    seq: Vec<u8>,
}

impl Alignments {
    /// Opens `path` and its index; `fasta` is the reference for CRAM (also set for BAM, where
    /// htslib ignores it), so htslib never looks for a reference elsewhere.
    ///
    /// # Errors
    /// Unreadable file, or no index beside it.
    pub fn open(path: &Path, fasta: &Path) -> Result<Self> {
        crate::io::alignments::check(path, Some(fasta), Some("--fasta"))?;
        let mut reader = bam::IndexedReader::from_path(path).map_err(|e| {
            Error::invalid(
                path,
                None,
                format!("cannot open with its index ({e}); a BAM/CRAM needs a .bai/.csi/.crai index beside it: run `samtools index {}`", path.display()),
            )
        })?;
        reader.set_reference(fasta).map_err(|e| {
            Error::invalid(
                fasta,
                None,
                format!("cannot use as the CRAM reference: {e}"),
            )
        })?;
        let header = reader.header();
        let names: Vec<String> = header
            .target_names()
            .iter()
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .collect();
        Ok(Self {
            path: path.to_path_buf(),
            reader,
            tids: BTreeMap::new(),
            matcher: ContigMatcher::new(names),
            record: bam::Record::new(),
            seq: Vec::new(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Contig names and lengths of the header.
    pub fn contigs(&self) -> Vec<(String, u64)> {
        let h = self.reader.header();
        (0..h.target_count())
            .map(|t| {
                (
                    String::from_utf8_lossy(h.tid2name(t)).into_owned(),
                    h.target_len(t).unwrap_or(0),
                )
            })
            .collect()
    }

    fn tid(&mut self, chrom: &str) -> Option<u32> {
        if let Some(t) = self.tids.get(chrom) {
            return *t;
        }
        let tid = match self.matcher.resolve(chrom) {
            Ok(Some(name)) => self.reader.header().tid(name.as_bytes()),
            _ => None,
        };
        self.tids.insert(chrom.to_string(), tid);
        tid
    }

    /// The repeat-length distribution at each of `sites`, in order. Nearby sites (same contig,
    /// in order, at most [`MAX_GAP`] apart) share one region query, so an index with coarse
    /// bins, or a CRAM whose slices must be decoded whole, is read once per group rather than
    /// once per site. Each site still counts exactly the reads overlapping its flanked span.
    ///
    /// # Errors
    /// A read or decompression failure (a truncated BAM, a CRAM whose reference is wrong).
    pub fn distributions(
        &mut self,
        sites: &[Site],
        filter: &ReadFilter,
    ) -> Result<Vec<Distribution>> {
        let mut out = vec![Distribution::default(); sites.len()];
        let mut first = 0;
        while first < sites.len() {
            let mut last = first + 1;
            let mut group_end = sites[first].span().1;
            while last < sites.len()
                && sites[last].chrom == sites[first].chrom
                && sites[last].start >= sites[last - 1].start
                && sites[last].span().0 <= group_end + MAX_GAP
            {
                group_end = group_end.max(sites[last].span().1);
                last += 1;
            }
            self.fill_group(&sites[first..last], &mut out[first..last], filter)?;
            first = last;
        }
        Ok(out)
    }

    fn fill_group(
        &mut self,
        sites: &[Site],
        out: &mut [Distribution],
        filter: &ReadFilter,
    ) -> Result<()> {
        let site0 = &sites[0];
        let Some(tid) = self.tid(&site0.chrom) else {
            return Ok(());
        };
        let spans: Vec<(i64, i64)> = sites
            .iter()
            .map(|s| {
                let (a, b) = s.span();
                (a as i64, b as i64)
            })
            .collect();
        let start = spans[0].0;
        let end = spans.iter().map(|s| s.1).max().unwrap_or(start);
        let path = &self.path;
        self.reader.fetch((tid as i32, start, end)).map_err(|e| {
            Error::invalid(
                path,
                Some(site0.locus()),
                format!("cannot query the region: {e}"),
            )
        })?;
        // Sites whose span ends at or before every later read's start are done (reads come
        // sorted by start).
        let mut lo = 0;
        while let Some(r) = self.reader.read(&mut self.record) {
            r.map_err(|e| {
                Error::invalid(
                    &self.path,
                    Some(site0.locus()),
                    format!("cannot read an alignment: {e}"),
                )
            })?;
            let rec = &self.record;
            if rec.flags() & SKIP_FLAGS != 0 || rec.mapq() < filter.min_mapq {
                continue;
            }
            let (rstart, rend) = (rec.pos(), rec.pos() + reference_length(rec.raw_cigar()));
            while lo < spans.len() && spans[lo].1 <= rstart {
                lo += 1;
            }
            let mut decoded = false;
            for i in lo..spans.len() {
                let (s, e) = spans[i];
                // The same overlap test as a region query of this site alone.
                if e <= rstart || rend <= s {
                    continue;
                }
                if !decoded {
                    let seq = rec.seq();
                    self.seq.clear();
                    self.seq.extend((0..seq.len()).map(|i| seq[i]));
                    decoded = true;
                }
                // Where the alignment puts the left flank in the read (soft clip included);
                // only used to choose between several copies of the flank in one read.
                let clip = match rec.raw_cigar().first() {
                    Some(op) if op & 0xf == 4 => i64::from(op >> 4),
                    _ => 0,
                };
                let expected = s - rstart + clip;
                if let Some(units) = repeat_units_in_read(&self.seq, &sites[i], expected) {
                    out[i].add(units);
                }
            }
        }
        Ok(())
    }
}

/// Reference bases an alignment covers (M, D, N, =, X operations).
fn reference_length(raw_cigar: &[u32]) -> i64 {
    raw_cigar
        .iter()
        .filter(|op| matches!(*op & 0xf, 0 | 2 | 3 | 7 | 8))
        .map(|op| i64::from(op >> 4))
        .sum()
}

/// Largest gap (bp) between sites read with one region query.
pub const MAX_GAP: u64 = 2_000;

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Site {
        Site {
            chrom: "c".into(),
            start: 10,
            unit: b"CA".to_vec(),
            repeats: 5,
            left_flank: b"GTTAC".to_vec(),
            right_flank: b"GGTCT".to_vec(),
        }
    }

    #[test]
    fn reads_repeat_length_between_exact_flanks() {
        let s = site();
        assert_eq!(
            repeat_units_in_read(b"AAGTTACCACACACACAGGTCTAA", &s, 2),
            Some(5)
        );
        // Two units lost (a deletion in the tumour).
        assert_eq!(
            repeat_units_in_read(b"AAGTTACCACACAGGTCTAA", &s, 2),
            Some(3)
        );
        // Right flank missing (read ends inside the repeat): not counted.
        assert_eq!(repeat_units_in_read(b"AAGTTACCACACACA", &s, 2), None);
        // A substitution in the flank: not counted.
        assert_eq!(
            repeat_units_in_read(b"AAGTAACCACACACACAGGTCTAA", &s, 2),
            None
        );
        // Half a unit more: the right flank does not follow a whole number of units.
        assert_eq!(
            repeat_units_in_read(b"AAGTTACCACACACACACGGTCTAA", &s, 2),
            None
        );
    }

    #[test]
    fn nearest_flank_copy_wins() {
        let s = site();
        // Two matches: 2 units at offset 0 and 4 units at offset 17.
        let read = b"GTTACCACAGGTCTTTTGTTACCACACACAGGTCT";
        assert_eq!(repeat_units_in_read(read, &s, 0), Some(2));
        assert_eq!(repeat_units_in_read(read, &s, 16), Some(4));
    }

    #[test]
    fn distribution_summaries() {
        let mut d = Distribution::default();
        for u in [5, 5, 4, 6, 5] {
            d.add(u);
        }
        assert_eq!(d.total(), 5);
        assert_eq!(d.mode(), Some(5));
        assert_eq!(d.other_than(5), 2);
        assert_eq!(d.summary(), "4:1,5:3,6:1");
        assert_eq!(Distribution::default().summary(), "NA");
    }
}
