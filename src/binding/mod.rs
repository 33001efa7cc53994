//! Peptide–HLA class I binding: allele names and the predictor interface that `neoantigens`
//! calls. Implementations: the built-in model, and imported results of external tools.

pub mod allele;
pub mod background;
pub mod builtin;
pub mod class2;
pub mod data;
pub mod encoding;
#[cfg(feature = "train")]
pub mod evaluate;
pub mod kernel;
pub mod model;
#[cfg(feature = "train")]
pub mod negatives;
pub mod stage;
#[cfg(feature = "train")]
pub mod train;

pub use allele::{parse_allele_list, AlleleList, HlaAllele};

use serde::Serialize;

use crate::error::Result;

/// One peptide's predicted binding to one allele.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prediction {
    /// Predicted IC50 in nM (lower binds better).
    pub ic50: f64,
    /// Percentile rank among natural background peptides of the same length (0-100, lower is
    /// better; [`background`]), when the predictor provides one.
    pub percentile: Option<f64>,
}

/// A binding predictor. Implementations are `Sync` so that epitopes can be scored in parallel.
pub trait BindingPredictor: Send + Sync {
    /// A short name for provenance (e.g. `builtin-v1`, `netmhcpan-import`).
    fn name(&self) -> &str;

    /// Whether the predictor can score this allele.
    fn supports(&self, allele: &HlaAllele) -> bool;

    /// Predicts every peptide against `allele`, in order.
    ///
    /// # Errors
    /// An unsupported allele, or a peptide the predictor cannot score (length, letters).
    fn predict(&self, allele: &HlaAllele, peptides: &[&str]) -> Result<Vec<Prediction>>;
}
