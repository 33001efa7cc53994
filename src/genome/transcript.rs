//! A transcript: exons, coding region, spliced sequence, and the coordinate maps between the
//! genome and the transcript (cDNA) and coding sequence (CDS).
//!
//! Stored as 0-based half-open [`Interval`]s like the rest of `genome/`; the helpers that mirror
//! Ensembl VEP's arithmetic take and return 1-based inclusive positions, named `*_1` (one place
//! where the two conventions meet).

use crate::genome::codon::GeneticCode;
use crate::genome::{Interval, Strand};

/// The coding part of a transcript.
#[derive(Debug, Clone)]
pub struct Coding {
    /// Genomic span of the CDS including the stop codon (Ensembl's coding_region_start/end).
    pub span: Interval,
    /// 1-based cDNA positions of the first and last coding base (transcript orientation).
    pub cdna_start: usize,
    pub cdna_end: usize,
    /// Tagged `cds_start_NF` / `cds_end_NF` (incomplete CDS).
    pub start_nf: bool,
    pub end_nf: bool,
    /// `N`s put before an incomplete CDS so its first whole codon stays in frame (Ensembl's
    /// translateable_seq does the same); CDS positions count them.
    pub pad: usize,
    /// The translation without its final stop: VEP's Wildtype plugin's `WildtypeProtein`.
    pub protein: Vec<u8>,
    /// `protein_id[.protein_version]` from the GTF, for HGVSp.
    pub protein_id: Option<String>,
}

/// One transcript of the annotation, with its spliced sequence.
#[derive(Debug, Clone)]
pub struct Transcript {
    /// `transcript_id` as in the GTF (no version).
    pub id: String,
    pub version: Option<String>,
    pub gene_id: String,
    pub gene_name: Option<String>,
    pub biotype: String,
    /// Reference (FASTA) contig name.
    pub contig: String,
    pub strand: Strand,
    /// Exons in genomic order.
    pub exons: Vec<Interval>,
    pub coding: Option<Coding>,
    pub canonical: bool,
    pub mane_select: Option<String>,
    pub tsl: Option<String>,
    pub basic: bool,
    /// Spliced sequence, 5'→3' of the transcript.
    pub seq: Vec<u8>,
    /// The code its CDS is translated with (table 2 on the mitochondrial genome).
    pub code: GeneticCode,
}

impl Transcript {
    pub fn span(&self) -> Interval {
        Interval::new(
            self.exons.first().map_or(0, |e| e.start),
            self.exons.last().map_or(0, |e| e.end),
        )
    }

    pub fn is_reverse(&self) -> bool {
        self.strand == Strand::Reverse
    }

    /// `ID.version` when the GTF gives a version (VEP's and snpEff's Feature).
    pub fn stable_id(&self) -> String {
        match &self.version {
            Some(v) => format!("{}.{}", self.id, v),
            None => self.id.clone(),
        }
    }

    pub fn cdna_len(&self) -> usize {
        self.seq.len()
    }

    /// Exon numbers (1-based, transcript order) and genomic intervals, in transcript order.
    pub fn exons_in_transcript_order(&self) -> impl Iterator<Item = (usize, Interval)> + '_ {
        let n = self.exons.len();
        let rev = self.is_reverse();
        (0..n).map(move |i| {
            let g = if rev { n - 1 - i } else { i };
            (i + 1, self.exons[g])
        })
    }

    /// 1-based cDNA position of 1-based genomic position `g`, when exonic.
    pub fn cdna_pos_1(&self, g: u64) -> Option<usize> {
        let g0 = g.checked_sub(1)?;
        let mut before = 0u64;
        if self.is_reverse() {
            for e in self.exons.iter().rev() {
                if e.contains(g0) {
                    return Some((before + (e.end - 1 - g0) + 1) as usize);
                }
                before += e.len();
            }
        } else {
            for e in &self.exons {
                if e.contains(g0) {
                    return Some((before + (g0 - e.start) + 1) as usize);
                }
                before += e.len();
            }
        }
        None
    }

    /// 1-based genomic position of 1-based cDNA position `c`.
    pub fn genomic_pos_1(&self, c: usize) -> Option<u64> {
        let mut left = c as u64;
        if left == 0 {
            return None;
        }
        if self.is_reverse() {
            for e in self.exons.iter().rev() {
                if left <= e.len() {
                    return Some(e.end - left + 1);
                }
                left -= e.len();
            }
        } else {
            for e in &self.exons {
                if left <= e.len() {
                    return Some(e.start + left);
                }
                left -= e.len();
            }
        }
        None
    }

    /// The sequence translated for the protein: padding `N`s, the CDS and its stop codon
    /// (Ensembl's translateable_seq). Empty for non-coding transcripts.
    pub fn translateable_seq(&self) -> Vec<u8> {
        let Some(c) = &self.coding else {
            return Vec::new();
        };
        let mut s = vec![b'N'; c.pad];
        s.extend_from_slice(&self.seq[c.cdna_start - 1..c.cdna_end]);
        s
    }

    pub fn five_prime_utr(&self) -> &[u8] {
        match &self.coding {
            Some(c) => &self.seq[..c.cdna_start - 1],
            None => &[],
        }
    }

    pub fn three_prime_utr(&self) -> &[u8] {
        match &self.coding {
            Some(c) => &self.seq[c.cdna_end..],
            None => &[],
        }
    }

    /// 1-based CDS position (counting padding) of a 1-based cDNA position; may be ≤ 0 or past the
    /// end for UTR positions.
    pub fn cds_of_cdna(&self, cdna: usize) -> Option<i64> {
        let c = self.coding.as_ref()?;
        Some(cdna as i64 - c.cdna_start as i64 + 1 + c.pad as i64)
    }

    /// Length of the translateable sequence.
    pub fn cds_len(&self) -> usize {
        self.coding
            .as_ref()
            .map_or(0, |c| c.cdna_end + 1 - c.cdna_start + c.pad)
    }
}

/// Translation of a translateable sequence with its final stop removed (Ensembl's
/// `Translation::seq`).
pub fn protein_of(translateable: &[u8], code: GeneticCode) -> Vec<u8> {
    let mut p = code.translate(translateable);
    if p.last() == Some(&b'*') {
        p.pop();
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(strand: Strand) -> Transcript {
        Transcript {
            id: "T".into(),
            version: Some("2".into()),
            gene_id: "G".into(),
            gene_name: None,
            biotype: "protein_coding".into(),
            contig: "c".into(),
            strand,
            // exons 11-15 and 21-30 (1-based)
            exons: vec![Interval::new(10, 15), Interval::new(20, 30)],
            coding: None,
            canonical: false,
            mane_select: None,
            tsl: None,
            basic: true,
            seq: vec![b'A'; 15],
            code: GeneticCode::Standard,
        }
    }

    #[test]
    fn maps_both_strands() {
        let f = tx(Strand::Forward);
        assert_eq!(f.cdna_pos_1(11), Some(1));
        assert_eq!(f.cdna_pos_1(15), Some(5));
        assert_eq!(f.cdna_pos_1(16), None);
        assert_eq!(f.cdna_pos_1(21), Some(6));
        assert_eq!(f.genomic_pos_1(6), Some(21));
        let r = tx(Strand::Reverse);
        assert_eq!(r.cdna_pos_1(30), Some(1));
        assert_eq!(r.cdna_pos_1(21), Some(10));
        assert_eq!(r.cdna_pos_1(15), Some(11));
        assert_eq!(r.cdna_pos_1(11), Some(15));
        assert_eq!(r.genomic_pos_1(11), Some(15));
        assert_eq!(r.stable_id(), "T.2");
        let order: Vec<usize> = r
            .exons_in_transcript_order()
            .map(|(n, e)| n * 100 + e.start as usize)
            .collect();
        assert_eq!(order, vec![120, 210]);
    }
}
