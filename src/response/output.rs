//! `PREFIX.response.tsv` and `PREFIX.response.json`, for a batch table or one pipeline sample.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::{ResponseModel, ResponseResult, CAVEATS};
use crate::error::{Error, Result};
use crate::io::output::{commit_all, fmt_opt, json_file, prefixed, AtomicFile};

#[derive(Serialize)]
pub struct Output<'a> {
    pub tool: &'static str,
    pub version: &'static str,
    pub model_version: &'a str,
    pub model_training: &'a crate::response::model::TrainingInfo,
    pub input: String,
    pub caveats: &'static [&'static str],
    pub ignored_columns: &'a [String],
    pub absent_columns: &'a [&'static str],
    pub samples: &'a [ResponseResult],
}

/// The JSON summary of a run.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseSummary {
    pub model_version: String,
    pub samples: Vec<ResponseResult>,
}

/// Scores nothing: writes `results` (scored with `model`) as the two files, committed together.
///
/// # Errors
/// A file cannot be written.
pub fn write(
    prefix: &Path,
    model: &ResponseModel,
    input: String,
    ignored_columns: &[String],
    absent_columns: &[&'static str],
    results: &[ResponseResult],
) -> Result<()> {
    let mut tsv = AtomicFile::create(prefixed(prefix, "response.tsv"))?;
    let tsv_path = tsv.path().to_path_buf();
    let io = |e| Error::io(&tsv_path, e);
    writeln!(tsv, "sample\tprobability\tci_low\tci_high\ttmb_only_probability\ttmb_only_ci_low\ttmb_only_ci_high\tfeatures_used\tfeatures_missing\ttop_drivers").map_err(io)?;
    for r in results {
        let drivers: Vec<String> = r
            .contributions
            .iter()
            .filter(|c| c.observed)
            .take(3)
            .map(|c| format!("{}({:+.2})", c.feature, c.logit))
            .collect();
        writeln!(
            tsv,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.sample,
            fmt_opt(Some(r.probability), 4),
            fmt_opt(Some(r.ci_low), 4),
            fmt_opt(Some(r.ci_high), 4),
            fmt_opt(r.tmb_only_probability, 4),
            fmt_opt(r.tmb_only_ci_low, 4),
            fmt_opt(r.tmb_only_ci_high, 4),
            if r.features_used.is_empty() {
                "none".to_string()
            } else {
                r.features_used.join(",")
            },
            if r.features_missing.is_empty() {
                "none".to_string()
            } else {
                r.features_missing.join(",")
            },
            if drivers.is_empty() {
                "none".to_string()
            } else {
                drivers.join(",")
            },
        )
        .map_err(io)?;
    }
    let json = json_file(
        prefixed(prefix, "response.json"),
        &Output {
            tool: "immunoprofile",
            version: crate::VERSION,
            model_version: &model.version,
            model_training: &model.training,
            input,
            caveats: &CAVEATS,
            ignored_columns,
            absent_columns,
            samples: results,
        },
    )?;
    commit_all(vec![tsv, json])?;
    Ok(())
}
