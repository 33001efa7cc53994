//! The position and sequence columns of one entry: EXON/INTRON, cDNA/CDS/protein positions,
//! Amino_acids, Codons, the frameshift peptide and the view HGVS reads.

use super::{overlap, Ctx};
use crate::annotate::TranscriptAnnotation;
use crate::genome::Transcript;

/// The read-only view HGVS needs.
pub(crate) struct HgvsInput<'a> {
    pub t: &'a Transcript,
    pub s: i64,
    pub e: i64,
    pub ins: bool,
    pub seq: &'a [u8],
    pub cdna_start: Option<i64>,
    pub cdna_end: Option<i64>,
    pub fully_exonic: bool,
    pub cds_start: Option<i64>,
    pub cds_end: Option<i64>,
    pub translation_start: Option<i64>,
    pub ref_pep: Option<&'a [u8]>,
    pub alt_pep: Option<&'a [u8]>,
    pub frameshift: bool,
    pub translateable: &'a [u8],
    pub window: Option<&'a super::RefWindow>,
}

pub(super) fn ctx_view<'a>(c: &'a Ctx<'a>) -> HgvsInput<'a> {
    HgvsInput {
        t: c.t,
        s: c.s,
        e: c.e,
        ins: c.ins,
        seq: &c.seq,
        cdna_start: c.cdna_start,
        cdna_end: c.cdna_end,
        fully_exonic: c.fully_exonic,
        cds_start: c.cds_start,
        cds_end: c.cds_end,
        translation_start: c.codons.as_ref().map(|x| x.translation_start),
        ref_pep: c.codons.as_ref().map(|x| x.ref_pep.as_slice()),
        alt_pep: c.codons.as_ref().map(|x| x.alt_pep.as_slice()),
        frameshift: c.codons.as_ref().is_some_and(|x| x.frameshift),
        translateable: &c.translateable,
        window: c.window,
    }
}

fn range_text(a: Option<i64>, b: Option<i64>) -> Option<String> {
    match (a, b) {
        (None, None) => None,
        (Some(x), Some(y)) if x == y => Some(x.to_string()),
        (Some(x), Some(y)) => Some(format!("{}-{}", x.min(y), x.max(y))),
        (Some(x), None) => Some(format!("{x}-?")),
        (None, Some(y)) => Some(format!("?-{y}")),
    }
}

pub(super) fn fill_positions(c: &Ctx<'_>, ann: &mut TranscriptAnnotation) {
    let t = c.t;
    // EXON / INTRON numbers in transcript order.
    let n = t.exons.len();
    let mut exon_hits = Vec::new();
    let mut intron_hits = Vec::new();
    let order: Vec<(usize, crate::genome::Interval)> = t.exons_in_transcript_order().collect();
    for (i, (num, x)) in order.iter().enumerate() {
        if overlap(c.s, c.e, x.start as i64 + 1, x.end as i64) {
            exon_hits.push(*num);
        }
        if i + 1 < order.len() {
            let y = order[i + 1].1;
            let (is, ie) = if t.is_reverse() {
                (y.end as i64 + 1, x.start as i64)
            } else {
                (x.end as i64 + 1, y.start as i64)
            };
            if overlap(c.s, c.e, is, ie) {
                intron_hits.push(*num);
            }
        }
    }
    let fmt = |hits: &[usize], total: usize| -> Option<String> {
        match hits {
            [] => None,
            [one] => Some(format!("{one}/{total}")),
            [first, .., last] => Some(format!("{first}-{last}/{total}")),
        }
    };
    ann.exon = fmt(&exon_hits, n);
    ann.intron = fmt(&intron_hits, n.saturating_sub(1));
    ann.cdna_position = range_text(c.cdna_start, c.cdna_end);
    if c.t.coding.is_some() {
        ann.cds_position = range_text(c.cds_start, c.cds_end);
    }
    if let Some(k) = &c.codons {
        ann.protein_position = range_text(Some(k.translation_start), Some(k.translation_end));
        let show = |p: &[u8]| {
            if p.is_empty() {
                "-".to_string()
            } else {
                String::from_utf8_lossy(p).into_owned()
            }
        };
        ann.amino_acids = Some(if k.ref_pep == k.alt_pep {
            show(&k.ref_pep)
        } else {
            format!("{}/{}", show(&k.ref_pep), show(&k.alt_pep))
        });
        ann.codons = Some(codon_text(c, k));
    } else if c.t.coding.is_some() {
        // No peptide (the change leaves the CDS): VEP's Protein_position still maps each end
        // that lies in the CDS (`translation_coords`), so `38-?` or `?-120`.
        let codon = |x: i64| (x + 2) / 3;
        ann.protein_position = range_text(c.cds_start.map(codon), c.cds_end.map(codon));
    }
}

/// VEP's Codons: changed bases upper case, the rest of the codon lower case.
fn codon_text(c: &Ctx<'_>, k: &super::coding::Codons) -> String {
    let (lo, hi) = (c.cds_start.unwrap_or(0), c.cds_end.unwrap_or(0));
    let codon_start = k.translation_start * 3 - 2;
    let before = (lo - codon_start).max(0) as usize;
    let mut r = k.ref_codon.to_ascii_lowercase();
    let ref_len = (hi - lo + 1).max(0) as usize;
    for b in r.iter_mut().skip(before).take(ref_len) {
        b.make_ascii_uppercase();
    }
    let mut a = k.alt_codon.to_ascii_lowercase();
    for b in a.iter_mut().skip(before).take(c.seq.len()) {
        b.make_ascii_uppercase();
    }
    let show = |p: Vec<u8>| {
        if p.is_empty() {
            "-".to_string()
        } else {
            String::from_utf8_lossy(&p).into_owned()
        }
    };
    format!("{}/{}", show(r), show(a))
}

/// pVACtools' Frameshift plugin: the CDS before the variant, the allele, the rest of the CDS and
/// the 3' UTR, translated up to the first stop (not included).
pub(super) fn frameshift_sequence(c: &Ctx<'_>) -> Option<String> {
    let (cs, ce) = (c.cds_start?, c.cds_end?);
    let (low, high) = (cs.min(ce), cs.max(ce));
    let ins = cs > ce;
    let tr = &c.translateable;
    let before_len = (low - if ins { 0 } else { 1 }) as usize;
    let after_from = (high - if ins { 1 } else { 0 }) as usize;
    let mut s = tr.get(..before_len.min(tr.len()))?.to_vec();
    s.extend_from_slice(&c.seq);
    if after_from <= tr.len() {
        s.extend_from_slice(&tr[after_from..]);
    }
    s.extend_from_slice(c.t.three_prime_utr());
    let mut p = c.t.code.translate(&s);
    if let Some(i) = p.iter().position(|&x| x == b'*') {
        p.truncate(i);
    }
    Some(String::from_utf8_lossy(&p).into_owned())
}
