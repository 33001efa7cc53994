//! The k-mer index of the alleles' typing region (exons 2–3 for class I, exon 2 for class II),
//! built at run time from the user's release.
//!
//! Where exon 2 starts and exon 3 ends in each allele's coding sequence is found once per
//! locus on a reference allele (the first whose coding and genomic sequences are both present:
//! the coding sequence is walked through the genomic one, exon by exon), then carried to every
//! allele of the locus by placing it on that reference with unique 16-mers. Partial alleles
//! (exons 2–3 only, or less) keep what they have and are flagged.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use super::imgt::Imgt;

/// k-mer length: long enough to be specific in the MHC, short enough that a 50 bp read has
/// several error-free k-mers at 1% errors.
pub const K: usize = 25;
const ANCHOR: usize = 16;

/// One allele as indexed.
#[derive(Debug, Clone)]
pub struct IndexedAllele {
    pub name: String,
    /// Index into [`HlaIndex::loci`].
    pub locus: u16,
    /// Typing-region sequence.
    pub core: Vec<u8>,
    /// The allele's coding sequence lacks part of the typing region.
    pub partial: bool,
    /// The whole coding sequence, its exons joined by `N` like the core's (used to tell apart
    /// alleles with the same typing region; empty when it holds nothing beyond the typing
    /// region).
    pub cds: Vec<u8>,
    /// The coding sequence is complete (at least 95% of the locus's reference allele's length):
    /// only such alleles can be told apart outside the typing region.
    pub complete: bool,
}

/// k-mer → alleles holding it, with allele lists shared between k-mers.
#[derive(Debug)]
pub struct HlaIndex {
    pub loci: Vec<String>,
    pub alleles: Vec<IndexedAllele>,
    /// k-mer (2 bits a base) → index into `sets`.
    pub(super) kmers: HashMap<u64, u32>,
    /// Sorted allele ids.
    pub(super) sets: Vec<Vec<u32>>,
    /// Loci whose exon layout could not be found (no genomic reference allele): their whole
    /// coding sequence is indexed.
    pub whole_cds_loci: Vec<String>,
    /// k-mers of the coding sequences outside the typing regions: reads holding them are kept
    /// by the read pre-filter, to tell apart alleles with the same typing region.
    pub(super) outside: HashSet<u64>,
    /// First and last k-mers of every exon of every typing region: a read may run off an
    /// exon (into the intron, in DNA) only there.
    pub(super) edges: HashSet<u64>,
}

/// Exons used for typing: 2–3 (class I and the class I–like E/F/G), 2 (class II).
fn typing_exons(locus: &str) -> (usize, usize) {
    if locus.starts_with('D') {
        (2, 2)
    } else {
        (2, 3)
    }
}

impl HlaIndex {
    /// Builds the index from every allele of the release (typed loci and decoys alike).
    pub fn build(imgt: &Imgt) -> Self {
        let mut loci: Vec<String> = Vec::new();
        let mut by_locus: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, a) in imgt.alleles.iter().enumerate() {
            if !by_locus.contains_key(a.locus.as_str()) {
                loci.push(a.locus.clone());
            }
            by_locus.entry(a.locus.as_str()).or_default().push(i);
        }
        let mut whole_cds_loci = Vec::new();
        let per_locus: Vec<Vec<IndexedAllele>> = loci
            .par_iter()
            .enumerate()
            .map(|(li, locus)| {
                let ids = &by_locus[locus.as_str()];
                let layout = ids.iter().find_map(|&i| {
                    let a = &imgt.alleles[i];
                    let gen = imgt.genomic.get(&a.name)?;
                    let exons = exon_bounds(&a.cds, gen)?;
                    let (first, last) = typing_exons(locus);
                    // Reference coordinates of the typing exons' starts, and the last one's end.
                    (exons.len() >= last).then(|| {
                        let mut bounds: Vec<usize> =
                            (first..=last).map(|e| exons[e - 1].0).collect();
                        bounds.push(exons[last - 1].1);
                        // Every exon start, for the whole coding sequence.
                        let mut all: Vec<usize> = exons.iter().map(|e| e.0).collect();
                        all.push(a.cds.len());
                        (i, bounds, all)
                    })
                });
                // Built once per locus: every allele is placed on the same reference.
                let anchors = layout
                    .as_ref()
                    .map(|(r, _, _)| anchor_table(&imgt.alleles[*r].cds));
                let ref_len = layout
                    .as_ref()
                    .map_or(0, |(r, _, _)| imgt.alleles[*r].cds.len());
                ids.iter()
                    .map(|&i| {
                        let a = &imgt.alleles[i];
                        let (core, partial) = match (&layout, &anchors) {
                            (Some((_, bounds, _)), Some(anchors)) => {
                                core_of(anchors, bounds, &a.cds)
                            }
                            _ => (a.cds.clone(), false),
                        };
                        let complete = layout.is_some() && a.cds.len() * 20 >= ref_len * 19;
                        // The whole coding sequence, exons joined by N as in the core.
                        let cds = match (&layout, &anchors) {
                            _ if a.cds.len() < core.len() => Vec::new(),
                            (Some((_, _, all)), Some(anchors)) => core_of(anchors, all, &a.cds).0,
                            _ => a.cds.clone(),
                        };
                        IndexedAllele {
                            name: a.name.clone(),
                            locus: li as u16,
                            cds,
                            complete,
                            core,
                            partial,
                        }
                    })
                    .collect()
            })
            .collect();
        for (locus, alleles) in loci.iter().zip(&per_locus) {
            if alleles.iter().all(|a| !a.partial)
                && by_locus[locus.as_str()]
                    .iter()
                    .all(|&i| !imgt.genomic.contains_key(&imgt.alleles[i].name))
            {
                whole_cds_loci.push(locus.clone());
            }
        }
        let alleles: Vec<IndexedAllele> = per_locus.into_iter().flatten().collect();
        let mut pairs: Vec<(u64, u32)> = alleles
            .par_iter()
            .enumerate()
            .flat_map_iter(|(id, a)| kmers(&a.core).map(move |k| (k, id as u32)))
            .collect();
        pairs.par_sort_unstable();
        pairs.dedup();
        let mut kmers_map = HashMap::with_capacity(pairs.len() / 8);
        let mut set_ids: HashMap<Vec<u32>, u32> = HashMap::new();
        let mut sets = Vec::new();
        let mut i = 0;
        while i < pairs.len() {
            let kmer = pairs[i].0;
            let mut j = i;
            while j < pairs.len() && pairs[j].0 == kmer {
                j += 1;
            }
            let list: Vec<u32> = pairs[i..j].iter().map(|p| p.1).collect();
            let next = sets.len() as u32;
            let id = *set_ids.entry(list).or_insert_with_key(|l| {
                sets.push(l.clone());
                next
            });
            kmers_map.insert(kmer, id);
            i = j;
        }
        let outside: HashSet<u64> = alleles
            .par_iter()
            .filter(|a| !a.cds.is_empty())
            .flat_map_iter(|a| kmers(&a.cds).collect::<Vec<_>>())
            .collect::<Vec<u64>>()
            .into_iter()
            .filter(|k| !kmers_map.contains_key(k))
            .collect();
        let edges = edges_of(&alleles);
        Self {
            loci,
            alleles,
            kmers: kmers_map,
            sets,
            whole_cds_loci,
            outside,
            edges,
        }
    }

    /// Whether `kmer` begins or ends an exon of some allele's typing region.
    pub fn exon_edge(&self, kmer: u64) -> bool {
        self.edges.contains(&kmer)
    }

    /// Whether `kmer` is in any allele's coding sequence outside the typing region.
    pub fn outside_typing_region(&self, kmer: u64) -> bool {
        self.outside.contains(&kmer)
    }

    /// The allele set of a k-mer, if any allele holds it.
    pub fn lookup(&self, kmer: u64) -> Option<u32> {
        self.kmers.get(&kmer).copied()
    }

    pub fn set(&self, id: u32) -> &[u32] {
        &self.sets[id as usize]
    }

    /// Number of distinct k-mers.
    pub fn len(&self) -> usize {
        self.kmers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kmers.is_empty()
    }

    pub fn locus_id(&self, locus: &str) -> Option<u16> {
        self.loci.iter().position(|l| l == locus).map(|i| i as u16)
    }
}

/// The first and last k-mers of each exon (`N`-separated segment) of every core.
pub(super) fn edges_of(alleles: &[IndexedAllele]) -> HashSet<u64> {
    let mut out = HashSet::new();
    for a in alleles {
        for seg in a.core.split(|&b| b == b'N') {
            let mut it = kmers(seg);
            if let Some(k) = it.next() {
                out.insert(k);
            }
            if let Some(k) = kmers(seg).last() {
                out.insert(k);
            }
        }
    }
    out
}

/// 2-bit code of a base; `None` for N and anything else.
#[inline]
pub fn code(b: u8) -> Option<u64> {
    match b {
        b'A' | b'a' => Some(0),
        b'C' | b'c' => Some(1),
        b'G' | b'g' => Some(2),
        b'T' | b't' => Some(3),
        _ => None,
    }
}

/// The k-mers of `seq` (forward strand), skipping those with a non-ACGT base.
pub fn kmers(seq: &[u8]) -> impl Iterator<Item = u64> + '_ {
    let mask = (1u64 << (2 * K)) - 1;
    let mut value = 0u64;
    let mut valid = 0usize;
    seq.iter().filter_map(move |&b| match code(b) {
        Some(c) => {
            value = ((value << 2) | c) & mask;
            valid += 1;
            (valid >= K).then_some(value)
        }
        None => {
            valid = 0;
            None
        }
    })
}

/// The k-mers of `seq` with their start positions, skipping those with a non-ACGT base.
pub fn kmers_at(seq: &[u8]) -> impl Iterator<Item = (usize, u64)> + '_ {
    let mask = (1u64 << (2 * K)) - 1;
    let mut value = 0u64;
    let mut valid = 0usize;
    seq.iter()
        .enumerate()
        .filter_map(move |(i, &b)| match code(b) {
            Some(c) => {
                value = ((value << 2) | c) & mask;
                valid += 1;
                (valid >= K).then(|| (i + 1 - K, value))
            }
            None => {
                valid = 0;
                None
            }
        })
}

/// Reverse complement.
pub fn revcomp(seq: &[u8]) -> Vec<u8> {
    seq.iter()
        .rev()
        .map(|&b| match b {
            b'A' | b'a' => b'T',
            b'C' | b'c' => b'G',
            b'G' | b'g' => b'C',
            b'T' | b't' => b'A',
            _ => b'N',
        })
        .collect()
}

/// Exon boundaries of a coding sequence in its genomic sequence, as half-open ranges in coding
/// coordinates; `None` when the walk fails (the two do not belong together).
pub fn exon_bounds(cds: &[u8], gen: &[u8]) -> Option<Vec<(usize, usize)>> {
    const SEED: usize = 12;
    let mut exons = Vec::new();
    let (mut c, mut g) = (0usize, 0usize);
    while c < cds.len() {
        // The next exon starts where the coming coding bases first occur in the genomic
        // sequence (the last exons may be shorter than the seed).
        let seed = &cds[c..(c + SEED).min(cds.len())];
        let Some(found) = memchr::memmem::find(&gen[g..], seed) else {
            // An exon shorter than the seed (the last ones of class I): keep those found.
            break;
        };
        let start = c;
        let (mut cc, mut gg) = (c, g + found);
        while cc < cds.len() && gg < gen.len() && cds[cc] == gen[gg] {
            cc += 1;
            gg += 1;
        }
        // The greedy walk runs a base or two into the intron when its first bases equal the
        // next exon's: step back to the last place where the intron would begin with the GT
        // of a splice donor (none within 3 bases: keep the walk's end).
        if cc < cds.len() {
            if let Some(back) =
                (0..=3.min(cc - start - 1)).find(|&d| gen[gg - d..].starts_with(b"GT"))
            {
                cc -= back;
                gg -= back;
            }
        }
        exons.push((start, cc));
        c = cc;
        g = gg;
    }
    (!exons.is_empty()).then_some(exons)
}

/// The typing region of `cds`, placed with `anchors` on the reference coding sequence whose
/// typing exons start at `bounds[..n-1]` and end at `bounds[n-1]`; and whether part of it is
/// missing. Exons are joined with an `N`, so no k-mer spans an exon junction: a DNA read
/// continues into the intron there, and a k-mer across the junction would favour the alleles
/// whose next exon happens to begin like the intron (a bias no RNA read has, and the one that
/// made DNA calls drift to such neighbours).
fn core_of(
    anchors: &HashMap<&[u8], Option<usize>>,
    bounds: &[usize],
    cds: &[u8],
) -> (Vec<u8>, bool) {
    let offsets: Vec<(usize, isize)> = (0..cds.len().saturating_sub(ANCHOR - 1))
        .filter_map(|i| {
            let key = &cds[i..i + ANCHOR];
            anchors
                .get(key)
                .and_then(|&p| p)
                .map(|p| (i, p as isize - i as isize))
        })
        .collect();
    let (Some(first), Some(last)) = (offsets.first(), offsets.last()) else {
        return (Vec::new(), true);
    };
    // Allele position of a reference position: the offset of the nearest anchor before it
    // (the first anchor's for positions before any; indels shift later positions only).
    let n = bounds.len();
    let place = |pos: usize, default: isize| pos as isize - offset_near(&offsets, pos, default);
    let s = place(bounds[0], first.1);
    let e = place(bounds[n - 1], last.1);
    let partial = s < 0 || e > cds.len() as isize;
    let clamp = |x: isize| x.clamp(0, cds.len() as isize) as usize;
    let (s, e) = (clamp(s), clamp(e));
    if e <= s {
        return (Vec::new(), true);
    }
    let mut core = Vec::with_capacity(e - s + n);
    let mut at = s;
    for &b in &bounds[1..n - 1] {
        let m = clamp(place(b, first.1)).clamp(s, e);
        core.extend_from_slice(&cds[at..m]);
        if m > s && m < e {
            core.push(b'N');
        }
        at = m;
    }
    core.extend_from_slice(&cds[at..e]);
    (core, partial)
}

/// The offset of the last anchor whose reference position is at or before `ref_pos`.
fn offset_near(offsets: &[(usize, isize)], ref_pos: usize, default: isize) -> isize {
    offsets
        .iter()
        .take_while(|(i, o)| (*i as isize + o) <= ref_pos as isize)
        .last()
        .map_or(default, |&(_, o)| o)
}

/// Reference 16-mers → position when unique.
fn anchor_table(reference: &[u8]) -> HashMap<&[u8], Option<usize>> {
    let mut t: HashMap<&[u8], Option<usize>> = HashMap::new();
    for i in 0..reference.len().saturating_sub(ANCHOR - 1) {
        t.entry(&reference[i..i + ANCHOR])
            .and_modify(|p| *p = None)
            .or_insert(Some(i));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exons_from_genomic() {
        // Three exons of 14, 13 and 12 bases with GT…AG introns.
        let (e1, e2, e3) = ("ATGGCCGTCATGGC", "TCCCCGAACCCTC", "CTGCTACTCTCG");
        let cds = format!("{e1}{e2}{e3}");
        let gen = format!("TTT{e1}GTAAGTTTTTCAG{e2}GTGAGCCCAG{e3}TTT");
        assert_eq!(
            exon_bounds(cds.as_bytes(), gen.as_bytes()),
            Some(vec![(0, 14), (14, 27), (27, 39)])
        );
        // Exon 2 begins like intron 1 (GT…): the greedy walk overruns by two bases and the
        // splice donor puts the boundary back.
        let (e1, e2, e3) = ("ATGGCCGTCATGGC", "GTCCCGAACCCTC", "CTGCTACTCTCG");
        let cds = format!("{e1}{e2}{e3}");
        let gen = format!("TTT{e1}GTAAGTTTTTCAG{e2}GTGAGCCCAG{e3}TTT");
        assert_eq!(
            exon_bounds(cds.as_bytes(), gen.as_bytes()),
            Some(vec![(0, 14), (14, 27), (27, 39)])
        );
    }

    #[test]
    fn kmers_skip_n() {
        let s = vec![b'A'; K + 2];
        assert_eq!(kmers(&s).count(), 3);
        let mut s2 = s.clone();
        s2[1] = b'N';
        assert_eq!(kmers(&s2).count(), 1);
    }
}
