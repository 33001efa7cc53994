//! `immunoprofile response`.

use std::path::PathBuf;

use clap::Args;

use crate::error::Result;
use crate::stage::response::{Params, Response};
use crate::stage::Stage;

/// Shown after `immunoprofile response --help`.
pub const EXAMPLES: &str = "\
Examples:
  immunoprofile response --tmb-json out/S1.tmb.json --msi-json out/S1.msi.json --hla-json out/S1.hla.json -o out/S1
  immunoprofile response --features features.tsv -o out/cohort
  immunoprofile response --hed --alleles A*02:01,A*01:01,B*07:02,B*08:01,C*07:01,C*07:02 --imgt IMGTHLA -o out/S1";

/// Probability of response to immune checkpoint blockade: a batch feature table, one sample from
/// its stage outputs, or HED from alleles.
#[derive(Debug, Args)]
pub struct ResponseArgs {
    /// Table (CSV or TSV, detected; gzip ok) with one row per patient and the training file's
    /// column names: SAMPLE_ID, TMB, PDL1_TPS(%), Systemic_therapy_history, Albumin, CancerType,
    /// NLR, Age, FCNA, Drug, Sex, MSI, Stage, HLA_LOH, HED, Platelets, HGB, BMI (any may be
    /// absent or empty; other columns are ignored).
    #[arg(long)]
    pub features: Option<PathBuf>,
    /// Compute HED instead: needs --alleles and --imgt.
    #[arg(long, requires_all = ["alleles", "imgt"], conflicts_with = "features")]
    pub hed: bool,
    /// HLA class I alleles, two per locus, comma-separated (e.g. A*02:01,A*01:01,B*07:02,...).
    #[arg(long, value_delimiter = ',')]
    pub alleles: Vec<String>,
    /// IPD-IMGT/HLA release folder (fasta/A_prot.fasta ... or hla_prot.fasta), for HED.
    #[arg(long)]
    pub imgt: Option<PathBuf>,
    /// One sample: `immunoprofile tmb`'s PREFIX.tmb.json (TMB, put on the training panel's
    /// scale unless --tmb-on-training-panel).
    #[arg(long, conflicts_with = "features")]
    pub tmb_json: Option<PathBuf>,
    /// One sample: `immunoprofile msi`'s PREFIX.msi.json (MSI-H or not; undetermined is missing).
    #[arg(long, conflicts_with = "features")]
    pub msi_json: Option<PathBuf>,
    /// One sample: `immunoprofile hla`'s PREFIX.hla.json (class I alleles for HED, with --imgt;
    /// --alleles win).
    #[arg(long, conflicts_with = "features")]
    pub hla_json: Option<PathBuf>,
    /// One sample: a table like --features holding the sample's clinical values (its row is
    /// found by SAMPLE_ID = --sample); TMB, MSI and HED come from the stage outputs.
    #[arg(long, conflicts_with = "features")]
    pub clinical: Option<PathBuf>,
    /// One sample: its name (default: the sample of --tmb-json).
    #[arg(long, conflicts_with = "features")]
    pub sample: Option<String>,
    /// The TMB of --tmb-json was counted on MSK-IMPACT itself (no scale change, no added noise).
    #[arg(long)]
    pub tmb_on_training_panel: bool,
    /// Output prefix: writes PREFIX.response.tsv and PREFIX.response.json (or PREFIX.hed.json). `-`: the JSON on stdout.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
}

impl ResponseArgs {
    /// The stage parameters and output prefix (no check, no I/O).
    pub fn into_stage(self) -> (Params, PathBuf) {
        let ResponseArgs {
            features,
            hed,
            alleles,
            imgt,
            tmb_json,
            msi_json,
            hla_json,
            clinical,
            sample,
            tmb_on_training_panel,
            output,
        } = self;
        let params = Params {
            features,
            hed,
            alleles,
            imgt,
            tmb_json,
            msi_json,
            hla_json,
            clinical,
            sample,
            tmb_on_training_panel,
        };
        (params, output)
    }
}

/// # Errors
/// Bad options or inputs.
pub fn run(args: ResponseArgs, threads: usize) -> Result<()> {
    let (params, prefix) = args.into_stage();
    super::stdout::with_prefix(
        &prefix,
        "response",
        &["response.json", "hed.json"],
        |prefix| Response::run(&params, prefix, threads).map(|_| ()),
    )
}
