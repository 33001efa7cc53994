//! Coordinates and the coding consequences: VEP's cDNA/CDS mapping, reference and allele codons
//! and peptides, and the coding predicates of `VariationEffect.pm`.

use super::{overlap, Ctx};
use crate::annotate::Consequence;

pub(super) struct Codons {
    pub(super) translation_start: i64,
    pub(super) translation_end: i64,
    pub(super) ref_codon: Vec<u8>,
    pub(super) alt_codon: Vec<u8>,
    pub(super) ref_pep: Vec<u8>,
    pub(super) alt_pep: Vec<u8>,
    pub(super) frameshift: bool,
}

/// cDNA and CDS coordinates of the variant in transcript orientation (VEP's cdna_start/end and
/// cds_start/end: defined for the ends that fall in exons / in the CDS).
pub(super) fn map_coordinates(c: &mut Ctx<'_>) {
    let t = c.t;
    let rev = t.is_reverse();
    if c.ins {
        // Flanking bases: e (genomic before) and s (after).
        let (fe, fs) = (t.cdna_pos_1(c.e as u64), t.cdna_pos_1(c.s as u64));
        match (fe, fs) {
            (Some(a), Some(b)) => {
                let lo = a.min(b) as i64;
                if a.abs_diff(b) == 1 {
                    c.cdna_start = Some(lo + 1);
                    c.cdna_end = Some(lo);
                    c.fully_exonic = true;
                }
            }
            // One flank exonic, the other intronic: Ensembl's `Mapper::map_insert` keeps the
            // exonic flank and places the insertion after it when it is the 5' flank (in
            // transcript order), before it when it is the 3' flank.
            (Some(x), None) | (None, Some(x)) => {
                let x = x as i64;
                let five_prime_flank = fe.is_some() != rev;
                let (start, end) = if five_prime_flank {
                    (x + 1, x)
                } else {
                    (x, x - 1)
                };
                c.cdna_start = Some(start);
                c.cdna_end = Some(end);
                c.fully_exonic = true;
            }
            (None, None) => {}
        }
    } else {
        // Transcript order: the 5'-most base first.
        let (first, last) = if rev { (c.e, c.s) } else { (c.s, c.e) };
        c.cdna_start = t.cdna_pos_1(first as u64).map(|x| x as i64);
        c.cdna_end = t.cdna_pos_1(last as u64).map(|x| x as i64);
        c.fully_exonic = match (c.cdna_start, c.cdna_end) {
            (Some(a), Some(b)) => b - a == c.e - c.s,
            _ => false,
        };
    }
    if t.coding.is_some() {
        let in_cds = |x: i64| -> Option<i64> {
            let p = t.cds_of_cdna(x as usize)?;
            (p >= 1 && p <= c.cds_len).then_some(p)
        };
        if c.ins {
            if let (Some(a), Some(b)) = (c.cdna_start, c.cdna_end) {
                let (pa, pb) = (
                    t.cds_of_cdna(a as usize).unwrap_or(0),
                    t.cds_of_cdna(b as usize).unwrap_or(0),
                );
                if pb >= 1 && pa <= c.cds_len {
                    c.cds_start = Some(pa);
                    c.cds_end = Some(pb);
                }
            }
        } else {
            c.cds_start = c.cdna_start.and_then(in_cds);
            c.cds_end = c.cdna_end.and_then(in_cds);
        }
    }
}

fn within_cds(c: &Ctx<'_>) -> bool {
    if c.cds_start.is_some() || c.cds_end.is_some() {
        return true;
    }
    if c.ins {
        return false;
    }
    // Partly exonic: any exonic base of the variant inside the CDS.
    let Some(coding) = &c.t.coding else {
        return false;
    };
    (c.s..=c.e).any(|g| {
        c.t.cdna_pos_1(g as u64)
            .is_some_and(|x| x >= coding.cdna_start && x <= coding.cdna_end)
    })
}

/// The codons and peptides of a context whose coordinates are mapped.
pub(super) fn compute_codons(c: &Ctx<'_>) -> Option<Codons> {
    let (cs, ce) = (c.cds_start?, c.cds_end?);
    if !c.fully_exonic {
        return None;
    }
    let (lo, hi) = (cs, ce); // for an insertion lo = hi + 1
    let translation_start = (lo + 2) / 3;
    let translation_end = (hi + 2) / 3;
    let codon_cds_start = translation_start * 3 - 2;
    let codon_cds_end = translation_end * 3;
    let codon_len = (codon_cds_end - codon_cds_start + 1).max(0);
    let vf_nt_len = hi - lo + 1;
    let allele_len = c.seq.len() as i64;
    let frameshift = (allele_len - vf_nt_len).abs() % 3 != 0;
    let tr = &c.translateable;
    let start = (codon_cds_start - 1).max(0) as usize;
    let ref_end = ((codon_cds_start - 1 + codon_len) as usize).min(tr.len());
    let ref_codon = tr.get(start..ref_end.max(start))?.to_vec();
    let mut edited = tr.clone();
    let (ds, dl) = ((lo - 1) as usize, vf_nt_len.max(0) as usize);
    if ds > edited.len() || ds + dl > edited.len() {
        return None;
    }
    edited.splice(ds..ds + dl, c.seq.iter().copied());
    let alt_len = (codon_len + allele_len - vf_nt_len).max(0) as usize;
    let alt_end = (start + alt_len).min(edited.len());
    let alt_codon = edited.get(start..alt_end)?.to_vec();
    let ref_pep = c.t.code.translate(&ref_codon);
    // VEP translates the whole codons of the allele and marks a trailing partial one with X.
    let mut alt_pep = c.t.code.translate(&alt_codon);
    // TranscriptVariationAllele::peptide: `$pep .= 'X' if $partial_codon && $pep ne '*'`.
    if alt_codon.len() % 3 != 0 && alt_pep != b"*" {
        alt_pep.push(b'X');
    }
    Some(Codons {
        translation_start,
        translation_end,
        ref_codon,
        alt_codon,
        ref_pep,
        alt_pep,
        frameshift,
    })
}

pub(super) fn coding_consequences(c: &mut Ctx<'_>, cons: &mut Vec<Consequence>) {
    let t = c.t;
    let Some(coding) = &t.coding else { return };
    let within = within_cds(c);
    c.codons = compute_codons(c);
    let inc = c.seq.len() > (c.e - c.s + 1).max(0) as usize;
    let dec = c.seq.len() < (c.e - c.s + 1).max(0) as usize;

    // Start and stop codon overlaps (VEP: cDNA coordinates must both be known).
    let cdna = match (c.cdna_start, c.cdna_end) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    };
    let cstart = coding.cdna_start as i64;
    let cend = coding.cdna_end as i64;
    let overlaps_start =
        !coding.start_nf && cdna.is_some_and(|(a, b)| overlap(a, b, cstart, cstart + 2));
    let overlaps_stop = !coding.end_nf && cdna.is_some_and(|(a, b)| overlap(a, b, cend - 2, cend));
    // The 5' UTR and CDS with the allele applied, and where the start codon was (VEP's
    // `$utr_and_translateable` edit, shared by the start predicates).
    let utr5 = t.five_prime_utr();
    let edited_start: Option<Vec<u8>> = if overlaps_start {
        let (a, b) = cdna.unwrap_or((0, 0));
        let mut s: Vec<u8> = utr5.to_vec();
        s.extend_from_slice(&c.translateable);
        let from = (a - 1) as usize;
        let len = (b - a + 1).max(0) as usize;
        (from + len <= s.len()).then(|| {
            s.splice(from..from + len, c.seq.iter().copied());
            s
        })
    } else {
        None
    };
    let triplet_at = |s: &[u8], i: usize| s.get(i..i + 3).map(<[u8]>::to_vec);
    // `_ins_del_start_altered`: not altered when the UTR and the ATG after it are unchanged.
    let ins_del_start_altered = overlaps_start
        && (inc || dec)
        && match &edited_start {
            None => true,
            Some(s) => {
                let kept = !utr5.is_empty()
                    && s.get(..utr5.len()) == Some(utr5)
                    && triplet_at(s, utr5.len()).as_deref() == Some(b"ATG".as_slice());
                !kept
                    && (s.len() < c.translateable.len()
                        || s[s.len() - c.translateable.len()..] != c.translateable[..])
            }
        };
    // `_inv_start_altered` (VEP 115): with a 5' UTR, any change that leaves no ATG where the
    // start codon was is a start loss (SNVs and MNVs included).
    let inv_start_altered = !utr5.is_empty()
        && edited_start
            .as_ref()
            .is_some_and(|s| triplet_at(s, utr5.len()).as_deref() != Some(b"ATG".as_slice()));
    // `start_retained_variant` for equal-length changes (`_snp_start_altered`): an ATG is still
    // where the start codon was.
    let snp_start_retained = overlaps_start
        && !(inc || dec)
        && edited_start.as_ref().is_some_and(|s| {
            s.len() >= c.translateable.len()
                && triplet_at(s, s.len() - c.translateable.len()).as_deref()
                    == Some(b"ATG".as_slice())
        });
    let ins_del_stop_altered = overlaps_stop && (inc || dec) && c.cds_start.is_some() && {
        let (a, b) = cdna.unwrap_or((0, 0));
        let mut s = c.translateable.clone();
        s.extend_from_slice(t.three_prime_utr());
        let from = (c.cds_start.unwrap_or(1) - 1) as usize;
        let len = (b - a + 1).max(0) as usize;
        if from + len > s.len() {
            true
        } else {
            s.splice(from..from + len, c.seq.iter().copied());
            let n = c.translateable.len();
            if s.len() < n {
                true
            } else {
                t.code.translate_codon(&s[n - 3..n]) != b'*'
            }
        }
    };

    let partial_codon = c.codons.as_ref().is_some_and(|x| {
        let codon_cds_start = x.translation_start * 3 - 2;
        let last = c.cds_len - (codon_cds_start - 1);
        last > 0 && last < 3
    });

    let Some(k) = c.codons.as_ref() else {
        // No peptide: VEP's coding_unknown plus the start/stop checks that need only the cDNA.
        let start_lost = ins_del_start_altered || inv_start_altered;
        let stop_lost = ins_del_stop_altered;
        let stop_retained = (inc || dec) && overlaps_stop && !ins_del_stop_altered;
        let start_retained =
            snp_start_retained || ((inc || dec) && overlaps_start && !ins_del_start_altered);
        if start_lost {
            cons.push(Consequence::StartLost);
        }
        if stop_lost {
            cons.push(Consequence::StopLost);
        }
        if stop_retained {
            cons.push(Consequence::StopRetainedVariant);
        }
        if start_retained {
            cons.push(Consequence::StartRetainedVariant);
        }
        if within && !(start_lost || stop_lost || stop_retained || start_retained) {
            cons.push(Consequence::CodingSequenceVariant);
        }
        return;
    };
    let peptides_known = !k.ref_pep.is_empty() || !k.alt_pep.is_empty() || k.ref_codon.is_empty();
    let (ref_pep, alt_pep) = (k.ref_pep.as_slice(), k.alt_pep.as_slice());
    let has = |p: &[u8], x: u8| p.contains(&x);
    let starts_with = |p: &[u8], q: &[u8]| p.starts_with(q);
    let ends_with = |p: &[u8], q: &[u8]| p.ends_with(q);

    // VEP 115's stop_lost: from the peptides whenever they are known (frameshifts included).
    let stop_lost = if peptides_known {
        !has(alt_pep, b'*') && has(ref_pep, b'*')
    } else {
        ins_del_stop_altered
    };
    // stop_retained: never with a partial codon or a stop loss; from `ref_eq_alt_sequence` when
    // there is an ALT peptide.
    let stop_retained = if partial_codon || stop_lost {
        false
    } else if !alt_pep.is_empty() {
        ref_eq_alt_sequence(&coding.protein, k)
    } else {
        (inc || dec) && overlaps_stop && !ins_del_stop_altered
    };
    // frameshift: not with a partial codon, nor when the stop is retained.
    let frameshift = !partial_codon && !stop_retained && k.frameshift;
    let stop_gained = !stop_retained && peptides_known && has(alt_pep, b'*') && !has(ref_pep, b'*');
    let inframe_del = |start_lost_known: bool| -> bool {
        let _ = start_lost_known;
        if partial_codon || frameshift {
            return false;
        }
        let (rc, ac) = (k.ref_codon.as_slice(), k.alt_codon.as_slice());
        if ac.len() >= rc.len() {
            return false;
        }
        if rc.starts_with(ac) || rc.ends_with(ac) {
            return true;
        }
        let pre = rc.iter().zip(ac).take_while(|(x, y)| x == y).count();
        let (r2, a2) = (&rc[pre..], &ac[pre..]);
        let suf = r2
            .iter()
            .rev()
            .zip(a2.iter().rev())
            .take_while(|(x, y)| x == y)
            .count();
        a2.len() == suf && (r2.len() - suf) % 3 == 0
    };
    let inframe_deletion = inframe_del(false);
    let start_retained =
        snp_start_retained || ((inc || dec) && overlaps_start && !ins_del_start_altered);
    let inframe_ins_raw = || -> bool {
        if frameshift || k.alt_codon.len() <= k.ref_codon.len() {
            return false;
        }
        if start_retained && ends_with(alt_pep, ref_pep) {
            return false;
        }
        let mut ap = alt_pep.to_vec();
        if let Some(i) = ap.iter().position(|&x| x == b'*') {
            ap.truncate(i + 1);
        }
        starts_with(&ap, ref_pep) || ends_with(&ap, ref_pep)
    };
    let start_lost = overlaps_start && {
        if (ins_del_start_altered && !(inframe_ins_raw() || inframe_deletion)) || inv_start_altered
        {
            true
        } else if ref_pep.is_empty() || alt_pep.is_empty() || alt_pep == b"X" {
            false
        } else {
            k.translation_start == 1
                && !ends_with(alt_pep, ref_pep)
                && !starts_with(alt_pep, ref_pep)
        }
    };
    let inframe_insertion = !start_lost && inframe_ins_raw();
    let synonymous = !ref_pep.is_empty()
        && !frameshift
        && alt_pep == ref_pep
        && !stop_retained
        && !has(alt_pep, b'X')
        && !has(ref_pep, b'X');
    let missense = !frameshift
        && !start_lost
        && !stop_lost
        && !stop_gained
        && !partial_codon
        && ref_pep != alt_pep
        && ref_pep.len() == alt_pep.len();
    let protein_altering = !frameshift
        && peptides_known
        && alt_pep.len() != ref_pep.len()
        && !(ref_pep.first() == Some(&b'*') || alt_pep.first() == Some(&b'*'))
        && !(starts_with(alt_pep, ref_pep) || ends_with(alt_pep, ref_pep))
        && !inframe_deletion
        && !start_lost;
    let coding_unknown = within
        && (has(alt_pep, b'X') && !frameshift || has(ref_pep, b'X'))
        && !(frameshift
            || inframe_deletion
            || protein_altering
            || start_retained
            || start_lost
            || stop_retained
            || stop_lost);

    let push = |cond: bool, x: Consequence, v: &mut Vec<Consequence>| {
        if cond {
            v.push(x);
        }
    };
    push(stop_gained, Consequence::StopGained, cons);
    push(frameshift, Consequence::FrameshiftVariant, cons);
    push(stop_lost, Consequence::StopLost, cons);
    push(start_lost, Consequence::StartLost, cons);
    push(inframe_insertion, Consequence::InframeInsertion, cons);
    push(inframe_deletion, Consequence::InframeDeletion, cons);
    push(missense, Consequence::MissenseVariant, cons);
    push(protein_altering, Consequence::ProteinAlteringVariant, cons);
    push(
        partial_codon && within,
        Consequence::IncompleteTerminalCodonVariant,
        cons,
    );
    push(start_retained, Consequence::StartRetainedVariant, cons);
    push(stop_retained, Consequence::StopRetainedVariant, cons);
    push(synonymous, Consequence::SynonymousVariant, cons);
    push(
        coding_unknown || (partial_codon && within),
        Consequence::CodingSequenceVariant,
        cons,
    );
}

/// `Utils::VariationEffect::ref_eq_alt_sequence` (VEP 115): the ALT peptide keeps the stop where
/// it was, or only adds residues after the end of the protein.
fn ref_eq_alt_sequence(protein: &[u8], k: &Codons) -> bool {
    let (ref_pep, alt_pep) = (k.ref_pep.as_slice(), k.alt_pep.as_slice());
    if ref_pep == b"X" && alt_pep == b"X" {
        return false;
    }
    let n = protein.len() as i64;
    if k.translation_start > n && alt_pep.first() == Some(&b'*') {
        return true;
    }
    let (from, to) = (
        (k.translation_start - 1).clamp(0, n) as usize,
        k.translation_end.clamp(0, n) as usize,
    );
    let mut mutated = protein[..from].to_vec();
    mutated.extend_from_slice(alt_pep);
    if to > from {
        mutated.extend_from_slice(&protein[to..]);
    } else {
        mutated.extend_from_slice(&protein[from..]);
    }
    let same_prefix = mutated.len() >= protein.len() && mutated[..protein.len()] == *protein;
    let tail = mutated.len().saturating_sub(protein.len());
    let star = |p: &[u8]| p.iter().position(|&x| x == b'*');
    (alt_pep.first() == ref_pep.first()
        && !ref_pep.is_empty()
        && ref_pep.len() == 1
        && star(alt_pep).is_some())
        || (same_prefix && mutated.len() > protein.len() && tail < 3)
        || (star(ref_pep).is_some() && star(ref_pep) == star(alt_pep))
}
