//! `immunoprofile binding`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::binding::builtin::BuiltinPredictor;
use crate::error::{Error, Result};
use crate::stage::binding::{Binding, Params};
use crate::stage::Stage;

/// Shown after `immunoprofile binding --help`.
pub const EXAMPLES: &str = "\
Examples:
  immunoprofile binding --alleles HLA-A*02:01 --peptides peptides.txt -o out/pep
  immunoprofile binding --alleles A*02:01,B*07:02 --peptides proteins.fa --lengths 9,10 -o - | sort -k4,4g | head
  immunoprofile binding --list-alleles | grep '^HLA-A'";

/// Predicted peptide–HLA class I binding (IC50, percentile rank) from the built-in model.
#[derive(Debug, Args)]
pub struct BindingArgs {
    /// HLA class I alleles separated by , ; | or spaces (HLA-A*02:01, A*02:01, A0201, HLA-A02:01
    /// all work); null alleles (…N) are not scored.
    #[arg(long, value_delimiter = ',', required_unless_present = "list_alleles")]
    pub alleles: Vec<String>,
    /// Peptides, one per line, or a FASTA file whose sequences are cut into --lengths windows
    /// (plain or gzip; `-` for stdin).
    #[arg(long, required_unless_present = "list_alleles")]
    pub peptides: Option<PathBuf>,
    /// Window lengths for FASTA input.
    #[arg(long, value_delimiter = ',', default_value = "8,9,10,11")]
    pub lengths: Vec<usize>,
    /// Print the supported alleles (allele, how served, measurements, pseudo-sequence) and exit.
    #[arg(long)]
    pub list_alleles: bool,
    /// Output prefix: writes PREFIX.binding.tsv and PREFIX.binding.json. `-`: the table on stdout.
    #[arg(short = 'o', long, required_unless_present = "list_alleles")]
    pub output: Option<PathBuf>,
}

impl BindingArgs {
    /// The stage parameters and output prefix (no check, no I/O).
    ///
    /// # Errors
    /// No -o/--output.
    pub fn into_stage(self) -> Result<(Params, PathBuf)> {
        let BindingArgs {
            alleles,
            peptides,
            lengths,
            list_alleles: _,
            output,
        } = self;
        let output = output.ok_or_else(|| Error::usage("-o/--output PREFIX is required"))?;
        Ok((
            Params {
                alleles,
                peptides,
                lengths,
            },
            output,
        ))
    }
}

/// # Errors
/// Bad options or inputs.
pub fn run(args: BindingArgs, threads: usize) -> Result<()> {
    if args.list_alleles {
        let predictor = BuiltinPredictor::load_default()?;
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let io = |e| Error::io("<stdout>", e);
        writeln!(out, "allele\tserved\tmeasurements\tpseudo_sequence").map_err(io)?;
        for k in predictor.known_alleles() {
            writeln!(
                out,
                "{}\t{}\t{}\t{}",
                k.allele,
                k.served.as_str(),
                k.measurements,
                k.pseudo_sequence
            )
            .map_err(io)?;
        }
        return Ok(());
    }
    let (params, prefix) = args.into_stage()?;
    super::stdout::with_prefix(&prefix, "binding", &["binding.tsv"], |prefix| {
        Binding::run(&params, prefix, threads).map(|_| ())
    })
}
