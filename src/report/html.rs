//! The self-contained HTML page: inline CSS and SVG, one inline script (table sorting, allowed
//! by its hash in the page's Content-Security-Policy), no network. Every string that comes from
//! an input file goes through [`esc`].

use std::fmt::Write;

use super::tables::Table;
use super::{svg, Report, SampleData};
use crate::io::output::{fmt_num, fmt_opt};

/// Escapes text for HTML element content and quoted attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;color:#222;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:18px 32px}
header h1{margin:0;font-size:24px}header p{margin:4px 0 0;color:#cfd8e3;font-size:13px}
main{padding:16px 32px;max-width:1240px}
section{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:14px 18px;margin:14px 0}
h2{font-size:18px;margin:0 0 10px;color:#1f3a5f}h3{font-size:15px;margin:12px 0 6px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{flex:1 1 200px;border:1px solid #dde1e6;border-radius:6px;padding:10px 14px;background:#fbfcfd}
.card .k{font-size:12px;text-transform:uppercase;color:#667;letter-spacing:.04em}
.card .v{font-size:26px;font-weight:600;margin:4px 0}.card .d{font-size:12px;color:#555}
.card.notrun .v{color:#999;font-size:18px;font-weight:400}
.pill{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}
.pos{background:#fde2e0;color:#a93226}.neg{background:#e3f1e6;color:#1e6b35}.unk{background:#eee;color:#555}
.plots{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
svg.plot{border:1px solid #eef0f3;max-width:100%;height:auto}
svg .ptitle{font-size:13px;font-weight:600;fill:#1f3a5f}svg .tick{font-size:11px;fill:#444}
svg .alabel{font-size:12px;fill:#333}svg .note{font-size:13px;fill:#999}
svg .axis{stroke:#888;stroke-width:1}svg .refline{stroke:#c0392b;stroke-width:1.2;stroke-dasharray:5 4}
svg .reflabel{font-size:11px;fill:#c0392b}svg .diag{stroke:#aaa;stroke-width:1;stroke-dasharray:2 3}
svg .whisker{stroke:#222;stroke-width:1.5}
table{border-collapse:collapse;font-size:12.5px;width:100%}
th,td{border-bottom:1px solid #e5e8eb;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f3f6;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
pre{background:#f6f8fa;padding:8px;overflow:auto;font-size:12px;margin:4px 0}
.notrun-list span{display:inline-block;margin:2px 6px 2px 0;padding:2px 8px;border-radius:10px;background:#eee;color:#666;font-size:12px}
div.wide{overflow-x:auto;max-width:100%}
td.wrap{overflow-wrap:anywhere;word-break:break-word}
pre{white-space:pre-wrap;overflow-wrap:anywhere}
table.sortable th{cursor:pointer;white-space:nowrap}
table.sortable th[aria-sort=ascending]::after{content:" \25B2";font-size:9px}
table.sortable th[aria-sort=descending]::after{content:" \25BC";font-size:9px}
details.stage{border-top:1px solid #e5e8eb;padding:6px 0}
details.stage>summary{cursor:pointer;font-weight:600;font-size:15px}
@media (max-width:640px){header{padding:14px 16px}main{padding:8px 10px}section{padding:10px 10px}.card{flex-basis:100%}}
footer{color:#888;font-size:12px;padding:8px 32px 24px}
"#;

fn card(out: &mut String, key: &str, value: Option<String>, detail: &str, stage: &str) {
    match value {
        Some(v) => {
            let _ = write!(
                out,
                r#"<div class="card"><div class="k">{}</div><div class="v">{v}</div><div class="d">{detail}</div></div>"#,
                esc(key)
            );
        }
        None => {
            let _ = write!(
                out,
                r#"<div class="card notrun"><div class="k">{}</div><div class="v">not run</div><div class="d">stage <code>{}</code> has no output for this sample</div></div>"#,
                esc(key),
                esc(stage)
            );
        }
    }
}

fn stage_ran(report: &Report, stage: &str) -> bool {
    report.stages.get(stage).is_some_and(|s| s.status == "ok")
}

fn headline(out: &mut String, report: &Report) {
    let h = &report.headline;
    out.push_str(r#"<section id="headline"><h2>Headline biomarkers</h2><div class="cards">"#);
    let tmb = stage_ran(report, "tmb").then(|| {
        h.tmb
            .map_or_else(|| "NA".to_string(), |t| format!("{} /Mb", fmt_num(t, 2)))
    });
    let threshold = h.tmb_threshold.unwrap_or(10.0);
    let tmb_detail = match (h.tmb_ci95, h.tmb_high) {
        (Some([lo, hi]), Some(high)) => format!(
            "95% CI {}–{} /Mb; {}{} (cut-off {} /Mb)",
            fmt_num(lo, 2),
            fmt_num(hi, 2),
            if high {
                r#"<span class="pill pos">TMB-high</span>"#
            } else {
                r#"<span class="pill neg">TMB-low</span>"#
            },
            // The interval crosses the cut-off: the call could go either way.
            if lo < threshold && threshold <= hi {
                r#" <span class="pill unk">borderline</span>"#
            } else {
                ""
            },
            fmt_num(threshold, 2)
        ),
        _ => String::new(),
    };
    card(out, "Tumour mutational burden", tmb, &tmb_detail, "tmb");
    let msi = stage_ran(report, "msi").then(|| {
        h.msi_score
            .map_or_else(|| "NA".to_string(), |s| format!("{} %", fmt_num(s, 2)))
    });
    let status = h.msi_status.as_deref().unwrap_or("NA");
    let class = match status {
        "MSI-H" => "pos",
        "MSS" => "neg",
        _ => "unk",
    };
    card(
        out,
        "Microsatellite instability",
        msi,
        &format!(
            r#"unstable sites; status <span class="pill {class}">{}</span>"#,
            esc(status)
        ),
        "msi",
    );
    let neo = stage_ran(report, "neoantigens").then(|| {
        h.neoantigens
            .map_or_else(|| "NA".to_string(), |n| n.to_string())
    });
    let neo_detail = match h.neoantigen_epitopes {
        Some(e) => format!(
            "mutations with at least one candidate passing the filters; {e} epitope–allele candidate{}",
            if e == 1 { "" } else { "s" }
        ),
        None => "mutations with at least one candidate passing the filters".to_string(),
    };
    let neo_detail = match (h.neoantigens_class2, h.neoantigen_epitopes_class2) {
        (Some(m), Some(e)) => format!(
            "{neo_detail} (class I); class II: {m} mutation{}, {e} epitope–molecule candidate{}",
            if m == 1 { "" } else { "s" },
            if e == 1 { "" } else { "s" }
        ),
        _ => neo_detail,
    };
    card(out, "Neoantigen load", neo, &neo_detail, "neoantigens");
    let hla = stage_ran(report, "hla").then(|| {
        h.hla_typed.as_deref().map_or_else(
            || "NA".to_string(),
            |t| format!(r#"<span style="font-size:16px">{}</span>"#, esc(t)),
        )
    });
    let hla_detail = match (&h.hla_scored, h.hla_disagree) {
        (Some(s), Some(true)) => format!(
            r#"typed from reads (IPD-IMGT/HLA); <span class="pill pos">differs</span> from the alleles scored: {}"#,
            esc(s)
        ),
        (Some(_), Some(false)) => "typed from reads (IPD-IMGT/HLA); the alleles scored".into(),
        _ => "typed from reads (IPD-IMGT/HLA)".into(),
    };
    card(out, "HLA class I type", hla, &hla_detail, "hla");
    let response = stage_ran(report, "response").then(|| {
        h.response_probability.map_or_else(
            || "NA".to_string(),
            |p| format!("{} %", fmt_num(100.0 * p, 0)),
        )
    });
    let response_detail = format!(
        "probability of objective response to checkpoint blockade; 95% interval {}; TMB alone {}; from {}; drivers (log-odds) {}. Research use only: trained on one institution's panel-sequenced, mostly advanced-stage patients (Chowell 2022); response = RECIST complete or partial; calibration plot below.",
        h.response_ci95.map_or("NA".to_string(), |[a, b]| format!(
            "{}–{} %",
            fmt_num(100.0 * a, 0),
            fmt_num(100.0 * b, 0)
        )),
        h.response_tmb_only
            .map_or("NA".to_string(), |p| format!("{} %", fmt_num(100.0 * p, 0))),
        esc(h.response_features.as_deref().unwrap_or("no features")),
        esc(h.response_drivers.as_deref().unwrap_or("none"))
    );
    card(
        out,
        "Response (ICB)",
        response,
        &response_detail,
        "response",
    );
    let sig = stage_ran(report, "signatures");
    card(
        out,
        "Cytolytic activity (CYT)",
        sig.then(|| fmt_opt(h.cyt, 3)),
        "geometric mean of GZMA and PRF1 (Rooney 2015)",
        "signatures",
    );
    card(
        out,
        "T-cell-inflamed GEP",
        sig.then(|| fmt_opt(h.gep, 3)),
        "18-gene expression profile (Ayers 2017)",
        "signatures",
    );
    out.push_str("</div>");
    let not_run: Vec<&str> = super::reported_stages()
        .map(|s| s.name)
        .filter(|s| !stage_ran(report, s))
        .collect();
    if !not_run.is_empty() {
        out.push_str(r#"<p class="notrun-list">Stages not run for this sample: "#);
        for s in not_run {
            let _ = write!(out, "<span>{}</span>", esc(s));
        }
        out.push_str("</p>");
    }
    out.push_str("</section>");
}

fn plots(out: &mut String, report: &Report, data: &SampleData) {
    out.push_str(r#"<section id="plots"><h2>Plots</h2><div class="plots">"#);
    if stage_ran(report, "response") {
        let bins: Vec<(f64, f64, usize)> = crate::response::training_reliability()
            .iter()
            .map(|b| (b.mean_predicted, b.observed, b.n))
            .collect();
        out.push_str(&svg::reliability(
            &bins,
            report.headline.response_probability,
            "Response model: calibration in training cross-validation",
        ));
    }
    if stage_ran(report, "tmb") {
        out.push_str(&svg::histogram(
            &data.counted_vafs,
            0.0,
            1.0,
            20,
            "VAF of the counted variants",
            "variant allele fraction (tumour)",
        ));
        let mut points: Vec<(String, f64, Option<[f64; 2]>)> = Vec::new();
        if let Some(cohort) = &report.cohort {
            for (name, m) in &cohort.members {
                if let Some(t) = m.headline.tmb {
                    points.push((name.clone(), t, m.headline.tmb_ci95));
                }
            }
            // A large cohort is drawn as its quantiles (bounded work per report).
            if !cohort.listed() {
                for (label, v) in cohort.tmb.iter().flat_map(|d| d.labelled()) {
                    points.push((format!("cohort {label}"), v, None));
                }
            }
        }
        if !points.iter().any(|p| p.0 == report.sample) {
            if let Some(t) = report.headline.tmb {
                points.push((report.sample.clone(), t, report.headline.tmb_ci95));
            }
        }
        let threshold = report.headline.tmb_threshold.unwrap_or(10.0);
        out.push_str(&svg::cohort_bars(
            &points,
            &report.sample,
            Some((threshold, &format!("{} /Mb", fmt_num(threshold, 2)))),
            if report.cohort.is_some() {
                "TMB against the cohort (95% CI)"
            } else {
                "TMB (95% CI)"
            },
            "mutations per Mb",
        ));
    }
    if let Some(t) = &data.neoantigens {
        let points: Vec<(f64, f64)> = t
            .rows
            .iter()
            .filter_map(|r| Some((t.num(r, "mt_ic50")?, t.num(r, "wt_ic50")?)))
            .collect();
        out.push_str(&svg::ic50_scatter(
            &points,
            "Candidates: mutant vs wild-type IC50",
        ));
    }
    if !data.signatures.is_empty() {
        // Only the signatures scored for this sample: NA rows (no gene found) are listed in
        // the expression tables, not plotted.
        let rows: Vec<(String, Vec<f64>, Option<f64>)> = data
            .signatures
            .iter()
            .filter(|s| s.score.is_some())
            .map(|s| {
                let cohort = report
                    .cohort
                    .as_ref()
                    .map(|c| {
                        if c.listed() {
                            c.members
                                .iter()
                                .filter(|(name, _)| **name != report.sample)
                                .filter_map(|(_, m)| m.signatures.get(&s.signature).copied())
                                .collect()
                        } else {
                            c.signatures
                                .get(&s.signature)
                                .map(|d| d.quantiles.clone())
                                .unwrap_or_default()
                        }
                    })
                    .unwrap_or_default();
                (s.signature.clone(), cohort, s.score)
            })
            .collect();
        out.push_str(&svg::signature_rows(
            &rows,
            "Signature scores (red) against the cohort (grey)",
        ));
    }
    out.push_str("</div></section>");
}

const NEO_COLUMNS: &[&str] = &[
    "rank",
    "tier",
    "gene",
    "transcript",
    "protein_change",
    "allele",
    "length",
    "mt_epitope",
    "wt_epitope",
    "mt_core",
    "mt_ic50",
    "wt_ic50",
    "mt_percentile",
    "agretopicity",
    "dna_vaf",
    "rna_vaf",
    "gene_expression",
];

fn numeric(col: &str) -> bool {
    matches!(
        col,
        "rank"
            | "length"
            | "mt_ic50"
            | "wt_ic50"
            | "mt_percentile"
            | "agretopicity"
            | "dna_vaf"
            | "rna_vaf"
            | "gene_expression"
    )
}

/// The class I candidates, then the class II ones in their own table when class II ran.
fn neoantigen_tables(out: &mut String, report: &Report, data: &SampleData) {
    if let Some(t) = &data.neoantigens {
        candidate_table(
            out,
            "neoantigens",
            "Top neoantigen candidates",
            "epitope–allele",
            t,
            report.headline.neoantigens.unwrap_or(0),
            report.params.top,
        );
    }
    if let Some(t) = &data.neoantigens_class2 {
        candidate_table(
            out,
            "neoantigens-class2",
            "Top class II neoantigen candidates",
            "class II epitope–molecule",
            t,
            report.headline.neoantigens_class2.unwrap_or(0),
            report.params.top,
        );
    }
}

fn candidate_table(
    out: &mut String,
    id: &str,
    title: &str,
    what: &str,
    t: &Table,
    mutations: u64,
    top: usize,
) {
    if t.rows.is_empty() {
        // An empty table with sortable headers says less than one sentence.
        let _ = write!(
            out,
            r#"<section id="{id}"><h2>{title}</h2><p>No candidate passed the filters (the stage's JSON, under provenance, counts what each filter removed).</p></section>"#
        );
        return;
    }
    let _ = write!(
        out,
        r#"<section id="{id}"><h2>{title}</h2><p>{} {what} candidates from {} mutations passed the filters; the top {} by rank are shown (click a column to sort).</p><div class="wide"><table class="sortable"><thead><tr>"#,
        t.rows.len(),
        mutations,
        t.rows.len().min(top)
    );
    let cols: Vec<&str> = NEO_COLUMNS
        .iter()
        .copied()
        .filter(|c| t.col(c).is_some())
        .collect();
    for c in &cols {
        let _ = write!(out, "<th>{}</th>", esc(c));
    }
    out.push_str("</tr></thead><tbody>");
    for r in t.rows.iter().take(top) {
        out.push_str("<tr>");
        for c in &cols {
            let v = t.get(r, c).unwrap_or("");
            let class = if numeric(c) {
                " class=\"n\""
            } else if c.ends_with("epitope") || *c == "mt_core" {
                " class=\"mono\""
            } else if *c == "allele" {
                " style=\"white-space:nowrap\""
            } else {
                ""
            };
            let _ = write!(out, "<td{class}>{}</td>", esc(v));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div></section>");
}

fn expression_tables(out: &mut String, data: &SampleData) {
    if data.signatures.is_empty() && data.immune_tpm.is_empty() {
        return;
    }
    out.push_str(r#"<section id="expression"><h2>Immune expression</h2>"#);
    if !data.signatures.is_empty() {
        out.push_str(r#"<h3>Signature scores</h3><div class="wide"><table class="sortable"><thead><tr><th>signature</th><th>score</th><th>method</th><th>genes found</th></tr></thead><tbody>"#);
        for s in &data.signatures {
            let _ = write!(
                out,
                r#"<tr><td>{}</td><td class="n">{}</td><td>{}</td><td class="n">{} / {}</td></tr>"#,
                esc(&s.signature),
                fmt_opt(s.score, 4),
                esc(&s.method),
                esc(&s.n_genes_found),
                esc(&s.n_genes)
            );
        }
        out.push_str("</tbody></table></div>");
    }
    if !data.immune_tpm.is_empty() {
        out.push_str(r#"<h3>Immune genes (TPM)</h3><div class="wide"><table><thead><tr>"#);
        for (g, _) in &data.immune_tpm {
            let _ = write!(out, "<th>{}</th>", esc(g));
        }
        out.push_str("</tr></thead><tbody><tr>");
        for (_, v) in &data.immune_tpm {
            let _ = write!(out, r#"<td class="n">{}</td>"#, fmt_opt(*v, 2));
        }
        out.push_str("</tr></tbody></table></div>");
    }
    out.push_str("</section>");
}

fn scalar_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(
            n.as_f64()
                .filter(|_| n.is_f64())
                .map_or_else(|| n.to_string(), |f| fmt_num(f, 4)),
        ),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Null => Some("NA".into()),
        _ => None,
    }
}

fn provenance(out: &mut String, report: &Report) {
    out.push_str(r#"<section id="provenance"><h2>Stages, parameters and provenance</h2>"#);
    let not_run: Vec<&str> = super::reported_stages()
        .map(|s| s.name)
        .filter(|s| !stage_ran(report, s))
        .collect();
    if !not_run.is_empty() {
        let _ = write!(
            out,
            r#"<p class="notrun-list">Not run: {}</p>"#,
            not_run
                .iter()
                .map(|s| format!("<span>{}</span>", esc(s)))
                .collect::<String>()
        );
    }
    for stage in super::reported_stages().map(|s| s.name) {
        let Some(entry) = report.stages.get(stage).filter(|e| e.status == "ok") else {
            continue;
        };
        let version = entry
            .summary
            .as_ref()
            .and_then(|s| s.get("version"))
            .and_then(serde_json::Value::as_str)
            .unwrap_or("unknown");
        // Collapsed: the page's readers want the results; the provenance is there to check.
        let _ = write!(
            out,
            r#"<details class="stage"><summary>{}: <span class="pill neg">ok</span> <small>immunoprofile {}</small></summary>"#,
            esc(stage),
            esc(version)
        );
        if let Some(summary) = entry.summary.as_ref().and_then(|s| s.as_object()) {
            out.push_str(r#"<div class="wide"><table><tbody>"#);
            for (k, v) in summary {
                if k == "params" || k == "version" {
                    continue;
                }
                let text = scalar_text(v).unwrap_or_else(|| v.to_string());
                let _ = write!(
                    out,
                    r#"<tr><th style="width:30%">{}</th><td class="wrap">{}</td></tr>"#,
                    esc(k),
                    esc(&text)
                );
            }
            out.push_str("</tbody></table></div>");
            if let Some(params) = summary.get("params") {
                let pretty = serde_json::to_string_pretty(params).unwrap_or_default();
                let _ = write!(
                    out,
                    "<details><summary>parameters</summary><pre>{}</pre></details>",
                    esc(&pretty)
                );
            }
        }
        out.push_str(
            r#"<div class="wide"><table><thead><tr><th>file</th><th>bytes</th><th>sha256</th></tr></thead><tbody>"#,
        );
        for f in &entry.files {
            let _ = write!(
                out,
                r#"<tr><td class="wrap">{}</td><td class="n">{}</td><td class="mono wrap">{}</td></tr>"#,
                esc(&f.name),
                f.bytes,
                esc(&f.sha256)
            );
        }
        out.push_str("</tbody></table></div></details>");
    }
    out.push_str("</section>");
}

/// The whole page.
pub fn render(report: &Report, data: &SampleData) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src {csp}">
<title>immunoprofile report: {s}</title><style>{CSS}</style></head><body>
<header><h1>Immunotherapy biomarker report: {s}</h1><p>immunoprofile {v} &middot; report schema {sv} &middot; research use only, not a diagnostic test</p></header><main>"#,
        s = esc(&report.sample),
        v = esc(report.version),
        sv = report.schema_version,
        csp = super::sortable::csp_source(),
    );
    headline(&mut out, report);
    plots(&mut out, report, data);
    neoantigen_tables(&mut out, report, data);
    expression_tables(&mut out, data);
    provenance(&mut out, report);
    out.push_str("</main><footer>Made by immunoprofile from the stage outputs listed above; the SHA-256 of every file read is recorded in the report JSON.</footer><script>");
    out.push_str(super::sortable::SCRIPT);
    out.push_str("</script></body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc(r#"<script>alert('x')</script> & "q""#),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}
