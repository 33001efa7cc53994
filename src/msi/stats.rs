//! Tests used to call a site unstable: Pearson's χ² on the tumour × normal length table
//! (MSIsensor, Niu 2014), a one-sided binomial test against a baseline's slippage rate
//! (tumour-only), and Benjamini–Hochberg control of the false discovery rate across sites.

use statrs::distribution::{Binomial, ChiSquared, ContinuousCDF, DiscreteCDF};

use super::reads::Distribution;

/// Pearson's χ² test of homogeneity on the 2 × K table of read counts by repeat length
/// (K = lengths seen in either sample). Returns `(statistic, degrees of freedom, p-value)`;
/// a table with one length (or an empty sample) gives p = 1.
pub fn chi_square_homogeneity(a: &Distribution, b: &Distribution) -> (f64, u32, f64) {
    let na = f64::from(a.total());
    let nb = f64::from(b.total());
    let n = na + nb;
    let mut lengths: Vec<u32> = a.counts.keys().chain(b.counts.keys()).copied().collect();
    lengths.sort_unstable();
    lengths.dedup();
    if na == 0.0 || nb == 0.0 || lengths.len() < 2 {
        return (0.0, 0, 1.0);
    }
    let mut stat = 0.0;
    for len in &lengths {
        let oa = f64::from(a.counts.get(len).copied().unwrap_or(0));
        let ob = f64::from(b.counts.get(len).copied().unwrap_or(0));
        let col = oa + ob;
        let ea = na * col / n;
        let eb = nb * col / n;
        stat += (oa - ea).powi(2) / ea + (ob - eb).powi(2) / eb;
    }
    let df = (lengths.len() - 1) as u32;
    let p = ChiSquared::new(f64::from(df)).map_or(1.0, |d| d.sf(stat));
    (stat, df, p.clamp(0.0, 1.0))
}

/// Total variation distance between the two length distributions (half the summed absolute
/// differences of their proportions): the share of reads that would have to change length
/// to turn one into the other. 0 when either is empty.
pub fn distance(a: &Distribution, b: &Distribution) -> f64 {
    let na = f64::from(a.total());
    let nb = f64::from(b.total());
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    let mut lengths: Vec<u32> = a.counts.keys().chain(b.counts.keys()).copied().collect();
    lengths.sort_unstable();
    lengths.dedup();
    0.5 * lengths
        .iter()
        .map(|l| {
            let pa = f64::from(a.counts.get(l).copied().unwrap_or(0)) / na;
            let pb = f64::from(b.counts.get(l).copied().unwrap_or(0)) / nb;
            (pa - pb).abs()
        })
        .sum::<f64>()
}

/// P(X ≥ k) for X ~ Binomial(n, p).
pub fn binomial_upper_tail(k: u32, n: u32, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    Binomial::new(p.clamp(0.0, 1.0), u64::from(n))
        .map_or(1.0, |d| d.sf(u64::from(k - 1)))
        .clamp(0.0, 1.0)
}

/// Benjamini–Hochberg adjusted p-values (q-values), in the input order. Ties are ordered by
/// input position so the result does not depend on sort stability.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&i, &j| p[i].total_cmp(&p[j]).then(i.cmp(&j)));
    let mut q = vec![1.0; m];
    let mut running = 1.0f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        let v = (p[i] * m as f64 / (rank + 1) as f64).min(1.0);
        running = running.min(v);
        q[i] = running;
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(pairs: &[(u32, u32)]) -> Distribution {
        let mut d = Distribution::default();
        for &(l, n) in pairs {
            d.counts.insert(l, n);
        }
        d
    }

    #[test]
    fn chi_square_matches_hand_computation() {
        // Table [[10, 20], [20, 10]]: expected 15 everywhere, χ² = 4 × 25/15 = 6.667, df 1,
        // p = erfc(sqrt(6.667/2)) = 0.009823 (R: chisq.test(matrix(c(10,20,20,10),2), correct=FALSE)).
        let (stat, df, p) =
            chi_square_homogeneity(&dist(&[(5, 10), (6, 20)]), &dist(&[(5, 20), (6, 10)]));
        assert!((stat - 20.0 / 3.0).abs() < 1e-9);
        assert_eq!(df, 1);
        assert!((p - 0.009823).abs() < 1e-5, "{p}");
        // Identical single-length samples: nothing to test.
        assert_eq!(
            chi_square_homogeneity(&dist(&[(5, 10)]), &dist(&[(5, 30)])).2,
            1.0
        );
        assert_eq!(chi_square_homogeneity(&dist(&[]), &dist(&[(5, 30)])).2, 1.0);
    }

    #[test]
    fn distance_is_share_of_moved_reads() {
        assert!((distance(&dist(&[(5, 10)]), &dist(&[(5, 5), (3, 5)])) - 0.5).abs() < 1e-12);
        assert_eq!(distance(&dist(&[(5, 10)]), &dist(&[(5, 1)])), 0.0);
    }

    #[test]
    fn binomial_tail_by_hand() {
        // P(X >= 2), n = 3, p = 0.5: (3 + 1) / 8.
        assert!((binomial_upper_tail(2, 3, 0.5) - 0.5).abs() < 1e-12);
        assert_eq!(binomial_upper_tail(0, 3, 0.1), 1.0);
        assert_eq!(binomial_upper_tail(4, 3, 0.1), 0.0);
    }

    #[test]
    fn bh_matches_r_p_adjust() {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.2), "BH") = 0.04 0.0533 0.0533 0.2
        let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.2]);
        let want = [0.04, 0.04 * 4.0 / 3.0, 0.04 * 4.0 / 3.0, 0.2];
        for (a, b) in q.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{q:?}");
        }
    }
}
