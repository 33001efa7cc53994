//! The per-allele decision: counted, or excluded with the first reason that applies.

use std::path::Path;

mod annotation;

pub use super::params::{CountClass, FilterParams, Reason, DEFAULT_POPULATION_AF_FIELDS};
use super::row::VariantRow;
use crate::annotate::fields::max_numeric;
use crate::annotate::model::TranscriptModel;
use crate::annotate::{AnnotationSchema, Consequence};
use crate::error::{Error, Result};
use crate::genome::{ContigMatcher, Interval, IntervalSet};
use crate::io::vcf::{split_ascii, RecordView, VcfHeader};
use crate::variant::support::varscan_somatic_status;
use crate::variant::{CountFields, ReadSupport, SupportRule, SupportTally, VariantKind};
use annotation::{take_max, Classes, CsqLayout};

/// Tallies of one chunk of records; summed in file order.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub records: u64,
    pub alleles: u64,
    pub counted: u64,
    pub excluded: [u64; Reason::ALL.len()],
    /// How read support was read.
    pub support: SupportTally,
}

impl Counts {
    pub fn add(&mut self, other: &Counts) {
        self.records += other.records;
        self.alleles += other.alleles;
        self.counted += other.counted;
        for (a, b) in self.excluded.iter_mut().zip(other.excluded.iter()) {
            *a += b;
        }
        self.support.add(&other.support);
    }
}

/// Everything needed to judge one record, shared read-only by the worker threads.
pub struct Evaluator<'a> {
    pub filters: &'a FilterParams,
    pub support: &'a ReadSupport,
    pub tumor: usize,
    pub normal: Option<usize>,
    pub territory: Option<&'a IntervalSet>,
    target_contigs: Option<ContigMatcher>,
    info_af: Vec<(String, bool)>,
    /// Number=A/R/G fields: counts checked on every record; `count_used` (the per-ALT
    /// population-AF fields and FreeBayes' AO) refused when wrong, the rest counted.
    count_fields: CountFields,
    count_used: Vec<String>,
    layout: Option<CsqLayout>,
    /// Our own annotation (`--gtf` + `--fasta`), used instead of the VCF's CSQ/ANN.
    model: Option<&'a TranscriptModel>,
    path: &'a Path,
}

/// One row of the variants table.
#[allow(clippy::too_many_arguments)]
fn write_row(
    out: &mut csv::Writer<Vec<u8>>,
    rec: &RecordView<'_>,
    alt: &str,
    gene: Option<&str>,
    consequence: Option<Consequence>,
    support: &crate::variant::AlleleSupport,
    population_af: Option<f64>,
    reason: Option<Reason>,
) -> Result<()> {
    out.serialize(VariantRow {
        chrom: rec.chrom,
        pos: rec.pos,
        reference: rec.reference,
        alt,
        gene,
        consequence: consequence.map(Consequence::as_str),
        depth: support.depth,
        alt_reads: support.alt_reads,
        vaf: support.vaf,
        population_af,
        counted: reason.is_none(),
        reason: reason.map_or("pass", Reason::as_str),
    })
    .map_err(|e| Error::Internal(format!("variants table row: {e}")))
}

impl<'a> Evaluator<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        filters: &'a FilterParams,
        support: &'a ReadSupport,
        tumor: usize,
        normal: Option<usize>,
        schema: Option<&'a AnnotationSchema>,
        territory: Option<&'a IntervalSet>,
        header: &VcfHeader,
        path: &'a Path,
    ) -> Self {
        let info_af: Vec<(String, bool)> = filters
            .population_af_fields
            .iter()
            .filter_map(|f| header.info.get(f).map(|d| (f.clone(), d.number == "A")))
            .collect();
        let count_used = info_af
            .iter()
            .filter(|(_, per_alt)| *per_alt)
            .map(|(f, _)| format!("INFO/{f}"))
            .chain(std::iter::once("FORMAT/AO".to_string()))
            .collect();
        let layout = schema.and_then(|s| CsqLayout::new(s, &filters.population_af_fields));
        Self {
            filters,
            support,
            tumor,
            normal,
            territory,
            target_contigs: territory
                .map(|t| ContigMatcher::new(t.contig_names().map(str::to_string))),
            info_af,
            count_fields: CountFields::from_header(header),
            count_used,
            layout,
            model: None,
            path,
        }
    }

    /// Annotates in memory with `model` instead of reading the VCF's annotation.
    pub fn with_model(mut self, model: &'a TranscriptModel) -> Self {
        self.model = Some(model);
        self
    }

    fn err(&self, rec: &RecordView<'_>, reason: impl Into<String>) -> Error {
        Error::invalid(self.path, Some(rec.locus()), reason)
    }

    /// Judges every ALT of one data line, appending one TSV row per allele to `out`.
    ///
    /// # Errors
    /// A malformed line or non-numeric read counts, naming the record.
    pub fn evaluate(
        &self,
        line: &str,
        line_no: usize,
        out: &mut csv::Writer<Vec<u8>>,
        counts: &mut Counts,
    ) -> Result<()> {
        let rec =
            RecordView::parse(line).map_err(|reason| Error::at_line(self.path, line_no, reason))?;
        counts.records += 1;
        counts
            .support
            .counts
            .check(&self.count_fields, &rec, &self.count_used)
            .map_err(|r| self.err(&rec, r))?;
        let n_alts = rec.alts().count();
        let mut annotation = match self.model {
            Some(model) => Self::annotate_in_memory(model, &rec, n_alts),
            None => self.scan_annotation(&rec, n_alts),
        };
        let in_targets = match (self.territory, &self.target_contigs) {
            (Some(set), Some(matcher)) => {
                let contig = matcher.resolve(rec.chrom).map_err(|many| {
                    self.err(&rec, format!("contig '{}' matches several target contigs ({}); rename the BED contigs", rec.chrom, many.join(", ")))
                })?;
                let start = rec.pos - 1;
                let span = Interval::new(start, start + rec.reference.len().max(1) as u64);
                contig.is_some_and(|c| set.overlaps(c, span))
            }
            _ => true,
        };
        let gt = rec.sample_value(self.tumor, "GT");
        let rule = self.support.rule(&rec);
        counts.support.record(&rec, rule);
        for (i, alt) in rec.alts().enumerate() {
            let alt_index = i + 1;
            counts.alleles += 1;
            let kind = VariantKind::classify(rec.reference, alt);
            let (_, support) = self
                .support
                .allele(&rec, self.tumor, alt_index, kind.is_indel())
                .map_err(|r| self.err(&rec, format!("tumour sample: {r}")))?;
            counts.support.allele(&support);
            let normal_support = match self.normal {
                Some(n) => Some(
                    self.support
                        .allele(&rec, n, alt_index, kind.is_indel())
                        .map_err(|r| self.err(&rec, format!("normal sample: {r}")))?
                        .1,
                ),
                None => None,
            };
            let ann = annotation
                .get_mut(i)
                .map(std::mem::take)
                .unwrap_or_default();
            let (gene, consequence) = match ann.best {
                Some((c, _, gene)) => (gene, Some(c)),
                None => (None, None),
            };
            let gene = gene.as_deref();
            let classes = ann.classes;
            let mut population_af = ann.population_af;
            for (field, per_alt) in &self.info_af {
                if let Some(Some(v)) = rec.info_value(field) {
                    let v = if *per_alt {
                        v.split(',').nth(i)
                    } else {
                        Some(v)
                    };
                    take_max(&mut population_af, v.and_then(max_numeric));
                }
            }
            let reason = self.first_reason(
                &rec,
                rule,
                kind,
                in_targets,
                gt,
                alt_index,
                &support,
                normal_support.as_ref(),
                population_af,
                classes,
            );
            match reason {
                None => counts.counted += 1,
                Some(r) => counts.excluded[r as usize] += 1,
            }
            // chrom pos ref alt gene consequence depth alt_reads vaf population_af counted reason
            write_row(
                out,
                &rec,
                alt,
                gene,
                consequence,
                &support,
                population_af,
                reason,
            )?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn first_reason(
        &self,
        rec: &RecordView<'_>,
        rule: SupportRule,
        kind: VariantKind,
        in_targets: bool,
        gt: Option<&str>,
        alt_index: usize,
        support: &crate::variant::AlleleSupport,
        normal: Option<&crate::variant::AlleleSupport>,
        population_af: Option<f64>,
        classes: Classes,
    ) -> Option<Reason> {
        let f = self.filters;
        match kind {
            VariantKind::NoAlt => return Some(Reason::NoAlt),
            VariantKind::SpanningDeletion => return Some(Reason::SpanningDeletion),
            VariantKind::Symbolic => return Some(Reason::Symbolic),
            _ => {}
        }
        if !in_targets {
            return Some(Reason::OutsideTargets);
        }
        if f.pass_only && !rec.is_pass() {
            return Some(Reason::NotPass);
        }
        // VarScan2 marks germline and LOH calls PASS too: its own somatic status decides, on
        // records VarScan2 wrote (its RD/FREQ fields, whichever rule reads the counts).
        let varscan = rule == SupportRule::Varscan2
            || rec.format.is_some_and(|f| {
                split_ascii(f, b':').any(|k| k == "RD") && split_ascii(f, b':').any(|k| k == "FREQ")
            });
        if varscan {
            if let Some(ss) = varscan_somatic_status(rec) {
                if !f.varscan_somatic_status.contains(&ss) {
                    return Some(match ss {
                        1 => Reason::VarscanGermline,
                        3 => Reason::VarscanLoh,
                        _ => Reason::VarscanNotSomatic,
                    });
                }
            }
        }
        if let Some(gt) = gt {
            // A called genotype that does not carry this allele (multi-sample or multi-allelic).
            let calls: Vec<&str> = gt.split(['/', '|']).collect();
            if calls.iter().all(|c| *c != ".")
                && !calls
                    .iter()
                    .any(|c| c.parse::<usize>().ok() == Some(alt_index))
            {
                return Some(Reason::NotInSample);
            }
        }
        if f.exclude_indels && kind.is_indel() {
            return Some(Reason::Indel);
        }
        if let Some(min) = f.min_depth {
            match support.depth {
                None => return Some(Reason::MissingDepth),
                Some(d) if d < min => return Some(Reason::LowDepth),
                _ => {}
            }
        }
        if let Some(min) = f.min_alt_reads {
            match support.alt_reads {
                None => return Some(Reason::MissingAltReads),
                Some(a) if a < min => return Some(Reason::LowAltReads),
                _ => {}
            }
        }
        if f.min_vaf.is_some() || f.max_vaf.is_some() {
            match support.vaf {
                None => return Some(Reason::MissingVaf),
                Some(v) if f.min_vaf.is_some_and(|m| v < m) => return Some(Reason::LowVaf),
                Some(v) if f.max_vaf.is_some_and(|m| v > m) => return Some(Reason::HighVaf),
                _ => {}
            }
        }
        if let Some(normal) = normal {
            if let Some(min) = f.min_normal_depth {
                match normal.depth {
                    None => return Some(Reason::MissingNormalDepth),
                    Some(d) if d < min => return Some(Reason::LowNormalDepth),
                    _ => {}
                }
            }
            if let (Some(max), Some(v)) = (f.max_normal_vaf, normal.vaf) {
                if v > max {
                    return Some(Reason::HighNormalVaf);
                }
            }
        }
        if let (Some(max), Some(af)) = (f.max_population_af, population_af) {
            if af > max {
                return Some(Reason::PopulationAf);
            }
        }
        match f.count {
            CountClass::All => None,
            _ if !classes.annotated => Some(Reason::NoAnnotation),
            CountClass::Coding if !classes.coding => Some(Reason::NotCoding),
            CountClass::Nonsynonymous if !classes.nonsynonymous => Some(Reason::NotNonsynonymous),
            _ => None,
        }
    }
}
