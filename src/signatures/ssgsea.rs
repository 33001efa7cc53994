//! Single-sample GSEA (Barbie et al. 2009) as GSVA's `method = "ssgsea"` computes it (the
//! default), or as gseapy does (a named option).
//!
//! Per sample, genes are ranked by expression (average rank for ties), ordered from highest to
//! lowest, and weighted by rank^α with α = 0.25. The enrichment score is the sum over all
//! positions of the difference between the weighted cumulative distribution of the set's genes
//! and the cumulative distribution of the other genes. Normalised scores divide the raw scores
//! by the range (max − min) of all raw scores of the collection over all samples (GSVA's
//! `ssgsea.norm = TRUE`, gseapy's `NES`).
//!
//! The two flavours differ only where expression values tie (zeros, in RNA-seq):
//! - GSVA (1.46, `ssgsea()`): average ranks are stored as integers (`mode(R) <- "integer"`), so
//!   a tie's rank is truncated (positions 3 and 4 both get rank 3, not 3.5) and the weights are
//!   truncated rank^α; genes are ordered by that rank, decreasing, ties in input row order
//!   (R's `order(decreasing = TRUE)` is stable).
//! - gseapy (1.3, `sample_norm_method = "rank"`): weights are (10000·rank/n)^α with the exact
//!   average rank (the constant factor cancels); ties are ordered last input row first (a
//!   stable ascending sort, reversed).

use serde::{Deserialize, Serialize};

/// Whose ssGSEA to reproduce (they differ only on tied expression values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Flavour {
    /// GSVA's `method = "ssgsea"` (R/Bioconductor; Charoentong 2017, IOBR, TIMER): truncated
    /// average ranks, ties in input order.
    #[default]
    Gsva,
    /// gseapy's `ssgsea` (Python): exact average ranks, ties last input row first.
    Gseapy,
}

/// Ranking of one sample: positions (highest expression first) and weights in that order.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// `order[p]` is the row at position `p`.
    pub order: Vec<usize>,
    /// `position[row]` is the position of `row`.
    pub position: Vec<usize>,
    /// Weight at each position.
    pub weight: Vec<f64>,
}

/// Average ranks (1-based, ascending) as `pandas.rank(method="average")`.
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && values[idx[j + 1]] == values[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            ranks[k] = avg;
        }
        i = j + 1;
    }
    ranks
}

/// Ranks one sample's values (all genes of the matrix).
pub fn rank_sample(values: &[f64], alpha: f64, flavour: Flavour) -> Ranking {
    let n = values.len();
    let ranks = average_ranks(values);
    let mut order: Vec<usize> = (0..n).collect();
    let metric: Vec<f64> = match flavour {
        Flavour::Gsva => {
            // R's as.integer truncates; ranks are ≥ 1.
            let metric: Vec<f64> = ranks.iter().map(|r| r.trunc()).collect();
            // Stable descending sort: ties in input row order.
            order.sort_by(|&a, &b| metric[b].total_cmp(&metric[a]));
            metric
        }
        Flavour::Gseapy => {
            let metric: Vec<f64> = ranks.iter().map(|r| 10000.0 * r / n as f64).collect();
            // Stable ascending sort, then reversed: ties end up last row first.
            order.sort_by(|&a, &b| metric[a].total_cmp(&metric[b]));
            order.reverse();
            metric
        }
    };
    let mut position = vec![0; n];
    for (p, &row) in order.iter().enumerate() {
        position[row] = p;
    }
    let weight = order
        .iter()
        .map(|&row| metric[row].abs().powf(alpha))
        .collect();
    Ranking {
        order,
        position,
        weight,
    }
}

/// Unnormalised enrichment score of the set `rows` (distinct rows) in `ranking`.
pub fn enrichment_score(ranking: &Ranking, rows: &[usize]) -> Option<f64> {
    let n = ranking.order.len() as f64;
    let k = rows.len() as f64;
    if rows.is_empty() || k >= n {
        return None;
    }
    let mut positions: Vec<usize> = rows.iter().map(|&r| ranking.position[r]).collect();
    positions.sort_unstable();
    let mut weighted = 0.0;
    let mut total_weight = 0.0;
    let mut sum_remaining = 0.0;
    for &p in &positions {
        let w = ranking.weight[p];
        let remaining = n - p as f64;
        weighted += w * remaining;
        total_weight += w;
        sum_remaining += remaining;
    }
    if total_weight == 0.0 {
        return None;
    }
    let step_in = weighted / total_weight;
    let step_out = (n * (n + 1.0) / 2.0 - sum_remaining) / (n - k);
    Some(step_in - step_out)
}

/// Divides every score by the range of all of them (GSVA's `ssgsea.norm = TRUE`).
pub fn normalise(scores: &mut [Option<f64>]) {
    let present = scores.iter().flatten();
    let max = present.clone().fold(f64::MIN, |a, &b| a.max(b));
    let min = present.fold(f64::MAX, |a, &b| a.min(b));
    let range = max - min;
    for s in scores.iter_mut().flatten() {
        *s = if range > 0.0 { *s / range } else { f64::NAN };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        assert_eq!(
            average_ranks(&[3.0, 1.0, 3.0, 0.0]),
            vec![3.5, 2.0, 3.5, 1.0]
        );
    }

    #[test]
    fn gseapy_orders_ties_last_row_first() {
        let r = rank_sample(&[5.0, 0.0, 0.0, 9.0], 0.25, Flavour::Gseapy);
        assert_eq!(r.order, vec![3, 0, 2, 1]);
        // Exact average rank 1.5 for the tie: metric 10000 * 1.5 / 4.
        assert!((r.weight[3] - 3750f64.powf(0.25)).abs() < 1e-12);
    }

    #[test]
    fn gsva_orders_ties_first_row_first_with_truncated_ranks() {
        // Ranks ascending: rows 1, 2 tie at 1.5 (stored as 1), row 0 = 3, row 3 = 4.
        let r = rank_sample(&[5.0, 0.0, 0.0, 9.0], 0.25, Flavour::Gsva);
        assert_eq!(r.order, vec![3, 0, 1, 2]);
        assert_eq!(r.weight[0], 4f64.powf(0.25));
        assert_eq!(r.weight[2], 1.0);
        assert_eq!(r.weight[3], 1.0);
        // Set {row 2} (the second of the tie, position 3 of 4): in-set step 1 at the last
        // position only, so ES = sum(in) - sum(out) = 1 - (1/3 + 2/3 + 1 + 1) = -2.
        let es = enrichment_score(&r, &[2]).unwrap();
        assert!((es + 2.0).abs() < 1e-12, "{es}");
        // gseapy puts row 2 first of the tie (position 2).
        let g = rank_sample(&[5.0, 0.0, 0.0, 9.0], 0.25, Flavour::Gseapy);
        let es_g = enrichment_score(&g, &[2]).unwrap();
        // walk: positions 0..4 = rows 3, 0, 2, 1; in-CDF 0, 0, 1, 1; out-CDF 1/3, 2/3, 2/3, 1.
        assert!((es_g - (2.0 - (1.0 / 3.0 + 2.0 / 3.0 + 2.0 / 3.0 + 1.0))).abs() < 1e-12);
    }

    #[test]
    fn score_matches_the_explicit_random_walk() {
        // n = 5 genes, set = rows {0, 3}; walk computed by hand from the definition:
        // order by value desc: rows 3 (v=9), 0 (v=5), 4 (v=4), 2 (v=2), 1 (v=1);
        // ranks asc: row1=1,row2=2,row4=3,row0=4,row3=5; metric = 2000*rank.
        let values = [5.0, 1.0, 2.0, 9.0, 4.0];
        let r = rank_sample(&values, 0.25, Flavour::Gseapy);
        let w3 = 10000.0f64.powf(0.25);
        let w0 = 8000.0f64.powf(0.25);
        let p_in = [w3 / (w3 + w0), 1.0, 1.0, 1.0, 1.0];
        let p_out = [0.0, 0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0];
        let expected: f64 = p_in.iter().zip(p_out).map(|(a, b)| a - b).sum();
        let es = enrichment_score(&r, &[0, 3]).unwrap();
        assert!((es - expected).abs() < 1e-12, "{es} vs {expected}");
        // Without ties both flavours agree (the weights differ by a constant factor).
        let gsva = enrichment_score(&rank_sample(&values, 0.25, Flavour::Gsva), &[0, 3]).unwrap();
        assert!((gsva - expected).abs() < 1e-12, "{gsva} vs {expected}");
    }
}
