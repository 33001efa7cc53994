//! Tumour mutational burden: somatic variants of the tumour that pass the filters, per megabase
//! of the territory searched, with an exact Poisson interval.

pub mod filters;
pub mod params;
pub mod poisson;
pub mod presets;
pub mod row;
pub mod territory;

pub use filters::{CountClass, FilterParams, Reason};
pub use presets::{FilterOverrides, Preset};
pub use territory::Denominator;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::annotate::{AnnotationSchema, AnnotationSource};
use crate::error::{Error, Result};
use crate::io::cells;
use crate::io::output::{commit_all, json_file, prefixed, AtomicFile};
use crate::io::vcf::VcfReader;
use crate::variant::{Caller, ReadSupport, ReadSupportReport, SupportOptions};
use filters::{Counts, Evaluator};

/// Version of the `tmb.json` layout; bumped when a field changes meaning.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything `tmb` needs, validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TmbParams {
    pub vcf: PathBuf,
    pub sample: Option<String>,
    pub normal_sample: Option<String>,
    /// How read support is read: per record from its FORMAT fields unless a caller is forced
    /// or fields are named.
    pub support: SupportOptions,
    pub denominator: Denominator,
    /// Annotate in memory from a GTF + FASTA instead of reading CSQ/ANN.
    pub annotation: Option<InMemoryAnnotation>,
    pub preset: Option<Preset>,
    pub filters: FilterParams,
    /// TMB-high cut-off in mutations per Mb.
    pub threshold: f64,
    /// Threads for BGZF decompression.
    #[serde(skip)]
    pub threads: usize,
}

impl Default for TmbParams {
    fn default() -> Self {
        Self {
            vcf: PathBuf::new(),
            sample: None,
            normal_sample: None,
            support: SupportOptions::default(),
            denominator: Denominator::EffectiveSize(1),
            annotation: None,
            preset: None,
            filters: FilterParams::default(),
            threshold: 10.0,
            threads: 1,
        }
    }
}

pub use crate::annotate::InMemoryAnnotation;

/// `PREFIX.tmb.json`.
#[derive(Debug, Clone, Serialize)]
pub struct TmbSummary {
    pub schema_version: u32,
    pub version: &'static str,
    pub sample: String,
    pub normal_sample: Option<String>,
    /// The calling program the header names (a label: read support is decided per record, see
    /// `read_support`).
    pub caller: Caller,
    /// Which rules read the records' depth and alt reads.
    pub read_support: ReadSupportReport,
    /// `vep`, `snpeff`, `immunoprofile` (in memory from `--gtf`/`--fasta`), or null.
    pub annotation: Option<String>,
    pub records: u64,
    pub variants_total: u64,
    pub variants_counted: u64,
    pub effective_size_bp: u64,
    pub effective_size_source: String,
    /// Mutations per Mb.
    pub tmb: f64,
    /// Exact Poisson 95% interval of `tmb`.
    pub tmb_ci95: [f64; 2],
    pub tmb_high: bool,
    pub threshold: f64,
    /// Alleles removed, by the first filter that removed them.
    pub excluded: BTreeMap<String, u64>,
    /// With in-memory annotation: REF compared with the FASTA (null otherwise).
    pub ref_check: Option<crate::annotate::refcheck::RefCheckReport>,
    pub params: TmbParams,
}

/// The result of [`compute`].
#[derive(Debug, Clone)]
pub struct TmbResult {
    pub summary: TmbSummary,
}

/// Records per parallel batch: large enough to keep both cores busy, small enough that memory
/// stays flat whatever the VCF size.
const BATCH_LINES: usize = 8192;
const CHUNK_LINES: usize = 512;

/// Raw data lines with their line numbers; the buffers are reused from batch to batch.
struct Batch {
    lines: Vec<Vec<u8>>,
    line_nos: Vec<usize>,
    len: usize,
}

impl Batch {
    fn new() -> Self {
        Self {
            lines: (0..BATCH_LINES).map(|_| Vec::new()).collect(),
            line_nos: vec![0; BATCH_LINES],
            len: 0,
        }
    }

    fn fill(&mut self, reader: &mut VcfReader) -> Result<()> {
        self.len = 0;
        while self.len < BATCH_LINES && reader.read_line(&mut self.lines[self.len])? {
            self.line_nos[self.len] = reader.line_no();
            self.len += 1;
        }
        Ok(())
    }

    /// TSV text and tallies per chunk, in file order.
    fn evaluate(&self, evaluator: &Evaluator<'_>, path: &Path) -> Vec<Result<(Vec<u8>, Counts)>> {
        self.lines[..self.len]
            .par_chunks(CHUNK_LINES)
            .zip(self.line_nos[..self.len].par_chunks(CHUNK_LINES))
            .map(|(lines, nos)| {
                let mut out = cells::rows_writer(Vec::with_capacity(lines.len() * 96));
                let mut counts = Counts::default();
                for (line, &no) in lines.iter().zip(nos) {
                    let text = std::str::from_utf8(line)
                        .map_err(|_| Error::at_line(path, no, "the line is not UTF-8 text"))?;
                    evaluator.evaluate(text, no, &mut out, &mut counts)?;
                }
                let out = out
                    .into_inner()
                    .map_err(|e| Error::Internal(format!("variants table: {e}")))?;
                Ok((out, counts))
            })
            .collect()
    }
}

/// Computes TMB without writing files.
///
/// # Errors
/// Unreadable or malformed inputs, incompatible options (see [`compute_to`]).
pub fn compute(params: &TmbParams) -> Result<TmbResult> {
    compute_to(params, None)
}

/// Computes TMB, streaming one TSV row per allele into `variants` when given.
///
/// # Errors
/// Unreadable or malformed VCF/BED/GTF, a sample that is not there, a coding class asked of an
/// unannotated VCF, normal-sample filters without a normal sample.
pub fn compute_to(params: &TmbParams, mut variants: Option<&mut dyn Write>) -> Result<TmbResult> {
    let path = params.vcf.as_path();
    let mut reader = VcfReader::open_with_progress(path, params.threads, "tmb")?;
    let header = reader.header().clone();
    let tumor = header.tumor_sample(params.sample.as_deref(), path)?;
    let normal = header.normal_sample(tumor, params.normal_sample.as_deref(), path)?;
    let f = &params.filters;
    if normal.is_none() && (f.min_normal_depth.is_some() || f.max_normal_vaf.is_some()) {
        return Err(Error::usage(format!(
            "--min-normal-depth/--max-normal-vaf need a normal sample, and {} has none that can be told apart (use --normal-sample)",
            path.display()
        )));
    }
    let model = params
        .annotation
        .as_ref()
        .map(InMemoryAnnotation::load)
        .transpose()?;
    let ref_check = match &params.annotation {
        Some(a) => a.check_ref(path)?,
        None => None,
    };
    let schema = if model.is_some() {
        None
    } else {
        AnnotationSchema::from_header(&header)
    };
    if schema.is_none() && model.is_none() && f.count != CountClass::All {
        return Err(Error::invalid(
            path,
            None,
            format!(
                "--count {} needs consequence annotation, but the header has no VEP CSQ or snpEff ANN field: annotate the VCF (Ensembl VEP, snpEff, or `immunoprofile annotate`, or give --gtf and --fasta to annotate in memory), or count every variant with --count all",
                serde_json::to_value(f.count).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
            ),
        ));
    }
    let caller = params
        .support
        .caller
        .unwrap_or_else(|| Caller::detect(&header));
    let support = ReadSupport::new(params.support.clone(), &header);
    let territory = territory::build(&params.denominator, &header, path)?;
    let mut evaluator = Evaluator::new(
        f,
        &support,
        tumor,
        normal,
        schema.as_ref(),
        territory.intervals.as_ref(),
        &header,
        path,
    );
    if let Some(model) = &model {
        evaluator = evaluator.with_model(model);
    }

    if let Some(w) = variants.as_deref_mut() {
        w.write_all(cells::header_line(&row::VariantRow::empty())?.as_bytes())
            .map_err(|e| Error::io("variants table", e))?;
    }
    let mut totals = Counts::default();
    // Double buffered and ordered: the next batch is read (and its BGZF blocks inflated) while
    // the current one is judged by the pool; chunks are written in file order.
    crate::par::ordered_batches(
        &mut reader,
        Batch::new(),
        Batch::new(),
        |batch, reader| {
            batch.fill(reader)?;
            Ok(batch.len)
        },
        |batch| batch.evaluate(&evaluator, path),
        |(text, counts)| {
            if let Some(w) = variants.as_deref_mut() {
                w.write_all(&text)
                    .map_err(|e| Error::io("variants table", e))?;
            }
            totals.add(&counts);
            Ok(())
        },
        // The VCF reader's own bar shows the bytes read.
        |_| {},
    )?;
    if let Some(message) = totals.support.no_depth_message() {
        let needs_depth = f.min_depth.is_some()
            || f.min_alt_reads.is_some()
            || f.min_vaf.is_some()
            || f.max_vaf.is_some();
        if needs_depth {
            // Every allele would fail the read filters as "missing": a TMB of 0 that is no TMB.
            return Err(Error::invalid(
                path,
                None,
                format!("{message} (the read filters would remove every variant)"),
            ));
        }
        log::warn!("{}: {message}", path.display());
    }
    if let Some(message) = totals.support.counts.warning() {
        log::warn!("{}: {message}", path.display());
    }

    let mb = territory.size_bp as f64 / 1e6;
    let (lo, hi) = poisson::exact_interval(totals.counted, 0.95);
    let tmb = totals.counted as f64 / mb;
    let excluded = Reason::ALL
        .iter()
        .filter(|r| totals.excluded[**r as usize] > 0)
        .map(|r| (r.as_str().to_string(), totals.excluded[*r as usize]))
        .collect();
    Ok(TmbResult {
        summary: TmbSummary {
            schema_version: SCHEMA_VERSION,
            version: crate::VERSION,
            sample: header.samples[tumor].clone(),
            normal_sample: normal.map(|n| header.samples[n].clone()),
            caller,
            read_support: totals.support.report(&params.support),
            annotation: if model.is_some() {
                Some("immunoprofile".to_string())
            } else {
                schema.as_ref().map(|s| match s.source {
                    AnnotationSource::Vep => "vep".to_string(),
                    AnnotationSource::Snpeff => "snpeff".to_string(),
                })
            },
            records: totals.records,
            variants_total: totals.alleles,
            variants_counted: totals.counted,
            effective_size_bp: territory.size_bp,
            effective_size_source: territory.description,
            tmb,
            tmb_ci95: [lo / mb, hi / mb],
            tmb_high: tmb >= params.threshold,
            threshold: params.threshold,
            excluded,
            ref_check,
            params: params.clone(),
        },
    })
}

/// Runs the stage and writes `PREFIX.tmb.json` and `PREFIX.tmb.variants.tsv`, both appearing only
/// when complete.
///
/// # Errors
/// As [`compute_to`], plus output write failures.
pub fn run(params: &TmbParams, prefix: &Path) -> Result<TmbSummary> {
    let mut tsv = AtomicFile::create(prefixed(prefix, "tmb.variants.tsv"))?;
    let result = compute_to(params, Some(&mut tsv))?;
    let json = json_file(prefixed(prefix, "tmb.json"), &result.summary)?;
    commit_all(vec![tsv, json])?;
    Ok(result.summary)
}
