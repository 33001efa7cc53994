//! `immunoprofile msi` (scoring, also spelled `msi score`), `msi scan` and `msi baseline`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::error::{Error, Result};
use crate::msi::baseline::{self, BaselineParams};
use crate::msi::reads::ReadFilter;
use crate::msi::scan::{run_scan, ScanJob, ScanParams};
use crate::stage::msi::{Msi, Params};
use crate::stage::Stage;

/// Shown after `immunoprofile msi --help`.
pub const EXAMPLES: &str = "\
Examples:
  immunoprofile msi --tumor-bam tumour.bam --normal-bam normal.bam --fasta genome.fa -o out/S1
  immunoprofile msi --tumor-bam tumour.bam --baseline normals.baseline.tsv --fasta genome.fa -o out/S1
  immunoprofile msi --tumor-bam tumour.bam --normal-bam normal.bam --fasta genome.fa -o - | jq .status";

/// Microsatellite instability: `msi --tumor-bam T (--normal-bam N | --baseline B) --fasta F -o P`,
/// or one of the subcommands.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct MsiArgs {
    #[command(subcommand)]
    pub command: Option<MsiCommand>,
    #[command(flatten)]
    pub score: ScoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum MsiCommand {
    /// List the microsatellite sites of a reference FASTA (optionally within a targets BED).
    #[command(after_help = "\
Examples:
  immunoprofile msi scan --fasta genome.fa -o genome.msi_sites.tsv
  immunoprofile msi scan --fasta genome.fa --targets panel.bed -o panel.msi_sites.tsv")]
    Scan(ScanArgs),
    /// Per-site slippage in a set of normal BAM/CRAMs, for tumour-only scoring.
    #[command(after_help = "\
Examples:
  immunoprofile msi baseline --normal-bam n1.bam,n2.bam,n3.bam --fasta genome.fa -o panel.baseline.tsv
  immunoprofile msi baseline --normal-bam n1.cram --normal-bam n2.cram --fasta genome.fa --sites panel.msi_sites.tsv -o panel.baseline.tsv")]
    Baseline(BaselineArgs),
    /// Score a tumour (the same as `immunoprofile msi` with these options).
    #[command(after_help = "\
Examples:
  immunoprofile msi score --tumor-bam tumour.bam --normal-bam normal.bam --fasta genome.fa -o out/S1
  immunoprofile msi score --tumor-bam tumour.bam --baseline panel.baseline.tsv --fasta genome.fa -o out/S1")]
    Score(ScoreArgs),
}

/// What counts as a microsatellite site (defaults: MSIsensor's).
#[derive(Debug, Args, Clone)]
pub struct ScanOpts {
    /// Shortest homopolymer, bases.
    #[arg(long, default_value_t = 5)]
    pub min_homopolymer: u32,
    /// Fewest copies of a 2-5 bp unit.
    #[arg(long, default_value_t = 3)]
    pub min_repeats: u32,
    /// Longest repeat unit, bases (1-5).
    #[arg(long, default_value_t = 5)]
    pub max_unit: usize,
    /// Longest repeat, bases (longer ones are skipped).
    #[arg(long, default_value_t = 60)]
    pub max_repeat_bp: u32,
    /// Flank bases on each side that reads must match exactly.
    #[arg(long, default_value_t = 5)]
    pub flank: usize,
}

impl From<ScanOpts> for ScanParams {
    fn from(o: ScanOpts) -> Self {
        ScanParams {
            min_homopolymer: o.min_homopolymer,
            min_repeats: o.min_repeats,
            max_unit: o.max_unit,
            max_repeat_bp: o.max_repeat_bp,
            flank: o.flank,
        }
    }
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Reference FASTA (plain, or bgzip with .fai and .gzi).
    #[arg(long)]
    pub fasta: PathBuf,
    /// Keep only sites overlapping these regions (BED).
    #[arg(long)]
    pub targets: Option<PathBuf>,
    #[command(flatten)]
    pub scan: ScanOpts,
    /// Sites file to write (`-`: stdout).
    #[arg(short = 'o', long)]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Normal BAM/CRAMs (indexed), comma-separated or repeated.
    #[arg(long = "normal-bam", required = true, value_delimiter = ',')]
    pub normals: Vec<PathBuf>,
    /// Reference FASTA (also the CRAM reference).
    #[arg(long)]
    pub fasta: PathBuf,
    /// Sites file from `msi scan` (default: scan the reference).
    #[arg(long)]
    pub sites: Option<PathBuf>,
    #[command(flatten)]
    pub scan: ScanOpts,
    /// Reads spanning a site a normal needs for the site to count in it.
    #[arg(long, default_value_t = 20)]
    pub min_coverage: u32,
    /// Minimum mapping quality of a read.
    #[arg(long, default_value_t = 20)]
    pub min_mapq: u8,
    /// Baseline file to write (`-`: stdout).
    #[arg(short = 'o', long)]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Tumour BAM/CRAM (indexed).
    #[arg(long, required = true)]
    pub tumor_bam: Option<PathBuf>,
    /// Matched normal BAM/CRAM (indexed): paired mode.
    #[arg(long)]
    pub normal_bam: Option<PathBuf>,
    /// Baseline from `msi baseline`: tumour-only mode.
    #[arg(long, conflicts_with = "normal_bam")]
    pub baseline: Option<PathBuf>,
    /// Reference FASTA (also the CRAM reference).
    #[arg(long, required = true)]
    pub fasta: Option<PathBuf>,
    /// Sites file from `msi scan` (paired mode; default: scan the reference).
    #[arg(long)]
    pub sites: Option<PathBuf>,
    #[command(flatten)]
    pub scan: ScanOpts,
    /// Spanning reads needed in each sample to evaluate a site.
    #[arg(long, default_value_t = 20)]
    pub min_coverage: u32,
    /// Minimum mapping quality of a read.
    #[arg(long, default_value_t = 20)]
    pub min_mapq: u8,
    /// False discovery rate (Benjamini-Hochberg) for unstable sites.
    #[arg(long, default_value_t = 0.05)]
    pub fdr: f64,
    /// Share of reads that must have changed length for a site to be unstable.
    #[arg(long, default_value_t = 0.05)]
    pub min_shift: f64,
    /// Tumour-only: normals that must cover a baseline site for it to be used.
    #[arg(long, default_value_t = 2)]
    pub min_normals: u32,
    /// Fewer evaluated sites than this gives status "undetermined".
    #[arg(long, default_value_t = 20)]
    pub min_sites: u32,
    /// MSI-H cut-off, % unstable sites [default: 3.5, MSIsensor's; calibrate per panel].
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Output prefix: writes PREFIX.msi.json and PREFIX.msi.sites.tsv. `-`: the JSON on stdout.
    #[arg(short = 'o', long, required = true)]
    pub output: Option<PathBuf>,
}

impl ScoreArgs {
    /// The stage parameters and output prefix (no check, no I/O).
    ///
    /// # Errors
    /// No -o/--output.
    pub fn into_stage(self) -> Result<(Params, PathBuf)> {
        let ScoreArgs {
            tumor_bam,
            normal_bam,
            baseline,
            fasta,
            sites,
            scan:
                ScanOpts {
                    min_homopolymer,
                    min_repeats,
                    max_unit,
                    max_repeat_bp,
                    flank,
                },
            min_coverage,
            min_mapq,
            fdr,
            min_shift,
            min_normals,
            min_sites,
            threshold,
            output,
        } = self;
        let output = output.ok_or_else(|| Error::usage("msi needs --output"))?;
        let params = Params {
            tumor_bam,
            normal_bam,
            baseline,
            fasta,
            sites,
            min_homopolymer,
            min_repeats,
            max_unit,
            max_repeat_bp,
            flank,
            min_coverage,
            min_mapq,
            fdr,
            min_shift,
            min_normals,
            min_sites,
            threshold,
        };
        Ok((params, output))
    }
}

/// # Errors
/// Bad options or inputs.
pub fn run(args: MsiArgs, threads: usize) -> Result<()> {
    match args.command {
        None => score(args.score, threads),
        Some(MsiCommand::Score(s)) => score(s, threads),
        Some(MsiCommand::Scan(a)) => {
            super::stdout::with_file(&a.output.clone(), "msi-scan", |output| {
                let job = ScanJob {
                    fasta: a.fasta,
                    targets: a.targets,
                    params: a.scan.into(),
                    output: output.to_path_buf(),
                };
                let n = run_scan(&job)?;
                log::info!("{n} microsatellite sites written to {}", a.output.display());
                Ok(())
            })
        }
        Some(MsiCommand::Baseline(a)) => {
            let params = BaselineParams {
                normals: a.normals,
                fasta: a.fasta,
                sites: a.sites,
                scan: a.scan.into(),
                reads: ReadFilter {
                    min_mapq: a.min_mapq,
                },
                min_coverage: a.min_coverage,
            };
            let (total, usable) =
                super::stdout::with_file(&a.output, "msi-baseline", |o| baseline::run(&params, o))?;
            log::info!(
                "baseline of {} normals: {usable} of {total} sites covered with the reference length most frequent; written to {}",
                params.normals.len(),
                a.output.display()
            );
            Ok(())
        }
    }
}

fn score(args: ScoreArgs, threads: usize) -> Result<()> {
    let (params, prefix) = args.into_stage()?;
    super::stdout::with_prefix(&prefix, "msi", &["msi.json"], |prefix| {
        Msi::run(&params, prefix, threads).map(|_| ())
    })
}
