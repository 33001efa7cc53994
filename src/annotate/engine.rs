//! Consequences of one ALT allele on every nearby transcript, as Ensembl VEP assigns them.
//!
//! The predicates follow VEP's `Bio::EnsEMBL::Variation::Utils::VariationEffect` and use its
//! coordinates: 1-based, inclusive, an insertion written as `start = end + 1` (between `end` and
//! `start`), and VEP's `overlap(a_start, a_end, b_start, b_end) = a_end >= b_start && a_start <= b_end`
//! which makes an insertion overlap a region only when it lies strictly inside it.

mod coding;
mod columns;
mod shift;
mod splice;

use coding::Codons;
pub(crate) use columns::HgvsInput;
use shift::shifted_allele;
pub use shift::{window_for, RefWindow};

use crate::annotate::hgvs;
use crate::annotate::model::{TranscriptModel, FLANK};
use crate::annotate::{Consequence, TranscriptAnnotation};
use crate::genome::codon::reverse_complement;
use crate::genome::Transcript;
use crate::io::vcf::RecordView;

/// VEP treats introns this short as artefacts that keep the frame ("frameshift introns").
const FRAMESHIFT_INTRON_MAX: u64 = 12;

/// A normalised allele in VEP coordinates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allele {
    /// Contig as in the VCF.
    pub start: u64,
    pub end: u64,
    /// Reference and alternative bases on the forward strand after trimming (empty for an
    /// insertion's REF or a deletion's ALT).
    pub reference: Vec<u8>,
    pub alternative: Vec<u8>,
    /// The allele as VEP writes it in `CSQ` `Allele` (`-` for a deletion).
    pub label: String,
}

impl Allele {
    /// Trims the bases REF and ALT share at the start, then at the end, and places the rest.
    /// `label` is VEP's Allele column: the ALT with the first base removed when every allele of
    /// the record shares it.
    pub fn new(pos: u64, reference: &[u8], alternative: &[u8], label: String) -> Self {
        let pre = reference
            .iter()
            .zip(alternative)
            .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
            .count();
        let (r, a) = (&reference[pre..], &alternative[pre..]);
        let suf = r
            .iter()
            .rev()
            .zip(a.iter().rev())
            .take_while(|(x, y)| x.eq_ignore_ascii_case(y))
            .count();
        let r = &r[..r.len() - suf];
        let a = &a[..a.len() - suf];
        let start = pos + pre as u64;
        // An insertion (nothing left of REF) lies between `start - 1` and `start`.
        let end = if r.is_empty() {
            start - 1
        } else {
            start + r.len() as u64 - 1
        };
        Self {
            start,
            end,
            reference: r.to_ascii_uppercase(),
            alternative: a.to_ascii_uppercase(),
            label,
        }
    }

    pub fn is_insertion(&self) -> bool {
        self.start == self.end + 1
    }
}

/// VEP's Allele strings for every ALT of a record: the first base is dropped from REF and every
/// ALT when they all share it (so a deletion is `-`).
pub fn vep_allele_labels(reference: &str, alts: &[&str]) -> Vec<String> {
    // VEP's VCF parser drops the shared first base only for records with an indel.
    let first = reference.as_bytes().first().copied();
    let indel = alts.iter().any(|a| a.len() != reference.len());
    let shared =
        indel && first.is_some() && alts.iter().all(|a| a.as_bytes().first().copied() == first);
    alts.iter()
        .map(|a| {
            let t = if shared { &a[1..] } else { a };
            if t.is_empty() {
                "-".to_string()
            } else {
                t.to_string()
            }
        })
        .collect()
}

fn overlap(a_s: i64, a_e: i64, b_s: i64, b_e: i64) -> bool {
    a_e >= b_s && a_s <= b_e
}

/// Annotates ALT number `alt_index` (1-based, as [`crate::annotate::AnnotationSchema::annotations_for_allele`]
/// counts) of a VCF record against `model`. Contig names are
/// matched as they are and with `chr` added or removed. Symbolic ALTs (`<DEL>`), `*` and `.` get
/// nothing.
pub fn annotate_record(
    model: &TranscriptModel,
    rec: &RecordView<'_>,
    alt_index: usize,
) -> Vec<TranscriptAnnotation> {
    annotate_record_with(model, rec, alt_index, None)
}

/// [`annotate_record`] with the reference bases around the record ([`window_for`]), so HGVSc
/// shifts indels along the genome as VEP does.
pub fn annotate_record_with(
    model: &TranscriptModel,
    rec: &RecordView<'_>,
    alt_index: usize,
    window: Option<&RefWindow>,
) -> Vec<TranscriptAnnotation> {
    let alts: Vec<&str> = rec.alts().collect();
    let Some(alt) = alt_index.checked_sub(1).and_then(|i| alts.get(i)) else {
        return Vec::new();
    };
    if alt.starts_with('<') || *alt == "*" || *alt == "." || alt.contains('[') || alt.contains(']')
    {
        return Vec::new();
    }
    let labels = vep_allele_labels(rec.reference, &alts);
    let allele = Allele::new(
        rec.pos,
        rec.reference.as_bytes(),
        alt.as_bytes(),
        labels[alt_index - 1].clone(),
    );
    let contig = model.contig_name(rec.chrom).unwrap_or(rec.chrom);
    annotate_allele_with(model, contig, &allele, window)
}

/// Annotations of one allele on `contig` (a model contig name): one per transcript within 5 kb,
/// or one `intergenic_variant` entry.
pub fn annotate_allele(
    model: &TranscriptModel,
    contig: &str,
    allele: &Allele,
) -> Vec<TranscriptAnnotation> {
    annotate_allele_with(model, contig, allele, None)
}

/// [`annotate_allele`] with the reference bases around the allele.
pub fn annotate_allele_with(
    model: &TranscriptModel,
    contig: &str,
    allele: &Allele,
    window: Option<&RefWindow>,
) -> Vec<TranscriptAnnotation> {
    if allele.reference == allele.alternative {
        return Vec::new();
    }
    let mut out: Vec<TranscriptAnnotation> = model
        .overlapping(contig, allele.start, allele.end)
        .into_iter()
        .filter_map(|t| annotate_transcript(t, allele, window))
        .collect();
    if out.is_empty() {
        out.push(TranscriptAnnotation {
            allele: allele.label.clone(),
            consequences: vec![Consequence::IntergenicVariant],
            impact: Some(Consequence::IntergenicVariant.impact()),
            ..TranscriptAnnotation::default()
        });
    }
    out
}

/// What one allele does to one transcript, in VEP's terms.
struct Ctx<'a> {
    t: &'a Transcript,
    s: i64,
    e: i64,
    ins: bool,
    /// The allele in transcript orientation.
    seq: Vec<u8>,
    /// cDNA coordinates (VEP's cdna_start/cdna_end; for an insertion start = end + 1).
    cdna_start: Option<i64>,
    cdna_end: Option<i64>,
    /// Every base of the variant is exonic (and adjacent in the cDNA).
    fully_exonic: bool,
    cds_start: Option<i64>,
    cds_end: Option<i64>,
    cds_len: i64,
    translateable: Vec<u8>,
    /// Set when the allele's codons and peptides are known (the change lies in the CDS).
    codons: Option<Codons>,
    window: Option<&'a RefWindow>,
}

fn annotate_transcript(
    t: &Transcript,
    a: &Allele,
    window: Option<&RefWindow>,
) -> Option<TranscriptAnnotation> {
    let span = t.span();
    let (ts, te) = (span.start as i64 + 1, span.end as i64);
    let (s, e) = (a.start as i64, a.end as i64);
    let flank = FLANK as i64;
    if !overlap(s, e, ts - flank, te + flank) {
        return None;
    }
    let mut ann = base_annotation(t, a);
    let mut cons: Vec<Consequence> = Vec::new();
    if !overlap(s, e, ts, te) {
        let before = e >= ts - flank && e < ts;
        let after = s <= te + flank && s > te;
        let (up, down) = if t.is_reverse() {
            (after, before)
        } else {
            (before, after)
        };
        if up {
            cons.push(Consequence::UpstreamGeneVariant);
        }
        if down {
            cons.push(Consequence::DownstreamGeneVariant);
        }
        if cons.is_empty() {
            return None;
        }
        // VEP's distance_to_transcript (BaseTranscriptVariation.pm): the smallest of the four
        // end-to-end distances, so an insertion counts from its right flank.
        let distance = [s - ts, s - te, e - ts, e - te]
            .iter()
            .map(|d| d.abs())
            .min()
            .unwrap_or(0);
        ann.extra.insert("DISTANCE".into(), distance.to_string());
        ann.wildtype_protein = None;
        finish(&mut ann, cons);
        return Some(ann);
    }
    let mut ctx = new_ctx(t, a, window);
    let ins = ctx.ins;

    splice::intron_consequences(t, a, &mut cons);
    let exonic = t
        .exons
        .iter()
        .any(|x| overlap(s, e, x.start as i64 + 1, x.end as i64));
    let within_cdna = ctx.cdna_start.is_some() || ctx.cdna_end.is_some() || exonic;

    match &t.coding {
        None => {
            if exonic {
                cons.push(Consequence::NonCodingTranscriptExonVariant);
            } else {
                cons.push(Consequence::NonCodingTranscriptVariant);
            }
        }
        Some(c) => {
            let (cs, ce) = (c.span.start as i64 + 1, c.span.end as i64);
            let before = (ins && s == cs) || overlap(s, e, ts, cs - 1);
            let after = (ins && e == ce) || overlap(s, e, ce + 1, te);
            let (five, three) = if t.is_reverse() {
                (after, before)
            } else {
                (before, after)
            };
            if five && within_cdna {
                cons.push(Consequence::FivePrimeUtrVariant);
            }
            if three && within_cdna {
                cons.push(Consequence::ThreePrimeUtrVariant);
            }
            coding::coding_consequences(&mut ctx, &mut cons);
        }
    }
    if t.biotype == "nonsense_mediated_decay" {
        cons.push(Consequence::NmdTranscriptVariant);
    }
    if cons.is_empty() {
        // Inside the transcript but none of the above (e.g. an insertion at an exon edge).
        cons.push(if t.coding.is_some() {
            Consequence::CodingTranscriptVariant
        } else {
            Consequence::NonCodingTranscriptVariant
        });
    }
    columns::fill_positions(&ctx, &mut ann);
    finish(&mut ann, cons.clone());
    // pVACseq reads WildtypeProtein only for protein changes; writing the whole protein into
    // every intronic or UTR entry (as VEP's plugin does) would multiply the output size.
    if !ann.consequences.iter().any(|c| c.is_coding()) {
        ann.wildtype_protein = None;
    }
    // pVACtools' Frameshift plugin skips any term matching /splice/.
    let splice = ann
        .consequences
        .iter()
        .any(|c| c.as_str().contains("splice"));
    if ann.consequences.contains(&Consequence::FrameshiftVariant) && !splice {
        ann.frameshift_sequence = columns::frameshift_sequence(&ctx);
    }
    // VEP writes HGVSp from the allele shifted 3' along the genome (`hgvs_protein` applies the
    // shift before reading peptides), so an indel in a repeat is named at its 3'-most copy.
    let in_cds = ctx.codons.is_some() || ctx.cds_start.is_some() || ctx.cds_end.is_some();
    let shifted = match (window, in_cds) {
        (Some(w), true) => shifted_allele(a, t.is_reverse(), w).map(|b| {
            let mut c = new_ctx(t, &b, window);
            c.codons = coding::compute_codons(&c);
            c
        }),
        _ => None,
    };
    hgvs::fill(
        &columns::ctx_view(&ctx),
        shifted.as_ref().map(columns::ctx_view).as_ref(),
        a,
        &mut ann,
    );
    Some(ann)
}

/// The coordinates of allele `a` on `t` (codons are filled by the coding predicates).
fn new_ctx<'a>(t: &'a Transcript, a: &Allele, window: Option<&'a RefWindow>) -> Ctx<'a> {
    let (s, e) = (a.start as i64, a.end as i64);
    let ins = a.is_insertion();
    let seq = if t.is_reverse() {
        reverse_complement(&a.alternative)
    } else {
        a.alternative.clone()
    };
    let mut ctx = Ctx {
        t,
        s,
        e,
        ins,
        seq,
        cdna_start: None,
        cdna_end: None,
        fully_exonic: false,
        cds_start: None,
        cds_end: None,
        cds_len: t.cds_len() as i64,
        // Copied only for changes that reach the coding region (the hot path skips it).
        translateable: match &t.coding {
            Some(c)
                if overlap(
                    s.min(e),
                    s.max(e),
                    c.span.start as i64,
                    c.span.end as i64 + 1,
                ) =>
            {
                t.translateable_seq()
            }
            _ => Vec::new(),
        },
        codons: None,
        window,
    };
    coding::map_coordinates(&mut ctx);
    ctx
}

fn base_annotation(t: &Transcript, a: &Allele) -> TranscriptAnnotation {
    let mut flags = Vec::new();
    if let Some(c) = &t.coding {
        if c.start_nf {
            flags.push("cds_start_NF");
        }
        if c.end_nf {
            flags.push("cds_end_NF");
        }
    }
    TranscriptAnnotation {
        allele: a.label.clone(),
        symbol: t.gene_name.clone(),
        gene_id: Some(t.gene_id.clone()),
        feature_type: Some("Transcript".into()),
        transcript_id: Some(t.stable_id()),
        biotype: Some(t.biotype.clone()),
        strand: Some(if t.is_reverse() { -1 } else { 1 }),
        canonical: t.canonical,
        mane_select: t.mane_select.clone().filter(|m| !m.is_empty()),
        tsl: t.tsl.clone(),
        flags: if flags.is_empty() {
            None
        } else {
            Some(flags.join("&"))
        },
        wildtype_protein: t
            .coding
            .as_ref()
            .map(|c| String::from_utf8_lossy(&c.protein).into_owned()),
        ..TranscriptAnnotation::default()
    }
}

fn finish(ann: &mut TranscriptAnnotation, mut cons: Vec<Consequence>) {
    cons.sort();
    cons.dedup();
    ann.impact = cons.first().map(|c| c.impact());
    ann.consequences = cons;
}

#[cfg(test)]
mod tests;
