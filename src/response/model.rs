//! The fitted model: penalised logistic regressions over standardised design columns, and how a
//! patient with missing inputs is scored (the missing inputs are integrated out under the
//! training cohort's joint distribution rather than filled with a single guess).

use serde::{Deserialize, Serialize};

use crate::response::features::{design_values, dlog2tmb, FeatureRow, GAUSSIAN_COLUMNS};
use crate::response::linalg::{cholesky, cholesky_solve, quad_form, select, Matrix};

/// One logistic regression: which design columns, how they are clipped and standardised, the
/// coefficients (on the standardised scale, after recalibration) and their covariance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticModel {
    pub name: String,
    /// Indices into [`crate::response::features::design_names`].
    pub columns: Vec<usize>,
    pub column_names: Vec<String>,
    /// Values are clipped to the training cohort's 0.5th–99.5th percentiles (continuous
    /// columns) before standardising, so an extreme value from another assay cannot extrapolate.
    pub clip_low: Vec<f64>,
    pub clip_high: Vec<f64>,
    pub center: Vec<f64>,
    pub scale: Vec<f64>,
    /// Ridge penalty chosen by inner cross-validation (log loss).
    pub lambda: f64,
    /// Logistic recalibration of the inner cross-validated linear predictor (intercept, slope),
    /// already folded into `intercept` and `coefficients`.
    pub recalibration: [f64; 2],
    pub intercept: f64,
    pub coefficients: Vec<f64>,
    /// Covariance of (intercept, coefficients): the inverse penalised Hessian (the Laplace
    /// posterior under the ridge prior) times the squared recalibration slope.
    pub parameter_covariance: Matrix,
    /// Covariance of the standardised Gaussian-block columns (the first
    /// `gaussian_covariance.len()` entries of `columns`) in the training cohort.
    pub gaussian_covariance: Matrix,
    /// Variance of the standardised PD-L1 TPS column among training patients with PD-L1
    /// measured (0 when the model has no PD-L1 column): widens the interval when PD-L1 is absent.
    pub pdl1_value_variance: f64,
}

/// The linear predictor of one patient with its uncertainty.
#[derive(Debug, Clone, PartialEq)]
pub struct Linear {
    /// Mean logit given the observed inputs.
    pub eta: f64,
    /// Variance of the logit from the missing inputs (and from a TMB put on the panel scale).
    pub var_missing: f64,
    /// Extra interval variance for an unmeasured PD-L1 (coded, not integrated out).
    pub var_pdl1: f64,
    /// Variance of the logit from the coefficients' uncertainty.
    pub var_parameters: f64,
    /// Per model column: β·z (observed) or β·E[z | observed] (missing), on the logit scale.
    pub contributions: Vec<f64>,
    /// Model columns whose value was clipped to the training range.
    pub clipped: Vec<usize>,
}

impl Linear {
    /// Probability integrated over the missing inputs (probit approximation of the
    /// logistic-normal mean, MacKay 1992): σ(η / √(1 + π v / 8)).
    pub fn probability(&self) -> f64 {
        sigmoid(self.eta / (1.0 + std::f64::consts::PI * self.var_missing / 8.0).sqrt())
    }

    /// 95% interval around [`Linear::probability`] on the logit scale, from parameter and
    /// missing-input variance together.
    pub fn interval(&self) -> (f64, f64) {
        let p = self.probability();
        let centre = (p / (1.0 - p)).ln();
        let sd = (self.var_parameters + self.var_missing + self.var_pdl1).sqrt();
        (
            sigmoid(centre - 1.959964 * sd),
            sigmoid(centre + 1.959964 * sd),
        )
    }
}

pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

impl LogisticModel {
    /// Number of leading columns that belong to the Gaussian block.
    pub fn gaussian_len(&self) -> usize {
        self.columns
            .iter()
            .take_while(|&&c| c < GAUSSIAN_COLUMNS)
            .count()
    }

    /// Standardised value of model column `k` for a raw design value (clipped first).
    pub fn standardise(&self, k: usize, x: f64) -> (f64, bool) {
        let c = x.clamp(self.clip_low[k], self.clip_high[k]);
        ((c - self.center[k]) / self.scale[k], c != x)
    }

    /// Linear predictor of a row; missing Gaussian-block columns are replaced by their
    /// conditional mean given the observed ones, and their conditional variance is carried.
    pub fn linear(&self, row: &FeatureRow) -> Linear {
        let d = design_values(row);
        let p = self.columns.len();
        let g = self.gaussian_len();
        let mut z = vec![0.0; p];
        let mut observed = Vec::new();
        let mut missing = Vec::new();
        let mut clipped = Vec::new();
        for (k, &c) in self.columns.iter().enumerate() {
            match d[c] {
                Some(x) => {
                    let (v, was_clipped) = self.standardise(k, x);
                    z[k] = v;
                    if was_clipped {
                        clipped.push(k);
                    }
                    if k < g {
                        observed.push(k);
                    }
                }
                // Only Gaussian-block columns can be missing (PD-L1 columns always have a value).
                None => missing.push(k),
            }
        }
        let mut var_missing = 0.0;
        if !missing.is_empty() {
            let s_mo = select(&self.gaussian_covariance, &missing, &observed);
            let s_mm = select(&self.gaussian_covariance, &missing, &missing);
            let beta_m: Vec<f64> = missing.iter().map(|&k| self.coefficients[k]).collect();
            let mut cond = s_mm.clone();
            if !observed.is_empty() {
                let mut s_oo = select(&self.gaussian_covariance, &observed, &observed);
                // A whisker of ridge keeps the solve stable for nearly collinear indicators.
                for (i, r) in s_oo.iter_mut().enumerate() {
                    r[i] += 1e-9;
                }
                let z_o: Vec<f64> = observed.iter().map(|&k| z[k]).collect();
                if let Some(l) = cholesky(&s_oo) {
                    let w = cholesky_solve(&l, &z_o);
                    for (i, &k) in missing.iter().enumerate() {
                        z[k] = s_mo[i].iter().zip(&w).map(|(a, b)| a * b).sum();
                    }
                    // Conditional covariance S_mm − S_mo S_oo⁻¹ S_om, column by column.
                    for j in 0..missing.len() {
                        let col: Vec<f64> = s_mo[j].clone();
                        let sol = cholesky_solve(&l, &col);
                        for i in 0..missing.len() {
                            let v: f64 = s_mo[i].iter().zip(&sol).map(|(a, b)| a * b).sum();
                            cond[i][j] -= v;
                        }
                    }
                }
            }
            var_missing = quad_form(&cond, &beta_m).max(0.0);
        }
        // A TMB put on the panel scale from another assay carries its own variance (delta method).
        if let (Some(t), Some(sd)) = (row.tmb, row.tmb_sd) {
            if let Some(k) = self.columns.iter().position(|&c| c == 0) {
                let clipped_tmb = clipped.contains(&k);
                if !clipped_tmb && sd > 0.0 {
                    let s = self.coefficients[k] * dlog2tmb(t) * sd / self.scale[k];
                    var_missing += s * s;
                }
            }
        }
        let mut var_pdl1 = 0.0;
        if row.pdl1_tps.is_none() {
            if let Some(k) = self.columns.iter().position(|&c| c == 31) {
                var_pdl1 = self.coefficients[k].powi(2) * self.pdl1_value_variance;
            }
        }
        let contributions: Vec<f64> = (0..p).map(|k| self.coefficients[k] * z[k]).collect();
        let eta = self.intercept + contributions.iter().sum::<f64>();
        let mut x = Vec::with_capacity(p + 1);
        x.push(1.0);
        x.extend_from_slice(&z);
        let var_parameters = quad_form(&self.parameter_covariance, &x).max(0.0);
        Linear {
            eta,
            var_missing,
            var_pdl1,
            var_parameters,
            contributions,
            clipped,
        }
    }
}

/// The shipped model file: the full model and the TMB-only model, with provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseModel {
    pub format: String,
    pub version: String,
    pub training: TrainingInfo,
    pub full: LogisticModel,
    pub tmb_only: LogisticModel,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingInfo {
    pub file: String,
    pub sha256: String,
    pub patients: usize,
    pub responders: usize,
    pub lambda_grid: Vec<f64>,
    pub inner_folds: usize,
    pub seed: u64,
}

pub const MODEL_FORMAT: &str = "immunoprofile-response-model/1";
pub const MODEL_VERSION: &str = "chowell2022-ridge-logistic-1";

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> LogisticModel {
        // Two Gaussian columns (TMB, FCNA) with correlation 0.5, unit scale.
        LogisticModel {
            name: "toy".into(),
            columns: vec![0, 1],
            column_names: vec!["a".into(), "b".into()],
            clip_low: vec![-100.0, -100.0],
            clip_high: vec![100.0, 100.0],
            center: vec![0.0, 0.0],
            scale: vec![1.0, 1.0],
            lambda: 1.0,
            recalibration: [0.0, 1.0],
            intercept: 0.0,
            coefficients: vec![1.0, 2.0],
            parameter_covariance: vec![vec![0.0; 3]; 3],
            gaussian_covariance: vec![vec![1.0, 0.5], vec![0.5, 1.0]],
            pdl1_value_variance: 0.0,
        }
    }

    #[test]
    fn missing_column_is_conditioned_on_the_observed_one() {
        let m = toy();
        let row = FeatureRow {
            tmb: Some(3.0), // log2(4) = 2
            ..Default::default()
        };
        let lin = m.linear(&row);
        // E[b | a=2] = 0.5·2 = 1; Var[b | a] = 1 − 0.25 = 0.75; η = 1·2 + 2·1 = 4; v = 4·0.75 = 3.
        assert!((lin.eta - 4.0).abs() < 1e-6);
        assert!((lin.var_missing - 3.0).abs() < 1e-6);
        let p = lin.probability();
        let want = sigmoid(4.0 / (1.0 + std::f64::consts::PI * 3.0 / 8.0).sqrt());
        assert!((p - want).abs() < 1e-6);
        let (lo, hi) = lin.interval();
        assert!(lo < p && p < hi);
        // Both present: no missing variance.
        let full = FeatureRow {
            tmb: Some(3.0),
            fcna: Some(0.0),
            ..Default::default()
        };
        let l2 = m.linear(&full);
        assert_eq!(l2.var_missing, 0.0);
        assert!((l2.eta - 2.0).abs() < 1e-12);
    }
}
