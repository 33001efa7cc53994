//! Matching reads to alleles: each fragment (a read, or both mates of a pair) goes to the
//! alleles sharing the most of its k-mers, OptiType's "best hits" with k-mers in place of
//! mismatches. A sequencing error removes the same k-mers from every allele, so it lowers
//! the scores without changing which alleles are best.

use std::collections::HashMap;

use rayon::prelude::*;

use super::index::{kmers, kmers_at, revcomp, HlaIndex, K};

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
        /// Other alleles of the locus sharing at least `score - NEAR` of the fragment's
        /// k-mers, with their deficit (`score` minus theirs), sorted by allele id: the
        /// per-read likelihood of one-mismatch neighbours ([`super::genotype`]).
        near: Vec<(u32, u16)>,
    },
    /// Best alleles (sorted ids) span loci: used only where the other loci's calls do not
    /// explain it already (see `type_fragments`).
    Ambiguous { alleles: Vec<u32> },
    /// Too few k-mers of any allele's typing region, or too many mismatches to the best
    /// allele (a read of a pseudogene or a related locus not in the release).
    NoHit,
}

/// Deficit (k-mers fewer than the best allele's) up to which an allele's fit is recorded:
/// three interior mismatches (each removes `K` k-mers); beyond that a fit counts as three.
pub const NEAR: u32 = 3 * K as u32;

/// Mismatches allowed between a read and its best allele over the span the allele's k-mers
/// cover: 1 + 3% of the span (3 for 76 bp, 4 for 100 bp, 5 for 150 bp), about OptiType's
/// 95% identity for its read mapping, a little stricter: a read of a pseudogene or of an
/// allele missing from the release (6–15% divergent) must not pull a call.
fn max_mismatches(span: usize) -> usize {
    1 + span * 3 / 100
}

/// Positions of `span` not covered by any of the k-mers starting at `starts` (sorted): each
/// isolated substitution leaves one such position, an exon junction none.
fn uncovered(starts: &[usize]) -> (usize, usize) {
    let (Some(&first), Some(&last)) = (starts.first(), starts.last()) else {
        return (0, 0);
    };
    let span = last + K - first;
    let mut covered = 0;
    let mut end = first;
    for &p in starts {
        let e = p + K;
        if e > end {
            covered += e - end.max(p);
            end = e;
        }
    }
    (span, span - covered)
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

/// A read k-mer found in the index: position, allele set, k-mer.
type Hit = (usize, u32, u64);

struct Scratch {
    scores: Vec<u32>,
    touched: Vec<u32>,
    sets: Vec<u32>,
    rc: Vec<u8>,
    /// Per mate: (position, k-mer set, k-mer) of the strand read, and the mate's length.
    hits: Vec<(Vec<Hit>, usize)>,
}

impl Scratch {
    fn new(n: usize) -> Self {
        Self {
            scores: vec![0; n],
            touched: Vec::new(),
            sets: Vec::new(),
            rc: Vec::new(),
            hits: Vec::new(),
        }
    }

    fn fate(&mut self, index: &HlaIndex, f: &Fragment, min_kmers: u32) -> Fate {
        self.hits.clear();
        for mate in &f.mates {
            // The strand with more indexed k-mers is the one the mate was read from.
            self.rc = revcomp(mate);
            let at = |seq: &[u8]| -> Vec<(usize, u32, u64)> {
                kmers_at(seq)
                    .filter_map(|(p, k)| index.lookup(k).map(|s| (p, s, k)))
                    .collect()
            };
            let (fwd, rev) = (at(mate), at(&self.rc));
            let hits = if rev.len() > fwd.len() { rev } else { fwd };
            self.sets = hits.iter().map(|h| h.1).collect();
            self.hits.push((hits, mate.len()));
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
            let b = alleles[0];
            let divergent = self.hits.iter().any(|(hits, len)| {
                let mine: Vec<&(usize, u32, u64)> = hits
                    .iter()
                    .filter(|h| index.set(h.1).binary_search(&b).is_ok())
                    .collect();
                let (Some(first), Some(last)) = (mine.first(), mine.last()) else {
                    return false;
                };
                let starts: Vec<usize> = mine.iter().map(|h| h.0).collect();
                let (span, miss) = uncovered(&starts);
                // Beyond the matched span the read may go on unmatched for a k-mer's length
                // (an error near its end), or further only off an exon's edge (into an
                // intron); a longer unmatched stretch inside an exon means another sequence.
                let left = first.0;
                let right = len.saturating_sub(last.0 + K);
                miss > max_mismatches(span)
                    || (left > K && !index.exon_edge(first.2))
                    || (right > K && !index.exon_edge(last.2))
            });
            if divergent {
                Fate::NoHit
            } else if alleles
                .iter()
                .all(|&a| index.alleles[a as usize].locus == locus)
            {
                let mut near: Vec<(u32, u16)> = self
                    .touched
                    .iter()
                    .filter(|&&a| {
                        let sc = self.scores[a as usize];
                        sc < best && sc + NEAR >= best && index.alleles[a as usize].locus == locus
                    })
                    .map(|&a| (a, (best - self.scores[a as usize]) as u16))
                    .collect();
                near.sort_unstable();
                Fate::Locus {
                    locus,
                    alleles,
                    score: best,
                    near,
                }
            } else {
                Fate::Ambiguous { alleles }
            }
        };
        for &a in &self.touched {
            self.scores[a as usize] = 0;
        }
        self.touched.clear();
        fate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uncovered_counts_isolated_mismatches_not_junctions() {
        // 100 bp read, every k-mer matched: nothing uncovered.
        let all: Vec<usize> = (0..=100 - K).collect();
        assert_eq!(uncovered(&all), (100, 0));
        // One substitution at 50 removes the k-mers starting at 26..=50: position 50 alone
        // is left uncovered.
        let one: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&p| p + K <= 50 || p > 50)
            .collect();
        assert_eq!(uncovered(&one), (100, 1));
        // An exon junction at 50 (k-mers spanning it absent, i.e. starting at 26..=49): every
        // position still covered.
        let junction: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&p| p + K <= 50 || p >= 50)
            .collect();
        assert_eq!(uncovered(&junction), (100, 0));
        assert_eq!(max_mismatches(100), 4);
    }
}
