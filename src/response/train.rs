//! Fitting: ridge-penalised logistic regression by Newton's method, the penalty chosen by inner
//! cross-validated log loss, then a logistic recalibration of the inner cross-validated linear
//! predictor folded into the coefficients. Sequential and seeded: the same CSV gives the same
//! model bytes.

// Index loops over small dense matrices read closer to the formulas than iterator chains.
#![allow(clippy::needless_range_loop)]

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::response::features::{
    design_names, design_values, FeatureRow, Input, DESIGN_COLUMNS, GAUSSIAN_COLUMNS,
};
use crate::response::linalg::{cholesky, cholesky_solve, spd_inverse, Matrix};
use crate::response::model::{
    sigmoid, LogisticModel, ResponseModel, TrainingInfo, MODEL_FORMAT, MODEL_VERSION,
};

/// The training table: one [`FeatureRow`] and outcome per patient.
#[derive(Debug, Clone)]
pub struct TrainingSet {
    pub rows: Vec<FeatureRow>,
    /// RECIST complete or partial response.
    pub response: Vec<bool>,
    pub file: String,
    pub sha256: String,
}

impl TrainingSet {
    /// The subset of patients at `idx`.
    pub fn subset(&self, idx: &[usize]) -> TrainingSet {
        TrainingSet {
            rows: idx.iter().map(|&i| self.rows[i].clone()).collect(),
            response: idx.iter().map(|&i| self.response[i]).collect(),
            file: self.file.clone(),
            sha256: self.sha256.clone(),
        }
    }
}

/// Reads the Chowell et al. training CSV (columns as in its README).
///
/// # Errors
/// Unreadable file, a missing model column, a bad value (file, line and column named).
pub fn read_training_csv(path: &Path) -> Result<TrainingSet> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
    let headers = reader
        .headers()
        .map_err(|e| Error::invalid(path, Some("header".into()), e.to_string()))?
        .clone();
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| Error::invalid(path, Some("header".into()), format!("no column {name}")))
    };
    let id_col = find("SAMPLE_ID")?;
    let y_col = find("Response")?;
    let cols: Vec<(Input, usize)> = Input::ALL
        .iter()
        .map(|&i| find(i.column()).map(|c| (i, c)))
        .collect::<Result<_>>()?;
    let mut rows = Vec::new();
    let mut response = Vec::new();
    for (n, rec) in reader.records().enumerate() {
        let line = n + 2;
        let rec = rec.map_err(|e| Error::at_line(path, line, e.to_string()))?;
        let mut row = FeatureRow {
            sample: rec.get(id_col).unwrap_or("").trim().to_string(),
            ..Default::default()
        };
        for &(input, c) in &cols {
            row.set_cell(input, rec.get(c).unwrap_or(""))
                .map_err(|e| Error::at_line(path, line, e))?;
        }
        let y = match rec.get(y_col).map(str::trim) {
            Some("1") => true,
            Some("0") => false,
            other => {
                return Err(Error::at_line(
                    path,
                    line,
                    format!("column Response: {other:?} is not 0 or 1"),
                ))
            }
        };
        rows.push(row);
        response.push(y);
    }
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(TrainingSet {
        rows,
        response,
        file,
        sha256,
    })
}

/// Training settings; the defaults are those of the shipped model.
#[derive(Debug, Clone)]
pub struct FitConfig {
    pub lambdas: Vec<f64>,
    pub inner_folds: usize,
    pub seed: u64,
}

impl Default for FitConfig {
    fn default() -> Self {
        Self {
            lambdas: vec![0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0],
            inner_folds: 5,
            seed: 20_220_401,
        }
    }
}

/// Design columns of the full model (all 32).
pub fn full_columns() -> Vec<usize> {
    (0..DESIGN_COLUMNS).collect()
}

/// Design columns of the genomic-only model (TMB, FCNA, HED, HLA LOH, MSI).
pub fn genomic_columns() -> Vec<usize> {
    vec![0, 1, 2, 3, 4]
}

/// Fits the shipped pair of models (full and TMB-only) on `set`.
///
/// # Errors
/// A design that cannot be fitted (e.g. no responders), described.
pub fn train(set: &TrainingSet, cfg: &FitConfig) -> Result<ResponseModel> {
    let full = fit_logistic("full", set, &full_columns(), cfg).map_err(Error::usage)?;
    let tmb_only = fit_logistic("tmb_only", set, &[0], cfg).map_err(Error::usage)?;
    Ok(ResponseModel {
        format: MODEL_FORMAT.into(),
        version: MODEL_VERSION.into(),
        training: TrainingInfo {
            file: set.file.clone(),
            sha256: set.sha256.clone(),
            patients: set.rows.len(),
            responders: set.response.iter().filter(|&&y| y).count(),
            lambda_grid: cfg.lambdas.clone(),
            inner_folds: cfg.inner_folds,
            seed: cfg.seed,
        },
        full,
        tmb_only,
    })
}

/// SplitMix64: a tiny seeded generator for fold assignment (fixed, platform independent).
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Stratified fold of each patient (0..k): responders and non-responders are shuffled
/// separately with `seed` and dealt round-robin.
pub fn stratified_folds(y: &[bool], k: usize, seed: u64) -> Vec<usize> {
    let mut rng = SplitMix::new(seed);
    let mut fold = vec![0; y.len()];
    let mut next = 0;
    for class in [true, false] {
        let mut idx: Vec<usize> = (0..y.len()).filter(|&i| y[i] == class).collect();
        for i in (1..idx.len()).rev() {
            let j = rng.below(i + 1);
            idx.swap(i, j);
        }
        for i in idx {
            fold[i] = next % k;
            next += 1;
        }
    }
    fold
}

/// Percentile by linear interpolation of sorted values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Continuous design columns (clipped to training percentiles); the rest are 0/1 codes.
fn is_continuous(c: usize) -> bool {
    matches!(c, 0 | 1 | 2 | 5 | 6 | 7 | 8 | 9 | 10)
}

/// Rounds to 12 significant digits so the stored model does not depend on the last bits of
/// platform maths.
pub fn round12(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// Fits one model on `set` over design `columns` (Gaussian-block columns first, as given).
///
/// # Errors
/// Missing values in the training design, a class with no patients.
pub fn fit_logistic(
    name: &str,
    set: &TrainingSet,
    columns: &[usize],
    cfg: &FitConfig,
) -> std::result::Result<LogisticModel, String> {
    let n = set.rows.len();
    let positives = set.response.iter().filter(|&&y| y).count();
    if positives == 0 || positives == n {
        return Err(format!(
            "{name}: training needs responders and non-responders"
        ));
    }
    let p = columns.len();
    let design: Vec<[Option<f64>; DESIGN_COLUMNS]> = set.rows.iter().map(design_values).collect();
    let mut raw = vec![vec![0.0; p]; n];
    for (i, d) in design.iter().enumerate() {
        for (k, &c) in columns.iter().enumerate() {
            raw[i][k] = d[c].ok_or_else(|| {
                format!(
                    "{name}: training patient {} lacks {} (only PD-L1 may be missing in training)",
                    set.rows[i].sample,
                    design_names()[c]
                )
            })?;
        }
    }
    let mut clip_low = vec![f64::NEG_INFINITY; p];
    let mut clip_high = vec![f64::INFINITY; p];
    let mut center = vec![0.0; p];
    let mut scale = vec![1.0; p];
    for (k, &c) in columns.iter().enumerate() {
        let mut v: Vec<f64> = raw.iter().map(|r| r[k]).collect();
        v.sort_by(f64::total_cmp);
        if is_continuous(c) {
            clip_low[k] = round12(quantile(&v, 0.005));
            clip_high[k] = round12(quantile(&v, 0.995));
        } else {
            clip_low[k] = v[0];
            clip_high[k] = v[n - 1];
        }
        let clipped: Vec<f64> = v
            .iter()
            .map(|x| x.clamp(clip_low[k], clip_high[k]))
            .collect();
        let mean = clipped.iter().sum::<f64>() / n as f64;
        let var = clipped.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        center[k] = round12(mean);
        scale[k] = if var > 1e-12 {
            round12(var.sqrt())
        } else {
            1.0
        };
    }
    let x: Vec<Vec<f64>> = raw
        .iter()
        .map(|r| {
            (0..p)
                .map(|k| (r[k].clamp(clip_low[k], clip_high[k]) - center[k]) / scale[k])
                .collect()
        })
        .collect();
    let y = &set.response;

    // Inner cross-validation over the penalty grid (largest first, warm-started).
    let mut lambdas = cfg.lambdas.clone();
    lambdas.sort_by(|a, b| b.total_cmp(a));
    let folds = stratified_folds(y, cfg.inner_folds, cfg.seed);
    let mut deviance = vec![0.0; lambdas.len()];
    let mut oof_eta = vec![vec![0.0; n]; lambdas.len()];
    for f in 0..cfg.inner_folds {
        let train: Vec<usize> = (0..n).filter(|&i| folds[i] != f).collect();
        let mut beta = vec![0.0; p + 1];
        for (li, &lambda) in lambdas.iter().enumerate() {
            beta = newton(&x, y, &train, lambda, beta)?.0;
            for i in (0..n).filter(|&i| folds[i] == f) {
                let eta = linear(&beta, &x[i]);
                oof_eta[li][i] = eta;
                deviance[li] += log_loss(eta, y[i]);
            }
        }
    }
    let best = (0..lambdas.len())
        .min_by(|&a, &b| deviance[a].total_cmp(&deviance[b]))
        .unwrap_or(0);
    let lambda = lambdas[best];
    // Recalibration: y ~ a + b·η on the out-of-fold linear predictor at the chosen penalty.
    let eta_x: Vec<Vec<f64>> = oof_eta[best].iter().map(|&e| vec![e]).collect();
    let all: Vec<usize> = (0..n).collect();
    let (ab, _) = newton(&eta_x, y, &all, 0.0, vec![0.0, 1.0])?;
    let (a, b) = (ab[0], ab[1]);
    let (beta, hessian) = newton(&x, y, &all, lambda, vec![0.0; p + 1])?;
    let cov = spd_inverse(&hessian).ok_or_else(|| format!("{name}: singular Hessian"))?;
    let intercept = round12(a + b * beta[0]);
    let coefficients: Vec<f64> = beta[1..].iter().map(|v| round12(b * v)).collect();
    let parameter_covariance: Matrix = cov
        .iter()
        .map(|r| r.iter().map(|v| round12(b * b * v)).collect())
        .collect();
    let g = columns
        .iter()
        .take_while(|&&c| c < GAUSSIAN_COLUMNS)
        .count();
    let mut gaussian_covariance = vec![vec![0.0; g]; g];
    for (i, gi) in gaussian_covariance.iter_mut().enumerate() {
        for (j, v) in gi.iter_mut().enumerate() {
            *v = round12(x.iter().map(|r| r[i] * r[j]).sum::<f64>() / n as f64);
        }
    }
    let pdl1_value_variance = match columns.iter().position(|&c| c == 31) {
        Some(k) => {
            let measured: Vec<f64> = (0..n)
                .filter(|&i| set.rows[i].pdl1_tps.is_some())
                .map(|i| x[i][k])
                .collect();
            if measured.len() < 2 {
                0.0
            } else {
                let m = measured.iter().sum::<f64>() / measured.len() as f64;
                round12(
                    measured.iter().map(|v| (v - m).powi(2)).sum::<f64>()
                        / (measured.len() - 1) as f64,
                )
            }
        }
        None => 0.0,
    };
    let names = design_names();
    Ok(LogisticModel {
        name: name.to_string(),
        columns: columns.to_vec(),
        column_names: columns.iter().map(|&c| names[c].clone()).collect(),
        clip_low,
        clip_high,
        center,
        scale,
        lambda,
        recalibration: [round12(a), round12(b)],
        intercept,
        coefficients,
        parameter_covariance,
        gaussian_covariance,
        pdl1_value_variance,
    })
}

fn linear(beta: &[f64], x: &[f64]) -> f64 {
    beta[0] + beta[1..].iter().zip(x).map(|(b, v)| b * v).sum::<f64>()
}

fn log_loss(eta: f64, y: bool) -> f64 {
    // −log σ(±η), computed stably.
    let s = if y { -eta } else { eta };
    if s > 0.0 {
        s + (-s).exp().ln_1p()
    } else {
        s.exp().ln_1p()
    }
}

/// Penalised logistic regression on rows `idx` of `x` (intercept unpenalised) by Newton's
/// method with step halving. Returns the coefficients (intercept first) and the penalised
/// Hessian at the optimum.
fn newton(
    x: &[Vec<f64>],
    y: &[bool],
    idx: &[usize],
    lambda: f64,
    start: Vec<f64>,
) -> std::result::Result<(Vec<f64>, Matrix), String> {
    let p1 = start.len();
    let objective = |beta: &[f64]| -> f64 {
        let data: f64 = idx
            .iter()
            .map(|&i| log_loss(linear(beta, &x[i]), y[i]))
            .sum();
        data + 0.5 * lambda * beta[1..].iter().map(|b| b * b).sum::<f64>()
    };
    let mut beta = start;
    let mut obj = objective(&beta);
    for _ in 0..100 {
        let mut grad = vec![0.0; p1];
        let mut h = vec![vec![0.0; p1]; p1];
        for &i in idx {
            let xi = &x[i];
            let mu = sigmoid(linear(&beta, xi));
            let r = mu - if y[i] { 1.0 } else { 0.0 };
            let w = (mu * (1.0 - mu)).max(1e-12);
            grad[0] += r;
            h[0][0] += w;
            for a in 0..xi.len() {
                grad[a + 1] += r * xi[a];
                h[a + 1][0] += w * xi[a];
                for b in 0..=a {
                    h[a + 1][b + 1] += w * xi[a] * xi[b];
                }
            }
        }
        for a in 1..p1 {
            grad[a] += lambda * beta[a];
            h[a][a] += lambda;
        }
        for a in 0..p1 {
            for b in 0..a {
                h[b][a] = h[a][b];
            }
        }
        // A tiny diagonal keeps an unpenalised fit solvable when a column is constant.
        for (a, row) in h.iter_mut().enumerate() {
            row[a] += 1e-10;
        }
        let l = cholesky(&h).ok_or("logistic fit: Hessian not positive definite")?;
        let step = cholesky_solve(&l, &grad);
        let mut t = 1.0;
        let mut accepted = false;
        for _ in 0..30 {
            let cand: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b - t * s).collect();
            let o = objective(&cand);
            if o <= obj + 1e-12 {
                let change = step.iter().map(|s| (t * s).abs()).fold(0.0, f64::max);
                beta = cand;
                obj = o;
                accepted = true;
                if change < 1e-9 {
                    return Ok((beta, h));
                }
                break;
            }
            t *= 0.5;
        }
        if !accepted {
            return Ok((beta, h));
        }
    }
    // Recompute the Hessian at the final point for the covariance.
    let mut h = vec![vec![0.0; p1]; p1];
    for &i in idx {
        let xi = &x[i];
        let mu = sigmoid(linear(&beta, xi));
        let w = (mu * (1.0 - mu)).max(1e-12);
        let mut full = vec![1.0];
        full.extend_from_slice(xi);
        for a in 0..p1 {
            for b in 0..p1 {
                h[a][b] += w * full[a] * full[b];
            }
        }
    }
    for (a, row) in h.iter_mut().enumerate().skip(1) {
        row[a] += lambda;
    }
    Ok((beta, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpenalised_fit_matches_the_closed_form_of_a_2x2_table() {
        // One binary covariate: the MLE is log-odds of each group. x=0: 2/8 respond; x=1: 6/8.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..8 {
            x.push(vec![0.0]);
            y.push(i < 2);
            x.push(vec![1.0]);
            y.push(i < 6);
        }
        let idx: Vec<usize> = (0..16).collect();
        let (beta, _) = newton(&x, &y, &idx, 0.0, vec![0.0, 0.0]).unwrap();
        let l0 = (2.0f64 / 6.0).ln();
        let l1 = (6.0f64 / 2.0).ln();
        assert!((beta[0] - l0).abs() < 1e-6);
        assert!((beta[1] - (l1 - l0)).abs() < 1e-6);
    }

    #[test]
    fn folds_are_stratified_and_seeded() {
        let y: Vec<bool> = (0..100).map(|i| i % 4 == 0).collect();
        let f = stratified_folds(&y, 5, 7);
        assert_eq!(f, stratified_folds(&y, 5, 7));
        for k in 0..5 {
            let pos = (0..100).filter(|&i| f[i] == k && y[i]).count();
            assert_eq!(pos, 5);
        }
    }
}
