//! Parallel collection of repeat-length distributions: sites in chunks over the global rayon
//! pool, one set of readers (every BAM/CRAM plus the reference) per worker, results in site order.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::io::fasta::Reference;

use super::reads::{Alignments, Distribution, ReadFilter};
use super::sites::Site;

/// Sites per work unit: small enough to balance two cores, large enough that opening readers
/// (once per worker, not per chunk) and bookkeeping stay negligible.
const CHUNK_SITES: usize = 32;

struct Readers {
    bams: Vec<Alignments>,
    reference: Reference,
}

fn open_readers(bams: &[PathBuf], fasta: &Path) -> Result<Readers> {
    Ok(Readers {
        bams: bams
            .iter()
            .map(|b| Alignments::open(b, fasta))
            .collect::<Result<_>>()?,
        reference: Reference::open(fasta)?,
    })
}

/// Checks every BAM's header against the reference before any work: an alignment to another
/// assembly (a contig of the sites with another length) is refused.
///
/// # Errors
/// A BAM/CRAM that cannot be opened with its index, or whose contigs disagree with the FASTA.
pub fn check_alignments(
    bams: &[PathBuf],
    fasta: &Path,
    reference: &[(String, u64)],
    sites: &[Site],
) -> Result<()> {
    let mut used: Vec<&str> = sites.iter().map(|s| s.chrom.as_str()).collect();
    used.dedup();
    used.sort_unstable();
    used.dedup();
    for bam in bams {
        let a = Alignments::open(bam, fasta)?;
        let contigs = a.contigs();
        let matcher = crate::genome::ContigMatcher::new(contigs.iter().map(|(n, _)| n.clone()));
        let mut found = 0;
        for chrom in &used {
            let Some(ref_len) = reference.iter().find(|(n, _)| n == chrom).map(|c| c.1) else {
                continue;
            };
            if let Ok(Some(name)) = matcher.resolve(chrom) {
                found += 1;
                let bam_len = contigs.iter().find(|(n, _)| n == name).map_or(0, |c| c.1);
                if bam_len != ref_len {
                    return Err(Error::invalid(
                        bam,
                        None,
                        format!("contig {name} has length {bam_len} in the header but {ref_len} in {}: the reads were aligned to another reference", fasta.display()),
                    ));
                }
            }
        }
        if found == 0 && !used.is_empty() {
            return Err(Error::invalid(
                bam,
                None,
                format!("none of the sites' contigs ({}) is in the alignment header: wrong reference or wrong file", used.join(", ")),
            ));
        }
    }
    Ok(())
}

/// For each site, its distribution in each of `bams` (same order), mapped through `f` with the
/// site's index; `f` returns `None` to drop a site (e.g. one without reads), so memory follows
/// the sites with data, not a genome-wide site list. Each site's reference bases are checked
/// against its flanks and repeat: a sites file from another reference fails at its first site.
///
/// # Errors
/// Unreadable inputs, or a site that does not match the reference.
pub fn map_sites<T, F>(
    sites: &[Site],
    sites_path: &Path,
    bams: &[PathBuf],
    fasta: &Path,
    filter: &ReadFilter,
    f: F,
) -> Result<Vec<T>>
where
    T: Send,
    F: Fn(usize, &Site, Vec<Distribution>) -> Option<T> + Sync,
{
    let progress = crate::progress::bar(Some(sites.len() as u64), "msi sites");
    let chunks: Vec<Result<Vec<T>>> = sites
        .par_chunks(CHUNK_SITES)
        .enumerate()
        .map_init(
            || open_readers(bams, fasta).map_err(|e| e.to_string()),
            |readers, (ci, chunk)| {
                let readers = readers.as_mut().map_err(|e| Error::usage(e.clone()))?;
                for site in chunk {
                    let (start, end) = site.span();
                    let bases = readers.reference.fetch(&site.chrom, start, end)?;
                    let want = site.expected_sequence();
                    if bases != want {
                        return Err(Error::invalid(
                            sites_path,
                            Some(site.locus()),
                            format!(
                                "the reference has {} where the site expects {}: the sites were made from another reference; re-run `immunoprofile msi scan` on {}",
                                String::from_utf8_lossy(&bases),
                                String::from_utf8_lossy(&want),
                                fasta.display()
                            ),
                        ));
                    }
                }
                let mut per_bam = readers
                    .bams
                    .iter_mut()
                    .map(|b| b.distributions(chunk, filter).map(Vec::into_iter))
                    .collect::<Result<Vec<_>>>()?;
                let out: Vec<T> = chunk
                    .iter()
                    .enumerate()
                    .filter_map(|(j, site)| {
                        let dists = per_bam.iter_mut().map(|it| it.next().unwrap_or_default()).collect();
                        f(ci * CHUNK_SITES + j, site, dists)
                    })
                    .collect();
                progress.inc(chunk.len() as u64);
                Ok(out)
            },
        )
        .collect();
    progress.finish_and_clear();
    let mut all = Vec::with_capacity(sites.len());
    for c in chunks {
        all.extend(c?);
    }
    Ok(all)
}
