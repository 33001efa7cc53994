//! The shipped class II predictor: `reference/binding/class2/model.bin` embedded in the binary,
//! pseudo-sequences from the user's IPD-IMGT/HLA folder.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::binding::background::{natural_peptides, CLASS2_LENGTH};
use crate::binding::class2::encoding::Peptide2;
use crate::binding::class2::model::{Model2, Projections2};
use crate::binding::class2::pseudo::Class2Sequences;
use crate::binding::class2::Class2Molecule;
use crate::binding::model::score_to_ic50;
use crate::error::{Error, Result};

static MODEL_BYTES: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/reference/binding/class2/model.bin"
));

/// Length of the background peptides (the usual class II epitope length); the peptides are the
/// natural 15-mers of [`crate::binding::background`].
pub const CALIBRATION_LENGTH: usize = CLASS2_LENGTH;

/// One peptide's prediction against one class II molecule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction2 {
    pub ic50: f64,
    /// Rank (0–100) among natural background 15-mers for the molecule.
    pub percentile: f64,
    /// 0-based offset of the 9-residue binding core.
    pub core_offset: usize,
    pub core: String,
}

struct State {
    projections: Projections2,
    background: Vec<f64>,
}

/// The built-in class II predictor.
pub struct Class2Predictor {
    model: Model2,
    sequences: Class2Sequences,
    cache: Mutex<HashMap<Class2Molecule, Arc<State>>>,
}

impl Class2Predictor {
    /// The embedded model with pseudo-sequences from the IPD-IMGT/HLA folder `imgt`.
    ///
    /// # Errors
    /// The folder holds no class II protein FASTA; a damaged embedded model (build problem).
    pub fn load_default(imgt: &Path) -> Result<Self> {
        let model = Model2::from_bytes(MODEL_BYTES)
            .map_err(|e| Error::Internal(format!("embedded class II binding model: {e}")))?;
        Ok(Self::new(model, Class2Sequences::load(imgt)?))
    }

    /// The embedded model alone (its molecule table and provenance).
    ///
    /// # Errors
    /// A damaged embedded model.
    pub fn embedded_model() -> Result<Model2> {
        Model2::from_bytes(MODEL_BYTES)
            .map_err(|e| Error::Internal(format!("embedded class II binding model: {e}")))
    }

    pub fn new(model: Model2, sequences: Class2Sequences) -> Self {
        Self {
            model,
            sequences,
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn model(&self) -> &Model2 {
        &self.model
    }

    pub fn sequences(&self) -> &Class2Sequences {
        &self.sequences
    }

    pub fn name(&self) -> String {
        format!(
            "builtin-class2-v{}",
            crate::binding::class2::model::FORMAT_VERSION
        )
    }

    /// Training measurements of `molecule` (0: served from its pseudo-sequence only).
    pub fn measurements(&self, molecule: &Class2Molecule) -> u32 {
        self.model
            .molecule_index(molecule)
            .map_or(0, |i| self.model.molecules[i].measurements)
    }

    /// The molecule's pseudo-sequence.
    ///
    /// # Errors
    /// A chain the IPD-IMGT/HLA folder does not hold.
    pub fn pseudo(&self, molecule: &Class2Molecule) -> Result<Vec<u8>> {
        self.sequences.pseudo(molecule).map_err(|e| {
            Error::usage(format!(
                "{molecule}: {e}; the class II model scores any DR, DQ or DP molecule whose chains are in the release"
            ))
        })
    }

    fn state(&self, molecule: &Class2Molecule) -> Result<Arc<State>> {
        if let Some(s) = self
            .cache
            .lock()
            .ok()
            .and_then(|c| c.get(molecule).cloned())
        {
            return Ok(s);
        }
        let pseudo = self.pseudo(molecule)?;
        let mut projections = Projections2::new(&self.model, &pseudo);
        let calibration: Vec<Peptide2> = natural_peptides(CALIBRATION_LENGTH)
            .iter()
            .filter_map(|p| Peptide2::new(p.as_bytes()).ok())
            .collect();
        projections.align_registers(&self.model, &calibration);
        let mut background: Vec<f64> = calibration
            .iter()
            .map(|p| score_to_ic50(f64::from(projections.score(&self.model, p).score)))
            .collect();
        background.sort_by(f64::total_cmp);
        let state = Arc::new(State {
            projections,
            background,
        });
        let mut cache = self
            .cache
            .lock()
            .map_err(|_| Error::Internal("class II binding cache poisoned".into()))?;
        Ok(Arc::clone(cache.entry(molecule.clone()).or_insert(state)))
    }

    /// Predicts every peptide against `molecule`, in order.
    ///
    /// # Errors
    /// A molecule without sequences in the folder; a peptide of a length outside 9–40 or with
    /// a non-standard letter.
    pub fn predict(
        &self,
        molecule: &Class2Molecule,
        peptides: &[&str],
    ) -> Result<Vec<Prediction2>> {
        let state = self.state(molecule)?;
        peptides
            .iter()
            .map(|p| {
                let pep = Peptide2::new(p.as_bytes()).map_err(|e| {
                    Error::usage(format!("peptide '{p}' cannot be scored (class II): {e}"))
                })?;
                let s = state.projections.score(&self.model, &pep);
                let ic50 = score_to_ic50(f64::from(s.score));
                let below = state.background.partition_point(|&v| v <= ic50);
                Ok(Prediction2 {
                    ic50,
                    percentile: 100.0 * below as f64 / state.background.len() as f64,
                    core_offset: s.offset,
                    core: pep.core(s.offset),
                })
            })
            .collect()
    }
}
