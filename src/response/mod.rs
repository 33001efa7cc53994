//! Immunotherapy response readout (`response`): a calibrated probability of objective response
//! (RECIST CR/PR) to immune checkpoint blockade from TMB, HLA features, MSI, copy-number burden
//! and routine clinical values, trained on the MSK-IMPACT cohort of Chowell et al. (Nat
//! Biotechnol 2022) by `examples/train-response.rs`.
//!
//! ```no_run
//! use immunoprofile::response::{self, FeatureRow};
//!
//! let row = FeatureRow { sample: "P1".into(), tmb: Some(12.0), cancer_type: Some("NSCLC"),
//!     ..Default::default() };
//! let r = response::score(&row).unwrap();
//! println!("{:.2} ({:.2}–{:.2}), TMB alone {:?}", r.probability, r.ci_low, r.ci_high,
//!     r.tmb_only_probability);
//! ```
//!
//! Modules: [`features`] (inputs and codings), [`model`] (scoring with missing inputs),
//! [`train`] and [`evaluate`] (fitting and cross-validation), [`metrics`], [`table`] (feature
//! tables), [`hed`] (HLA evolutionary divergence), [`tmb_scale`] (other assays' TMB on the
//! panel scale).

pub mod evaluate;
pub mod features;
pub mod hed;
pub mod linalg;
pub mod metrics;
pub mod model;
pub mod output;
pub mod table;
pub mod tmb_scale;
pub mod train;

use std::sync::OnceLock;

use serde::Serialize;

use crate::error::{Error, Result};
pub use features::{FeatureRow, Input};
pub use model::ResponseModel;

/// The shipped model, compiled into the binary.
static MODEL_JSON: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/reference/response/model.json"
));

/// The built-in model (parsed once).
///
/// # Errors
/// The embedded file does not parse: a build problem, reported as internal.
pub fn builtin() -> Result<&'static ResponseModel> {
    static MODEL: OnceLock<std::result::Result<ResponseModel, String>> = OnceLock::new();
    MODEL
        .get_or_init(|| serde_json::from_str(MODEL_JSON).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| Error::Internal(format!("embedded response model: {e}")))
}

/// Plain caveats carried by every output.
pub const CAVEATS: [&str; 5] = [
    "Research use only; not a diagnostic test and not validated for treatment decisions.",
    "Trained on one institution's patients (MSK, 2015-2017; 964 patients, 16 cancer types) sequenced with the MSK-IMPACT panel; mostly stage IV.",
    "Response means RECIST complete or partial response to anti-PD-1/PD-L1 and/or anti-CTLA-4; it is not survival benefit.",
    "TMB must be on the MSK-IMPACT panel's scale (nonsynonymous mutations per Mb); other assays are converted with added uncertainty (see README).",
    "Missing inputs are integrated out under the training cohort's distribution: the probability stays calibrated on average but the interval widens.",
];

/// How much one input moved the logit.
#[derive(Debug, Clone, Serialize)]
pub struct Contribution {
    pub feature: &'static str,
    /// Sum over the input's design columns of coefficient × standardised value (observed) or
    /// coefficient × conditional mean (missing), on the logit scale.
    pub logit: f64,
    pub observed: bool,
}

/// One patient's readout.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseResult {
    pub sample: String,
    /// Probability of objective response, integrated over missing inputs.
    pub probability: f64,
    /// 95% interval: parameter uncertainty plus what the missing inputs could have changed.
    pub ci_low: f64,
    pub ci_high: f64,
    /// The TMB-only model's probability (absent without TMB).
    pub tmb_only_probability: Option<f64>,
    pub tmb_only_ci_low: Option<f64>,
    pub tmb_only_ci_high: Option<f64>,
    pub features_used: Vec<&'static str>,
    pub features_missing: Vec<&'static str>,
    /// Per input, largest absolute effect first.
    pub contributions: Vec<Contribution>,
    pub notes: Vec<String>,
}

/// Scores one patient with the built-in model.
///
/// # Errors
/// Only if the embedded model is broken (internal).
pub fn score(row: &FeatureRow) -> Result<ResponseResult> {
    Ok(score_with(builtin()?, row))
}

/// Scores one patient with `model`.
pub fn score_with(model: &ResponseModel, row: &FeatureRow) -> ResponseResult {
    let lin = model.full.linear(row);
    let probability = lin.probability();
    let (ci_low, ci_high) = lin.interval();
    let (tmb_only_probability, tmb_only_ci_low, tmb_only_ci_high) = if row.tmb.is_some() {
        let t = model.tmb_only.linear(row);
        let (lo, hi) = t.interval();
        (Some(t.probability()), Some(lo), Some(hi))
    } else {
        (None, None, None)
    };
    let features_used: Vec<&'static str> = Input::ALL
        .iter()
        .filter(|&&i| row.has(i))
        .map(|i| i.column())
        .collect();
    let features_missing: Vec<&'static str> = Input::ALL
        .iter()
        .filter(|&&i| !row.has(i))
        .map(|i| i.column())
        .collect();
    let mut contributions: Vec<Contribution> = Input::ALL
        .iter()
        .map(|&input| Contribution {
            feature: input.column(),
            logit: model
                .full
                .columns
                .iter()
                .zip(&lin.contributions)
                .filter(|(&c, _)| features::design_input(c) == input)
                .map(|(_, v)| v)
                .sum(),
            observed: row.has(input),
        })
        .collect();
    contributions.sort_by(|a, b| b.logit.abs().total_cmp(&a.logit.abs()));
    let mut notes = Vec::new();
    for &k in &lin.clipped {
        notes.push(format!(
            "{} outside the training range; clipped to {}–{}",
            model.full.column_names[k], model.full.clip_low[k], model.full.clip_high[k]
        ));
    }
    if row.tmb.is_none() {
        notes.push("no TMB: the TMB-only probability is not given".into());
    }
    if let Some(sd) = row.tmb_sd.filter(|&s| s > 0.0) {
        notes.push(format!(
            "TMB converted to the panel scale (sd {sd:.2} mutations/Mb added to the interval)"
        ));
    }
    ResponseResult {
        sample: row.sample.clone(),
        probability,
        ci_low,
        ci_high,
        tmb_only_probability,
        tmb_only_ci_low,
        tmb_only_ci_high,
        features_used,
        features_missing,
        contributions,
        notes,
    }
}

/// The shipped model's EVALUATION.md, written by the training program.
pub const EVALUATION: &str = include_str!("../../reference/response/EVALUATION.md");

/// The reliability table of the full model with all inputs, from the training cross-validation
/// (EVALUATION.md, written by the trainer): per bin of predicted probability, the mean predicted
/// and the observed response rate, and how many held-out predictions fell in it.
pub fn training_reliability() -> Vec<metrics::ReliabilityBin> {
    let Some(start) = EVALUATION.find("## Reliability: Full model, all inputs") else {
        return Vec::new();
    };
    let mut bins = Vec::new();
    for line in EVALUATION[start..].lines().skip(1) {
        if line.starts_with("## ") {
            break;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() != 4 {
            continue;
        }
        let Some((lo, hi)) = cells[0].split_once('–') else {
            continue;
        };
        if let (Ok(low), Ok(high), Ok(n), Ok(mean_predicted), Ok(observed)) = (
            lo.parse(),
            hi.parse(),
            cells[1].parse(),
            cells[2].parse(),
            cells[3].parse(),
        ) {
            bins.push(metrics::ReliabilityBin {
                low,
                high,
                n,
                mean_predicted,
                observed,
            });
        }
    }
    bins
}

#[cfg(test)]
mod reliability_tests {
    /// The embedded table is the trainer's: bins in order, counts adding up to the pooled
    /// held-out predictions (964 patients x 3 repeats).
    #[test]
    fn the_training_reliability_table_is_read_from_evaluation_md() {
        let bins = super::training_reliability();
        assert!(bins.len() >= 5, "{bins:?}");
        assert!(bins.windows(2).all(|w| w[0].high <= w[1].low + 1e-9));
        assert_eq!(bins.iter().map(|b| b.n).sum::<usize>(), 964 * 3);
        for b in &bins {
            assert!((0.0..=1.0).contains(&b.observed) && b.low <= b.mean_predicted);
        }
    }
}
