//! Honest evaluation: repeated stratified K-fold cross-validation in which every step of the
//! fit (standardisation, clipping, penalty choice, recalibration) is redone inside each training
//! fold, and the held-out fold is scored exactly as a new patient would be.

// Index loops over small dense matrices read closer to the formulas than iterator chains.
#![allow(clippy::needless_range_loop)]

use std::fmt::Write as _;

use serde::Serialize;

use crate::error::Result;
use crate::response::features::Input;
use crate::response::metrics::{auc, brier, calibration, reliability, Calibration, ReliabilityBin};
use crate::response::model::{ResponseModel, TrainingInfo, MODEL_FORMAT, MODEL_VERSION};
use crate::response::train::{
    fit_logistic, full_columns, genomic_columns, stratified_folds, FitConfig, TrainingSet,
};
use crate::response::{score_with, FeatureRow};

/// What is scored in each held-out patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Scenario {
    /// Full model, every input.
    Full,
    /// Full model given only the genomic inputs (the rest integrated out).
    FullGenomicInputs,
    /// Full model given only TMB and cancer type.
    FullTmbCancerType,
    /// A separately fitted genomic-only model (TMB, FCNA, HED, HLA LOH, MSI).
    GenomicRefit,
    /// The TMB-only model.
    TmbOnly,
}

impl Scenario {
    pub const ALL: [Scenario; 5] = [
        Scenario::Full,
        Scenario::FullGenomicInputs,
        Scenario::FullTmbCancerType,
        Scenario::GenomicRefit,
        Scenario::TmbOnly,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Scenario::Full => "Full model, all inputs",
            Scenario::FullGenomicInputs => {
                "Full model, genomic inputs only (clinical integrated out)"
            }
            Scenario::FullTmbCancerType => "Full model, TMB + cancer type only",
            Scenario::GenomicRefit => "Genomic-only model (refitted: TMB, FCNA, HED, HLA LOH, MSI)",
            Scenario::TmbOnly => "TMB alone",
        }
    }

    fn keep(self) -> Option<&'static [Input]> {
        match self {
            Scenario::FullGenomicInputs => Some(&Input::GENOMIC),
            Scenario::FullTmbCancerType => Some(&[Input::Tmb, Input::CancerType]),
            _ => None,
        }
    }
}

/// Metrics of one scenario: mean and standard deviation over repeats.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    pub scenario: Scenario,
    pub auc: (f64, f64),
    pub brier: (f64, f64),
    pub calibration_slope: (f64, f64),
    pub calibration_intercept: (f64, f64),
    pub calibration_in_the_large: (f64, f64),
    /// Pooled over repeats.
    pub reliability: Vec<ReliabilityBin>,
    /// Fraction of held-out patients whose all-inputs probability lies inside this scenario's
    /// interval (only for scenarios with withheld inputs).
    pub interval_coverage: Option<f64>,
    pub mean_interval_width: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub folds: usize,
    pub repeats: usize,
    pub seed: u64,
    pub results: Vec<ScenarioResult>,
}

fn withhold(row: &FeatureRow, keep: &[Input]) -> FeatureRow {
    let mut r = row.clone();
    for i in Input::ALL {
        if !keep.contains(&i) {
            r.clear(i);
        }
    }
    r
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let m = v.iter().sum::<f64>() / v.len() as f64;
    let sd = if v.len() > 1 {
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
    } else {
        0.0
    };
    (m, sd)
}

/// Repeated stratified cross-validation of the whole training procedure.
///
/// # Errors
/// A training fold that cannot be fitted.
pub fn cross_validate(
    set: &TrainingSet,
    cfg: &FitConfig,
    folds: usize,
    repeats: usize,
) -> Result<Evaluation> {
    let n = set.rows.len();
    let ns = Scenario::ALL.len();
    // preds[scenario][repeat][patient] = (p, lo, hi)
    let mut preds = vec![vec![vec![(0.0, 0.0, 0.0); n]; repeats]; ns];
    for r in 0..repeats {
        let fold = stratified_folds(&set.response, folds, cfg.seed.wrapping_add(1000 + r as u64));
        for f in 0..folds {
            let train_idx: Vec<usize> = (0..n).filter(|&i| fold[i] != f).collect();
            let train = set.subset(&train_idx);
            let err = crate::error::Error::usage;
            let full = fit_logistic("full", &train, &full_columns(), cfg).map_err(err)?;
            let tmb_only = fit_logistic("tmb_only", &train, &[0], cfg).map_err(err)?;
            let genomic = fit_logistic("genomic", &train, &genomic_columns(), cfg).map_err(err)?;
            let info = TrainingInfo {
                file: String::new(),
                sha256: String::new(),
                patients: train.rows.len(),
                responders: 0,
                lambda_grid: cfg.lambdas.clone(),
                inner_folds: cfg.inner_folds,
                seed: cfg.seed,
            };
            let model = ResponseModel {
                format: MODEL_FORMAT.into(),
                version: MODEL_VERSION.into(),
                training: info.clone(),
                full,
                tmb_only,
            };
            let genomic_model = ResponseModel {
                full: genomic,
                ..model.clone()
            };
            for i in (0..n).filter(|&i| fold[i] == f) {
                let row = &set.rows[i];
                for (s, scenario) in Scenario::ALL.iter().enumerate() {
                    let out = match scenario {
                        Scenario::Full => score_with(&model, row),
                        Scenario::GenomicRefit => score_with(&genomic_model, row),
                        Scenario::TmbOnly => score_with(&model, row),
                        other => score_with(&model, &withhold(row, other.keep().unwrap_or(&[]))),
                    };
                    preds[s][r][i] = if *scenario == Scenario::TmbOnly {
                        (
                            out.tmb_only_probability.unwrap_or(f64::NAN),
                            out.tmb_only_ci_low.unwrap_or(f64::NAN),
                            out.tmb_only_ci_high.unwrap_or(f64::NAN),
                        )
                    } else {
                        (out.probability, out.ci_low, out.ci_high)
                    };
                }
            }
        }
    }
    let y = &set.response;
    let mut results = Vec::new();
    for (s, scenario) in Scenario::ALL.iter().enumerate() {
        let mut aucs = Vec::new();
        let mut briers = Vec::new();
        let mut cals: Vec<Calibration> = Vec::new();
        let mut pooled_p = Vec::new();
        let mut pooled_y = Vec::new();
        let mut covered = 0usize;
        let mut width = 0.0;
        for r in 0..repeats {
            let p: Vec<f64> = preds[s][r].iter().map(|t| t.0).collect();
            aucs.push(auc(&p, y));
            briers.push(brier(&p, y));
            cals.push(calibration(&p, y));
            pooled_p.extend_from_slice(&p);
            pooled_y.extend_from_slice(y);
            for i in 0..n {
                let (_, lo, hi) = preds[s][r][i];
                let full_p = preds[0][r][i].0;
                if lo <= full_p && full_p <= hi {
                    covered += 1;
                }
                width += hi - lo;
            }
        }
        results.push(ScenarioResult {
            scenario: *scenario,
            auc: mean_sd(&aucs),
            brier: mean_sd(&briers),
            calibration_slope: mean_sd(&cals.iter().map(|c| c.slope).collect::<Vec<_>>()),
            calibration_intercept: mean_sd(&cals.iter().map(|c| c.intercept).collect::<Vec<_>>()),
            calibration_in_the_large: mean_sd(
                &cals.iter().map(|c| c.in_the_large).collect::<Vec<_>>(),
            ),
            reliability: reliability(&pooled_p, &pooled_y, 10),
            interval_coverage: scenario
                .keep()
                .map(|_| covered as f64 / (n * repeats) as f64),
            mean_interval_width: width / (n * repeats) as f64,
        });
    }
    Ok(Evaluation {
        folds,
        repeats,
        seed: cfg.seed,
        results,
    })
}

/// `EVALUATION.md`: the cross-validated figures and the shipped model's coefficients.
pub fn render_markdown(model: &ResponseModel, eval: &Evaluation) -> String {
    let mut s = String::new();
    let t = &model.training;
    let _ = writeln!(s, "# Response model: cross-validated evaluation\n");
    let _ = writeln!(
        s,
        "Written by `cargo run --example train-response` (do not edit). Model `{}`, trained on \
         `{}` (sha256 `{}`): {} patients, {} responders (RECIST CR/PR).\n",
        model.version, t.file, t.sha256, t.patients, t.responders
    );
    let _ = writeln!(
        s,
        "Procedure: {}-fold stratified cross-validation repeated {} times (fold seeds {}+1000+r). \
         Inside every training fold the whole fit is redone: clipping and standardisation, the \
         ridge penalty chosen from {:?} by {}-fold inner cross-validated log loss, and the \
         logistic recalibration of the inner out-of-fold linear predictor. Held-out patients are \
         scored by the same code as new patients, including the integration over withheld \
         inputs. Figures are mean (SD over repeats); calibration slope/intercept are from \
         logistic regression of the outcome on logit(p) (ideal 1 and 0); calibration-in-the-large \
         is the intercept with the slope fixed at 1.\n",
        eval.folds, eval.repeats, eval.seed, t.lambda_grid, t.inner_folds
    );
    let _ = writeln!(s, "| Scenario | AUC | Brier | Cal. slope | Cal. intercept | Cal.-in-the-large | Mean 95% interval width | Interval covers the all-inputs probability |");
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|");
    for r in &eval.results {
        let _ = writeln!(
            s,
            "| {} | {:.3} ({:.3}) | {:.3} ({:.3}) | {:.2} ({:.2}) | {:.2} ({:.2}) | {:.2} ({:.2}) | {:.3} | {} |",
            r.scenario.label(),
            r.auc.0,
            r.auc.1,
            r.brier.0,
            r.brier.1,
            r.calibration_slope.0,
            r.calibration_slope.1,
            r.calibration_intercept.0,
            r.calibration_intercept.1,
            r.calibration_in_the_large.0,
            r.calibration_in_the_large.1,
            r.mean_interval_width,
            r.interval_coverage.map_or("–".to_string(), |c| format!("{:.1}%", 100.0 * c)),
        );
    }
    let prevalence = t.responders as f64 / t.patients as f64;
    let _ = writeln!(
        s,
        "\nFor reference, predicting the cohort response rate ({:.3}) for everyone gives Brier {:.3} and AUC 0.5.\n",
        prevalence,
        prevalence * (1.0 - prevalence)
    );
    for r in &eval.results {
        let _ = writeln!(s, "## Reliability: {}\n", r.scenario.label());
        let _ = writeln!(s, "Held-out predictions pooled over the {} repeats (each patient counted once per repeat).\n", eval.repeats);
        let _ = writeln!(
            s,
            "| Predicted | n | Mean predicted | Observed response rate |"
        );
        let _ = writeln!(s, "|---|---|---|---|");
        for b in &r.reliability {
            let _ = writeln!(
                s,
                "| {:.1}–{:.1} | {} | {:.3} | {:.3} |",
                b.low, b.high, b.n, b.mean_predicted, b.observed
            );
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "## Shipped model\n");
    for m in [&model.full, &model.tmb_only] {
        let _ = writeln!(
            s,
            "`{}`: ridge penalty λ = {}, recalibration intercept {:.3} and slope {:.3}. Odds ratio per training SD (per unit for 0/1 codes: OR^(1/SD)):\n",
            m.name, m.lambda, m.recalibration[0], m.recalibration[1]
        );
        let _ = writeln!(
            s,
            "| Design column | Coefficient (per SD) | OR per SD | SD |"
        );
        let _ = writeln!(s, "|---|---|---|---|");
        let _ = writeln!(s, "| (intercept) | {:.3} | | |", m.intercept);
        for (k, name) in m.column_names.iter().enumerate() {
            let _ = writeln!(
                s,
                "| {} | {:.3} | {:.2} | {:.3} |",
                name,
                m.coefficients[k],
                m.coefficients[k].exp(),
                m.scale[k]
            );
        }
        let _ = writeln!(s);
    }
    s
}
