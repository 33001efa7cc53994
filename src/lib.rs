//! `immunoprofile`: immunotherapy biomarkers from a tumour's sequencing files.
//!
//! Each stage is a library function from parsed inputs to a `serde`-serialisable result; the
//! `immunoprofile` binary is a thin command-line layer over them (see `cli`).
//!
//! ```no_run
//! use std::path::Path;
//! use immunoprofile::tmb::{self, TmbParams, Denominator};
//!
//! let mut params = TmbParams::default();
//! params.vcf = "tumour.vcf.gz".into();
//! params.denominator = Denominator::EffectiveSize(33_000_000);
//! let result = tmb::compute(&params).unwrap();
//! println!("{} mutations/Mb ({} counted)", result.summary.tmb, result.summary.variants_counted);
//! ```

pub mod annotate;
pub mod binding;
pub mod cli;
pub mod error;
pub mod genome;
pub mod hla;
pub mod io;
pub mod msi;
pub mod neoantigen;
pub mod par;
pub mod peptides;
pub mod progress;
pub mod quant;
pub mod report;
pub mod response;
pub mod signatures;
pub mod stage;
pub mod tmb;
pub mod variant;
pub mod workflow;

pub use error::{Error, Result};

/// The tool version written into every output's provenance.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
