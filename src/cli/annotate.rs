//! `immunoprofile annotate`.

use std::path::PathBuf;

use clap::Args;

use crate::annotate::model::ModelOptions;
use crate::annotate::stage::{self, AnnotateParams};
use crate::error::Result;

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
    /// Output prefix: writes PREFIX.annotated.vcf.gz (+ .tbi) and PREFIX.annotate.json.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
}

impl AnnotateArgs {
    /// The library parameters and output prefix (no file is opened here).
    pub fn into_params(self, threads: usize) -> (AnnotateParams, PathBuf) {
        (
            AnnotateParams {
                vcf: self.vcf,
                gtf: self.gtf,
                fasta: self.fasta,
                model: ModelOptions {
                    allow_mismatch: self.allow_mismatch,
                },
                threads,
            },
            self.output,
        )
    }
}

/// # Errors
/// Bad options or inputs.
pub fn run(args: AnnotateArgs, threads: usize) -> Result<()> {
    let (params, prefix) = args.into_params(threads);
    let s = stage::run(&params, &prefix)?;
    log::info!(
        "{} records, {} alleles annotated ({} CSQ entries) -> {}",
        s.records,
        s.alleles,
        s.annotations,
        s.output.display()
    );
    Ok(())
}
