//! `immunoprofile run`.

use std::path::PathBuf;

use clap::Args;

use crate::error::{Error, Result};
use crate::workflow::{self, RunOptions};

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
}

/// # Errors
/// An invalid manifest, or any stage of any sample failed (after the others completed).
pub fn run(args: RunArgs, threads: usize) -> Result<()> {
    let opts = RunOptions {
        force: args.force,
        only: args.only,
        samples: args.samples,
        dry_run: args.dry_run,
        output: args.output,
    };
    let summary = workflow::run(&args.manifest, &opts, threads)?;
    if opts.dry_run {
        print!("{}", summary.plan_text);
        return Ok(());
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
