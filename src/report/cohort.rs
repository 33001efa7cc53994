//! Cohort outputs, made from every sample's `report.json` under one results folder:
//! `cohort.tsv` (one row per sample, the headline numbers) and MultiQC custom-content files.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::tables::read_json;
use super::{prefixes_in, sample_dirs, Headline};
use crate::error::{Error, Result};
use crate::io::output::{commit_all, fmt_opt, json_file, AtomicFile};

/// Header of `cohort.tsv`.
pub const COHORT_HEADER: &str = "sample\ttmb\ttmb_ci95_low\ttmb_ci95_high\ttmb_high\tvariants_counted\tmsi_score\tmsi_status\tneoantigens\tcyt\tgep\thla_typed\tresponse_probability\tresponse_ci95_low\tresponse_ci95_high\tresponse_tmb_only\n";

/// File names written into the results folder.
pub const COHORT_TSV: &str = "cohort.tsv";
pub const MQC_GENERAL_STATS: &str = "immunoprofile_general_stats_mqc.tsv";
pub const MQC_TMB_BARPLOT: &str = "immunoprofile_tmb_mqc.json";
pub const MQC_NEOANTIGEN_BARPLOT: &str = "immunoprofile_neoantigens_mqc.json";

/// The headline of every sample with a `SAMPLE.report.json` in a sub-folder of `results`.
///
/// # Errors
/// Unreadable folder or report.
pub fn collect(results: &Path) -> Result<BTreeMap<String, Headline>> {
    let mut out = BTreeMap::new();
    // Sample sub-folders, or reports side by side in `results` itself (Nextflow staging).
    let mut dirs = vec![results.to_path_buf()];
    dirs.extend(sample_dirs(results)?);
    for dir in dirs {
        let mut names: Vec<String> = prefixes_in(&dir)?;
        // A folder with only a report (stages cleaned up) still counts.
        let entries = std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        for e in entries.flatten() {
            if let Some(s) = e.file_name().to_string_lossy().strip_suffix(".report.json") {
                names.push(s.to_string());
            }
        }
        names.sort();
        names.dedup();
        for name in names {
            let path = dir.join(format!("{name}.report.json"));
            if !path.is_file() {
                continue;
            }
            let value = read_json(&path)?;
            let headline: Headline =
                serde_json::from_value(value.get("headline").cloned().unwrap_or_default())
                    .map_err(|e| Error::invalid(&path, Some("headline".into()), e.to_string()))?;
            out.insert(name, headline);
        }
    }
    Ok(out)
}

fn tsv_text(v: &str) -> String {
    v.replace(['\t', '\n', '\r'], " ")
}

/// The rows of `cohort.tsv`.
pub fn cohort_tsv(samples: &BTreeMap<String, Headline>) -> String {
    let mut s = String::from(COHORT_HEADER);
    for (name, h) in samples {
        let ci = h.tmb_ci95;
        s.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            tsv_text(name),
            fmt_opt(h.tmb, 4),
            fmt_opt(ci.map(|c| c[0]), 4),
            fmt_opt(ci.map(|c| c[1]), 4),
            h.tmb_high.map_or("NA".into(), |b| b.to_string()),
            h.variants_counted.map_or("NA".into(), |n| n.to_string()),
            fmt_opt(h.msi_score, 4),
            h.msi_status.as_deref().map_or("NA".into(), tsv_text),
            h.neoantigens.map_or("NA".into(), |n| n.to_string()),
            fmt_opt(h.cyt, 4),
            fmt_opt(h.gep, 4),
            h.hla_typed.as_deref().map_or("NA".into(), tsv_text),
            fmt_opt(h.response_probability, 4),
            fmt_opt(h.response_ci95.map(|c| c[0]), 4),
            fmt_opt(h.response_ci95.map(|c| c[1]), 4),
            fmt_opt(h.response_tmb_only, 4),
        ));
    }
    s
}

/// MultiQC general-statistics columns (custom content, `plot_type: generalstats`). Missing
/// values are left empty, which MultiQC shows as blank rather than zero.
pub fn general_stats_tsv(samples: &BTreeMap<String, Headline>) -> String {
    let mut s = String::from(
        "# id: 'immunoprofile'\n\
         # section_name: 'immunoprofile'\n\
         # plot_type: 'generalstats'\n\
         # pconfig:\n\
         #     - tmb:\n\
         #         title: 'TMB'\n\
         #         description: 'Tumour mutational burden (mutations per Mb)'\n\
         #         format: '{:,.2f}'\n\
         #     - tmb_high:\n\
         #         title: 'TMB-high'\n\
         #         description: 'TMB at or above the cut-off (yes/no)'\n\
         #     - msi_score:\n\
         #         title: 'MSI %'\n\
         #         description: 'Unstable microsatellites (%)'\n\
         #         format: '{:,.2f}'\n\
         #     - msi_status:\n\
         #         title: 'MSI'\n\
         #         description: 'MSI status: MSI-H, MSS or undetermined'\n\
         #     - neoantigens:\n\
         #         title: 'Neoantigens'\n\
         #         description: 'Mutations with at least one neoantigen candidate passing the filters'\n\
         #         format: '{:,.0f}'\n\
         #     - cyt:\n\
         #         title: 'CYT'\n\
         #         description: 'Cytolytic activity score'\n\
         #         format: '{:,.2f}'\n\
         #     - gep:\n\
         #         title: 'GEP'\n\
         #         description: 'T-cell-inflamed gene expression profile score'\n\
         #         format: '{:,.2f}'\n\
         #     - response:\n\
         #         title: 'P(response)'\n\
         #         description: 'Calibrated probability of response to checkpoint blockade (research use)'\n\
         #         format: '{:,.2f}'\n\
         #     - version:\n\
         #         title: 'immunoprofile'\n\
         #         description: 'Version of immunoprofile that wrote these statistics'\n\
         Sample\ttmb\ttmb_high\tmsi_score\tmsi_status\tneoantigens\tcyt\tgep\tresponse\tversion\n",
    );
    let cell = |v: Option<f64>| v.map(|x| fmt_opt(Some(x), 4)).unwrap_or_default();
    for (name, h) in samples {
        s.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            tsv_text(name),
            cell(h.tmb),
            h.tmb_high
                .map_or("", |high| if high { "yes" } else { "no" }),
            cell(h.msi_score),
            h.msi_status.as_deref().map(tsv_text).unwrap_or_default(),
            cell(h.neoantigens.map(|n| n as f64)),
            cell(h.cyt),
            cell(h.gep),
            cell(h.response_probability),
            env!("CARGO_PKG_VERSION"),
        ));
    }
    s
}

fn barplot(
    id: &str,
    title: &str,
    ylab: &str,
    key: &str,
    name: &str,
    values: impl Iterator<Item = (String, f64)>,
) -> serde_json::Value {
    let data: serde_json::Map<String, serde_json::Value> =
        values.map(|(s, v)| (s, json!({ key: v }))).collect();
    json!({
        "id": id,
        "section_name": title,
        "description": format!("{title}, per sample, from immunoprofile."),
        "plot_type": "bargraph",
        "pconfig": { "id": format!("{id}_plot"), "title": format!("immunoprofile: {title}"), "ylab": ylab, "cpswitch": false },
        "categories": { key: { "name": name } },
        "data": data,
    })
}

/// Writes `cohort.tsv` and the MultiQC files into `results`; returns their paths.
///
/// # Errors
/// Unreadable reports, write failures.
pub fn run(results: &Path) -> Result<Vec<PathBuf>> {
    let samples = collect(results)?;
    if samples.is_empty() {
        return Err(Error::invalid(
            results,
            None,
            "no SAMPLE/SAMPLE.report.json under this folder: run `immunoprofile report` per sample first",
        ));
    }
    let mut tsv = AtomicFile::create(results.join(COHORT_TSV))?;
    tsv.write_all(cohort_tsv(&samples).as_bytes())
        .map_err(|e| Error::io(tsv.path(), e))?;
    let mut gs = AtomicFile::create(results.join(MQC_GENERAL_STATS))?;
    gs.write_all(general_stats_tsv(&samples).as_bytes())
        .map_err(|e| Error::io(gs.path(), e))?;
    let tmb = barplot(
        "immunoprofile_tmb",
        "Tumour mutational burden",
        "mutations per Mb",
        "tmb",
        "TMB",
        samples
            .iter()
            .filter_map(|(s, h)| Some((s.clone(), h.tmb?))),
    );
    let neo = barplot(
        "immunoprofile_neoantigens",
        "Neoantigen load",
        "candidates",
        "neoantigens",
        "neoantigen candidates",
        samples
            .iter()
            .filter_map(|(s, h)| Some((s.clone(), h.neoantigens? as f64))),
    );
    let mut files = vec![tsv, gs];
    // MultiQC warns about a plot without data (an error under --strict): a plot is written
    // only when some sample has the value, and a stale one from an earlier run is removed.
    for (name, plot) in [(MQC_TMB_BARPLOT, tmb), (MQC_NEOANTIGEN_BARPLOT, neo)] {
        let path = results.join(name);
        if plot["data"].as_object().is_some_and(|d| !d.is_empty()) {
            files.push(json_file(&path, &plot)?);
        } else if path.exists() {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    commit_all(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_run_is_na_not_zero() {
        let mut s = BTreeMap::new();
        s.insert(
            "A".to_string(),
            Headline {
                tmb: Some(12.5),
                tmb_ci95: Some([10.0, 15.0]),
                tmb_high: Some(true),
                variants_counted: Some(25),
                ..Headline::default()
            },
        );
        let t = cohort_tsv(&s);
        assert_eq!(
            t.lines().nth(1).unwrap(),
            // msi, neoantigens, cyt, gep, hla and response not run: NA, never 0.
            "A\t12.5\t10\t15\ttrue\t25\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA"
        );
        let g = general_stats_tsv(&s);
        let version = env!("CARGO_PKG_VERSION");
        assert!(
            g.ends_with(&format!("A\t12.5\tyes\t\t\t\t\t\t\t{version}\n")),
            "{g}"
        );
    }
}
