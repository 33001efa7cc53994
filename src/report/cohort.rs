//! Cohort outputs, made from every sample's `report.json` under one results folder:
//! `cohort.tsv` (one row per sample, the headline numbers), MultiQC custom-content files, and
//! the gene × sample matrices of [`super::matrix`] from the samples' `quant.tsv`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::json;

use super::matrix;
use super::tables::read_json;
use super::{prefixes_in, sample_dirs, Headline};
use crate::error::{Error, Result};
use crate::io::output::{commit_all, json_file, AtomicFile};
use crate::io::{cells, table};

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

/// Every `SAMPLE.quant.tsv` in `results` or its sample sub-folders, by sample name.
///
/// # Errors
/// Unlistable folder; one sample's table in two folders.
pub fn quant_tables(results: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut dirs = vec![results.to_path_buf()];
    dirs.extend(sample_dirs(results)?);
    let mut found: BTreeMap<String, PathBuf> = BTreeMap::new();
    for dir in dirs {
        let entries = std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(sample) = name.strip_suffix(".quant.tsv") else {
                continue;
            };
            if let Some(old) = found.insert(sample.to_string(), e.path()) {
                return Err(Error::invalid(
                    e.path(),
                    None,
                    format!(
                        "sample {sample} also has {}: keep one quant table per sample",
                        old.display()
                    ),
                ));
            }
        }
    }
    Ok(found.into_iter().collect())
}

/// A text cell without tabs or line ends (they would shift the columns).
pub(super) fn tsv_text(v: &str) -> String {
    v.replace(['\t', '\n', '\r'], " ")
}

/// One row of `cohort.tsv`; the field names are the header.
#[derive(Debug, Serialize)]
struct CohortRow {
    sample: String,
    #[serde(serialize_with = "cells::dec::<4, _>")]
    tmb: Option<f64>,
    #[serde(serialize_with = "cells::dec::<4, _>")]
    tmb_ci95_low: Option<f64>,
    #[serde(serialize_with = "cells::dec::<4, _>")]
    tmb_ci95_high: Option<f64>,
    #[serde(serialize_with = "cells::na")]
    tmb_high: Option<bool>,
    #[serde(serialize_with = "cells::na")]
    variants_counted: Option<u64>,
    #[serde(serialize_with = "cells::dec::<4, _>")]
    msi_score: Option<f64>,
    #[serde(serialize_with = "cells::na")]
    msi_status: Option<String>,
    #[serde(serialize_with = "cells::na")]
    neoantigens: Option<u64>,
    /// The class II load (NA when class II molecules were not scored).
    #[serde(serialize_with = "cells::na")]
    neoantigens_class2: Option<u64>,
    #[serde(serialize_with = "cells::dec::<4, _>")]
    cyt: Option<f64>,
    #[serde(serialize_with = "cells::dec::<4, _>")]
    gep: Option<f64>,
    #[serde(serialize_with = "cells::na")]
    hla_typed: Option<String>,
    #[serde(serialize_with = "cells::dec::<4, _>")]
    response_probability: Option<f64>,
    #[serde(serialize_with = "cells::dec::<4, _>")]
    response_ci95_low: Option<f64>,
    #[serde(serialize_with = "cells::dec::<4, _>")]
    response_ci95_high: Option<f64>,
    #[serde(serialize_with = "cells::dec::<4, _>")]
    response_tmb_only: Option<f64>,
}

impl CohortRow {
    fn new(name: &str, h: &Headline) -> Self {
        CohortRow {
            sample: tsv_text(name),
            tmb: h.tmb,
            tmb_ci95_low: h.tmb_ci95.map(|c| c[0]),
            tmb_ci95_high: h.tmb_ci95.map(|c| c[1]),
            tmb_high: h.tmb_high,
            variants_counted: h.variants_counted,
            msi_score: h.msi_score,
            msi_status: h.msi_status.as_deref().map(tsv_text),
            neoantigens: h.neoantigens,
            neoantigens_class2: h.neoantigens_class2,
            cyt: h.cyt,
            gep: h.gep,
            hla_typed: h.hla_typed.as_deref().map(tsv_text),
            response_probability: h.response_probability,
            response_ci95_low: h.response_ci95.map(|c| c[0]),
            response_ci95_high: h.response_ci95.map(|c| c[1]),
            response_tmb_only: h.response_tmb_only,
        }
    }
}

/// Writes the rows of `cohort.tsv` to `out`.
///
/// # Errors
/// Write failures (reported against `path`).
pub fn write_cohort_tsv(
    samples: &BTreeMap<String, Headline>,
    out: impl Write,
    path: &Path,
) -> Result<()> {
    let mut w = table::writer(out);
    for (name, h) in samples {
        w.serialize(CohortRow::new(name, h))
            .map_err(|e| Error::io(path, e.into()))?;
    }
    w.flush().map_err(|e| Error::io(path, e))
}

/// The rows of `cohort.tsv`.
pub fn cohort_tsv(samples: &BTreeMap<String, Headline>) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = write_cohort_tsv(samples, &mut out, Path::new(COHORT_TSV));
    String::from_utf8(out).unwrap_or_default()
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
         #     - neoantigens_class2:\n\
         #         title: 'Neoantigens II'\n\
         #         description: 'Mutations with at least one class II neoantigen candidate passing the filters'\n\
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
",
    );
    let mut out = Vec::new();
    {
        let mut w = table::writer(&mut out);
        for (name, h) in samples {
            // Writing into memory cannot fail.
            let _ = w.serialize(GeneralStatsRow {
                sample: tsv_text(name),
                tmb: h.tmb,
                tmb_high: h
                    .tmb_high
                    .map_or("", |high| if high { "yes" } else { "no" }),
                msi_score: h.msi_score,
                msi_status: h.msi_status.as_deref().map(tsv_text).unwrap_or_default(),
                neoantigens: h.neoantigens.map(|n| n as f64),
                neoantigens_class2: h.neoantigens_class2.map(|n| n as f64),
                cyt: h.cyt,
                gep: h.gep,
                response: h.response_probability,
                version: env!("CARGO_PKG_VERSION"),
            });
        }
        let _ = w.flush();
    }
    s.push_str(&String::from_utf8_lossy(&out));
    s
}

/// One row of the MultiQC general-statistics table; the field names are the header.
#[derive(Debug, Serialize)]
struct GeneralStatsRow {
    #[serde(rename = "Sample")]
    sample: String,
    #[serde(serialize_with = "cells::dec_or_empty::<4, _>")]
    tmb: Option<f64>,
    tmb_high: &'static str,
    #[serde(serialize_with = "cells::dec_or_empty::<4, _>")]
    msi_score: Option<f64>,
    msi_status: String,
    #[serde(serialize_with = "cells::dec_or_empty::<4, _>")]
    neoantigens: Option<f64>,
    #[serde(serialize_with = "cells::dec_or_empty::<4, _>")]
    neoantigens_class2: Option<f64>,
    #[serde(serialize_with = "cells::dec_or_empty::<4, _>")]
    cyt: Option<f64>,
    #[serde(serialize_with = "cells::dec_or_empty::<4, _>")]
    gep: Option<f64>,
    #[serde(serialize_with = "cells::dec_or_empty::<4, _>")]
    response: Option<f64>,
    version: &'static str,
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
    let tsv_path = results.join(COHORT_TSV);
    let mut tsv = AtomicFile::create(&tsv_path)?;
    write_cohort_tsv(&samples, &mut tsv, &tsv_path)?;
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
    // Gene × sample matrices when some sample ran `quant`; stale ones from an earlier run are
    // removed (a matrix missing samples would be read as the whole cohort).
    let quant = quant_tables(results)?;
    if quant.is_empty() {
        for name in [matrix::COUNTS_TSV, matrix::TPM_TSV] {
            let path = results.join(name);
            if path.exists() {
                std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            }
        }
    } else {
        files.extend(matrix::write(results, &quant)?);
    }
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
            // msi, neoantigens (both classes), cyt, gep, hla and response not run: NA, never 0.
            "A\t12.5\t10\t15\ttrue\t25\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA"
        );
        let g = general_stats_tsv(&s);
        let version = env!("CARGO_PKG_VERSION");
        assert!(
            g.ends_with(&format!("A\t12.5\tyes\t\t\t\t\t\t\t\t{version}\n")),
            "{g}"
        );
    }

    #[test]
    fn class_ii_load_has_its_own_column() {
        let mut s = BTreeMap::new();
        s.insert(
            "B".to_string(),
            Headline {
                neoantigens: Some(7),
                neoantigens_class2: Some(3),
                ..Headline::default()
            },
        );
        let t = cohort_tsv(&s);
        let header: Vec<&str> = t.lines().next().unwrap().split('\t').collect();
        let row: Vec<&str> = t.lines().nth(1).unwrap().split('\t').collect();
        let at = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
        assert_eq!((at("neoantigens"), at("neoantigens_class2")), ("7", "3"));
        let g = general_stats_tsv(&s);
        let lines: Vec<&str> = g.lines().filter(|l| !l.starts_with('#')).collect();
        let header: Vec<&str> = lines[0].split('\t').collect();
        let row: Vec<&str> = lines[1].split('\t').collect();
        let i = header
            .iter()
            .position(|h| *h == "neoantigens_class2")
            .unwrap();
        assert_eq!((row[i - 1], row[i]), ("7", "3"));
        assert!(g.contains("#     - neoantigens_class2:"));
    }
}
