//! The per-allele decision: counted, or excluded with the first reason that applies.

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::annotate::fields::{max_numeric, AlleleKeys};
use crate::annotate::{AnnotationSchema, Consequence};
use crate::error::{Error, Result};
use crate::genome::{ContigMatcher, Interval, IntervalSet};
use crate::io::output::fmt_opt;
use crate::io::vcf::{RecordView, VcfHeader};
use crate::variant::caller::allele_support;
use crate::variant::{Caller, VariantKind};

/// Which variants make the numerator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum CountClass {
    /// Protein-changing: missense, nonsense, frameshift, in-frame indels, start/stop loss,
    /// splice donor/acceptor.
    Nonsynonymous,
    /// Anything in the coding sequence, synonymous included.
    Coding,
    /// Every variant that passes the other filters (no annotation needed).
    All,
}

/// The filters of the numerator. `None` switches a filter off.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilterParams {
    pub pass_only: bool,
    pub min_depth: Option<u32>,
    pub min_alt_reads: Option<u32>,
    pub min_vaf: Option<f64>,
    pub max_vaf: Option<f64>,
    pub max_population_af: Option<f64>,
    /// Annotation (CSQ) or INFO fields holding population allele frequencies.
    pub population_af_fields: Vec<String>,
    pub count: CountClass,
    pub exclude_indels: bool,
    pub min_normal_depth: Option<u32>,
    pub max_normal_vaf: Option<f64>,
}

/// Population-frequency fields read when none are named: gnomAD and VEP's maximum. INFO/AF is
/// deliberately absent: in most VCFs it is the cohort's allele frequency, not a population's.
pub const DEFAULT_POPULATION_AF_FIELDS: &[&str] = &[
    "gnomAD_AF",
    "gnomADe_AF",
    "gnomADg_AF",
    "gnomAD_exomes_AF",
    "gnomAD_genomes_AF",
    "MAX_AF",
    "AF_popmax",
];

impl Default for FilterParams {
    fn default() -> Self {
        Self {
            pass_only: true,
            min_depth: None,
            min_alt_reads: None,
            min_vaf: None,
            max_vaf: None,
            max_population_af: None,
            population_af_fields: DEFAULT_POPULATION_AF_FIELDS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            count: CountClass::Nonsynonymous,
            exclude_indels: false,
            min_normal_depth: None,
            max_normal_vaf: None,
        }
    }
}

macro_rules! reasons {
    ($( $v:ident = $s:literal ),* $(,)?) => {
        /// Why an allele is not counted (the first filter that applies, in this order).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub enum Reason { $( $v, )* }
        impl Reason {
            pub const ALL: &'static [Reason] = &[ $( Reason::$v, )* ];
            pub fn as_str(self) -> &'static str {
                match self { $( Reason::$v => $s, )* }
            }
        }
    };
}

reasons! {
    NoAlt = "no_alt",
    SpanningDeletion = "spanning_deletion",
    Symbolic = "symbolic_allele",
    OutsideTargets = "outside_targets",
    NotPass = "not_pass",
    NotInSample = "genotype_lacks_allele",
    Indel = "indel_excluded",
    MissingDepth = "missing_depth",
    LowDepth = "low_depth",
    MissingAltReads = "missing_alt_reads",
    LowAltReads = "low_alt_reads",
    MissingVaf = "missing_vaf",
    LowVaf = "low_vaf",
    HighVaf = "high_vaf",
    MissingNormalDepth = "missing_normal_depth",
    LowNormalDepth = "low_normal_depth",
    HighNormalVaf = "high_normal_vaf",
    PopulationAf = "population_af",
    NoAnnotation = "no_annotation",
    NotCoding = "not_coding",
    NotNonsynonymous = "not_nonsynonymous",
}

/// Tallies of one chunk of records; summed in file order.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub records: u64,
    pub alleles: u64,
    pub counted: u64,
    pub excluded: [u64; Reason::ALL.len()],
}

impl Counts {
    pub fn add(&mut self, other: &Counts) {
        self.records += other.records;
        self.alleles += other.alleles;
        self.counted += other.counted;
        for (a, b) in self.excluded.iter_mut().zip(other.excluded.iter()) {
            *a += b;
        }
    }
}

/// Everything needed to judge one record, shared read-only by the worker threads.
pub struct Evaluator<'a> {
    pub filters: &'a FilterParams,
    pub caller: Caller,
    pub tumor: usize,
    pub normal: Option<usize>,
    pub schema: Option<&'a AnnotationSchema>,
    pub territory: Option<&'a IntervalSet>,
    target_contigs: Option<ContigMatcher>,
    info_af: Vec<(String, bool)>,
    csq_af: Vec<usize>,
    path: &'a Path,
}

impl<'a> Evaluator<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        filters: &'a FilterParams,
        caller: Caller,
        tumor: usize,
        normal: Option<usize>,
        schema: Option<&'a AnnotationSchema>,
        territory: Option<&'a IntervalSet>,
        header: &VcfHeader,
        path: &'a Path,
    ) -> Self {
        let info_af = filters
            .population_af_fields
            .iter()
            .filter_map(|f| header.info.get(f).map(|d| (f.clone(), d.number == "A")))
            .collect();
        let csq_af = schema
            .map(|s| {
                filters
                    .population_af_fields
                    .iter()
                    .filter_map(|f| s.field(f))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            filters,
            caller,
            tumor,
            normal,
            schema,
            territory,
            target_contigs: territory
                .map(|t| ContigMatcher::new(t.contig_names().map(str::to_string))),
            info_af,
            csq_af,
            path,
        }
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
        out: &mut String,
        counts: &mut Counts,
    ) -> Result<()> {
        let rec =
            RecordView::parse(line).map_err(|reason| Error::at_line(self.path, line_no, reason))?;
        counts.records += 1;
        let keys = self.schema.map(|_| AlleleKeys::new(&rec));
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
        for (i, alt) in rec.alts().enumerate() {
            let alt_index = i + 1;
            counts.alleles += 1;
            let kind = VariantKind::classify(rec.reference, alt);
            let support = allele_support(self.caller, &rec, self.tumor, alt_index, kind.is_indel())
                .map_err(|r| self.err(&rec, format!("tumour sample: {r}")))?;
            let normal_support = match self.normal {
                Some(n) => Some(
                    allele_support(self.caller, &rec, n, alt_index, kind.is_indel())
                        .map_err(|r| self.err(&rec, format!("normal sample: {r}")))?,
                ),
                None => None,
            };
            let (gene, consequence, classes) =
                self.annotation_summary(&rec, alt_index, keys.as_ref());
            let population_af = self.population_af(&rec, alt_index, keys.as_ref());
            let reason = self.first_reason(
                &rec,
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
            let _ = writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                rec.chrom,
                rec.pos,
                rec.reference,
                alt,
                gene.unwrap_or("NA"),
                consequence.map_or("NA", Consequence::as_str),
                support
                    .depth
                    .map_or_else(|| "NA".to_string(), |d| d.to_string()),
                support
                    .alt_reads
                    .map_or_else(|| "NA".to_string(), |d| d.to_string()),
                fmt_opt(support.vaf, 4),
                fmt_opt(population_af, 6),
                reason.is_none(),
                reason.map_or("pass", Reason::as_str),
            );
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn first_reason(
        &self,
        rec: &RecordView<'_>,
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

    /// Gene and most severe consequence over the allele's entries (canonical transcripts win
    /// ties), and whether any entry is coding / nonsynonymous.
    fn annotation_summary<'r>(
        &self,
        rec: &RecordView<'r>,
        alt_index: usize,
        keys: Option<&AlleleKeys>,
    ) -> (Option<&'r str>, Option<Consequence>, Classes) {
        let mut classes = Classes::default();
        let (Some(schema), Some(keys)) = (self.schema, keys) else {
            return (None, None, classes);
        };
        let symbol = schema.field("SYMBOL");
        let gene_id = schema.field("Gene");
        let canonical = schema.field("CANONICAL");
        let mut best: Option<(Consequence, bool, Option<&'r str>)> = None;
        for entry in schema.entries(rec) {
            if !schema.entry_matches_allele(&entry, rec, alt_index, keys) {
                continue;
            }
            classes.annotated = true;
            let is_canonical = canonical.and_then(|i| entry.get(i)) == Some("YES");
            for term in entry.consequences(schema) {
                let Some(c) = Consequence::parse(term) else {
                    continue;
                };
                classes.coding |= c.is_coding();
                classes.nonsynonymous |= c.is_nonsynonymous();
                let better = match best {
                    None => true,
                    Some((b, b_canon, _)) => c < b || (c == b && is_canonical && !b_canon),
                };
                if better {
                    let gene = symbol
                        .and_then(|i| entry.get(i))
                        .or_else(|| gene_id.and_then(|i| entry.get(i)));
                    best = Some((c, is_canonical, gene));
                }
            }
        }
        match best {
            Some((c, _, gene)) => (gene, Some(c), classes),
            None => (None, None, classes),
        }
    }

    /// Largest population AF of this allele over the configured annotation and INFO fields.
    fn population_af(
        &self,
        rec: &RecordView<'_>,
        alt_index: usize,
        keys: Option<&AlleleKeys>,
    ) -> Option<f64> {
        let mut best: Option<f64> = None;
        let mut take = |v: Option<f64>| {
            if let Some(v) = v {
                best = Some(best.map_or(v, |b: f64| b.max(v)));
            }
        };
        if let (Some(schema), Some(keys)) = (self.schema, keys) {
            if !self.csq_af.is_empty() {
                for entry in schema.entries(rec) {
                    if schema.entry_matches_allele(&entry, rec, alt_index, keys) {
                        for &i in &self.csq_af {
                            take(entry.get(i).and_then(max_numeric));
                        }
                    }
                }
            }
        }
        for (field, per_alt) in &self.info_af {
            if let Some(Some(v)) = rec.info_value(field) {
                let v = if *per_alt {
                    v.split(',').nth(alt_index - 1)
                } else {
                    Some(v)
                };
                take(v.and_then(max_numeric));
            }
        }
        best
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Classes {
    annotated: bool,
    coding: bool,
    nonsynonymous: bool,
}
