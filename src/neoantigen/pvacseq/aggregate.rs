//! pVACseq's aggregated report: per variant the best peptide (`PvacseqBestCandidate`), the
//! included and passing peptides (`--aggregate-inclusion-binding-threshold` 5000,
//! `--aggregate-inclusion-count-limit` 15), the tier (`PvacseqUpdateTiers.get_tier`), the
//! report's sort, and the metrics.json pVACview reads. With one predictor its score is both the
//! "Median" and the "Best" score; MANE Select is `Not Run`, so pVACseq's transcript criterion
//! passes every transcript (as pVACseq does for VEP runs without `--mane_select`).

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::{mutation_position, start_stop, wt_placeholder};
use crate::binding::Prediction;
use crate::neoantigen::filters::{self, BindingRule, FilterParams};
use crate::neoantigen::{Candidate, NeoantigenResult};
use crate::peptides::{VariantEntry, VariantType};

/// The aggregated report's thresholds (written into metrics.json).
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateParams {
    pub filters: FilterParams,
    pub inclusion_binding_threshold: f64,
    pub inclusion_count_limit: usize,
    pub maximum_transcript_support_level: u32,
}

impl AggregateParams {
    /// Our filter cut-offs with pVACseq's aggregation defaults.
    pub fn from_filters(f: &FilterParams) -> Self {
        Self {
            filters: *f,
            inclusion_binding_threshold: 5000.0,
            inclusion_count_limit: 15,
            maximum_transcript_support_level: 1,
        }
    }

    fn allele_expr_threshold(&self) -> f64 {
        self.filters.min_rna_vaf * self.filters.min_expression * 10.0
    }
}

/// One all_epitopes row seen by the aggregation.
#[derive(Clone, Copy)]
struct Row<'a> {
    e: &'a VariantEntry,
    c: &'a Candidate,
    allele: &'a str,
    /// Position in all_epitopes.tsv (pandas' stable sort keeps it as the last tie-breaker).
    n: usize,
}

impl Row<'_> {
    fn mt(&self) -> Option<f64> {
        self.c.mt.map(|p| p.ic50)
    }
    fn annotation(&self) -> String {
        format!(
            "{}-{}-{}-{}",
            self.e.transcript, self.e.gene, self.e.amino_acid_change, self.e.protein_position
        )
    }
}

fn tsl_sort(tsl: Option<&str>) -> u32 {
    tsl.and_then(|t| t.parse().ok()).unwrap_or(6)
}

/// NaN/NA sorts last whatever the direction, as pandas' `sort_values` does.
fn na_last(a: Option<f64>, b: Option<f64>, ascending: bool) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) if ascending => x.total_cmp(&y),
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// `AnchorResiduePass.is_anchor_residue_pass` with the default anchors 1, 2, L-1, L.
fn anchor_pass(len: usize, positions: &[u32], wt_ic50: Option<f64>, threshold: f64) -> bool {
    if positions.is_empty() || positions.len() > 2 {
        return true;
    }
    let l = len as u32;
    let anchors = [1, 2, l.saturating_sub(1), l];
    if positions.iter().all(|p| anchors.contains(p)) {
        return wt_ic50.is_some_and(|w| w >= threshold);
    }
    true
}

/// `is_preferred_transcript` with MANE Select `Not Run` (always preferred when `mane_select`
/// is in the default strategy `canonical, mane_select, tsl`).
fn preferred_transcript(_e: &VariantEntry) -> bool {
    true
}

/// `PvacseqBestCandidate.get`: protein-coding, preferred transcript and anchor-passing subsets
/// (each dropped when empty), then MT IC50, canonical, TSL, transcript length (unknown to us),
/// transcript expression (high first).
fn best<'a>(rows: &[Row<'a>], p: &AggregateParams) -> Row<'a> {
    let subset = |rows: Vec<Row<'a>>, keep: &dyn Fn(&Row<'a>) -> bool| {
        let s: Vec<Row<'a>> = rows.iter().copied().filter(|r| keep(r)).collect();
        if s.is_empty() {
            rows
        } else {
            s
        }
    };
    let r = subset(rows.to_vec(), &|r| {
        r.e.biotype.as_deref() == Some("protein_coding")
    });
    let r = subset(r, &|r| preferred_transcript(r.e));
    let t = p.filters.binding_threshold;
    let mut r = subset(r, &|r| {
        anchor_pass(
            r.c.epitope.length,
            &r.c.epitope.mutation_positions,
            r.c.wt.map(|w| w.ic50),
            t,
        )
    });
    r.sort_by(|a, b| {
        na_last(a.mt(), b.mt(), true)
            .then_with(|| (!a.e.canonical).cmp(&!b.e.canonical))
            .then_with(|| tsl_sort(a.e.tsl.as_deref()).cmp(&tsl_sort(b.e.tsl.as_deref())))
            .then_with(|| {
                na_last(
                    a.c.values.transcript_expression,
                    b.c.values.transcript_expression,
                    false,
                )
            })
            .then_with(|| a.n.cmp(&b.n))
    });
    r[0]
}

/// `get_included_df`: rows below the inclusion threshold; over the count limit, only the
/// peptides whose best rows sort first (biotype, TSL, anchor, MT IC50, percentile).
fn included<'a>(rows: &[Row<'a>], p: &AggregateParams) -> Vec<Row<'a>> {
    let binding: Vec<Row<'a>> = rows
        .iter()
        .copied()
        .filter(|r| r.mt().is_some_and(|v| v < p.inclusion_binding_threshold))
        .collect();
    let mut peptides: Vec<&str> = Vec::new();
    for r in &binding {
        if !peptides.contains(&r.c.epitope.mt.as_str()) {
            peptides.push(&r.c.epitope.mt);
        }
    }
    if peptides.len() <= p.inclusion_count_limit {
        return binding;
    }
    let t = p.filters.binding_threshold;
    let mut bests: Vec<Row<'a>> = peptides
        .iter()
        .map(|pep| {
            let rs: Vec<Row<'a>> = binding
                .iter()
                .copied()
                .filter(|r| r.c.epitope.mt == *pep)
                .collect();
            best(&rs, p)
        })
        .collect();
    let key = |r: &Row| {
        (
            u8::from(r.e.biotype.as_deref() != Some("protein_coding")),
            tsl_sort(r.e.tsl.as_deref()),
            u8::from(!anchor_pass(
                r.c.epitope.length,
                &r.c.epitope.mutation_positions,
                r.c.wt.map(|w| w.ic50),
                t,
            )),
        )
    };
    bests.sort_by(|a, b| {
        key(a)
            .cmp(&key(b))
            .then_with(|| na_last(a.mt(), b.mt(), true))
            .then_with(|| {
                na_last(
                    a.c.mt.and_then(|x| x.percentile),
                    b.c.mt.and_then(|x| x.percentile),
                    true,
                )
            })
    });
    let top: Vec<&str> = bests
        .iter()
        .take(p.inclusion_count_limit)
        .map(|r| r.c.epitope.mt.as_str())
        .collect();
    binding
        .into_iter()
        .filter(|r| top.contains(&r.c.epitope.mt.as_str()))
        .collect()
}

/// A number or pVACseq's `"NA"`/`"X"` in metrics.json.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Num(f64),
    Text(String),
}

fn val(v: Option<f64>) -> Value {
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
    pub binding_percentile_threshold: f64,
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

/// One line of the aggregated report.
#[derive(Debug, Clone)]
pub struct AggregatedRow {
    pub id: String,
    pub tier: &'static str,
    pub record: Vec<String>,
}

pub struct Aggregated {
    pub header: Vec<String>,
    pub rows: Vec<AggregatedRow>,
    pub metrics: Metrics,
}

/// pVACseq's tier names in its report order.
pub const TIER_ORDER: [&str; 10] = [
    "Pass",
    "PoorBinder",
    "RefMatch",
    "PoorTranscript",
    "LowExpr",
    "Anchor",
    "Subclonal",
    "ProbPos",
    "Poor",
    "NoExpr",
];

/// The facts `PvacseqUpdateTiers.get_tier` reads from an aggregated line.
#[derive(Debug, Clone, Copy)]
pub struct TierInput {
    pub ic50_mt: Option<f64>,
    pub pct_mt: Option<f64>,
    pub positions_all_anchor_fail: bool,
    pub rna_expr: Option<f64>,
    pub rna_vaf: Option<f64>,
    pub rna_depth: Option<u32>,
    pub dna_vaf: Option<f64>,
}

/// `PvacseqUpdateTiers.get_tier` (no reference-match or problematic-position columns, every
/// transcript preferred). Binding follows our `--binding-rule` (`either` is pVACseq's
/// `exploratory`, `both` its `conservative`).
pub fn tier_of(t: &TierInput, p: &AggregateParams, vaf_clonal: f64) -> &'static str {
    let binding = p.filters.binds_prediction(t.ic50_mt.map(|ic50| Prediction {
        ic50,
        percentile: t.pct_mt,
    }));
    let anchor = !t.positions_all_anchor_fail;
    let allele_expr = t.rna_expr.zip(t.rna_vaf).map(|(g, v)| g * v);
    let allele_expr_pass = allele_expr.is_none_or(|a| a > p.allele_expr_threshold());
    let vaf_pass = t.dna_vaf.is_none_or(|v| v >= vaf_clonal / 2.0);
    if binding && allele_expr_pass && vaf_pass && anchor {
        return "Pass";
    }
    if !binding && allele_expr_pass && vaf_pass && anchor {
        return "PoorBinder";
    }
    if binding && allele_expr_pass && vaf_pass && !anchor {
        return "Anchor";
    }
    if binding && allele_expr_pass && !vaf_pass && anchor {
        return "Subclonal";
    }
    let low_expr = match (t.rna_vaf, t.rna_expr, allele_expr) {
        (Some(rv), Some(ge), Some(ae)) => {
            ae > 0.0
                || (ge == 0.0
                    && t.rna_depth
                        .is_some_and(|d| f64::from(d) > f64::from(p.filters.min_rna_depth))
                    && rv > p.filters.min_rna_vaf)
        }
        _ => false,
    };
    if binding && low_expr && vaf_pass && anchor {
        return "LowExpr";
    }
    if (t.rna_expr == Some(0.0) || t.rna_vaf == Some(0.0)) && !low_expr {
        return "NoExpr";
    }
    "Poor"
}

fn f3(v: Option<f64>) -> String {
    v.map_or("NA".into(), |x| format!("{x:.3}"))
}

/// `get_best_aa_change`: `FS{pos}`, else `{wt}{pos}{mt}`.
fn aa_change(e: &VariantEntry) -> String {
    if e.variant_type == VariantType::Frameshift {
        return format!("FS{}", e.protein_position);
    }
    let (w, m) = e.amino_acid_change.split_once('/').unwrap_or(("", ""));
    format!("{w}{}{m}", e.protein_position)
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
fn transcript_sets(
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

/// Builds the aggregated report and metrics from every epitope row in `result.all`.
pub fn aggregate(result: &NeoantigenResult, p: &AggregateParams, method: &str) -> Aggregated {
    let alleles: Vec<String> = result
        .summary
        .params
        .alleles
        .iter()
        .map(ToString::to_string)
        .collect();
    let rows: Vec<Row> = result
        .all
        .iter()
        .enumerate()
        .map(|(n, c)| Row {
            e: &result.entries[c.entry],
            c,
            allele: &alleles[c.allele],
            n,
        })
        .collect();
    let mut hla_types: Vec<String> = Vec::new();
    for r in &rows {
        if !hla_types.iter().any(|a| a == r.allele) {
            hla_types.push(r.allele.to_string());
        }
    }
    let mut hla_sorted = hla_types.clone();
    hla_sorted.sort();
    let mut lengths: Vec<usize> = rows.iter().map(|r| r.c.epitope.length).collect();
    lengths.sort_unstable();
    lengths.dedup();
    let pct_algos: Vec<String> = if rows
        .iter()
        .any(|r| r.c.mt.and_then(|m| m.percentile).is_some())
    {
        vec![method.to_string()]
    } else {
        Vec::new()
    };
    let vaf_clonal = filters::clonal_vaf(
        p.filters.tumor_purity,
        rows.iter().filter_map(|r| r.c.values.dna_vaf),
    );
    // Variants keyed as pVACseq sorts them: chromosome text, then start, stop, ref, alt.
    let mut groups: BTreeMap<(String, u64, u64, String, String), Vec<Row>> = BTreeMap::new();
    for r in &rows {
        let (s, e) = start_stop(r.e);
        groups
            .entry((
                r.e.chrom.clone(),
                s,
                e,
                r.e.reference.clone(),
                r.e.alt.clone(),
            ))
            .or_default()
            .push(*r);
    }
    let t = p.filters.binding_threshold;
    let mut out_rows: Vec<ReportRow> = Vec::new();
    let mut variants = BTreeMap::new();
    for ((chrom, s, e, r_, a_), grp) in &groups {
        let id = format!("{chrom}-{s}-{e}-{r_}-{a_}");
        let b = best(grp, p);
        let mut inc = included(grp, p);
        if !inc.iter().any(|r| r.n == b.n) {
            inc.push(b);
        }
        let good: Vec<Row> = inc
            .iter()
            .copied()
            .filter(|r| r.mt().is_some_and(|v| v < t))
            .collect();
        let uniq = |rs: &[Row]| {
            let mut v: Vec<&str> = rs.iter().map(|r| r.c.epitope.mt.as_str()).collect();
            v.sort_unstable();
            v.dedup();
            v.len()
        };
        let mut annos: Vec<String> = inc.iter().map(Row::annotation).collect();
        annos.sort();
        annos.dedup();
        let v = &b.c.values;
        let allele_expr = v
            .gene_expression
            .zip(v.rna_vaf)
            .map(|(g, r)| (g * r * 1000.0).round() / 1000.0);
        let mut rec = vec![id.clone(), b.e.index()];
        for a in &hla_sorted {
            let mut peps: Vec<&str> = good
                .iter()
                .filter(|r| r.allele == a)
                .map(|r| r.c.epitope.mt.as_str())
                .collect();
            peps.sort_unstable();
            peps.dedup();
            rec.push(if peps.is_empty() {
                String::new()
            } else {
                peps.len().to_string()
            });
        }
        let tin = TierInput {
            ic50_mt: b.mt(),
            pct_mt: b.c.mt.and_then(|m| m.percentile),
            positions_all_anchor_fail: !anchor_pass(
                b.c.epitope.length,
                &b.c.epitope.mutation_positions,
                b.c.wt.map(|w| w.ic50),
                t,
            ),
            rna_expr: v.gene_expression,
            rna_vaf: v.rna_vaf,
            rna_depth: v.rna_depth,
            dna_vaf: v.dna_vaf,
        };
        let tier = tier_of(&tin, p, vaf_clonal);
        rec.extend([
            b.e.gene.clone(),
            aa_change(b.e),
            annos.len().to_string(),
            b.c.epitope.mt.clone(),
            b.e.transcript.clone(),
            "Not Run".into(),
            if b.e.canonical { "True" } else { "False" }.into(),
            b.e.tsl.clone().unwrap_or("NA".into()),
            b.allele.to_string(),
            mutation_position(b.c),
            "None".into(),
            uniq(&inc).to_string(),
            uniq(&good).to_string(),
            f3(b.mt()),
            f3(b.c.wt.map(|w| w.ic50)),
            f3(b.c.mt.and_then(|m| m.percentile)),
            f3(b.c.wt.and_then(|m| m.percentile)),
            f3(b.c.mt.and_then(|m| m.percentile)),
            f3(b.c.wt.and_then(|m| m.percentile)),
            "NA".into(),
            "NA".into(),
            "NA".into(),
            "NA".into(),
            f3(v.gene_expression),
            f3(v.rna_vaf),
            f3(allele_expr),
            f3(v.rna_depth.map(f64::from)),
            f3(v.dna_vaf),
            tier.to_string(),
            "Pending".into(),
        ]);
        let sets = transcript_sets(&inc, &hla_sorted, method, &pct_algos, t);
        variants.insert(
            id.clone(),
            VariantMetrics {
                sets: sets.0.iter().map(|(k, _)| k.clone()).collect(),
                transcript_counts: sets.0.iter().map(|(_, s)| s.transcript_count).collect(),
                peptide_counts: sets.0.iter().map(|(_, s)| s.peptide_count).collect(),
                set_expr: sets.0.iter().map(|(_, s)| s.total_expr).collect(),
                good_binders: sets,
                dna_vaf: val(v.dna_vaf),
                rna_vaf: val(v.rna_vaf),
                gene_expr: val(v.gene_expression),
                best_peptide_mt: b.c.epitope.mt.clone(),
                best_peptide_wt: b.c.epitope.wt.clone().unwrap_or("NA".into()),
                best_hla_allele: b.allele.to_string(),
            },
        );
        let tier_rank = TIER_ORDER
            .iter()
            .position(|x| *x == tier)
            .unwrap_or(TIER_ORDER.len());
        // The report's ranks are taken on the written (3-decimal) values.
        let round = |x: Option<f64>| x.map(|v| (v * 1000.0).round() / 1000.0);
        out_rows.push((
            AggregatedRow {
                id,
                tier,
                record: rec,
            },
            tier_rank,
            round(b.mt()),
            allele_expr,
            b.e.gene.clone(),
            aa_change(b.e),
        ));
    }
    sort_report(&mut out_rows);
    let mut header: Vec<String> = vec!["ID".into(), "Index".into()];
    header.extend(
        hla_sorted
            .iter()
            .map(|a| a.trim_start_matches("HLA-").to_string()),
    );
    header.extend(AGGREGATED_TAIL.iter().map(|s| s.to_string()));
    let f = &p.filters;
    let metrics = Metrics {
        tumor_purity: f.tumor_purity,
        vaf_clonal: (vaf_clonal * 1000.0).round() / 1000.0,
        vaf_subclonal: (vaf_clonal / 2.0 * 1000.0).round() / 1000.0,
        binding_threshold: f.binding_threshold,
        aggregate_inclusion_binding_threshold: p.inclusion_binding_threshold,
        aggregate_inclusion_count_limit: p.inclusion_count_limit,
        trna_vaf: f.min_rna_vaf,
        trna_cov: f.min_rna_depth,
        allele_expr_threshold: p.allele_expr_threshold(),
        transcript_prioritization_strategy: vec![
            "canonical".into(),
            "mane_select".into(),
            "tsl".into(),
        ],
        maximum_transcript_support_level: p.maximum_transcript_support_level,
        binding_percentile_threshold: f.percentile_threshold,
        immunogenicity_percentile_threshold: 2.0,
        presentation_percentile_threshold: 2.0,
        percentile_threshold_strategy: match f.binding_rule {
            BindingRule::Either => "exploratory",
            BindingRule::Both => "conservative",
        }
        .into(),
        use_allele_specific_binding_thresholds: false,
        mt_top_score_metric: "Median".into(),
        wt_top_score_metric: "Median".into(),
        top_score_metric2: vec!["ic50".into(), "combined_percentile".into()],
        allele_specific_binding_thresholds: BTreeMap::new(),
        allele_specific_anchors: false,
        alleles: hla_types,
        anchor_contribution_threshold: 0.8,
        epitope_lengths: lengths,
        variants,
    };
    Aggregated {
        header,
        rows: out_rows.into_iter().map(|r| r.0).collect(),
        metrics,
    }
}

/// Aggregated columns after the allele columns (pVACseq 7 docs and example report).
pub const AGGREGATED_TAIL: [&str; 30] = [
    "Gene",
    "AA Change",
    "Num Passing Transcripts",
    "Best Peptide",
    "Best Transcript",
    "MANE Select",
    "Canonical",
    "TSL",
    "Allele",
    "Pos",
    "Prob Pos",
    "Num Included Peptides",
    "Num Passing Peptides",
    "IC50 MT",
    "IC50 WT",
    "%ile MT",
    "%ile WT",
    "IC50 %ile MT",
    "IC50 %ile WT",
    "IM %ile MT",
    "IM %ile WT",
    "Pres %ile MT",
    "Pres %ile WT",
    "RNA Expr",
    "RNA VAF",
    "Allele Expr",
    "RNA Depth",
    "DNA VAF",
    "Tier",
    "Evaluation",
];

type ReportRow = (
    AggregatedRow,
    usize,
    Option<f64>,
    Option<f64>,
    String,
    String,
);

/// `sort_table`: tier, then dense rank of IC50 MT (low first) + dense rank of allele expression
/// (high first, NA last), then gene and AA change; stable otherwise.
fn sort_report(rows: &mut [ReportRow]) {
    let dense = |vals: Vec<Option<f64>>, desc: bool| -> Vec<Option<f64>> {
        let mut d: Vec<f64> = vals.iter().flatten().copied().collect();
        d.sort_by(|a, b| if desc { b.total_cmp(a) } else { a.total_cmp(b) });
        d.dedup();
        vals.iter()
            .map(|v| {
                v.as_ref()
                    .map(|x| d.iter().position(|y| y == x).unwrap_or(0) as f64 + 1.0)
            })
            .collect()
    };
    let bind = dense(rows.iter().map(|r| r.2).collect(), false);
    let expr_vals: Vec<Option<f64>> = rows.iter().map(|r| r.3).collect();
    let n_expr = {
        let mut d: Vec<f64> = expr_vals.iter().flatten().copied().collect();
        d.sort_by(f64::total_cmp);
        d.dedup();
        d.len() as f64
    };
    // na_option="bottom": NA ranks after every value.
    let expr: Vec<f64> = dense(expr_vals, true)
        .into_iter()
        .map(|v| v.unwrap_or(n_expr + 1.0))
        .collect();
    let rank: HashMap<String, Option<f64>> = rows
        .iter()
        .zip(bind.iter().zip(&expr))
        .map(|(r, (b, e))| (r.0.id.clone(), b.map(|b| b + e)))
        .collect();
    rows.sort_by(|a, b| {
        a.1.cmp(&b.1)
            .then_with(|| na_last(rank[&a.0.id], rank[&b.0.id], true))
            .then_with(|| a.4.cmp(&b.4))
            .then_with(|| a.5.cmp(&b.5))
    });
}
