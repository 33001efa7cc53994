//! Exact (Garwood) Poisson confidence interval for a count.

use statrs::function::gamma::gamma_lr;

/// Quantile of the Gamma(shape, 1) distribution, by bisection on the regularised lower
/// incomplete gamma function (monotone, so bisection converges; 200 halvings reach f64 limits).
fn gamma_quantile(shape: f64, p: f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, shape.max(1.0));
    while gamma_lr(shape, hi) < p {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if gamma_lr(shape, mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= f64::EPSILON * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// Exact two-sided interval for the mean of a Poisson count `k` at confidence `level`:
/// `[Γ⁻¹(α/2; k), Γ⁻¹(1-α/2; k+1)]`, the lower bound 0 when `k = 0`.
pub fn exact_interval(k: u64, level: f64) -> (f64, f64) {
    let alpha = 1.0 - level;
    let lower = if k == 0 {
        0.0
    } else {
        gamma_quantile(k as f64, alpha / 2.0)
    };
    let upper = gamma_quantile(k as f64 + 1.0, 1.0 - alpha / 2.0);
    (lower, upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_published_tables() {
        // scipy: chi2.ppf(0.025, 2k)/2 and chi2.ppf(0.975, 2k+2)/2 (= R's poisson.test).
        let cases = [
            (0u64, 0.0, 3.688879454),
            (1, 0.025317807984, 5.571643390),
            (10, 4.795388696, 18.390356042),
            (100, 81.363991251, 121.626793792),
        ];
        for (k, lo, hi) in cases {
            let (l, h) = exact_interval(k, 0.95);
            assert!(
                (l - lo).abs() < 1e-8 * lo.max(1.0),
                "k={k} lower {l} vs {lo}"
            );
            assert!((h - hi).abs() < 1e-8 * hi, "k={k} upper {h} vs {hi}");
        }
    }
}
