//! Command-line layer: one file per subcommand, each turning its clap `Args` into validated
//! library parameters (no I/O in the conversion) and calling the stage.

pub mod binding;
pub mod tmb;

use clap::{Parser, Subcommand};

use crate::error::Result;

#[derive(Debug, Parser)]
#[command(name = "immunoprofile", version, about = "Immunotherapy biomarkers (TMB, neoantigens, immune signatures, MSI) from tumour sequencing files", propagate_version = true)]
pub struct Cli {
    /// Worker threads (default: all cores). Outputs are identical for any value.
    #[arg(short = 't', long, global = true, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,

    /// Only warnings and errors on stderr; no progress bars.
    #[arg(short = 'q', long, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    pub fn threads(&self) -> Option<usize> {
        self.threads.map(usize::from)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Tumour mutational burden (mutations per Mb) with filters and published presets.
    Tmb(tmb::TmbArgs),
    /// Predicted peptide–HLA class I binding (IC50 nM, percentile rank) from the built-in model.
    Binding(binding::BindingArgs),
}

impl Command {
    /// Runs the subcommand with `threads` workers available (the global rayon pool is already
    /// sized by the binary).
    ///
    /// # Errors
    /// Whatever the stage reports.
    pub fn run(self, threads: usize) -> Result<()> {
        match self {
            Command::Tmb(args) => tmb::run(args, threads),
            Command::Binding(args) => binding::run(args, threads),
        }
    }
}
