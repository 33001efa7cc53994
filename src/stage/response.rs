//! `response`: its description, parameters and entry point. Three modes: a batch `--features`
//! table, `--hed` alone, or one pipeline sample scored from its own stage outputs (`--tmb-json`,
//! `--msi-json`, `--hla-json`/`--alleles` with `--imgt`) and an optional `--clinical` table.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{opt, req, Stage, StageInfo};
use crate::error::{Error, Result};
use crate::response::hed::{hed, ImgtProteins};
use crate::response::output::{write, ResponseSummary};
use crate::response::table::read_feature_table;
use crate::response::tmb_scale::{to_panel_scale, TmbSource};
use crate::response::{builtin, score_with, FeatureRow, ResponseResult};

pub const INFO: StageInfo = StageInfo {
    name: "response",
    after: &["tmb", "msi", "hla"],
    default: true,
    outputs: &[req("response.json"), req("response.tsv"), opt("hed.json")],
    reserved: &[
        "features", "tmb-json", "msi-json", "hla-json", "alleles", "imgt", "clinical", "sample",
        "output",
    ],
};

pub struct Response;

/// The options of `immunoprofile response`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub features: Option<PathBuf>,
    pub hed: bool,
    pub alleles: Vec<String>,
    pub imgt: Option<PathBuf>,
    pub tmb_json: Option<PathBuf>,
    pub msi_json: Option<PathBuf>,
    pub hla_json: Option<PathBuf>,
    pub clinical: Option<PathBuf>,
    pub sample: Option<String>,
    /// The TMB of `--tmb-json` was counted on MSK-IMPACT (the training panel) itself; otherwise
    /// it is put on the panel's scale with the added counting noise (README, `response`).
    pub tmb_on_training_panel: bool,
}

impl Stage for Response {
    const INFO: StageInfo = INFO;
    type Params = Params;
    type Summary = ResponseSummary;

    fn check(p: &Params) -> Result<()> {
        let pipeline = p.tmb_json.is_some()
            || p.msi_json.is_some()
            || p.hla_json.is_some()
            || p.clinical.is_some();
        match (p.features.is_some(), p.hed, pipeline) {
            (true, false, false) | (false, true, false) | (false, false, true) => {}
            (false, false, false) => {
                return Err(Error::usage(
                    "response needs --features TABLE, --hed, or a sample's stage outputs (--tmb-json, --msi-json, --hla-json, --clinical)",
                ))
            }
            _ => {
                return Err(Error::usage(
                    "--features, --hed and the per-sample options (--tmb-json ...) exclude each other",
                ))
            }
        }
        if p.hed && (p.imgt.is_none() || p.alleles.is_empty()) {
            return Err(Error::usage("--hed needs --alleles and --imgt DIR"));
        }
        if pipeline && p.sample.is_none() && p.tmb_json.is_none() {
            return Err(Error::usage(
                "scoring one sample needs --sample NAME (or --tmb-json, whose sample is used)",
            ));
        }
        Ok(())
    }

    fn run(p: &Params, prefix: &Path, _threads: usize) -> Result<ResponseSummary> {
        Response::check(p)?;
        let model = builtin()?;
        if p.hed {
            let imgt = ImgtProteins::load(p.imgt.as_deref().unwrap_or(Path::new("")))?;
            let result = hed(&p.alleles, &imgt)?;
            let f = crate::io::output::json_file(
                crate::io::output::prefixed(prefix, "hed.json"),
                &result,
            )?;
            crate::io::output::commit_all(vec![f])?;
            return Ok(ResponseSummary {
                model_version: model.version.clone(),
                samples: Vec::new(),
            });
        }
        let (results, input, ignored, absent): (Vec<ResponseResult>, String, Vec<String>, Vec<_>) =
            if let Some(path) = &p.features {
                let table = read_feature_table(path)?;
                let results = table.rows.iter().map(|r| score_with(model, r)).collect();
                (
                    results,
                    path.display().to_string(),
                    table.ignored_columns,
                    table.absent_columns,
                )
            } else {
                let row = pipeline_row(p)?;
                log::info!(
                    "{}: response features from the pipeline: {}",
                    row.sample,
                    describe(&row)
                );
                (
                    vec![score_with(model, &row)],
                    "pipeline".to_string(),
                    Vec::new(),
                    Vec::new(),
                )
            };
        write(prefix, model, input, &ignored, &absent, &results)?;
        for r in &results {
            log::info!(
                "{}: probability of response {:.2} (95% interval {:.2}-{:.2}); TMB alone {}",
                r.sample,
                r.probability,
                r.ci_low,
                r.ci_high,
                r.tmb_only_probability
                    .map_or("NA".to_string(), |t| format!("{t:.2}"))
            );
        }
        Ok(ResponseSummary {
            model_version: model.version.clone(),
            samples: results,
        })
    }
}

fn describe(row: &FeatureRow) -> String {
    let mut parts = Vec::new();
    if let Some(t) = row.tmb {
        parts.push(format!(
            "TMB {t:.2}/Mb (sd {:.2})",
            row.tmb_sd.unwrap_or(0.0)
        ));
    }
    if let Some(m) = row.msi_high {
        parts.push(format!("MSI-H {m}"));
    }
    if let Some(h) = row.hed {
        parts.push(format!("HED {h:.2}"));
    }
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

fn json(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::invalid(path, None, format!("not JSON: {e}")))
}

/// One sample's features: the clinical table's row (when given), then TMB, MSI and HED from the
/// stage outputs (these win over the table's columns, which describe another assay).
fn pipeline_row(p: &Params) -> Result<FeatureRow> {
    let tmb = p.tmb_json.as_deref().map(json).transpose()?;
    let sample = match (&p.sample, &tmb) {
        (Some(s), _) => s.clone(),
        (None, Some(t)) => t["sample"].as_str().unwrap_or_default().to_string(),
        (None, None) => String::new(),
    };
    let mut row = FeatureRow::default();
    if let Some(path) = &p.clinical {
        let table = read_feature_table(path)?;
        match table.rows.into_iter().find(|r| r.sample == sample) {
            Some(r) => row = r,
            None => log::warn!(
                "{}: no row for sample '{sample}' (SAMPLE_ID): clinical features are missing",
                path.display()
            ),
        }
    }
    row.sample = sample;
    if let (Some(t), Some(path)) = (&tmb, &p.tmb_json) {
        let value = t["tmb"].as_f64().ok_or_else(|| {
            Error::invalid(
                path,
                None,
                "no numeric 'tmb': not written by `immunoprofile tmb`",
            )
        })?;
        let source = if p.tmb_on_training_panel {
            TmbSource::TrainingPanel
        } else {
            TmbSource::WES_IDENTITY
        };
        let panel = to_panel_scale(value, source);
        row.tmb = Some(panel.tmb);
        row.tmb_sd = Some(panel.sd);
    }
    if let Some(path) = &p.msi_json {
        let m = json(path)?;
        row.msi_high = match m["status"].as_str() {
            Some("MSI-H") => Some(true),
            Some("MSS") | Some("MSI-L") => Some(false),
            // Undetermined: missing, not a guess.
            _ => None,
        };
    }
    let alleles: Vec<String> = match (&p.hla_json, p.alleles.is_empty()) {
        (_, false) => p.alleles.clone(),
        (Some(path), true) => two_per_locus(path)?,
        (None, true) => Vec::new(),
    };
    if let (Some(dir), false) = (&p.imgt, alleles.is_empty()) {
        // HED is optional: a release without protein sequences, or alleles not two per class I
        // locus, leave it missing (the interval widens) rather than guessed.
        match ImgtProteins::load(dir).and_then(|imgt| hed(&alleles, &imgt)) {
            Ok(h) => row.hed = Some(h.mean),
            Err(e) => log::warn!("HED not computed: {e}"),
        }
    }
    Ok(row)
}

/// Loci A, B and C of an `hla.json`, two names each (the same twice when homozygous).
fn two_per_locus(path: &Path) -> Result<Vec<String>> {
    let v = json(path)?;
    let mut out = Vec::new();
    for locus in ["A", "B", "C"] {
        if let Some(list) = v["alleles"][locus].as_array() {
            out.extend(list.iter().filter_map(|n| n.as_str()).map(str::to_string));
        }
    }
    Ok(out)
}
