//! Microsatellite instability from tumour (and normal) alignments.
//!
//! - [`scan`]: microsatellite sites of a reference (`msi scan`).
//! - [`reads`]: repeat-length distributions from reads that span a site with exact flanks.
//! - [`stats`]: χ² homogeneity, binomial tail, Benjamini–Hochberg.
//! - [`baseline`]: per-site slippage in a panel of normals (`msi baseline`) for tumour-only calls.
//! - this module: the scoring driver (`msi` / `msi score`).
//!
//! Paired mode follows MSIsensor (Niu 2014): at each site with enough reads in both samples the
//! tumour and normal length distributions are compared with Pearson's χ²; p-values are adjusted
//! across the evaluated sites (Benjamini–Hochberg) and a site is unstable when q ≤ `fdr` and at
//! least `min_shift` of the reads changed length (total variation distance). The score is the
//! percentage of evaluated sites that are unstable.

pub mod baseline;
pub mod collect;
pub mod reads;
pub mod row;
pub mod scan;
pub mod sites;
pub mod stats;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::io::cells;
use crate::io::fasta::Reference;
use crate::io::output::{commit_all, json_file, prefixed, AtomicFile};

use baseline::BaselineSite;
use reads::{Distribution, ReadFilter};
use row::SiteRow;
use scan::ScanParams;
use sites::Site;

/// Version of the `msi.json` layout; bumped when a field changes meaning.
pub const SCHEMA_VERSION: u32 = 1;

/// Default MSI-H cut-off, % unstable sites.
pub const DEFAULT_THRESHOLD: f64 = 3.5;
/// Where [`DEFAULT_THRESHOLD`] comes from.
pub const DEFAULT_THRESHOLD_SOURCE: &str = "MSIsensor (Niu et al. 2014, Bioinformatics 30:1015-1016): score >= 3.5% called MSI-H on TCGA exomes; calibrate per panel with --threshold";

/// Paired (tumour vs its normal) or tumour-only (tumour vs a baseline of normals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Paired,
    TumorOnly,
}

/// Everything `msi` scoring needs, validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MsiParams {
    pub tumor_bam: PathBuf,
    pub normal_bam: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
    pub fasta: PathBuf,
    /// Sites file; `None` scans the reference with `scan` (paired mode).
    pub sites: Option<PathBuf>,
    pub scan: ScanParams,
    pub reads: ReadFilter,
    /// Reads spanning a site needed in each sample to evaluate it.
    pub min_coverage: u32,
    /// Benjamini–Hochberg false discovery rate for calling a site unstable.
    pub fdr: f64,
    /// Share of reads that must have changed length for a site to be unstable.
    pub min_shift: f64,
    /// Tumour-only: normals that must have covered a baseline site.
    pub min_normals: u32,
    /// Fewer evaluated sites than this: status "undetermined".
    pub min_sites: u32,
    /// MSI-H when the score (% unstable) is at least this.
    pub threshold: f64,
    pub threshold_source: String,
}

impl Default for MsiParams {
    fn default() -> Self {
        Self {
            tumor_bam: PathBuf::new(),
            normal_bam: None,
            baseline: None,
            fasta: PathBuf::new(),
            sites: None,
            scan: ScanParams::default(),
            reads: ReadFilter::default(),
            min_coverage: 20,
            fdr: 0.05,
            min_shift: 0.05,
            min_normals: 2,
            min_sites: 20,
            threshold: DEFAULT_THRESHOLD,
            threshold_source: DEFAULT_THRESHOLD_SOURCE.to_string(),
        }
    }
}

impl MsiParams {
    /// Paired or tumour-only, from which of normal/baseline was given.
    ///
    /// # Errors
    /// Neither or both given.
    pub fn mode(&self) -> Result<Mode> {
        match (&self.normal_bam, &self.baseline) {
            (Some(_), None) => Ok(Mode::Paired),
            (None, Some(_)) => Ok(Mode::TumorOnly),
            (Some(_), Some(_)) => Err(Error::usage(
                "give --normal-bam (paired) or --baseline (tumour-only), not both",
            )),
            (None, None) => Err(Error::usage(
                "msi needs a matched normal (--normal-bam) or, for tumour-only scoring, a baseline made by `immunoprofile msi baseline` (--baseline)",
            )),
        }
    }

    fn validate(&self) -> Result<Mode> {
        if !(self.fdr > 0.0 && self.fdr <= 1.0) {
            return Err(Error::usage("--fdr must be in (0, 1]"));
        }
        if !(0.0..=1.0).contains(&self.min_shift) {
            return Err(Error::usage("--min-shift is a fraction of reads, 0 to 1"));
        }
        if !(self.threshold.is_finite() && (0.0..=100.0).contains(&self.threshold)) {
            return Err(Error::usage(
                "--threshold is a percentage of unstable sites, 0 to 100",
            ));
        }
        if self.min_coverage == 0 {
            return Err(Error::usage("--min-coverage must be at least 1"));
        }
        let mode = self.mode()?;
        if mode == Mode::TumorOnly && self.sites.is_some() {
            return Err(Error::usage(
                "tumour-only scoring takes its sites from the baseline: drop --sites (or build the baseline from those sites)",
            ));
        }
        Ok(mode)
    }
}

/// Why a site was not evaluated, or that it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteState {
    Evaluated,
    LowCoverage,
    NotInBaseline,
}

impl SiteState {
    pub fn as_str(self) -> &'static str {
        match self {
            SiteState::Evaluated => "evaluated",
            SiteState::LowCoverage => "low_coverage",
            SiteState::NotInBaseline => "unusable_in_baseline",
        }
    }
}

/// One site's outcome.
#[derive(Debug, Clone)]
pub struct SiteCall {
    pub site: Site,
    pub tumor: Distribution,
    /// Paired mode: the normal's distribution.
    pub normal: Option<Distribution>,
    pub state: SiteState,
    pub p_value: Option<f64>,
    pub q_value: Option<f64>,
    /// Paired: total variation distance tumour vs normal; tumour-only: the tumour's fraction
    /// of reads at a non-reference length minus the baseline mean.
    pub shift: Option<f64>,
    pub unstable: Option<bool>,
}

/// `PREFIX.msi.json`.
#[derive(Debug, Clone, Serialize)]
pub struct MsiSummary {
    pub schema_version: u32,
    pub version: &'static str,
    pub mode: Mode,
    pub tumor: String,
    pub normal: Option<String>,
    pub baseline: Option<String>,
    /// Sites considered (from the sites file, the baseline, or the scan).
    pub sites_total: u64,
    pub sites_evaluated: u64,
    pub sites_unstable: u64,
    /// % of evaluated sites that are unstable; `null` when none was evaluated.
    pub score: Option<f64>,
    /// `MSI-H`, `MSS` or `undetermined`.
    pub status: String,
    /// Why the status is undetermined.
    pub reason: Option<String>,
    pub threshold: f64,
    pub threshold_source: String,
    /// Sites not evaluated, by reason.
    pub excluded: BTreeMap<String, u64>,
    pub params: MsiParams,
}

/// Contig names and lengths of a reference.
pub type Contigs = Vec<(String, u64)>;

/// The result of [`compute`].
#[derive(Debug, Clone)]
pub struct MsiResult {
    pub summary: MsiSummary,
    pub sites: Vec<SiteCall>,
}

/// The sites to use: from a sites file (checked against the reference), else scanned from the
/// reference. Returns the reference's contigs, the sites and the path to name in errors.
///
/// # Errors
/// Unreadable files, a sites file for another reference.
pub fn load_sites(
    fasta: &Path,
    sites: Option<&Path>,
    scan_params: &ScanParams,
) -> Result<(Contigs, Vec<Site>, PathBuf)> {
    match sites {
        Some(path) => {
            let table = sites::read_table(path, sites::SITES_MAGIC, "sites")?;
            let reference = Reference::open(fasta)?;
            sites::check_against_reference(path, &table, reference.contigs(), fasta)?;
            Ok((
                reference.contigs().to_vec(),
                table.sites,
                path.to_path_buf(),
            ))
        }
        None => {
            let mut all = Vec::new();
            let contigs = scan::scan_reference(fasta, None, scan_params, |s| {
                all.extend_from_slice(s);
                Ok(())
            })?;
            Ok((contigs, all, fasta.to_path_buf()))
        }
    }
}

/// Scores a tumour without writing files.
///
/// # Errors
/// Bad options, unreadable inputs, BAM/CRAM without index, sites or alignments for another
/// reference.
pub fn compute(params: &MsiParams) -> Result<MsiResult> {
    let mode = params.validate()?;
    let cov = params.min_coverage;
    let (sites_total, unusable, mut calls) = match mode {
        Mode::Paired => {
            let (contigs, sites, sites_path) =
                load_sites(&params.fasta, params.sites.as_deref(), &params.scan)?;
            let normal = params.normal_bam.clone().unwrap_or_default();
            let bams = vec![params.tumor_bam.clone(), normal];
            collect::check_alignments(&bams, &params.fasta, &contigs, &sites)?;
            let calls = collect::map_sites(
                &sites,
                &sites_path,
                &bams,
                &params.fasta,
                &params.reads,
                |_, site, mut d| {
                    let normal = d.pop().unwrap_or_default();
                    let tumor = d.pop().unwrap_or_default();
                    // Sites without a read in either sample only count as low coverage.
                    (tumor.total() + normal.total() > 0)
                        .then(|| paired_call(site, tumor, normal, cov))
                },
            )?;
            (sites.len(), 0, calls)
        }
        Mode::TumorOnly => {
            let path = params.baseline.clone().unwrap_or_default();
            let (contigs, base) = baseline::read(&path, &params.fasta)?;
            let sites: Vec<Site> = base.iter().map(|b| b.site.clone()).collect();
            let bams = vec![params.tumor_bam.clone()];
            collect::check_alignments(&bams, &params.fasta, &contigs, &sites)?;
            let calls = collect::map_sites(
                &sites,
                &path,
                &bams,
                &params.fasta,
                &params.reads,
                |i, site, mut d| {
                    let tumor = d.pop().unwrap_or_default();
                    (tumor.total() > 0)
                        .then(|| tumor_only_call(site.clone(), tumor, &base[i], params))
                },
            )?;
            let unusable = base
                .iter()
                .filter(|b| !b.usable(params.min_normals))
                .count();
            (sites.len(), unusable, calls)
        }
    };
    call_sites(&mut calls, params.fdr, params.min_shift);
    let summary = summarise(params, mode, &calls, sites_total as u64, unusable as u64);
    Ok(MsiResult {
        summary,
        sites: calls,
    })
}

fn paired_call(
    site: &Site,
    tumor: Distribution,
    normal: Distribution,
    min_coverage: u32,
) -> SiteCall {
    let evaluated = tumor.total() >= min_coverage && normal.total() >= min_coverage;
    let (p_value, shift) = if evaluated {
        (
            Some(stats::chi_square_homogeneity(&tumor, &normal).2),
            Some(stats::distance(&tumor, &normal)),
        )
    } else {
        (None, None)
    };
    SiteCall {
        site: site.clone(),
        tumor,
        normal: Some(normal),
        state: if evaluated {
            SiteState::Evaluated
        } else {
            SiteState::LowCoverage
        },
        p_value,
        q_value: None,
        shift,
        unstable: None,
    }
}

/// Tumour-only: the number of tumour reads at a non-reference length is tested against a
/// binomial whose rate is the baseline's mean plus two standard deviations (at least 1%), so
/// normal-to-normal variation in slippage is not taken for instability.
fn tumor_only_call(
    site: Site,
    tumor: Distribution,
    base: &BaselineSite,
    params: &MsiParams,
) -> SiteCall {
    let usable = base.usable(params.min_normals);
    let n = tumor.total();
    let state = if !usable {
        SiteState::NotInBaseline
    } else if n < params.min_coverage {
        SiteState::LowCoverage
    } else {
        SiteState::Evaluated
    };
    let (p_value, shift) = if state == SiteState::Evaluated {
        let other = tumor.other_than(site.repeats);
        let rate = (base.other_mean + 2.0 * base.other_sd).clamp(0.01, 0.99);
        (
            Some(stats::binomial_upper_tail(other, n, rate)),
            Some(f64::from(other) / f64::from(n) - base.other_mean),
        )
    } else {
        (None, None)
    };
    SiteCall {
        site,
        tumor,
        normal: None,
        state,
        p_value,
        q_value: None,
        shift,
        unstable: None,
    }
}

/// Adjusts the evaluated sites' p-values together and calls each unstable or not.
fn call_sites(calls: &mut [SiteCall], fdr: f64, min_shift: f64) {
    let idx: Vec<usize> = (0..calls.len())
        .filter(|&i| calls[i].p_value.is_some())
        .collect();
    let p: Vec<f64> = idx
        .iter()
        .map(|&i| calls[i].p_value.unwrap_or(1.0))
        .collect();
    let q = stats::benjamini_hochberg(&p);
    for (&i, q) in idx.iter().zip(q) {
        let c = &mut calls[i];
        c.q_value = Some(q);
        c.unstable = Some(q <= fdr && c.shift.unwrap_or(0.0) >= min_shift);
    }
}

/// `calls` holds the sites with reads; the others (of `sites_total`) are low coverage, or
/// unusable in the baseline (`unusable` in all, tumour-only).
fn summarise(
    params: &MsiParams,
    mode: Mode,
    calls: &[SiteCall],
    sites_total: u64,
    unusable: u64,
) -> MsiSummary {
    let evaluated = calls
        .iter()
        .filter(|c| c.state == SiteState::Evaluated)
        .count() as u64;
    let unstable = calls.iter().filter(|c| c.unstable == Some(true)).count() as u64;
    let mut excluded = BTreeMap::new();
    if unusable > 0 {
        excluded.insert(SiteState::NotInBaseline.as_str().to_string(), unusable);
    }
    let low = sites_total.saturating_sub(evaluated + unusable);
    if low > 0 {
        excluded.insert(SiteState::LowCoverage.as_str().to_string(), low);
    }
    let score = (evaluated > 0).then(|| 100.0 * unstable as f64 / evaluated as f64);
    let (status, reason) = match score {
        None => (
            "undetermined".to_string(),
            Some(if sites_total == 0 {
                "no microsatellite sites to evaluate".to_string()
            } else {
                format!(
                    "no site had at least {} spanning reads in {} (of {} sites)",
                    params.min_coverage,
                    if mode == Mode::Paired {
                        "both tumour and normal"
                    } else {
                        "the tumour at a usable baseline site"
                    },
                    sites_total
                )
            }),
        ),
        Some(_) if evaluated < u64::from(params.min_sites) => (
            "undetermined".to_string(),
            Some(format!(
                "only {evaluated} sites evaluated, fewer than --min-sites {}",
                params.min_sites
            )),
        ),
        Some(s) if s >= params.threshold => ("MSI-H".to_string(), None),
        Some(_) => ("MSS".to_string(), None),
    };
    let name = |p: &Path| p.display().to_string();
    MsiSummary {
        schema_version: SCHEMA_VERSION,
        version: crate::VERSION,
        mode,
        tumor: name(&params.tumor_bam),
        normal: params.normal_bam.as_deref().map(name),
        baseline: params.baseline.as_deref().map(name),
        sites_total,
        sites_evaluated: evaluated,
        sites_unstable: unstable,
        score,
        status,
        reason,
        threshold: params.threshold,
        threshold_source: params.threshold_source.clone(),
        excluded,
        params: params.clone(),
    }
}

/// Writes the per-site table: every site with at least one spanning read in either sample
/// (the only ones [`compute`] keeps).
///
/// # Errors
/// Write failures.
pub fn write_sites(calls: &[SiteCall], out: &mut dyn Write) -> std::io::Result<()> {
    let header = cells::header_line(&SiteRow::empty()).map_err(std::io::Error::other)?;
    out.write_all(header.as_bytes())?;
    let mut w = cells::rows_writer(out);
    for c in calls {
        let row = SiteRow::new(c);
        if row.tumor_reads == 0 && row.normal_reads.unwrap_or(0) == 0 {
            continue;
        }
        w.serialize(row)?;
    }
    w.flush()
}

/// Runs the stage and writes `PREFIX.msi.json` and `PREFIX.msi.sites.tsv`, both appearing only
/// when complete.
///
/// # Errors
/// As [`compute`], plus write failures.
pub fn run(params: &MsiParams, prefix: &Path) -> Result<MsiSummary> {
    let result = compute(params)?;
    let mut tsv = AtomicFile::create(prefixed(prefix, "msi.sites.tsv"))?;
    let tsv_path = tsv.path().to_path_buf();
    write_sites(&result.sites, &mut tsv).map_err(|e| Error::io(&tsv_path, e))?;
    let json = json_file(prefixed(prefix, "msi.json"), &result.summary)?;
    commit_all(vec![tsv, json])?;
    Ok(result.summary)
}
