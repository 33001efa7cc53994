//! The stage model: one description per stage, the single source of truth for its name, the
//! stages it reads from, the files it writes and its typed parameters.
//!
//! - [`STAGES`]: every stage's [`StageInfo`] in pipeline order (names, dependencies, outputs).
//!   `report`, the workflow runner, `immunoprofile stages --json` (and through it the Snakefile)
//!   and the Nextflow tests read it.
//! - [`Stage`]: per stage, its `Params` (serde, read from the manifest's `[params.STAGE]`; the
//!   command line converts its clap arguments into the same type), `run` and `to_args`, the
//!   command line that computes the same thing.
//! - [`Job`]: one stage with its parameters, as the runner schedules it.

pub mod annotate;
pub mod binding;
pub mod hla;
pub mod msi;
pub mod neoantigens;
pub mod peptides;
pub mod quant;
pub mod report;
pub mod response;
pub mod signatures;
pub mod tmb;
pub mod values;

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::io::output::prefixed;

/// One file a stage writes as `PREFIX.SUFFIX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Output {
    pub suffix: &'static str,
    /// Written on every successful run (the runner checks); else only sometimes (an index
    /// whose kind depends on the contig lengths).
    pub required: bool,
}

const fn req(suffix: &'static str) -> Output {
    Output {
        suffix,
        required: true,
    }
}

const fn opt(suffix: &'static str) -> Output {
    Output {
        suffix,
        required: false,
    }
}

/// What every tool around a stage needs to know of it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct StageInfo {
    pub name: &'static str,
    /// Stages whose outputs this one may read; it waits for them, and is blocked when one fails.
    pub after: &'static [&'static str],
    /// Run when a manifest does not list `stages`.
    pub default: bool,
    /// Every file the stage writes; the first `.json` is its summary. Each suffix has exactly
    /// one owning stage (tested).
    pub outputs: &'static [Output],
    /// Parameters the runner sets from the samplesheet and reference; a manifest may not.
    pub reserved: &'static [&'static str],
}

impl StageInfo {
    /// The files every successful run writes, under `prefix`.
    pub fn required_outputs(&self, prefix: &Path) -> Vec<PathBuf> {
        self.outputs
            .iter()
            .filter(|o| o.required)
            .map(|o| prefixed(prefix, o.suffix))
            .collect()
    }

    /// Every suffix this stage may write.
    pub fn suffixes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.outputs.iter().map(|o| o.suffix)
    }
}

/// Every stage, in an order where each comes after the stages it reads from.
pub const STAGES: &[StageInfo] = &[
    annotate::INFO,
    hla::INFO,
    tmb::INFO,
    peptides::INFO,
    binding::INFO,
    quant::INFO,
    signatures::INFO,
    neoantigens::INFO,
    msi::INFO,
    response::INFO,
    report::INFO,
];

/// A stage's description by name.
pub fn info(name: &str) -> Option<&'static StageInfo> {
    STAGES.iter().find(|s| s.name == name)
}

/// The stage that owns an output suffix.
pub fn owner(suffix: &str) -> Option<&'static StageInfo> {
    STAGES.iter().find(|s| s.suffixes().any(|x| x == suffix))
}

/// One stage: its description, typed parameters and entry point.
pub trait Stage {
    const INFO: StageInfo;
    /// Every option of `immunoprofile STAGE` except `-o` (the prefix) and the global ones.
    type Params: Serialize + DeserializeOwned + Default + Clone + PartialEq + std::fmt::Debug;
    type Summary: Serialize;

    /// Range and consistency checks that need no file (run on manifests before any work, and
    /// again by [`Stage::run`]).
    ///
    /// # Errors
    /// A usage error naming the option.
    fn check(_params: &Self::Params) -> Result<()> {
        Ok(())
    }

    /// Runs the stage, writing `PREFIX.*`.
    ///
    /// # Errors
    /// Bad parameters or inputs, write failures.
    fn run(params: &Self::Params, prefix: &Path, threads: usize) -> Result<Self::Summary>;

    /// The command line (without the program name) that computes the same thing.
    fn to_args(params: &Self::Params, prefix: &Path) -> Vec<String> {
        values::to_args(Self::INFO.name, params, prefix, Self::INFO.reserved)
    }
}

/// A missing input that the command line requires.
pub(crate) fn need<T: Clone>(v: &Option<T>, stage: &str, flag: &str) -> Result<T> {
    v.clone()
        .ok_or_else(|| Error::usage(format!("{stage} needs --{flag}")))
}

/// `--alleles`: separators `,` `;` `|` and whitespace, anything left after a name refused, null
/// alleles (`…N`) warned about and not scored.
pub(crate) fn parse_alleles(list: &[String]) -> Result<Vec<crate::binding::HlaAllele>> {
    let list = crate::binding::parse_allele_list(list)
        .map_err(|e| Error::usage(format!("--alleles: {e}")))?;
    if !list.null.is_empty() {
        log::warn!(
            "null alleles are not expressed and are not scored: {}",
            list.null.join(", ")
        );
    }
    Ok(list.alleles)
}

/// A fraction option.
pub(crate) fn fraction(flag: &str, v: f64) -> Result<f64> {
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(Error::usage(format!(
            "--{flag} {v} is not a fraction between 0 and 1 (5% is 0.05)"
        )))
    }
}

/// One stage with its parameters: what the runner schedules and records.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    Annotate(annotate::Params),
    Tmb(tmb::Params),
    Peptides(peptides::Params),
    Binding(binding::Params),
    Quant(quant::Params),
    Signatures(signatures::Params),
    Neoantigens(neoantigens::Params),
    Msi(msi::Params),
    Hla(hla::Params),
    Response(response::Params),
    Report(report::Params),
}

macro_rules! each_job {
    ($self:expr, $stage:ident, $p:ident => $body:expr) => {
        match $self {
            Job::Annotate($p) => {
                #[allow(dead_code)]
                type $stage = annotate::Annotate;
                $body
            }
            Job::Tmb($p) => {
                #[allow(dead_code)]
                type $stage = tmb::Tmb;
                $body
            }
            Job::Peptides($p) => {
                #[allow(dead_code)]
                type $stage = peptides::Peptides;
                $body
            }
            Job::Binding($p) => {
                #[allow(dead_code)]
                type $stage = binding::Binding;
                $body
            }
            Job::Quant($p) => {
                #[allow(dead_code)]
                type $stage = quant::Quant;
                $body
            }
            Job::Signatures($p) => {
                #[allow(dead_code)]
                type $stage = signatures::Signatures;
                $body
            }
            Job::Neoantigens($p) => {
                #[allow(dead_code)]
                type $stage = neoantigens::Neoantigens;
                $body
            }
            Job::Msi($p) => {
                #[allow(dead_code)]
                type $stage = msi::Msi;
                $body
            }
            Job::Report($p) => {
                #[allow(dead_code)]
                type $stage = report::Report;
                $body
            }
            Job::Hla($p) => {
                #[allow(dead_code)]
                type $stage = hla::Hla;
                $body
            }
            Job::Response($p) => {
                #[allow(dead_code)]
                type $stage = response::Response;
                $body
            }
        }
    };
}

impl Job {
    pub fn info(&self) -> &'static StageInfo {
        each_job!(self, S, _p => &S::INFO)
    }

    pub fn name(&self) -> &'static str {
        self.info().name
    }

    /// The parameters as JSON (for the provenance record).
    pub fn params_json(&self) -> serde_json::Value {
        each_job!(self, S, p => serde_json::to_value(p).unwrap_or_default())
    }

    /// The equivalent command line, without the program name.
    pub fn to_args(&self, prefix: &Path) -> Vec<String> {
        each_job!(self, S, p => S::to_args(p, prefix))
    }

    /// Runs the stage (`report` places the sample against `cohort` when given, else reads the
    /// cohort folder of its parameters).
    ///
    /// # Errors
    /// Whatever the stage reports.
    pub fn run(
        &self,
        prefix: &Path,
        threads: usize,
        cohort: Option<&std::sync::Arc<crate::report::Cohort>>,
    ) -> Result<()> {
        if let Job::Report(p) = self {
            return report::run_with(p, Some(prefix), cohort.cloned()).map(|_| ());
        }
        each_job!(self, S, p => S::run(p, prefix, threads).map(|_| ()))
    }
}

/// Reads one stage's `[params.STAGE]` table (keys with `_` or `-`) into its typed parameters.
///
/// # Errors
/// One message per bad key, each starting with the key: reserved, unknown, or a value of the
/// wrong type or range.
pub fn params_from_table<S: Stage>(
    table: &toml::Table,
) -> std::result::Result<S::Params, Vec<String>> {
    let name = S::INFO.name;
    let known: Vec<String> = match serde_json::to_value(S::Params::default()) {
        Ok(serde_json::Value::Object(m)) => m.keys().cloned().collect(),
        _ => Vec::new(),
    };
    let mut problems = Vec::new();
    let mut good = toml::Table::new();
    for (key, value) in table {
        let field = key.replace('-', "_");
        let flag = field.replace('_', "-");
        if S::INFO.reserved.contains(&flag.as_str()) {
            problems.push(format!(
                "{key}: --{flag} is set by the runner from the samplesheet/reference; remove it"
            ));
            continue;
        }
        if !known.contains(&field) {
            let mut settable: Vec<&str> = known
                .iter()
                .map(String::as_str)
                .filter(|k| !S::INFO.reserved.contains(&k.replace('_', "-").as_str()))
                .collect();
            settable.sort_unstable();
            problems.push(format!(
                "{key}: `immunoprofile {name}` has no --{flag} (settable: {})",
                settable.join(", ")
            ));
            continue;
        }
        // One key at a time, so a type error names its key.
        let mut one = toml::Table::new();
        one.insert(field.clone(), value.clone());
        match toml::Value::Table(one).try_into::<S::Params>() {
            Ok(_) => {
                good.insert(field, value.clone());
            }
            Err(e) => problems.push(format!("{key}: {}", e.message().trim())),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let params: S::Params = toml::Value::Table(good)
        .try_into()
        .map_err(|e: toml::de::Error| vec![e.message().trim().to_string()])?;
    S::check(&params).map_err(|e| vec![e.to_string()])?;
    Ok(params)
}

/// Every stage's parameters, as read from a manifest's `[params]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AllParams {
    pub annotate: annotate::Params,
    pub tmb: tmb::Params,
    pub peptides: peptides::Params,
    pub binding: binding::Params,
    pub quant: quant::Params,
    pub signatures: signatures::Params,
    pub neoantigens: neoantigens::Params,
    pub msi: msi::Params,
    pub hla: hla::Params,
    pub response: response::Params,
    pub report: report::Params,
}

impl AllParams {
    /// Reads `[params.STAGE]` of stage `name` into its slot; the problems are prefixed with
    /// `params.STAGE.`.
    pub fn set(&mut self, name: &str, table: &toml::Table) -> Vec<String> {
        fn put<S: Stage>(slot: &mut S::Params, t: &toml::Table) -> Vec<String> {
            match params_from_table::<S>(t) {
                Ok(p) => {
                    *slot = p;
                    Vec::new()
                }
                Err(problems) => problems,
            }
        }
        let problems = match name {
            "annotate" => put::<annotate::Annotate>(&mut self.annotate, table),
            "tmb" => put::<tmb::Tmb>(&mut self.tmb, table),
            "peptides" => put::<peptides::Peptides>(&mut self.peptides, table),
            "binding" => put::<binding::Binding>(&mut self.binding, table),
            "quant" => put::<quant::Quant>(&mut self.quant, table),
            "signatures" => put::<signatures::Signatures>(&mut self.signatures, table),
            "neoantigens" => put::<neoantigens::Neoantigens>(&mut self.neoantigens, table),
            "msi" => put::<msi::Msi>(&mut self.msi, table),
            "hla" => put::<hla::Hla>(&mut self.hla, table),
            "response" => put::<response::Response>(&mut self.response, table),
            "report" => put::<report::Report>(&mut self.report, table),
            other => vec![format!("unknown stage {other}")],
        };
        problems
            .into_iter()
            .map(|p| format!("params.{name}.{p}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_dependency_order() {
        for (i, def) in STAGES.iter().enumerate() {
            for dep in def.after {
                let j = STAGES.iter().position(|d| d.name == *dep).unwrap();
                assert!(j < i, "{} must come after {dep}", def.name);
            }
        }
    }

    /// Regression: `neoantigens` and `peptides` both wrote `PREFIX.peptides.fasta`, so its
    /// content depended on which ran last.
    #[test]
    fn each_output_file_has_exactly_one_owning_stage() {
        let mut seen = std::collections::BTreeMap::new();
        for s in STAGES {
            for suffix in s.suffixes() {
                if let Some(other) = seen.insert(suffix, s.name) {
                    panic!("{suffix} is written by both {other} and {}", s.name);
                }
            }
        }
        // No suffix ends with another one (the report finds sample prefixes by suffix).
        for a in seen.keys() {
            for b in seen.keys() {
                assert!(
                    a == b || !a.ends_with(&format!(".{b}")),
                    "{a} ends with {b}: prefixes would be ambiguous"
                );
            }
        }
        assert_eq!(owner("peptides.fasta").unwrap().name, "peptides");
        assert_eq!(owner("neoantigens.fasta").unwrap().name, "neoantigens");
    }

    #[test]
    fn manifest_values_are_typed_and_named_by_key() {
        let t: toml::Table = toml::from_str("count = \"everything\"\nmin_depth = 20\n").unwrap();
        let e = params_from_table::<tmb::Tmb>(&t).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("count: ") && e[0].contains("everything"),
            "{e:?}"
        );

        let t: toml::Table = toml::from_str("min-dpeth = 3\nvcf = \"x\"\n").unwrap();
        let e = params_from_table::<tmb::Tmb>(&t).unwrap_err();
        assert!(e
            .iter()
            .any(|p| p.contains("has no --min-dpeth") && p.contains("min_depth")));
        assert!(e.iter().any(|p| p.contains("--vcf is set by the runner")));

        let t: toml::Table = toml::from_str("min_vaf = 1.5").unwrap();
        let e = params_from_table::<tmb::Tmb>(&t).unwrap_err();
        assert!(e[0].contains("--min-vaf 1.5 is not a fraction"), "{e:?}");

        let t: toml::Table =
            toml::from_str("min-depth = 20\ncount = \"coding\"\npass_only = false").unwrap();
        let p = params_from_table::<tmb::Tmb>(&t).unwrap();
        assert_eq!(p.min_depth, Some(20));
        assert_eq!(p.count, Some(crate::tmb::CountClass::Coding));
        assert_eq!(p.pass_only, Some(false));
    }

    #[test]
    fn to_args_lists_inputs_then_non_default_values_sorted_by_flag() {
        let p = tmb::Params {
            vcf: Some("in.vcf".into()),
            min_vaf: Some(0.05),
            exclude_indels: Some(true),
            pass_only: Some(false),
            population_af_field: Some(vec!["A".into(), "B".into()]),
            count: Some(crate::tmb::CountClass::All),
            ..tmb::Params::default()
        };
        assert_eq!(
            tmb::Tmb::to_args(&p, Path::new("out/S/S")),
            [
                "tmb",
                "--vcf",
                "in.vcf",
                "--count",
                "all",
                "--exclude-indels",
                "--min-vaf",
                "0.05",
                "--pass-only",
                "false",
                "--population-af-field",
                "A,B",
                "-o",
                "out/S/S"
            ]
        );
    }
}
