//! Tumour DNA / RNA read support counted from an indexed BAM (the job pVACseq leaves to
//! bam-readcount and vatools): reads overlapping the variant, fetched by region, with mapping
//! and base quality thresholds; duplicates, secondary, supplementary and QC-failed reads are
//! skipped; insertions and deletions are read from the CIGAR next to the anchor base.

use std::path::{Path, PathBuf};

use rust_htslib::bam::{self, record::Cigar, Read};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::genome::ContigMatcher;
use crate::io::vcf::VcfHeader;

/// Read filters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CountParams {
    pub min_mapping_quality: u8,
    pub min_base_quality: u8,
}

impl Default for CountParams {
    fn default() -> Self {
        // bam-readcount as pVACseq's docs run it: -q 1 (mapping) -b 20 (base).
        Self {
            min_mapping_quality: 1,
            min_base_quality: 20,
        }
    }
}

/// Reads covering the variant and reads carrying the ALT.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub depth: u32,
    pub alt: u32,
}

impl Counts {
    pub fn vaf(&self) -> Option<f64> {
        (self.depth > 0).then(|| f64::from(self.alt) / f64::from(self.depth))
    }
}

/// The change a read is tested for, in 0-based reference coordinates.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    /// Same-length substitution starting at `start`.
    Substitution { start: i64, alt: Vec<u8> },
    /// Bases inserted right after the anchor base at `anchor`.
    Insertion { anchor: i64, bases: Vec<u8> },
    /// `len` bases deleted right after the anchor base at `anchor`.
    Deletion { anchor: i64, len: u32 },
}

/// The change of a VCF allele, or `None` for complex ones this counter does not model.
fn change_of(pos: u64, reference: &str, alt: &str) -> Option<Change> {
    let (mut r, mut a) = (reference.as_bytes(), alt.as_bytes());
    while r.len() > 1
        && a.len() > 1
        && r.last().map(u8::to_ascii_uppercase) == a.last().map(u8::to_ascii_uppercase)
    {
        r = &r[..r.len() - 1];
        a = &a[..a.len() - 1];
    }
    let p0 = pos as i64 - 1;
    if r.len() == a.len() {
        // Drop leading bases equal to the reference.
        let skip = r
            .iter()
            .zip(a)
            .take_while(|(x, y)| x.eq_ignore_ascii_case(y))
            .count();
        if skip == r.len() {
            return None;
        }
        return Some(Change::Substitution {
            start: p0 + skip as i64,
            alt: a[skip..].to_ascii_uppercase(),
        });
    }
    if !r[0].eq_ignore_ascii_case(&a[0]) {
        return None;
    }
    if r.len() == 1 {
        Some(Change::Insertion {
            anchor: p0,
            bases: a[1..].to_ascii_uppercase(),
        })
    } else if a.len() == 1 {
        Some(Change::Deletion {
            anchor: p0,
            len: (r.len() - 1) as u32,
        })
    } else {
        None
    }
}

/// An indexed BAM/CRAM opened for counting; one per worker thread.
pub struct BamCounter {
    path: PathBuf,
    reader: bam::IndexedReader,
    contigs: ContigMatcher,
    names: Vec<String>,
    params: CountParams,
    record: bam::Record,
}

impl BamCounter {
    /// Opens `path` and its index.
    ///
    /// # Errors
    /// Missing index (the message says how to make one), unreadable file.
    pub fn open(path: &Path, params: CountParams) -> Result<Self> {
        crate::io::alignments::check(path, None, None)?;
        let reader = bam::IndexedReader::from_path(path).map_err(|e| {
            Error::invalid(
                path,
                None,
                format!("cannot open the BAM with its index: {e}"),
            )
        })?;
        let names: Vec<String> = reader
            .header()
            .target_names()
            .iter()
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .collect();
        Ok(Self {
            path: path.to_path_buf(),
            contigs: ContigMatcher::new(names.clone()),
            names,
            reader,
            params,
            record: bam::Record::new(),
        })
    }

    /// Checks the VCF's contigs against the BAM's: same names (up to a `chr` prefix) and, where
    /// both give them, same lengths.
    ///
    /// # Errors
    /// No VCF contig is in the BAM, or a length differs (another reference build).
    pub fn check_contigs(&self, vcf: &VcfHeader, vcf_path: &Path) -> Result<()> {
        let header = self.reader.header();
        let mut any = vcf.contigs.is_empty();
        for (name, len) in &vcf.contigs {
            if let Ok(Some(bam_name)) = self.contigs.resolve(name) {
                any = true;
                let tid = header.tid(bam_name.as_bytes());
                let bam_len = tid.and_then(|t| header.target_len(t));
                if let (Some(a), Some(b)) = (len, bam_len) {
                    if *a != b {
                        return Err(Error::invalid(
                            &self.path,
                            None,
                            format!("contig {name} is {a} bp in {} but {bam_name} is {b} bp in the BAM: the files use different reference builds", vcf_path.display()),
                        ));
                    }
                }
            }
        }
        if !any {
            return Err(Error::invalid(
                &self.path,
                None,
                format!(
                    "none of the VCF's contigs ({}) is in the BAM (which has {}): the files come from different references",
                    vcf.contigs.iter().take(5).map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", "),
                    self.names.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        Ok(())
    }

    /// Counts reads for one allele; `Ok(None)` for complex alleles.
    ///
    /// # Errors
    /// The contig is not in the BAM; a read cannot be decoded.
    pub fn count(
        &mut self,
        chrom: &str,
        pos: u64,
        reference: &str,
        alt: &str,
    ) -> Result<Option<Counts>> {
        let Some(change) = change_of(pos, reference, alt) else {
            return Ok(None);
        };
        let name = match self.contigs.resolve(chrom) {
            Ok(Some(n)) => n.to_string(),
            _ => {
                return Err(Error::invalid(
                    &self.path,
                    Some(format!("{chrom}:{pos}")),
                    format!(
                        "contig {chrom} of the VCF is not in the BAM (its contigs: {}...)",
                        self.names
                            .iter()
                            .take(5)
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ))
            }
        };
        let tid = self
            .reader
            .header()
            .tid(name.as_bytes())
            .ok_or_else(|| Error::Internal("contig resolved but has no tid".into()))?
            as i32;
        let (start, end) = match &change {
            Change::Substitution { start, alt } => (*start, *start + alt.len() as i64),
            Change::Insertion { anchor, .. } => (*anchor, *anchor + 2),
            Change::Deletion { anchor, len } => (*anchor, *anchor + 2 + i64::from(*len)),
        };
        self.reader
            .fetch(bam::FetchDefinition::Region(tid, start, end))
            .map_err(|e| {
                Error::invalid(
                    &self.path,
                    Some(format!("{chrom}:{pos}")),
                    format!("cannot fetch the region: {e}"),
                )
            })?;
        let mut counts = Counts::default();
        while let Some(r) = self.reader.read(&mut self.record) {
            r.map_err(|e| {
                Error::invalid(
                    &self.path,
                    Some(format!("{chrom}:{pos}")),
                    format!("unreadable record: {e}"),
                )
            })?;
            let rec = &self.record;
            if rec.is_unmapped()
                || rec.is_secondary()
                || rec.is_supplementary()
                || rec.is_duplicate()
                || rec.is_quality_check_failed()
            {
                continue;
            }
            if rec.mapq() < self.params.min_mapping_quality {
                continue;
            }
            match classify(rec, &change, self.params.min_base_quality) {
                Some(true) => {
                    counts.depth += 1;
                    counts.alt += 1;
                }
                Some(false) => counts.depth += 1,
                None => {}
            }
        }
        Ok(Some(counts))
    }
}

/// `Some(true)`: the read carries the change; `Some(false)`: it covers the site without it;
/// `None`: it does not cover the site (or its bases there are below the quality threshold).
fn classify(rec: &bam::Record, change: &Change, min_bq: u8) -> Option<bool> {
    let seq = rec.seq();
    let qual = rec.qual();
    // Walk the CIGAR: (reference position, query position) at each aligned base.
    let mut rpos = rec.pos();
    let mut qpos: usize = 0;
    let ops: Vec<Cigar> = rec.cigar().iter().copied().collect();
    match change {
        Change::Substitution { start, alt } => {
            let mut matched = 0usize;
            let mut all_alt = true;
            for op in &ops {
                match *op {
                    Cigar::Match(n) | Cigar::Equal(n) | Cigar::Diff(n) => {
                        for k in 0..i64::from(n) {
                            let r = rpos + k;
                            if r >= *start && r < *start + alt.len() as i64 {
                                let q = qpos + k as usize;
                                if qual.get(q).copied().unwrap_or(0) < min_bq {
                                    return None;
                                }
                                all_alt &= seq[q].to_ascii_uppercase() == alt[(r - start) as usize];
                                matched += 1;
                            }
                        }
                        rpos += i64::from(n);
                        qpos += n as usize;
                    }
                    Cigar::Ins(n) | Cigar::SoftClip(n) => qpos += n as usize,
                    Cigar::Del(n) | Cigar::RefSkip(n) => {
                        let (a, b) = (rpos, rpos + i64::from(n));
                        if a < *start + alt.len() as i64 && b > *start {
                            // A deletion or intron over the site: the read does not show these bases.
                            return None;
                        }
                        rpos = b;
                    }
                    Cigar::HardClip(_) | Cigar::Pad(_) => {}
                }
            }
            (matched == alt.len()).then_some(all_alt)
        }
        Change::Insertion { anchor, .. } | Change::Deletion { anchor, .. } => {
            for (i, op) in ops.iter().enumerate() {
                match *op {
                    Cigar::Match(n) | Cigar::Equal(n) | Cigar::Diff(n) => {
                        let last = rpos + i64::from(n) - 1;
                        if *anchor >= rpos && *anchor <= last {
                            let q = qpos + (*anchor - rpos) as usize;
                            if qual.get(q).copied().unwrap_or(0) < min_bq {
                                return None;
                            }
                            if *anchor < last {
                                // The read continues on the reference after the anchor: no indel here.
                                return Some(false);
                            }
                            // The anchor ends the block: the next operation decides.
                            let next = ops[i + 1..].iter().find(|o| !matches!(o, Cigar::Pad(_)));
                            return match (change, next) {
                                (Change::Insertion { bases, .. }, Some(Cigar::Ins(len))) => {
                                    let ins: Vec<u8> = (0..*len as usize)
                                        .map(|k| seq[q + 1 + k].to_ascii_uppercase())
                                        .collect();
                                    Some(ins == *bases)
                                }
                                (Change::Deletion { len, .. }, Some(Cigar::Del(d))) => {
                                    Some(d == len)
                                }
                                (
                                    _,
                                    Some(
                                        Cigar::Match(_)
                                        | Cigar::Equal(_)
                                        | Cigar::Diff(_)
                                        | Cigar::Ins(_)
                                        | Cigar::Del(_),
                                    ),
                                ) => Some(false),
                                // Soft clip or read end right after the anchor: cannot tell.
                                _ => None,
                            };
                        }
                        rpos += i64::from(n);
                        qpos += n as usize;
                    }
                    Cigar::Ins(n) | Cigar::SoftClip(n) => qpos += n as usize,
                    Cigar::Del(n) | Cigar::RefSkip(n) => {
                        if *anchor >= rpos && *anchor < rpos + i64::from(n) {
                            return None;
                        }
                        rpos += i64::from(n);
                    }
                    Cigar::HardClip(_) | Cigar::Pad(_) => {}
                }
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_htslib::bam::{header::HeaderRecord, Header, Writer};

    #[test]
    fn allele_changes() {
        assert_eq!(
            change_of(10, "A", "G"),
            Some(Change::Substitution {
                start: 9,
                alt: b"G".to_vec()
            })
        );
        assert_eq!(
            change_of(10, "A", "ACT"),
            Some(Change::Insertion {
                anchor: 9,
                bases: b"CT".to_vec()
            })
        );
        assert_eq!(
            change_of(10, "ACT", "A"),
            Some(Change::Deletion { anchor: 9, len: 2 })
        );
        // Shared suffix trimmed: ATT>AT is a one-base deletion after A.
        assert_eq!(
            change_of(10, "ATT", "AT"),
            Some(Change::Deletion { anchor: 9, len: 1 })
        );
        assert_eq!(
            change_of(10, "AC", "GT"),
            Some(Change::Substitution {
                start: 9,
                alt: b"GT".to_vec()
            })
        );
        assert_eq!(change_of(10, "AC", "GTT"), None);
    }

    /// Writes a BAM of SAM-like reads on one 100 bp contig `c1`, indexed.
    fn bam_with(reads: &[(&str, u16, i64, u8, &str, &str)]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.bam");
        let mut header = Header::new();
        header.push_record(
            HeaderRecord::new(b"HD")
                .push_tag(b"VN", "1.6")
                .push_tag(b"SO", "coordinate"),
        );
        header.push_record(
            HeaderRecord::new(b"SQ")
                .push_tag(b"SN", "c1")
                .push_tag(b"LN", 100),
        );
        {
            let mut w = Writer::from_path(&path, &header, bam::Format::Bam).unwrap();
            for (name, flag, pos, mapq, cigar, seq) in reads {
                let mut r = bam::Record::new();
                let cig = bam::record::CigarString::try_from(*cigar).unwrap();
                let quals = vec![30u8; seq.len()];
                r.set(name.as_bytes(), Some(&cig), seq.as_bytes(), &quals);
                r.set_tid(0);
                r.set_pos(*pos);
                r.set_mapq(*mapq);
                r.set_flags(*flag);
                w.write(&r).unwrap();
            }
        }
        bam::index::build(&path, None, bam::index::Type::Bai, 1).unwrap();
        (dir, path)
    }

    #[test]
    fn counts_snv_insertion_deletion_with_filters() {
        // Reference positions are 0-based; VCF pos 11 is 0-based 10.
        let reads = [
            ("alt", 0, 5, 60, "10M", "AAAAAGAAAA"),      // G at 10
            ("ref", 0, 5, 60, "10M", "AAAAAAAAAA"),      // A at 10
            ("dup", 1024, 5, 60, "10M", "AAAAAGAAAA"),   // duplicate: skipped
            ("sec", 256, 5, 60, "10M", "AAAAAGAAAA"),    // secondary: skipped
            ("lowmq", 0, 5, 0, "10M", "AAAAAGAAAA"),     // MAPQ 0: skipped
            ("ins", 0, 5, 60, "6M2I4M", "AAAAAACTAAAA"), // CT inserted after 0-based 10
            ("del", 0, 5, 60, "6M2D4M", "AAAAAAAAAA"),   // 11-12 deleted after 10
        ];
        let (_d, path) = bam_with(&reads);
        let mut c = BamCounter::open(&path, CountParams::default()).unwrap();
        let snv = c.count("c1", 11, "A", "G").unwrap().unwrap();
        // alt + ref + ins (A at 10) + del (A at 10); the ins and del reads show A.
        assert_eq!(snv, Counts { depth: 4, alt: 1 });
        let ins = c.count("chr1", 11, "A", "ACT").err();
        assert!(ins.unwrap().to_string().contains("not in the BAM"));
        let ins = c.count("c1", 11, "A", "ACT").unwrap().unwrap();
        assert_eq!(ins, Counts { depth: 4, alt: 1 });
        let del = c.count("c1", 11, "AAA", "A").unwrap().unwrap();
        assert_eq!(del, Counts { depth: 4, alt: 1 });
    }

    #[test]
    fn bam_without_index_is_refused() {
        let (_d, path) = bam_with(&[("r", 0, 5, 60, "10M", "AAAAAAAAAA")]);
        std::fs::remove_file(format!("{}.bai", path.display())).unwrap();
        let e = BamCounter::open(&path, CountParams::default())
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("samtools index"), "{e}");
    }
}
