//! Single-sample GSEA (Barbie et al. 2009) as GSVA's `ssgsea` and gseapy compute it.
//!
//! Per sample, genes are ranked by expression (average rank for ties), ordered from highest to
//! lowest, and weighted by `(10000·rank/n)^α` with α = 0.25 (the constant factor cancels, so
//! this equals GSVA's `rank^α`). The enrichment score is the sum over all positions of the
//! difference between the weighted cumulative distribution of the set's genes and the
//! cumulative distribution of the other genes. Scores are then divided by the range
//! (max − min) of all scores of the collection over all samples (GSVA's `ssgsea.norm = TRUE`,
//! gseapy's `NES`).
//!
//! Tie rule (gseapy's): genes with equal expression are ordered by their row in the input, the
//! last row first (gseapy sorts ascending, stably, then reverses). GSVA ≤ 1.48 orders ties by
//! first row first and truncates average ranks to integers, so on data with ties (zeros)
//! GSVA's scores differ slightly from gseapy's and ours.

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
pub fn rank_sample(values: &[f64], alpha: f64) -> Ranking {
    let n = values.len();
    let metric: Vec<f64> = average_ranks(values)
        .iter()
        .map(|r| 10000.0 * r / n as f64)
        .collect();
    // Stable ascending sort on the metric, then reversed: ties end up last row first.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| metric[a].total_cmp(&metric[b]));
    order.reverse();
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

/// Divides every score by the range of all of them (GSVA's normalisation).
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
    fn ties_are_ordered_last_row_first() {
        let r = rank_sample(&[5.0, 0.0, 0.0, 9.0], 0.25);
        assert_eq!(r.order, vec![3, 0, 2, 1]);
    }

    #[test]
    fn score_matches_the_explicit_random_walk() {
        // n = 5 genes, set = rows {0, 3}; walk computed by hand from the definition:
        // order by value desc: rows 3 (v=9), 0 (v=5), 4 (v=4), 2 (v=2), 1 (v=1);
        // ranks asc: row1=1,row2=2,row4=3,row0=4,row3=5; metric = 2000*rank.
        let values = [5.0, 1.0, 2.0, 9.0, 4.0];
        let r = rank_sample(&values, 0.25);
        let w3 = 10000.0f64.powf(0.25);
        let w0 = 8000.0f64.powf(0.25);
        let p_in = [w3 / (w3 + w0), 1.0, 1.0, 1.0, 1.0];
        let p_out = [0.0, 0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0];
        let expected: f64 = p_in.iter().zip(p_out).map(|(a, b)| a - b).sum();
        let es = enrichment_score(&r, &[0, 3]).unwrap();
        assert!((es - expected).abs() < 1e-12, "{es} vs {expected}");
    }
}
