//! Mutant and wild-type protein windows (`immunoprofile peptides`), built from a VEP-annotated
//! VCF (CSQ with `WildtypeProtein` and `FrameshiftSequence`) with pVACseq's rules, so the FASTA
//! is the one `pvacseq generate_protein_fasta` writes.

pub mod entry;
pub mod window;

pub use entry::{EntryFilter, SampleValues, VariantEntry, VariantType};
pub use window::{Downstream, NoWindow, Window};

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::annotate::{AnnotationSchema, InMemoryAnnotation};
use crate::error::{Error, Result};
use crate::io::cells;
use crate::io::output::{commit_all, json_file, prefixed, AtomicFile};
use crate::io::vcf::{RecordView, VcfHeader, VcfReader};

/// Version of the `peptides.json` layout.
pub const SCHEMA_VERSION: u32 = 1;

/// One row of `PREFIX.peptides.tsv` (one per transcript with a window); the field names are
/// the header.
#[derive(Debug, Clone, Serialize)]
pub struct PeptideRow<'a> {
    /// The FASTA key after `WT.`/`MT.`.
    pub id: &'a str,
    pub chrom: &'a str,
    pub pos: u64,
    #[serde(rename = "ref")]
    pub reference: &'a str,
    pub alt: &'a str,
    pub gene: &'a str,
    pub transcript: &'a str,
    pub variant_type: &'static str,
    pub protein_change: &'a str,
    pub protein_position: &'a str,
    pub wt_window: &'a str,
    pub mt_window: &'a str,
}

impl PeptideRow<'static> {
    /// A row with every field empty: its only use is [`cells::header_line`].
    pub fn empty() -> Self {
        PeptideRow {
            id: "",
            chrom: "",
            pos: 0,
            reference: "",
            alt: "",
            gene: "",
            transcript: "",
            variant_type: "",
            protein_change: "",
            protein_position: "",
            wt_window: "",
            mt_window: "",
        }
    }
}

/// Everything `peptides` needs, validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeptideParams {
    pub vcf: PathBuf,
    pub sample: Option<String>,
    /// Amino acids each side of the change.
    pub flank: usize,
    pub downstream: Downstream,
    pub filter: EntryFilter,
    /// Write only the `MT.` records.
    pub mutant_only: bool,
    /// Annotate in memory from `--gtf/--fasta` instead of reading CSQ.
    pub annotation: Option<InMemoryAnnotation>,
    #[serde(skip)]
    pub threads: usize,
}

impl Default for PeptideParams {
    fn default() -> Self {
        Self {
            vcf: PathBuf::new(),
            sample: None,
            flank: 10,
            downstream: Downstream::Limit(1000),
            filter: EntryFilter::default(),
            mutant_only: false,
            annotation: None,
            threads: 1,
        }
    }
}

/// Records per parallel batch (memory stays flat whatever the VCF size).
const BATCH_LINES: usize = 4096;

/// Streams the (variant allele, transcript) entries of an annotated VCF in file order, numbered
/// as pVACseq numbers them, a batch at a time.
pub struct EntryStream {
    reader: VcfReader,
    header: VcfHeader,
    source: entry::ProteinAnnotation,
    sample: usize,
    /// The matched normal, whose DP/AF/AD fill [`VariantEntry::normal`].
    normal: Option<usize>,
    filter: EntryFilter,
    next_number: u64,
    done: bool,
    lines: Vec<Vec<u8>>,
    line_nos: Vec<usize>,
    /// Transcripts skipped for a reason worth reporting, by reason.
    pub skipped: BTreeMap<&'static str, u64>,
    /// With in-memory annotation: REF compared with the FASTA.
    pub ref_check: Option<crate::annotate::refcheck::RefCheckReport>,
    /// The shared read-support model (DNA depth and VAF), decided per record.
    read_support: crate::variant::ReadSupport,
    /// Records read by each read-support rule.
    pub support_tally: crate::variant::SupportTally,
    /// Number=A/R/G fields of the header: value counts checked on every record.
    count_fields: crate::variant::CountFields,
}

impl EntryStream {
    /// Opens the VCF and checks that its annotation can give peptides.
    ///
    /// # Errors
    /// Unreadable VCF, no tumour sample to be told, no CSQ or a CSQ without WildtypeProtein /
    /// FrameshiftSequence (the message says how to add them).
    pub fn open(
        vcf: &Path,
        sample: Option<&str>,
        filter: EntryFilter,
        annotation: Option<&InMemoryAnnotation>,
        threads: usize,
    ) -> Result<Self> {
        let reader = VcfReader::open_with_progress(vcf, threads, "variants")?;
        let header = reader.header().clone();
        let mut ref_check = None;
        let source = match annotation {
            Some(a) => {
                let model = a.load()?;
                ref_check = a.check_ref(vcf)?;
                entry::ProteinAnnotation::Model(Box::new(model))
            }
            None => entry::ProteinAnnotation::Csq(require_protein_annotation(&header, vcf)?),
        };
        let sample = header.tumor_sample(sample, vcf)?;
        Ok(Self {
            reader,
            source,
            sample,
            normal: None,
            filter,
            next_number: 1,
            done: false,
            lines: (0..BATCH_LINES).map(|_| Vec::new()).collect(),
            line_nos: vec![0; BATCH_LINES],
            skipped: BTreeMap::new(),
            ref_check,
            read_support: crate::variant::ReadSupport::new(
                crate::variant::SupportOptions::default(),
                &header,
            ),
            support_tally: crate::variant::SupportTally::default(),
            count_fields: crate::variant::CountFields::from_header(&header),
            header,
        })
    }

    pub fn header(&self) -> &VcfHeader {
        &self.header
    }

    pub fn sample_name(&self) -> &str {
        &self.header.samples[self.sample]
    }

    pub fn sample_index(&self) -> usize {
        self.sample
    }

    /// Reads the depth and VAF of sample column `normal` (the matched normal) into every
    /// entry's [`VariantEntry::normal`]; `None`: no normal.
    pub fn use_normal_sample(&mut self, normal: Option<usize>) {
        self.normal = normal;
    }

    /// The matched normal's name, when one is used.
    pub fn normal_sample_name(&self) -> Option<&str> {
        self.normal.map(|n| self.header.samples[n].as_str())
    }

    /// The next batch of entries; `None` at the end of the file.
    ///
    /// # Errors
    /// A malformed record (file and line in the message).
    pub fn next_batch(&mut self) -> Result<Option<Vec<VariantEntry>>> {
        if self.done {
            return Ok(None);
        }
        let mut n = 0;
        while n < BATCH_LINES && self.reader.read_line(&mut self.lines[n])? {
            self.line_nos[n] = self.reader.line_no();
            n += 1;
        }
        if n < BATCH_LINES {
            self.done = true;
        }
        if n == 0 {
            return Ok(None);
        }
        let path = self.reader.path().to_path_buf();
        let (source, header, sample, normal, filter, read_support, count_fields) = (
            &self.source,
            &self.header,
            self.sample,
            self.normal,
            &self.filter,
            &self.read_support,
            &self.count_fields,
        );
        type PerRecord = (
            Vec<entry::Slot>,
            Vec<entry::Skipped>,
            crate::variant::SupportRule,
            crate::variant::CountTally,
        );
        let per_record: Vec<Result<PerRecord>> = self.lines[..n]
            .par_iter()
            .zip(&self.line_nos[..n])
            .map(|(line, &no)| {
                let text = std::str::from_utf8(line)
                    .map_err(|_| Error::at_line(&path, no, "the line is not UTF-8 text"))?;
                let rec = RecordView::parse(text).map_err(|r| Error::at_line(&path, no, r))?;
                // FreeBayes' AO is read per ALT: a wrong count is refused, others counted.
                let mut counts = crate::variant::CountTally::default();
                counts
                    .check(count_fields, &rec, &["FORMAT/AO"])
                    .map_err(|r| Error::invalid(&path, Some(rec.locus()), r))?;
                let mut skipped = Vec::new();
                let slots = entry::record_entries(
                    source,
                    header,
                    &rec,
                    entry::SampleColumns {
                        tumor: sample,
                        normal,
                    },
                    filter,
                    read_support,
                    &mut skipped,
                )
                .map_err(|r| Error::invalid(&path, Some(rec.locus()), r))?;
                Ok((slots, skipped, read_support.rule(&rec), counts))
            })
            .collect();
        let mut out = Vec::new();
        for r in per_record {
            let (slots, skipped, rule, counts) = r?;
            *self.support_tally.records_by_rule.entry(rule).or_default() += 1;
            self.support_tally.counts.add(&counts);
            for s in skipped {
                log::debug!("{} {}: skipped ({})", s.locus, s.transcript, s.reason);
                *self.skipped.entry(s.reason).or_default() += 1;
            }
            for slot in slots {
                let number = self.next_number;
                self.next_number += 1;
                if let Some(mut e) = slot {
                    e.number = number;
                    out.push(e);
                }
            }
        }
        if self.done {
            if let Some(w) = self.support_tally.counts.warning() {
                log::warn!("{}: {w}", path.display());
            }
        }
        Ok(Some(out))
    }
}

/// The CSQ schema, checked to carry the protein sequences peptides are cut from.
///
/// # Errors
/// No CSQ, or CSQ without WildtypeProtein / FrameshiftSequence.
pub fn require_protein_annotation(header: &VcfHeader, path: &Path) -> Result<AnnotationSchema> {
    let how = "annotate it with Ensembl VEP and its Wildtype and Frameshift plugins (`--plugin Wildtype --plugin Frameshift`, as pVACseq requires), or with `immunoprofile annotate --gtf G --fasta F`, or give this stage --gtf G --fasta F to annotate in memory";
    let schema = AnnotationSchema::from_info_key(header, "CSQ").map_err(|_| {
        Error::invalid(
            path,
            None,
            format!("the VCF has no VEP CSQ annotation, so the protein fields WildtypeProtein and FrameshiftSequence are missing: {how}"),
        )
    })?;
    let missing: Vec<&str> = ["WildtypeProtein", "FrameshiftSequence"]
        .into_iter()
        .filter(|f| schema.field(f).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(Error::invalid(
            path,
            Some("INFO/CSQ header".into()),
            format!("CSQ lacks the field(s) {}: {how}", missing.join(", ")),
        ));
    }
    Ok(schema)
}

/// Logs one warning per transcript whose WildtypeProtein disagrees with VEP's amino acids.
pub fn warn_no_window(e: &VariantEntry, why: &NoWindow) {
    match why {
        NoWindow::ReferenceMismatch { expected, found } => log::warn!(
            "{} {} {}: VEP gives wild-type amino acid(s) '{}' at {} but WildtypeProtein has '{}' there (different reference build or transcript version?): transcript skipped",
            e.locus(),
            e.transcript,
            e.change,
            expected,
            e.protein_position,
            found
        ),
        NoWindow::UnsupportedAminoAcid => log::info!(
            "{} {}: the window contains an amino acid other than the standard twenty: skipped",
            e.locus(),
            e.transcript
        ),
        NoWindow::Silent => {}
    }
}

/// `PREFIX.peptides.json`.
#[derive(Debug, Clone, Serialize)]
pub struct PeptideSummary {
    pub schema_version: u32,
    pub version: &'static str,
    pub sample: String,
    /// Transcript entries considered (after biotype and CDS filters).
    pub entries: u64,
    /// Entries that gave a window pair.
    pub windows: u64,
    /// Windows per variant type.
    pub by_type: BTreeMap<String, u64>,
    /// Entries without a window, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// With in-memory annotation: REF compared with the FASTA (null otherwise).
    pub ref_check: Option<crate::annotate::refcheck::RefCheckReport>,
    /// Which read-support rules read the records' DNA depth and VAF (`records_by_rule`).
    pub read_support: crate::variant::ReadSupportReport,
    pub params: PeptideParams,
}

/// FASTA records grouped by sequence in first-seen order, as pVACseq writes them.
#[derive(Debug, Default)]
pub struct FastaGroups {
    order: Vec<String>,
    keys: HashMap<String, Vec<String>>,
}

impl FastaGroups {
    pub fn push(&mut self, seq: &str, key: String) {
        match self.keys.get_mut(seq) {
            Some(v) => v.push(key),
            None => {
                self.order.push(seq.to_string());
                self.keys.insert(seq.to_string(), vec![key]);
            }
        }
    }

    /// Writes `>KEY` / sequence (60 letters per line) for every key, skipping `WT.` keys when
    /// `mutant_only`.
    ///
    /// # Errors
    /// Write failures.
    pub fn write(&self, out: &mut dyn Write, mutant_only: bool) -> std::io::Result<()> {
        for seq in &self.order {
            for key in &self.keys[seq] {
                if mutant_only && key.starts_with("WT.") {
                    continue;
                }
                writeln!(out, ">{key}")?;
                for chunk in seq.as_bytes().chunks(60) {
                    out.write_all(chunk)?;
                    out.write_all(b"\n")?;
                }
            }
        }
        Ok(())
    }
}

/// Computes the windows, writing TSV rows into `tsv` and collecting the FASTA records.
///
/// # Errors
/// As [`EntryStream::open`] and [`EntryStream::next_batch`], and write failures.
pub fn compute(
    params: &PeptideParams,
    fasta: &mut FastaGroups,
    tsv: &mut dyn Write,
) -> Result<PeptideSummary> {
    let mut stream = EntryStream::open(
        &params.vcf,
        params.sample.as_deref(),
        params.filter.clone(),
        params.annotation.as_ref(),
        params.threads,
    )?;
    tsv.write_all(cells::header_line(&PeptideRow::empty())?.as_bytes())
        .map_err(|e| Error::io("peptides table", e))?;
    let mut tsv = cells::rows_writer(tsv);
    let mut entries = 0;
    let mut windows = 0;
    let mut by_type: BTreeMap<String, u64> = BTreeMap::new();
    let mut skipped: BTreeMap<String, u64> = BTreeMap::new();
    while let Some(batch) = stream.next_batch()? {
        entries += batch.len() as u64;
        let built: Vec<Result<Window, NoWindow>> = batch
            .par_iter()
            .map(|e| window::build(e, params.flank, params.downstream, 0))
            .collect();
        for (e, w) in batch.iter().zip(built) {
            match w {
                Ok(w) => {
                    windows += 1;
                    *by_type
                        .entry(e.variant_type.as_str().to_string())
                        .or_default() += 1;
                    let index = e.index();
                    fasta.push(&w.wt, format!("WT.{index}"));
                    fasta.push(&w.mt, format!("MT.{index}"));
                    tsv.serialize(PeptideRow {
                        id: &index,
                        chrom: &e.chrom,
                        pos: e.pos,
                        reference: &e.reference,
                        alt: &e.alt,
                        gene: &e.gene,
                        transcript: &e.transcript,
                        variant_type: e.variant_type.as_str(),
                        protein_change: &e.change,
                        protein_position: &e.protein_position,
                        wt_window: &w.wt,
                        mt_window: &w.mt,
                    })
                    .map_err(|err| Error::io("peptides table", err.into()))?;
                }
                Err(why) => {
                    warn_no_window(e, &why);
                    let reason = match why {
                        NoWindow::Silent => "no_novel_sequence_or_out_of_range",
                        NoWindow::ReferenceMismatch { .. } => "wildtype_protein_mismatch",
                        NoWindow::UnsupportedAminoAcid => "unsupported_amino_acid",
                    };
                    *skipped.entry(reason.to_string()).or_default() += 1;
                }
            }
        }
    }
    tsv.flush().map_err(|e| Error::io("peptides table", e))?;
    for (reason, n) in &stream.skipped {
        skipped.insert(reason.replace(' ', "_"), *n);
    }
    Ok(PeptideSummary {
        schema_version: SCHEMA_VERSION,
        version: crate::VERSION,
        sample: stream.sample_name().to_string(),
        entries,
        windows,
        by_type,
        skipped,
        ref_check: stream.ref_check.clone(),
        read_support: stream
            .support_tally
            .report(&crate::variant::SupportOptions::default()),
        params: params.clone(),
    })
}

/// Runs the stage: `PREFIX.peptides.fasta`, `PREFIX.peptides.tsv`, `PREFIX.peptides.json`.
///
/// # Errors
/// As [`compute`], plus output write failures.
pub fn run(params: &PeptideParams, prefix: &Path) -> Result<PeptideSummary> {
    let mut tsv = AtomicFile::create(prefixed(prefix, "peptides.tsv"))?;
    let mut groups = FastaGroups::default();
    let summary = compute(params, &mut groups, &mut tsv)?;
    let mut fasta = AtomicFile::create(prefixed(prefix, "peptides.fasta"))?;
    groups
        .write(&mut fasta, params.mutant_only)
        .map_err(|e| Error::io(fasta.path(), e))?;
    let json = json_file(prefixed(prefix, "peptides.json"), &summary)?;
    commit_all(vec![fasta, tsv, json])?;
    Ok(summary)
}
