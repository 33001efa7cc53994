//! VEP's genomic 3' shift of indels (`TranscriptVariationAllele::_genomic_shift`): the reference
//! window read around a record, and the allele moved along it for HGVS.

use super::Allele;
use crate::io::vcf::RecordView;

/// Reference bases around a record (forward strand, upper case), for VEP's genomic 3' shift of
/// indels in HGVSc. Without one, HGVSc of indels is shifted within the spliced transcript only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefWindow {
    /// 1-based position of `seq[0]`.
    pub start: u64,
    pub seq: Vec<u8>,
}

impl RefWindow {
    /// The base at 1-based position `pos`, if inside the window.
    pub fn base(&self, pos: i64) -> Option<u8> {
        let i = pos - self.start as i64;
        (i >= 0)
            .then(|| self.seq.get(i as usize).copied())
            .flatten()
    }
}

/// VEP searches 1,000 bases on each side of an indel when shifting it (`_genomic_shift`).
const SHIFT_WINDOW: u64 = 1000;

/// The window VEP's HGVS shift reads around `rec` from `contig_seq` (its contig's forward
/// sequence), or `None` for records without an indel or multi-base change.
pub fn window_for(rec: &RecordView<'_>, contig_seq: &[u8]) -> Option<RefWindow> {
    let longest = rec.alts().map(str::len).max().unwrap_or(0);
    if rec.reference.len() <= 1 && longest <= 1 {
        return None;
    }
    let start = rec.pos.saturating_sub(SHIFT_WINDOW + 1).max(1);
    let end =
        (rec.pos + rec.reference.len() as u64 + SHIFT_WINDOW + 1).min(contig_seq.len() as u64);
    if start > end {
        return None;
    }
    let mut seq = contig_seq[(start - 1) as usize..end as usize].to_vec();
    seq.make_ascii_uppercase();
    Some(RefWindow { start, seq })
}

/// VEP's genomic 3' shift (`_genomic_shift`, `perform_shift`) of an insertion or deletion, in
/// the transcript's direction (towards lower positions on the reverse strand), within `w`.
pub(super) fn shifted_allele(a: &Allele, reverse: bool, w: &RefWindow) -> Option<Allele> {
    let mut x = a.clone();
    let del = a.alternative.is_empty();
    if !(del || a.reference.is_empty()) {
        return None;
    }
    let (mut s, mut e) = (a.start as i64, a.end as i64);
    let mut seq = if del {
        x.reference.clone()
    } else {
        x.alternative.clone()
    };
    if seq.is_empty() {
        return None;
    }
    loop {
        if reverse {
            // Compare the last base with the base before the change.
            let before = w.base(s - 1);
            if before.is_none() || before != seq.last().copied() {
                break;
            }
            seq.rotate_right(1);
            s -= 1;
            e -= 1;
        } else {
            let after = w.base(if del { e + 1 } else { s });
            if after.is_none() || after != seq.first().copied() {
                break;
            }
            seq.rotate_left(1);
            s += 1;
            e += 1;
        }
    }
    if s == a.start as i64 {
        return None;
    }
    x.start = s as u64;
    x.end = e as u64;
    if del {
        x.reference = seq;
    } else {
        x.alternative = seq;
    }
    Some(x)
}
