//! The diploid choice per locus (OptiType's objective without the solver): the pair of alleles
//! that explains the most fragments, where a fragment is explained by the alleles it fits best;
//! a homozygous call wins unless the second allele explains a further fraction β of the
//! fragments. Alleles that explain exactly the same fragments are one candidate; within it the
//! reads beyond the typing region choose the allele ([`super::refine`]), else the
//! lowest-numbered expressed allele with its whole typing region stands for it (its G group and
//! the other two-field names it stands for are listed).

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::imgt::two_field;
use super::index::HlaIndex;
use super::refine::Refined;

/// Candidates kept for the pair search, by coverage: the true alleles each explain about half
/// the fragments or more and are always among the first.
const MAX_CANDIDATES: usize = 300;

/// One fragment class of a locus: the best-fitting alleles and how many fragments share them.
pub struct LocusFragments<'a> {
    pub alleles: &'a [u32],
    pub weight: u32,
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
    // Fragment classes with identical allele sets are interchangeable for the objective.
    let mut classes: Vec<(&[u32], u64)> = Vec::new();
    {
        let mut at: HashMap<&[u32], usize> = HashMap::new();
        for f in fragments {
            match at.get(f.alleles) {
                Some(&i) => classes[i].1 += u64::from(f.weight),
                None => {
                    at.insert(f.alleles, classes.len());
                    classes.push((f.alleles, u64::from(f.weight)));
                }
            }
        }
    }
    if classes.is_empty() {
        return None;
    }
    let words = classes.len().div_ceil(64);
    let weights: Vec<u64> = classes.iter().map(|c| c.1).collect();
    let mut bits: HashMap<u32, Vec<u64>> = HashMap::new();
    for (ci, (alleles, _)) in classes.iter().enumerate() {
        for &a in *alleles {
            bits.entry(a).or_insert_with(|| vec![0; words])[ci / 64] |= 1 << (ci % 64);
        }
    }
    // Alleles explaining the same fragments form one candidate.
    let mut groups: HashMap<Vec<u64>, Vec<u32>> = HashMap::new();
    for (a, b) in bits {
        groups.entry(b).or_default().push(a);
    }
    let mut cands: Vec<(Vec<u64>, Vec<u32>, u64)> = groups
        .into_iter()
        .map(|(b, mut a)| {
            a.sort_unstable_by_key(|&x| (!preferred(index, x), x));
            let cov = weigh(&b, &b, &weights);
            (b, a, cov)
        })
        .collect();
    cands.sort_by(|x, y| y.2.cmp(&x.2).then(x.1[0].cmp(&y.1[0])));
    cands.truncate(MAX_CANDIDATES);

    let names: Vec<String> = cands
        .iter()
        .map(|c| two_field(&index.alleles[c.1[0] as usize].name))
        .collect();
    let objective = |i: usize, j: usize| -> f64 {
        if i == j {
            cands[i].2 as f64 * (1.0 + beta)
        } else {
            weigh(&cands[i].0, &cands[j].0, &weights) as f64
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
        let (b, a, cov) = &cands[i];
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
