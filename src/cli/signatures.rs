//! `immunoprofile signatures`.

use std::path::PathBuf;

use clap::Args;

use crate::error::Result;
use crate::quant::{Scale, TableFormat};
use crate::stage::signatures::{Params, Signatures};
use crate::stage::Stage;

/// Shown after `immunoprofile signatures --help`.
pub const EXAMPLES: &str = "\
Examples:
  immunoprofile signatures -e out/S1.quant.tsv -o out/S1
  immunoprofile signatures -e cohort.tpm.tsv --gene-sets my_sets.gmt -o out/cohort
  immunoprofile signatures -e salmon/quant.sf --gtf genes.gtf -o - | grep CYT";

/// Immune signature scores per sample from gene expression.
#[derive(Debug, Args)]
pub struct SignaturesArgs {
    /// Expression: a quant.tsv, salmon/RSEM/featureCounts/kallisto output, or a gene × sample
    /// matrix (first column gene symbols or Ensembl IDs).
    #[arg(short = 'e', long)]
    pub expression: PathBuf,
    /// Layout of --expression [default: recognised from its header].
    #[arg(long, value_enum)]
    pub format: Option<TableFormat>,
    /// GTF: maps transcripts to genes (salmon quant.sf, kallisto abundance.tsv) and gene IDs
    /// (Ensembl, versioned or not) to the gene_name symbols the signatures use, for any table.
    #[arg(long)]
    pub gtf: Option<PathBuf>,
    /// Extra gene sets (GMT) scored by ssGSEA; repeat or comma-separate.
    #[arg(long, value_delimiter = ',')]
    pub gene_sets: Vec<PathBuf>,
    /// Score only --gene-sets, not the shipped signatures.
    #[arg(long)]
    pub no_built_in: bool,
    /// Scale of the values [default: detected: whole numbers above 1000 are counts, a maximum
    /// below 25 is log2(TPM+1), else TPM].
    #[arg(long, value_enum)]
    pub scale: Option<Scale>,
    /// The sample to score in a featureCounts table with several BAM columns (the column
    /// header, its file name, or the file name without .bam); names a single-sample table's
    /// sample [default: the file name].
    #[arg(long)]
    pub sample: Option<String>,
    /// Whose ssGSEA to reproduce: gsva (R GSVA's method = "ssgsea", as Charoentong 2017, IOBR
    /// and TIMER used) or gseapy; they differ only on tied expression values (zeros).
    #[arg(long, value_enum, default_value_t = crate::signatures::ssgsea::Flavour::Gsva)]
    pub ssgsea: crate::signatures::ssgsea::Flavour,
    /// Output prefix: writes PREFIX.signatures.tsv and PREFIX.signatures.json. `-`: the table on
    /// stdout.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
}

impl SignaturesArgs {
    /// The stage parameters and output prefix (no check, no I/O).
    pub fn into_stage(self) -> (Params, PathBuf) {
        let SignaturesArgs {
            expression,
            format,
            gtf,
            gene_sets,
            no_built_in,
            scale,
            sample,
            ssgsea,
            output,
        } = self;
        let params = Params {
            expression: Some(expression),
            format,
            gtf,
            gene_sets,
            no_built_in,
            scale,
            sample,
            ssgsea,
        };
        (params, output)
    }
}

/// # Errors
/// Bad options or inputs.
pub fn run(args: SignaturesArgs, threads: usize) -> Result<()> {
    let (params, prefix) = args.into_stage();
    super::stdout::with_prefix(&prefix, "signatures", &["signatures.tsv"], |prefix| {
        Signatures::run(&params, prefix, threads).map(|_| ())
    })
}
