//! `msi baseline`: per-site slippage in a panel of normals, for tumour-only scoring.
//!
//! Model (ours, after the idea of msisensor-pro, Jia 2020, and MANTIS's use of normals; no code
//! of either is used): in a stable sample each read at a site shows a length other than the
//! reference's with a site-specific probability (polymerase slippage during PCR and
//! sequencing). For every normal with at least `min_coverage` reads we take that fraction;
//! the baseline keeps their mean and standard deviation, how many normals covered the site,
//! and whether every normal's most frequent length was the reference length. A site is usable
//! for tumour-only calls when at least `min_normals` normals covered it and all of them agreed
//! with the reference (this drops common germline length polymorphisms, which would otherwise
//! look unstable in every tumour).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::io::fasta::Reference;
use crate::io::output::{fmt_num, AtomicFile};

use super::collect::{check_alignments, map_sites};
use super::reads::ReadFilter;
use super::scan::ScanParams;
use super::sites::{read_table, write_contig_lines, Site, SITES_COLUMNS};
use super::Contigs;

/// First line of a baseline file.
pub const BASELINE_MAGIC: &str = "##immunoprofile-msi-baseline=1";

/// One site's behaviour in the normals.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineSite {
    pub site: Site,
    /// Normals with at least the minimum coverage here.
    pub normals_covered: u32,
    /// Mean and (sample) standard deviation over those normals of the fraction of reads whose
    /// length is not the reference's.
    pub other_mean: f64,
    pub other_sd: f64,
    /// Every covering normal's most frequent length was the reference length.
    pub modes_agree: bool,
}

impl BaselineSite {
    pub fn usable(&self, min_normals: u32) -> bool {
        self.normals_covered >= min_normals.max(1) && self.modes_agree
    }
}

/// Everything `msi baseline` needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineParams {
    pub normals: Vec<PathBuf>,
    pub fasta: PathBuf,
    /// Sites file; `None` scans the reference with `scan`.
    pub sites: Option<PathBuf>,
    pub scan: ScanParams,
    pub reads: ReadFilter,
    pub min_coverage: u32,
}

/// Mean and sample standard deviation (0 for fewer than two values).
fn mean_sd(values: &[f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, 0.0);
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

/// Builds the baseline from the normals: the reference's contigs, how many sites were
/// examined, and the sites that at least one normal covered.
///
/// # Errors
/// Unreadable inputs, a sites file for another reference, BAMs without index.
pub fn build(params: &BaselineParams) -> Result<(Contigs, usize, Vec<BaselineSite>)> {
    if params.normals.is_empty() {
        return Err(Error::usage(
            "msi baseline needs at least one normal BAM/CRAM",
        ));
    }
    let (contigs, sites, sites_path) =
        super::load_sites(&params.fasta, params.sites.as_deref(), &params.scan)?;
    check_alignments(&params.normals, &params.fasta, &contigs, &sites)?;
    let min_cov = params.min_coverage;
    let out = map_sites(
        &sites,
        &sites_path,
        &params.normals,
        &params.fasta,
        &params.reads,
        |_, site, dists| {
            let mut fractions = Vec::new();
            let mut modes_agree = true;
            for d in dists.iter().filter(|d| d.total() >= min_cov) {
                fractions.push(f64::from(d.other_than(site.repeats)) / f64::from(d.total()));
                modes_agree &= d.mode() == Some(site.repeats);
            }
            if fractions.is_empty() {
                // No normal covered it: it could never be scored, so it is left out.
                return None;
            }
            let (other_mean, other_sd) = mean_sd(&fractions);
            Some(BaselineSite {
                site: site.clone(),
                normals_covered: fractions.len() as u32,
                other_mean,
                other_sd,
                modes_agree,
            })
        },
    )?;
    Ok((contigs, sites.len(), out))
}

const EXTRA_COLUMNS: &str = "normals_covered\tother_mean\tother_sd\tmodes_agree";

/// Runs `msi baseline`, writing the baseline file atomically; returns the number of sites
/// examined and of sites covered by at least one normal whose modes agree with the reference.
///
/// # Errors
/// As [`build`], plus write failures.
pub fn run(params: &BaselineParams, output: &Path) -> Result<(usize, usize)> {
    let (contigs, examined, sites) = build(params)?;
    let mut out = AtomicFile::create(output)?;
    let werr = |e| Error::io(output, e);
    writeln!(out, "{BASELINE_MAGIC}").map_err(werr)?;
    writeln!(out, "##normals={}", params.normals.len()).map_err(werr)?;
    writeln!(out, "##min_coverage={}", params.min_coverage).map_err(werr)?;
    write_contig_lines(&mut out, &contigs).map_err(werr)?;
    writeln!(out, "{SITES_COLUMNS}\t{EXTRA_COLUMNS}").map_err(werr)?;
    let mut usable = 0;
    for b in &sites {
        b.site.write_columns(&mut out).map_err(werr)?;
        writeln!(
            out,
            "\t{}\t{}\t{}\t{}",
            b.normals_covered,
            fmt_num(b.other_mean, 6),
            fmt_num(b.other_sd, 6),
            b.modes_agree
        )
        .map_err(werr)?;
        usable += usize::from(b.usable(1));
    }
    out.commit()?;
    Ok((examined, usable))
}

/// Reads a baseline file and checks it against the reference.
///
/// # Errors
/// Not a baseline file, malformed rows, or a baseline for another reference.
pub fn read(path: &Path, fasta: &Path) -> Result<(Contigs, Vec<BaselineSite>)> {
    let table = read_table(path, BASELINE_MAGIC, "baseline")?;
    let reference = Reference::open(fasta)?;
    super::sites::check_against_reference(path, &table, reference.contigs(), fasta)?;
    let mut out = Vec::with_capacity(table.sites.len());
    for (site, extra) in table.sites.into_iter().zip(table.extra) {
        let bad = || {
            Error::invalid(
                path,
                Some(site.locus()),
                format!("a baseline row needs {EXTRA_COLUMNS} after the site columns"),
            )
        };
        if extra.len() < 4 {
            return Err(bad());
        }
        let normals_covered = extra[0].parse().map_err(|_| bad())?;
        let other_mean = extra[1].parse().map_err(|_| bad())?;
        let other_sd = extra[2].parse().map_err(|_| bad())?;
        let modes_agree = extra[3].parse().map_err(|_| bad())?;
        out.push(BaselineSite {
            site,
            normals_covered,
            other_mean,
            other_sd,
            modes_agree,
        });
    }
    Ok((reference.contigs().to_vec(), out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_sample_sd() {
        let (m, s) = mean_sd(&[0.1, 0.2, 0.3]);
        assert!((m - 0.2).abs() < 1e-12);
        assert!((s - 0.1).abs() < 1e-12);
        assert_eq!(mean_sd(&[0.4]), (0.4, 0.0));
    }
}
