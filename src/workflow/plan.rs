//! The plan of one sample: for each chosen stage, its typed parameters (the manifest's
//! `[params.STAGE]` plus the inputs from the samplesheet and reference), its input and output
//! files, and the equivalent command line. `run` executes it; `run --plan json` prints it for
//! the Snakefile.
//!
//! Stage names, dependencies and output files come from [`crate::stage::STAGES`]; this file
//! only says which samplesheet/reference file feeds which parameter.

use std::path::PathBuf;

use serde::Serialize;

use super::manifest::{Manifest, SampleRow};
use crate::io::output::prefixed;
use crate::stage::{self, Job, StageInfo, STAGES};

/// What one stage needs to run for one sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    pub job: Job,
    /// The equivalent command line, without the program name: `["tmb", "--vcf", ...]`.
    pub args: Vec<String>,
    pub inputs: Vec<PathBuf>,
    /// The files every successful run writes; all must exist afterwards.
    pub outputs: Vec<PathBuf>,
    /// `OUT/SAMPLE/SAMPLE`.
    pub prefix: PathBuf,
}

/// A stage for one sample: run it, or why not.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    Run(Box<Invocation>),
    /// The sample lacks an input the stage needs (e.g. no RNA BAM for `quant`).
    NotApplicable(String),
}

/// Everything a builder may look at.
struct Ctx<'a> {
    manifest: &'a Manifest,
    sample: &'a SampleRow,
    prefix: PathBuf,
    /// Stages that will produce outputs for this sample (before this one), so a builder can
    /// choose e.g. the annotated VCF over the samplesheet's.
    upstream: &'a [&'static str],
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
    fn plan(&self, job: Job, inputs: Vec<PathBuf>) -> Plan {
        let info = job.info();
        Plan::Run(Box::new(Invocation {
            args: job.to_args(&self.prefix),
            outputs: info.required_outputs(&self.prefix),
            job,
            inputs,
            prefix: self.prefix.clone(),
        }))
    }
}

fn missing(what: &str) -> Plan {
    Plan::NotApplicable(format!("no {what} for this sample"))
}

fn build(name: &str, c: &Ctx) -> Plan {
    let m = c.manifest;
    let all = &m.params;
    match name {
        "annotate" => {
            let (Some(vcf), Some(gtf), Some(fasta)) = (
                c.sample.vcf.clone(),
                m.reference.gtf.clone(),
                m.reference.fasta.clone(),
            ) else {
                return missing("vcf");
            };
            let p = stage::annotate::Params {
                vcf: Some(vcf.clone()),
                gtf: Some(gtf.clone()),
                fasta: Some(fasta.clone()),
                ..all.annotate.clone()
            };
            c.plan(Job::Annotate(p), vec![vcf, gtf, fasta])
        }
        "hla" => {
            let Some(imgt) = m.reference.imgt.clone() else {
                return Plan::NotApplicable("no reference.imgt (IPD-IMGT/HLA release)".into());
            };
            // FASTQ given for typing first; else normal DNA (germline, no tumour HLA loss), then
            // tumour DNA, then RNA.
            let bam = c
                .sample
                .normal_bam
                .clone()
                .or_else(|| c.sample.tumor_bam.clone())
                .or_else(|| c.sample.rna_bam.clone());
            let mut p = stage::hla::Params {
                imgt: Some(imgt),
                ..all.hla.clone()
            };
            if p.index_cache.is_none() {
                // One index for the run, built by the first sample to need it (written under a
                // unique temporary name, then renamed), not one per sample folder.
                p.index_cache = Some(m.output.join("hla-index"));
            }
            let mut inputs = Vec::new();
            if let Some(r1) = c.sample.fastq_1.clone() {
                // Reads given for typing win over the alignments.
                inputs.push(r1.clone());
                inputs.extend(c.sample.fastq_2.clone());
                p.fastq = Some(r1);
                p.fastq2 = c.sample.fastq_2.clone();
            } else if let Some(bam) = bam {
                inputs.push(bam.clone());
                if bam.extension().is_some_and(|e| e == "cram") {
                    p.fasta = m.reference.fasta.clone();
                    inputs.extend(m.reference.fasta.clone());
                }
                p.bam = Some(bam);
            } else {
                return missing("normal_bam, tumor_bam, rna_bam or fastq_1");
            }
            c.plan(Job::Hla(p), inputs)
        }
        "tmb" => {
            let Some(vcf) = c.vcf() else {
                return missing("vcf");
            };
            let mut inputs = vec![vcf.clone()];
            inputs.extend(m.reference.targets.clone());
            let p = stage::tmb::Params {
                vcf: Some(vcf),
                targets: m.reference.targets.clone(),
                ..all.tmb.clone()
            };
            c.plan(Job::Tmb(p), inputs)
        }
        "peptides" => {
            let Some(vcf) = c.vcf() else {
                return missing("vcf");
            };
            let p = stage::peptides::Params {
                vcf: Some(vcf.clone()),
                ..all.peptides.clone()
            };
            c.plan(Job::Peptides(p), vec![vcf])
        }
        "binding" => {
            if c.sample.hla_alleles.is_empty() {
                return missing("hla_alleles");
            }
            if !c.has("peptides") {
                return Plan::NotApplicable("needs the peptides stage".into());
            }
            let peptides = c.out("peptides.fasta");
            let p = stage::binding::Params {
                alleles: c.sample.hla_alleles.clone(),
                peptides: Some(peptides.clone()),
                ..all.binding.clone()
            };
            c.plan(Job::Binding(p), vec![peptides])
        }
        "quant" => {
            let (Some(bam), Some(gtf)) = (c.sample.rna_bam.clone(), m.reference.gtf.clone()) else {
                return missing("rna_bam");
            };
            let p = stage::quant::Params {
                bam: Some(bam.clone()),
                gtf: Some(gtf.clone()),
                ..all.quant.clone()
            };
            c.plan(Job::Quant(p), vec![bam, gtf])
        }
        "signatures" => {
            let Some(e) = c.expression() else {
                return missing("expression table or rna_bam");
            };
            // The GTF names genes for tables keyed by gene ID (a samplesheet featureCounts table).
            let gtf = all
                .signatures
                .gtf
                .clone()
                .or_else(|| m.reference.gtf.clone());
            let mut inputs = vec![e.clone()];
            inputs.extend(gtf.clone());
            let p = stage::signatures::Params {
                expression: Some(e),
                gtf,
                ..all.signatures.clone()
            };
            c.plan(Job::Signatures(p), inputs)
        }
        "neoantigens" => {
            let Some(vcf) = c.vcf() else {
                return missing("vcf");
            };
            // Alleles given in the samplesheet (class I and II mixed) win; else the typed ones.
            let hla_json =
                (c.sample.hla_alleles.is_empty() && c.has("hla")).then(|| c.out("hla.json"));
            if c.sample.hla_alleles.is_empty() && hla_json.is_none() {
                return missing("hla_alleles (or HLA typing: reference.imgt and reads)");
            }
            // Class II pseudo-sequences come from the release: passed when class II molecules
            // may be scored (given in the samplesheet, or typed).
            let (_, given_class2) = stage::binding::split_classes(&c.sample.hla_alleles);
            let imgt = (hla_json.is_some() || !given_class2.is_empty())
                .then(|| m.reference.imgt.clone())
                .flatten();
            let mut inputs = vec![vcf.clone()];
            inputs.extend(hla_json.clone());
            let (tumor_bam, rna_bam, expression) = (
                c.sample.tumor_bam.clone(),
                c.sample.rna_bam.clone(),
                c.expression(),
            );
            inputs.extend(tumor_bam.iter().chain(&rna_bam).chain(&expression).cloned());
            let p = stage::neoantigens::Params {
                vcf: Some(vcf),
                alleles: c.sample.hla_alleles.clone(),
                hla_json,
                imgt,
                tumor_bam,
                rna_bam,
                expression: expression.into_iter().collect(),
                ..all.neoantigens.clone()
            };
            c.plan(Job::Neoantigens(p), inputs)
        }
        "msi" => {
            let (Some(t), Some(fasta)) = (c.sample.tumor_bam.clone(), m.reference.fasta.clone())
            else {
                return missing("tumor_bam");
            };
            let mut inputs = vec![t.clone()];
            inputs.extend(c.sample.normal_bam.clone());
            inputs.push(fasta.clone());
            let p = stage::msi::Params {
                tumor_bam: Some(t),
                normal_bam: c.sample.normal_bam.clone(),
                fasta: Some(fasta),
                ..all.msi.clone()
            };
            c.plan(Job::Msi(p), inputs)
        }
        "response" => {
            let tmb_json = c.has("tmb").then(|| c.out("tmb.json"));
            let msi_json = c.has("msi").then(|| c.out("msi.json"));
            let hla_json = c.has("hla").then(|| c.out("hla.json"));
            if tmb_json.is_none() && m.reference.clinical.is_none() {
                return Plan::NotApplicable("needs the tmb stage or reference.clinical".into());
            }
            let mut inputs: Vec<PathBuf> = [&tmb_json, &msi_json, &hla_json, &m.reference.clinical]
                .into_iter()
                .flatten()
                .cloned()
                .collect();
            inputs.sort();
            let p = stage::response::Params {
                tmb_json,
                msi_json,
                hla_json,
                alleles: c.sample.hla_alleles.clone(),
                imgt: m.reference.imgt.clone(),
                clinical: m.reference.clinical.clone(),
                sample: Some(c.sample.sample.clone()),
                ..all.response.clone()
            };
            c.plan(Job::Response(p), inputs)
        }
        "report" => {
            // The report's inputs: this sample's stage outputs, known once the stages ran (the
            // runner fills them in); the cohort enters through its fingerprint.
            let p = stage::report::Params {
                dir: Some(m.sample_dir(&c.sample.sample)),
                cohort: Some(m.output.clone()),
                ..all.report.clone()
            };
            c.plan(Job::Report(p), Vec::new())
        }
        other => Plan::NotApplicable(format!("unknown stage {other}")),
    }
}

/// Manifest-level requirements of the chosen stages (checked once, before any work).
pub fn check_requirements(m: &Manifest) -> Vec<String> {
    let mut out = Vec::new();
    let chosen = |s: &str| m.stages.contains(&s);
    let mut need = |stage: &str, why: Option<&str>| {
        if let (true, Some(why)) = (chosen(stage), why) {
            out.push(format!("stage {stage}: {why}"));
        }
    };
    need(
        "annotate",
        (m.reference.gtf.is_none() || m.reference.fasta.is_none())
            .then_some("needs reference.gtf and reference.fasta"),
    );
    // Samples with a ready expression table need no GTF; only RNA BAMs are counted.
    need(
        "quant",
        (m.reference.gtf.is_none() && m.samples.iter().any(|s| s.rna_bam.is_some()))
            .then_some("needs reference.gtf to count the RNA BAMs"),
    );
    need(
        "msi",
        (m.reference.fasta.is_none() && m.samples.iter().any(|s| s.tumor_bam.is_some()))
            .then_some("needs reference.fasta for the tumour BAMs"),
    );
    let t = &m.params.tmb;
    need(
        "tmb",
        (m.reference.targets.is_none() && t.effective_size.is_none() && t.preset.is_none())
            .then_some(
                "needs reference.targets (BED) or params.tmb.effective_size (bp) for the territory",
            ),
    );
    out
}

/// The plan of every chosen stage for one sample, in pipeline order.
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
        let plan = build(def.name, &ctx);
        if matches!(plan, Plan::Run(_)) {
            upstream.push(def.name);
        }
        out.push((def.name, plan));
    }
    out
}

/// One stage of one sample in `run --plan json`.
#[derive(Debug, Serialize)]
pub struct PlannedStage {
    pub stage: &'static str,
    /// `run` or `not_applicable`.
    pub action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Stages of this sample that must finish first (those of [`StageInfo::after`] that run).
    pub after: Vec<&'static str>,
    /// The full command line, program name first.
    pub command: Vec<String>,
    /// Input files; for `report`, every stage output of this sample (the cohort is read from
    /// the results folder once all samples' stages are done).
    pub inputs: Vec<PathBuf>,
    /// Files every successful run writes.
    pub outputs: Vec<PathBuf>,
    /// Every file the stage may write (optional ones included).
    pub all_outputs: Vec<PathBuf>,
}

/// The plan of every sample, as `run --plan json` prints it.
#[derive(Debug, Serialize)]
pub struct PlanJson {
    pub version: &'static str,
    pub output: PathBuf,
    /// The `report --cohort` step run once after every sample's report.
    pub cohort_command: Option<Vec<String>>,
    pub cohort_outputs: Vec<PathBuf>,
    pub samples: Vec<PlannedSample>,
}

#[derive(Debug, Serialize)]
pub struct PlannedSample {
    pub sample: String,
    pub stages: Vec<PlannedStage>,
}

fn all_outputs(info: &StageInfo, prefix: &std::path::Path) -> Vec<PathBuf> {
    info.suffixes().map(|s| prefixed(prefix, s)).collect()
}

/// The machine-readable plan of `rows`.
pub fn plan_json(m: &Manifest, rows: &[&SampleRow]) -> PlanJson {
    let mut samples = Vec::new();
    for row in rows {
        let planned = plan_sample(m, row);
        let running: Vec<&'static str> = planned
            .iter()
            .filter(|(_, p)| matches!(p, Plan::Run(_)))
            .map(|(n, _)| *n)
            .collect();
        let mut stages = Vec::new();
        for (name, plan) in &planned {
            let info = stage::info(name).unwrap_or(&STAGES[0]);
            let after: Vec<&'static str> = info
                .after
                .iter()
                .copied()
                .filter(|d| running.contains(d))
                .collect();
            stages.push(match plan {
                Plan::NotApplicable(why) => PlannedStage {
                    stage: name,
                    action: "not_applicable",
                    reason: Some(why.clone()),
                    after,
                    command: Vec::new(),
                    inputs: Vec::new(),
                    outputs: Vec::new(),
                    all_outputs: Vec::new(),
                },
                Plan::Run(inv) => {
                    let mut inputs = inv.inputs.clone();
                    if *name == "report" {
                        // Every required output of the stages before it (Snakemake's DAG).
                        for (dep, p) in &planned {
                            if let (Plan::Run(d), true) = (p, after.contains(dep)) {
                                inputs.extend(d.outputs.iter().cloned());
                            }
                        }
                    }
                    PlannedStage {
                        stage: name,
                        action: "run",
                        reason: None,
                        after,
                        command: std::iter::once("immunoprofile".to_string())
                            .chain(inv.args.iter().cloned())
                            .collect(),
                        inputs,
                        outputs: inv.outputs.clone(),
                        all_outputs: all_outputs(info, &inv.prefix),
                    }
                }
            });
        }
        samples.push(PlannedSample {
            sample: row.sample.clone(),
            stages,
        });
    }
    let cohort = m.stages.contains(&"report");
    // The matrices exist when some sample's `quant` runs.
    let matrices = samples.iter().any(|s| {
        s.stages
            .iter()
            .any(|p| p.stage == "quant" && p.action == "run")
    });
    PlanJson {
        version: crate::VERSION,
        output: m.output.clone(),
        cohort_command: cohort.then(|| {
            vec![
                "immunoprofile".to_string(),
                "report".into(),
                "--cohort".into(),
                m.output.to_string_lossy().into_owned(),
            ]
        }),
        cohort_outputs: if cohort {
            let mut files = vec![
                m.output.join(crate::report::cohort::COHORT_TSV),
                m.output.join(crate::report::cohort::MQC_GENERAL_STATS),
            ];
            if matrices {
                files.push(m.output.join(crate::report::matrix::COUNTS_TSV));
                files.push(m.output.join(crate::report::matrix::TPM_TSV));
            }
            files
        } else {
            Vec::new()
        },
        samples,
    }
}
