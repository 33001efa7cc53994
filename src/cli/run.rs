//! `immunoprofile run`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::error::{Error, Result};
use crate::workflow::{self, RunOptions};

/// Shown after `immunoprofile run --help`.
pub const EXAMPLES: &str = "\
Examples:
  immunoprofile run workflows/demo.toml
  immunoprofile run cohort.toml --dry-run
  immunoprofile run cohort.toml --samples S1,S2 --force neoantigens
  immunoprofile run cohort.toml --plan json > plan.json";

/// Every stage for every sample of a manifest (TOML + CSV samplesheet), resumable.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The workflow manifest (see workflows/demo.toml).
    pub manifest: PathBuf,
    /// Re-run these stages even when up to date (comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "STAGE")]
    pub force: Vec<String>,
    /// Run only these stages; the outputs they read must exist.
    #[arg(long, value_delimiter = ',', value_name = "STAGE")]
    pub only: Vec<String>,
    /// Only these samples (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub samples: Option<Vec<String>>,
    /// Print what would run and why, with the command lines; run nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Results folder, instead of the manifest's `output`.
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Print the plan (each sample's stages with their command lines, inputs and outputs) in
    /// this format and run nothing; the Snakefile builds its rules from `--plan json`.
    #[arg(long, value_name = "FORMAT", value_parser = ["json"])]
    pub plan: Option<String>,
}

/// # Errors
/// An invalid manifest, or any stage of any sample failed (after the others completed).
pub fn run(args: RunArgs, threads: usize) -> Result<()> {
    if let Some(o) = &args.output {
        super::stdout::refuse(o, "run", "it writes a results folder per sample")?;
    }
    let opts = RunOptions {
        force: args.force,
        only: args.only,
        samples: args.samples,
        dry_run: args.dry_run,
        output: args.output,
    };
    if args.plan.is_some() {
        let plan = workflow::plan_json(&args.manifest, &opts)?;
        let text = serde_json::to_string_pretty(&plan)
            .map_err(|e| Error::Internal(format!("cannot serialise the plan: {e}")))?;
        return writeln!(std::io::stdout().lock(), "{text}").map_err(|e| Error::io("<stdout>", e));
    }
    let bars = !opts.dry_run && workflow::shows_progress_bars();
    let previous = log::max_level();
    if bars {
        // Stage logs would tear the progress bars; the summary follows at the end.
        log::set_max_level(log::LevelFilter::Warn.min(previous));
    }
    let summary = workflow::run(&args.manifest, &opts, threads);
    log::set_max_level(previous);
    let summary = summary?;
    if opts.dry_run {
        return write!(std::io::stdout().lock(), "{}", summary.plan_text)
            .map_err(|e| Error::io("<stdout>", e));
    }
    let failures = summary.failures();
    if failures.is_empty() {
        return Ok(());
    }
    let failed_samples: std::collections::BTreeSet<&str> =
        failures.iter().map(|f| f.0.as_str()).collect();
    Err(Error::usage(format!(
        "{} of {} samples failed (the others completed):\n{}",
        failed_samples.len(),
        summary.samples.len(),
        failures
            .iter()
            .map(|(s, st, e)| format!("  {s}, stage {st}: {e}"))
            .collect::<Vec<_>>()
            .join("\n")
    )))
}
