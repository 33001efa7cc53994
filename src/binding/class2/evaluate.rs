//! The class II training pipeline: read BD2013, build pseudo-sequences from an IPD-IMGT/HLA
//! folder, cross-validate (peptide-disjoint folds; molecule-disjoint groups), fit the shipped
//! ensemble on everything, and write `model.bin` and `EVALUATION.md`.

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::report::report;
use crate::binding::class2::encoding::Peptide2;
use crate::binding::class2::model::{Combine, Model2, MoleculeRecord, Net2, Projections2};
use crate::binding::class2::pseudo::Class2Sequences;
use crate::binding::class2::train::{train_network2, Example2, Train2Config};
use crate::binding::class2::Class2Molecule;
use crate::binding::encoding::encode_pseudo;
use crate::binding::evaluate::{auc, spearman};
use crate::binding::model::{fnv1a, ic50_to_score};
use crate::error::{Error, Result};
use crate::io::output::AtomicFile;

/// The training file's name in the data folder.
pub const DATA_FILE: &str = "classII_BD2013_binding_affinity.tsv";
/// Folds of the peptide-disjoint CV and groups of the molecule-disjoint CV.
pub const FOLDS: usize = 5;
/// Molecules entering the means: at least this many binders and non-binders.
pub const MIN_CLASS: usize = 10;
/// The settings-comparison table in the output folder (see [`super::select`]).
pub const SELECTION_FILE: &str = "SELECTION.md";
/// Binder threshold (nM).
pub const BINDER_NM: f64 = 500.0;

/// BD2013 ready for fitting.
pub struct Dataset2 {
    /// Sorted molecules with data.
    pub molecules: Vec<Class2Molecule>,
    pub pseudo: Vec<Vec<u8>>,
    pub mhc_inputs: Vec<Vec<f32>>,
    pub examples: Vec<Example2>,
    pub peptides: Vec<String>,
    /// Peptide fold of each example.
    pub fold: Vec<usize>,
    /// Share of test peptides sharing a 9-mer with a training peptide of another fold.
    pub fold_overlap: f64,
    pub data_checksum: u64,
    pub imgt: String,
}

impl Dataset2 {
    /// Reads `DIR/classII_BD2013_binding_affinity.tsv` (`HLA sequence length log_ic50`) and
    /// the IPD-IMGT/HLA protein files under `imgt`.
    ///
    /// # Errors
    /// A missing or malformed file; a molecule the release has no sequences for.
    pub fn load(dir: &Path, imgt: &Path) -> Result<Self> {
        let path = dir.join(DATA_FILE);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let text = String::from_utf8_lossy(&bytes);
        let seqs = Class2Sequences::load(imgt)?;
        let mut rows: Vec<(Class2Molecule, String, f32)> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if i == 0 || line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            let bad = |m: String| Error::at_line(&path, i + 1, m);
            if f.len() < 4 {
                return Err(bad("expected 4 tab-separated columns".into()));
            }
            let m = Class2Molecule::parse(f[0]).map_err(bad)?;
            let y: f32 = f[3]
                .parse()
                .map_err(|_| bad(format!("log_ic50 '{}' is not a number", f[3])))?;
            Peptide2::new(f[1].as_bytes()).map_err(|e| bad(format!("{}: {e}", f[1])))?;
            rows.push((m, f[1].to_string(), y.clamp(0.0, 1.0)));
        }
        let mut molecules: Vec<Class2Molecule> = rows.iter().map(|r| r.0.clone()).collect();
        molecules.sort();
        molecules.dedup();
        let pseudo = molecules
            .iter()
            .map(|m| {
                seqs.pseudo(m)
                    .map_err(|e| Error::usage(format!("{m}: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let mhc_inputs = pseudo.iter().map(|p| encode_pseudo(p)).collect();
        let (fold_of, fold_overlap) = peptide_folds(rows.iter().map(|r| r.1.as_str()));
        let mut examples = Vec::with_capacity(rows.len());
        let mut peptides = Vec::with_capacity(rows.len());
        let mut fold = Vec::with_capacity(rows.len());
        for (m, p, y) in rows {
            let k = molecules.binary_search(&m).unwrap_or(0) as u32;
            fold.push(fold_of[&p]);
            examples.push(Example2 {
                molecule: k,
                peptide: Peptide2::new(p.as_bytes()).map_err(|e| Error::Internal(e.to_string()))?,
                target: y,
            });
            peptides.push(p);
        }
        let imgt_name = imgt
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Self {
            molecules,
            pseudo,
            mhc_inputs,
            examples,
            peptides,
            fold,
            fold_overlap,
            data_checksum: fnv1a(&bytes),
            imgt: imgt_name,
        })
    }

    /// Fits an ensemble on the examples `keep` selects. With inner folds, member k stops early
    /// on inner fold k mod `inner_folds` of those examples' peptides (9-mer-grouped, like the
    /// outer folds) and trains on the rest. Returns the model and each member's (kept epoch, epochs run).
    pub fn fit(
        &self,
        keep: impl Fn(usize) -> bool,
        config: &Train2Config,
        seed: u64,
    ) -> (Model2, Vec<(usize, usize)>) {
        let kept: Vec<usize> = (0..self.examples.len()).filter(|&i| keep(i)).collect();
        let mut counts = vec![0u32; self.molecules.len()];
        for &i in &kept {
            counts[self.examples[i].molecule as usize] += 1;
        }
        let inner: Vec<usize> = if config.inner_folds > 0 {
            let (f, _) = peptide_folds_salted(
                kept.iter().map(|&i| self.peptides[i].as_str()),
                config.inner_folds,
                seed,
            );
            kept.iter().map(|&i| f[&self.peptides[i]]).collect()
        } else {
            vec![0; kept.len()]
        };
        let fits: Vec<(Net2, (usize, usize))> = (0..config.ensemble)
            .into_par_iter()
            .map(|k| {
                let (mut train, mut valid) = (Vec::new(), Vec::new());
                for (&i, &f) in kept.iter().zip(&inner) {
                    let e = self.examples[i].clone();
                    if config.inner_folds > 0 && f == k % config.inner_folds {
                        valid.push(e);
                    } else {
                        train.push(e);
                    }
                }
                let fit = train_network2(
                    &train,
                    &valid,
                    &self.mhc_inputs,
                    config,
                    seed.wrapping_add(k as u64 * 7919),
                );
                (fit.net, (fit.epoch, fit.epochs_run))
            })
            .collect();
        let (networks, epochs) = fits.into_iter().unzip();
        let model = Model2 {
            networks,
            molecules: self
                .molecules
                .iter()
                .zip(counts)
                .filter(|(_, c)| *c > 0)
                .map(|(m, c)| MoleculeRecord {
                    molecule: m.clone(),
                    measurements: c,
                })
                .collect(),
            provenance: String::new(),
        };
        (model, epochs)
    }

    /// Scores of the examples `which` selects under `model`.
    pub fn predict(&self, model: &Model2, which: &[usize]) -> Vec<f64> {
        self.predict_with(model, which, model.networks.len(), Combine::MeanOfBest)
    }

    /// As [`Self::predict`] with the first `n_networks` networks combined by `rule`.
    pub fn predict_with(
        &self,
        model: &Model2,
        which: &[usize],
        n_networks: usize,
        rule: Combine,
    ) -> Vec<f64> {
        let projections: Vec<Projections2> = self
            .pseudo
            .iter()
            .map(|p| Projections2::new(model, p))
            .collect();
        which
            .iter()
            .map(|&i| {
                let e = &self.examples[i];
                f64::from(
                    projections[e.molecule as usize]
                        .score_with(model, &e.peptide, n_networks, rule)
                        .score,
                )
            })
            .collect()
    }
}

/// Peptide folds by common 9-mers (as the NetMHCII data sets are partitioned): peptides are
/// taken in sorted order; one sharing a 9-mer with a peptide already placed joins that
/// peptide's fold, any other goes to the fold its hash names. Returns the folds and the share
/// of peptides that still share a 9-mer with a peptide of another fold (chains of overlapping
/// peptides can bridge two folds).
pub fn peptide_folds<'a>(peptides: impl Iterator<Item = &'a str>) -> (HashMap<String, usize>, f64) {
    peptide_folds_salted(peptides, FOLDS, 0)
}

/// [`peptide_folds`] into `folds` folds, with `salt` (0: the outer folds) mixed into the hash
/// that places a peptide without an already-placed 9-mer.
pub fn peptide_folds_salted<'a>(
    peptides: impl Iterator<Item = &'a str>,
    folds: usize,
    salt: u64,
) -> (HashMap<String, usize>, f64) {
    let mut unique: Vec<&str> = peptides.collect();
    unique.sort_unstable();
    unique.dedup();
    let mut kmer_fold: HashMap<&str, usize> = HashMap::new();
    let mut fold_of = HashMap::new();
    for p in &unique {
        let f = (0..=p.len().saturating_sub(9))
            .find_map(|i| kmer_fold.get(&p[i..i + 9]).copied())
            .unwrap_or({
                let h = if salt == 0 {
                    fnv1a(p.as_bytes())
                } else {
                    fnv1a(&[&salt.to_le_bytes()[..], p.as_bytes()].concat())
                };
                (h % folds as u64) as usize
            });
        for i in 0..=p.len().saturating_sub(9) {
            kmer_fold.entry(&p[i..i + 9]).or_insert(f);
        }
        fold_of.insert((*p).to_string(), f);
    }
    let mut folds_of_kmer: HashMap<&str, u8> = HashMap::new();
    for p in &unique {
        for i in 0..=p.len().saturating_sub(9) {
            *folds_of_kmer.entry(&p[i..i + 9]).or_insert(0) |= 1 << fold_of[*p];
        }
    }
    let bridged = unique
        .iter()
        .filter(|p| {
            (0..=p.len().saturating_sub(9)).any(|i| folds_of_kmer[&p[i..i + 9]].count_ones() > 1)
        })
        .count();
    (fold_of, bridged as f64 / unique.len().max(1) as f64)
}

/// One molecule's evaluation.
#[derive(Debug, Clone)]
pub struct MoleculeEvaluation {
    pub molecule: Class2Molecule,
    pub n: usize,
    pub binders: usize,
    pub cv_auc: Option<f64>,
    pub cv_spearman: Option<f64>,
    pub held_out_auc: Option<f64>,
}

/// The fitted model and its report.
pub struct Outcome2 {
    pub model: Model2,
    pub report: String,
    pub rows: Vec<MoleculeEvaluation>,
}

/// Molecule-disjoint groups: molecules by descending measurement count dealt round-robin, so
/// every group holds well-measured molecules and every isotype is spread.
fn molecule_groups(data: &Dataset2) -> Vec<usize> {
    let mut counts = vec![0usize; data.molecules.len()];
    for e in &data.examples {
        counts[e.molecule as usize] += 1;
    }
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
    let mut group = vec![0; counts.len()];
    for (rank, &m) in order.iter().enumerate() {
        group[m] = rank % FOLDS;
    }
    group
}

/// Mean over molecules (with at least [`MIN_CLASS`] binders and non-binders among them) of
/// the AUC of `scores` on the examples `which`; and the number of molecules.
pub fn mean_auc(data: &Dataset2, which: &[usize], scores: &[f64]) -> (f64, usize) {
    let threshold = ic50_to_score(BINDER_NM) as f32;
    let mut by_mol: BTreeMap<u32, (Vec<f64>, Vec<bool>)> = BTreeMap::new();
    for (&i, &s) in which.iter().zip(scores) {
        let e = &data.examples[i];
        let entry = by_mol.entry(e.molecule).or_default();
        entry.0.push(s);
        entry.1.push(e.target > threshold);
    }
    mean(by_mol.values().map(|(s, l)| {
        let pos = l.iter().filter(|&&x| x).count();
        if pos >= MIN_CLASS && l.len() - pos >= MIN_CLASS {
            auc(s, l)
        } else {
            None
        }
    }))
}

/// Cross-validates (when `evaluate`) and fits the shipped ensemble. `selection` is the
/// settings-comparison table to embed in the report.
pub fn run_pipeline2(
    data: &Dataset2,
    config: &Train2Config,
    evaluate: bool,
    selection: &str,
) -> Outcome2 {
    let threshold = ic50_to_score(BINDER_NM) as f32;
    let n = data.examples.len();
    let mut rows = Vec::new();
    let mut extra = Extra::default();
    if evaluate {
        let mut cv = vec![0f64; n];
        let mut held = vec![0f64; n];
        let groups = molecule_groups(data);
        // Ten independent fits (5 peptide folds, 5 molecule groups), each single-threaded.
        let jobs: Vec<(bool, usize)> = (0..FOLDS)
            .map(|f| (true, f))
            .chain((0..FOLDS).map(|g| (false, g)))
            .collect();
        let results: Vec<FitOutcome> = jobs
            .par_iter()
            .map(|&(peptide_cv, k)| {
                let test: Vec<usize> = (0..n)
                    .filter(|&i| {
                        if peptide_cv {
                            data.fold[i] == k
                        } else {
                            groups[data.examples[i].molecule as usize] == k
                        }
                    })
                    .collect();
                let (model, epochs) = data.fit(
                    |i| {
                        if peptide_cv {
                            data.fold[i] != k
                        } else {
                            groups[data.examples[i].molecule as usize] != k
                        }
                    },
                    config,
                    config
                        .seed
                        .wrapping_add(1000 * (k as u64 + 1) + u64::from(peptide_cv)),
                );
                let scores = data.predict(&model, &test);
                log::info!(
                    "{} {k}: {} test measurements",
                    if peptide_cv {
                        "peptide fold"
                    } else {
                        "molecule group"
                    },
                    test.len()
                );
                (peptide_cv, k, test, scores, epochs)
            })
            .collect();
        for (peptide_cv, k, test, scores, epochs) in results {
            extra.epochs.push((peptide_cv, k, epochs));
            let out = if peptide_cv { &mut cv } else { &mut held };
            for (i, s) in test.into_iter().zip(scores) {
                out[i] = s;
            }
        }
        let mut by_mol: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (i, e) in data.examples.iter().enumerate() {
            by_mol.entry(e.molecule as usize).or_default().push(i);
        }
        let later: Vec<usize> = (0..n)
            .filter(|&i| data.fold[i] != crate::binding::class2::select::SELECTION_FOLD)
            .collect();
        let later_scores: Vec<f64> = later.iter().map(|&i| cv[i]).collect();
        extra.cv_later = mean_auc(data, &later, &later_scores);
        for (m, idx) in by_mol {
            let labels: Vec<bool> = idx
                .iter()
                .map(|&i| data.examples[i].target > threshold)
                .collect();
            let target: Vec<f64> = idx
                .iter()
                .map(|&i| f64::from(data.examples[i].target))
                .collect();
            let c: Vec<f64> = idx.iter().map(|&i| cv[i]).collect();
            let h: Vec<f64> = idx.iter().map(|&i| held[i]).collect();
            rows.push(MoleculeEvaluation {
                molecule: data.molecules[m].clone(),
                n: idx.len(),
                binders: labels.iter().filter(|&&l| l).count(),
                cv_auc: auc(&c, &labels),
                cv_spearman: spearman(&c, &target),
                held_out_auc: auc(&h, &labels),
            });
        }
    }
    let (mut model, epochs) = data.fit(|_| true, config, config.seed);
    extra.shipped_epochs = epochs;
    extra.selection = selection.to_string();
    model.provenance = serde_json::json!({
        "data": DATA_FILE,
        "data_fnv1a": format!("{:016x}", data.data_checksum),
        "imgt_release_folder": data.imgt,
        "config": config,
    })
    .to_string();
    let report = if evaluate {
        report(data, config, &rows, &model, &extra)
    } else {
        String::new()
    };
    Outcome2 {
        model,
        report,
        rows,
    }
}

/// Epochs kept and run per ensemble member.
type MemberEpochs = Vec<(usize, usize)>;
/// (peptide CV?, fold or group, per member (kept epoch, epochs run)).
type FoldEpochs = (bool, usize, MemberEpochs);
/// One evaluation fit: (peptide CV?, fold or group, test rows, their scores, member epochs).
type FitOutcome = (bool, usize, Vec<usize>, Vec<f64>, MemberEpochs);

/// Figures of the evaluation beyond the per-molecule table.
#[derive(Default)]
pub struct Extra {
    /// (peptide CV?, fold or group, per member (kept epoch, epochs run)).
    pub epochs: Vec<FoldEpochs>,
    pub shipped_epochs: Vec<(usize, usize)>,
    /// Mean CV AUC over the folds other than the selection fold, and its molecule count.
    pub cv_later: (f64, usize),
    pub selection: String,
}

pub(crate) fn mean(v: impl Iterator<Item = Option<f64>>) -> (f64, usize) {
    let xs: Vec<f64> = v.flatten().collect();
    (xs.iter().sum::<f64>() / xs.len().max(1) as f64, xs.len())
}

/// Trains, writes `OUT/model.bin` and (when `evaluate`) `OUT/EVALUATION.md`.
///
/// # Errors
/// Unreadable inputs, unwritable outputs.
pub fn train_to_dir2(
    data_dir: &Path,
    imgt: &Path,
    out_dir: &Path,
    config: &Train2Config,
    evaluate: bool,
) -> Result<(PathBuf, Outcome2)> {
    let data = Dataset2::load(data_dir, imgt)?;
    log::info!(
        "{} measurements on {} molecules",
        data.examples.len(),
        data.molecules.len()
    );
    // The settings comparison (written by `--select`) goes into the report.
    let selection = std::fs::read_to_string(out_dir.join(SELECTION_FILE)).unwrap_or_default();
    let outcome = run_pipeline2(&data, config, evaluate, &selection);
    std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
    let model_path = out_dir.join("model.bin");
    let mut f = AtomicFile::create(&model_path)?;
    f.write_all(&outcome.model.to_bytes())
        .map_err(|e| Error::io(&model_path, e))?;
    f.commit()?;
    if evaluate {
        let p = out_dir.join("EVALUATION.md");
        let mut f = AtomicFile::create(&p)?;
        f.write_all(outcome.report.as_bytes())
            .map_err(|e| Error::io(&p, e))?;
        f.commit()?;
    }
    Ok((model_path, outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_peptides_share_a_fold() {
        let peps = [
            "AAAAAAAAAKLMN",
            "AAAAAAAAAQQQQ",
            "CCCCCCCCCDDDD",
            "GGGGGGGGGHHHH",
        ];
        let (folds, _) = peptide_folds(peps.iter().copied());
        // The first two share the 9-mer AAAAAAAAA.
        assert_eq!(folds["AAAAAAAAAKLMN"], folds["AAAAAAAAAQQQQ"]);
        assert!(folds.values().all(|&f| f < FOLDS));
    }
}
