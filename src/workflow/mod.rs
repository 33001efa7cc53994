//! `immunoprofile run`: every stage for every sample of a manifest, as a dependency graph per
//! sample, resumable (a stage whose command, inputs and version are unchanged is skipped).
//!
//! - [`manifest`]: the TOML manifest and CSV samplesheet, validated in full up front.
//! - [`stages`]: the one table of stages → command lines, inputs and outputs.
//! - [`state`]: `OUT/SAMPLE/manifest.json`, the record each re-run compares against.
//! - [`runner`]: the scheduler.
//! - [`paths`]: how paths are written on the command lines (shared with the Snakefile).

pub mod manifest;
pub mod paths;
pub mod runner;
pub mod stages;
pub mod state;

pub use manifest::Manifest;
pub use runner::{run, Outcome, RunOptions, RunSummary};
