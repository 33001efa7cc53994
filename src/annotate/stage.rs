//! The `annotate` stage: a VCF in, the same VCF with a VEP-layout `CSQ` out (bgzipped, with a
//! tabix index), plus a JSON summary.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::annotate::engine::{annotate_record_with, window_for, RefWindow};
use crate::annotate::model::{ModelOptions, ModelReport, TranscriptModel};
use crate::annotate::refcheck::{RefCheckReport, RefChecker};
use crate::annotate::writer::{annotated_line, csq_header_line, info_span};
use crate::annotate::TranscriptAnnotation;
use crate::error::{Error, Result};
use crate::io::fasta::Reference;
use crate::io::output::{commit_all, json_file, prefixed, AtomicFile};
use crate::io::vcf::{RecordView, VcfReader};

pub const SCHEMA_VERSION: u32 = 1;
const BATCH_LINES: usize = 8192;
const CHUNK_LINES: usize = 256;

/// Parameters of the stage (stored in the JSON summary).
#[derive(Debug, Clone, Serialize)]
pub struct AnnotateParams {
    pub vcf: PathBuf,
    pub gtf: PathBuf,
    pub fasta: PathBuf,
    pub model: ModelOptions,
    #[serde(skip)]
    pub threads: usize,
}

/// `PREFIX.annotate.json`.
#[derive(Debug, Clone, Serialize)]
pub struct AnnotateSummary {
    pub schema_version: u32,
    pub version: &'static str,
    pub records: u64,
    pub alleles: u64,
    /// Alleles on contigs without any transcript in the model.
    pub alleles_on_contigs_without_transcripts: u64,
    /// CSQ entries written.
    pub annotations: u64,
    /// Alleles by their most severe consequence.
    pub most_severe: BTreeMap<String, u64>,
    pub model: ModelReport,
    /// REF compared with the FASTA, record by record.
    pub ref_check: RefCheckReport,
    pub output: PathBuf,
    pub params: AnnotateParams,
}

/// Loads the model, annotates every record and writes `PREFIX.annotated.vcf.gz` (+ `.tbi`) and
/// `PREFIX.annotate.json`.
///
/// # Errors
/// Unreadable or mismatched inputs (see [`TranscriptModel::from_gtf`]), malformed VCF lines,
/// write failures.
pub fn run(params: &AnnotateParams, prefix: &Path) -> Result<AnnotateSummary> {
    let mut reference = Reference::open(&params.fasta)?;
    let model = TranscriptModel::from_gtf(&params.gtf, &mut reference, params.model)?;
    log::info!(
        "{}: {} transcripts ({} coding) loaded",
        params.gtf.display(),
        model.report().transcripts,
        model.report().coding_transcripts
    );
    let out_path = prefixed(prefix, "annotated.vcf.gz");
    let file = AtomicFile::create(&out_path)?;
    let mut bgzf = noodles::bgzf::io::Writer::new(file);
    let mut checker = RefChecker::new(&mut reference, params.model.allow_mismatch);
    let mut summary = annotate_to(params, &model, Some(&mut checker), &mut bgzf)?;
    summary.ref_check = checker.finish(&params.vcf)?;
    let mut file = bgzf.finish().map_err(|e| Error::io(&out_path, e))?;
    // Indexed before anything is committed: a failure leaves no finished-looking output.
    let index = write_index(file.flushed_partial_path()?, &out_path)?;
    summary.model = model.report().clone();
    summary.output = out_path;
    let json = json_file(prefixed(prefix, "annotate.json"), &summary)?;
    commit_all(vec![file, index, json])?;
    Ok(summary)
}

/// Indexes the finished (uncommitted) `partial` file; the index is named after `vcf_gz`.
fn write_index(partial: &Path, vcf_gz: &Path) -> Result<AtomicFile> {
    let index = noodles::vcf::fs::index(partial).map_err(|e| {
        Error::invalid(
            vcf_gz,
            None,
            format!("cannot index the annotated VCF ({e}); is the input sorted by position?"),
        )
    })?;
    // Tabix unless a contig is too long for it (then CSI, as bcftools does).
    let ext = match &index {
        noodles::vcf::Index::Tabix(_) => ".tbi",
        noodles::vcf::Index::Csi(_) => ".csi",
    };
    let mut name = vcf_gz.as_os_str().to_os_string();
    name.push(ext);
    let name = PathBuf::from(name);
    let file = AtomicFile::create(&name)?;
    let file = match &index {
        noodles::vcf::Index::Tabix(i) => {
            let mut w = noodles::tabix::io::Writer::new(file);
            w.write_index(i).map_err(|e| Error::io(&name, e))?;
            w.into_inner().finish()
        }
        noodles::vcf::Index::Csi(i) => {
            let mut w = noodles::csi::io::Writer::new(file);
            w.write_index(i).map_err(|e| Error::io(&name, e))?;
            w.into_inner().finish()
        }
    }
    .map_err(|e| Error::io(&name, e))?;
    Ok(file)
}

/// Annotates the VCF of `params` into `out` (uncompressed VCF text), streaming in batches so
/// memory does not grow with the input.
///
/// # Errors
/// Malformed VCF lines, write failures.
pub fn annotate_to(
    params: &AnnotateParams,
    model: &TranscriptModel,
    ref_checker: Option<&mut RefChecker<'_>>,
    out: &mut dyn Write,
) -> Result<AnnotateSummary> {
    let path = params.vcf.as_path();
    let mut reader = VcfReader::open_with_progress(path, params.threads, "annotate")?;
    let header = reader.header().clone();
    let werr = |e| Error::io("annotated VCF", e);
    let mut head = String::new();
    for l in &header.meta_lines {
        if l.starts_with("##INFO=<ID=CSQ,") {
            continue;
        }
        head.push_str(l);
        head.push('\n');
    }
    head.push_str(&csq_header_line());
    head.push('\n');
    head.push_str(&format!(
        "##immunoprofile_annotate=<Version=\"{}\",GTF=\"{}\",FASTA=\"{}\">\n",
        crate::VERSION,
        params.gtf.display(),
        params.fasta.display()
    ));
    head.push_str("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO");
    if !header.samples.is_empty() {
        head.push_str("\tFORMAT");
        for s in &header.samples {
            head.push('\t');
            head.push_str(s);
        }
    }
    head.push('\n');
    out.write_all(head.as_bytes()).map_err(werr)?;

    let mut totals = Tally::default();
    let mut source = Source {
        reader: &mut reader,
        order: SortOrder::default(),
        ref_checker,
    };
    // Double buffered and ordered (`par::ordered_batches`): the next batch is read, its order
    // checked and its reference windows cut while the pool annotates the current one; chunks are
    // written in file order, so the bytes do not depend on the thread count.
    crate::par::ordered_batches(
        &mut source,
        Batch::new(),
        Batch::new(),
        |batch, source| batch.fill(source, path),
        |batch| {
            batch.lines[..batch.n]
                .par_chunks(CHUNK_LINES)
                .zip(batch.line_nos[..batch.n].par_chunks(CHUNK_LINES))
                .zip(batch.windows[..batch.n].par_chunks(CHUNK_LINES))
                .map(|((lines, nos), wins)| {
                    let mut text = String::with_capacity(lines.len() * 400);
                    let mut tally = Tally::default();
                    for ((line, &no), win) in lines.iter().zip(nos).zip(wins) {
                        let line = std::str::from_utf8(line)
                            .map_err(|_| Error::at_line(path, no, "the line is not UTF-8 text"))?;
                        annotate_line(model, line, win.as_ref(), &mut tally, &mut text)
                            .map_err(|reason| Error::at_line(path, no, reason))?;
                    }
                    Ok((text, tally))
                })
                .collect()
        },
        |(text, tally)| {
            out.write_all(text.as_bytes()).map_err(werr)?;
            totals.add(tally);
            Ok(())
        },
        |_| {},
    )?;
    Ok(AnnotateSummary {
        schema_version: SCHEMA_VERSION,
        version: crate::VERSION,
        records: totals.records,
        alleles: totals.alleles,
        alleles_on_contigs_without_transcripts: totals.unknown_contig,
        annotations: totals.annotations,
        most_severe: totals.most_severe,
        model: ModelReport::default(),
        ref_check: RefCheckReport::default(),
        output: PathBuf::new(),
        params: params.clone(),
    })
}

/// What the reading side of the batch loop owns: the reader and the checks that must see the
/// records in file order.
struct Source<'a, 'c> {
    reader: &'a mut VcfReader,
    order: SortOrder,
    ref_checker: Option<&'a mut RefChecker<'c>>,
}

/// Up to [`BATCH_LINES`] lines with their line numbers and the reference window of each indel.
struct Batch {
    lines: Vec<Vec<u8>>,
    line_nos: Vec<usize>,
    windows: Vec<Option<RefWindow>>,
    n: usize,
}

impl Batch {
    fn new() -> Self {
        Self {
            lines: (0..BATCH_LINES).map(|_| Vec::new()).collect(),
            line_nos: vec![0; BATCH_LINES],
            windows: vec![None; BATCH_LINES],
            n: 0,
        }
    }

    /// Reads the next lines (0 at the end of the input), checking their order and cutting
    /// their reference windows in file order.
    fn fill(&mut self, source: &mut Source<'_, '_>, path: &Path) -> Result<usize> {
        let mut n = 0;
        while n < BATCH_LINES && source.reader.read_line(&mut self.lines[n])? {
            self.line_nos[n] = source.reader.line_no();
            n += 1;
        }
        self.n = n;
        for i in 0..n {
            let no = self.line_nos[i];
            let line = std::str::from_utf8(&self.lines[i])
                .map_err(|_| Error::at_line(path, no, "the line is not UTF-8 text"))?;
            let rec = RecordView::parse(line).map_err(|r| Error::at_line(path, no, r))?;
            source
                .order
                .check(&rec)
                .map_err(|r| Error::at_line(path, no, r))?;
            self.windows[i] = None;
            if let Some(checker) = source.ref_checker.as_deref_mut() {
                checker.check(&rec)?;
                self.windows[i] = checker
                    .current_sequence()
                    .and_then(|seq| window_for(&rec, seq));
            }
        }
        Ok(n)
    }
}

/// The output is bgzipped and indexed, which needs records sorted by position within contiguous
/// contig blocks: checked as they stream, so an unsorted input fails early and names the record.
#[derive(Default)]
struct SortOrder {
    done: std::collections::HashSet<String>,
    current: Option<(String, u64)>,
}

impl SortOrder {
    fn check(&mut self, rec: &RecordView<'_>) -> std::result::Result<(), String> {
        match &mut self.current {
            Some((c, p)) if c == rec.chrom => {
                if rec.pos < *p {
                    return Err(format!(
                        "{} comes after {}:{}: the VCF is not sorted by position (sort it with `bcftools sort`)",
                        rec.locus(),
                        c,
                        p
                    ));
                }
                *p = rec.pos;
            }
            _ => {
                if self.done.contains(rec.chrom) {
                    return Err(format!(
                        "{}: contig {} appears again after other contigs: the VCF is not sorted (sort it with `bcftools sort`)",
                        rec.locus(),
                        rec.chrom
                    ));
                }
                if let Some((c, _)) = self.current.take() {
                    self.done.insert(c);
                }
                self.current = Some((rec.chrom.to_string(), rec.pos));
            }
        }
        Ok(())
    }
}

#[derive(Default)]
struct Tally {
    records: u64,
    alleles: u64,
    unknown_contig: u64,
    annotations: u64,
    most_severe: BTreeMap<String, u64>,
}

impl Tally {
    fn add(&mut self, o: Tally) {
        self.records += o.records;
        self.alleles += o.alleles;
        self.unknown_contig += o.unknown_contig;
        self.annotations += o.annotations;
        for (k, v) in o.most_severe {
            *self.most_severe.entry(k).or_default() += v;
        }
    }
}

fn annotate_line(
    model: &TranscriptModel,
    line: &str,
    window: Option<&RefWindow>,
    tally: &mut Tally,
    out: &mut String,
) -> std::result::Result<(), String> {
    let rec = RecordView::parse(line)?;
    tally.records += 1;
    let mut entries: Vec<TranscriptAnnotation> = Vec::new();
    for (i, _) in rec.alts().enumerate() {
        tally.alleles += 1;
        let anns = annotate_record_with(model, &rec, i + 1, window);
        if let Some(worst) = anns.iter().filter_map(|a| a.most_severe()).min() {
            *tally
                .most_severe
                .entry(worst.as_str().to_string())
                .or_default() += 1;
        }
        if anns.len() == 1
            && anns[0].transcript_id.is_none()
            && model.contig_name(rec.chrom).is_none()
        {
            tally.unknown_contig += 1;
        }
        entries.extend(anns);
    }
    tally.annotations += entries.len() as u64;
    let (s, e) = info_span(line).ok_or("fewer than 8 columns")?;
    out.push_str(&annotated_line(line, s, e, &entries));
    out.push('\n');
    Ok(())
}
