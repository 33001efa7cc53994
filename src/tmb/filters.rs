//! The per-allele decision: counted, or excluded with the first reason that applies.

use std::borrow::Cow;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::row::VariantRow;
use crate::annotate::engine::annotate_record;
use crate::annotate::fields::{max_numeric, AlleleKeys};
use crate::annotate::model::TranscriptModel;
use crate::annotate::{AnnotationSchema, Consequence};
use crate::error::{Error, Result};
use crate::genome::{ContigMatcher, Interval, IntervalSet};
use crate::io::vcf::{split_ascii, RecordView, VcfHeader};
use crate::variant::support::varscan_somatic_status;
use crate::variant::{ReadSupport, SupportRule, SupportTally, VariantKind};

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
    /// VarScan2 somatic statuses (INFO/SS) counted, on records read by the VarScan2 rule: 2
    /// (somatic) by default; 1 is germline, 3 LOH, 0 reference, 5 unknown.
    pub varscan_somatic_status: Vec<u8>,
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
            varscan_somatic_status: vec![2],
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
    VarscanGermline = "varscan_germline",
    VarscanLoh = "varscan_loh",
    VarscanNotSomatic = "varscan_not_somatic",
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
    layout: Option<CsqLayout>,
    /// Our own annotation (`--gtf` + `--fasta`), used instead of the VCF's CSQ/ANN.
    model: Option<&'a TranscriptModel>,
    path: &'a Path,
}

/// Positions of the annotation fields the TMB scan reads, resolved once from the header so the
/// per-record scan does no name lookups.
struct CsqLayout {
    info_key: String,
    snpeff: bool,
    consequence: usize,
    allele: Option<usize>,
    allele_num: Option<usize>,
    symbol: Option<usize>,
    gene: Option<usize>,
    canonical: Option<usize>,
    population_af: Vec<usize>,
    /// The largest of the positions above: fields past it are never split.
    last: usize,
}

impl CsqLayout {
    fn new(schema: &AnnotationSchema, af_fields: &[String]) -> Option<Self> {
        let consequence = schema.field("Consequence")?;
        let allele = schema.field("Allele");
        let allele_num = schema.field("ALLELE_NUM");
        let symbol = schema.field("SYMBOL");
        let gene = schema.field("Gene");
        let canonical = schema.field("CANONICAL");
        let population_af: Vec<usize> = af_fields.iter().filter_map(|f| schema.field(f)).collect();
        let last = [
            Some(consequence),
            allele,
            allele_num,
            symbol,
            gene,
            canonical,
        ]
        .into_iter()
        .flatten()
        .chain(population_af.iter().copied())
        .max()
        .unwrap_or(0);
        Some(Self {
            info_key: schema.info_key.clone(),
            snpeff: schema.source == crate::annotate::AnnotationSource::Snpeff,
            consequence,
            allele,
            allele_num,
            symbol,
            gene,
            canonical,
            population_af,
            last,
        })
    }
}

/// What the annotation says about one ALT.
#[derive(Debug, Clone, Default)]
struct AltAnnotation<'r> {
    best: Option<(Consequence, bool, Option<Cow<'r, str>>)>,
    classes: Classes,
    population_af: Option<f64>,
}

impl<'r> AltAnnotation<'r> {
    /// Takes one entry's terms into account: a more severe term, or the same term on a canonical
    /// transcript, replaces the gene shown.
    fn add_terms<'t>(
        &mut self,
        terms: impl Iterator<Item = Consequence>,
        is_canonical: bool,
        gene: impl Fn() -> Option<Cow<'r, str>>,
    ) {
        self.classes.annotated = true;
        for c in terms {
            self.classes.coding |= c.is_coding();
            self.classes.nonsynonymous |= c.is_nonsynonymous();
            let better = match &self.best {
                None => true,
                Some((b, b_canon, _)) => c < *b || (c == *b && is_canonical && !*b_canon),
            };
            if better {
                self.best = Some((c, is_canonical, gene()));
            }
        }
    }
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

fn take_max(slot: &mut Option<f64>, v: Option<f64>) {
    if let Some(v) = v {
        *slot = Some(slot.map_or(v, |b| b.max(v)));
    }
}

/// Fields `0..=last` of one `|`-separated entry into `out` (cleared first).
fn split_entry<'r>(entry: &'r str, last: usize, out: &mut Vec<&'r str>) {
    out.clear();
    let mut start = 0;
    for bar in memchr::memchr_iter(b'|', entry.as_bytes()) {
        out.push(&entry[start..bar]);
        start = bar + 1;
        if out.len() > last {
            return;
        }
    }
    out.push(&entry[start..]);
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
        let info_af = filters
            .population_af_fields
            .iter()
            .filter_map(|f| header.info.get(f).map(|d| (f.clone(), d.number == "A")))
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

    fn annotate_in_memory<'r>(
        model: &TranscriptModel,
        rec: &RecordView<'r>,
        n_alts: usize,
    ) -> Vec<AltAnnotation<'r>> {
        (1..=n_alts)
            .map(|alt_index| {
                let mut acc = AltAnnotation::default();
                for ann in annotate_record(model, rec, alt_index) {
                    let gene = ann.symbol.clone().or_else(|| ann.gene_id.clone());
                    acc.add_terms(ann.consequences.iter().copied(), ann.canonical, || {
                        gene.clone().map(Cow::Owned)
                    });
                }
                acc
            })
            .collect()
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

    /// One pass over the record's annotation entries: per ALT, the most severe consequence
    /// with its gene (canonical transcripts win ties), whether any entry is coding or
    /// nonsynonymous, and the largest population AF in the entries.
    fn scan_annotation<'r>(&self, rec: &RecordView<'r>, n_alts: usize) -> Vec<AltAnnotation<'r>> {
        let mut per_alt = vec![AltAnnotation::default(); n_alts];
        let Some(layout) = &self.layout else {
            return per_alt;
        };
        let Some(Some(raw)) = rec.info_value(&layout.info_key) else {
            return per_alt;
        };
        let keys = (n_alts > 1 && layout.allele_num.is_none()).then(|| AlleleKeys::new(rec));
        let alts: Vec<&str> = if keys.is_some() {
            rec.alts().collect()
        } else {
            Vec::new()
        };
        let mut fields: Vec<&'r str> = Vec::with_capacity(layout.last + 1);
        let get = |fields: &Vec<&'r str>, i: Option<usize>| {
            i.and_then(|i| fields.get(i).copied())
                .filter(|v| !v.is_empty())
        };
        for entry in split_ascii(raw, b',').filter(|e| !e.is_empty()) {
            split_entry(entry, layout.last, &mut fields);
            let alt = if n_alts == 1 {
                Some(0)
            } else if let Some(num) = get(&fields, layout.allele_num) {
                num.parse::<usize>().ok().and_then(|n| n.checked_sub(1))
            } else {
                let allele = get(&fields, layout.allele).unwrap_or("");
                let allele = if layout.snpeff {
                    allele.split('-').next().unwrap_or(allele)
                } else {
                    allele
                };
                let keys = keys.as_ref().map(|k| k.vep.as_slice()).unwrap_or(&[]);
                (0..n_alts).find(|&i| {
                    keys.get(i).is_some_and(|k| k == allele) || alts.get(i) == Some(&allele)
                })
            };
            let Some(acc) = alt.and_then(|a| per_alt.get_mut(a)) else {
                continue;
            };
            let is_canonical = get(&fields, layout.canonical) == Some("YES");
            let terms = fields.get(layout.consequence).copied().unwrap_or("");
            acc.add_terms(
                split_ascii(terms, b'&').filter_map(Consequence::parse),
                is_canonical,
                || {
                    get(&fields, layout.symbol)
                        .or_else(|| get(&fields, layout.gene))
                        .map(Cow::Borrowed)
                },
            );
            for &i in &layout.population_af {
                take_max(
                    &mut acc.population_af,
                    fields.get(i).and_then(|v| max_numeric(v)),
                );
            }
        }
        per_alt
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Classes {
    annotated: bool,
    coding: bool,
    nonsynonymous: bool,
}
