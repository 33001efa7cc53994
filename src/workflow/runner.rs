//! Runs the plan: samples in parallel on the global rayon pool, each sample's stages in
//! dependency order, every stage called in-process with its typed parameters (the same values
//! `immunoprofile STAGE ...` gets from the recorded command line, so a shell, Nextflow or
//! Snakemake write the same files). Reports come last: the cohort they place each sample
//! against is read once, then the reports, then the cohort files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use super::manifest::{Manifest, SampleRow};
use super::outcome::{Outcome, RunSummary};
use super::paths::resolve;
use super::plan::{self, Invocation, Plan, PlanJson};
use super::progress::Progress;
use super::state::{record_file, SampleState, StageRecord};
use crate::error::{Error, Result};
use crate::report::Cohort;

/// Options of `immunoprofile run`.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Re-run these stages even when up to date.
    pub force: Vec<String>,
    /// Run only these stages (their inputs must exist).
    pub only: Vec<String>,
    /// Only these samples.
    pub samples: Option<Vec<String>>,
    /// Print the plan, run nothing.
    pub dry_run: bool,
    /// Results folder instead of the manifest's `output`.
    pub output: Option<PathBuf>,
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./,:=+@%".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// `immunoprofile ARGS` as one shell line.
pub fn command_line(args: &[String]) -> String {
    std::iter::once("immunoprofile".to_string())
        .chain(args.iter().map(|a| shell_quote(a)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The cohort every report of the run is placed against, read and summarised once (a report
/// is up to date only while the cohort's fingerprint is unchanged).
fn shared_cohort(out: &Path) -> Result<Arc<Cohort>> {
    let cohort = if out.is_dir() {
        crate::report::load_cohort(out)?
    } else {
        Cohort::from_members(BTreeMap::new())
    };
    Ok(Arc::new(cohort))
}

/// This sample's stage outputs: the report's own inputs.
fn report_inputs(dir: &Path, sample: &str) -> Vec<PathBuf> {
    crate::report::stage_files(dir, sample)
        .into_iter()
        .flat_map(|(_, paths)| paths)
        .collect()
}

struct Runner<'a> {
    manifest: &'a Manifest,
    opts: &'a RunOptions,
    threads: usize,
    progress: &'a Progress,
    /// Set for the report phase.
    cohort: Option<&'a Arc<Cohort>>,
}

impl Runner<'_> {
    fn selected(&self, stage: &str) -> bool {
        self.opts.only.is_empty() || self.opts.only.iter().any(|s| s == stage)
    }

    fn stage(
        &self,
        row: &SampleRow,
        state: &mut SampleState,
        name: &'static str,
        inv: &Invocation,
        earlier: &[(&'static str, Outcome)],
    ) -> Outcome {
        let deps = inv.job.info().after;
        let fingerprint = match (name, self.cohort) {
            ("report", Some(c)) => Some(c.fingerprint.as_str()),
            _ => None,
        };
        if let Some((dep, _)) = earlier.iter().find(|(s, o)| deps.contains(s) && o.bad()) {
            return Outcome::Blocked(format!("{dep} did not complete"));
        }
        if !self.selected(name) {
            return Outcome::NotSelected;
        }
        let forced = self.opts.force.iter().any(|s| s == name);
        let reason = if forced {
            Some("forced".to_string())
        } else if let Some((dep, _)) = earlier
            .iter()
            .find(|(s, o)| self.opts.dry_run && deps.contains(s) && o.will_change())
        {
            Some(format!("after {dep}"))
        } else {
            match state.outdated(name, &inv.args, &inv.inputs, &inv.outputs, fingerprint) {
                Ok(r) => r,
                Err(e) => return Outcome::Failed(e.to_string()),
            }
        };
        let Some(reason) = reason else {
            return Outcome::UpToDate;
        };
        if self.opts.dry_run {
            return Outcome::WouldRun(reason);
        }
        let known = state.stages.get(name).cloned();
        let inputs: Result<Vec<_>> = inv
            .inputs
            .iter()
            .map(|p| {
                let old = known
                    .as_ref()
                    .and_then(|k| k.inputs.iter().find(|f| Path::new(&f.path) == p));
                record_file(p, old)
            })
            .collect();
        let inputs = match inputs {
            Ok(i) => i,
            Err(e) => return Outcome::Failed(e.to_string()),
        };
        let start = Instant::now();
        let result = inv
            .job
            .run(&inv.prefix, self.threads, self.cohort)
            .and_then(|()| {
                inv.outputs
                    .iter()
                    .map(|p| {
                        if p.is_file() {
                            record_file(p, None)
                        } else {
                            Err(Error::Internal(format!(
                                "stage {name} reported success but did not write {}",
                                p.display()
                            )))
                        }
                    })
                    .collect::<Result<Vec<_>>>()
            });
        let seconds = start.elapsed().as_secs_f64();
        let params = match inv.job.params_json() {
            serde_json::Value::Object(m) => m.into_iter().collect(),
            _ => BTreeMap::new(),
        };
        let (status, outputs, error) = match &result {
            Ok(outputs) => ("ok", outputs.clone(), None),
            Err(e) => ("failed", Vec::new(), Some(e.to_string())),
        };
        state.stages.insert(
            name.to_string(),
            StageRecord {
                stage: name.to_string(),
                status: status.to_string(),
                version: crate::VERSION.to_string(),
                command: inv.args.clone(),
                params,
                inputs,
                outputs,
                wall_seconds: (seconds * 1000.0).round() / 1000.0,
                error: error.clone(),
                cohort_sha256: fingerprint.map(str::to_string),
            },
        );
        if let Err(e) = state.save(&self.manifest.sample_dir(&row.sample)) {
            return Outcome::Failed(format!("cannot record the stage: {e}"));
        }
        match error {
            None => Outcome::Ran { seconds, reason },
            Some(e) => Outcome::Failed(e),
        }
    }

    /// Runs the stages of one sample accepted by `filter`, appending to `done`.
    fn sample(
        &self,
        row: &SampleRow,
        filter: impl Fn(&str) -> bool,
        done: &mut Vec<(&'static str, Outcome)>,
        plan_text: &mut String,
    ) {
        let dir = self.manifest.sample_dir(&row.sample);
        let mut state = SampleState::load(&dir, &row.sample);
        for (name, plan) in plan::plan_sample(self.manifest, row) {
            if !filter(name) {
                continue;
            }
            let mut command = None;
            let outcome = match plan {
                Plan::NotApplicable(why) => Outcome::NotApplicable(why),
                Plan::Run(mut inv) => {
                    if name == "report" {
                        inv.inputs = report_inputs(&dir, &row.sample);
                    }
                    command = Some(command_line(&inv.args));
                    self.stage(row, &mut state, name, &inv, done)
                }
            };
            if self.opts.dry_run {
                plan_text.push_str(&format!("  {name:<12} {}\n", outcome.describe()));
                if let (Outcome::WouldRun(_), Some(c)) = (&outcome, command) {
                    plan_text.push_str(&format!("               {c}\n"));
                }
            }
            self.progress.done(&row.sample, name, &outcome);
            done.push((name, outcome));
        }
    }
}

fn check_options(m: &Manifest, opts: &RunOptions) -> Result<()> {
    let mut problems = Vec::new();
    for (flag, list) in [("--force", &opts.force), ("--only", &opts.only)] {
        for s in list {
            if !m.stages.contains(&s.as_str()) {
                problems.push(format!(
                    "{flag} {s}: not a stage of this manifest (stages: {})",
                    m.stages.join(", ")
                ));
            }
        }
    }
    if let Some(samples) = &opts.samples {
        for s in samples {
            if !m.samples.iter().any(|r| &r.sample == s) {
                problems.push(format!(
                    "--samples {s}: not in the samplesheet (samples: {})",
                    m.samples
                        .iter()
                        .map(|r| r.sample.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::usage(problems.join("; ")))
    }
}

/// The manifest with `--output` applied, and the selected samples' rows checked.
fn load(manifest_path: &Path, opts: &RunOptions) -> Result<Manifest> {
    let mut manifest = Manifest::load(manifest_path)?;
    if let Some(out) = &opts.output {
        manifest.output = resolve(Path::new(""), &out.to_string_lossy());
    }
    check_options(&manifest, opts)?;
    Ok(manifest)
}

/// The plan of every selected sample (`run --plan json`), computed without running anything.
///
/// # Errors
/// An invalid manifest or option.
pub fn plan(manifest_path: &Path, opts: &RunOptions) -> Result<PlanJson> {
    let manifest = load(manifest_path, opts)?;
    let rows: Vec<&SampleRow> = manifest
        .samples
        .iter()
        .filter(|r| opts.samples.as_ref().is_none_or(|s| s.contains(&r.sample)))
        .collect();
    Ok(plan::plan_json(&manifest, &rows))
}

/// Validates the manifest and runs (or, with `dry_run`, plans) every selected stage.
///
/// # Errors
/// An invalid manifest or option (nothing is run). Stage failures are not errors here: they are
/// in the summary, and the other samples complete.
pub fn run(manifest_path: &Path, opts: &RunOptions, threads: usize) -> Result<RunSummary> {
    let manifest = load(manifest_path, opts)?;
    let rows: Vec<&SampleRow> = manifest
        .samples
        .iter()
        .filter(|r| opts.samples.as_ref().is_none_or(|s| s.contains(&r.sample)))
        .collect();
    let active: Vec<&'static str> = manifest
        .stages
        .iter()
        .copied()
        .filter(|s| opts.only.is_empty() || opts.only.iter().any(|o| o == s))
        .collect();
    let progress = Progress::new(&active, rows.len() as u64, opts.dry_run);
    let per_stage_threads = (threads / rows.len().clamp(1, threads.max(1))).max(1);
    let mut runner = Runner {
        manifest: &manifest,
        opts,
        threads: per_stage_threads,
        progress: &progress,
        cohort: None,
    };
    let start = Instant::now();
    let mut results: Vec<(Vec<(&'static str, Outcome)>, String)> = rows
        .par_iter()
        .map(|row| {
            let mut done = Vec::new();
            let mut text = String::new();
            runner.sample(row, |s| s != "report", &mut done, &mut text);
            (done, text)
        })
        .collect();
    if active.contains(&"report") {
        // Read once for every report of the run: per-sample report time stays flat as the
        // cohort grows.
        match shared_cohort(&manifest.output) {
            Ok(cohort) => {
                runner.cohort = Some(&cohort);
                let runner = &runner;
                results
                    .par_iter_mut()
                    .zip(rows.par_iter())
                    .for_each(|((done, text), row)| {
                        runner.sample(row, |s| s == "report", done, text)
                    });
            }
            Err(e) => {
                for (done, _) in &mut results {
                    done.push((
                        "report",
                        Outcome::Failed(format!("reading the cohort: {e}")),
                    ));
                }
            }
        }
    }
    progress.finish();

    let reports_changed = results.iter().any(|(d, _)| {
        d.iter()
            .any(|(s, o)| *s == "report" && matches!(o, Outcome::Ran { .. }))
    });
    // The matrices are expected when some sample has `quant` output.
    let quant_done = results.iter().any(|(d, _)| {
        d.iter()
            .any(|(s, o)| *s == "quant" && matches!(o, Outcome::Ran { .. } | Outcome::UpToDate))
    });
    let mut expected = vec![
        crate::report::cohort::COHORT_TSV,
        crate::report::cohort::MQC_GENERAL_STATS,
    ];
    if quant_done {
        expected.extend([
            crate::report::matrix::COUNTS_TSV,
            crate::report::matrix::TPM_TSV,
        ]);
    }
    let cohort_missing = expected.iter().any(|f| !manifest.output.join(f).is_file());
    let any_report = results.iter().any(|(d, _)| {
        d.iter()
            .any(|(s, o)| *s == "report" && matches!(o, Outcome::Ran { .. } | Outcome::UpToDate))
    });
    let mut cohort_error = None;
    if !opts.dry_run
        && active.contains(&"report")
        && any_report
        && (reports_changed || cohort_missing)
    {
        match crate::report::cohort::run(&manifest.output) {
            Ok(files) => log::info!(
                "cohort: wrote {} files into {}",
                files.len(),
                manifest.output.display()
            ),
            Err(e) => cohort_error = Some(e.to_string()),
        }
    }

    let mut plan_text = String::new();
    let mut samples = Vec::new();
    for (row, (done, text)) in rows.iter().zip(results) {
        if opts.dry_run {
            plan_text.push_str(&format!("{}:\n{text}", row.sample));
        }
        samples.push((row.sample.clone(), done));
    }
    if let Some(e) = cohort_error {
        samples.push(("cohort".to_string(), vec![("report", Outcome::Failed(e))]));
    }
    let summary = RunSummary { samples, plan_text };
    if !opts.dry_run {
        log::info!(
            "{} samples: {} stages ran, {} up to date, {} failed, {} blocked, in {:.2} s",
            rows.len(),
            summary.count(|o| matches!(o, Outcome::Ran { .. })),
            summary.count(|o| matches!(o, Outcome::UpToDate)),
            summary.count(|o| matches!(o, Outcome::Failed(_))),
            summary.count(|o| matches!(o, Outcome::Blocked(_))),
            start.elapsed().as_secs_f64()
        );
    }
    Ok(summary)
}
