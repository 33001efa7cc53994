//! `immunoprofile peptides`.

use std::path::PathBuf;

use clap::Args;

use crate::error::{Error, Result};
use crate::peptides::{self, Downstream, EntryFilter, PeptideParams};

/// Mutant and wild-type protein windows around each protein-changing variant (pVACseq's
/// `generate_protein_fasta`).
#[derive(Debug, Args)]
pub struct PeptidesArgs {
    /// VEP-annotated VCF/BCF whose CSQ has WildtypeProtein and FrameshiftSequence.
    #[arg(long)]
    pub vcf: PathBuf,
    /// Tumour sample (default: ##tumor_sample, a sample named TUMOR, or the only sample).
    #[arg(long)]
    pub sample: Option<String>,
    /// Amino acids on each side of the change.
    #[arg(long, default_value_t = 10)]
    pub flank: usize,
    /// Frameshift windows: amino acids kept downstream of the frameshift, or `full` (to the stop).
    #[arg(short = 'd', long, default_value = "1000", value_name = "N|full")]
    pub downstream_length: String,
    /// Transcript biotypes kept (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "protein_coding")]
    pub biotypes: Vec<String>,
    /// Keep transcripts flagged cds_start_NF / cds_end_NF (incomplete CDS).
    #[arg(long)]
    pub allow_incomplete_transcripts: bool,
    /// Only FILTER=PASS (or '.') records.
    #[arg(long)]
    pub pass_only: bool,
    /// Write only the mutant (MT.) records to the FASTA.
    #[arg(long)]
    pub mutant_only: bool,
    #[command(flatten)]
    pub annotation: super::InMemoryAnnotationArgs,
    /// Output prefix: writes PREFIX.peptides.fasta, PREFIX.peptides.tsv, PREFIX.peptides.json.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
}

/// `N` or `full`.
///
/// # Errors
/// Anything else.
pub fn parse_downstream(text: &str) -> Result<Downstream> {
    if text.eq_ignore_ascii_case("full") {
        return Ok(Downstream::Full);
    }
    text.parse::<usize>()
        .ok()
        .filter(|n| *n > 0)
        .map(Downstream::Limit)
        .ok_or_else(|| {
            Error::usage(format!(
                "--downstream-length '{text}' must be a positive whole number or 'full'"
            ))
        })
}

impl PeptidesArgs {
    /// Validates the options (no file is opened here).
    ///
    /// # Errors
    /// Out-of-range values.
    pub fn into_params(self, threads: usize) -> Result<(PeptideParams, PathBuf)> {
        if self.flank == 0 {
            return Err(Error::usage("--flank must be at least 1"));
        }
        let biotypes: Vec<String> = self
            .biotypes
            .into_iter()
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty())
            .collect();
        if biotypes.is_empty() {
            return Err(Error::usage(
                "--biotypes needs at least one biotype (e.g. protein_coding)",
            ));
        }
        let params = PeptideParams {
            vcf: self.vcf,
            sample: self.sample,
            flank: self.flank,
            downstream: parse_downstream(&self.downstream_length)?,
            filter: EntryFilter {
                biotypes,
                allow_incomplete: self.allow_incomplete_transcripts,
                pass_only: self.pass_only,
            },
            mutant_only: self.mutant_only,
            annotation: self.annotation.into_annotation(),
            threads,
        };
        Ok((params, self.output))
    }
}

/// # Errors
/// Bad options or inputs.
pub fn run(args: PeptidesArgs, threads: usize) -> Result<()> {
    let (params, prefix) = args.into_params(threads)?;
    let s = peptides::run(&params, &prefix)?;
    log::info!(
        "{}: {} window pairs from {} transcript entries",
        s.sample,
        s.windows,
        s.entries
    );
    Ok(())
}
