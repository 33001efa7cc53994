//! `immunoprofile quant`.

use std::path::PathBuf;

use clap::Args;

use crate::error::Result;
use crate::quant::{Strandedness, TableFormat};
use crate::stage::quant::{Params, Quant};
use crate::stage::Stage;

/// Shown after `immunoprofile quant --help`.
pub const EXAMPLES: &str = "\
Examples:
  immunoprofile quant --bam rna.bam --gtf genes.gtf --strand reverse --paired -o out/S1
  immunoprofile quant --table salmon/quant.sf --gtf genes.gtf -o out/S1
  immunoprofile quant --bam rna.bam --gtf genes.gtf -o - | sort -k5,5gr | head";

/// Gene counts and TPM from an RNA BAM/CRAM (featureCounts' rules), or from a peer's table.
#[derive(Debug, Args)]
pub struct QuantArgs {
    /// Coordinate-sorted, indexed RNA BAM/CRAM.
    #[arg(long, conflicts_with = "table")]
    pub bam: Option<PathBuf>,
    /// Gene annotation (GTF); exons are grouped by gene_id. With --table: maps transcripts to genes.
    #[arg(long)]
    pub gtf: Option<PathBuf>,
    /// Reference FASTA for CRAM.
    #[arg(long)]
    pub fasta: Option<PathBuf>,
    /// Library strandedness (featureCounts -s 0|1|2).
    #[arg(long, value_enum, default_value_t = Strandedness::None)]
    pub strand: Strandedness,
    /// Count fragments of paired-end reads [default: detected from the flags].
    #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub paired: Option<bool>,
    /// Minimum mapping quality (for a pair: at least one mate).
    #[arg(long, default_value_t = 0)]
    pub min_mapq: u8,
    /// Count primary alignments only (featureCounts --primary): secondary alignments (flag
    /// 0x100) become Unassigned_Secondary. Without it, as featureCounts, a secondary alignment
    /// with NH:i:1 counts as one more read; NH > 1 is always Unassigned_MultiMapping.
    #[arg(long)]
    pub primary: bool,
    /// An existing quantification instead of a BAM: salmon, RSEM, featureCounts, kallisto, a
    /// quant.tsv or a gene × sample matrix.
    #[arg(long)]
    pub table: Option<PathBuf>,
    /// Layout of --table [default: recognised from its header].
    #[arg(long, value_enum, requires = "table")]
    pub table_format: Option<TableFormat>,
    /// Column of a multi-sample --table: a matrix's sample, or a featureCounts count column by
    /// its header (the BAM path), file name, or file name without .bam.
    #[arg(long, requires = "table")]
    pub sample: Option<String>,
    /// Output prefix: writes PREFIX.quant.tsv and PREFIX.quant.json. `-`: the table on stdout.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
}

impl QuantArgs {
    /// The stage parameters and output prefix (no check, no I/O).
    pub fn into_stage(self) -> (Params, PathBuf) {
        let QuantArgs {
            bam,
            gtf,
            fasta,
            strand,
            paired,
            min_mapq,
            primary,
            table,
            table_format,
            sample,
            output,
        } = self;
        let params = Params {
            bam,
            gtf,
            fasta,
            strand,
            paired,
            min_mapq,
            primary,
            table,
            table_format,
            sample,
        };
        (params, output)
    }
}

/// # Errors
/// Bad options or inputs.
pub fn run(args: QuantArgs, threads: usize) -> Result<()> {
    let (params, prefix) = args.into_stage();
    super::stdout::with_prefix(&prefix, "quant", &["quant.tsv"], |prefix| {
        Quant::run(&params, prefix, threads).map(|_| ())
    })
}
