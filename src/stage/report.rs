//! `report` (one sample): its description, parameters and entry point. The cohort files
//! (`report --cohort` alone) are not a per-sample stage; the runner writes them at the end.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{need, req, Stage, StageInfo};
use crate::error::Result;
use crate::report::{self, Cohort, ReportParams};

pub const INFO: StageInfo = StageInfo {
    name: "report",
    after: &[
        "annotate",
        "hla",
        "tmb",
        "peptides",
        "binding",
        "quant",
        "signatures",
        "neoantigens",
        "msi",
        "response",
    ],
    default: true,
    outputs: &[req("report.json"), req("report.html")],
    reserved: &["dir", "cohort", "sample", "output"],
};

pub struct Report;

/// The options of `immunoprofile report --dir`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub dir: Option<PathBuf>,
    pub sample: Option<String>,
    pub cohort: Option<PathBuf>,
    pub top: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            dir: None,
            sample: None,
            cohort: None,
            top: 20,
        }
    }
}

/// Writes the sample's report, placing it against `cohort` when given (read once per run by the
/// caller), else against the `--cohort` folder; `prefix` defaults to `DIR/SAMPLE`.
///
/// # Errors
/// Unreadable or malformed stage outputs, write failures.
pub fn run_with(
    params: &Params,
    prefix: Option<&Path>,
    cohort: Option<Arc<Cohort>>,
) -> Result<report::Report> {
    let lib = ReportParams {
        dir: need(&params.dir, "report", "dir")?,
        sample: params.sample.clone(),
        cohort: params.cohort.clone(),
        top: params.top,
        shared_cohort: cohort,
    };
    let r = report::run(&lib, prefix)?;
    let ran: Vec<&str> = r
        .stages
        .iter()
        .filter(|(_, s)| s.status == "ok")
        .map(|(k, _)| k.as_str())
        .collect();
    log::info!("{}: report from {}", r.sample, ran.join(", "));
    Ok(r)
}

impl Stage for Report {
    const INFO: StageInfo = INFO;
    type Params = Params;
    type Summary = report::Report;

    fn run(params: &Params, prefix: &Path, _threads: usize) -> Result<report::Report> {
        run_with(params, Some(prefix), None)
    }
}
