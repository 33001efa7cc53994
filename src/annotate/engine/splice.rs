//! Introns and splice sites: VEP's intron, splice donor/acceptor and splice region predicates
//! (`Bio::EnsEMBL::Variation::Utils::VariationEffect`), on genomic coordinates.

use super::{overlap, FRAMESHIFT_INTRON_MAX};
use crate::annotate::Consequence;
use crate::genome::Transcript;

/// Pushes the intron and splice consequences of the change `s..=e` (an insertion when `ins`,
/// then `s = e + 1`) on `t`.
pub(super) fn intron_consequences(
    t: &Transcript,
    s: i64,
    e: i64,
    ins: bool,
    cons: &mut Vec<Consequence>,
) {
    let mut intronic = false;
    let mut start_splice = false;
    let mut end_splice = false;
    let mut splice_region = false;
    let mut in_fs_intron = false;
    for w in t.exons.windows(2) {
        let (is, ie) = (w[0].end as i64 + 1, w[1].start as i64);
        if ie < is {
            continue;
        }
        if (ie - is + 1) as u64 <= FRAMESHIFT_INTRON_MAX {
            if overlap(s, e, is, ie) {
                in_fs_intron = true;
            }
            continue;
        }
        if overlap(s, e, is + 2, ie - 2) || (ins && (s == is + 2 || e == ie - 2)) {
            intronic = true;
        }
        let ss = overlap(s, e, is, is + 1);
        let es = overlap(s, e, ie - 1, ie);
        start_splice |= ss;
        end_splice |= es;
        if !(start_splice || end_splice) {
            splice_region |= overlap(s, e, is + 2, is + 7)
                || overlap(s, e, ie - 7, ie - 2)
                || overlap(s, e, is - 3, is - 1)
                || overlap(s, e, ie + 1, ie + 3)
                || (ins && (s == is || e == ie || s == is + 2 || e == ie - 2));
        }
    }
    let (donor, acceptor) = if t.is_reverse() {
        (end_splice, start_splice)
    } else {
        (start_splice, end_splice)
    };
    if donor {
        cons.push(Consequence::SpliceDonorVariant);
    }
    if acceptor {
        cons.push(Consequence::SpliceAcceptorVariant);
    }
    if splice_region && !donor && !acceptor {
        cons.push(Consequence::SpliceRegionVariant);
    }
    if intronic && !in_fs_intron {
        cons.push(Consequence::IntronVariant);
    }
}
