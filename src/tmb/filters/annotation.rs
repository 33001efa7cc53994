//! What the annotation says about each ALT of a record: one scan over the VCF's CSQ/ANN
//! entries (field positions resolved once from the header), or our own annotation in memory.

use std::borrow::Cow;

use super::Evaluator;
use crate::annotate::engine::annotate_record;
use crate::annotate::fields::{max_numeric, split_entry, AlleleKeys};
use crate::annotate::model::TranscriptModel;
use crate::annotate::{AnnotationSchema, Consequence};
use crate::io::vcf::{split_ascii, RecordView};

/// Positions of the annotation fields the TMB scan reads, resolved once from the header so the
/// per-record scan does no name lookups; which ALT an entry belongs to is the schema's rule
/// ([`AnnotationSchema::alt_of_entry`]), shared with `annotate` and `peptides`.
pub(super) struct CsqLayout {
    schema: AnnotationSchema,
    consequence: usize,
    symbol: Option<usize>,
    gene: Option<usize>,
    canonical: Option<usize>,
    population_af: Vec<usize>,
    /// The largest of the positions above: fields past it are never split.
    last: usize,
}

impl CsqLayout {
    pub(super) fn new(schema: &AnnotationSchema, af_fields: &[String]) -> Option<Self> {
        let consequence = schema.field("Consequence")?;
        let symbol = schema.field("SYMBOL");
        let gene = schema.field("Gene");
        let canonical = schema.field("CANONICAL");
        let population_af: Vec<usize> = af_fields.iter().filter_map(|f| schema.field(f)).collect();
        let last = [Some(consequence), symbol, gene, canonical]
            .into_iter()
            .flatten()
            .chain(population_af.iter().copied())
            .chain([schema.allele_fields_end()])
            .max()
            .unwrap_or(0);
        Some(Self {
            schema: schema.clone(),
            consequence,
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
pub(super) struct AltAnnotation<'r> {
    pub(super) best: Option<(Consequence, bool, Option<Cow<'r, str>>)>,
    pub(super) classes: Classes,
    pub(super) population_af: Option<f64>,
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

pub(super) fn take_max(slot: &mut Option<f64>, v: Option<f64>) {
    if let Some(v) = v {
        *slot = Some(slot.map_or(v, |b| b.max(v)));
    }
}

impl Evaluator<'_> {
    pub(super) fn annotate_in_memory<'r>(
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

    /// One pass over the record's annotation entries: per ALT, the most severe consequence
    /// with its gene (canonical transcripts win ties), whether any entry is coding or
    /// nonsynonymous, and the largest population AF in the entries.
    pub(super) fn scan_annotation<'r>(
        &self,
        rec: &RecordView<'r>,
        n_alts: usize,
    ) -> Vec<AltAnnotation<'r>> {
        let mut per_alt = vec![AltAnnotation::default(); n_alts];
        let Some(layout) = &self.layout else {
            return per_alt;
        };
        let schema = &layout.schema;
        if rec.info_value(&schema.info_key).flatten().is_none() {
            return per_alt;
        }
        let keys = AlleleKeys::new(rec);
        let mut fields: Vec<&'r str> = Vec::with_capacity(layout.last + 1);
        let get = |fields: &Vec<&'r str>, i: Option<usize>| {
            i.and_then(|i| fields.get(i).copied())
                .filter(|v| !v.is_empty())
        };
        for entry in schema.raw_entries(rec) {
            split_entry(entry, layout.last, &mut fields);
            let alt = schema.alt_of_entry(&fields, &keys);
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
pub(super) struct Classes {
    pub(super) annotated: bool,
    pub(super) coding: bool,
    pub(super) nonsynonymous: bool,
}
