//! pVACseq's aggregated report: per variant the best peptide (`PvacseqBestCandidate`), the
//! included and passing peptides (`--aggregate-inclusion-binding-threshold` 5000,
//! `--aggregate-inclusion-count-limit` 15), the tier (`PvacseqUpdateTiers.get_tier`), the
//! report's sort, and the metrics.json pVACview reads. With one predictor its score is both the
//! "Median" and the "Best" score; MANE Select is `Not Run`, so pVACseq's transcript criterion
//! passes every transcript (as pVACseq does for VEP runs without `--mane_select`).

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use super::metrics::{transcript_sets, val, Metrics, VariantMetrics};
use super::{mutation_position, start_stop};
use crate::binding::Prediction;
use crate::neoantigen::filters::{self, BindingRule, FilterParams};
use crate::neoantigen::{Candidate, ClassView};
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
pub(super) struct Row<'a> {
    pub(super) e: &'a VariantEntry,
    pub(super) c: &'a Candidate,
    pub(super) allele: &'a str,
    /// Position in all_epitopes.tsv (pandas' stable sort keeps it as the last tie-breaker).
    pub(super) n: usize,
}

impl Row<'_> {
    pub(super) fn mt(&self) -> Option<f64> {
        self.c.mt.map(|p| p.ic50)
    }
    pub(super) fn annotation(&self) -> String {
        format!(
            "{}-{}-{}-{}",
            self.e.transcript, self.e.gene, self.e.amino_acid_change, self.e.protein_position
        )
    }
}

pub(super) fn tsl_sort(tsl: Option<&str>) -> u32 {
    tsl.and_then(|t| t.parse().ok()).unwrap_or(6)
}

/// NaN/NA sorts last whatever the direction, as pandas' `sort_values` does.
pub(super) fn na_last(a: Option<f64>, b: Option<f64>, ascending: bool) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) if ascending => x.total_cmp(&y),
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// `AnchorResiduePass.is_anchor_residue_pass` with the default anchors 1, 2, L-1, L.
pub(super) fn anchor_pass(
    len: usize,
    positions: &[u32],
    wt_ic50: Option<f64>,
    threshold: f64,
) -> bool {
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

/// Builds the aggregated report and metrics from every epitope row of one class.
pub fn aggregate(view: &ClassView, p: &AggregateParams, method: &str) -> Aggregated {
    let alleles = &view.pvacseq_alleles;
    let rows: Vec<Row> = view
        .all
        .iter()
        .enumerate()
        .map(|(n, c)| Row {
            e: &view.entries[c.entry],
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
            BindingRule::Exploratory => "exploratory",
            BindingRule::Conservative => "conservative",
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
