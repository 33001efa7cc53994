//! Candidate filters (pVACseq's binding and coverage filters, each counted), tiers (pVACseq's
//! aggregate-report tiers) and the ranking of `PREFIX.neoantigens.tsv`.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::Candidate;
use crate::binding::Prediction;
use crate::peptides::SampleValues;

/// How the IC50 and percentile cut-offs combine (pVACseq's `--percentile-threshold-strategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum BindingRule {
    /// Binds when the IC50 and the percentile both pass (pVACseq's default).
    #[default]
    #[value(alias = "both")]
    Conservative,
    /// Binds when either passes (this project's former default, `--binding-rule either`).
    #[value(alias = "either")]
    Exploratory,
}

/// Filter cut-offs; a missing value (`NA`) passes, as in pVACseq.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FilterParams {
    /// MT IC50 at or below this (nM) passes the filter; the Pass tier needs it strictly below.
    pub binding_threshold: f64,
    /// MT percentile at or below this passes the filter (strictly below for the Pass tier);
    /// `None`: no percentile criterion.
    pub percentile_threshold: Option<f64>,
    #[serde(rename = "percentile_threshold_strategy")]
    pub binding_rule: BindingRule,
    pub min_dna_depth: u32,
    pub min_dna_vaf: f64,
    pub min_rna_depth: u32,
    pub min_rna_vaf: f64,
    /// Gene and transcript expression at least this (TPM).
    pub min_expression: f64,
    /// Tumour purity for the clonal VAF (else estimated from the VAFs, as pVACseq does).
    pub tumor_purity: Option<f64>,
}

impl Default for FilterParams {
    /// pVACseq 7's defaults (`pvacseq run`: `-b 500 --binding-percentile-threshold 2
    /// --percentile-threshold-strategy conservative`, coverage and expression cut-offs).
    fn default() -> Self {
        Self {
            binding_threshold: 500.0,
            percentile_threshold: Some(2.0),
            binding_rule: BindingRule::Conservative,
            min_dna_depth: 10,
            min_dna_vaf: 0.25,
            min_rna_depth: 10,
            min_rna_vaf: 0.25,
            min_expression: 1.0,
            tumor_purity: None,
        }
    }
}

/// Filters in the order they are applied; a candidate is counted under the first that removes it.
pub const FILTER_NAMES: [&str; 7] = [
    "binding",
    "dna_depth",
    "dna_vaf",
    "rna_depth",
    "rna_vaf",
    "gene_expression",
    "transcript_expression",
];

fn at_least<T: PartialOrd>(v: Option<T>, min: T) -> bool {
    v.is_none_or(|x| x >= min)
}

impl FilterParams {
    /// Whether the MT epitope binds by the cut-offs.
    pub fn binds(&self, c: &Candidate) -> bool {
        self.binds_prediction(c.mt)
    }

    /// [`FilterParams::binds`] for a bare MT prediction: pVACseq 7's `BindingFilter`. Each
    /// criterion fails only on a value above its cut-off (a missing value never fails);
    /// conservative keeps a candidate that fails none, exploratory one that does not fail all.
    pub fn binds_prediction(&self, mt: Option<Prediction>) -> bool {
        let ic50_fails = mt.is_some_and(|p| p.ic50 > self.binding_threshold);
        let Some(pt) = self.percentile_threshold else {
            return !ic50_fails;
        };
        let pct_fails = mt.and_then(|p| p.percentile).is_some_and(|v| v > pt);
        match self.binding_rule {
            BindingRule::Conservative => !(ic50_fails || pct_fails),
            BindingRule::Exploratory => !(ic50_fails && pct_fails),
        }
    }

    /// Whether the MT epitope binds for the tiers: pVACseq 7's `get_tier`, where a value must be
    /// strictly below its cut-off and only the values present count (conservative: all of them
    /// pass, so none present passes; exploratory: any of them passes, so none present fails).
    pub fn binds_for_tier(&self, mt: Option<Prediction>) -> bool {
        let mut present = Vec::with_capacity(2);
        if let Some(p) = mt {
            present.push(p.ic50 < self.binding_threshold);
            if let (Some(v), Some(t)) = (p.percentile, self.percentile_threshold) {
                present.push(v < t);
            }
        }
        match self.binding_rule {
            BindingRule::Conservative => present.iter().all(|&ok| ok),
            BindingRule::Exploratory => present.iter().any(|&ok| ok),
        }
    }

    /// Index into [`FILTER_NAMES`] of the first filter the candidate fails.
    pub fn first_failure(&self, c: &Candidate) -> Option<usize> {
        self.first_failure_of(c.mt, &c.values)
    }

    /// [`FilterParams::first_failure`] from the MT prediction and the variant's values.
    pub fn first_failure_of(&self, mt: Option<Prediction>, v: &SampleValues) -> Option<usize> {
        let checks = [
            self.binds_prediction(mt),
            at_least(v.dna_depth, self.min_dna_depth),
            at_least(v.dna_vaf, self.min_dna_vaf),
            at_least(v.rna_depth, self.min_rna_depth),
            at_least(v.rna_vaf, self.min_rna_vaf),
            at_least(v.gene_expression, self.min_expression),
            at_least(v.transcript_expression, self.min_expression),
        ];
        checks.iter().position(|ok| !ok)
    }
}

/// pVACseq's tiers, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Tier {
    Pass,
    PoorBinder,
    LowExpr,
    Anchor,
    Subclonal,
    Poor,
    NoExpr,
}

impl Tier {
    pub const ALL: [Tier; 7] = [
        Tier::Pass,
        Tier::PoorBinder,
        Tier::LowExpr,
        Tier::Anchor,
        Tier::Subclonal,
        Tier::Poor,
        Tier::NoExpr,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Pass => "Pass",
            Tier::PoorBinder => "PoorBinder",
            Tier::LowExpr => "LowExpr",
            Tier::Anchor => "Anchor",
            Tier::Subclonal => "Subclonal",
            Tier::Poor => "Poor",
            Tier::NoExpr => "NoExpr",
        }
    }
}

/// pVACseq's clonal VAF estimate: the tumour purity / 2 when given, else the largest DNA VAF
/// below 0.6 (capped at 0.5), else 0.6. Variants below half of it are subclonal.
pub fn clonal_vaf(purity: Option<f64>, vafs: impl IntoIterator<Item = f64>) -> f64 {
    if let Some(p) = purity {
        return p * 0.5;
    }
    vafs.into_iter()
        .filter(|v| *v < 0.6)
        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |x| x.max(v))))
        .map_or(0.6, |v| v.min(0.5))
}

/// pVACseq's `get_tier` (anchors at positions 1, 2, L-1, L; no transcript, reference-match or
/// problematic-position criteria).
pub fn tier(f: &FilterParams, c: &Candidate, vaf_clonal: f64) -> Tier {
    let binding_pass = f.binds_for_tier(c.mt);
    let len = c.epitope.length as u32;
    let anchors = [1, 2, len.saturating_sub(1), len];
    let positions = &c.epitope.mutation_positions;
    let anchor_pass = if positions.is_empty()
        || positions.len() > 2
        || !positions.iter().all(|p| anchors.contains(p))
    {
        true
    } else {
        // The change only touches anchors: a concern only when the WT epitope binds too.
        c.wt.is_some_and(|w| w.ic50 >= f.binding_threshold)
    };
    let v = &c.values;
    let allele_expr_threshold = f.min_rna_vaf * f.min_expression * 10.0;
    let allele_expr_pass = c
        .allele_expression
        .is_none_or(|a| a > allele_expr_threshold);
    let vaf_clonal_pass = v.dna_vaf.is_none_or(|x| x >= vaf_clonal / 2.0);
    let others = |a: bool, b: bool, c_: bool| a && b && c_;
    if binding_pass && others(allele_expr_pass, vaf_clonal_pass, anchor_pass) {
        return Tier::Pass;
    }
    if !binding_pass && others(allele_expr_pass, vaf_clonal_pass, anchor_pass) {
        return Tier::PoorBinder;
    }
    if binding_pass && allele_expr_pass && vaf_clonal_pass && !anchor_pass {
        return Tier::Anchor;
    }
    if binding_pass && allele_expr_pass && !vaf_clonal_pass && anchor_pass {
        return Tier::Subclonal;
    }
    let low_expr = match (
        v.rna_vaf,
        v.gene_expression,
        v.rna_depth,
        c.allele_expression,
    ) {
        (Some(rv), Some(ge), Some(rd), Some(ae)) => {
            ae > 0.0 || (ge == 0.0 && rd > f.min_rna_depth && rv > f.min_rna_vaf)
        }
        _ => false,
    };
    if binding_pass && low_expr && vaf_clonal_pass && anchor_pass {
        return Tier::LowExpr;
    }
    if (v.gene_expression == Some(0.0) || v.rna_vaf == Some(0.0)) && !low_expr {
        return Tier::NoExpr;
    }
    Tier::Poor
}

fn asc_na_last(a: Option<f64>, b: Option<f64>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Ranking of passing candidates: tier, MT IC50 (low first), MT percentile (low first),
/// agretopicity (high first), allele expression (high first), DNA VAF (high first), then
/// position, transcript, allele, length and epitope so ties are ordered the same every run.
pub fn rank_order(a: &(Tier, &Candidate), b: &(Tier, &Candidate)) -> Ordering {
    let (ta, ca) = a;
    let (tb, cb) = b;
    ta.cmp(tb)
        .then_with(|| asc_na_last(ca.mt.map(|p| p.ic50), cb.mt.map(|p| p.ic50)))
        .then_with(|| {
            asc_na_last(
                ca.mt.and_then(|p| p.percentile),
                cb.mt.and_then(|p| p.percentile),
            )
        })
        .then_with(|| asc_na_last(cb.agretopicity, ca.agretopicity))
        .then_with(|| asc_na_last(cb.allele_expression, ca.allele_expression))
        .then_with(|| asc_na_last(cb.values.dna_vaf, ca.values.dna_vaf))
        .then_with(|| ca.order.cmp(&cb.order))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::neoantigen::epitopes::Epitope;

    fn cand(
        ic50: f64,
        pct: Option<f64>,
        values: SampleValues,
        positions: Vec<u32>,
        wt_ic50: Option<f64>,
    ) -> Candidate {
        Candidate {
            entry: 0,
            allele: 0,
            epitope: Epitope {
                length: 9,
                start: 1,
                mt: "AAAAAAAAA".into(),
                wt: Some("AAAAAAAAC".into()),
                mutation_positions: positions,
            },
            mt: Some(Prediction {
                ic50,
                percentile: pct,
            }),
            wt: wt_ic50.map(|ic50| Prediction {
                ic50,
                percentile: None,
            }),
            agretopicity: None,
            allele_expression: values
                .gene_expression
                .zip(values.rna_vaf)
                .map(|(g, r)| g * r),
            values,
            core: None,
            order: 0,
        }
    }

    #[test]
    fn binding_rules_and_filter_order() {
        let f = FilterParams::default();
        let v = SampleValues {
            dna_depth: Some(30),
            dna_vaf: Some(0.4),
            ..Default::default()
        };
        // pVACseq 7 defaults: IC50 ≤ 500 and percentile ≤ 2 (conservative); NA never fails.
        assert!(f.binds(&cand(500.0, Some(2.0), v, vec![5], None)));
        assert!(!f.binds(&cand(499.0, Some(10.0), v, vec![5], None)));
        assert!(!f.binds(&cand(1706.0, Some(1.5), v, vec![5], None)));
        assert!(f.binds(&cand(499.0, None, v, vec![5], None)));
        assert!(!f.binds(&cand(501.0, None, v, vec![5], None)));
        // No percentile criterion: the IC50 alone decides, whatever the strategy.
        let ic50_only = FilterParams {
            percentile_threshold: None,
            ..f
        };
        assert!(ic50_only.binds(&cand(499.0, Some(10.0), v, vec![5], None)));
        assert!(!ic50_only.binds(&cand(2654.0, Some(0.1), v, vec![5], None)));
        // Exploratory (the former `either`): one passing criterion is enough.
        let either = FilterParams {
            binding_rule: BindingRule::Exploratory,
            ..f
        };
        assert!(either.binds(&cand(5000.0, Some(1.5), v, vec![5], None)));
        assert!(either.binds(&cand(499.0, Some(10.0), v, vec![5], None)));
        assert!(!either.binds(&cand(501.0, Some(2.5), v, vec![5], None)));
        // A missing percentile does not fail, so exploratory keeps it (pVACseq's rule).
        assert!(either.binds(&cand(5000.0, None, v, vec![5], None)));
        // Tiers: strictly below the cut-offs, present values only.
        assert!(!f.binds_for_tier(Some(Prediction {
            ic50: 500.0,
            percentile: Some(1.0)
        })));
        assert!(f.binds_for_tier(Some(Prediction {
            ic50: 499.0,
            percentile: None
        })));
        assert!(f.binds_for_tier(None));
        assert!(!either.binds_for_tier(None));
        assert!(either.binds_for_tier(Some(Prediction {
            ic50: 5000.0,
            percentile: Some(1.9)
        })));
        let low = SampleValues {
            dna_depth: Some(30),
            dna_vaf: Some(0.1),
            ..Default::default()
        };
        assert_eq!(
            f.first_failure(&cand(50.0, None, low, vec![5], None)),
            Some(2)
        );
        assert_eq!(f.first_failure(&cand(50.0, None, v, vec![5], None)), None);
    }

    #[test]
    fn tiers_follow_pvacseq() {
        let f = FilterParams::default();
        let good = SampleValues {
            dna_vaf: Some(0.4),
            rna_vaf: Some(0.5),
            rna_depth: Some(40),
            gene_expression: Some(20.0),
            ..Default::default()
        };
        assert_eq!(
            tier(&f, &cand(50.0, None, good, vec![5], None), 0.4),
            Tier::Pass
        );
        // Change only at anchor position 2 and the WT binds as well.
        assert_eq!(
            tier(&f, &cand(50.0, None, good, vec![2], Some(100.0)), 0.4),
            Tier::Anchor
        );
        assert_eq!(
            tier(&f, &cand(50.0, None, good, vec![2], Some(5000.0)), 0.4),
            Tier::Pass
        );
        let sub = SampleValues {
            dna_vaf: Some(0.1),
            ..good
        };
        assert_eq!(
            tier(&f, &cand(50.0, None, sub, vec![5], None), 0.4),
            Tier::Subclonal
        );
        // Allele expression 0.5 × 2 = 1 ≤ 2.5 but above 0: LowExpr.
        let low = SampleValues {
            gene_expression: Some(2.0),
            ..good
        };
        assert_eq!(
            tier(&f, &cand(50.0, None, low, vec![5], None), 0.4),
            Tier::LowExpr
        );
        let none = SampleValues {
            gene_expression: Some(0.0),
            rna_vaf: Some(0.0),
            ..good
        };
        assert_eq!(
            tier(&f, &cand(50.0, None, none, vec![5], None), 0.4),
            Tier::NoExpr
        );
        assert_eq!(clonal_vaf(None, [0.7, 0.3, 0.45]), 0.45);
        assert_eq!(clonal_vaf(None, [0.55]), 0.5);
        assert_eq!(clonal_vaf(None, []), 0.6);
        assert_eq!(clonal_vaf(Some(0.8), [0.1]), 0.4);
    }
}
