//! The diploid choice per locus (OptiType's objective without the solver): the pair of alleles
//! that explains the most fragments, where a fragment is explained by the alleles it fits best;
//! a homozygous call wins unless the second allele explains a further fraction β of the
//! fragments. Alleles that explain exactly the same fragments are one candidate (reported by the
//! lowest-numbered expressed, complete allele; its G group and the other two-field names it
//! stands for are listed).

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::imgt::two_field;
use super::index::HlaIndex;

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
    /// Other two-field names fitting the same fragments equally well (at most 10).
    pub equivalent: Vec<String>,
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
}

/// Chooses the pair; `None` when no fragment is given.
pub fn choose(
    index: &HlaIndex,
    g_group: &dyn Fn(&str) -> String,
    fragments: &[LocusFragments<'_>],
    beta: f64,
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
            a.sort_unstable();
            let cov = weigh(&b, &b, &weights);
            (b, a, cov)
        })
        .collect();
    cands.sort_by(|x, y| y.2.cmp(&x.2).then(x.1[0].cmp(&y.1[0])));
    cands.truncate(MAX_CANDIDATES);

    let names: Vec<String> = cands
        .iter()
        .map(|c| two_field(&index.alleles[representative(index, &c.1) as usize].name))
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
    let call = |i: usize, other: usize| -> AlleleCall {
        let (b, a, cov) = &cands[i];
        let rep = &index.alleles[representative(index, a) as usize].name;
        let mut equivalent: Vec<String> = a
            .iter()
            .map(|&x| two_field(&index.alleles[x as usize].name))
            .filter(|n| *n != names[i])
            .collect::<BTreeSet<_>>()
            .into_iter()
            .take(10)
            .map(|n| format!("HLA-{n}"))
            .collect();
        equivalent.sort();
        let both = weigh(b, &cands[other].0, &weights);
        AlleleCall {
            allele: format!("HLA-{}", names[i]),
            representative: format!("HLA-{rep}"),
            g_group: format!("HLA-{}", g_group(rep)),
            reads: *cov,
            unique_reads: if i == other { 0 } else { both - cands[other].2 },
            equivalent,
        }
    };
    Some(PairCall {
        alleles: [call(bi, bj), call(bj, bi)],
        homozygous: bi == bj,
        explained: weigh(&cands[bi].0, &cands[bj].0, &weights),
        margin,
    })
}

/// The allele reported for a candidate: the first (IMGT order) that is expressed (no N/Q/L/S/C/A
/// suffix) and has its whole typing region, else the first.
fn representative(index: &HlaIndex, alleles: &[u32]) -> u32 {
    alleles
        .iter()
        .copied()
        .find(|&a| {
            let x = &index.alleles[a as usize];
            !x.partial && x.name.ends_with(|c: char| c.is_ascii_digit())
        })
        .unwrap_or(alleles[0])
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
