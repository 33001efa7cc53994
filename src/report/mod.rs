//! Per-sample reports and cohort tables, built only from the stage outputs on disk (the file
//! contracts of DESIGN.md §4), so `run`, Nextflow and Snakemake produce the same report.
//!
//! A stage with none of its files present is "not run", never zero.

pub mod cohort;
pub mod html;
mod load;
pub mod matrix;
pub mod sortable;
pub mod summary;
pub mod svg;
pub mod tables;

pub use summary::{load_cohort, Cohort, CohortMember, Placement};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::io::output::{commit_all, json_file, prefixed, AtomicFile};
use tables::{read_json, sha256_file, Table};

/// Version of the `report.json` layout.
/// 2: `cohort` is a summary (distributions; members listed only for small cohorts) and
/// `placement` gives the sample's percentiles.
pub const SCHEMA_VERSION: u32 = 2;

/// The order in which the report shows the stages (the variant stages, then expression, then
/// MSI). Names, files and dependencies come from [`crate::stage::STAGES`].
const SHOWN_ORDER: &[&str] = &[
    "annotate",
    "tmb",
    "peptides",
    "binding",
    "neoantigens",
    "quant",
    "signatures",
    "msi",
    "hla",
    "response",
];

/// The stages whose files a report reads (every stage but `report` itself), in the order shown.
pub fn reported_stages() -> impl Iterator<Item = &'static crate::stage::StageInfo> {
    let mut stages: Vec<_> = crate::stage::STAGES
        .iter()
        .filter(|s| s.name != "report")
        .collect();
    stages.sort_by_key(|s| SHOWN_ORDER.iter().position(|n| *n == s.name));
    stages.into_iter()
}

/// Immune genes whose expression the report lists when `quant` ran.
pub const IMMUNE_GENES: &[&str] = &[
    "CD8A", "CD8B", "GZMA", "GZMB", "PRF1", "IFNG", "CXCL9", "CXCL10", "STAT1", "HLA-A", "HLA-B",
    "HLA-C", "B2M", "CD274", "PDCD1", "LAG3", "IDO1",
];

/// What `report` needs.
#[derive(Debug, Clone, Serialize)]
pub struct ReportParams {
    /// The sample's results folder (not serialised: the report must not depend on where the
    /// results folder is, so `run`, Nextflow and Snakemake write the same bytes).
    #[serde(skip)]
    pub dir: PathBuf,
    /// File-name prefix of the stage outputs in `dir` (default: the only one found).
    pub sample: Option<String>,
    /// A folder of sample folders to place this sample against (its own folder included).
    #[serde(skip)]
    pub cohort: Option<PathBuf>,
    /// Rows of the neoantigen table.
    pub top: usize,
    /// The cohort, read once by the caller for every sample of a run (instead of `cohort`).
    #[serde(skip)]
    pub shared_cohort: Option<Arc<Cohort>>,
}

/// One file a stage wrote, as read by the report.
#[derive(Debug, Clone, Serialize)]
pub struct FileEntry {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

/// One stage as found in the results folder.
#[derive(Debug, Clone, Serialize)]
pub struct StageEntry {
    /// `ok` (files present) or `not_run`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileEntry>,
    /// The stage's JSON summary, as written (its `params` and `version` included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<serde_json::Value>,
}

/// The headline biomarkers; `None` when the stage did not run or did not report the value.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct Headline {
    pub tmb: Option<f64>,
    pub tmb_ci95: Option<[f64; 2]>,
    pub tmb_high: Option<bool>,
    pub tmb_threshold: Option<f64>,
    pub variants_counted: Option<u64>,
    pub msi_score: Option<f64>,
    pub msi_status: Option<String>,
    /// Neoantigen load: distinct variant alleles with at least one candidate passing the
    /// filters (the stage's `neoantigen_load`).
    pub neoantigens: Option<u64>,
    /// Passing candidates (epitope-allele rows of `neoantigens.tsv`), shown beside the load.
    #[serde(default)]
    pub neoantigen_epitopes: Option<u64>,
    /// Class II neoantigen load (mutations with a passing class II candidate, from
    /// `neoantigens.class2.tsv`), when class II molecules were scored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neoantigens_class2: Option<u64>,
    /// Passing class II candidates (epitope-molecule rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neoantigen_epitopes_class2: Option<u64>,
    pub cyt: Option<f64>,
    pub gep: Option<f64>,
    /// Class I type from `hla`, per locus `A*01:01/A*02:01` (or `A undetermined`).
    #[serde(default)]
    pub hla_typed: Option<String>,
    /// Class I alleles `neoantigens` scored (given in the samplesheet, or the typed ones).
    #[serde(default)]
    pub hla_scored: Option<String>,
    /// The typed two-field alleles differ from the scored ones.
    #[serde(default)]
    pub hla_disagree: Option<bool>,
    #[serde(default)]
    pub response_probability: Option<f64>,
    #[serde(default)]
    pub response_ci95: Option<[f64; 2]>,
    #[serde(default)]
    pub response_tmb_only: Option<f64>,
    #[serde(default)]
    pub response_features: Option<String>,
    /// The observed features that moved the log-odds most, e.g. `TMB(+0.41), MSI(+0.30)`.
    #[serde(default)]
    pub response_drivers: Option<String>,
}

/// Distinct variant alleles (chrom, pos, ref, alt) among the candidates: one variant presented
/// as several epitopes or to several alleles is one neoantigen-carrying mutation.
fn neoantigen_load(t: &Table) -> u64 {
    let key = |r: &Vec<String>| {
        ["chrom", "pos", "ref", "alt"].map(|c| t.get(r, c).unwrap_or_default().to_string())
    };
    let variants: std::collections::BTreeSet<[String; 4]> = t.rows.iter().map(key).collect();
    variants.len() as u64
}

/// `PREFIX.report.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub version: &'static str,
    pub sample: String,
    pub headline: Headline,
    /// Every known stage, run or not, in pipeline order.
    pub stages: BTreeMap<String, StageEntry>,
    /// The cohort the sample was compared with, when `--cohort` given (or in `run`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "shared")]
    pub cohort: Option<Arc<Cohort>>,
    /// The sample's percentiles in the cohort.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
    pub params: ReportParams,
}

fn shared<S: serde::Serializer>(c: &Option<Arc<Cohort>>, s: S) -> Result<S::Ok, S::Error> {
    c.as_deref().serialize(s)
}

/// Everything read from one sample's folder.
#[derive(Debug, Clone)]
pub struct SampleData {
    pub sample: String,
    pub stages: BTreeMap<String, StageEntry>,
    pub headline: Headline,
    /// VAFs of the alleles `tmb` counted.
    pub counted_vafs: Vec<f64>,
    /// `neoantigens.tsv`, ranked candidates.
    pub neoantigens: Option<Table>,
    /// `neoantigens.class2.tsv`, ranked class II candidates.
    pub neoantigens_class2: Option<Table>,
    /// `signatures.tsv` rows for this sample: (signature, score, method, genes found, genes).
    pub signatures: Vec<SignatureRow>,
    /// TPM of [`IMMUNE_GENES`] found in `quant.tsv`: (gene, tpm).
    pub immune_tpm: Vec<(String, Option<f64>)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignatureRow {
    pub signature: String,
    pub score: Option<f64>,
    pub method: String,
    pub n_genes_found: String,
    pub n_genes: String,
}

/// Sample prefixes with at least one stage output in `dir`, sorted.
///
/// # Errors
/// The folder cannot be listed.
pub fn prefixes_in(dir: &Path) -> Result<Vec<String>> {
    let mut found = std::collections::BTreeSet::new();
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        for stage in reported_stages() {
            for suffix in stage.suffixes() {
                if let Some(prefix) = name.strip_suffix(suffix).and_then(|p| p.strip_suffix('.')) {
                    if !prefix.is_empty() {
                        found.insert(prefix.to_string());
                    }
                }
            }
        }
    }
    Ok(found.into_iter().collect())
}

/// The stage-output files present in `dir` for `sample`, by stage: what the report reads.
pub fn stage_files(dir: &Path, sample: &str) -> Vec<(&'static str, Vec<PathBuf>)> {
    reported_stages()
        .map(|stage| {
            let present = stage
                .suffixes()
                .map(|f| prefixed(&dir.join(sample), f))
                .filter(|p| p.is_file())
                .collect();
            (stage.name, present)
        })
        .collect()
}

fn choose_sample(dir: &Path, requested: Option<&str>) -> Result<String> {
    if let Some(s) = requested {
        return Ok(s.to_string());
    }
    let found = prefixes_in(dir)?;
    match found.len() {
        1 => Ok(found.into_iter().next().unwrap_or_default()),
        0 => Err(Error::invalid(
            dir,
            None,
            "no stage output (PREFIX.tmb.json, PREFIX.msi.json, ...) in this folder: give the folder a stage wrote into",
        )),
        _ => Err(Error::invalid(
            dir,
            None,
            format!(
                "outputs of several samples ({}): choose one with --sample",
                found.join(", ")
            ),
        )),
    }
}

fn is_signature(name: &str, keys: &[&str]) -> bool {
    let n = name.to_ascii_lowercase();
    // `CYT_Rooney2015`, `GEP18_Cristescu2018`: the key, then a version digit or `_`.
    keys.iter().any(|k| {
        n.strip_prefix(k)
            .is_some_and(|rest| !rest.starts_with(|c: char| c.is_ascii_alphabetic()))
    })
}

/// How much of a sample's folder [`load_sample`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    /// Everything the sample's own report shows, with checksums.
    Report,
    /// What the cohort summary needs: summaries and headline tables, no checksums, no VAFs or
    /// gene expression.
    Cohort,
}

/// Reads every stage output of `sample` in `dir`.
///
/// # Errors
/// A present file that cannot be read or breaks its contract.
pub fn load_sample(dir: &Path, sample: &str, load: Load) -> Result<SampleData> {
    let full = load == Load::Report;
    let mut data = SampleData {
        sample: sample.to_string(),
        stages: BTreeMap::new(),
        headline: Headline::default(),
        counted_vafs: Vec::new(),
        neoantigens: None,
        neoantigens_class2: None,
        signatures: Vec::new(),
        immune_tpm: Vec::new(),
    };
    let file = |suffix: &str| prefixed(&dir.join(sample), suffix);
    for (stage, paths) in stage_files(dir, sample) {
        if paths.is_empty() {
            data.stages.insert(
                stage.to_string(),
                StageEntry {
                    status: "not_run",
                    files: Vec::new(),
                    summary: None,
                },
            );
            continue;
        }
        let mut files = Vec::new();
        let mut summary = None;
        for p in &paths {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if summary.is_none() && name.ends_with(".json") {
                summary = Some(read_json(p)?);
            }
            let bytes = std::fs::metadata(p).map_err(|e| Error::io(p, e))?.len();
            let sha256 = if full { sha256_file(p)? } else { String::new() };
            files.push(FileEntry {
                name,
                bytes,
                sha256,
            });
        }
        data.stages.insert(
            stage.to_string(),
            StageEntry {
                status: "ok",
                files,
                summary,
            },
        );
    }

    let prefix_text = dir.join(sample).display().to_string();
    load::headline(&mut data.headline, &data.stages, sample, &prefix_text)?;
    let h = &mut data.headline;
    let variants = file("tmb.variants.tsv");
    if full && variants.is_file() {
        let t = Table::read(&variants)?;
        data.counted_vafs = t
            .rows
            .iter()
            .filter(|r| t.get(r, "counted") == Some("true"))
            .filter_map(|r| t.num(r, "vaf"))
            .collect();
    }
    let neo = file("neoantigens.tsv");
    if neo.is_file() {
        let t = Table::read(&neo)?;
        h.neoantigens = Some(neoantigen_load(&t));
        h.neoantigen_epitopes = Some(t.rows.len() as u64);
        data.neoantigens = Some(t);
    }
    let neo2 = file("neoantigens.class2.tsv");
    if neo2.is_file() {
        let t = Table::read(&neo2)?;
        h.neoantigens_class2 = Some(neoantigen_load(&t));
        h.neoantigen_epitopes_class2 = Some(t.rows.len() as u64);
        data.neoantigens_class2 = Some(t);
    }
    let sig = file("signatures.tsv");
    if sig.is_file() {
        let t = Table::read(&sig)?;
        for c in ["signature", "score"] {
            if t.col(c).is_none() {
                return Err(Error::invalid(
                    &sig,
                    None,
                    format!("no '{c}' column (contract: sample signature score method n_genes_found n_genes)"),
                ));
            }
        }
        // A matrix input gives one row per sample and signature: keep this sample's rows, or
        // every row when the table names one sample only.
        let samples: std::collections::BTreeSet<&str> =
            t.rows.iter().filter_map(|r| t.get(r, "sample")).collect();
        for r in &t.rows {
            let s = t.get(r, "sample");
            if samples.len() > 1 && s != Some(sample) {
                continue;
            }
            data.signatures.push(SignatureRow {
                signature: t.get(r, "signature").unwrap_or_default().to_string(),
                score: t.num(r, "score"),
                method: t.get(r, "method").unwrap_or("NA").to_string(),
                n_genes_found: t.get(r, "n_genes_found").unwrap_or("NA").to_string(),
                n_genes: t.get(r, "n_genes").unwrap_or("NA").to_string(),
            });
        }
        h.cyt = data
            .signatures
            .iter()
            .find(|s| is_signature(&s.signature, &["cyt", "cytolytic_activity"]))
            .and_then(|s| s.score);
        h.gep = data
            .signatures
            .iter()
            .find(|s| is_signature(&s.signature, &["gep", "tis", "t_cell_inflamed"]))
            .and_then(|s| s.score);
    }
    let quant = file("quant.tsv");
    if full && quant.is_file() {
        let t = Table::read(&quant)?;
        let mut by_name: BTreeMap<&str, Option<f64>> = BTreeMap::new();
        for r in &t.rows {
            if let Some(g) = t.get(r, "gene_name") {
                by_name.entry(g).or_insert_with(|| t.num(r, "tpm"));
            }
        }
        data.immune_tpm = IMMUNE_GENES
            .iter()
            .filter_map(|g| by_name.get(g).map(|v| (g.to_string(), *v)))
            .collect();
    }
    Ok(data)
}

impl SampleData {
    fn cohort_member(&self) -> CohortMember {
        CohortMember {
            headline: self.headline.clone(),
            signatures: self
                .signatures
                .iter()
                .filter_map(|s| Some((s.signature.clone(), s.score?)))
                .collect(),
        }
    }
}

/// The sub-folders of `cohort`, sorted.
///
/// # Errors
/// The folder cannot be listed.
pub fn sample_dirs(cohort: &Path) -> Result<Vec<PathBuf>> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(cohort)
        .map_err(|e| Error::io(cohort, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// Builds the report of one sample without writing it.
///
/// # Errors
/// Unreadable or malformed stage outputs.
pub fn build(params: &ReportParams) -> Result<(Report, SampleData)> {
    let sample = choose_sample(&params.dir, params.sample.as_deref())?;
    let data = load_sample(&params.dir, &sample, Load::Report)?;
    if data.stages.values().all(|s| s.status == "not_run") {
        return Err(Error::invalid(
            &params.dir,
            None,
            format!("no stage output named {sample}.<stage>.* in this folder"),
        ));
    }
    let cohort = match (&params.shared_cohort, &params.cohort) {
        (Some(shared), _) => Some(Arc::clone(shared)),
        (None, Some(dir)) => Some(Arc::new(load_cohort(dir)?)),
        (None, None) => None,
    };
    let placement = cohort
        .as_ref()
        .map(|c| c.place(&data.headline, &data.cohort_member().signatures));
    let report = Report {
        schema_version: SCHEMA_VERSION,
        version: crate::VERSION,
        sample: sample.clone(),
        headline: data.headline.clone(),
        stages: data.stages.clone(),
        cohort,
        placement,
        params: params.clone(),
    };
    Ok((report, data))
}

/// Writes `PREFIX.report.json` and `PREFIX.report.html`; `prefix` defaults to `DIR/SAMPLE`.
///
/// # Errors
/// As [`build`], plus write failures.
pub fn run(params: &ReportParams, prefix: Option<&Path>) -> Result<Report> {
    let (report, data) = build(params)?;
    let prefix = prefix
        .map(Path::to_path_buf)
        .unwrap_or_else(|| params.dir.join(&report.sample));
    let json = json_file(prefixed(&prefix, "report.json"), &report)?;
    let mut page = AtomicFile::create(prefixed(&prefix, "report.html"))?;
    std::io::Write::write_all(&mut page, html::render(&report, &data).as_bytes())
        .map_err(|e| Error::io(page.path(), e))?;
    commit_all(vec![json, page])?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::is_signature;

    #[test]
    fn headline_signatures_are_found_by_their_built_in_names() {
        let gep = ["gep", "tis", "t_cell_inflamed"];
        assert!(is_signature("GEP18_Cristescu2018", &gep));
        assert!(is_signature("gep", &gep));
        assert!(is_signature("CYT_Rooney2015", &["cyt"]));
        assert!(!is_signature("TISSUE_X", &gep));
        assert!(!is_signature("IFNG6_Ayers2017", &gep));
    }
}
