//! Matching reads to alleles: each fragment (a read, or both mates of a pair) goes to the
//! alleles sharing the most of its k-mers, OptiType's "best hits" with k-mers in place of
//! mismatches. A sequencing error removes the same k-mers from every allele, so it lowers
//! the scores without changing which alleles are best.

use std::collections::HashMap;

use rayon::prelude::*;

use super::index::{kmers, revcomp, HlaIndex};

/// A read, or the two mates of a pair, as sequenced (either strand).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fragment {
    pub mates: Vec<Vec<u8>>,
}

/// Where a fragment went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// Best alleles all in one locus (sorted allele ids) with the k-mer score.
    Locus {
        locus: u16,
        alleles: Vec<u32>,
        score: u32,
    },
    /// Best alleles span loci: the fragment cannot tell them apart and is not used.
    Ambiguous,
    /// Too few k-mers of any allele's typing region.
    NoHit,
}

/// Distinct fragments with their multiplicity, in a fixed order (sorted), so results do not
/// depend on input order or thread count.
pub fn dedup(fragments: Vec<Fragment>) -> Vec<(Fragment, u32)> {
    let mut counts: HashMap<Fragment, u32> = HashMap::new();
    for f in fragments {
        *counts.entry(f).or_default() += 1;
    }
    let mut v: Vec<(Fragment, u32)> = counts.into_iter().collect();
    v.sort_unstable();
    v
}

/// Whether any k-mer of `seq` (either strand) is in an allele's coding sequence: the cheap
/// pre-filter applied while reading FASTQ or BAM records, every `stride`-th k-mer.
pub fn touches(index: &HlaIndex, seq: &[u8], stride: usize) -> bool {
    let rc = revcomp(seq);
    [seq, rc.as_slice()].iter().any(|s| {
        kmers(s)
            .step_by(stride.max(1))
            .any(|k| index.lookup(k).is_some() || index.outside_typing_region(k))
    })
}

/// Scores every fragment in parallel; the output is in input order.
pub fn match_all(index: &HlaIndex, fragments: &[(Fragment, u32)], min_kmers: u32) -> Vec<Fate> {
    fragments
        .par_iter()
        .map_init(
            || Scratch::new(index.alleles.len()),
            |scratch, (f, _)| scratch.fate(index, f, min_kmers),
        )
        .collect()
}

struct Scratch {
    scores: Vec<u32>,
    touched: Vec<u32>,
    sets: Vec<u32>,
    rc: Vec<u8>,
}

impl Scratch {
    fn new(n: usize) -> Self {
        Self {
            scores: vec![0; n],
            touched: Vec::new(),
            sets: Vec::new(),
            rc: Vec::new(),
        }
    }

    fn fate(&mut self, index: &HlaIndex, f: &Fragment, min_kmers: u32) -> Fate {
        for mate in &f.mates {
            // The strand with more indexed k-mers is the one the mate was read from.
            self.rc = revcomp(mate);
            let fwd: Vec<u32> = kmers(mate).filter_map(|k| index.lookup(k)).collect();
            let rev: Vec<u32> = kmers(&self.rc).filter_map(|k| index.lookup(k)).collect();
            self.sets = if rev.len() > fwd.len() { rev } else { fwd };
            self.sets.sort_unstable();
            let mut i = 0;
            while i < self.sets.len() {
                let id = self.sets[i];
                let mut j = i;
                while j < self.sets.len() && self.sets[j] == id {
                    j += 1;
                }
                let n = (j - i) as u32;
                for &a in index.set(id) {
                    let s = &mut self.scores[a as usize];
                    if *s == 0 {
                        self.touched.push(a);
                    }
                    *s += n;
                }
                i = j;
            }
        }
        let best = self
            .touched
            .iter()
            .map(|&a| self.scores[a as usize])
            .max()
            .unwrap_or(0);
        let fate = if best < min_kmers.max(1) {
            Fate::NoHit
        } else {
            let mut alleles: Vec<u32> = self
                .touched
                .iter()
                .copied()
                .filter(|&a| self.scores[a as usize] == best)
                .collect();
            alleles.sort_unstable();
            let locus = index.alleles[alleles[0] as usize].locus;
            if alleles
                .iter()
                .all(|&a| index.alleles[a as usize].locus == locus)
            {
                Fate::Locus {
                    locus,
                    alleles,
                    score: best,
                }
            } else {
                Fate::Ambiguous
            }
        };
        for &a in &self.touched {
            self.scores[a as usize] = 0;
        }
        self.touched.clear();
        fate
    }
}
