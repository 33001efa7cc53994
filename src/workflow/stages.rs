//! The one table of stages: for each, which stages it reads from, and how its command line,
//! inputs and outputs are built from a samplesheet row, the reference files and the manifest's
//! `[params.STAGE]`. `run`, the Snakefile and the Nextflow modules pass the same flags.
//!
//! Adding a stage: one [`StageDef`] entry and one `build_*` function.

use std::path::{Path, PathBuf};

use clap::CommandFactory;

use super::manifest::{Manifest, SampleRow};
use crate::io::output::prefixed;

/// What one stage needs to run for one sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    /// Without the program name: `["tmb", "--vcf", ...]`.
    pub args: Vec<String>,
    pub inputs: Vec<PathBuf>,
    /// The contract outputs; all must exist after a successful run.
    pub outputs: Vec<PathBuf>,
}

/// A stage for one sample: run it, or why not.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    Run(Invocation),
    /// The sample lacks an input the stage needs (e.g. no RNA BAM for `quant`).
    NotApplicable(String),
}

/// Everything a builder may look at.
pub struct Ctx<'a> {
    pub manifest: &'a Manifest,
    pub sample: &'a SampleRow,
    /// `OUT/SAMPLE/SAMPLE`.
    pub prefix: PathBuf,
    /// Stages that will produce outputs for this sample (before this one), so a builder can
    /// choose e.g. the annotated VCF over the samplesheet's.
    pub upstream: &'a [&'static str],
}

impl Ctx<'_> {
    fn out(&self, suffix: &str) -> PathBuf {
        prefixed(&self.prefix, suffix)
    }
    fn has(&self, stage: &str) -> bool {
        self.upstream.contains(&stage)
    }
    /// The VCF stages read: `annotate`'s output when it runs, else the samplesheet's.
    fn vcf(&self) -> Option<PathBuf> {
        if self.has("annotate") {
            Some(self.out("annotated.vcf.gz"))
        } else {
            self.sample.vcf.clone()
        }
    }
    fn expression(&self) -> Option<PathBuf> {
        if self.has("quant") {
            Some(self.out("quant.tsv"))
        } else {
            self.sample.expression.clone()
        }
    }
}

pub struct StageDef {
    pub name: &'static str,
    /// Stages whose outputs this one may read; it waits for them, and is blocked when one fails.
    pub after: &'static [&'static str],
    /// Run when the manifest does not list `stages`.
    pub default: bool,
    /// Flags the builder sets itself; a manifest may not set them in `[params.STAGE]`.
    pub reserved: &'static [&'static str],
    /// Manifest-level requirement (checked once, before any work), e.g. a reference file.
    pub requires: fn(&Manifest) -> Option<String>,
    pub build: fn(&Ctx) -> Plan,
}

/// Every stage, in an order where each comes after the stages it reads from.
pub const STAGES: &[StageDef] = &[
    StageDef {
        name: "annotate",
        after: &[],
        default: true,
        reserved: &["vcf", "gtf", "fasta", "output"],
        requires: needs_gtf_fasta,
        build: build_annotate,
    },
    StageDef {
        name: "tmb",
        after: &["annotate"],
        default: true,
        reserved: &["vcf", "targets", "output"],
        requires: needs_territory,
        build: build_tmb,
    },
    StageDef {
        name: "peptides",
        after: &["annotate"],
        default: true,
        reserved: &["vcf", "output"],
        requires: no_requirement,
        build: build_peptides,
    },
    StageDef {
        name: "binding",
        after: &["peptides"],
        default: false,
        reserved: &["alleles", "peptides", "output"],
        requires: no_requirement,
        build: build_binding,
    },
    StageDef {
        name: "quant",
        after: &[],
        default: true,
        reserved: &["bam", "gtf", "output"],
        requires: needs_gtf,
        build: build_quant,
    },
    StageDef {
        name: "signatures",
        after: &["quant"],
        default: true,
        reserved: &["expression", "output"],
        requires: no_requirement,
        build: build_signatures,
    },
    StageDef {
        name: "neoantigens",
        after: &["annotate", "quant"],
        default: true,
        reserved: &[
            "vcf",
            "alleles",
            "tumor-bam",
            "rna-bam",
            "expression",
            "output",
        ],
        requires: no_requirement,
        build: build_neoantigens,
    },
    StageDef {
        name: "msi",
        after: &[],
        default: true,
        reserved: &["tumor-bam", "normal-bam", "fasta", "output"],
        requires: needs_fasta,
        build: build_msi,
    },
    StageDef {
        name: "report",
        after: &[
            "annotate",
            "tmb",
            "peptides",
            "binding",
            "quant",
            "signatures",
            "neoantigens",
            "msi",
        ],
        default: true,
        reserved: &["dir", "cohort", "sample", "output"],
        requires: no_requirement,
        build: build_report,
    },
];

/// The definition of a stage by name.
pub fn stage(name: &str) -> Option<&'static StageDef> {
    STAGES.iter().find(|s| s.name == name)
}

fn no_requirement(_: &Manifest) -> Option<String> {
    None
}
fn needs_gtf_fasta(m: &Manifest) -> Option<String> {
    (m.reference.gtf.is_none() || m.reference.fasta.is_none())
        .then(|| "needs reference.gtf and reference.fasta".to_string())
}
fn needs_gtf(m: &Manifest) -> Option<String> {
    // Samples with a ready expression table need no GTF; only RNA BAMs are counted.
    (m.reference.gtf.is_none() && m.samples.iter().any(|s| s.rna_bam.is_some()))
        .then(|| "needs reference.gtf to count the RNA BAMs".to_string())
}
fn needs_fasta(m: &Manifest) -> Option<String> {
    (m.reference.fasta.is_none() && m.samples.iter().any(|s| s.tumor_bam.is_some()))
        .then(|| "needs reference.fasta for the tumour BAMs".to_string())
}
fn needs_territory(m: &Manifest) -> Option<String> {
    let p = m.params.get("tmb");
    let has = |k: &str| p.is_some_and(|p| p.contains_key(k));
    (m.reference.targets.is_none() && !has("effective-size") && !has("preset")).then(|| {
        "needs reference.targets (BED) or params.tmb.effective_size (bp) for the territory"
            .to_string()
    })
}

fn text(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn push(args: &mut Vec<String>, flag: &str, value: impl Into<String>) {
    args.push(format!("--{flag}"));
    args.push(value.into());
}

fn missing(what: &str) -> Plan {
    Plan::NotApplicable(format!("no {what} for this sample"))
}

fn build_annotate(c: &Ctx) -> Plan {
    let (Some(vcf), Some(gtf), Some(fasta)) = (
        c.sample.vcf.clone(),
        c.manifest.reference.gtf.clone(),
        c.manifest.reference.fasta.clone(),
    ) else {
        return missing("vcf");
    };
    let mut a = vec!["annotate".to_string()];
    push(&mut a, "vcf", text(&vcf));
    push(&mut a, "gtf", text(&gtf));
    push(&mut a, "fasta", text(&fasta));
    Plan::Run(Invocation {
        args: a,
        inputs: vec![vcf, gtf, fasta],
        outputs: vec![c.out("annotated.vcf.gz")],
    })
}

fn build_tmb(c: &Ctx) -> Plan {
    let Some(vcf) = c.vcf() else {
        return missing("vcf");
    };
    let mut a = vec!["tmb".to_string()];
    push(&mut a, "vcf", text(&vcf));
    let mut inputs = vec![vcf];
    if let Some(t) = &c.manifest.reference.targets {
        push(&mut a, "targets", text(t));
        inputs.push(t.clone());
    }
    Plan::Run(Invocation {
        args: a,
        inputs,
        outputs: vec![c.out("tmb.json"), c.out("tmb.variants.tsv")],
    })
}

fn build_peptides(c: &Ctx) -> Plan {
    let Some(vcf) = c.vcf() else {
        return missing("vcf");
    };
    let mut a = vec!["peptides".to_string()];
    push(&mut a, "vcf", text(&vcf));
    Plan::Run(Invocation {
        args: a,
        inputs: vec![vcf],
        outputs: vec![c.out("peptides.fasta"), c.out("peptides.tsv")],
    })
}

fn build_binding(c: &Ctx) -> Plan {
    if c.sample.hla_alleles.is_empty() {
        return missing("hla_alleles");
    }
    if !c.has("peptides") {
        return Plan::NotApplicable("needs the peptides stage".into());
    }
    let peptides = c.out("peptides.fasta");
    let mut a = vec!["binding".to_string()];
    push(&mut a, "alleles", c.sample.hla_alleles.join(","));
    push(&mut a, "peptides", text(&peptides));
    Plan::Run(Invocation {
        args: a,
        inputs: vec![peptides],
        outputs: vec![c.out("binding.tsv")],
    })
}

fn build_quant(c: &Ctx) -> Plan {
    let (Some(bam), Some(gtf)) = (c.sample.rna_bam.clone(), c.manifest.reference.gtf.clone())
    else {
        return missing("rna_bam");
    };
    let mut a = vec!["quant".to_string()];
    push(&mut a, "bam", text(&bam));
    push(&mut a, "gtf", text(&gtf));
    Plan::Run(Invocation {
        args: a,
        inputs: vec![bam, gtf],
        outputs: vec![c.out("quant.tsv"), c.out("quant.json")],
    })
}

fn build_signatures(c: &Ctx) -> Plan {
    let Some(e) = c.expression() else {
        return missing("expression table or rna_bam");
    };
    let mut a = vec!["signatures".to_string()];
    push(&mut a, "expression", text(&e));
    Plan::Run(Invocation {
        args: a,
        inputs: vec![e],
        outputs: vec![c.out("signatures.tsv"), c.out("signatures.json")],
    })
}

fn build_neoantigens(c: &Ctx) -> Plan {
    let Some(vcf) = c.vcf() else {
        return missing("vcf");
    };
    if c.sample.hla_alleles.is_empty() {
        return missing("hla_alleles");
    }
    let mut a = vec!["neoantigens".to_string()];
    push(&mut a, "vcf", text(&vcf));
    push(&mut a, "alleles", c.sample.hla_alleles.join(","));
    let mut inputs = vec![vcf];
    for (flag, path) in [
        ("tumor-bam", c.sample.tumor_bam.clone()),
        ("rna-bam", c.sample.rna_bam.clone()),
        ("expression", c.expression()),
    ] {
        if let Some(p) = path {
            push(&mut a, flag, text(&p));
            inputs.push(p);
        }
    }
    Plan::Run(Invocation {
        args: a,
        inputs,
        outputs: vec![c.out("neoantigens.tsv"), c.out("neoantigens.all.tsv")],
    })
}

fn build_msi(c: &Ctx) -> Plan {
    let (Some(t), Some(fasta)) = (
        c.sample.tumor_bam.clone(),
        c.manifest.reference.fasta.clone(),
    ) else {
        return missing("tumor_bam");
    };
    let mut a = vec!["msi".to_string()];
    push(&mut a, "tumor-bam", text(&t));
    let mut inputs = vec![t];
    if let Some(n) = &c.sample.normal_bam {
        push(&mut a, "normal-bam", text(n));
        inputs.push(n.clone());
    }
    push(&mut a, "fasta", text(&fasta));
    inputs.push(fasta);
    Plan::Run(Invocation {
        args: a,
        inputs,
        outputs: vec![c.out("msi.json"), c.out("msi.sites.tsv")],
    })
}

/// The report's inputs (every stage output of the cohort) are only known once the other stages
/// ran; the runner fills them in.
fn build_report(c: &Ctx) -> Plan {
    let dir = c.manifest.sample_dir(&c.sample.sample);
    let mut a = vec!["report".to_string()];
    push(&mut a, "dir", text(&dir));
    push(&mut a, "cohort", text(&c.manifest.output));
    Plan::Run(Invocation {
        args: a,
        inputs: Vec::new(),
        outputs: vec![c.out("report.json"), c.out("report.html")],
    })
}

/// The full argument list: the builder's flags, then `[params.STAGE]` sorted by flag, then
/// `-o PREFIX`. Values: `true` → `--flag`; `false` → `--flag false`; lists joined by commas.
pub fn with_params(
    mut inv: Invocation,
    params: Option<&std::collections::BTreeMap<String, toml::Value>>,
    prefix: &Path,
) -> Invocation {
    for (flag, value) in params.into_iter().flatten() {
        match value {
            toml::Value::Boolean(true) => inv.args.push(format!("--{flag}")),
            other => push(&mut inv.args, flag, value_text(other)),
        }
    }
    inv.args.push("-o".into());
    inv.args.push(text(prefix));
    inv
}

fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Array(a) => a.iter().map(value_text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// Whether this build has the subcommand (the stages of other branches are merged later).
pub fn available(name: &str) -> bool {
    crate::cli::Cli::command().find_subcommand(name).is_some()
}

/// Checks one `[params.STAGE]` entry against the stage's own clap definition.
///
/// # Errors
/// A reason, when the flag is reserved, unknown, or its value cannot be passed.
pub fn check_param(def: &StageDef, flag: &str, value: &toml::Value) -> Result<(), String> {
    if def.reserved.contains(&flag) {
        return Err(format!(
            "--{flag} is set by the runner from the samplesheet/reference; remove it"
        ));
    }
    match value {
        toml::Value::Table(_) | toml::Value::Datetime(_) => {
            return Err(format!(
                "expected a string, number, boolean or list, found {}",
                value.type_str()
            ))
        }
        toml::Value::Array(a)
            if a.iter()
                .any(|v| matches!(v, toml::Value::Table(_) | toml::Value::Array(_))) =>
        {
            return Err("a list may only hold strings or numbers".into())
        }
        _ => {}
    }
    let cmd = crate::cli::Cli::command();
    // A stage not in this build cannot be checked here; it fails with a clear message if run.
    let Some(sub) = cmd.find_subcommand(def.name) else {
        return Ok(());
    };
    let Some(arg) = sub.get_arguments().find(|a| a.get_long() == Some(flag)) else {
        let mut known: Vec<String> = sub
            .get_arguments()
            .filter_map(|a| a.get_long())
            .filter(|l| {
                !def.reserved.contains(l) && !matches!(*l, "help" | "version" | "threads" | "quiet")
            })
            .map(|l| l.replace('-', "_"))
            .collect();
        known.sort();
        return Err(format!(
            "`immunoprofile {}` has no --{flag} (settable: {})",
            def.name,
            known.join(", ")
        ));
    };
    let is_switch = matches!(arg.get_action(), clap::ArgAction::SetTrue);
    if is_switch && matches!(value, toml::Value::Boolean(false)) {
        return Err(format!(
            "--{flag} is a switch: omit it instead of setting false"
        ));
    }
    if is_switch && !matches!(value, toml::Value::Boolean(true)) {
        return Err(format!("--{flag} is a switch: set it to true"));
    }
    Ok(())
}

/// Manifest-level requirements of the chosen stages.
pub fn check_requirements(m: &Manifest) -> Vec<String> {
    m.stages
        .iter()
        .filter_map(|name| stage(name))
        .filter_map(|def| (def.requires)(m).map(|why| format!("stage {}: {why}", def.name)))
        .collect()
}

/// The plan of every chosen stage for one sample, in table order.
pub fn plan_sample(m: &Manifest, sample: &SampleRow) -> Vec<(&'static str, Plan)> {
    let prefix = m.sample_dir(&sample.sample).join(&sample.sample);
    let mut upstream: Vec<&'static str> = Vec::new();
    let mut out = Vec::new();
    for def in STAGES.iter().filter(|d| m.stages.contains(&d.name)) {
        let ctx = Ctx {
            manifest: m,
            sample,
            prefix: prefix.clone(),
            upstream: &upstream,
        };
        let plan = match (def.build)(&ctx) {
            Plan::Run(inv) => Plan::Run(with_params(inv, m.params.get(def.name), &prefix)),
            other => other,
        };
        if matches!(plan, Plan::Run(_)) {
            upstream.push(def.name);
        }
        out.push((def.name, plan));
    }
    out
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

    #[test]
    fn tmb_params_are_checked_against_its_clap_definition() {
        let tmb = stage("tmb").unwrap();
        assert!(check_param(tmb, "min-depth", &toml::Value::Integer(20)).is_ok());
        assert!(check_param(tmb, "pass-only", &toml::Value::Boolean(false)).is_ok());
        let e = check_param(tmb, "min-dpeth", &toml::Value::Integer(20)).unwrap_err();
        assert!(
            e.contains("has no --min-dpeth") && e.contains("min_depth"),
            "{e}"
        );
        assert!(check_param(tmb, "vcf", &toml::Value::String("x".into())).is_err());
    }

    #[test]
    fn params_become_flags_in_sorted_order() {
        let mut p = std::collections::BTreeMap::new();
        p.insert("min-vaf".to_string(), toml::Value::Float(0.05));
        p.insert("exclude-indels".to_string(), toml::Value::Boolean(true));
        p.insert("pass-only".to_string(), toml::Value::Boolean(false));
        p.insert(
            "population-af-field".to_string(),
            toml::Value::Array(vec!["A".into(), "B".into()]),
        );
        let inv = with_params(
            Invocation {
                args: vec!["tmb".into()],
                inputs: vec![],
                outputs: vec![],
            },
            Some(&p),
            Path::new("out/S/S"),
        );
        assert_eq!(
            inv.args,
            [
                "tmb",
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
