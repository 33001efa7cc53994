//! `immunoprofile signatures`.

use std::path::PathBuf;

use clap::Args;

use crate::error::Result;
use crate::quant::{Scale, TableFormat};
use crate::signatures::{self, SignaturesParams};

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
    /// GTF mapping transcripts to genes (salmon quant.sf, kallisto abundance.tsv).
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
    /// Sample name for a single-sample table [default: the file name].
    #[arg(long)]
    pub sample: Option<String>,
    /// Whose ssGSEA to reproduce: gsva (R GSVA's method = "ssgsea", as Charoentong 2017, IOBR
    /// and TIMER used) or gseapy; they differ only on tied expression values (zeros).
    #[arg(long, value_enum, default_value_t = signatures::ssgsea::Flavour::Gsva)]
    pub ssgsea: signatures::ssgsea::Flavour,
    /// Output prefix: writes PREFIX.signatures.tsv and PREFIX.signatures.json.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
}

impl SignaturesArgs {
    /// Validates the options into library parameters (no file is opened here).
    pub fn into_params(self) -> (SignaturesParams, PathBuf) {
        (
            SignaturesParams {
                expression: self.expression,
                format: self.format,
                gtf: self.gtf,
                gene_sets: self.gene_sets,
                built_in: !self.no_built_in,
                scale: self.scale,
                sample: self.sample,
                ssgsea: self.ssgsea,
            },
            self.output,
        )
    }
}

/// # Errors
/// Bad options or inputs.
pub fn run(args: SignaturesArgs) -> Result<()> {
    let (params, prefix) = args.into_params();
    let s = signatures::run(&params, &prefix)?;
    log::info!(
        "{} signatures scored on {} samples ({} genes, values read as {:?})",
        s.signatures.len(),
        s.samples.len(),
        s.genes,
        s.scale_used
    );
    Ok(())
}
