//! `immunoprofile annotate`.

use std::path::PathBuf;

use clap::Args;

use crate::error::Result;
use crate::stage::annotate::{Annotate, Params};
use crate::stage::Stage;

/// Shown after `immunoprofile annotate --help`.
pub const EXAMPLES: &str = "\
Examples:
  immunoprofile annotate --vcf tumour.vcf.gz --gtf genes.gtf --fasta genome.fa -o out/S1
  immunoprofile annotate --vcf tumour.vcf.gz --gtf genes.gtf --fasta genome.fa -o - | bcftools view -H -";

/// Transcript consequences and protein changes from a GTF and FASTA, written as a VEP-layout CSQ.
#[derive(Debug, Args)]
pub struct AnnotateArgs {
    /// VCF/BCF to annotate (plain, bgzip or BCF; `-` for stdin), sorted by position.
    #[arg(long)]
    pub vcf: PathBuf,
    /// Gene annotation (Ensembl or GENCODE GTF, plain or gzip).
    #[arg(long)]
    pub gtf: PathBuf,
    /// Reference FASTA the GTF and VCF refer to (indexed in memory when no .fai is beside it).
    #[arg(long)]
    pub fasta: PathBuf,
    /// Annotate even when no complete CDS of the GTF translates against the FASTA.
    #[arg(long)]
    pub allow_mismatch: bool,
    /// Output prefix: writes PREFIX.annotated.vcf.gz (+ .tbi) and PREFIX.annotate.json. `-`: the bgzipped VCF on stdout (no index).
    #[arg(short = 'o', long)]
    pub output: PathBuf,
}

impl AnnotateArgs {
    /// The stage parameters and output prefix (no check, no I/O).
    pub fn into_stage(self) -> (Params, PathBuf) {
        let AnnotateArgs {
            vcf,
            gtf,
            fasta,
            allow_mismatch,
            output,
        } = self;
        let params = Params {
            vcf: Some(vcf),
            gtf: Some(gtf),
            fasta: Some(fasta),
            allow_mismatch,
        };
        (params, output)
    }
}

/// # Errors
/// Bad options or inputs.
pub fn run(args: AnnotateArgs, threads: usize) -> Result<()> {
    let (params, prefix) = args.into_stage();
    super::stdout::with_prefix(&prefix, "annotate", &["annotated.vcf.gz"], |prefix| {
        Annotate::run(&params, prefix, threads).map(|_| ())
    })
}
