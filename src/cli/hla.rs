//! `immunoprofile hla`.

use std::path::PathBuf;

use clap::Args;

use crate::error::{Error, Result};
use crate::hla::{self, HlaInput, HlaParams};

/// HLA class I (A, B, C) and class II (DRB1, DQA1, DQB1, DPA1, DPB1) typing from reads.
#[derive(Debug, Args)]
pub struct HlaArgs {
    /// Reads (FASTQ, plain or gzip); with --fastq2 the first mates.
    #[arg(long, conflicts_with = "bam")]
    pub fastq: Option<PathBuf>,
    /// Second mates of --fastq, in the same order.
    #[arg(long, requires = "fastq")]
    pub fastq2: Option<PathBuf>,
    /// Aligned reads (BAM or CRAM, GRCh37 or GRCh38, DNA or RNA): the MHC, HLA/alt contigs and
    /// unmapped reads are read.
    #[arg(long)]
    pub bam: Option<PathBuf>,
    /// Reference FASTA for a CRAM (never downloaded).
    #[arg(long, requires = "bam")]
    pub fasta: Option<PathBuf>,
    /// IPD-IMGT/HLA release folder (fasta/*_nuc.fasta or hla_nuc.fasta, wmda/hla_nom_g.txt).
    #[arg(long)]
    pub imgt: PathBuf,
    /// Loci to type, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "A,B,C,DRB1,DQA1,DQB1,DPA1,DPB1"
    )]
    pub loci: Vec<String>,
    /// Fewer reads (fragments) than this at a locus: undetermined.
    #[arg(long, default_value_t = 20)]
    pub min_reads: u64,
    /// Fraction of reads a second allele must add to beat a homozygous call.
    #[arg(long, default_value_t = 0.02)]
    pub homozygosity_penalty: f64,
    /// Output prefix: writes PREFIX.hla.json and PREFIX.hla.tsv.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
}

impl HlaArgs {
    /// Validates the options into library parameters (no file is opened here).
    ///
    /// # Errors
    /// Neither --fastq nor --bam, or a penalty out of range.
    pub fn into_params(self) -> Result<(HlaParams, PathBuf)> {
        let input = match (self.fastq, self.bam) {
            (Some(r1), None) => HlaInput::Fastq {
                r1,
                r2: self.fastq2,
            },
            (None, Some(path)) => HlaInput::Bam {
                path,
                fasta: self.fasta,
            },
            _ => {
                return Err(Error::usage(
                    "hla needs --fastq R1 [--fastq2 R2] or --bam FILE",
                ))
            }
        };
        if !(0.0..1.0).contains(&self.homozygosity_penalty) {
            return Err(Error::usage("--homozygosity-penalty must be in [0, 1)"));
        }
        let params = HlaParams {
            input,
            loci: self.loci,
            min_reads: self.min_reads.max(1),
            homozygosity_penalty: self.homozygosity_penalty,
            ..HlaParams::new(self.imgt)
        };
        Ok((params, self.output))
    }
}

/// # Errors
/// Bad options or inputs.
pub fn run(args: HlaArgs) -> Result<()> {
    let (params, prefix) = args.into_params()?;
    let result = hla::type_sample(&params)?;
    hla::output::write(&result, &prefix)?;
    for l in &result.loci {
        match &l.call {
            Some(c) => log::info!(
                "HLA-{}: {} {} ({} reads, {})",
                l.locus,
                c.alleles[0].allele,
                c.alleles[1].allele,
                l.reads,
                l.confidence
            ),
            None => log::info!(
                "HLA-{}: undetermined: {}",
                l.locus,
                l.reason.as_deref().unwrap_or("")
            ),
        }
    }
    log::info!(
        "IPD-IMGT/HLA {}; please cite: {}",
        result.imgt_release,
        result.citation
    );
    Ok(())
}
