//! Introns and splice sites: VEP's intron, splice donor/acceptor, donor 5th base, donor region,
//! polypyrimidine tract and splice region predicates, on genomic coordinates.
//!
//! This follows `BaseTranscriptVariationAllele::_intron_effects` (ensembl-variation 115) and the
//! predicates built on it in `Utils::VariationEffect`: each region where REF and ALT differ is
//! tested against every intron it overlaps and every intron whose boundary (3 exon bases, 8
//! intron bases) it overlaps.

use super::{overlap, Allele, FRAMESHIFT_INTRON_MAX};
use crate::annotate::Consequence;
use crate::genome::Transcript;

/// The flags `_intron_effects` sets.
#[derive(Default)]
struct IntronEffects {
    intronic: bool,
    start_splice_site: bool,
    end_splice_site: bool,
    fifth_base: bool,
    fifth_base_reverse: bool,
    donor_region: bool,
    donor_region_reverse: bool,
    polypyrimidine: bool,
    polypyrimidine_reverse: bool,
    splice_region: bool,
}

/// VEP's `_get_differing_regions`: for an allele whose REF and ALT both have more than one base,
/// the runs of positions where they differ (offsets from the allele start; Perl's string XOR, so
/// the longer allele's tail differs); otherwise the whole allele.
fn differing_regions(a: &Allele) -> Vec<(i64, i64)> {
    let (r, x) = (&a.reference, &a.alternative);
    if r.len() <= 1 || x.len() <= 1 {
        return vec![(0, a.end as i64 - a.start as i64)];
    }
    let n = r.len().max(x.len());
    let differs = |i: usize| i >= r.len() || i >= x.len() || r[i] != x[i];
    let mut out: Vec<(i64, i64)> = Vec::new();
    for i in (0..n).filter(|&i| differs(i)) {
        match out.last_mut() {
            Some(last) if last.1 + 1 == i as i64 => last.1 = i as i64,
            _ => out.push((i as i64, i as i64)),
        }
    }
    out
}

fn intron_effects(t: &Transcript, a: &Allele) -> IntronEffects {
    let mut fx = IntronEffects::default();
    let vf_start = a.start as i64;
    let introns: Vec<(i64, i64)> = t
        .exons
        .windows(2)
        .map(|w| (w[0].end as i64 + 1, w[1].start as i64))
        // RefSeq-style overlapping exons give "introns" with start > end: VEP skips them.
        .filter(|(is, ie)| is <= ie)
        .collect();
    for (rs, re) in differing_regions(a) {
        let (s, e) = (vf_start + rs, vf_start + re);
        let insertion = s == e + 1;
        let (min, max) = (s.min(e), s.max(e));
        for &(is, ie) in &introns {
            // VEP's intron length here is `abs(end - start)`, one less than the base count.
            let frameshift_intron = ((ie - is).unsigned_abs()) <= FRAMESHIFT_INTRON_MAX;
            // The introns the allele overlaps.
            if overlap(min, max, is, ie) {
                if frameshift_intron && overlap(s, e, is, ie) {
                    // `within_frameshift_intron`: no intron effects from this one.
                } else {
                    if overlap(s, e, is + 2, ie - 2) || (insertion && (s == is + 2 || e == ie - 2))
                    {
                        fx.intronic = true;
                    }
                    fx.polypyrimidine |= overlap(min, max, ie - 16, ie - 2);
                    fx.polypyrimidine_reverse |= overlap(min, max, is + 2, is + 16);
                }
            }
            // The introns whose boundary region the allele overlaps.
            let boundary = overlap(min, max, is - 3, is + 7) || overlap(min, max, ie - 7, ie + 3);
            if !boundary || (frameshift_intron && overlap(s, e, is, ie)) {
                continue;
            }
            fx.start_splice_site |= overlap(s, e, is, is + 1);
            fx.end_splice_site |= overlap(s, e, ie - 1, ie);
            fx.fifth_base |= overlap(s, e, is + 4, is + 4);
            fx.donor_region |= overlap(s, e, is + 2, is + 5);
            fx.polypyrimidine |= overlap(s, e, ie - 16, ie - 2);
            fx.fifth_base_reverse |= overlap(s, e, ie - 4, ie - 4);
            fx.donor_region_reverse |= overlap(s, e, ie - 5, ie - 2);
            fx.polypyrimidine_reverse |= overlap(s, e, is + 2, is + 16);
            // Assigned, not accumulated, as in VEP: the last boundary intron decides.
            if !(fx.start_splice_site || fx.end_splice_site) {
                fx.splice_region = splice_region_overlap(s, e, is, ie, insertion);
            }
        }
    }
    fx
}

/// `Utils::VariationEffect::_intron_overlap`: 3 exon bases or intron bases 3–8 from either end,
/// and insertions at the exon edge or between splice-site bases 2 and 3.
fn splice_region_overlap(s: i64, e: i64, is: i64, ie: i64, insertion: bool) -> bool {
    overlap(s, e, is + 2, is + 7)
        || overlap(s, e, ie - 7, ie - 2)
        || overlap(s, e, is - 3, is - 1)
        || overlap(s, e, ie + 1, ie + 3)
        || (insertion && (s == is || e == ie || s == is + 2 || e == ie - 2))
}

/// Pushes the intron and splice consequences of allele `a` on `t`.
pub(super) fn intron_consequences(t: &Transcript, a: &Allele, cons: &mut Vec<Consequence>) {
    let fx = intron_effects(t, a);
    let forward = !t.is_reverse();
    // donor_splice_site / acceptor_splice_site: the intron's 5' end is its genomic start on the
    // forward strand.
    let (donor, acceptor) = if forward {
        (fx.start_splice_site, fx.end_splice_site)
    } else {
        (fx.end_splice_site, fx.start_splice_site)
    };
    let fifth = if forward {
        fx.fifth_base
    } else {
        fx.fifth_base_reverse
    };
    // splice_donor_region_variant yields to the 5th base term.
    let donor_region = !fifth
        && if forward {
            fx.donor_region
        } else {
            fx.donor_region_reverse
        };
    // Config.pm runs this predicate only for alleles that touch no exon (`include => {exon => 0,
    // intron => 1}`, the exon test on the allele's sorted span).
    let (min, max) = {
        let (s, e) = (a.start as i64, a.end as i64);
        (s.min(e), s.max(e))
    };
    let touches_exon = t
        .exons
        .iter()
        .any(|x| overlap(min, max, x.start as i64 + 1, x.end as i64));
    let polypyrimidine = !touches_exon
        && if forward {
            fx.polypyrimidine
        } else {
            fx.polypyrimidine_reverse
        };
    // splice_region yields to donor/acceptor, donor region and 5th base (not to the
    // polypyrimidine tract, which VEP writes beside it).
    let splice_region = fx.splice_region && !donor && !acceptor && !donor_region && !fifth;
    for (hit, term) in [
        (donor, Consequence::SpliceDonorVariant),
        (acceptor, Consequence::SpliceAcceptorVariant),
        (fifth, Consequence::SpliceDonor5thBaseVariant),
        (splice_region, Consequence::SpliceRegionVariant),
        (donor_region, Consequence::SpliceDonorRegionVariant),
        (
            polypyrimidine,
            Consequence::SplicePolypyrimidineTractVariant,
        ),
        (fx.intronic, Consequence::IntronVariant),
    ] {
        if hit {
            cons.push(term);
        }
    }
}
