//! `immunoprofile binding`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::binding::builtin::BuiltinPredictor;
use crate::binding::class2::predictor::Class2Predictor;
use crate::binding::class2::pseudo::Class2Sequences;
use crate::error::{Error, Result};
use crate::stage::binding::{Binding, Params};
use crate::stage::Stage;

/// Shown after `immunoprofile binding --help`.
pub const EXAMPLES: &str = "\
Examples:
  immunoprofile binding --alleles HLA-A*02:01 --peptides peptides.txt -o out/pep
  immunoprofile binding --alleles A*02:01,B*07:02 --peptides proteins.fa --lengths 9,10 -o - | sort -k4,4g | head
  immunoprofile binding --alleles HLA-DRB1*03:01,DQA1*05:01-DQB1*03:02 --imgt IMGTHLA --peptides proteins.fa -o out/c2
  immunoprofile binding --list-alleles | grep '^HLA-A'";

/// Predicted peptide–HLA class I and class II binding (IC50, percentile rank; class II binding
/// core) from the built-in models.
#[derive(Debug, Args)]
pub struct BindingArgs {
    /// HLA class I alleles and class II molecules separated by , ; | or spaces (HLA-A*02:01,
    /// A*02:01, A0201; HLA-DRA*01:01/DRB1*03:01, DQA1*05:01-DQB1*03:02, HLA-DRB1*03:01 with
    /// DRA*01:01 implied); null alleles (…N) are not scored. Class II needs --imgt.
    #[arg(long, value_delimiter = ',', required_unless_present = "list_alleles")]
    pub alleles: Vec<String>,
    /// Peptides, one per line, or a FASTA file whose sequences are cut into --lengths windows
    /// (plain or gzip; `-` for stdin).
    #[arg(long, required_unless_present = "list_alleles")]
    pub peptides: Option<PathBuf>,
    /// Window lengths for FASTA input (class I).
    #[arg(long, value_delimiter = ',', default_value = "8,9,10,11")]
    pub lengths: Vec<usize>,
    /// Window lengths for FASTA input scored against class II molecules (9-40).
    #[arg(long, value_delimiter = ',', default_value = "15")]
    pub class2_lengths: Vec<usize>,
    /// IPD-IMGT/HLA release folder (fasta/DRB1_prot.fasta …): class II pseudo-sequences are
    /// built from it at run time (its licence forbids shipping them).
    #[arg(long)]
    pub imgt: Option<PathBuf>,
    /// Print the supported alleles (allele, how served, measurements, pseudo-sequence) and exit:
    /// class I, then the class II molecules with training data (pseudo-sequences with --imgt).
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
            class2_lengths,
            imgt,
            list_alleles: _,
            output,
        } = self;
        let output = output.ok_or_else(|| Error::usage("-o/--output PREFIX is required"))?;
        Ok((
            Params {
                alleles,
                peptides,
                lengths,
                class2_lengths,
                imgt,
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
        let model2 = Class2Predictor::embedded_model()?;
        let sequences = args
            .imgt
            .as_deref()
            .map(Class2Sequences::load)
            .transpose()?;
        for r in &model2.molecules {
            let pseudo = match &sequences {
                Some(s) => s.pseudo(&r.molecule).map_or_else(
                    |_| "NA".to_string(),
                    |p| String::from_utf8_lossy(&p).into_owned(),
                ),
                None => "NA".to_string(),
            };
            writeln!(
                out,
                "{}\town-data\t{}\t{pseudo}",
                r.molecule, r.measurements
            )
            .map_err(io)?;
        }
        if sequences.is_none() {
            log::info!("class II pseudo-sequences are shown with --imgt DIR; any DR, DQ or DP molecule whose chains are in that release is scored (pan-allele)");
        }
        return Ok(());
    }
    let (params, prefix) = args.into_stage()?;
    super::stdout::with_prefix(&prefix, "binding", &["binding.tsv"], |prefix| {
        Binding::run(&params, prefix, threads).map(|_| ())
    })
}
