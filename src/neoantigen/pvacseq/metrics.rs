//! metrics.json (pVACseq 7.1.5's `get_included_df_metrics` and `get_metrics`): the run's
//! settings, then per variant its transcript sets and their included peptides for pVACview.

use std::collections::BTreeMap;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::aggregate::{anchor_pass, na_last, tsl_sort, Row};
use super::{mutation_position, wt_placeholder};

/// A number or pVACseq's `"NA"`/`"X"` in metrics.json.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Num(f64),
    Text(String),
}

pub(super) fn val(v: Option<f64>) -> Value {
    v.map_or(Value::Text("NA".into()), Value::Num)
}

/// A map whose keys keep their insertion order (pVACview reads keys in order).
#[derive(Debug, Clone, PartialEq)]
pub struct Ordered<V>(pub Vec<(String, V)>);

impl<V> Default for Ordered<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<V: Serialize> Serialize for Ordered<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Calls {
    pub algorithms: Vec<String>,
    #[serde(rename = "MT")]
    pub mt: Ordered<Vec<Value>>,
    #[serde(rename = "WT")]
    pub wt: Ordered<Vec<Value>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeptideMetrics {
    #[serde(rename = "ic50s_MT")]
    pub ic50s_mt: Vec<Value>,
    /// pVACseq 7's combined percentile; with only a binding percentile it is that one.
    #[serde(rename = "combined_percentiles_MT")]
    pub combined_percentiles_mt: Vec<Value>,
    #[serde(rename = "binding_percentiles_MT")]
    pub binding_percentiles_mt: Vec<Value>,
    #[serde(rename = "presentation_percentiles_MT")]
    pub presentation_percentiles_mt: Vec<Value>,
    #[serde(rename = "immunogenicity_percentiles_MT")]
    pub immunogenicity_percentiles_mt: Vec<Value>,
    #[serde(rename = "ic50s_WT")]
    pub ic50s_wt: Vec<Value>,
    #[serde(rename = "combined_percentiles_WT")]
    pub combined_percentiles_wt: Vec<Value>,
    #[serde(rename = "binding_percentiles_WT")]
    pub binding_percentiles_wt: Vec<Value>,
    #[serde(rename = "presentation_percentiles_WT")]
    pub presentation_percentiles_wt: Vec<Value>,
    #[serde(rename = "immunogenicity_percentiles_WT")]
    pub immunogenicity_percentiles_wt: Vec<Value>,
    pub hla_types: Vec<String>,
    pub mutation_position: String,
    pub problematic_positions: String,
    pub anchor_fails: String,
    pub individual_ic50_calls: Calls,
    pub individual_binding_score_calls: Calls,
    pub individual_binding_percentile_calls: Calls,
    pub individual_immunogenicity_calls: Calls,
    pub individual_immunogenicity_percentile_calls: Calls,
    pub individual_presentation_calls: Calls,
    pub individual_presentation_percentile_calls: Calls,
    pub wt_peptide: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TranscriptSet {
    pub peptides: Ordered<PeptideMetrics>,
    pub transcripts: Vec<String>,
    pub transcript_expr: Vec<Value>,
    pub mane_select: Vec<String>,
    pub canonical: Vec<bool>,
    pub tsl: Vec<Value>,
    pub biotype: Vec<String>,
    pub transcript_cds_flags: Vec<String>,
    pub transcript_length: Vec<Value>,
    pub transcript_count: usize,
    pub peptide_count: usize,
    pub total_expr: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct VariantMetrics {
    pub good_binders: Ordered<TranscriptSet>,
    pub sets: Vec<String>,
    pub transcript_counts: Vec<usize>,
    pub peptide_counts: Vec<usize>,
    pub set_expr: Vec<f64>,
    #[serde(rename = "DNA VAF")]
    pub dna_vaf: Value,
    #[serde(rename = "RNA VAF")]
    pub rna_vaf: Value,
    pub gene_expr: Value,
    pub best_peptide_mt: String,
    pub best_peptide_wt: String,
    pub best_hla_allele: String,
}

/// metrics.json: the run's settings in pVACseq's key order (pVACview takes the first 21 keys
/// as the tiering settings), then one entry per variant ID.
#[derive(Debug, Clone, Serialize)]
pub struct Metrics {
    pub tumor_purity: Option<f64>,
    pub vaf_clonal: f64,
    pub vaf_subclonal: f64,
    pub binding_threshold: f64,
    pub aggregate_inclusion_binding_threshold: f64,
    pub aggregate_inclusion_count_limit: usize,
    pub trna_vaf: f64,
    pub trna_cov: u32,
    pub allele_expr_threshold: f64,
    pub transcript_prioritization_strategy: Vec<String>,
    pub maximum_transcript_support_level: u32,
    /// `null` with `--no-percentile-threshold`.
    pub binding_percentile_threshold: Option<f64>,
    pub immunogenicity_percentile_threshold: f64,
    pub presentation_percentile_threshold: f64,
    pub percentile_threshold_strategy: String,
    pub use_allele_specific_binding_thresholds: bool,
    pub mt_top_score_metric: String,
    pub wt_top_score_metric: String,
    pub top_score_metric2: Vec<String>,
    pub allele_specific_binding_thresholds: BTreeMap<String, f64>,
    pub allele_specific_anchors: bool,
    pub alleles: Vec<String>,
    pub anchor_contribution_threshold: f64,
    pub epitope_lengths: Vec<usize>,
    #[serde(flatten)]
    pub variants: BTreeMap<String, VariantMetrics>,
}

fn peptide_metrics(
    rows: &[Row],
    hla_sorted: &[String],
    method: &str,
    pct_algos: &[String],
    t: f64,
) -> PeptideMetrics {
    let first = rows[0];
    let per_allele = |f: &dyn Fn(&Row) -> Option<f64>| -> Vec<Value> {
        hla_sorted
            .iter()
            .map(|a| match rows.iter().rev().find(|r| r.allele == a) {
                Some(r) => val(f(r)),
                None => Value::Text("X".into()),
            })
            .collect()
    };
    let calls = |algos: Vec<String>, f: &dyn Fn(&Row, bool) -> Vec<Value>| {
        let mut mt = Ordered::default();
        let mut wt = Ordered::default();
        for r in rows {
            mt.0.retain(|(k, _): &(String, Vec<Value>)| k != r.allele);
            wt.0.retain(|(k, _): &(String, Vec<Value>)| k != r.allele);
            mt.0.push((r.allele.to_string(), f(r, true)));
            wt.0.push((r.allele.to_string(), f(r, false)));
        }
        Calls {
            algorithms: algos,
            mt,
            wt,
        }
    };
    let pred = |r: &Row, m: bool| if m { r.c.mt } else { r.c.wt };
    let has_pct = !pct_algos.is_empty();
    let mut fails: Vec<&str> = Vec::new();
    for r in rows {
        if !anchor_pass(
            r.c.epitope.length,
            &r.c.epitope.mutation_positions,
            r.c.wt.map(|w| w.ic50),
            t,
        ) {
            fails.push(r.allele);
        }
    }
    PeptideMetrics {
        ic50s_mt: per_allele(&|r| r.c.mt.map(|p| p.ic50)),
        combined_percentiles_mt: per_allele(&|r| r.c.mt.and_then(|p| p.percentile)),
        binding_percentiles_mt: per_allele(&|r| r.c.mt.and_then(|p| p.percentile)),
        presentation_percentiles_mt: per_allele(&|_| None),
        immunogenicity_percentiles_mt: per_allele(&|_| None),
        ic50s_wt: per_allele(&|r| r.c.wt.map(|p| p.ic50)),
        combined_percentiles_wt: per_allele(&|r| r.c.wt.and_then(|p| p.percentile)),
        binding_percentiles_wt: per_allele(&|r| r.c.wt.and_then(|p| p.percentile)),
        presentation_percentiles_wt: per_allele(&|_| None),
        immunogenicity_percentiles_wt: per_allele(&|_| None),
        hla_types: hla_sorted.to_vec(),
        mutation_position: mutation_position(first.c),
        problematic_positions: "None".into(),
        anchor_fails: if fails.is_empty() {
            "None".into()
        } else {
            fails.join(", ")
        },
        individual_ic50_calls: calls(vec![method.into()], &|r, m| {
            vec![val(pred(r, m).map(|p| p.ic50))]
        }),
        individual_binding_score_calls: calls(Vec::new(), &|_, _| Vec::new()),
        individual_immunogenicity_calls: calls(Vec::new(), &|_, _| Vec::new()),
        individual_immunogenicity_percentile_calls: calls(Vec::new(), &|_, _| Vec::new()),
        individual_presentation_calls: calls(Vec::new(), &|_, _| Vec::new()),
        individual_presentation_percentile_calls: calls(Vec::new(), &|_, _| Vec::new()),
        individual_binding_percentile_calls: calls(pct_algos.to_vec(), &|r, m| {
            if has_pct {
                vec![val(pred(r, m).and_then(|p| p.percentile))]
            } else {
                Vec::new()
            }
        }),
        wt_peptide: first
            .c
            .epitope
            .wt
            .clone()
            .unwrap_or_else(|| wt_placeholder(first.e.variant_type).into()),
    }
}

/// `get_included_df_metrics`: transcripts grouped into sets by their included peptides.
pub(super) fn transcript_sets(
    inc: &[Row],
    hla_sorted: &[String],
    method: &str,
    pct_algos: &[String],
    t: f64,
) -> Ordered<TranscriptSet> {
    let mut annotations: Vec<(String, Vec<Row>)> = Vec::new();
    for r in inc {
        let a = r.annotation();
        match annotations.iter_mut().find(|(k, _)| *k == a) {
            Some((_, v)) => v.push(*r),
            None => annotations.push((a, vec![*r])),
        }
    }
    let mut sets: Vec<(Vec<String>, Vec<usize>)> = Vec::new();
    for (i, (_, rows)) in annotations.iter().enumerate() {
        let mut peps: Vec<String> = Vec::new();
        for r in rows {
            if !peps.contains(&r.c.epitope.mt) {
                peps.push(r.c.epitope.mt.clone());
            }
        }
        match sets.iter_mut().find(|(p, _)| *p == peps) {
            Some((_, v)) => v.push(i),
            None => sets.push((peps, vec![i])),
        }
    }
    let mut out = Ordered::default();
    for (n, (peps, members)) in sets.iter().enumerate() {
        let rows = &annotations[members[0]].1;
        let mut peptides: Vec<(String, PeptideMetrics, (u8, f64))> = peps
            .iter()
            .map(|pep| {
                let pr: Vec<Row> = rows
                    .iter()
                    .copied()
                    .filter(|r| r.c.epitope.mt == *pep)
                    .collect();
                let m = peptide_metrics(&pr, hla_sorted, method, pct_algos, t);
                let best = m
                    .ic50s_mt
                    .iter()
                    .filter_map(|v| {
                        if let Value::Num(x) = v {
                            Some(*x)
                        } else {
                            None
                        }
                    })
                    .fold(f64::INFINITY, f64::min);
                let key = (u8::from(m.anchor_fails != "None"), best);
                (pep.clone(), m, key)
            })
            .collect();
        peptides.sort_by(|a, b| a.2 .0.cmp(&b.2 .0).then_with(|| a.2 .1.total_cmp(&b.2 .1)));
        // sort_transcripts: biotype, MANE (Not Run), canonical, TSL, length (unknown), expression.
        let mut tx: Vec<Row> = members.iter().map(|&i| annotations[i].1[0]).collect();
        tx.sort_by(|a, b| {
            u8::from(a.e.biotype.as_deref() != Some("protein_coding"))
                .cmp(&u8::from(b.e.biotype.as_deref() != Some("protein_coding")))
                .then_with(|| (!a.e.canonical).cmp(&!b.e.canonical))
                .then_with(|| tsl_sort(a.e.tsl.as_deref()).cmp(&tsl_sort(b.e.tsl.as_deref())))
                .then_with(|| {
                    na_last(
                        a.c.values.transcript_expression,
                        b.c.values.transcript_expression,
                        false,
                    )
                })
        });
        let expr: Vec<Value> = tx
            .iter()
            .map(|r| val(r.c.values.transcript_expression))
            .collect();
        out.0.push((
            format!("Transcript Set {}", n + 1),
            TranscriptSet {
                peptides: Ordered(peptides.into_iter().map(|(k, m, _)| (k, m)).collect()),
                transcripts: tx.iter().map(Row::annotation).collect(),
                total_expr: tx
                    .iter()
                    .filter_map(|r| r.c.values.transcript_expression)
                    .sum(),
                transcript_expr: expr,
                mane_select: vec!["Not Run".into(); tx.len()],
                canonical: tx.iter().map(|r| r.e.canonical).collect(),
                tsl: tx
                    .iter()
                    .map(
                        |r| match r.e.tsl.as_deref().map(|t| (t, t.parse::<f64>())) {
                            Some((_, Ok(x))) => Value::Num(x),
                            Some((t, Err(_))) => Value::Text(t.into()),
                            None => Value::Text("NA".into()),
                        },
                    )
                    .collect(),
                biotype: tx
                    .iter()
                    .map(|r| r.e.biotype.clone().unwrap_or("NA".into()))
                    .collect(),
                transcript_cds_flags: vec!["None".into(); tx.len()],
                transcript_length: vec![Value::Text("NA".into()); tx.len()],
                transcript_count: members.len(),
                peptide_count: peps.len(),
            },
        ));
    }
    out
}
