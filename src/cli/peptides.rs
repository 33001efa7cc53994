//! `immunoprofile peptides`.

use std::path::PathBuf;

use clap::Args;

use super::InMemoryAnnotationArgs;
use crate::error::Result;
use crate::stage::peptides::{Params, Peptides};
use crate::stage::Stage;

/// Shown after `immunoprofile peptides --help`.
pub const EXAMPLES: &str = "\
Examples:
  immunoprofile peptides --vcf tumour.vep.vcf.gz --flank 10 -o out/S1
  immunoprofile peptides --vcf tumour.vcf.gz --gtf genes.gtf --fasta genome.fa -o - | head";

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
    pub annotation: InMemoryAnnotationArgs,
    /// Output prefix: writes PREFIX.peptides.fasta, PREFIX.peptides.tsv, PREFIX.peptides.json. `-`: the FASTA on stdout.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
}

impl PeptidesArgs {
    /// The stage parameters and output prefix (no check, no I/O).
    pub fn into_stage(self) -> (Params, PathBuf) {
        let PeptidesArgs {
            vcf,
            sample,
            flank,
            downstream_length,
            biotypes,
            allow_incomplete_transcripts,
            pass_only,
            mutant_only,
            annotation:
                InMemoryAnnotationArgs {
                    gtf,
                    fasta,
                    allow_mismatch,
                },
            output,
        } = self;
        let params = Params {
            vcf: Some(vcf),
            sample,
            flank,
            downstream_length,
            biotypes,
            allow_incomplete_transcripts,
            pass_only,
            mutant_only,
            gtf,
            fasta,
            allow_mismatch,
        };
        (params, output)
    }
}

/// # Errors
/// Bad options or inputs.
pub fn run(args: PeptidesArgs, threads: usize) -> Result<()> {
    let (params, prefix) = args.into_stage();
    super::stdout::with_prefix(&prefix, "peptides", &["peptides.fasta"], |prefix| {
        Peptides::run(&params, prefix, threads).map(|_| ())
    })
}
