//! HLA class II binding: molecule names, pseudo-sequences read from the user's IPD-IMGT/HLA
//! folder, the core-search network, its training and the predictor.

pub mod allele;
pub mod encoding;
#[cfg(feature = "train")]
pub mod evaluate;
pub mod model;
pub mod predictor;
pub mod pseudo;
#[cfg(feature = "train")]
mod report;
#[cfg(feature = "train")]
pub mod select;
#[cfg(feature = "train")]
pub mod train;

pub use allele::{looks_class2, Class2Molecule};
