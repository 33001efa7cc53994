//! HLA typing from reads (`immunoprofile hla`).
//!
//! OptiType's method with k-mers in place of a read aligner and an exhaustive pair search in
//! place of an ILP solver: every allele's typing region (exons 2–3 for class I, exon 2 for class
//! II) from the user's IPD-IMGT/HLA release is indexed at run time ([`index`]); each read or
//! pair goes to the alleles sharing the most of its k-mers ([`matching`]), and is dropped when
//! those span loci or belong to a locus not typed (HLA-E/F/G, DRB3/4/5, DRA, pseudogenes when
//! the release has them), so those cannot pull calls; per locus, the pair of alleles explaining
//! the most fragments is chosen with a penalty for homozygosity ([`genotype`]).
//!
//! ```no_run
//! use immunoprofile::hla::{self, HlaInput, HlaParams};
//! let params = HlaParams {
//!     input: HlaInput::Fastq { r1: "R1.fq.gz".into(), r2: Some("R2.fq.gz".into()) },
//!     ..HlaParams::new("IMGTHLA")
//! };
//! let result = hla::type_sample(&params).unwrap();
//! println!("{:?}", result.alleles);
//! ```

pub mod cache;
pub mod genotype;
pub mod imgt;
pub mod index;
pub mod matching;
pub mod output;
pub mod reads;
pub mod refine;
pub mod simulate;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use crate::error::{Error, Result};
pub use genotype::{AlleleCall, PairCall};
pub use imgt::{Imgt, CITATION};
pub use index::HlaIndex;
pub use matching::Fragment;
pub use reads::ReadStats;

/// Loci typed by default: class I, then class II best effort.
pub const DEFAULT_LOCI: [&str; 8] = ["A", "B", "C", "DRB1", "DQA1", "DQB1", "DPA1", "DPB1"];

/// Where the reads come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum HlaInput {
    Fastq {
        r1: PathBuf,
        r2: Option<PathBuf>,
    },
    Bam {
        path: PathBuf,
        fasta: Option<PathBuf>,
    },
    /// Fragments already in memory (simulations, the pipeline).
    #[serde(skip)]
    Fragments(Vec<Fragment>),
}

/// Parameters of one typing run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HlaParams {
    pub input: HlaInput,
    /// IPD-IMGT/HLA release folder.
    pub imgt: PathBuf,
    pub loci: Vec<String>,
    /// Fewer fragments than this at a locus: undetermined.
    pub min_reads: u64,
    /// Fraction of fragments a second allele must add to beat a homozygous call.
    pub homozygosity_penalty: f64,
    /// k-mers a fragment must share with its best allele to count.
    pub min_kmers: u32,
    /// Folder for the built index, keyed by the release ([`cache`]); `None`: build every run.
    pub index_cache: Option<PathBuf>,
}

impl HlaParams {
    /// Defaults: all eight loci, 20 fragments a locus, β = 0.02, 10 shared k-mers.
    pub fn new(imgt: impl Into<PathBuf>) -> Self {
        Self {
            input: HlaInput::Fragments(Vec::new()),
            imgt: imgt.into(),
            loci: DEFAULT_LOCI.iter().map(|s| s.to_string()).collect(),
            min_reads: 20,
            homozygosity_penalty: 0.02,
            min_kmers: 10,
            index_cache: None,
        }
    }
}

/// Call or reason at one locus.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocusResult {
    pub locus: String,
    /// `called` or `undetermined`.
    pub status: String,
    /// `high`, `medium`, `low` (ties with other two-field pairs), or `undetermined`.
    pub confidence: String,
    /// Fragments assigned to this locus.
    pub reads: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<PairCall>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Fates of the fragments kept by the pre-filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FragmentStats {
    pub distinct: u64,
    pub typed_loci: u64,
    /// Best fit in a locus not typed (HLA-E/F/G, DRB3/4/5, …).
    pub other_loci: BTreeMap<String, u64>,
    /// Best fit equally in several loci.
    pub ambiguous: u64,
    pub no_hit: u64,
}

/// The result written to `PREFIX.hla.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HlaResult {
    /// Locus → the two alleles (the same twice when homozygous); called loci only.
    pub alleles: BTreeMap<String, [String; 2]>,
    pub loci: Vec<LocusResult>,
    pub imgt_release: String,
    pub citation: String,
    pub input: ReadStats,
    pub fragments: FragmentStats,
    pub index: IndexStats,
    pub params: HlaParams,
    pub version: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IndexStats {
    pub alleles: u64,
    pub partial_alleles: u64,
    pub kmers: u64,
    pub k: usize,
    /// Loci with no genomic sequence to find exons: the whole coding sequence is indexed.
    pub whole_cds_loci: Vec<String>,
    /// `off`, `hit` (read from the cache) or `written`: logged, not written to the JSON (with
    /// one cache shared by a batch's samples it depends on which sample ran first).
    #[serde(skip)]
    pub cache: cache::CacheUse,
}

/// Types a sample: reads the release, builds the index, reads the input, calls each locus.
///
/// # Errors
/// Unreadable release or reads, or a locus absent from the release.
pub fn type_sample(params: &HlaParams) -> Result<HlaResult> {
    let t = std::time::Instant::now();
    let (imgt, index, cache_use) =
        cache::load_or_build(&params.imgt, params.index_cache.as_deref())?;
    let seconds = t.elapsed().as_secs_f64();
    log::info!(
        "IPD-IMGT/HLA {}: {} alleles, {} k-mers indexed ({:?}) in {seconds:.1} s",
        imgt.release,
        index.alleles.len(),
        index.len(),
        cache_use
    );
    let (fragments, stats) = match &params.input {
        HlaInput::Fastq { r1, r2 } => reads::from_fastq(&index, r1, r2.as_deref())?,
        HlaInput::Bam { path, fasta } => reads::from_bam(&index, path, fasta.as_deref())?,
        HlaInput::Fragments(f) => (
            f.clone(),
            ReadStats {
                records_scanned: f.len() as u64,
                fragments_kept: f.len() as u64,
                region: None,
            },
        ),
    };
    let mut result = type_fragments(&imgt, &index, fragments, stats, params)?;
    result.index.cache = cache_use;
    Ok(result)
}

/// Types fragments against a built index (the simulation reuses one index for many samples).
///
/// # Errors
/// A requested locus absent from the release.
pub fn type_fragments(
    imgt: &Imgt,
    index: &HlaIndex,
    fragments: Vec<Fragment>,
    input: ReadStats,
    params: &HlaParams,
) -> Result<HlaResult> {
    let mut locus_ids = Vec::new();
    for l in &params.loci {
        let id = index.locus_id(l).ok_or_else(|| {
            Error::usage(format!(
                "locus {l} has no alleles in {}: drop it from --loci or give a release that has it",
                params.imgt.display()
            ))
        })?;
        locus_ids.push(id);
    }
    let distinct = matching::dedup(fragments);
    let fates = matching::match_all(index, &distinct, params.min_kmers);
    let mut fstats = FragmentStats {
        distinct: distinct.len() as u64,
        ..Default::default()
    };
    let mut per_locus: BTreeMap<u16, Vec<genotype::LocusFragments<'_>>> = BTreeMap::new();
    let typed = |a: &u32| locus_ids.contains(&index.alleles[*a as usize].locus);
    for ((_, weight), fate) in distinct.iter().zip(&fates) {
        match fate {
            matching::Fate::Locus {
                locus,
                alleles,
                near,
                ..
            } => {
                if locus_ids.contains(locus) {
                    fstats.typed_loci += u64::from(*weight);
                    per_locus
                        .entry(*locus)
                        .or_default()
                        .push(genotype::LocusFragments {
                            alleles,
                            near,
                            weight: *weight,
                        });
                } else {
                    *fstats
                        .other_loci
                        .entry(index.loci[*locus as usize].clone())
                        .or_default() += u64::from(*weight);
                }
            }
            matching::Fate::Ambiguous { .. } => fstats.ambiguous += u64::from(*weight),
            matching::Fate::NoHit => fstats.no_hit += u64::from(*weight),
        }
    }
    let beta = params.homozygosity_penalty;
    let g = |name: &str| imgt.g_group(name).to_string();
    // Pass 1: each locus from the fragments only it fits.
    let keep_first = |a: &[u32], b: &[u32], _: bool| refine::Refined {
        alleles: [a[0], b[0]],
        reads: 0,
    };
    let mut first: BTreeMap<u16, [Vec<u32>; 2]> = BTreeMap::new();
    for id in &locus_ids {
        let frags = per_locus.get(id).map_or(&[][..], Vec::as_slice);
        let reads: u64 = frags.iter().map(|f| u64::from(f.weight)).sum();
        if reads >= params.min_reads {
            if let Some(c) = genotype::choose(index, &g, frags, beta, &keep_first) {
                first.insert(*id, c.members);
            }
        }
    }
    // Pass 2 (OptiType's joint objective, one round of coordinate ascent): a fragment fitting
    // several typed loci equally is already explained where the other loci's pass-1 alleles fit
    // it; otherwise it counts for each typed locus it fits, restricted to that locus's alleles.
    // Fragments fitting an untyped locus (HLA-E/F/G, DRB3/4/5, …) as well stay out.
    let mut shared: BTreeMap<u16, Vec<(Vec<u32>, u32)>> = BTreeMap::new();
    for ((_, weight), fate) in distinct.iter().zip(&fates) {
        let matching::Fate::Ambiguous { alleles } = fate else {
            continue;
        };
        if !alleles.iter().all(typed) {
            continue;
        }
        for id in &locus_ids {
            let mine: Vec<u32> = alleles
                .iter()
                .copied()
                .filter(|&a| index.alleles[a as usize].locus == *id)
                .collect();
            if mine.is_empty() {
                continue;
            }
            let explained_elsewhere = first.iter().any(|(other, members)| {
                other != id
                    && members
                        .iter()
                        .any(|m| m.iter().any(|a| alleles.binary_search(a).is_ok()))
            });
            if !explained_elsewhere {
                shared.entry(*id).or_default().push((mine, *weight));
            }
        }
    }
    // Fragments fitting no typing region that may lie in the other exons (for `refine`).
    let beyond: Vec<bool> = distinct
        .iter()
        .zip(&fates)
        .map(|((f, _), fate)| {
            matches!(fate, matching::Fate::NoHit)
                && f.mates.iter().any(|m| matching::touches(index, m, 1))
        })
        .collect();
    let mut loci = Vec::new();
    let mut alleles = BTreeMap::new();
    for (name, id) in params.loci.iter().zip(&locus_ids) {
        let mut frags = per_locus.remove(id).unwrap_or_default();
        let own: u64 = frags.iter().map(|f| u64::from(f.weight)).sum();
        if own < params.min_reads {
            loci.push(LocusResult {
                locus: name.clone(),
                status: "undetermined".into(),
                confidence: "undetermined".into(),
                reads: own,
                call: None,
                reason: Some(format!(
                    "{own} reads fit HLA-{name} best (at least {} needed)",
                    params.min_reads
                )),
            });
            continue;
        }
        if let Some(extra) = shared.get(id) {
            frags.extend(extra.iter().map(|(a, w)| genotype::LocusFragments {
                alleles: a,
                near: &[],
                weight: *w,
            }));
        }
        let reads: u64 = frags.iter().map(|f| u64::from(f.weight)).sum();
        // Reads that may lie beyond this locus's typing region: its own, and those fitting no
        // typing region but some coding sequence (other exons).
        let outside: Vec<(&Fragment, u32)> = distinct
            .iter()
            .zip(&fates)
            .zip(&beyond)
            .filter(|((_, fate), &b)| match fate {
                matching::Fate::Locus { locus, .. } => locus == id,
                _ => b,
            })
            .map(|(((f, w), _), _)| (f, *w))
            .collect();
        let refine = |a: &[u32], b: &[u32], same: bool| {
            refine::refine(index, a, b, same, &outside, params.min_kmers, beta)
        };
        let call = genotype::choose(index, &g, &frags, beta, &refine)
            .ok_or_else(|| Error::Internal("pair choice without fragments".into()))?;
        let confidence = if call.margin >= 10.0 {
            "high"
        } else if call.margin >= 3.0 {
            "medium"
        } else {
            "low"
        };
        alleles.insert(
            name.clone(),
            [
                call.alleles[0].allele.clone(),
                call.alleles[1].allele.clone(),
            ],
        );
        loci.push(LocusResult {
            locus: name.clone(),
            status: "called".into(),
            confidence: confidence.into(),
            reads,
            call: Some(call),
            reason: None,
        });
    }
    let mut params = params.clone();
    if let HlaInput::Fragments(_) = params.input {
        params.input = HlaInput::Fragments(Vec::new());
    }
    Ok(HlaResult {
        alleles,
        loci,
        imgt_release: imgt.release.clone(),
        citation: CITATION.to_string(),
        input,
        fragments: fstats,
        index: IndexStats {
            alleles: index.alleles.len() as u64,
            partial_alleles: index.alleles.iter().filter(|a| a.partial).count() as u64,
            kmers: index.len() as u64,
            k: index::K,
            whole_cds_loci: index.whole_cds_loci.clone(),
            cache: cache::CacheUse::Off,
        },
        params,
        version: crate::VERSION.to_string(),
    })
}
