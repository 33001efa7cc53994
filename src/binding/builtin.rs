//! The shipped predictor: the model in `reference/binding/model.bin`, embedded in the binary.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::binding::background::natural_peptides;
use crate::binding::encoding::{EncodedPeptide, MAX_LENGTH, MIN_LENGTH, N_LENGTHS};
use crate::binding::model::{score_to_ic50, AlleleProjections, Model};
use crate::binding::{BindingPredictor, HlaAllele, Prediction};
use crate::error::{Error, Result};

/// The trained model, compiled into the binary so it works from any directory.
static MODEL_BYTES: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/reference/binding/model.bin"
));

/// How the model serves an allele.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Served {
    /// Measurements of this allele were in the training data.
    OwnData,
    /// Scored from the allele's pseudo-sequence only.
    PanAllele,
}

impl Served {
    pub fn as_str(self) -> &'static str {
        match self {
            Served::OwnData => "own-data",
            Served::PanAllele => "pan-allele",
        }
    }
}

/// One row of [`BuiltinPredictor::known_alleles`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KnownAllele {
    pub allele: HlaAllele,
    pub served: Served,
    /// Distinct peptides measured for this allele in the training data.
    pub measurements: u32,
    pub pseudo_sequence: String,
}

/// Per-allele state built on first use: the allele's first-layer projection and the sorted
/// IC50s of the background peptides of each length.
struct AlleleState {
    projections: AlleleProjections,
    background: Vec<Vec<f64>>,
}

/// The built-in pan-allele predictor.
pub struct BuiltinPredictor {
    model: Model,
    name: String,
    cache: Mutex<HashMap<usize, Arc<AlleleState>>>,
}

impl BuiltinPredictor {
    /// The model shipped in `reference/binding/model.bin`.
    ///
    /// # Errors
    /// Only if the embedded file is damaged (a build problem).
    pub fn load_default() -> Result<Self> {
        Self::from_bytes(MODEL_BYTES)
            .map_err(|e| Error::Internal(format!("embedded binding model: {e}")))
    }

    /// A model from its serialised bytes (e.g. one retrained into another folder).
    ///
    /// # Errors
    /// The bytes are not a valid model file.
    pub fn from_bytes(bytes: &[u8]) -> std::result::Result<Self, String> {
        Ok(Self::from_model(Model::from_bytes(bytes)?))
    }

    pub fn from_model(model: Model) -> Self {
        let name = format!("builtin-v{}", crate::binding::model::FORMAT_VERSION);
        Self {
            model,
            name,
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Every allele the model scores, sorted, with how it is served.
    pub fn known_alleles(&self) -> Vec<KnownAllele> {
        self.model
            .alleles
            .iter()
            .map(|r| KnownAllele {
                allele: r.allele.clone(),
                served: if r.measurements > 0 {
                    Served::OwnData
                } else {
                    Served::PanAllele
                },
                measurements: r.measurements,
                pseudo_sequence: String::from_utf8_lossy(&r.pseudo).into_owned(),
            })
            .collect()
    }

    /// Up to `n` known alleles nearest to `allele` by name: same gene and group first (closest
    /// protein number), then the same gene's other groups (closest group number).
    pub fn nearest_alleles(&self, allele: &HlaAllele, n: usize) -> Vec<HlaAllele> {
        let text = allele.to_string();
        let (group, protein) = fields(&text);
        let mut candidates: Vec<(u32, u32, &HlaAllele)> = self
            .model
            .alleles
            .iter()
            .filter(|r| r.allele.gene() == allele.gene())
            .map(|r| {
                let (g, p) = fields(&r.allele.to_string());
                (g.abs_diff(group), p.abs_diff(protein), &r.allele)
            })
            .collect();
        candidates.sort();
        candidates
            .into_iter()
            .take(n)
            .map(|(_, _, a)| a.clone())
            .collect()
    }

    /// The error for an allele the model does not know, naming the nearest known ones.
    pub fn unknown_allele_error(&self, allele: &HlaAllele) -> Error {
        let near: Vec<String> = self
            .nearest_alleles(allele, 5)
            .iter()
            .map(ToString::to_string)
            .collect();
        let hint = if near.is_empty() {
            format!("the model knows no HLA-{} alleles", allele.gene())
        } else {
            format!("nearest known: {}", near.join(", "))
        };
        Error::usage(format!(
            "{allele} has no pseudo-sequence in the built-in binding model ({hint}); see `immunoprofile binding --list-alleles`"
        ))
    }

    fn state(&self, allele: &HlaAllele) -> Result<Arc<AlleleState>> {
        let index = self
            .model
            .allele_index(allele)
            .ok_or_else(|| self.unknown_allele_error(allele))?;
        if let Some(s) = self
            .cache
            .lock()
            .map_err(|_| Error::Internal("binding cache poisoned".into()))?
            .get(&index)
        {
            return Ok(Arc::clone(s));
        }
        // Computed outside the lock; two threads racing compute the same values.
        let projections = AlleleProjections::new(&self.model, &self.model.alleles[index].pseudo);
        let scorer = projections.scorer(&self.model);
        let mut scores = Vec::new();
        let background = (MIN_LENGTH..=MAX_LENGTH)
            .map(|len| {
                let peps: Vec<EncodedPeptide> = natural_peptides(len)
                    .iter()
                    .filter_map(|p| EncodedPeptide::new(p.as_bytes()).ok())
                    .collect();
                scorer.score_into(&peps, &mut scores);
                let mut ic50: Vec<f64> = scores
                    .iter()
                    .map(|&y| score_to_ic50(f64::from(y)))
                    .collect();
                ic50.sort_by(f64::total_cmp);
                ic50
            })
            .collect();
        let state = Arc::new(AlleleState {
            projections,
            background,
        });
        let mut cache = self
            .cache
            .lock()
            .map_err(|_| Error::Internal("binding cache poisoned".into()))?;
        Ok(Arc::clone(cache.entry(index).or_insert(state)))
    }

    /// Percentile rank (0–100) of `ic50` among the background peptides of `length` for the
    /// allele: the share of background peptides predicted to bind at least as strongly.
    fn percentile(state: &AlleleState, length: usize, ic50: f64) -> f64 {
        let bg = &state.background[length - MIN_LENGTH];
        let below = bg.partition_point(|&v| v <= ic50);
        100.0 * below as f64 / bg.len() as f64
    }
}

fn fields(name: &str) -> (u32, u32) {
    // `HLA-A*02:01` → (2, 1).
    let rest = name.split_once('*').map_or("", |(_, r)| r);
    let mut it = rest.split(':').map(|x| x.parse::<u32>().unwrap_or(0));
    (it.next().unwrap_or(0), it.next().unwrap_or(0))
}

impl BindingPredictor for BuiltinPredictor {
    fn name(&self) -> &str {
        &self.name
    }

    fn supports(&self, allele: &HlaAllele) -> bool {
        self.model.allele_index(allele).is_some()
    }

    fn predict(&self, allele: &HlaAllele, peptides: &[&str]) -> Result<Vec<Prediction>> {
        let state = self.state(allele)?;
        let encoded = peptides
            .iter()
            .map(|p| {
                EncodedPeptide::new(p.as_bytes())
                    .map_err(|e| Error::usage(format!("peptide '{p}' cannot be scored: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut scores = Vec::with_capacity(encoded.len());
        state
            .projections
            .scorer(&self.model)
            .score_into(&encoded, &mut scores);
        Ok(scores
            .iter()
            .zip(peptides)
            .map(|(&y, p)| {
                let ic50 = score_to_ic50(f64::from(y));
                Prediction {
                    ic50,
                    percentile: Some(Self::percentile(&state, p.len(), ic50)),
                }
            })
            .collect())
    }
}

/// Number of peptide lengths the model scores (for callers sizing tables).
pub const LENGTHS: usize = N_LENGTHS;
