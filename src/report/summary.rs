//! The cohort a report places its sample against, built once per run and shared by every
//! report: each metric's distribution (21 quantiles) and, for small cohorts, every member.
//!
//! Everything a report takes from it is bounded in size (at most [`MAX_LISTED`] members, 21
//! quantiles per metric) and a sample's percentile is a binary search, so report time per sample
//! does not grow with the cohort.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use super::{load_sample, prefixes_in, sample_dirs, Headline, Load};
use crate::error::{Error, Result};

/// Cohorts of at most this many samples are listed member by member in each report (one bar
/// and one dot per sample); larger ones are shown by their quantiles.
pub const MAX_LISTED: usize = 50;

/// Quantile steps kept per metric: 0%, 5%, …, 100%.
pub const QUANTILE_STEPS: usize = 20;

/// What the cohort plots need of one sample.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CohortMember {
    pub headline: Headline,
    /// Signature name → score.
    pub signatures: BTreeMap<String, f64>,
}

/// One metric across the cohort (samples without the value left out).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Distribution {
    /// Samples with a value.
    pub n: usize,
    /// The 0%, 5%, …, 100% quantiles (R's type 7: linear between order statistics).
    pub quantiles: Vec<f64>,
    /// Every value, sorted: for the percentile of a sample, not written.
    #[serde(skip)]
    sorted: Vec<f64>,
}

impl Distribution {
    /// The distribution of the finite values; `None` when there are none.
    pub fn new(values: impl IntoIterator<Item = f64>) -> Option<Self> {
        let mut sorted: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let quantiles = (0..=QUANTILE_STEPS)
            .map(|i| quantile(&sorted, i as f64 / QUANTILE_STEPS as f64))
            .collect();
        Some(Distribution {
            n: sorted.len(),
            quantiles,
            sorted,
        })
    }

    /// The median (the 50% quantile).
    pub fn median(&self) -> f64 {
        self.quantiles[QUANTILE_STEPS / 2]
    }

    /// Mid-rank percentile of `value` in the cohort: 100 × (values below + half the values
    /// equal) / n. A sample that is part of the cohort is counted in it.
    pub fn percentile(&self, value: f64) -> Option<f64> {
        if !value.is_finite() {
            return None;
        }
        let below = self.sorted.partition_point(|v| *v < value);
        let not_above = self.sorted.partition_point(|v| *v <= value);
        let equal = not_above - below;
        Some(100.0 * (below as f64 + 0.5 * equal as f64) / self.n as f64)
    }

    /// The quantiles labelled `p0`, `p5`, …, `p100`, for plots.
    pub fn labelled(&self) -> impl Iterator<Item = (String, f64)> + '_ {
        let step = 100 / QUANTILE_STEPS;
        self.quantiles
            .iter()
            .enumerate()
            .map(move |(i, v)| (format!("p{}", i * step), *v))
    }
}

/// R's type-7 quantile of sorted, non-empty `x`.
fn quantile(x: &[f64], p: f64) -> f64 {
    let h = (x.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(x.len() - 1);
    x[lo] + (h - lo as f64) * (x[hi] - x[lo])
}

/// The cohort summary every report of a run shares.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Cohort {
    /// Samples in the cohort.
    pub n_samples: usize,
    /// Every member by sample name when the cohort has at most [`MAX_LISTED`] samples, else
    /// empty (the distributions stand for them).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub members: BTreeMap<String, CohortMember>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tmb: Option<Distribution>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msi_score: Option<Distribution>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub neoantigens: Option<Distribution>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cyt: Option<Distribution>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gep: Option<Distribution>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_probability: Option<Distribution>,
    /// Signature name → its scores' distribution.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub signatures: BTreeMap<String, Distribution>,
    /// SHA-256 of every member's data: a report is up to date only while this is unchanged.
    #[serde(skip)]
    pub fingerprint: String,
}

/// Where one sample stands in the cohort: its percentile for each metric it has.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Placement {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tmb: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msi_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub neoantigens: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cyt: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gep: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_probability: Option<f64>,
    /// Signature name → percentile.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub signatures: BTreeMap<String, f64>,
}

impl Cohort {
    /// The summary of `members` (sample name → member).
    pub fn from_members(members: BTreeMap<String, CohortMember>) -> Self {
        let dist = |f: &dyn Fn(&Headline) -> Option<f64>| {
            Distribution::new(members.values().filter_map(|m| f(&m.headline)))
        };
        let mut scores: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for m in members.values() {
            for (name, v) in &m.signatures {
                scores.entry(name).or_default().push(*v);
            }
        }
        let signatures = scores
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_string(), Distribution::new(v)?)))
            .collect();
        let fingerprint = serde_json::to_vec(&members)
            .map(|b| super::tables::sha256_bytes(&b))
            .unwrap_or_default();
        Cohort {
            n_samples: members.len(),
            tmb: dist(&|h| h.tmb),
            msi_score: dist(&|h| h.msi_score),
            neoantigens: dist(&|h| h.neoantigens.map(|n| n as f64)),
            cyt: dist(&|h| h.cyt),
            gep: dist(&|h| h.gep),
            response_probability: dist(&|h| h.response_probability),
            signatures,
            fingerprint,
            members: if members.len() <= MAX_LISTED {
                members
            } else {
                BTreeMap::new()
            },
        }
    }

    /// Whether every member is listed (else the plots show quantiles).
    pub fn listed(&self) -> bool {
        self.n_samples <= MAX_LISTED
    }

    /// Where a sample with this headline and these signature scores stands.
    pub fn place(&self, h: &Headline, signatures: &BTreeMap<String, f64>) -> Placement {
        let pct = |d: &Option<Distribution>, v: Option<f64>| d.as_ref()?.percentile(v?);
        Placement {
            tmb: pct(&self.tmb, h.tmb),
            msi_score: pct(&self.msi_score, h.msi_score),
            neoantigens: pct(&self.neoantigens, h.neoantigens.map(|n| n as f64)),
            cyt: pct(&self.cyt, h.cyt),
            gep: pct(&self.gep, h.gep),
            response_probability: pct(&self.response_probability, h.response_probability),
            signatures: signatures
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), self.signatures.get(k)?.percentile(*v)?)))
                .collect(),
        }
    }
}

/// Every sample of the `cohort` folder (one sub-folder per sample, or every sample's files in
/// the folder itself, as Nextflow stages them), read once without checksums.
///
/// # Errors
/// The folder cannot be listed or a present stage file is malformed.
pub fn load_cohort(cohort: &Path) -> Result<Cohort> {
    let mut dirs = vec![cohort.to_path_buf()];
    dirs.extend(sample_dirs(cohort)?);
    let mut found = Vec::new();
    for dir in dirs {
        for sample in prefixes_in(&dir)? {
            found.push((dir.clone(), sample));
        }
    }
    let loaded: Vec<(String, CohortMember)> = found
        .par_iter()
        .map(|(dir, sample)| {
            let data = load_sample(dir, sample, Load::Cohort)?;
            Ok((sample.clone(), data.cohort_member()))
        })
        .collect::<Result<_>>()?;
    let mut members = BTreeMap::new();
    for (sample, member) in loaded {
        if members.insert(sample.clone(), member).is_some() {
            return Err(Error::invalid(
                cohort,
                None,
                format!("sample {sample} has outputs in two folders: keep one"),
            ));
        }
    }
    Ok(Cohort::from_members(members))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_quantiles_and_mid_rank_percentiles() {
        // R: quantile(c(1, 2, 4, 8), c(0, .25, .5, .75, 1)) = 1, 1.75, 3, 5, 8.
        let d = Distribution::new([8.0, 1.0, 4.0, 2.0, f64::NAN]).unwrap();
        assert_eq!(d.n, 4);
        assert_eq!(d.quantiles.len(), 21);
        assert_eq!(d.quantiles[0], 1.0);
        assert!((d.quantiles[5] - 1.75).abs() < 1e-12);
        assert!((d.median() - 3.0).abs() < 1e-12);
        assert!((d.quantiles[15] - 5.0).abs() < 1e-12);
        assert_eq!(d.quantiles[20], 8.0);
        // 4: two values below (1, 2), one equal, of four → (2 + 0.5) / 4 = 62.5%.
        assert_eq!(d.percentile(4.0), Some(62.5));
        assert_eq!(d.percentile(3.0), Some(50.0));
        assert_eq!(d.percentile(0.5), Some(0.0));
        assert_eq!(d.percentile(9.0), Some(100.0));
        assert_eq!(d.percentile(f64::NAN), None);
        assert!(Distribution::new([f64::NAN]).is_none());
    }

    fn member(tmb: Option<f64>, cyt: f64) -> CohortMember {
        CohortMember {
            headline: Headline {
                tmb,
                ..Headline::default()
            },
            signatures: [("CYT".to_string(), cyt)].into_iter().collect(),
        }
    }

    #[test]
    fn large_cohorts_are_summarised_not_listed() {
        let members: BTreeMap<String, CohortMember> = (0..=MAX_LISTED)
            .map(|i| (format!("S{i:03}"), member(Some(i as f64), 1.0)))
            .collect();
        let c = Cohort::from_members(members);
        assert_eq!(c.n_samples, MAX_LISTED + 1);
        assert!(c.members.is_empty() && !c.listed());
        // 0..=50: the median is 25, and 10 stands above 10 of 51 values plus half of itself.
        assert_eq!(c.tmb.as_ref().unwrap().median(), 25.0);
        let p = c.place(
            &Headline {
                tmb: Some(10.0),
                ..Headline::default()
            },
            &[("CYT".to_string(), 1.0)].into_iter().collect(),
        );
        assert!((p.tmb.unwrap() - 100.0 * 10.5 / 51.0).abs() < 1e-12);
        assert_eq!(p.signatures["CYT"], 50.0);
        assert_eq!(p.msi_score, None);
    }

    #[test]
    fn small_cohorts_list_members_and_skip_missing_values() {
        let members: BTreeMap<String, CohortMember> = [
            ("A".to_string(), member(Some(2.0), 1.0)),
            ("B".to_string(), member(None, 3.0)),
        ]
        .into_iter()
        .collect();
        let c = Cohort::from_members(members);
        assert!(c.listed());
        assert_eq!(c.members.len(), 2);
        assert_eq!(c.tmb.as_ref().unwrap().n, 1);
        assert_eq!(c.signatures["CYT"].n, 2);
        assert!(!c.fingerprint.is_empty());
    }
}
