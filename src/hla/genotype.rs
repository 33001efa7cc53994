//! The diploid choice per locus: OptiType's search over allele pairs, scored by a read-level
//! likelihood (as arcasHLA and OptiType's own model do) instead of a count of reads explained.
//! Each read's fit to an allele is its k-mer deficit against the best allele, in quarters of a
//! mismatch; under a pair a read has the mixture likelihood of the two alleles, floored at one
//! mismatch (reads from elsewhere cost every pair alike). A count of reads best explained ties,
//! or even prefers, a neighbour that differs from the true allele where the other allele agrees
//! with it; the likelihood charges that neighbour ln 2 for every read over its private base. A
//! homozygous pair gets a bonus of β nats a read. Alleles that fit every read alike are one
//! candidate; within it the reads beyond the typing region choose the allele
//! ([`super::refine`]), else the lowest-numbered expressed allele with its whole typing region
//! stands for it (its G group and the other two-field names it stands for are listed).

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::imgt::two_field;
use super::index::{HlaIndex, K};
use super::refine::Refined;

/// Candidates kept for the pair search, by coverage: the true alleles each explain about half
/// the fragments or more and are always among the first.
const MAX_CANDIDATES: usize = 300;

/// One fragment class of a locus: the best-fitting alleles, the near-best ones with their
/// k-mer deficit, and how many fragments share them.
pub struct LocusFragments<'a> {
    pub alleles: &'a [u32],
    pub near: &'a [(u32, u16)],
    pub weight: u32,
}

/// Near-best alleles of a read with their k-mer deficit.
type Near<'a> = &'a [(u32, u16)];
/// An allele's fit over the classes: the classes it fits best (bits) and its level in others.
type Fit = (Vec<u64>, Vec<(u32, u8)>);
/// A candidate: best-fit bits, member alleles (preference order), coverage, other levels.
type Candidate = (Vec<u64>, Vec<u32>, u64, Vec<(u32, u8)>);

/// Fit levels of a read to an allele: 0 (one of the best) to `LEVELS - 1` (three mismatches
/// or worse), in quarters of a mismatch (a mismatch inside the read removes `K` k-mers; one
/// near the read's end fewer, and counts for less).
pub(super) const LEVELS: usize = 13;

/// Log-likelihood ratio of one mismatch against a match: a read base differs from its allele
/// with probability about ε = 1% (sequencing errors and unlisted variation), so a mismatch
/// costs ln(1/ε) nats.
const MISMATCH_NATS: f64 = 4.605;

/// The fit level of a k-mer deficit.
pub(super) fn level(deficit: u16) -> u8 {
    let quarters = (u32::from(deficit) * 4).div_ceil(K as u32);
    quarters.min(LEVELS as u32 - 1) as u8
}

/// Per read, ln of the mixture likelihood of a heterozygous pair relative to a perfect fit:
/// ln((e^{-λ·a} + e^{-λ·b}) / 2) for fit levels `a`, `b` (OptiType's and arcasHLA's
/// read-level model, with the mismatch count read off the k-mer deficit), floored at one
/// mismatch (−λ): a read neither allele fits within a mismatch is taken as from elsewhere (a
/// pseudogene, a related locus, an allele missing from the release) and costs every such pair
/// alike, so a few of them cannot outweigh the reads over a distinguishing site.
pub(super) fn mixture_table() -> [[f64; LEVELS]; LEVELS] {
    let mut t = [[0.0; LEVELS]; LEVELS];
    for (a, row) in t.iter_mut().enumerate() {
        for (b, v) in row.iter_mut().enumerate() {
            let (x, y) = (a as f64 / 4.0, b as f64 / 4.0);
            let mix = (((-MISMATCH_NATS * x).exp() + (-MISMATCH_NATS * y).exp()) / 2.0).ln();
            *v = mix.max(-MISMATCH_NATS);
        }
    }
    t
}
/// One chosen allele.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlleleCall {
    /// e.g. `HLA-A*01:01`.
    pub allele: String,
    /// Full name of the allele reported, e.g. `HLA-A*01:01:01:01`.
    pub representative: String,
    /// G group of the representative, e.g. `HLA-A*01:01:01G`.
    pub g_group: String,
    /// Fragments this allele explains.
    pub reads: u64,
    /// Fragments explained by this allele and not by the other.
    pub unique_reads: u64,
    /// Other two-field names fitting the typing-region fragments equally well (at most 10).
    pub equivalent: Vec<String>,
    /// Reads beyond the typing region that chose among those (0: none did; the allele is the
    /// lowest-numbered).
    pub outside_reads: u64,
}

/// The pair chosen for a locus, with the evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairCall {
    pub alleles: [AlleleCall; 2],
    pub homozygous: bool,
    /// Fragments explained by the pair.
    pub explained: u64,
    /// Objective of the best pair minus that of the best pair with other two-field names.
    pub margin: f64,
    /// Allele ids of the two chosen candidates (all alleles fitting as the called ones do).
    #[serde(skip)]
    pub members: [Vec<u32>; 2],
}

/// Picks one allele in each of two candidates (allele ids; whether they are one candidate).
pub type RefineFn<'a> = dyn Fn(&[u32], &[u32], bool) -> Refined + 'a;

/// Chooses the pair; `None` when no fragment is given. `refine` picks one allele in each of
/// the two chosen candidates (allele ids in preference order; whether they are one candidate).
pub fn choose(
    index: &HlaIndex,
    g_group: &dyn Fn(&str) -> String,
    fragments: &[LocusFragments<'_>],
    beta: f64,
    refine: &RefineFn<'_>,
) -> Option<PairCall> {
    // Fragment classes with identical fits are interchangeable for the objective.
    let mut classes: Vec<(&[u32], Near<'_>, u64)> = Vec::new();
    {
        let mut at: HashMap<(&[u32], Near<'_>), usize> = HashMap::new();
        for f in fragments {
            match at.get(&(f.alleles, f.near)) {
                Some(&i) => classes[i].2 += u64::from(f.weight),
                None => {
                    at.insert((f.alleles, f.near), classes.len());
                    classes.push((f.alleles, f.near, u64::from(f.weight)));
                }
            }
        }
    }
    if classes.is_empty() {
        return None;
    }
    let words = classes.len().div_ceil(64);
    let weights: Vec<u64> = classes.iter().map(|c| c.2).collect();
    // Per allele: the classes it fits best (bits), and its level in the others it nearly fits.
    let mut fit: HashMap<u32, Fit> = HashMap::new();
    for (ci, (alleles, near, _)) in classes.iter().enumerate() {
        for &a in *alleles {
            fit.entry(a)
                .or_insert_with(|| (vec![0; words], Vec::new()))
                .0[ci / 64] |= 1 << (ci % 64);
        }
        for &(a, d) in *near {
            fit.entry(a)
                .or_insert_with(|| (vec![0; words], Vec::new()))
                .1
                .push((ci as u32, level(d)));
        }
    }
    // Alleles fitting every read alike form one candidate.
    let mut groups: HashMap<Fit, Vec<u32>> = HashMap::new();
    for (a, key) in fit {
        groups.entry(key).or_default().push(a);
    }
    let mut cands: Vec<Candidate> = groups
        .into_iter()
        .filter(|((b, _), _)| b.iter().any(|&w| w != 0))
        .map(|((b, near), mut a)| {
            a.sort_unstable_by_key(|&x| (!preferred(index, x), x));
            let cov = weigh(&b, &b, &weights);
            (b, a, cov, near)
        })
        .collect();
    if cands.is_empty() {
        return None;
    }
    cands.sort_by(|x, y| y.2.cmp(&x.2).then(x.1[0].cmp(&y.1[0])));
    cands.truncate(MAX_CANDIDATES);
    // Fit level of every candidate to every class (absent: worst).
    let n = classes.len();
    let mut levels = vec![(LEVELS - 1) as u8; cands.len() * n];
    for (i, (bits, _, _, near)) in cands.iter().enumerate() {
        let row = &mut levels[i * n..(i + 1) * n];
        for &(c, l) in near {
            row[c as usize] = l;
        }
        for (c, v) in row.iter_mut().enumerate() {
            if bits[c / 64] >> (c % 64) & 1 == 1 {
                *v = 0;
            }
        }
    }
    let table = mixture_table();
    let total: f64 = weights.iter().sum::<u64>() as f64;

    let names: Vec<String> = cands
        .iter()
        .map(|c| two_field(&index.alleles[c.1[0] as usize].name))
        .collect();
    // Log-likelihood of the reads under the pair (a homozygous pair gets β nats a read: the
    // second allele must explain reads, not merely fit the errors).
    let objective = |i: usize, j: usize| -> f64 {
        let (ri, rj) = (&levels[i * n..(i + 1) * n], &levels[j * n..(j + 1) * n]);
        let ll: f64 = ri
            .iter()
            .zip(rj)
            .zip(&weights)
            .map(|((&a, &b), &w)| w as f64 * table[a as usize][b as usize])
            .sum();
        if i == j {
            ll + beta * total
        } else {
            ll
        }
    };
    // Best pair; ties go to the lower-ranked (higher coverage, then lower-numbered) candidates.
    let mut best = (f64::MIN, 0, 0);
    for i in 0..cands.len() {
        for j in i..cands.len() {
            let o = objective(i, j);
            if o > best.0 + 1e-9 {
                best = (o, i, j);
            }
        }
    }
    let (obj, bi, bj) = best;
    let chosen: BTreeSet<&str> = [names[bi].as_str(), names[bj].as_str()].into();
    let mut runner_up = f64::MIN;
    for i in 0..cands.len() {
        for j in i..cands.len() {
            let set: BTreeSet<&str> = [names[i].as_str(), names[j].as_str()].into();
            if set != chosen {
                runner_up = runner_up.max(objective(i, j));
            }
        }
    }
    let margin = if runner_up == f64::MIN {
        obj
    } else {
        obj - runner_up
    };
    let refined = refine(&cands[bi].1, &cands[bj].1, bi == bj);
    let call = |i: usize, other: usize, chosen: u32| -> AlleleCall {
        let (b, a, cov, _) = &cands[i];
        let rep = &index.alleles[chosen as usize].name;
        let name = two_field(rep);
        let mut equivalent: Vec<String> = a
            .iter()
            .map(|&x| two_field(&index.alleles[x as usize].name))
            .filter(|n| *n != name)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .take(10)
            .map(|n| format!("HLA-{n}"))
            .collect();
        equivalent.sort();
        let both = weigh(b, &cands[other].0, &weights);
        AlleleCall {
            allele: format!("HLA-{name}"),
            representative: format!("HLA-{rep}"),
            g_group: format!("HLA-{}", g_group(rep)),
            reads: *cov,
            unique_reads: if i == other { 0 } else { both - cands[other].2 },
            equivalent,
            outside_reads: refined.reads,
        }
    };
    Some(PairCall {
        alleles: [
            call(bi, bj, refined.alleles[0]),
            call(bj, bi, refined.alleles[1]),
        ],
        homozygous: bi == bj && refined.alleles[0] == refined.alleles[1],
        members: [cands[bi].1.clone(), cands[bj].1.clone()],
        explained: weigh(&cands[bi].0, &cands[bj].0, &weights),
        margin,
    })
}

/// Alleles preferred to stand for a candidate: expressed (no N/Q/L/S/C/A suffix) with the whole
/// typing region; within each class, IMGT order (the allele id).
fn preferred(index: &HlaIndex, a: u32) -> bool {
    let x = &index.alleles[a as usize];
    !x.partial && x.name.ends_with(|c: char| c.is_ascii_digit())
}

/// Total weight of the fragment classes in `a | b`.
fn weigh(a: &[u64], b: &[u64], weights: &[u64]) -> u64 {
    let mut total = 0;
    for (w, (&x, &y)) in a.iter().zip(b).enumerate() {
        let mut m = x | y;
        while m != 0 {
            let t = m.trailing_zeros() as usize;
            total += weights[w * 64 + t];
            m &= m - 1;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;
    use crate::hla::index::IndexedAllele;

    fn index(names: &[&str]) -> HlaIndex {
        HlaIndex {
            loci: vec!["A".into()],
            alleles: names
                .iter()
                .map(|n| IndexedAllele {
                    name: n.to_string(),
                    locus: 0,
                    core: Vec::new(),
                    partial: false,
                    cds: Vec::new(),
                    complete: true,
                })
                .collect(),
            kmers: HashMap::new(),
            sets: Vec::new(),
            whole_cds_loci: Vec::new(),
            outside: HashSet::new(),
            edges: HashSet::new(),
        }
    }

    #[test]
    fn mixture_levels_by_hand() {
        // One interior mismatch removes K k-mers: four quarters; a deficit of 1 is a quarter.
        assert_eq!(level(0), 0);
        assert_eq!(level(1), 1);
        assert_eq!(level(K as u16), 4);
        assert_eq!(level(1000), (LEVELS - 1) as u8);
        let t = mixture_table();
        assert_eq!(t[0][0], 0.0);
        // Both alleles one mismatch away: the read costs one mismatch, ln(1/ε); worse fits
        // cost the same (the floor).
        assert!((t[4][4] + MISMATCH_NATS).abs() < 1e-9);
        assert!((t[8][LEVELS - 1] + MISMATCH_NATS).abs() < 1e-9);
        // One allele a quarter mismatch away (an end of the read), the other far.
        let quarter = ((-MISMATCH_NATS / 4.0).exp() / 2.0).ln();
        assert!((t[1][LEVELS - 1] - quarter).abs() < 1e-5);
        // Only one allele of the pair fits: half the reads' probability, −ln 2.
        assert!((t[0][LEVELS - 1] + std::f64::consts::LN_2).abs() < 1e-5);
    }

    /// True pair 0 (`A*01:01:01:01`) and 1 (`A*02:01`); 2 (`A*01:02`) is 0's neighbour, one
    /// base apart at a site where 0 and 1 agree. The 12 reads over that site fit 0 and 1 and
    /// are one mismatch from 2; one read with a sequencing error happens to fit 2 best and is
    /// one mismatch from 0. Counting reads best explained, (2, 1) explains 35 fragments and
    /// (0, 1) 34, so the count objective calls 2. By likelihood (ε = 0.01), (0, 1) loses
    /// ln ε ≈ −4.61 nats on the error read (the floor: no allele of the pair fits it within a
    /// mismatch), (2, 1) ln(1/2) ≈ −0.69 on it and ln((1 + ε)/2) ≈ −0.68 on each of the 12 site
    /// reads (−8.20 in all); the reads private to 0 or 1 cost both pairs alike. The true pair
    /// wins by 0.69 + 8.20 − 4.61 ≈ 4.29 nats.
    #[test]
    fn one_mismatch_neighbour_decided_by_the_likelihood() {
        let idx = index(&["A*01:01:01:01", "A*02:01", "A*01:02"]);
        let all = [0u32, 1, 2];
        let (t1, t2, site, err) = ([0u32, 2], [1u32], [0u32, 1], [2u32]);
        let near_site = [(2u32, K as u16)];
        let near_err = [(0u32, K as u16)];
        let frags = [
            LocusFragments {
                alleles: &all,
                near: &[],
                weight: 10,
            },
            LocusFragments {
                alleles: &t1,
                near: &[],
                weight: 10,
            },
            LocusFragments {
                alleles: &t2,
                near: &[],
                weight: 10,
            },
            LocusFragments {
                alleles: &site,
                near: &near_site,
                weight: 12,
            },
            LocusFragments {
                alleles: &err,
                near: &near_err,
                weight: 1,
            },
        ];
        let keep = |a: &[u32], b: &[u32], _: bool| Refined {
            alleles: [a[0], b[0]],
            reads: 0,
        };
        let g = |n: &str| n.to_string();
        let call = choose(&idx, &g, &frags, 0.02, &keep).unwrap();
        let mut names: Vec<&str> = call.alleles.iter().map(|a| a.allele.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["HLA-A*01:01", "HLA-A*02:01"]);
        assert!(!call.homozygous);
        assert!((call.margin - 4.29).abs() < 0.01, "margin {}", call.margin);
    }

    /// A neighbour fitting every read as the called allele does (identical over the reads) is
    /// no reason for a heterozygous call: the homozygous pair wins by β.
    #[test]
    fn homozygous_when_the_second_allele_adds_nothing() {
        let idx = index(&["A*01:01:01:01", "A*01:02"]);
        let both = [0u32, 1];
        let first = [0u32];
        let near = [(1u32, K as u16)];
        let frags = [
            LocusFragments {
                alleles: &both,
                near: &[],
                weight: 40,
            },
            LocusFragments {
                alleles: &first,
                near: &near,
                weight: 15,
            },
        ];
        let keep = |a: &[u32], b: &[u32], _: bool| Refined {
            alleles: [a[0], b[0]],
            reads: 0,
        };
        let g = |n: &str| n.to_string();
        let call = choose(&idx, &g, &frags, 0.02, &keep).unwrap();
        assert!(call.homozygous);
        assert_eq!(call.alleles[0].allele, "HLA-A*01:01");
        assert_eq!(call.alleles[1].allele, "HLA-A*01:01");
    }
}
