//! The published scoring rules, each on one sample's values (`tpm(row)` and `log2(row)` =
//! log2(TPM + 1)). Missing genes are left out; a signature with no gene found scores `None`.

use crate::signatures::genesets::Member;

/// Rooney 2015 CYT: geometric mean of TPM + 0.01 (the offset used by the authors' pipeline and
/// by `easier::compute_CYT`).
pub fn geometric_mean(tpm: &[f64]) -> Option<f64> {
    if tpm.is_empty() {
        return None;
    }
    let mean_log = tpm.iter().map(|t| (t + 0.01).ln()).sum::<f64>() / tpm.len() as f64;
    Some(mean_log.exp())
}

/// Arithmetic mean of log2(TPM + 1) (Ayers 2017 as in `easier`, MCP-counter, Danaher 2017).
pub fn mean(log2: &[f64]) -> Option<f64> {
    (!log2.is_empty()).then(|| log2.iter().sum::<f64>() / log2.len() as f64)
}

/// Cristescu 2018 GEP: Σ_g w_g · (log2(TPM+1)_g − mean of the housekeeping genes' log2(TPM+1)).
/// `predictors` are `(weight, value)`.
pub fn weighted_housekeeping(predictors: &[(f64, f64)], housekeeping: &[f64]) -> Option<f64> {
    let hk = mean(housekeeping)?;
    if predictors.is_empty() {
        return None;
    }
    Some(predictors.iter().map(|(w, x)| w * (x - hk)).sum())
}

/// Auslander 2018 IMPRES: the number of pairs `(a, b)` with `a > b` (strictly; a tie scores 0).
pub fn pair_comparison(pairs: &[(f64, f64)]) -> Option<f64> {
    (!pairs.is_empty()).then(|| pairs.iter().filter(|(a, b)| a > b).count() as f64)
}

/// Charoentong 2017 immunophenoscore components for one sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ips {
    pub mhc: f64,
    pub cp: f64,
    pub ec: f64,
    pub sc: f64,
    /// Aggregate z-score: mhc + cp + ec + sc.
    pub az: f64,
    /// `az` mapped to 0–10.
    pub ips: f64,
}

/// Immunophenoscore as in the authors' `IPS.R`: each gene's log2(TPM+1) is z-scored against
/// the sample's mean and standard deviation over all genes (`sd` with n − 1); genes are
/// averaged within their group (missing genes left out) and multiplied by the group's mean
/// weight (+1/−1); the groups are averaged within their class (MHC, CP, EC, SC); AZ is the sum
/// of the four class scores and IPS = 0 if AZ ≤ 0, 10 if AZ ≥ 3, else round(AZ·10/3) with R's
/// round-half-to-even.
///
/// `members[i]` has value `values[i]` (`None` when missing); `all` is every gene of the sample.
pub fn immunophenoscore(members: &[Member], values: &[Option<f64>], all: &[f64]) -> Option<Ips> {
    let n = all.len() as f64;
    if n < 2.0 {
        return None;
    }
    let m = all.iter().sum::<f64>() / n;
    let sd = (all.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0)).sqrt();
    // Groups in file order, with their class.
    let mut groups: Vec<(&str, &str, Vec<f64>, Vec<f64>)> = Vec::new();
    for (member, v) in members.iter().zip(values) {
        let group = member.group.as_deref().unwrap_or(member.symbol.as_str());
        let class = member.class.as_deref().unwrap_or("");
        let idx = match groups.iter().position(|g| g.0 == group) {
            Some(i) => i,
            None => {
                groups.push((group, class, Vec::new(), Vec::new()));
                groups.len() - 1
            }
        };
        groups[idx].3.push(member.weight.unwrap_or(1.0));
        if let Some(x) = v {
            groups[idx].2.push((x - m) / sd);
        }
    }
    let class_mean = |class: &str| -> f64 {
        let wg: Vec<f64> = groups
            .iter()
            .filter(|g| g.1 == class)
            .map(|g| {
                let z = if g.2.is_empty() {
                    f64::NAN
                } else {
                    g.2.iter().sum::<f64>() / g.2.len() as f64
                };
                z * g.3.iter().sum::<f64>() / g.3.len() as f64
            })
            .collect();
        if wg.is_empty() {
            f64::NAN
        } else {
            wg.iter().sum::<f64>() / wg.len() as f64
        }
    };
    let (mhc, cp, ec, sc) = (
        class_mean("MHC"),
        class_mean("CP"),
        class_mean("EC"),
        class_mean("SC"),
    );
    let az = mhc + cp + ec + sc;
    if !az.is_finite() {
        return None;
    }
    let ips = if az <= 0.0 {
        0.0
    } else if az >= 3.0 {
        10.0
    } else {
        (az * 10.0 / 3.0).round_ties_even()
    };
    Some(Ips {
        mhc,
        cp,
        ec,
        sc,
        az,
        ips,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_on_hand_values() {
        // CYT: sqrt((9.99+0.01)*(39.99+0.01)) = sqrt(400) = 20.
        assert!((geometric_mean(&[9.99, 39.99]).unwrap() - 20.0).abs() < 1e-12);
        assert_eq!(mean(&[1.0, 2.0, 6.0]), Some(3.0));
        // GEP: HK mean 2; 0.5*(4-2) + (-1)*(3-2) = 0.
        assert_eq!(
            weighted_housekeeping(&[(0.5, 4.0), (-1.0, 3.0)], &[1.0, 3.0]),
            Some(0.0)
        );
        assert_eq!(
            pair_comparison(&[(2.0, 1.0), (1.0, 1.0), (0.0, 3.0)]),
            Some(1.0)
        );
        assert_eq!(mean(&[]), None);
    }

    #[test]
    fn ips_maps_az_with_half_to_even() {
        // All genes z = 1 in every group with weight +1 except CP with weight -1:
        // MHC 1, CP -1, EC 1, SC 1 -> AZ 2 -> round(6.667) = 7.
        let mk = |g: &str, c: &str, w: f64| Member {
            symbol: g.into(),
            group: Some(g.into()),
            class: Some(c.into()),
            weight: Some(w),
            ..Member::default()
        };
        let members = vec![
            mk("A", "MHC", 1.0),
            mk("B", "CP", -1.0),
            mk("C", "EC", 1.0),
            mk("D", "SC", 1.0),
        ];
        // all = [0, 2] -> mean 1, sd sqrt(2); value 1 + sqrt(2) has z = 1.
        let v = 1.0 + 2f64.sqrt();
        let ips = immunophenoscore(&members, &[Some(v); 4], &[0.0, 2.0]).unwrap();
        assert!((ips.az - 2.0).abs() < 1e-12);
        assert_eq!(ips.ips, 7.0);
    }
}
