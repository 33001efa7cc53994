//! Class I epitopes of a mutant window, each matched to its wild-type counterpart and the
//! positions where they differ, following pVACseq's output parser rules (same position for
//! missense and frameshifts; left or right alignment for in-frame indels; a wild-type match needs
//! at least half the residues equal).

use serde::Serialize;

use crate::peptides::{VariantType, Window};

/// One mutant epitope and its wild-type match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Epitope {
    pub length: usize,
    /// 1-based start in the mutant window (pVACseq's Sub-peptide Position).
    pub start: usize,
    pub mt: String,
    /// `None`: no wild-type epitope overlaps enough (pVACseq's `NA`).
    pub wt: Option<String>,
    /// 1-based positions in the epitope where mutant and wild type differ; empty when unknown.
    pub mutation_positions: Vec<u32>,
}

impl Epitope {
    /// `3` / `3,4` / `NA`.
    pub fn mutation_position_text(&self) -> String {
        if self.mutation_positions.is_empty() {
            "NA".to_string()
        } else {
            self.mutation_positions
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",")
        }
    }
}

fn total_matches(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).filter(|(x, y)| x == y).count()
}

fn left_matches(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn right_matches(a: &[u8], b: &[u8]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

fn differing(a: &[u8], b: &[u8]) -> Vec<u32> {
    a.iter()
        .zip(b)
        .enumerate()
        .filter(|(_, (x, y))| x != y)
        .map(|(i, _)| i as u32 + 1)
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Left,
    Right,
}

/// What the match of the previous epitope left for the next (in-frame indels).
#[derive(Clone, Copy)]
struct Previous {
    direction: Direction,
    wt_position: isize,
}

/// All epitopes of `length` in the mutant window that differ from their wild-type match (the
/// rows pVACseq writes to all_epitopes.tsv), in window order.
pub fn enumerate(window: &Window, variant_type: VariantType, length: usize) -> Vec<Epitope> {
    let mt = window.mt.as_bytes();
    let wt = window.wt.as_bytes();
    if length == 0 || mt.len() < length {
        return Vec::new();
    }
    let n_mt = mt.len() - length + 1;
    let n_wt = if wt.len() >= length {
        wt.len() - length + 1
    } else {
        0
    };
    // WT epitope at 1-based position p.
    let wt_at = |p: isize| -> Option<&[u8]> {
        (p >= 1 && (p as usize) <= n_wt).then(|| &wt[p as usize - 1..p as usize - 1 + length])
    };
    let min_matches = length.div_ceil(2);
    let mut out = Vec::with_capacity(n_mt);
    let mut previous: Option<Previous> = None;
    for p in 1..=n_mt {
        let mt_ep = &mt[p - 1..p - 1 + length];
        let pos = p as isize;
        // (wt epitope, mutation positions); wt None = NA.
        let matched: (Option<&[u8]>, Vec<u32>) = match variant_type {
            VariantType::Missense | VariantType::Frameshift => match wt_at(pos) {
                None => (None, Vec::new()),
                Some(w) if w == mt_ep => (Some(w), Vec::new()),
                Some(w) if total_matches(mt_ep, w) >= min_matches => (Some(w), differing(w, mt_ep)),
                Some(_) => (None, Vec::new()),
            },
            VariantType::InframeIns | VariantType::InframeDel => {
                let (chosen, current) =
                    match_indel(mt_ep, pos, previous, variant_type, n_mt, &wt_at);
                previous = Some(current);
                match chosen {
                    Some(w) if w == mt_ep => (Some(w), Vec::new()),
                    Some(w)
                        if total_matches(mt_ep, w) >= min_matches
                            && total_matches(mt_ep, w) > 0 =>
                    {
                        (Some(w), differing(w, mt_ep))
                    }
                    _ => (None, Vec::new()),
                }
            }
        };
        if matched.0 == Some(mt_ep) {
            // The epitope does not cover the change.
            continue;
        }
        out.push(Epitope {
            length,
            start: p,
            mt: String::from_utf8_lossy(mt_ep).into_owned(),
            wt: matched.0.map(|w| String::from_utf8_lossy(w).into_owned()),
            mutation_positions: matched.1,
        });
    }
    out
}

/// pVACseq's `match_wildtype_and_mutant_entry_for_inframe_indel`: the candidate wild-type epitope
/// and the state handed to the next position.
fn match_indel<'a>(
    mt_ep: &[u8],
    pos: isize,
    previous: Option<Previous>,
    variant_type: VariantType,
    n_mt: usize,
    wt_at: &dyn Fn(isize) -> Option<&'a [u8]>,
) -> (Option<&'a [u8]>, Previous) {
    let n_wt = (1..).take_while(|&q| wt_at(q).is_some()).count() as isize;
    if let Some(prev) = previous.filter(|p| p.direction == Direction::Right) {
        let q = prev.wt_position + 1;
        return (
            wt_at(q),
            Previous {
                direction: Direction::Right,
                wt_position: q,
            },
        );
    }
    let Some(baseline) = wt_at(pos) else {
        let q = pos - (n_mt as isize - n_wt);
        return (
            wt_at(q),
            Previous {
                direction: Direction::Right,
                wt_position: q,
            },
        );
    };
    if baseline == mt_ep {
        return (
            Some(baseline),
            Previous {
                direction: Direction::Left,
                wt_position: pos,
            },
        );
    }
    let left = left_matches(mt_ep, baseline);
    let alternate = match variant_type {
        VariantType::InframeIns => pos - (n_mt as isize - n_wt),
        _ => pos + (n_wt - n_mt as isize),
    };
    if let Some(alt) = wt_at(alternate) {
        if right_matches(mt_ep, alt) > left {
            return (
                Some(alt),
                Previous {
                    direction: Direction::Right,
                    wt_position: alternate,
                },
            );
        }
    }
    (
        Some(baseline),
        Previous {
            direction: Direction::Left,
            wt_position: pos,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(wt: &str, mt: &str) -> Window {
        Window {
            wt: wt.into(),
            mt: mt.into(),
        }
    }

    #[test]
    fn missense_epitopes_all_cover_the_change() {
        // flank 2 for length 3: the change sits in the middle of a 5-mer.
        let e = enumerate(&w("ABCDE", "ABXDE"), VariantType::Missense, 3);
        let got: Vec<(&str, Option<&str>, String)> = e
            .iter()
            .map(|x| (x.mt.as_str(), x.wt.as_deref(), x.mutation_position_text()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("ABX", Some("ABC"), "3".into()),
                ("BXD", Some("BCD"), "2".into()),
                ("XDE", Some("CDE"), "1".into())
            ]
        );
    }

    #[test]
    fn frameshift_epitopes_past_the_wild_type_have_no_match() {
        // WT window 4 long, MT window 6 long; length 3 → WT positions 1-2 only.
        let e = enumerate(&w("ABCD", "ABXYZW"), VariantType::Frameshift, 3);
        let got: Vec<(usize, Option<&str>, String)> = e
            .iter()
            .map(|x| (x.start, x.wt.as_deref(), x.mutation_position_text()))
            .collect();
        // ABX vs ABC: 2 of 3 match (≥ 2) → matched; BXY vs BCD: 1 match → NA; later ones: no WT.
        assert_eq!(
            got,
            vec![
                (1, Some("ABC"), "3".into()),
                (2, None, "NA".into()),
                (3, None, "NA".into()),
                (4, None, "NA".into())
            ]
        );
    }

    #[test]
    fn deletion_matches_from_the_right_after_the_change() {
        // Deleting "CD" from ABCDEFGH; length 4.
        let e = enumerate(&w("ABCDEFGH", "ABEFGH"), VariantType::InframeDel, 4);
        let got: Vec<(&str, Option<&str>, String)> = e
            .iter()
            .map(|x| (x.mt.as_str(), x.wt.as_deref(), x.mutation_position_text()))
            .collect();
        // ABEF: left match with ABCD (2) vs right match with DEFG... alternate = 1 + 2 = 3 → CDEF,
        // right matches "EF" = 2, not more than 2 → baseline ABCD, 2 of 4 equal → kept.
        // BEFG: baseline BCDE (left 1) vs alternate DEFG (right 3) → DEFG, differing at 1.
        // EFGH: previous was right → WT position 5: EFGH equals → not written.
        assert_eq!(
            got,
            vec![
                ("ABEF", Some("ABCD"), "3,4".into()),
                ("BEFG", Some("DEFG"), "1".into())
            ]
        );
    }
}
