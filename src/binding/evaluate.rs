//! The training pipeline: read the data, cross-validate (peptide-disjoint folds and
//! allele-disjoint groups), fit the shipped model on everything, and write `model.bin` and
//! `EVALUATION.md`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::binding::data::{read_measurements, read_pseudosequences, LoadStats, Measurement};
use crate::binding::encoding::{encode_pseudo, EncodedPeptide, PSEUDO_LEN};
use crate::binding::model::{fnv1a, ic50_to_score, AlleleProjections, AlleleRecord, Model};
use crate::binding::train::{train_network, Example, TrainConfig};
use crate::binding::HlaAllele;
use crate::error::{Error, Result};
use crate::io::output::AtomicFile;

/// Binder threshold for AUC (nM).
pub const BINDER_NM: f64 = 500.0;
/// Cross-validation folds (peptides) and allele groups.
pub const FOLDS: usize = 5;
/// Alleles entering the headline means: at least this many binders and non-binders.
pub const MIN_CLASS: usize = 50;
/// The peptide fold (and allele group) on which model settings were chosen; the report also
/// gives the means over the other folds, which played no part in the choice.
pub const SELECTION_FOLD: usize = 0;
/// HLA-C summary row: alleles with at least this many binders and non-binders.
pub const MIN_CLASS_C: usize = 20;
/// Replaced by the selection table when the report is written.
const SELECTION_PLACEHOLDER: &str = "<!-- selection runs -->";

/// How the shipped settings were chosen (EVALUATION.md); the table rows are the
/// `selection.log` of the output folder, written by `train-binding --select`.
const SELECTION_TEXT: &str = "**How the settings were chosen**: only on peptide fold 0 (CV: trained on folds 1–4, \
scored on fold 0) and allele group 0 (allele-out: trained without group 0's alleles and without fold 0's \
peptides, scored on group 0's pairs in fold 0), with `train-binding --select` (the seconds column is wall \
time on a shared, heavily loaded 2-core machine). The CV rows above include fold 0 and are therefore partly the selection data; \
the rows without fold 0 / group 0 are untouched by the choice. Every configuration tried:";

/// Area under the ROC curve of `scores` (higher = positive) for `labels`, ties counted half
/// (Mann–Whitney). `None` without both classes.
pub fn auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let ranks = average_ranks(scores);
    let n_pos = labels.iter().filter(|&&l| l).count();
    let n_neg = labels.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    let rank_sum: f64 = ranks
        .iter()
        .zip(labels)
        .filter(|(_, &l)| l)
        .map(|(r, _)| r)
        .sum();
    let u = rank_sum - (n_pos * (n_pos + 1)) as f64 / 2.0;
    Some(u / (n_pos as f64 * n_neg as f64))
}

/// Spearman rank correlation (Pearson on average ranks). `None` for fewer than 3 points or a
/// constant input.
pub fn spearman(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.len() < 3 || a.len() != b.len() {
        return None;
    }
    let (ra, rb) = (average_ranks(a), average_ranks(b));
    let n = ra.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in ra.iter().zip(&rb) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    (saa > 0.0 && sbb > 0.0).then(|| sab / (saa * sbb).sqrt())
}

/// 1-based ranks with ties given their average rank.
fn average_ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
    let mut ranks = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            ranks[k] = r;
        }
        i = j + 1;
    }
    ranks
}

/// Peptide fold: a hash of the sequence, so a peptide lands in the same fold for every allele
/// (no test peptide is ever seen in training, whatever the allele).
pub fn peptide_fold(peptide: &str) -> usize {
    (fnv1a(peptide.as_bytes()) % FOLDS as u64) as usize
}

/// The training data ready for fitting: measurements with their allele index and encodings.
pub struct Dataset {
    pub measurements: Vec<Measurement>,
    pub stats: LoadStats,
    /// Alleles with measurements, sorted; `allele_of[i]` indexes into it.
    pub alleles: Vec<HlaAllele>,
    pub allele_inputs: Vec<Vec<f32>>,
    pub allele_of: Vec<u32>,
    pub peptides: Vec<EncodedPeptide>,
    /// Every human class I allele with a pseudo-sequence.
    pub table: Vec<(HlaAllele, [u8; PSEUDO_LEN])>,
    /// Measurements without a pseudo-sequence for their allele (dropped).
    pub no_pseudo: usize,
    pub provenance_inputs: Vec<(String, u64)>,
}

impl Dataset {
    /// Reads `DIR/hla_class1_binding_train.tsv.gz` and `DIR/hla_pseudosequences_34aa.csv`.
    ///
    /// # Errors
    /// Either file is missing or malformed.
    pub fn load(dir: &Path) -> Result<Self> {
        let mpath = dir.join("hla_class1_binding_train.tsv.gz");
        let ppath = dir.join("hla_pseudosequences_34aa.csv");
        let table = read_pseudosequences(&ppath)?;
        let (all, stats) = read_measurements(&mpath)?;
        let pseudo: BTreeMap<&HlaAllele, &[u8; PSEUDO_LEN]> =
            table.iter().map(|(a, p)| (a, p)).collect();
        let before = all.len();
        let measurements: Vec<Measurement> = all
            .into_iter()
            .filter(|m| pseudo.contains_key(&m.allele))
            .collect();
        let no_pseudo = before - measurements.len();
        let mut alleles: Vec<HlaAllele> = measurements.iter().map(|m| m.allele.clone()).collect();
        alleles.sort();
        alleles.dedup();
        let allele_inputs = alleles.iter().map(|a| encode_pseudo(pseudo[a])).collect();
        let allele_of = measurements
            .iter()
            .map(|m| {
                alleles
                    .binary_search(&m.allele)
                    .map(|i| i as u32)
                    .map_err(|_| Error::Internal("allele index".into()))
            })
            .collect::<Result<Vec<_>>>()?;
        let peptides = measurements
            .iter()
            .map(|m| {
                EncodedPeptide::new(m.peptide.as_bytes())
                    .map_err(|e| Error::Internal(e.to_string()))
            })
            .collect::<Result<Vec<_>>>()?;
        let checksum = |p: &Path| -> Result<(String, u64)> {
            let bytes = std::fs::read(p).map_err(|e| Error::io(p, e))?;
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok((name, fnv1a(&bytes)))
        };
        let provenance_inputs = vec![checksum(&mpath)?, checksum(&ppath)?];
        Ok(Self {
            measurements,
            stats,
            alleles,
            allele_inputs,
            allele_of,
            peptides,
            table,
            no_pseudo,
            provenance_inputs,
        })
    }

    fn examples(&self, keep: impl Fn(usize) -> bool) -> Vec<Example> {
        (0..self.measurements.len())
            .filter(|&i| keep(i))
            .map(|i| Example {
                allele: self.allele_of[i],
                peptide: self.peptides[i],
                target: ic50_to_score(self.measurements[i].ic50) as f32,
            })
            .collect()
    }

    /// Fits an ensemble on the measurements `keep` selects, with the allele table given.
    fn fit(
        &self,
        keep: impl Fn(usize) -> bool,
        config: &TrainConfig,
        seed: u64,
        alleles: Vec<AlleleRecord>,
    ) -> Model {
        let ex = self.examples(keep);
        let networks = (0..config.ensemble)
            .into_par_iter()
            .map(|k| {
                train_network(
                    &ex,
                    &self.allele_inputs,
                    config,
                    seed.wrapping_add(k as u64 * 7919),
                )
            })
            .collect();
        Model {
            networks,
            alleles,
            provenance: String::new(),
        }
    }

    /// Predicted scores for the measurements `which` selects, with `model` (allele table =
    /// the training alleles).
    fn predict(&self, model: &Model, which: &[usize]) -> Vec<(usize, f64)> {
        let mut by_allele: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for &i in which {
            by_allele.entry(self.allele_of[i]).or_default().push(i);
        }
        let mut out = Vec::with_capacity(which.len());
        let mut scores = Vec::new();
        for (a, idx) in by_allele {
            let proj = AlleleProjections::new(model, &model.alleles[a as usize].pseudo);
            let scorer = proj.scorer(model);
            let peps: Vec<EncodedPeptide> = idx.iter().map(|&i| self.peptides[i]).collect();
            scorer.score_into(&peps, &mut scores);
            out.extend(idx.iter().zip(&scores).map(|(&i, &s)| (i, f64::from(s))));
        }
        out
    }

    fn training_allele_records(&self) -> Vec<AlleleRecord> {
        let pseudo: BTreeMap<&HlaAllele, &[u8; PSEUDO_LEN]> =
            self.table.iter().map(|(a, p)| (a, p)).collect();
        self.alleles
            .iter()
            .map(|a| AlleleRecord {
                allele: a.clone(),
                pseudo: *pseudo[a],
                measurements: 0,
            })
            .collect()
    }
}

/// Per-allele evaluation numbers.
#[derive(Debug, Clone, Serialize)]
pub struct AlleleEvaluation {
    pub allele: String,
    pub measurements: usize,
    pub binders: usize,
    pub non_binders: usize,
    pub cv_auc: Option<f64>,
    pub cv_spearman: Option<f64>,
    /// Pairs and binders in the allele-out test set (the allele's pairs in one peptide fold).
    pub allele_out_pairs: usize,
    pub allele_out_binders: usize,
    pub allele_out_auc: Option<f64>,
    pub allele_out_spearman: Option<f64>,
    /// The CV and allele-out AUCs without the selection fold.
    pub cv_auc_rest: Option<f64>,
    pub allele_out_auc_rest: Option<f64>,
}

/// What the pipeline produced.
pub struct TrainingOutcome {
    pub model: Model,
    pub evaluation: Vec<AlleleEvaluation>,
    pub report: String,
}

/// Cross-validates, fits the final model and renders EVALUATION.md. `evaluate = false` skips
/// the cross-validation (quick refits).
pub fn run_pipeline(data: &Dataset, config: &TrainConfig, evaluate: bool) -> TrainingOutcome {
    run_pipeline_with(
        data,
        config,
        if evaluate { Mode::Full } else { Mode::FitOnly },
    )
}

/// What [`run_pipeline_with`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Both evaluations and the final fit.
    Full,
    /// The final fit only.
    FitOnly,
    /// The allele-out evaluation only (no model is fitted).
    AlleleOutOnly,
    /// Selection run: peptide fold 0 and allele group 0 only (the folds settings are chosen
    /// on; no model is fitted).
    Select,
}

/// See [`Mode`].
pub fn run_pipeline_with(data: &Dataset, config: &TrainConfig, mode: Mode) -> TrainingOutcome {
    let evaluate = mode != Mode::FitOnly;
    let n = data.measurements.len();
    let folds: Vec<usize> = data
        .measurements
        .iter()
        .map(|m| peptide_fold(&m.peptide))
        .collect();
    // Allele groups: alleles ranked by measurement count, dealt round-robin so every group
    // mixes well- and poorly-measured alleles.
    let mut counts = vec![0usize; data.alleles.len()];
    for &a in &data.allele_of {
        counts[a as usize] += 1;
    }
    let mut ranked: Vec<usize> = (0..data.alleles.len()).collect();
    ranked.sort_by(|&i, &j| counts[j].cmp(&counts[i]).then(i.cmp(&j)));
    let mut group = vec![0usize; data.alleles.len()];
    for (r, &a) in ranked.iter().enumerate() {
        group[a] = r % FOLDS;
    }

    let mut cv = vec![f64::NAN; n];
    let mut out_of_allele = vec![f64::NAN; n];
    if evaluate {
        // Jobs 0..FOLDS: peptide folds; FOLDS..2*FOLDS: allele groups. Each job is one
        // deterministic single-threaded fit; jobs run in parallel and are merged in order.
        let job_ids: Vec<usize> = match mode {
            Mode::AlleleOutOnly => (FOLDS..2 * FOLDS).collect(),
            Mode::Select => vec![SELECTION_FOLD, FOLDS + SELECTION_FOLD],
            _ => (0..2 * FOLDS).collect(),
        };
        let jobs: Vec<Vec<(usize, f64)>> = job_ids
            .par_iter()
            .map(|&job| job)
            .map(|job| {
                let records = data.training_allele_records();
                if job < FOLDS {
                    let f = job;
                    let model = data.fit(
                        |i| folds[i] != f,
                        config,
                        config.seed ^ (job as u64 + 1),
                        records,
                    );
                    let test: Vec<usize> = (0..n).filter(|&i| folds[i] == f).collect();
                    data.predict(&model, &test)
                } else {
                    // Allele group g with peptide fold g: the model never sees the held-out
                    // alleles, nor (on any allele) the peptides it is tested on.
                    let g = job - FOLDS;
                    let held_out = |i: usize| group[data.allele_of[i] as usize] == g;
                    let model = data.fit(
                        |i| !held_out(i) && folds[i] != g,
                        config,
                        config.seed ^ (job as u64 + 1),
                        records,
                    );
                    let test: Vec<usize> =
                        (0..n).filter(|&i| held_out(i) && folds[i] == g).collect();
                    data.predict(&model, &test)
                }
            })
            .collect();
        for (&job, preds) in job_ids.iter().zip(jobs) {
            let target = if job < FOLDS {
                &mut cv
            } else {
                &mut out_of_allele
            };
            for (i, s) in preds {
                target[i] = s;
            }
        }
    }

    // The same predictions without the selection fold (allele group g is tested on peptide
    // fold g, so masking the fold also drops the selection group's allele-out test).
    let mask = |v: &[f64]| -> Vec<f64> {
        v.iter()
            .zip(&folds)
            .map(|(&s, &f)| if f == SELECTION_FOLD { f64::NAN } else { s })
            .collect()
    };
    let (cv_rest, out_rest) = (mask(&cv), mask(&out_of_allele));
    let evaluation: Vec<AlleleEvaluation> = (0..data.alleles.len())
        .map(|a| {
            let idx: Vec<usize> = (0..n)
                .filter(|&i| data.allele_of[i] as usize == a)
                .collect();
            let labels: Vec<bool> = idx
                .iter()
                .map(|&i| data.measurements[i].ic50 < BINDER_NM)
                .collect();
            let truth: Vec<f64> = idx
                .iter()
                .map(|&i| ic50_to_score(data.measurements[i].ic50))
                .collect();
            // Over the pairs that have a prediction: all of them for CV, the allele's pairs in
            // its group's peptide fold for the allele-out evaluation.
            let metrics = |pred: &[f64]| {
                let mut p = Vec::new();
                let (mut l, mut t) = (Vec::new(), Vec::new());
                for (k, &i) in idx.iter().enumerate() {
                    if !pred[i].is_nan() {
                        p.push(pred[i]);
                        l.push(labels[k]);
                        t.push(truth[k]);
                    }
                }
                let pos = l.iter().filter(|&&x| x).count();
                (auc(&p, &l), spearman(&p, &t), p.len(), pos)
            };
            let (cv_auc, cv_spearman, _, _) = metrics(&cv);
            let (allele_out_auc, allele_out_spearman, allele_out_pairs, allele_out_binders) =
                metrics(&out_of_allele);
            let binders = labels.iter().filter(|&&l| l).count();
            let (cv_auc_rest, ..) = metrics(&cv_rest);
            let (allele_out_auc_rest, ..) = metrics(&out_rest);
            AlleleEvaluation {
                allele: data.alleles[a].to_string(),
                measurements: idx.len(),
                binders,
                non_binders: idx.len() - binders,
                cv_auc,
                cv_spearman,
                allele_out_pairs,
                allele_out_binders,
                allele_out_auc,
                allele_out_spearman,
                cv_auc_rest,
                allele_out_auc_rest,
            }
        })
        .collect();

    if matches!(mode, Mode::AlleleOutOnly | Mode::Select) {
        let report = if mode == Mode::Select {
            render_selection(config, &evaluation)
        } else {
            render_report(data, config, &evaluation, true)
        };
        return TrainingOutcome {
            model: Model {
                networks: Vec::new(),
                alleles: Vec::new(),
                provenance: String::new(),
            },
            evaluation,
            report,
        };
    }
    // The shipped model: every measurement, the full allele table.
    let mut measured = vec![0u32; data.alleles.len()];
    for &a in &data.allele_of {
        measured[a as usize] += 1;
    }
    let mut model = data.fit(
        |_| true,
        config,
        config.seed,
        data.training_allele_records(),
    );
    model.alleles = data
        .table
        .iter()
        .map(|(a, p)| AlleleRecord {
            allele: a.clone(),
            pseudo: *p,
            measurements: data.alleles.binary_search(a).map_or(0, |i| measured[i]),
        })
        .collect();
    model.provenance = serde_json::json!({
        "inputs": data.provenance_inputs.iter().map(|(n, h)| serde_json::json!({"file": n, "fnv1a64": format!("{h:016x}")})).collect::<Vec<_>>(),
        "pairs": data.measurements.len(),
        "config": config,
    })
    .to_string();
    let report = render_report(data, config, &evaluation, evaluate);
    TrainingOutcome {
        model,
        evaluation,
        report,
    }
}

/// One markdown table row for a selection run (appended to `selection.log` by
/// `train-binding --select`): means over the qualifying alleles of fold 0's CV AUC and group
/// 0's allele-out AUC, over every allele-out allele, and over the HLA-C alleles' fold 0 CV.
pub fn render_selection(config: &TrainConfig, ev: &[AlleleEvaluation]) -> String {
    let q = |e: &&AlleleEvaluation| e.binders >= MIN_CLASS && e.non_binders >= MIN_CLASS;
    let qc = |e: &&AlleleEvaluation| {
        e.allele.starts_with("HLA-C") && e.binders >= MIN_CLASS_C && e.non_binders >= MIN_CLASS_C
    };
    let (cv, k) = mean(ev.iter().filter(q).filter_map(|e| e.cv_auc));
    let (ao, k2) = mean(ev.iter().filter(q).filter_map(|e| e.allele_out_auc));
    let (cvc, k3) = mean(ev.iter().filter(qc).filter_map(|e| e.cv_auc));
    let (ao_all, k4) = mean(ev.iter().filter_map(|e| e.allele_out_auc));
    format!(
        "| {} | {} | {}/{} | {} | {} | {} | {} | {cv:.4} ({k}) | {ao:.4} ({k2}) | {ao_all:.4} ({k4}) | {cvc:.4} ({k3}) |",
        config.embed,
        config.ensemble,
        config.hidden1,
        config.hidden2,
        config.epochs,
        config.learning_rate,
        if config.allele_batches { "one allele" } else { "mixed" },
        negatives_cell(config),
    )
}

/// The header of the selection table (EVALUATION.md), matching [`render_selection`] rows after
/// the leading run-time column the training program adds.
pub const SELECTION_HEADER: &str = "| seconds | embedding | networks | hidden | epochs | lr | batches | random negatives per allele, length and epoch | fold 0 CV AUC (alleles) | group 0 allele-out AUC, same criterion | group 0 allele-out AUC, all alleles with both classes | fold 0 CV AUC, HLA-C ≥ 20/20 |\n|---|---|---|---|---|---|---|---|---|---|---|---|";

/// Random negatives per allele and length and epoch, as `rate × pairs + constant` (0: none).
fn negatives_cell(config: &TrainConfig) -> String {
    if config.random_negative_rate == 0.0 && config.random_negative_constant == 0 {
        "0".to_string()
    } else {
        format!(
            "{} × pairs + {}",
            config.random_negative_rate, config.random_negative_constant
        )
    }
}

fn mean(v: impl Iterator<Item = f64>) -> (f64, usize) {
    let (s, c) = v.fold((0.0, 0), |(s, c), x| (s + x, c + 1));
    (if c > 0 { s / c as f64 } else { f64::NAN }, c)
}

fn cell(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |x| format!("{x:.3}"))
}

fn render_report(
    data: &Dataset,
    config: &TrainConfig,
    ev: &[AlleleEvaluation],
    evaluated: bool,
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Built-in binding model: evaluation\n");
    let _ = writeln!(
        s,
        "Generated by `cargo run --release --example train-binding` (do not edit by hand).\n"
    );
    let _ = writeln!(
        s,
        "Data: {} rows read, {} not human class I A/B/C/E/F/G alleles, {} peptides outside 8–11 residues \
         or with non-standard letters, {} pairs without a pseudo-sequence; {} distinct (allele, peptide) \
         pairs on {} alleles (repeats merged by geometric mean). Binder: IC50 < {} nM.\n",
        data.stats.rows,
        data.stats.skipped_allele,
        data.stats.skipped_peptide,
        data.no_pseudo,
        data.measurements.len(),
        data.alleles.len(),
        BINDER_NM
    );
    let _ = writeln!(
        s,
        "Model: ensemble of {} network(s), hidden layers {}/{}, allele embedding of {} values modulating the peptide rows of the first layer, {} epochs, batch {}, Adam lr {} (linear decay to 10%), L2 {}, seed {}.\n",
        config.ensemble, config.hidden1, config.hidden2, config.embed, config.epochs, config.batch_size, config.learning_rate, config.l2, config.seed
    );
    if negatives_cell(config) != "0" {
        let _ = writeln!(
            s,
            "Random negatives: each epoch, per allele and length, {} random peptides (Swiss-Prot composition) as non-binders with the inequality target IC50 > {} nM (one-sided loss).\n",
            negatives_cell(config),
            crate::binding::negatives::RANDOM_NEGATIVE_NM
        );
    }
    if !evaluated {
        let _ = writeln!(s, "Cross-validation was skipped for this build.");
        return s;
    }
    let qualifies = |e: &&AlleleEvaluation| e.binders >= MIN_CLASS && e.non_binders >= MIN_CLASS;
    let (cv_auc, k) = mean(ev.iter().filter(qualifies).filter_map(|e| e.cv_auc));
    let (cv_rho, _) = mean(ev.iter().filter(qualifies).filter_map(|e| e.cv_spearman));
    let (ao_auc, k2) = mean(ev.iter().filter(qualifies).filter_map(|e| e.allele_out_auc));
    let (ao_rho, _) = mean(
        ev.iter()
            .filter(qualifies)
            .filter_map(|e| e.allele_out_spearman),
    );
    let (ao_all, k3) = mean(ev.iter().filter_map(|e| e.allele_out_auc));
    let (cv_rest, k4) = mean(ev.iter().filter(qualifies).filter_map(|e| e.cv_auc_rest));
    let (ao_rest, k5) = mean(
        ev.iter()
            .filter(qualifies)
            .filter_map(|e| e.allele_out_auc_rest),
    );
    let hla_c = |e: &&AlleleEvaluation| {
        e.allele.starts_with("HLA-C") && e.binders >= MIN_CLASS_C && e.non_binders >= MIN_CLASS_C
    };
    let (c_cv, k6) = mean(ev.iter().filter(hla_c).filter_map(|e| e.cv_auc));
    let (c_ao, k7) = mean(ev.iter().filter(hla_c).filter_map(|e| e.allele_out_auc));
    let _ = writeln!(s, "## Summary\n");
    let _ = writeln!(
        s,
        "| evaluation | alleles | mean AUC | mean Spearman |\n|---|---|---|---|"
    );
    let _ = writeln!(s, "| peptide-disjoint {FOLDS}-fold CV, alleles with ≥ {MIN_CLASS} binders and ≥ {MIN_CLASS} non-binders | {k} | {cv_auc:.4} | {cv_rho:.4} |");
    let _ = writeln!(
        s,
        "| allele held out (pan-allele path), same alleles | {k2} | {ao_auc:.4} | {ao_rho:.4} |"
    );
    let _ = writeln!(
        s,
        "| allele held out, every allele with both classes | {k3} | {ao_all:.4} | |"
    );
    let _ = writeln!(
        s,
        "| peptide-disjoint CV without fold {SELECTION_FOLD} (folds 1–4: never used to choose settings), alleles as above | {k4} | {cv_rest:.4} | |"
    );
    let _ = writeln!(
        s,
        "| allele held out without group {SELECTION_FOLD} (groups 1–4), alleles as above | {k5} | {ao_rest:.4} | |"
    );
    let _ = writeln!(
        s,
        "| HLA-C alleles with ≥ {MIN_CLASS_C} binders and ≥ {MIN_CLASS_C} non-binders: CV / allele held out | {k6} / {k7} | {c_cv:.4} / {c_ao:.4} | |\n"
    );
    let _ = writeln!(s, "{SELECTION_TEXT}\n\n{SELECTION_PLACEHOLDER}\n");
    let _ = writeln!(
        s,
        "**Peptide-disjoint CV**: each peptide is assigned to one of {FOLDS} folds by a hash of its sequence, \
         for all alleles at once; each fold is predicted by a model fitted on the other four, so no peptide \
         of a test fold (on any allele) influences its own score.\n\n\
         **Allele held out** (pan-allele path): the training alleles are ranked by measurement count and dealt into \
         {FOLDS} groups; group g is scored on its pairs whose peptide falls in peptide fold g, by a model fitted without \
         any pair of the group's alleles and without any pair of peptide fold g (on any allele). The held-out alleles \
         are thus scored from their pseudo-sequence alone, on peptides never seen in training; this is stricter than \
         leave-one-allele-out (a fifth of the alleles is missing from each fit). The allele-out columns give the size \
         of that test set (a fifth of the allele's pairs).\n"
    );
    let _ = writeln!(s, "## Per allele\n");
    let _ = writeln!(s, "| allele | pairs | binders | non-binders | CV AUC | CV Spearman | allele-out pairs | allele-out binders | allele-out AUC | allele-out Spearman |");
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|---|");
    for e in ev {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            e.allele,
            e.measurements,
            e.binders,
            e.non_binders,
            cell(e.cv_auc),
            cell(e.cv_spearman),
            e.allele_out_pairs,
            e.allele_out_binders,
            cell(e.allele_out_auc),
            cell(e.allele_out_spearman)
        );
    }
    s
}

/// Runs the pipeline on `data_dir` and writes `OUT/model.bin` and `OUT/EVALUATION.md`.
///
/// # Errors
/// Inputs unreadable or outputs unwritable.
pub fn train_to_dir(
    data_dir: &Path,
    out_dir: &Path,
    config: &TrainConfig,
    evaluate: bool,
) -> Result<(PathBuf, TrainingOutcome)> {
    let data = Dataset::load(data_dir)?;
    log::info!(
        "{} pairs on {} alleles",
        data.measurements.len(),
        data.alleles.len()
    );
    let outcome = run_pipeline(&data, config, evaluate);
    let model_path = out_dir.join("model.bin");
    let mut f = AtomicFile::create(&model_path)?;
    f.write_all(&outcome.model.to_bytes())
        .map_err(|e| Error::io(&model_path, e))?;
    f.commit()?;
    if evaluate {
        // The selection runs logged next to the model (none: say so).
        let log = out_dir.join("selection.log");
        let rows = std::fs::read_to_string(&log).unwrap_or_default();
        let table = if rows.trim().is_empty() {
            "(no selection runs logged in selection.log)".to_string()
        } else {
            format!("{SELECTION_HEADER}\n{}", rows.trim_end())
        };
        let report = outcome.report.replace(SELECTION_PLACEHOLDER, &table);
        let p = out_dir.join("EVALUATION.md");
        let mut f = AtomicFile::create(&p)?;
        f.write_all(report.as_bytes())
            .map_err(|e| Error::io(&p, e))?;
        f.commit()?;
    }
    Ok((model_path, outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_matches_hand_counts() {
        // Positives 0.9, 0.4; negatives 0.5, 0.1: pairs (0.9>0.5, 0.9>0.1, 0.4<0.5, 0.4>0.1) = 3/4.
        assert_eq!(
            auc(&[0.9, 0.4, 0.5, 0.1], &[true, true, false, false]),
            Some(0.75)
        );
        // A tie between a positive and a negative counts one half.
        assert_eq!(auc(&[0.5, 0.5], &[true, false]), Some(0.5));
        assert_eq!(auc(&[0.5, 0.4], &[true, true]), None);
    }

    #[test]
    fn spearman_matches_hand_values() {
        assert!(
            (spearman(&[1.0, 2.0, 3.0, 4.0], &[10.0, 20.0, 30.0, 40.0]).unwrap() - 1.0).abs()
                < 1e-12
        );
        assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]).unwrap() + 1.0).abs() < 1e-12);
        // d = (0, 1, -1, 0): rho = 1 - 6*2/(4*15) = 0.8.
        assert!(
            (spearman(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0]).unwrap() - 0.8).abs() < 1e-12
        );
    }

    #[test]
    fn folds_are_per_peptide() {
        assert_eq!(peptide_fold("NLVPMVATV"), peptide_fold("NLVPMVATV"));
        assert!(peptide_fold("GILGFVFTL") < FOLDS);
    }
}
