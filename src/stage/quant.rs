//! `quant`: its description, parameters and entry point.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{opt, req, values, Stage, StageInfo};
use crate::error::{Error, Result};
use crate::quant::{
    self, CountOptions, QuantInput, QuantParams, QuantSummary, Strandedness, TableFormat,
};

pub const INFO: StageInfo = StageInfo {
    name: "quant",
    after: &[],
    default: true,
    // featureCounts' files come with --bam only (a --table has no exons to list).
    outputs: &[
        req("quant.json"),
        req("quant.tsv"),
        opt("featureCounts.txt"),
        opt("featureCounts.txt.summary"),
    ],
    reserved: &["bam", "gtf", "output"],
};

pub struct Quant;

/// The options of `immunoprofile quant`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub bam: Option<PathBuf>,
    pub gtf: Option<PathBuf>,
    pub fasta: Option<PathBuf>,
    #[serde(with = "values::req_enum")]
    pub strand: Strandedness,
    pub paired: Option<bool>,
    pub min_mapq: u8,
    /// featureCounts `--primary`: secondary alignments are not counted.
    pub primary: bool,
    pub table: Option<PathBuf>,
    #[serde(with = "values::opt_enum")]
    pub table_format: Option<TableFormat>,
    pub sample: Option<String>,
}

impl Params {
    /// The library parameters (no file is opened here).
    ///
    /// # Errors
    /// Neither --bam nor --table, or --bam without --gtf.
    pub fn resolve(&self) -> Result<QuantParams> {
        let p = self.clone();
        let input = match (p.bam, p.table) {
            (Some(bam), None) => {
                let gtf = p.gtf.ok_or_else(|| {
                    Error::usage("quant --bam needs --gtf (the gene annotation to count over)")
                })?;
                QuantInput::Bam {
                    bam,
                    gtf,
                    options: CountOptions {
                        strandedness: p.strand,
                        paired: p.paired,
                        min_mapq: p.min_mapq,
                        primary_only: p.primary,
                        fasta: p.fasta,
                    },
                }
            }
            (None, Some(path)) => QuantInput::Table {
                path,
                format: p.table_format,
                gtf: p.gtf,
                sample: p.sample,
            },
            _ => {
                return Err(Error::usage(
                    "quant needs --bam FILE --gtf FILE, or --table FILE",
                ))
            }
        };
        Ok(QuantParams { input })
    }
}

impl Stage for Quant {
    const INFO: StageInfo = INFO;
    type Params = Params;
    type Summary = QuantSummary;

    fn check(p: &Params) -> Result<()> {
        if p.table.is_none() && (p.table_format.is_some() || p.sample.is_some()) {
            return Err(Error::usage("--table-format and --sample need --table"));
        }
        Ok(())
    }

    fn run(params: &Params, prefix: &Path, _threads: usize) -> Result<QuantSummary> {
        Quant::check(params)?;
        let s = quant::run(&params.resolve()?, prefix)?;
        match s.assigned {
            Some(a) => log::info!(
                "{} genes, {} detected; {} {} assigned, {} unassigned",
                s.genes,
                s.genes_detected,
                a,
                if s.paired == Some(true) {
                    "fragments"
                } else {
                    "reads"
                },
                s.unassigned.values().sum::<u64>()
            ),
            None => log::info!(
                "{} genes read from a {} table, {} detected",
                s.genes,
                s.source,
                s.genes_detected
            ),
        }
        Ok(s)
    }
}
