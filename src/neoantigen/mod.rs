//! Neoantigen candidates (`immunoprofile neoantigens`): every class I epitope of the mutant
//! windows that contains the change, with its wild-type counterpart, binding predictions for each
//! HLA allele, tumour DNA/RNA support and expression, pVACseq's filters and tiers, and a ranking.

pub mod bam;
pub mod epitopes;
pub mod expression;
pub mod filters;
pub mod predictor;
pub mod pvacseq;

pub use filters::{BindingRule, FilterParams, Tier};
pub use predictor::{make_predictor, PredictorSpec};

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::binding::{BindingPredictor, HlaAllele, Prediction};
use crate::error::{Error, Result};
use crate::io::output::{commit_all, fmt_opt, json_file, prefixed, AtomicFile};
use crate::peptides::{
    self, window, Downstream, EntryFilter, EntryStream, FastaGroups, NoWindow, SampleValues,
    VariantEntry,
};
use epitopes::Epitope;

/// Version of the `neoantigens.json` layout.
pub const SCHEMA_VERSION: u32 = 1;

/// Columns of `PREFIX.neoantigens.all.tsv` (the ranked table puts `rank` and `tier` first).
pub const ALL_COLUMNS: &str = "chrom\tpos\tref\talt\tgene\ttranscript\tvariant_type\tprotein_change\tprotein_position\tallele\tlength\tmt_epitope\twt_epitope\tmutation_position\tmt_ic50\twt_ic50\tmt_percentile\twt_percentile\tagretopicity\tdna_depth\tdna_vaf\trna_depth\trna_vaf\tgene_expression\ttranscript_expression\tallele_expression\tindex";

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
    pub params: NeoantigenParams,
}

/// The in-memory result: the summary and the ranked candidates.
pub struct NeoantigenResult {
    pub summary: NeoantigenSummary,
    pub entries: Vec<VariantEntry>,
    pub ranked: Vec<(Tier, Candidate)>,
    /// Every all.tsv row, kept only for `--format pvacseq|both` (its aggregated report needs them).
    pub all: Vec<Candidate>,
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

/// Predicts every distinct peptide for every allele.
fn predict_all(
    predictor: &dyn BindingPredictor,
    alleles: &[HlaAllele],
    peptides: &[&str],
) -> Result<Vec<HashMap<String, Prediction>>> {
    alleles
        .iter()
        .map(|a| {
            let chunks: Vec<Result<Vec<Prediction>>> = peptides
                .par_chunks(1024)
                .map(|c| predictor.predict(a, c))
                .collect();
            let mut map = HashMap::with_capacity(peptides.len());
            let mut i = 0;
            for c in chunks {
                for p in c? {
                    map.insert(peptides[i].to_string(), p);
                    i += 1;
                }
            }
            Ok(map)
        })
        .collect()
}

fn write_row(out: &mut String, e: &VariantEntry, index: &str, allele: &HlaAllele, c: &Candidate) {
    use std::fmt::Write as _;
    let v = &c.values;
    let _ = write!(
        out,
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        e.chrom,
        e.pos,
        e.reference,
        e.alt,
        e.gene,
        e.transcript,
        e.variant_type.as_str(),
        e.amino_acid_change,
        e.protein_position,
        allele,
        c.epitope.length,
        c.epitope.mt,
        c.epitope.wt.as_deref().unwrap_or("NA"),
        c.epitope.mutation_position_text(),
        fmt_opt(c.mt.map(|p| p.ic50), 3),
        fmt_opt(c.wt.map(|p| p.ic50), 3),
        fmt_opt(c.mt.and_then(|p| p.percentile), 3),
        fmt_opt(c.wt.and_then(|p| p.percentile), 3),
        fmt_opt(c.agretopicity, 3),
        v.dna_depth.map_or("NA".to_string(), |d| d.to_string()),
        fmt_opt(v.dna_vaf, 6),
        v.rna_depth.map_or("NA".to_string(), |d| d.to_string()),
        fmt_opt(v.rna_vaf, 6),
        fmt_opt(v.gene_expression, 6),
        fmt_opt(v.transcript_expression, 6),
        fmt_opt(c.allele_expression, 6),
        index
    );
}

/// The all.tsv rows of one entry and the candidates that pass the filters (their `order` is
/// relative to the entry's first row).
struct EntryRows {
    text: String,
    n_rows: u64,
    passing: Vec<Candidate>,
    all: Vec<Candidate>,
    filtered: [u64; filters::FILTER_NAMES.len()],
}

fn entry_rows(
    params: &NeoantigenParams,
    e: &VariantEntry,
    eps: &[Epitope],
    entry_idx: usize,
    predictions: &[HashMap<String, Prediction>],
) -> EntryRows {
    let mut out = EntryRows {
        text: String::new(),
        n_rows: 0,
        passing: Vec::new(),
        all: Vec::new(),
        filtered: [0; filters::FILTER_NAMES.len()],
    };
    if eps.is_empty() {
        return out;
    }
    let index = e.index();
    let allele_expression = e
        .values
        .gene_expression
        .zip(e.values.rna_vaf)
        .map(|(g, r)| g * r);
    for (ai, allele) in params.alleles.iter().enumerate() {
        for ep in eps {
            let mt = predictions[ai].get(&ep.mt).copied();
            let wt = ep.wt.as_ref().and_then(|w| predictions[ai].get(w).copied());
            let agretopicity = match (mt, wt) {
                (Some(m), Some(w)) if m.ic50 > 0.0 => Some(w.ic50 / m.ic50),
                _ => None,
            };
            let c = Candidate {
                entry: entry_idx,
                allele: ai,
                epitope: ep.clone(),
                mt,
                wt,
                agretopicity,
                allele_expression,
                values: e.values,
                order: out.n_rows,
            };
            out.n_rows += 1;
            write_row(&mut out.text, e, &index, allele, &c);
            out.text.push('\n');
            if params.format.pvacseq() {
                out.all.push(c.clone());
            }
            match params.filters.first_failure_of(mt, &e.values) {
                Some(i) => out.filtered[i] += 1,
                None => out.passing.push(c),
            }
        }
    }
    out
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

/// As [`compute`], with a predictor built by the caller (tests, benchmarks, other front ends);
/// `params.predictor` is then only recorded.
///
/// # Errors
/// As [`compute`].
pub fn compute_with(
    params: &NeoantigenParams,
    predictor: &dyn BindingPredictor,
    all: &mut dyn Write,
    fasta: &mut FastaGroups,
) -> Result<NeoantigenResult> {
    if params.alleles.is_empty() {
        return Err(Error::usage(
            "--alleles needs at least one HLA class I allele",
        ));
    }
    check_alleles(params, predictor)?;
    let mut expr = expression::Expression::default();
    for t in &params.expression {
        expr.add_table(t)?;
    }
    let mut stream = EntryStream::open(
        &params.vcf,
        params.sample.as_deref(),
        params.entries.clone(),
        params.annotation.as_ref(),
        params.threads,
    )?;
    stream.use_normal_sample(normal_column(&stream, params)?);
    for b in [&params.tumor_bam, &params.rna_bam].into_iter().flatten() {
        bam::BamCounter::open(b, params.counting)?.check_contigs(stream.header(), &params.vcf)?;
    }
    let max_len = params.lengths.iter().copied().max().unwrap_or(9);
    let wline = |w: &mut dyn Write, s: &str| {
        w.write_all(s.as_bytes())
            .map_err(|e| Error::io("neoantigens table", e))
    };
    wline(all, ALL_COLUMNS)?;
    wline(all, "\n")?;

    let f = &params.filters;
    let mut entries: Vec<VariantEntry> = Vec::new();
    let mut passing: Vec<Candidate> = Vec::new();
    let mut all_rows: Vec<Candidate> = Vec::new();
    let mut filtered = [0u64; filters::FILTER_NAMES.len()];
    let mut by_class: BTreeMap<String, ClassCounts> = BTreeMap::new();
    let mut skipped: BTreeMap<String, u64> = BTreeMap::new();
    let mut vafs: Vec<f64> = Vec::new();
    let (mut transcripts, mut n_rows) = (0u64, 0u64);
    while let Some(mut batch) = stream.next_batch()? {
        apply_counts_and_expression(params, &mut batch, &expr)?;
        let built: Vec<(Vec<Epitope>, Option<NoWindow>, Option<window::Window>)> = batch
            .par_iter()
            .map(|e| {
                let (eps, why) = entry_epitopes(e, &params.lengths, params.downstream);
                (
                    eps,
                    why,
                    window::build(e, max_len - 1, params.downstream, 0).ok(),
                )
            })
            .collect();
        let mut peptides: BTreeSet<&str> = BTreeSet::new();
        for (eps, _, _) in &built {
            for ep in eps {
                peptides.insert(&ep.mt);
                if let Some(w) = &ep.wt {
                    peptides.insert(w);
                }
            }
        }
        let peptides: Vec<&str> = peptides.into_iter().collect();
        let predictions = predict_all(predictor, &params.alleles, &peptides)?;
        // Entries with epitopes get the next entry numbers, in file order.
        let mut next = entries.len();
        let idxs: Vec<usize> = built
            .iter()
            .map(|(eps, _, _)| {
                let i = next;
                if !eps.is_empty() {
                    next += 1;
                }
                i
            })
            .collect();
        // Rows are formatted and filtered in parallel per entry; order is restored below.
        let rows: Vec<EntryRows> = batch
            .par_iter()
            .zip(built.par_iter())
            .zip(idxs.par_iter())
            .map(|((e, (eps, _, _)), &idx)| entry_rows(params, e, eps, idx, &predictions))
            .collect();
        for ((mut e, (_, why, win)), rows) in batch.into_iter().zip(built).zip(rows) {
            transcripts += 1;
            let class = by_class
                .entry(e.variant_type.as_str().to_string())
                .or_default();
            class.transcripts += 1;
            if let Some(v) = e.values.dna_vaf {
                vafs.push(v);
            }
            if let Some(w) = win {
                let index = e.index();
                fasta.push(&w.wt, format!("WT.{index}"));
                fasta.push(&w.mt, format!("MT.{index}"));
            }
            if rows.n_rows == 0 {
                if let Some(why) = why {
                    peptides::warn_no_window(&e, &why);
                    let reason = match why {
                        NoWindow::Silent => "no_novel_epitope",
                        NoWindow::ReferenceMismatch { .. } => "wildtype_protein_mismatch",
                        NoWindow::UnsupportedAminoAcid => "unsupported_amino_acid",
                    };
                    *skipped.entry(reason.to_string()).or_default() += 1;
                }
                continue;
            }
            wline(all, &rows.text)?;
            class.epitopes += rows.n_rows;
            class.candidates += rows.passing.len() as u64;
            for (i, n) in rows.filtered.iter().enumerate() {
                filtered[i] += n;
            }
            for mut c in rows.passing {
                c.order += n_rows;
                passing.push(c);
            }
            all_rows.extend(rows.all.into_iter().map(|mut c| {
                c.order += n_rows;
                c
            }));
            n_rows += rows.n_rows;
            e.wildtype_protein = String::new();
            e.frameshift_sequence = String::new();
            entries.push(e);
        }
    }
    for (reason, n) in &stream.skipped {
        skipped.insert(reason.replace(' ', "_"), *n);
    }

    let clonal = filters::clonal_vaf(f.tumor_purity, vafs);
    let mut ranked: Vec<(Tier, Candidate)> = passing
        .into_par_iter()
        .map(|c| (filters::tier(f, &c, clonal), c))
        .collect();
    ranked.par_sort_by(|a, b| filters::rank_order(&(a.0, &a.1), &(b.0, &b.1)));
    let mut by_tier: BTreeMap<String, u64> = BTreeMap::new();
    let mut load: BTreeSet<(String, u64, String, String)> = BTreeSet::new();
    let mut load_pass: BTreeSet<(String, u64, String, String)> = BTreeSet::new();
    for (t, c) in &ranked {
        *by_tier.entry(t.as_str().to_string()).or_default() += 1;
        let e = &entries[c.entry];
        let key = (e.chrom.clone(), e.pos, e.reference.clone(), e.alt.clone());
        if *t == Tier::Pass {
            load_pass.insert(key.clone());
        }
        load.insert(key);
    }
    let summary = NeoantigenSummary {
        schema_version: SCHEMA_VERSION,
        version: crate::VERSION,
        sample: stream.sample_name().to_string(),
        normal_sample: stream.normal_sample_name().map(str::to_string),
        predictor: predictor.name().to_string(),
        alleles: params.alleles.iter().map(ToString::to_string).collect(),
        transcripts,
        epitopes: n_rows,
        candidates: ranked.len() as u64,
        filtered: filters::FILTER_NAMES
            .iter()
            .zip(filtered)
            .map(|(n, c)| ((*n).to_string(), c))
            .collect(),
        by_class,
        by_tier,
        neoantigen_load: load.len() as u64,
        neoantigen_load_pass: load_pass.len() as u64,
        clonal_vaf: clonal,
        skipped,
        ref_check: stream.ref_check.clone(),
        read_support: stream
            .support_tally
            .report(&crate::variant::SupportOptions::default()),
        params: params.clone(),
    };
    Ok(NeoantigenResult {
        summary,
        entries,
        ranked,
        all: all_rows,
    })
}

/// Writes the ranked table: `rank`, `tier`, then the all.tsv columns.
///
/// # Errors
/// Write failures.
pub fn write_ranked(
    out: &mut dyn Write,
    result: &NeoantigenResult,
    alleles: &[HlaAllele],
) -> std::io::Result<()> {
    writeln!(out, "rank\ttier\t{ALL_COLUMNS}")?;
    let mut text = String::new();
    for (i, (t, c)) in result.ranked.iter().enumerate() {
        text.clear();
        let e = &result.entries[c.entry];
        write_row(&mut text, e, &e.index(), &alleles[c.allele], c);
        writeln!(out, "{}\t{}\t{text}", i + 1, t.as_str())?;
    }
    Ok(())
}

/// Runs the stage: `PREFIX.neoantigens.all.tsv`, `PREFIX.neoantigens.tsv`,
/// `PREFIX.neoantigens.json` and `PREFIX.neoantigens.fasta` (the windows the epitopes were cut
/// from; its own name, since `peptides` owns `PREFIX.peptides.fasta`), all appearing only when
/// complete.
///
/// # Errors
/// As [`compute`], plus output write failures.
pub fn run(params: &NeoantigenParams, prefix: &Path) -> Result<NeoantigenSummary> {
    let mut all = AtomicFile::create(prefixed(prefix, "neoantigens.all.tsv"))?;
    let mut groups = FastaGroups::default();
    let result = compute(params, &mut all, &mut groups)?;
    let mut ranked = AtomicFile::create(prefixed(prefix, "neoantigens.tsv"))?;
    write_ranked(&mut ranked, &result, &params.alleles).map_err(|e| Error::io(ranked.path(), e))?;
    let mut fasta = AtomicFile::create(prefixed(prefix, "neoantigens.fasta"))?;
    groups
        .write(&mut fasta, false)
        .map_err(|e| Error::io(fasta.path(), e))?;
    let json = json_file(prefixed(prefix, "neoantigens.json"), &result.summary)?;
    let mut files = vec![all, ranked, fasta, json];
    if !params.format.ours() {
        files.clear(); // dropped uncommitted: their partial files are removed
    }
    if params.format.pvacseq() {
        files.extend(pvacseq::write(&result, prefix)?);
    }
    commit_all(files)?;
    Ok(result.summary)
}
