//! Beyond the typing region: alleles with the same exons 2–3 (class I) or exon 2 (class II)
//! fit the typing reads equally, and many of them share a G group but not two-field names
//! (e.g. A*02:01 and A*02:09 differ in exon 4). Where the release has their complete coding
//! sequences, reads over the other exons (and RNA reads over exon junctions) tell them apart:
//! within each chosen candidate, the pair of complete alleles with the highest read likelihood
//! (the mixture model of [`super::genotype`]) wins. Partial alleles (IMGT holds only their typing region) cannot be judged there and are
//! kept only when no complete allele fits as well.

use std::collections::HashMap;

use super::genotype::{level, mixture_table, LEVELS};
use super::index::{kmers, revcomp, HlaIndex};
use super::matching::Fragment;

/// Alleles compared at most per candidate (the complete ones, in preference order).
const MAX_PER_CANDIDATE: usize = 256;

/// The refined pair: allele ids chosen in candidates `a` and `b`, and the reads over the whole
/// coding sequence that decided it (0 when nothing was to decide).
pub struct Refined {
    pub alleles: [u32; 2],
    pub reads: u64,
}

/// Picks one allele in each candidate (`a`, `b`: allele ids with the same typing-region fit,
/// each in preference order, the first being the default), by the reads their complete coding
/// sequences explain. `same` is whether `a` and `b` are one candidate (homozygous in the typing
/// region): a heterozygous pair inside it must then add a fraction `beta` of the reads.
pub fn refine(
    index: &HlaIndex,
    a: &[u32],
    b: &[u32],
    same: bool,
    fragments: &[(&Fragment, u32)],
    min_kmers: u32,
    beta: f64,
) -> Refined {
    let default = Refined {
        alleles: [a[0], b[0]],
        reads: 0,
    };
    let pick = |c: &[u32]| -> Vec<u32> {
        c.iter()
            .copied()
            .filter(|&x| index.alleles[x as usize].complete)
            .take(MAX_PER_CANDIDATE)
            .collect()
    };
    let (ca, cb) = (pick(a), pick(b));
    if ca.is_empty() && cb.is_empty() {
        return default;
    }
    // The compared alleles S (a's then b's, duplicates removed) and their k-mers.
    let mut s: Vec<u32> = ca.clone();
    for &x in &cb {
        if !s.contains(&x) {
            s.push(x);
        }
    }
    let words = s.len().div_ceil(64);
    let mut table: HashMap<u64, Vec<u64>> = HashMap::new();
    for (i, &x) in s.iter().enumerate() {
        let al = &index.alleles[x as usize];
        let seq = if al.cds.is_empty() { &al.core } else { &al.cds };
        for k in kmers(seq) {
            table.entry(k).or_insert_with(|| vec![0; words])[i / 64] |= 1 << (i % 64);
        }
    }
    // Per read: the members of S fitting it best, when they hold every k-mer of it that any
    // allele of the release holds (a read fitting another locus or allele better is left out).
    let mut classes: HashMap<Vec<u8>, u64> = HashMap::new();
    let mut scores = vec![0u32; s.len()];
    for (f, w) in fragments {
        scores.iter_mut().for_each(|x| *x = 0);
        let mut known = 0u32;
        for mate in &f.mates {
            let rc = revcomp(mate);
            let strands = [mate.as_slice(), rc.as_slice()];
            let hits = |seq: &[u8]| kmers(seq).filter(|k| table.contains_key(k)).count();
            let seq = if hits(strands[1]) > hits(strands[0]) {
                strands[1]
            } else {
                strands[0]
            };
            for k in kmers(seq) {
                let in_release = index.lookup(k).is_some() || index.outside_typing_region(k);
                if in_release {
                    known += 1;
                }
                if let Some(bits) = table.get(&k) {
                    for (i, sc) in scores.iter_mut().enumerate() {
                        if bits[i / 64] >> (i % 64) & 1 == 1 {
                            *sc += 1;
                        }
                    }
                }
            }
        }
        let best = scores.iter().copied().max().unwrap_or(0);
        if best < min_kmers.max(1) || best < known {
            continue;
        }
        // Reads every compared allele fits alike decide nothing.
        if scores.iter().all(|&sc| sc == best) {
            continue;
        }
        let levels: Vec<u8> = scores
            .iter()
            .map(|&sc| level((best - sc).min(u32::from(u16::MAX)) as u16))
            .collect();
        *classes.entry(levels).or_default() += u64::from(*w);
    }
    if classes.is_empty() {
        return default;
    }
    let classes: Vec<(Vec<u8>, u64)> = classes.into_iter().collect();
    // A candidate without a complete allele keeps its default, which fits nothing here.
    let pos = |x: u32| s.iter().position(|&y| y == x);
    let table = mixture_table();
    let worst = (LEVELS - 1) as u8;
    // Log-likelihood of the reads under the pair (the mixture model of `genotype`).
    let loglik = |x: u32, y: u32| -> f64 {
        let (i, j) = (pos(x), pos(y));
        classes
            .iter()
            .map(|(l, w)| {
                let a = i.map_or(worst, |i| l[i]);
                let b = j.map_or(worst, |j| l[j]);
                *w as f64
                    * if x == y {
                        table[a as usize][a as usize]
                    } else {
                        table[a as usize][b as usize]
                    }
            })
            .sum()
    };
    let total: u64 = classes.iter().map(|c| c.1).sum();
    // Candidates without a complete allele keep their default (which then explains nothing).
    let la: Vec<u32> = if ca.is_empty() { vec![a[0]] } else { ca };
    let lb: Vec<u32> = if cb.is_empty() { vec![b[0]] } else { cb };
    let mut best = (f64::MIN, default.alleles);
    for &x in &la {
        for &y in &lb {
            let mut o = loglik(x, y);
            if same && x == y {
                o += beta * total as f64;
            }
            // Ties keep the earlier (preferred) alleles.
            if o > best.0 + 1e-9 {
                best = (o, [x, y]);
            }
        }
    }
    Refined {
        alleles: best.1,
        reads: total,
    }
}
