//! `immunoprofile run`: every stage for every sample of a manifest, as a dependency graph per
//! sample, resumable (a stage whose command, inputs and version are unchanged is skipped).
//!
//! - [`manifest`]: the TOML manifest and CSV samplesheet, validated in full up front.
//! - [`plan`]: which samplesheet/reference file feeds which stage parameter → typed jobs with
//!   their inputs, outputs and equivalent command lines (stage names, dependencies and outputs
//!   come from [`crate::stage`]).
//! - [`state`]: `OUT/SAMPLE/manifest.json`, the record each re-run compares against.
//! - [`runner`]: the scheduler; [`outcome`]: what it reports per stage and sample;
//!   [`progress`]: its progress bars.
//! - [`paths`]: how paths are written on the command lines (shared with the Snakefile).

pub mod manifest;
pub mod outcome;
pub mod paths;
pub mod plan;
pub mod progress;
pub mod runner;
pub mod state;

pub use manifest::Manifest;
pub use outcome::{Outcome, RunSummary};
pub use progress::shows_progress_bars;
pub use runner::{plan as plan_json, run, RunOptions};
