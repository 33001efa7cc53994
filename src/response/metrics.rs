//! Discrimination and calibration measures for predicted probabilities.

use serde::Serialize;

/// Area under the ROC curve (Mann–Whitney, ties count one half).
pub fn auc(p: &[f64], y: &[bool]) -> f64 {
    let mut idx: Vec<usize> = (0..p.len()).collect();
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    // Mid-ranks over ties.
    let mut rank = vec![0.0; p.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && p[idx[j + 1]] == p[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            rank[idx[k]] = r;
        }
        i = j + 1;
    }
    let n1 = y.iter().filter(|&&v| v).count() as f64;
    let n0 = y.len() as f64 - n1;
    let sum: f64 = (0..p.len()).filter(|&i| y[i]).map(|i| rank[i]).sum();
    (sum - n1 * (n1 + 1.0) / 2.0) / (n1 * n0)
}

pub fn brier(p: &[f64], y: &[bool]) -> f64 {
    p.iter()
        .zip(y)
        .map(|(p, &y)| (p - if y { 1.0 } else { 0.0 }).powi(2))
        .sum::<f64>()
        / p.len() as f64
}

/// Calibration slope and intercept: logistic regression of the outcome on logit(p)
/// (Cox 1958). Slope 1 and intercept 0 are perfect; slope < 1 means predictions too extreme.
/// Also calibration-in-the-large: the intercept with the slope fixed at 1.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Calibration {
    pub slope: f64,
    pub intercept: f64,
    pub in_the_large: f64,
}

pub fn calibration(p: &[f64], y: &[bool]) -> Calibration {
    let lp: Vec<f64> = p
        .iter()
        .map(|&v| {
            let v = v.clamp(1e-9, 1.0 - 1e-9);
            (v / (1.0 - v)).ln()
        })
        .collect();
    let yy: Vec<f64> = y.iter().map(|&v| if v { 1.0 } else { 0.0 }).collect();
    // Newton on (a, b).
    let (mut a, mut b) = (0.0, 1.0);
    for _ in 0..100 {
        let (mut g0, mut g1, mut h00, mut h01, mut h11) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (l, t) in lp.iter().zip(&yy) {
            let m = crate::response::model::sigmoid(a + b * l);
            let w = m * (1.0 - m);
            g0 += m - t;
            g1 += (m - t) * l;
            h00 += w;
            h01 += w * l;
            h11 += w * l * l;
        }
        let det = h00 * h11 - h01 * h01;
        if det.abs() < 1e-300 {
            break;
        }
        let da = (h11 * g0 - h01 * g1) / det;
        let db = (h00 * g1 - h01 * g0) / det;
        a -= da;
        b -= db;
        if da.abs().max(db.abs()) < 1e-10 {
            break;
        }
    }
    // Offset model: only the intercept.
    let mut c = 0.0;
    for _ in 0..100 {
        let (mut g, mut h) = (0.0, 0.0);
        for (l, t) in lp.iter().zip(&yy) {
            let m = crate::response::model::sigmoid(c + l);
            g += m - t;
            h += m * (1.0 - m);
        }
        let d = g / h.max(1e-300);
        c -= d;
        if d.abs() < 1e-12 {
            break;
        }
    }
    Calibration {
        slope: b,
        intercept: a,
        in_the_large: c,
    }
}

/// One bin of a reliability table.
#[derive(Debug, Clone, Serialize)]
pub struct ReliabilityBin {
    pub low: f64,
    pub high: f64,
    pub n: usize,
    pub mean_predicted: f64,
    pub observed: f64,
}

/// Fixed-width bins of predicted probability (0–0.1, …, 0.9–1): how many patients, their mean
/// prediction and the fraction who responded. Empty bins are omitted.
pub fn reliability(p: &[f64], y: &[bool], bins: usize) -> Vec<ReliabilityBin> {
    (0..bins)
        .filter_map(|b| {
            let low = b as f64 / bins as f64;
            let high = (b + 1) as f64 / bins as f64;
            let members: Vec<usize> = (0..p.len())
                .filter(|&i| p[i] >= low && (p[i] < high || (b + 1 == bins && p[i] <= high)))
                .collect();
            if members.is_empty() {
                return None;
            }
            let n = members.len();
            Some(ReliabilityBin {
                low,
                high,
                n,
                mean_predicted: members.iter().map(|&i| p[i]).sum::<f64>() / n as f64,
                observed: members.iter().filter(|&&i| y[i]).count() as f64 / n as f64,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_by_hand() {
        // Positives at 0.9 and 0.4, negatives at 0.5 and 0.1: pairs won 3 of 4.
        let p = [0.9, 0.4, 0.5, 0.1];
        let y = [true, true, false, false];
        assert!((auc(&p, &y) - 0.75).abs() < 1e-12);
        // A tie counts one half.
        assert!((auc(&[0.5, 0.5], &[true, false]) - 0.5).abs() < 1e-12);
        assert!((brier(&[1.0, 0.0], &[true, true]) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn calibrated_probabilities_have_slope_one() {
        // Outcomes drawn so that each probability level is exactly met.
        let mut p = Vec::new();
        let mut y = Vec::new();
        for (level, pos) in [(0.2, 2), (0.5, 5), (0.8, 8)] {
            for i in 0..10 {
                p.push(level);
                y.push(i < pos);
            }
        }
        let c = calibration(&p, &y);
        assert!((c.slope - 1.0).abs() < 1e-6, "{c:?}");
        assert!(c.intercept.abs() < 1e-6);
        assert!(c.in_the_large.abs() < 1e-6);
    }
}
