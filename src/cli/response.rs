//! `immunoprofile response`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::io::output::{commit_all, fmt_opt, json_file, prefixed, AtomicFile};
use crate::response::hed::{hed, ImgtProteins};
use crate::response::table::read_feature_table;
use crate::response::{builtin, score_with, ResponseResult, CAVEATS};

/// Probability of response to immune checkpoint blockade from a feature table, or HED from alleles.
#[derive(Debug, Args)]
pub struct ResponseArgs {
    /// Table (CSV or TSV, detected; gzip ok) with one row per patient and the training file's
    /// column names: SAMPLE_ID, TMB, PDL1_TPS(%), Systemic_therapy_history, Albumin, CancerType,
    /// NLR, Age, FCNA, Drug, Sex, MSI, Stage, HLA_LOH, HED, Platelets, HGB, BMI (any may be
    /// absent or empty; other columns are ignored).
    #[arg(long, required_unless_present = "hed")]
    pub features: Option<PathBuf>,
    /// Compute HED instead: needs --alleles and --imgt.
    #[arg(long, requires_all = ["alleles", "imgt"], conflicts_with = "features")]
    pub hed: bool,
    /// HLA class I alleles, two per locus, comma-separated (e.g. A*02:01,A*01:01,B*07:02,...).
    #[arg(long, value_delimiter = ',')]
    pub alleles: Vec<String>,
    /// IPD-IMGT/HLA release folder (fasta/A_prot.fasta ... or hla_prot.fasta).
    #[arg(long)]
    pub imgt: Option<PathBuf>,
    /// Output prefix: writes PREFIX.response.tsv and PREFIX.response.json (or PREFIX.hed.json).
    #[arg(short = 'o', long)]
    pub output: PathBuf,
}

#[derive(Serialize)]
struct Output<'a> {
    tool: &'static str,
    version: &'static str,
    model_version: &'a str,
    model_training: &'a crate::response::model::TrainingInfo,
    input: String,
    caveats: &'static [&'static str],
    ignored_columns: &'a [String],
    absent_columns: &'a [&'static str],
    samples: &'a [ResponseResult],
}

pub fn run(args: ResponseArgs) -> Result<()> {
    if args.hed {
        let dir = args
            .imgt
            .ok_or_else(|| Error::usage("--hed needs --imgt DIR"))?;
        let imgt = ImgtProteins::load(&dir)?;
        let result = hed(&args.alleles, &imgt)?;
        let f = json_file(prefixed(&args.output, "hed.json"), &result)?;
        commit_all(vec![f])?;
        return Ok(());
    }
    let path = args
        .features
        .ok_or_else(|| Error::usage("--features TABLE is required"))?;
    let table = read_feature_table(&path)?;
    let model = builtin()?;
    let results: Vec<ResponseResult> = table.rows.iter().map(|r| score_with(model, r)).collect();
    let mut tsv = AtomicFile::create(prefixed(&args.output, "response.tsv"))?;
    let tsv_path = tsv.path().to_path_buf();
    let io = |e| Error::io(&tsv_path, e);
    writeln!(tsv, "sample\tprobability\tci_low\tci_high\ttmb_only_probability\ttmb_only_ci_low\ttmb_only_ci_high\tfeatures_used\tfeatures_missing\ttop_drivers").map_err(io)?;
    for r in &results {
        let drivers: Vec<String> = r
            .contributions
            .iter()
            .filter(|c| c.observed)
            .take(3)
            .map(|c| format!("{}({:+.2})", c.feature, c.logit))
            .collect();
        writeln!(
            tsv,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.sample,
            fmt_opt(Some(r.probability), 4),
            fmt_opt(Some(r.ci_low), 4),
            fmt_opt(Some(r.ci_high), 4),
            fmt_opt(r.tmb_only_probability, 4),
            fmt_opt(r.tmb_only_ci_low, 4),
            fmt_opt(r.tmb_only_ci_high, 4),
            if r.features_used.is_empty() {
                "none".to_string()
            } else {
                r.features_used.join(",")
            },
            if r.features_missing.is_empty() {
                "none".to_string()
            } else {
                r.features_missing.join(",")
            },
            if drivers.is_empty() {
                "none".to_string()
            } else {
                drivers.join(",")
            },
        )
        .map_err(io)?;
    }
    let json = json_file(
        prefixed(&args.output, "response.json"),
        &Output {
            tool: "immunoprofile",
            version: crate::VERSION,
            model_version: &model.version,
            model_training: &model.training,
            input: path.display().to_string(),
            caveats: &CAVEATS,
            ignored_columns: &table.ignored_columns,
            absent_columns: &table.absent_columns,
            samples: &results,
        },
    )?;
    commit_all(vec![tsv, json])?;
    Ok(())
}
