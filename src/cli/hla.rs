//! `immunoprofile hla`.

use std::path::PathBuf;

use clap::Args;

use crate::error::Result;
use crate::stage::hla::{Hla, Params};
use crate::stage::Stage;

/// Shown after `immunoprofile hla --help`.
pub const EXAMPLES: &str = "\
Examples:
  immunoprofile hla --fastq reads_1.fq.gz --fastq2 reads_2.fq.gz --imgt IMGTHLA -o out/S1
  immunoprofile hla --bam normal.bam --imgt IMGTHLA --loci A,B,C -o out/S1";

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
    /// Folder for the index built from --imgt, reused by later runs on the same release
    /// (rebuilt when its files change); default: the output's folder.
    #[arg(long)]
    pub index_cache: Option<PathBuf>,
    /// Output prefix: writes PREFIX.hla.json and PREFIX.hla.tsv. `-`: the table on stdout.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
}

impl HlaArgs {
    /// The stage parameters and output prefix (no check, no I/O).
    pub fn into_stage(self) -> (Params, PathBuf) {
        let HlaArgs {
            fastq,
            fastq2,
            bam,
            fasta,
            imgt,
            loci,
            min_reads,
            homozygosity_penalty,
            index_cache,
            output,
        } = self;
        let params = Params {
            fastq,
            fastq2,
            bam,
            fasta,
            imgt: Some(imgt),
            loci,
            min_reads,
            homozygosity_penalty,
            index_cache,
        };
        (params, output)
    }
}

/// # Errors
/// Bad options or inputs.
pub fn run(args: HlaArgs, threads: usize) -> Result<()> {
    let (params, prefix) = args.into_stage();
    super::stdout::with_prefix(&prefix, "hla", &["hla.tsv"], |prefix| {
        Hla::run(&params, prefix, threads).map(|_| ())
    })
}
