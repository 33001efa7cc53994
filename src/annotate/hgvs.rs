//! HGVS notation of an allele on a transcript (HGVSc) and its protein (HGVSp), as VEP writes it:
//! indels shifted to their most 3' position in the transcript, `dup` for repeated insertions,
//! three-letter amino acids with `Ter`.

use crate::annotate::engine::Allele;
use crate::annotate::engine::{HgvsInput, RefWindow};
use crate::annotate::{Consequence, TranscriptAnnotation};
use crate::genome::codon::{reverse_complement, three_letter};

/// Fills `hgvsc` and `hgvsp` of `ann`.
/// `shifted` is the view of the allele shifted 3' along the genome, when it moved: HGVSp is
/// read from it, and is absent when the shifted allele leaves the CDS.
pub(crate) fn fill(
    v: &HgvsInput<'_>,
    shifted: Option<&HgvsInput<'_>>,
    a: &Allele,
    ann: &mut TranscriptAnnotation,
) {
    if ann.consequences.iter().all(|c| {
        matches!(
            c,
            Consequence::UpstreamGeneVariant | Consequence::DownstreamGeneVariant
        )
    }) {
        return;
    }
    ann.hgvsc = hgvsc(v, a).map(|x| format!("{}:{}", v.t.stable_id(), x));
    let protein_view = match shifted {
        Some(sv) if sv.translation_start.is_none() => return,
        Some(sv) => sv,
        // Unshifted, VEP names a length change a frameshift only when it calls one (not when
        // the stop is retained), and then writes no HGVSp for it.
        None if v.frameshift && !ann.consequences.contains(&Consequence::FrameshiftVariant) => {
            return
        }
        None => v,
    };
    if let Some(p) = hgvsp(protein_view, ann) {
        let id =
            v.t.coding
                .as_ref()
                .and_then(|c| c.protein_id.clone())
                .unwrap_or_else(|| v.t.stable_id());
        ann.hgvsp = Some(format!("{id}:{p}"));
    }
}

/// `c.`/`n.` position text of a 1-based cDNA position.
fn cdna_text(v: &HgvsInput<'_>, cdna: i64) -> String {
    match &v.t.coding {
        None => cdna.to_string(),
        Some(c) => {
            let (s, e) = (c.cdna_start as i64, c.cdna_end as i64);
            if cdna < s {
                format!("-{}", s - cdna)
            } else if cdna > e {
                format!("*{}", cdna - e)
            } else {
                (cdna - s + 1).to_string()
            }
        }
    }
}

/// Position text of a 1-based genomic position: exonic, or intronic as an offset from the
/// nearest exon end.
fn genomic_text(v: &HgvsInput<'_>, g: i64) -> Option<String> {
    let t = v.t;
    if let Some(c) = t.cdna_pos_1(g as u64) {
        return Some(cdna_text(v, c as i64));
    }
    // Nearest exon base on each side (genomic).
    let left = t
        .exons
        .iter()
        .filter(|x| (x.end as i64) < g)
        .map(|x| x.end as i64)
        .max()?;
    let right = t
        .exons
        .iter()
        .filter(|x| (x.start as i64 + 1) > g)
        .map(|x| x.start as i64 + 1)
        .min()?;
    let (d_left, d_right) = (g - left, right - g);
    // The 5' exon (in transcript orientation) gives "+", the 3' one "-"; ties go to "+".
    let (five, d5, three, d3) = if t.is_reverse() {
        (right, d_right, left, d_left)
    } else {
        (left, d_left, right, d_right)
    };
    if d5 <= d3 {
        Some(format!(
            "{}+{}",
            cdna_text(v, t.cdna_pos_1(five as u64)? as i64),
            d5
        ))
    } else {
        Some(format!(
            "{}-{}",
            cdna_text(v, t.cdna_pos_1(three as u64)? as i64),
            d3
        ))
    }
}

fn hgvsc(v: &HgvsInput<'_>, a: &Allele) -> Option<String> {
    let t = v.t;
    let prefix = if t.coding.is_some() { "c." } else { "n." };
    let rev = t.is_reverse();
    let ref_t = if rev {
        reverse_complement(&a.reference)
    } else {
        a.reference.clone()
    };
    let alt_t = v.seq.to_vec();
    let seq = &t.seq;
    let text = |x: &[u8]| String::from_utf8_lossy(x).into_owned();
    let indel = a.reference.is_empty() || a.alternative.is_empty();
    if let (Some(w), true) = (v.window, indel) {
        return genomic_indel(v, a, w, prefix);
    }
    // `hgvs_variant_notation`: equal-length changes whose ALT is the reverse complement of REF.
    if ref_t.len() > 1 && ref_t.len() == alt_t.len() && reverse_complement(&ref_t) == alt_t {
        let (g5, g3) = if rev { (v.e, v.s) } else { (v.s, v.e) };
        let (p5, p3) = if v.fully_exonic {
            let (cs, ce) = (v.cdna_start?, v.cdna_end?);
            (cdna_text(v, cs), cdna_text(v, ce))
        } else {
            (genomic_text(v, g5)?, genomic_text(v, g3)?)
        };
        return Some(format!("{prefix}{p5}_{p3}inv"));
    }
    if v.fully_exonic {
        let (cs, ce) = (v.cdna_start?, v.cdna_end?);
        if v.ins {
            // Inserted after cDNA position ce; shift 3'.
            let mut p = ce as usize;
            let mut x = alt_t.clone();
            while p < seq.len() && !x.is_empty() && x[0] == seq[p] {
                x.rotate_left(1);
                p += 1;
            }
            let n = x.len();
            if p >= n && seq[p - n..p] == x[..] {
                return Some(if n == 1 {
                    format!("{prefix}{}dup", cdna_text(v, p as i64))
                } else {
                    format!(
                        "{prefix}{}_{}dup",
                        cdna_text(v, (p - n + 1) as i64),
                        cdna_text(v, p as i64)
                    )
                });
            }
            return Some(format!(
                "{prefix}{}_{}ins{}",
                cdna_text(v, p as i64),
                cdna_text(v, p as i64 + 1),
                text(&x)
            ));
        }
        let (mut s, mut e) = (cs as usize, ce as usize);
        if alt_t.is_empty() {
            while e < seq.len() && seq[s - 1] == seq[e] {
                s += 1;
                e += 1;
            }
            return Some(if s == e {
                format!("{prefix}{}del", cdna_text(v, s as i64))
            } else {
                format!(
                    "{prefix}{}_{}del",
                    cdna_text(v, s as i64),
                    cdna_text(v, e as i64)
                )
            });
        }
        if s == e && alt_t.len() == 1 {
            return Some(format!(
                "{prefix}{}{}>{}",
                cdna_text(v, s as i64),
                text(&ref_t),
                text(&alt_t)
            ));
        }
        return Some(if s == e {
            format!("{prefix}{}delins{}", cdna_text(v, s as i64), text(&alt_t))
        } else {
            format!(
                "{prefix}{}_{}delins{}",
                cdna_text(v, s as i64),
                cdna_text(v, e as i64),
                text(&alt_t)
            )
        });
    }
    // Intronic or spanning an exon edge: genomic positions, 5'-most first.
    let (g5, g3) = if v.ins {
        if rev {
            (v.s, v.e)
        } else {
            (v.e, v.s)
        }
    } else if rev {
        (v.e, v.s)
    } else {
        (v.s, v.e)
    };
    let (p5, p3) = (genomic_text(v, g5)?, genomic_text(v, g3)?);
    Some(if v.ins {
        format!("{prefix}{p5}_{p3}ins{}", text(&alt_t))
    } else if alt_t.is_empty() {
        if g5 == g3 {
            format!("{prefix}{p5}del")
        } else {
            format!("{prefix}{p5}_{p3}del")
        }
    } else if g5 == g3 && alt_t.len() == 1 && ref_t.len() == 1 {
        format!("{prefix}{p5}{}>{}", text(&ref_t), text(&alt_t))
    } else if g5 == g3 {
        format!("{prefix}{p5}delins{}", text(&alt_t))
    } else {
        format!("{prefix}{p5}_{p3}delins{}", text(&alt_t))
    })
}

/// VEP's HGVSc of an insertion or deletion (`TranscriptVariationAllele::hgvs_transcript`): shifted
/// to its most 3' position (transcript orientation) along the genome, across exon edges, then
/// each end written as an exonic or intronic position; an insertion that repeats the bases before
/// it is a `dup`. No HGVSc when the allele or its shifted ends leave the transcript.
fn genomic_indel(v: &HgvsInput<'_>, a: &Allele, w: &RefWindow, prefix: &str) -> Option<String> {
    let t = v.t;
    let rev = t.is_reverse();
    let span = t.span();
    let (ts, te) = (span.start as i64 + 1, span.end as i64);
    let (s, e) = (v.s, v.e);
    if s < ts || e < ts || s > te || e > te {
        return None;
    }
    // The window in transcript orientation, and index <-> genomic position.
    let n = w.seq.len() as i64;
    let w0 = w.start as i64;
    let tseq = if rev {
        reverse_complement(&w.seq)
    } else {
        w.seq.clone()
    };
    let to_t = |g: i64| if rev { w0 + n - 1 - g } else { g - w0 };
    let to_g = |i: i64| if rev { w0 + n - 1 - i } else { i + w0 };
    let inside = |i: i64| (ts..=te).contains(&to_g(i));
    let at = |i: i64| usize::try_from(i).ok().and_then(|i| tseq.get(i).copied());
    let pos = |i: i64| genomic_text(v, to_g(i));
    if a.alternative.is_empty() {
        let (mut i, mut j) = if rev {
            (to_t(e), to_t(s))
        } else {
            (to_t(s), to_t(e))
        };
        at(i)?;
        at(j)?;
        while at(j + 1).is_some() && at(i) == at(j + 1) {
            i += 1;
            j += 1;
        }
        if !inside(j) {
            return None;
        }
        return Some(if i == j {
            format!("{prefix}{}del", pos(i)?)
        } else {
            format!("{prefix}{}_{}del", pos(i)?, pos(j)?)
        });
    }
    // Inserted before transcript-orientation index `i`.
    let mut x = v.seq.to_vec();
    let mut i = if rev { to_t(e) } else { to_t(s) };
    at(i - 1)?;
    while !x.is_empty() && at(i) == Some(x[0]) {
        x.rotate_left(1);
        i += 1;
    }
    if !inside(i - 1) {
        return None;
    }
    let len = x.len() as i64;
    let same = |from: i64| (0..len).all(|k| at(from + k) == Some(x[k as usize]));
    let dup = if same(i) {
        Some((i, i + len - 1))
    } else if same(i - len) {
        Some((i - len, i - 1))
    } else {
        None
    };
    let text = String::from_utf8_lossy(&x).into_owned();
    Some(match dup {
        Some((p, q)) if p == q => format!("{prefix}{}dup", pos(p)?),
        Some((p, q)) => format!("{prefix}{}_{}dup", pos(p)?, pos(q)?),
        None => format!("{prefix}{}_{}ins{text}", pos(i - 1)?, pos(i)?),
    })
}

fn aa3(p: &[u8]) -> String {
    p.iter().map(|&x| three_letter(x)).collect()
}

fn hgvsp(v: &HgvsInput<'_>, ann: &TranscriptAnnotation) -> Option<String> {
    let coding = v.t.coding.as_ref()?;
    let protein = &coding.protein;
    let (ref_pep, alt_pep) = (v.ref_pep?, v.alt_pep?);
    let start = v.translation_start?;
    let has = |c: Consequence| ann.consequences.contains(&c);
    let wt = |i: i64| -> u8 {
        if i >= 1 && (i as usize) <= protein.len() {
            protein[i as usize - 1]
        } else {
            b'*'
        }
    };
    // `_get_hgvs_peptides`: a start loss is `?` after the (clipped) reference peptides, before
    // any frameshift or in-frame reading.
    if has(Consequence::StartLost) {
        if v.frameshift {
            let new = mutated_protein(v)?;
            let i = new
                .iter()
                .zip(protein.iter())
                .take_while(|(x, y)| x == y)
                .count() as i64
                + 1;
            // `_get_fs_peptides` moves the start to the first changed residue; the end stays
            // the allele's last codon, so a loss over two codons is `p.Met1_?2`.
            let end = v.cds_end.map(|x| (x + 2) / 3).unwrap_or(i);
            return Some(if end == i {
                format!("p.{}{i}?", three_letter(wt(i)))
            } else {
                format!("p.{}{i}_?{end}", three_letter(wt(i)))
            });
        }
        let pre = ref_pep
            .iter()
            .zip(alt_pep)
            .take_while(|(x, y)| x == y)
            .count();
        let r1 = &ref_pep[pre..];
        let a1 = &alt_pep[pre..];
        let suf = r1
            .iter()
            .rev()
            .zip(a1.iter().rev())
            .take_while(|(x, y)| x == y)
            .count();
        let r = &r1[..r1.len() - suf];
        let first = start + pre as i64;
        let last = first + r.len() as i64 - 1;
        return Some(if r.len() <= 1 {
            format!(
                "p.{}{first}?",
                aa3(if r.is_empty() {
                    &ref_pep[..1.min(ref_pep.len())]
                } else {
                    r
                })
            )
        } else {
            format!("p.{}{first}_?{last}", aa3(r))
        });
    }
    if v.frameshift {
        let new = mutated_protein(v)?;
        let mut i = 0usize;
        while i < new.len() && i < protein.len() && new[i] == protein[i] {
            i += 1;
        }
        if i >= new.len() {
            return None;
        }
        let pos = i as i64 + 1;
        if new[i] == b'*' {
            return Some(format!("p.{}{}Ter", three_letter(wt(pos)), pos));
        }
        let ter = new[i..].iter().position(|&x| x == b'*');
        return Some(format!(
            "p.{}{}{}fsTer{}",
            three_letter(wt(pos)),
            pos,
            three_letter(new[i]),
            ter.map_or("?".to_string(), |n| (n + 1).to_string())
        ));
    }
    let pre = ref_pep
        .iter()
        .zip(alt_pep)
        .take_while(|(x, y)| x == y)
        .count();
    let (r1, a1) = (&ref_pep[pre..], &alt_pep[pre..]);
    let suf = r1
        .iter()
        .rev()
        .zip(a1.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (r, a) = (&r1[..r1.len() - suf], &a1[..a1.len() - suf]);
    let p = start + pre as i64;
    // `s/Ter\w+/Ter/`: an inserted sequence ends at its first stop.
    let a_text = |a: &[u8]| match a.iter().position(|&x| x == b'*') {
        Some(i) => aa3(&a[..=i]),
        None => aa3(a),
    };
    if r.is_empty() && a.is_empty() {
        if ref_pep.is_empty() {
            return None;
        }
        // `_get_hgvs_protein_format`: every reference amino acid of the codons, then `=`.
        return Some(format!("p.{}{}=", aa3(ref_pep), start));
    }
    if r.first() == Some(&b'*') && !a.is_empty() && a[0] != b'*' {
        let new = mutated_protein(v)?;
        let from = (p - 1) as usize;
        let ter = new
            .get(from..)
            .and_then(|x| x.iter().position(|&c| c == b'*'));
        return Some(format!(
            "p.Ter{p}{}extTer{}",
            three_letter(a[0]),
            ter.map_or("?".to_string(), |n| n.to_string())
        ));
    }
    if r.len() == 1 && a.len() == 1 {
        return Some(format!(
            "p.{}{}{}",
            three_letter(r[0]),
            p,
            three_letter(a[0])
        ));
    }
    let end = p + r.len() as i64 - 1;
    let plen = protein.len() as i64;
    if a.is_empty() {
        // `_check_peptides_post_var` / `_shift_3prime`: a deleted peptide moves 3' while the
        // residue after it repeats its first residue.
        let (mut r, mut p, mut end) = (r.to_vec(), p, end);
        while end < plen && wt(end + 1) == r[0] {
            r.rotate_left(1);
            p += 1;
            end += 1;
        }
        return Some(if r.len() == 1 {
            format!("p.{}{}del", three_letter(r[0]), p)
        } else {
            format!(
                "p.{}{}_{}{}del",
                three_letter(r[0]),
                p,
                three_letter(r[r.len() - 1]),
                end
            )
        });
    }
    if r.is_empty() {
        // Inserted between p-1 and p, moved 3' first as VEP does (`_shift_3prime`), then a
        // repeat of the residues before it is a `dup`.
        let (mut a, mut p) = (a.to_vec(), p);
        while p <= plen && a[0] != b'*' && wt(p) == a[0] {
            a.rotate_left(1);
            p += 1;
        }
        let a = a.as_slice();
        let n = a.len() as i64;
        if p - n >= 1 && (p - n..p).map(wt).eq(a.iter().copied()) {
            return Some(if n == 1 {
                format!("p.{}{}dup", three_letter(a[0]), p - 1)
            } else {
                format!(
                    "p.{}{}_{}{}dup",
                    three_letter(a[0]),
                    p - n,
                    three_letter(a[a.len() - 1]),
                    p - 1
                )
            });
        }
        return Some(format!(
            "p.{}{}_{}{}ins{}",
            three_letter(wt(p - 1)),
            p - 1,
            three_letter(wt(p)),
            p,
            a_text(a)
        ));
    }
    Some(if r.len() == 1 {
        format!("p.{}{}delins{}", three_letter(r[0]), p, a_text(a))
    } else {
        format!(
            "p.{}{}_{}{}delins{}",
            three_letter(r[0]),
            p,
            three_letter(r[r.len() - 1]),
            end,
            a_text(a)
        )
    })
}

/// The protein read from the edited CDS and 3' UTR (for frameshifts and stop losses).
fn mutated_protein(v: &HgvsInput<'_>) -> Option<Vec<u8>> {
    let (cs, ce) = (v.cds_start?, v.cds_end?);
    let (lo, hi) = (cs.min(ce), cs.max(ce));
    let tr = v.translateable;
    let (before, after) = if v.ins {
        (lo as usize, hi as usize - 1)
    } else {
        (lo as usize - 1, hi as usize)
    };
    let mut s = tr.get(..before)?.to_vec();
    s.extend_from_slice(v.seq);
    s.extend_from_slice(tr.get(after..)?);
    s.extend_from_slice(v.t.three_prime_utr());
    Some(v.t.code.translate(&s))
}
