//! Neoantigen candidates (`immunoprofile neoantigens`): every class I (and, with class II
//! molecules, class II) epitope of the mutant windows that contains the change, with its
//! wild-type counterpart, binding predictions for each HLA allele, tumour DNA/RNA support and
//! expression, pVACseq's filters and tiers, and a ranking. Both classes run through the same
//! code, parameterised by [`MhcClass`]; class II rows go to their own tables.

pub mod bam;
pub mod class2;
mod compute;
pub mod epitopes;
pub mod expression;
pub mod filters;
pub mod predictor;
pub mod pvacseq;
mod result;
mod rows;

pub use class2::{Class2Allele, Class2Params, MhcClass};
pub use compute::{compute_full, compute_with, Class2Io};
pub use filters::{BindingRule, FilterParams, Tier};
pub use predictor::{make_predictor, PredictorSpec};
pub use result::{run, write_ranked, Class2Summary, ClassTables, ClassView};
pub use rows::{columns, ALL_COLUMNS, CLASS2_COLUMNS};

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use crate::binding::{BindingPredictor, HlaAllele, Prediction};
use crate::error::{Error, Result};
use crate::peptides::{
    window, Downstream, EntryFilter, EntryStream, FastaGroups, NoWindow, SampleValues, VariantEntry,
};
use epitopes::Epitope;

/// Version of the `neoantigens.json` layout.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything `neoantigens` needs, validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeoantigenParams {
    pub vcf: PathBuf,
    /// Annotate in memory from `--gtf/--fasta` instead of reading CSQ.
    pub annotation: Option<crate::annotate::InMemoryAnnotation>,
    pub sample: Option<String>,
    /// The matched normal for pVACseq's Normal Depth / Normal VAF (default: the one the VCF
    /// header names, or the other sample of two).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub normal_sample: Option<String>,
    pub alleles: Vec<HlaAllele>,
    /// Epitope lengths, ascending.
    pub lengths: Vec<usize>,
    pub predictor: PredictorSpec,
    pub tumor_bam: Option<PathBuf>,
    pub rna_bam: Option<PathBuf>,
    pub counting: bam::CountParams,
    /// Expression tables (quant, salmon, kallisto, RSEM); they take precedence over FORMAT GX/TX.
    pub expression: Vec<PathBuf>,
    pub entries: EntryFilter,
    pub downstream: Downstream,
    pub filters: FilterParams,
    /// Our tables, pVACseq 7's (`pvacseq.rs`) or both.
    #[serde(default)]
    pub format: pvacseq::OutputFormat,
    /// Class II molecules, lengths and the IPD-IMGT/HLA folder (none: class I only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class2: Option<Class2Params>,
    #[serde(skip)]
    pub threads: usize,
}

impl Default for NeoantigenParams {
    fn default() -> Self {
        Self {
            vcf: PathBuf::new(),
            annotation: None,
            sample: None,
            normal_sample: None,
            alleles: Vec::new(),
            lengths: vec![8, 9, 10, 11],
            predictor: PredictorSpec::Builtin,
            tumor_bam: None,
            rna_bam: None,
            counting: bam::CountParams::default(),
            expression: Vec::new(),
            entries: EntryFilter::default(),
            downstream: Downstream::Limit(1000),
            filters: FilterParams::default(),
            format: pvacseq::OutputFormat::Ours,
            class2: None,
            threads: 1,
        }
    }
}

/// One (variant transcript, allele, epitope) row.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Index into the run's entry list.
    pub entry: usize,
    /// Index into the parameters' alleles.
    pub allele: usize,
    pub epitope: Epitope,
    pub mt: Option<Prediction>,
    pub wt: Option<Prediction>,
    /// The MT epitope's 9-residue binding core (class II).
    pub core: Option<String>,
    /// WT IC50 / MT IC50 (> 1: the mutant binds better).
    pub agretopicity: Option<f64>,
    /// Gene expression × RNA VAF.
    pub allele_expression: Option<f64>,
    pub values: SampleValues,
    /// Position in `all.tsv`, the last tie-breaker of the ranking.
    pub order: u64,
}

/// Counts for one variant class.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClassCounts {
    pub transcripts: u64,
    pub epitopes: u64,
    pub candidates: u64,
}

/// `PREFIX.neoantigens.json`.
#[derive(Debug, Clone, Serialize)]
pub struct NeoantigenSummary {
    pub schema_version: u32,
    pub version: &'static str,
    pub sample: String,
    /// The matched normal whose depth and VAF fill pVACseq's Normal columns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub normal_sample: Option<String>,
    pub predictor: String,
    pub alleles: Vec<String>,
    /// (variant allele, transcript) entries with a protein change.
    pub transcripts: u64,
    /// Rows of all.tsv.
    pub epitopes: u64,
    /// Rows of the ranked table.
    pub candidates: u64,
    /// Candidates removed by each filter (the first that removed them).
    pub filtered: BTreeMap<String, u64>,
    pub by_class: BTreeMap<String, ClassCounts>,
    pub by_tier: BTreeMap<String, u64>,
    /// Distinct variant alleles with at least one candidate.
    pub neoantigen_load: u64,
    /// Distinct variant alleles with at least one Pass-tier candidate.
    pub neoantigen_load_pass: u64,
    /// DNA VAF taken as clonal (variants below half of it are Subclonal).
    pub clonal_vaf: f64,
    /// Transcripts without windows, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// With in-memory annotation: REF compared with the FASTA (null otherwise).
    pub ref_check: Option<crate::annotate::refcheck::RefCheckReport>,
    /// Which read-support rules read the records' DNA depth and VAF (`records_by_rule`).
    pub read_support: crate::variant::ReadSupportReport,
    /// Class II counts, when class II molecules were scored (the keys above are class I's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class2: Option<Class2Summary>,
    pub params: NeoantigenParams,
}

/// The in-memory result: the summary and the ranked candidates.
pub struct NeoantigenResult {
    pub summary: NeoantigenSummary,
    pub entries: Vec<VariantEntry>,
    /// Class I candidates.
    pub ranked: Vec<(Tier, Candidate)>,
    /// Every class I all.tsv row, kept only for `--format pvacseq|both` (its aggregated report
    /// needs them).
    pub all: Vec<Candidate>,
    /// Class II candidates and rows, when class II molecules were scored.
    pub class2: Option<ClassTables>,
}

/// Checks every allele against the predictor.
///
/// # Errors
/// An allele the predictor cannot score, with close matches it can.
pub fn check_alleles(params: &NeoantigenParams, predictor: &dyn BindingPredictor) -> Result<()> {
    for a in &params.alleles {
        if !predictor.supports(a) {
            let extra: Vec<HlaAllele> = match &params.predictor {
                PredictorSpec::Import { format, files } => {
                    predictor::ImportedPredictor::load(*format, files)
                        .map(|p| p.alleles().cloned().collect())
                        .unwrap_or_default()
                }
                PredictorSpec::Builtin => crate::binding::builtin::BuiltinPredictor::load_default()
                    .map(|b| b.known_alleles().into_iter().map(|k| k.allele).collect())
                    .unwrap_or_default(),
            };
            let close = predictor::close_matches(a, predictor, &extra);
            return Err(Error::usage(format!(
                "allele {a} is not supported by the {} predictor{}",
                predictor.name(),
                if close.is_empty() {
                    String::new()
                } else {
                    format!("; close matches: {}", close.join(", "))
                }
            )));
        }
    }
    Ok(())
}

fn counter_for(
    path: &Option<PathBuf>,
    params: bam::CountParams,
) -> Option<std::result::Result<bam::BamCounter, String>> {
    path.as_ref()
        .map(|p| bam::BamCounter::open(p, params).map_err(|e| e.to_string()))
}

/// Replaces FORMAT support with BAM counts and FORMAT expression with table values, where given.
fn apply_counts_and_expression(
    params: &NeoantigenParams,
    batch: &mut [VariantEntry],
    expr: &expression::Expression,
) -> Result<()> {
    if params.tumor_bam.is_some() || params.rna_bam.is_some() {
        let keys: Vec<(String, u64, String, String)> = batch
            .iter()
            .map(|e| (e.chrom.clone(), e.pos, e.reference.clone(), e.alt.clone()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        type Pair = (Option<bam::Counts>, Option<bam::Counts>);
        let counted: Vec<Result<Pair>> = keys
            .par_iter()
            .map_init(
                || (counter_for(&params.tumor_bam, params.counting), counter_for(&params.rna_bam, params.counting)),
                |(dna, rna), (chrom, pos, r, a)| {
                    let one = |c: &mut Option<std::result::Result<bam::BamCounter, String>>| -> Result<Option<bam::Counts>> {
                        match c {
                            None => Ok(None),
                            Some(Err(e)) => Err(Error::usage(e.clone())),
                            Some(Ok(c)) => c.count(chrom, *pos, r, a),
                        }
                    };
                    Ok((one(dna)?, one(rna)?))
                },
            )
            .collect();
        let mut by_key: HashMap<&(String, u64, String, String), Pair> = HashMap::new();
        for (k, c) in keys.iter().zip(counted) {
            by_key.insert(k, c?);
        }
        for e in batch.iter_mut() {
            let (dna, rna) = by_key[&(e.chrom.clone(), e.pos, e.reference.clone(), e.alt.clone())];
            if params.tumor_bam.is_some() {
                e.values.dna_depth = dna.map(|c| c.depth);
                e.values.dna_vaf = dna.and_then(|c| c.vaf());
            }
            if params.rna_bam.is_some() {
                e.values.rna_depth = rna.map(|c| c.depth);
                e.values.rna_vaf = rna.and_then(|c| c.vaf());
            }
        }
    }
    for e in batch.iter_mut() {
        if expr.has_genes() {
            e.values.gene_expression = expr.gene(&[e.gene_id.as_deref().unwrap_or(""), &e.gene]);
        }
        if expr.has_transcripts() {
            e.values.transcript_expression = expr.transcript(&e.transcript);
        }
    }
    Ok(())
}

/// Epitopes of one entry for every length, shortest first; the error is why it had none.
fn entry_epitopes(
    e: &VariantEntry,
    lengths: &[usize],
    downstream: Downstream,
) -> (Vec<Epitope>, Option<NoWindow>) {
    let mut out = Vec::new();
    let mut why = None;
    for &len in lengths {
        match window::build(e, len - 1, downstream, len) {
            Ok(w) => out.extend(epitopes::enumerate(&w, e.variant_type, len)),
            Err(n) => {
                if why.is_none() || matches!(n, NoWindow::ReferenceMismatch { .. }) {
                    why = Some(n);
                }
            }
        }
    }
    (out, why)
}

/// The matched normal's column: `--normal-sample` (pVACseq's `--normal-sample-name`), else the
/// one the header names (`##normal_sample`, a sample named NORMAL, or the other of two samples).
///
/// # Errors
/// A requested sample that is absent or is the tumour, or a single-sample VCF with a requested
/// normal (as pVACseq refuses them).
fn normal_column(stream: &EntryStream, params: &NeoantigenParams) -> Result<Option<usize>> {
    let header = stream.header();
    let requested = params.normal_sample.as_deref();
    if let Some(name) = requested {
        if header.samples.len() < 2 {
            return Err(Error::usage(format!(
                "--normal-sample {name}: {} has only one sample (tumour only); drop the option",
                params.vcf.display()
            )));
        }
    }
    let tumor = stream.sample_index();
    let normal = header.normal_sample(tumor, requested, &params.vcf)?;
    if normal == Some(tumor) {
        return Err(Error::usage(format!(
            "--normal-sample {} is the tumour sample; give the matched normal",
            header.samples[tumor]
        )));
    }
    Ok(normal)
}

/// Computes the candidates, streaming all.tsv rows into `all` and collecting the peptide FASTA.
///
/// # Errors
/// Unreadable or malformed inputs, unsupported alleles, missing imported predictions, BAMs
/// without index or on another reference.
pub fn compute(
    params: &NeoantigenParams,
    all: &mut dyn Write,
    fasta: &mut FastaGroups,
) -> Result<NeoantigenResult> {
    let predictor = make_predictor(&params.predictor)?;
    compute_with(params, predictor.as_ref(), all, fasta)
}
