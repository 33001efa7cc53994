//! The workflow manifest (TOML) and its samplesheet (CSV, nf-core style), validated in full
//! before any work: every problem found is listed in one error.
//!
//! ```toml
//! output = "../results/demo"          # relative to this file
//! samplesheet = "demo_samples.csv"    # relative to this file; its cells relative to itself
//! stages = ["tmb", "report"]          # optional: default every stage this build knows
//!
//! [reference]
//! fasta = "genome.fa"
//! gtf = "genes.gtf"
//! targets = "panel.bed"
//!
//! [params.tmb]                        # options of `immunoprofile tmb`, `_` for `-`
//! min_depth = 20
//! min_vaf = 0.05
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::paths::resolve;
use super::plan;
use crate::error::{Error, Result};
use crate::stage::{AllParams, STAGES};

/// Columns a samplesheet may have (`sample` is required, every other cell may be empty).
pub const SAMPLESHEET_COLUMNS: &[&str] = &[
    "sample",
    "vcf",
    "tumor_bam",
    "normal_bam",
    "rna_bam",
    "expression",
    "hla_alleles",
    "fastq_1",
    "fastq_2",
];

const TOP_KEYS: &[&str] = &["output", "samplesheet", "stages", "reference", "params"];
const REFERENCE_KEYS: &[&str] = &["fasta", "gtf", "targets", "imgt", "clinical"];

#[derive(Debug, Clone, Default)]
pub struct Reference {
    pub fasta: Option<PathBuf>,
    pub gtf: Option<PathBuf>,
    pub targets: Option<PathBuf>,
    /// IPD-IMGT/HLA release folder: `hla` types, `response` computes HED.
    pub imgt: Option<PathBuf>,
    /// Clinical values for `response` (the training file's columns, one row per SAMPLE_ID).
    pub clinical: Option<PathBuf>,
}

/// One samplesheet row; paths resolved (see [`resolve`]).
#[derive(Debug, Clone, Default)]
pub struct SampleRow {
    pub sample: String,
    pub vcf: Option<PathBuf>,
    pub tumor_bam: Option<PathBuf>,
    pub normal_bam: Option<PathBuf>,
    pub rna_bam: Option<PathBuf>,
    pub expression: Option<PathBuf>,
    /// Normalised to one list; the sheet may separate them with `;`, `,`, `|` or spaces.
    pub hla_alleles: Vec<String>,
    /// Reads for HLA typing when no BAM is given (FASTQ, plain or gzip).
    pub fastq_1: Option<PathBuf>,
    pub fastq_2: Option<PathBuf>,
}

/// A validated manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub path: PathBuf,
    pub output: PathBuf,
    pub samplesheet: PathBuf,
    pub reference: Reference,
    /// Stages to run, in pipeline order.
    pub stages: Vec<&'static str>,
    /// Every stage's typed parameters (defaults where the manifest sets none).
    pub params: AllParams,
    pub samples: Vec<SampleRow>,
}

struct Problems(Vec<String>);

impl Problems {
    fn push(&mut self, p: impl Into<String>) {
        self.0.push(p.into());
    }
}

fn string_path(
    table: &toml::Table,
    key: &str,
    ctx: &str,
    base: &Path,
    problems: &mut Problems,
) -> Option<PathBuf> {
    match table.get(key)? {
        toml::Value::String(s) if !s.is_empty() => Some(resolve(base, s)),
        other => {
            problems.push(format!(
                "{ctx}{key}: expected a path string, found {}",
                other.type_str()
            ));
            None
        }
    }
}

fn check_file(path: &Path, what: &str, problems: &mut Problems) {
    if !path.is_file() {
        problems.push(format!("{what}: {} does not exist", path.display()));
    }
}

/// One line naming the file, line and column of a TOML syntax error: the parser's own message
/// spans several lines (a source excerpt with a caret), too long for an error that ends a run.
fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> Error {
    let reason = e
        .message()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    let location = e.span().map(|span| {
        let before = &text.as_bytes()[..span.start.min(text.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        // Columns count characters; bytes inside a multi-byte character are not counted.
        let column = before[line_start..]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count()
            + 1;
        format!("line {line}, column {column}")
    });
    Error::invalid(path, location, format!("not valid TOML: {reason}"))
}

impl Manifest {
    /// Reads and validates the manifest and its samplesheet.
    ///
    /// # Errors
    /// One [`Error::InvalidInput`] listing every problem found.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| toml_error(path, &text, &e))?;
        let base = path.parent().unwrap_or(Path::new(""));
        let mut problems = Problems(Vec::new());
        for key in table.keys() {
            if !TOP_KEYS.contains(&key.as_str()) {
                problems.push(format!(
                    "unknown key '{key}' (known: {})",
                    TOP_KEYS.join(", ")
                ));
            }
        }
        let output = string_path(&table, "output", "", base, &mut problems);
        if output.is_none() && !table.contains_key("output") {
            problems.push("missing 'output' (the results folder)");
        }
        let samplesheet = string_path(&table, "samplesheet", "", base, &mut problems);
        if samplesheet.is_none() && !table.contains_key("samplesheet") {
            problems.push("missing 'samplesheet' (CSV: sample,vcf,tumor_bam,normal_bam,rna_bam,expression,hla_alleles)");
        }

        let mut reference = Reference::default();
        match table.get("reference") {
            None => {}
            Some(toml::Value::Table(r)) => {
                for key in r.keys() {
                    if !REFERENCE_KEYS.contains(&key.as_str()) {
                        problems.push(format!(
                            "unknown key 'reference.{key}' (known: {})",
                            REFERENCE_KEYS.join(", ")
                        ));
                    }
                }
                reference.fasta = string_path(r, "fasta", "reference.", base, &mut problems);
                reference.gtf = string_path(r, "gtf", "reference.", base, &mut problems);
                reference.targets = string_path(r, "targets", "reference.", base, &mut problems);
                reference.imgt = string_path(r, "imgt", "reference.", base, &mut problems);
                reference.clinical = string_path(r, "clinical", "reference.", base, &mut problems);
                if let Some(d) = &reference.imgt {
                    if !d.is_dir() {
                        problems.push(format!(
                            "reference.imgt: {} is not a folder (an IPD-IMGT/HLA release)",
                            d.display()
                        ));
                    }
                }
                for (k, p) in [
                    ("fasta", &reference.fasta),
                    ("gtf", &reference.gtf),
                    ("targets", &reference.targets),
                    ("clinical", &reference.clinical),
                ] {
                    if let Some(p) = p {
                        check_file(p, &format!("reference.{k}"), &mut problems);
                    }
                }
            }
            Some(other) => problems.push(format!(
                "'reference' must be a table ([reference]), found {}",
                other.type_str()
            )),
        }

        let known: Vec<&str> = STAGES.iter().map(|s| s.name).collect();
        let mut chosen: BTreeSet<&'static str> = BTreeSet::new();
        match table.get("stages") {
            None => chosen.extend(STAGES.iter().filter(|s| s.default).map(|s| s.name)),
            Some(toml::Value::Array(list)) => {
                for v in list {
                    match v.as_str().and_then(|s| STAGES.iter().find(|d| d.name == s)) {
                        Some(def) => {
                            chosen.insert(def.name);
                        }
                        None => problems.push(format!(
                            "stages: unknown stage {v} (known: {})",
                            known.join(", ")
                        )),
                    }
                }
            }
            Some(other) => problems.push(format!(
                "'stages' must be a list of stage names, found {}",
                other.type_str()
            )),
        }
        let stages: Vec<&'static str> = STAGES
            .iter()
            .map(|s| s.name)
            .filter(|n| chosen.contains(n))
            .collect();

        let mut params = AllParams::default();
        match table.get("params") {
            None => {}
            Some(toml::Value::Table(p)) => {
                for (stage, value) in p {
                    if !STAGES.iter().any(|d| d.name == stage) {
                        problems.push(format!(
                            "params.{stage}: unknown stage (known: {})",
                            known.join(", ")
                        ));
                        continue;
                    }
                    let toml::Value::Table(flags) = value else {
                        problems.push(format!("params.{stage} must be a table"));
                        continue;
                    };
                    for p in params.set(stage, flags) {
                        problems.push(p);
                    }
                }
            }
            Some(other) => problems.push(format!(
                "'params' must be a table of [params.STAGE] tables, found {}",
                other.type_str()
            )),
        }

        let mut samples = Vec::new();
        if let Some(sheet) = &samplesheet {
            if sheet.is_file() {
                samples = read_samplesheet(sheet, &mut problems);
            } else {
                problems.push(format!("samplesheet: {} does not exist", sheet.display()));
            }
        }
        if samplesheet.is_some() && samples.is_empty() && problems.0.is_empty() {
            problems.push("the samplesheet has no sample rows");
        }

        let manifest = Manifest {
            path: path.to_path_buf(),
            output: output.unwrap_or_default(),
            samplesheet: samplesheet.unwrap_or_default(),
            reference,
            stages,
            params,
            samples,
        };
        for p in plan::check_requirements(&manifest) {
            problems.push(p);
        }
        if problems.0.is_empty() {
            Ok(manifest)
        } else {
            let n = problems.0.len();
            Err(Error::invalid(
                path,
                None,
                format!(
                    "{n} problem{} in the manifest; nothing was run:\n  - {}",
                    if n == 1 { "" } else { "s" },
                    problems.0.join("\n  - ")
                ),
            ))
        }
    }

    /// `OUT/SAMPLE`.
    pub fn sample_dir(&self, sample: &str) -> PathBuf {
        self.output.join(sample)
    }
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn read_samplesheet(path: &Path, problems: &mut Problems) -> Vec<SampleRow> {
    let base = path.parent().unwrap_or(Path::new(""));
    let mut reader = match csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_path(path)
    {
        Ok(r) => r,
        Err(e) => {
            problems.push(format!("samplesheet {}: {e}", path.display()));
            return Vec::new();
        }
    };
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => {
            problems.push(format!("samplesheet {}: {e}", path.display()));
            return Vec::new();
        }
    };
    let sheet = path.display();
    for h in &header {
        if !SAMPLESHEET_COLUMNS.contains(&h.as_str()) {
            problems.push(format!(
                "samplesheet {sheet}: unknown column '{h}' (known: {})",
                SAMPLESHEET_COLUMNS.join(",")
            ));
        }
    }
    if !header.iter().any(|h| h == "sample") {
        problems.push(format!("samplesheet {sheet}: no 'sample' column"));
        return Vec::new();
    }
    let mut rows = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("samplesheet {sheet} line {line}: {e}"));
                continue;
            }
        };
        let cell = |name: &str| -> Option<String> {
            header
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let sample = cell("sample").unwrap_or_default();
        if !valid_name(&sample) {
            problems.push(format!(
                "samplesheet {sheet} line {line}: sample name '{sample}' must be non-empty letters, digits, '_', '-' or '.' (it names a folder)"
            ));
            continue;
        }
        if let Some(first) = seen.insert(sample.clone(), line) {
            problems.push(format!(
                "samplesheet {sheet} line {line}: duplicate sample '{sample}' (first on line {first})"
            ));
            continue;
        }
        let mut file = |col: &str| -> Option<PathBuf> {
            let v = cell(col)?;
            let p = resolve(base, &v);
            if !p.is_file() {
                problems.push(format!(
                    "samplesheet {sheet} line {line} ({sample}): {col} {} does not exist",
                    p.display()
                ));
            }
            Some(p)
        };
        let row = SampleRow {
            vcf: file("vcf"),
            tumor_bam: file("tumor_bam"),
            normal_bam: file("normal_bam"),
            rna_bam: file("rna_bam"),
            expression: file("expression"),
            fastq_1: file("fastq_1"),
            fastq_2: file("fastq_2"),
            hla_alleles: cell("hla_alleles")
                .map(|v| {
                    v.split([';', ',', '|', ' '])
                        .filter(|a| !a.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            sample,
        };
        rows.push(row);
    }
    rows
}
