//! `immunoprofile report`.

use std::path::PathBuf;

use clap::Args;

use crate::error::{Error, Result};
use crate::report;
use crate::stage::report::{run_with, Params};

/// Shown after `immunoprofile report --help`.
pub const EXAMPLES: &str = "\
Examples:
  immunoprofile report --dir results/S1
  immunoprofile report --dir results/S1 --cohort results -o reports/S1
  immunoprofile report --cohort results";

/// Per-sample JSON + self-contained HTML report from the stage outputs in a folder; or, with
/// only --cohort, the cohort table and MultiQC files of a results folder.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The sample's results folder (holding SAMPLE.tmb.json, SAMPLE.msi.json, ...).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// File-name prefix of the stage outputs in --dir (default: the only one there).
    #[arg(long)]
    pub sample: Option<String>,
    /// Results folder with one sub-folder per sample. With --dir: plot the sample against these
    /// samples. Without --dir: write RESULTS/cohort.tsv and the MultiQC *_mqc files from every
    /// RESULTS/*/SAMPLE.report.json.
    #[arg(long, value_name = "RESULTS")]
    pub cohort: Option<PathBuf>,
    /// Rows of the top neoantigen table.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Output prefix: writes PREFIX.report.json and PREFIX.report.html (default: DIR/SAMPLE); not `-`: the two belong together.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
}

/// # Errors
/// Bad options or unreadable stage outputs.
pub fn run(args: ReportArgs, _threads: usize) -> Result<()> {
    match (args.dir, args.cohort) {
        (Some(dir), cohort) => {
            if let Some(o) = &args.output {
                super::stdout::refuse(
                    o,
                    "report",
                    "it writes an HTML page and its JSON, which belong together",
                )?;
            }
            let params = Params {
                dir: Some(dir),
                sample: args.sample,
                cohort,
                top: args.top,
            };
            run_with(&params, args.output.as_deref(), None).map(|_| ())
        }
        (None, Some(results)) => {
            if args.output.is_some() || args.sample.is_some() {
                return Err(Error::usage(
                    "without --dir, report --cohort RESULTS writes fixed names into RESULTS: drop -o/--sample",
                ));
            }
            let files = report::cohort::run(&results)?;
            log::info!("cohort: wrote {} files into {}", files.len(), results.display());
            Ok(())
        }
        (None, None) => Err(Error::usage(
            "report needs --dir RESULTS/SAMPLE (one sample) or --cohort RESULTS (cohort table and MultiQC files)",
        )),
    }
}
