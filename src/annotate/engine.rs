//! Consequences of one ALT allele on every nearby transcript, as Ensembl VEP assigns them.
//!
//! The predicates follow VEP's `Bio::EnsEMBL::Variation::Utils::VariationEffect` and use its
//! coordinates: 1-based, inclusive, an insertion written as `start = end + 1` (between `end` and
//! `start`), and VEP's `overlap(a_start, a_end, b_start, b_end) = a_end >= b_start && a_start <= b_end`
//! which makes an insertion overlap a region only when it lies strictly inside it.

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
    annotate_allele(model, contig, &allele)
}

/// Annotations of one allele on `contig` (a model contig name): one per transcript within 5 kb,
/// or one `intergenic_variant` entry.
pub fn annotate_allele(
    model: &TranscriptModel,
    contig: &str,
    allele: &Allele,
) -> Vec<TranscriptAnnotation> {
    if allele.reference == allele.alternative {
        return Vec::new();
    }
    let mut out: Vec<TranscriptAnnotation> = model
        .overlapping(contig, allele.start, allele.end)
        .into_iter()
        .filter_map(|t| annotate_transcript(t, allele))
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
}

struct Codons {
    translation_start: i64,
    translation_end: i64,
    ref_codon: Vec<u8>,
    alt_codon: Vec<u8>,
    ref_pep: Vec<u8>,
    alt_pep: Vec<u8>,
    frameshift: bool,
}

fn annotate_transcript(t: &Transcript, a: &Allele) -> Option<TranscriptAnnotation> {
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
        ann.extra.insert(
            "DISTANCE".into(),
            (if before { ts - e } else { s - te }).to_string(),
        );
        ann.wildtype_protein = None;
        finish(&mut ann, cons);
        return Some(ann);
    }
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
    };
    map_coordinates(&mut ctx);

    // Introns and splice sites.
    let mut intronic = false;
    let mut start_splice = false;
    let mut end_splice = false;
    let mut splice_region = false;
    let mut in_fs_intron = false;
    for w in t.exons.windows(2) {
        let (is, ie) = (w[0].end as i64 + 1, w[1].start as i64);
        if ie < is {
            continue;
        }
        if (ie - is + 1) as u64 <= FRAMESHIFT_INTRON_MAX {
            if overlap(s, e, is, ie) {
                in_fs_intron = true;
            }
            continue;
        }
        if overlap(s, e, is + 2, ie - 2) || (ins && (s == is + 2 || e == ie - 2)) {
            intronic = true;
        }
        let ss = overlap(s, e, is, is + 1);
        let es = overlap(s, e, ie - 1, ie);
        start_splice |= ss;
        end_splice |= es;
        if !(start_splice || end_splice) {
            splice_region |= overlap(s, e, is + 2, is + 7)
                || overlap(s, e, ie - 7, ie - 2)
                || overlap(s, e, is - 3, is - 1)
                || overlap(s, e, ie + 1, ie + 3)
                || (ins && (s == is || e == ie || s == is + 2 || e == ie - 2));
        }
    }
    let (donor, acceptor) = if t.is_reverse() {
        (end_splice, start_splice)
    } else {
        (start_splice, end_splice)
    };
    if donor {
        cons.push(Consequence::SpliceDonorVariant);
    }
    if acceptor {
        cons.push(Consequence::SpliceAcceptorVariant);
    }
    if splice_region && !donor && !acceptor {
        cons.push(Consequence::SpliceRegionVariant);
    }
    if intronic && !in_fs_intron {
        cons.push(Consequence::IntronVariant);
    }
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
            coding_consequences(&mut ctx, &mut cons);
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
    fill_positions(&ctx, &mut ann);
    finish(&mut ann, cons.clone());
    // pVACseq reads WildtypeProtein only for protein changes; writing the whole protein into
    // every intronic or UTR entry (as VEP's plugin does) would multiply the output size.
    if !ann.consequences.iter().any(|c| c.is_coding()) {
        ann.wildtype_protein = None;
    }
    let splice = ann.consequences.iter().any(|c| {
        matches!(
            c,
            Consequence::SpliceAcceptorVariant
                | Consequence::SpliceDonorVariant
                | Consequence::SpliceRegionVariant
        )
    });
    if ann.consequences.contains(&Consequence::FrameshiftVariant) && !splice {
        ann.frameshift_sequence = frameshift_sequence(&ctx);
    }
    hgvs::fill(&ctx_view(&ctx), a, &mut ann);
    Some(ann)
}

/// The read-only view HGVS needs.
pub(crate) struct HgvsInput<'a> {
    pub t: &'a Transcript,
    pub s: i64,
    pub e: i64,
    pub ins: bool,
    pub seq: &'a [u8],
    pub cdna_start: Option<i64>,
    pub cdna_end: Option<i64>,
    pub fully_exonic: bool,
    pub cds_start: Option<i64>,
    pub cds_end: Option<i64>,
    pub translation_start: Option<i64>,
    pub ref_pep: Option<&'a [u8]>,
    pub alt_pep: Option<&'a [u8]>,
    pub frameshift: bool,
    pub translateable: &'a [u8],
}

fn ctx_view<'a>(c: &'a Ctx<'a>) -> HgvsInput<'a> {
    HgvsInput {
        t: c.t,
        s: c.s,
        e: c.e,
        ins: c.ins,
        seq: &c.seq,
        cdna_start: c.cdna_start,
        cdna_end: c.cdna_end,
        fully_exonic: c.fully_exonic,
        cds_start: c.cds_start,
        cds_end: c.cds_end,
        translation_start: c.codons.as_ref().map(|x| x.translation_start),
        ref_pep: c.codons.as_ref().map(|x| x.ref_pep.as_slice()),
        alt_pep: c.codons.as_ref().map(|x| x.alt_pep.as_slice()),
        frameshift: c.codons.as_ref().is_some_and(|x| x.frameshift),
        translateable: &c.translateable,
    }
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

/// cDNA and CDS coordinates of the variant in transcript orientation (VEP's cdna_start/end and
/// cds_start/end: defined for the ends that fall in exons / in the CDS).
fn map_coordinates(c: &mut Ctx<'_>) {
    let t = c.t;
    let rev = t.is_reverse();
    if c.ins {
        // Flanking bases: e (genomic before) and s (after).
        let (fe, fs) = (t.cdna_pos_1(c.e as u64), t.cdna_pos_1(c.s as u64));
        if let (Some(a), Some(b)) = (fe, fs) {
            let lo = a.min(b) as i64;
            if a.abs_diff(b) == 1 {
                c.cdna_start = Some(lo + 1);
                c.cdna_end = Some(lo);
                c.fully_exonic = true;
            }
        }
    } else {
        // Transcript order: the 5'-most base first.
        let (first, last) = if rev { (c.e, c.s) } else { (c.s, c.e) };
        c.cdna_start = t.cdna_pos_1(first as u64).map(|x| x as i64);
        c.cdna_end = t.cdna_pos_1(last as u64).map(|x| x as i64);
        c.fully_exonic = match (c.cdna_start, c.cdna_end) {
            (Some(a), Some(b)) => b - a == c.e - c.s,
            _ => false,
        };
    }
    if t.coding.is_some() {
        let in_cds = |x: i64| -> Option<i64> {
            let p = t.cds_of_cdna(x as usize)?;
            (p >= 1 && p <= c.cds_len).then_some(p)
        };
        if c.ins {
            if let (Some(a), Some(b)) = (c.cdna_start, c.cdna_end) {
                let (pa, pb) = (
                    t.cds_of_cdna(a as usize).unwrap_or(0),
                    t.cds_of_cdna(b as usize).unwrap_or(0),
                );
                if pb >= 1 && pa <= c.cds_len {
                    c.cds_start = Some(pa);
                    c.cds_end = Some(pb);
                }
            }
        } else {
            c.cds_start = c.cdna_start.and_then(in_cds);
            c.cds_end = c.cdna_end.and_then(in_cds);
        }
    }
}

fn within_cds(c: &Ctx<'_>) -> bool {
    if c.cds_start.is_some() || c.cds_end.is_some() {
        return true;
    }
    if c.ins {
        return false;
    }
    // Partly exonic: any exonic base of the variant inside the CDS.
    let Some(coding) = &c.t.coding else {
        return false;
    };
    (c.s..=c.e).any(|g| {
        c.t.cdna_pos_1(g as u64)
            .is_some_and(|x| x >= coding.cdna_start && x <= coding.cdna_end)
    })
}

fn compute_codons(c: &Ctx<'_>) -> Option<Codons> {
    let (cs, ce) = (c.cds_start?, c.cds_end?);
    if !c.fully_exonic {
        return None;
    }
    let (lo, hi) = (cs, ce); // for an insertion lo = hi + 1
    let translation_start = (lo + 2) / 3;
    let translation_end = (hi + 2) / 3;
    let codon_cds_start = translation_start * 3 - 2;
    let codon_cds_end = translation_end * 3;
    let codon_len = (codon_cds_end - codon_cds_start + 1).max(0);
    let vf_nt_len = hi - lo + 1;
    let allele_len = c.seq.len() as i64;
    let frameshift = (allele_len - vf_nt_len).abs() % 3 != 0;
    let tr = &c.translateable;
    let start = (codon_cds_start - 1).max(0) as usize;
    let ref_end = ((codon_cds_start - 1 + codon_len) as usize).min(tr.len());
    let ref_codon = tr.get(start..ref_end.max(start))?.to_vec();
    let mut edited = tr.clone();
    let (ds, dl) = ((lo - 1) as usize, vf_nt_len.max(0) as usize);
    if ds > edited.len() || ds + dl > edited.len() {
        return None;
    }
    edited.splice(ds..ds + dl, c.seq.iter().copied());
    let alt_len = (codon_len + allele_len - vf_nt_len).max(0) as usize;
    let alt_end = (start + alt_len).min(edited.len());
    let alt_codon = edited.get(start..alt_end)?.to_vec();
    let ref_pep = c.t.code.translate(&ref_codon);
    // VEP translates the whole codons of the allele and marks a trailing partial one with X.
    let mut alt_pep = c.t.code.translate(&alt_codon);
    if alt_codon.len() % 3 != 0 {
        alt_pep.push(b'X');
    }
    Some(Codons {
        translation_start,
        translation_end,
        ref_codon,
        alt_codon,
        ref_pep,
        alt_pep,
        frameshift,
    })
}

fn coding_consequences(c: &mut Ctx<'_>, cons: &mut Vec<Consequence>) {
    let t = c.t;
    let Some(coding) = &t.coding else { return };
    let within = within_cds(c);
    c.codons = compute_codons(c);
    let inc = c.seq.len() > (c.e - c.s + 1).max(0) as usize;
    let dec = c.seq.len() < (c.e - c.s + 1).max(0) as usize;

    // Start and stop codon overlaps (VEP: cDNA coordinates must both be known).
    let cdna = match (c.cdna_start, c.cdna_end) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    };
    let cstart = coding.cdna_start as i64;
    let cend = coding.cdna_end as i64;
    let overlaps_start =
        !coding.start_nf && cdna.is_some_and(|(a, b)| overlap(a, b, cstart, cstart + 2));
    let overlaps_stop = !coding.end_nf && cdna.is_some_and(|(a, b)| overlap(a, b, cend - 2, cend));
    let ins_del_start_altered = overlaps_start && (inc || dec) && {
        let (a, b) = cdna.unwrap_or((0, 0));
        let mut s: Vec<u8> = t.five_prime_utr().to_vec();
        s.extend_from_slice(&c.translateable);
        let from = (a - 1) as usize;
        let len = (b - a + 1).max(0) as usize;
        if from + len > s.len() {
            true
        } else {
            s.splice(from..from + len, c.seq.iter().copied());
            s.len() < c.translateable.len()
                || s[s.len() - c.translateable.len()..] != c.translateable[..]
        }
    };
    let ins_del_stop_altered = overlaps_stop && (inc || dec) && c.cds_start.is_some() && {
        let (a, b) = cdna.unwrap_or((0, 0));
        let mut s = c.translateable.clone();
        s.extend_from_slice(t.three_prime_utr());
        let from = (c.cds_start.unwrap_or(1) - 1) as usize;
        let len = (b - a + 1).max(0) as usize;
        if from + len > s.len() {
            true
        } else {
            s.splice(from..from + len, c.seq.iter().copied());
            let n = c.translateable.len();
            if s.len() < n {
                true
            } else {
                t.code.translate_codon(&s[n - 3..n]) != b'*'
            }
        }
    };

    let partial_codon = c.codons.as_ref().is_some_and(|x| {
        let codon_cds_start = x.translation_start * 3 - 2;
        let last = c.cds_len - (codon_cds_start - 1);
        last > 0 && last < 3
    });

    let Some(k) = c.codons.as_ref() else {
        // No peptide: VEP's coding_unknown plus the start/stop checks that need only the cDNA.
        let start_lost = ins_del_start_altered;
        let stop_lost = ins_del_stop_altered;
        let stop_retained = (inc || dec) && overlaps_stop && !ins_del_stop_altered;
        let start_retained = (inc || dec) && overlaps_start && !ins_del_start_altered;
        if start_lost {
            cons.push(Consequence::StartLost);
        }
        if stop_lost {
            cons.push(Consequence::StopLost);
        }
        if stop_retained {
            cons.push(Consequence::StopRetainedVariant);
        }
        if start_retained {
            cons.push(Consequence::StartRetainedVariant);
        }
        if within && !(start_lost || stop_lost || stop_retained || start_retained) {
            cons.push(Consequence::CodingSequenceVariant);
        }
        return;
    };
    let frameshift = !partial_codon && k.frameshift;
    let peptides_known = !k.ref_pep.is_empty() || !k.alt_pep.is_empty() || k.ref_codon.is_empty();
    let (ref_pep, alt_pep) = (k.ref_pep.as_slice(), k.alt_pep.as_slice());
    let has = |p: &[u8], x: u8| p.contains(&x);
    let starts_with = |p: &[u8], q: &[u8]| p.starts_with(q);
    let ends_with = |p: &[u8], q: &[u8]| p.ends_with(q);
    let protein_len = coding.protein.len() as i64;

    let stop_retained = if !alt_pep.is_empty() {
        if alt_pep[0] != b'*' {
            false
        } else if k.translation_start > protein_len && !coding.end_nf {
            true
        } else {
            !ref_pep.is_empty() && ref_pep[0] == b'*'
        }
    } else {
        (inc || dec) && overlaps_stop && !ins_del_stop_altered
    };
    let stop_gained = !stop_retained && peptides_known && has(alt_pep, b'*') && !has(ref_pep, b'*');
    let stop_lost = if !frameshift && peptides_known {
        !has(alt_pep, b'*') && has(ref_pep, b'*')
    } else {
        ins_del_stop_altered
    };
    let inframe_del = |start_lost_known: bool| -> bool {
        let _ = start_lost_known;
        if partial_codon || frameshift {
            return false;
        }
        let (rc, ac) = (k.ref_codon.as_slice(), k.alt_codon.as_slice());
        if ac.len() >= rc.len() {
            return false;
        }
        if rc.starts_with(ac) || rc.ends_with(ac) {
            return true;
        }
        let pre = rc.iter().zip(ac).take_while(|(x, y)| x == y).count();
        let (r2, a2) = (&rc[pre..], &ac[pre..]);
        let suf = r2
            .iter()
            .rev()
            .zip(a2.iter().rev())
            .take_while(|(x, y)| x == y)
            .count();
        a2.len() == suf && (r2.len() - suf) % 3 == 0
    };
    let inframe_deletion = inframe_del(false);
    let start_retained = (inc || dec) && overlaps_start && !ins_del_start_altered;
    let inframe_ins_raw = || -> bool {
        if frameshift || k.alt_codon.len() <= k.ref_codon.len() {
            return false;
        }
        if start_retained && ends_with(alt_pep, ref_pep) {
            return false;
        }
        let mut ap = alt_pep.to_vec();
        if let Some(i) = ap.iter().position(|&x| x == b'*') {
            ap.truncate(i + 1);
        }
        starts_with(&ap, ref_pep) || ends_with(&ap, ref_pep)
    };
    let start_lost = overlaps_start && {
        if ins_del_start_altered && !(inframe_ins_raw() || inframe_deletion) {
            true
        } else if ref_pep.is_empty() {
            false
        } else {
            k.translation_start == 1
                && !ends_with(alt_pep, ref_pep)
                && !starts_with(alt_pep, ref_pep)
        }
    };
    let inframe_insertion = !start_lost && inframe_ins_raw();
    let synonymous = !ref_pep.is_empty()
        && !frameshift
        && alt_pep == ref_pep
        && !stop_retained
        && !has(alt_pep, b'X')
        && !has(ref_pep, b'X');
    let missense = !frameshift
        && !start_lost
        && !stop_lost
        && !stop_gained
        && !partial_codon
        && ref_pep != alt_pep
        && ref_pep.len() == alt_pep.len();
    let protein_altering = !frameshift
        && peptides_known
        && alt_pep.len() != ref_pep.len()
        && !(ref_pep.first() == Some(&b'*') || alt_pep.first() == Some(&b'*'))
        && !(starts_with(alt_pep, ref_pep) || ends_with(alt_pep, ref_pep))
        && !inframe_deletion
        && !start_lost;
    let coding_unknown = within
        && (has(alt_pep, b'X') && !frameshift || has(ref_pep, b'X'))
        && !(frameshift
            || inframe_deletion
            || protein_altering
            || start_retained
            || start_lost
            || stop_retained
            || stop_lost);

    let push = |cond: bool, x: Consequence, v: &mut Vec<Consequence>| {
        if cond {
            v.push(x);
        }
    };
    push(stop_gained, Consequence::StopGained, cons);
    push(frameshift, Consequence::FrameshiftVariant, cons);
    push(stop_lost, Consequence::StopLost, cons);
    push(start_lost, Consequence::StartLost, cons);
    push(inframe_insertion, Consequence::InframeInsertion, cons);
    push(inframe_deletion, Consequence::InframeDeletion, cons);
    push(missense, Consequence::MissenseVariant, cons);
    push(protein_altering, Consequence::ProteinAlteringVariant, cons);
    push(
        partial_codon && within,
        Consequence::IncompleteTerminalCodonVariant,
        cons,
    );
    push(start_retained, Consequence::StartRetainedVariant, cons);
    push(stop_retained, Consequence::StopRetainedVariant, cons);
    push(synonymous, Consequence::SynonymousVariant, cons);
    push(
        coding_unknown || (partial_codon && within),
        Consequence::CodingSequenceVariant,
        cons,
    );
}

fn range_text(a: Option<i64>, b: Option<i64>) -> Option<String> {
    match (a, b) {
        (None, None) => None,
        (Some(x), Some(y)) if x == y => Some(x.to_string()),
        (Some(x), Some(y)) => Some(format!("{}-{}", x.min(y), x.max(y))),
        (Some(x), None) => Some(format!("{x}-?")),
        (None, Some(y)) => Some(format!("?-{y}")),
    }
}

fn fill_positions(c: &Ctx<'_>, ann: &mut TranscriptAnnotation) {
    let t = c.t;
    // EXON / INTRON numbers in transcript order.
    let n = t.exons.len();
    let mut exon_hits = Vec::new();
    let mut intron_hits = Vec::new();
    let order: Vec<(usize, crate::genome::Interval)> = t.exons_in_transcript_order().collect();
    for (i, (num, x)) in order.iter().enumerate() {
        if overlap(c.s, c.e, x.start as i64 + 1, x.end as i64) {
            exon_hits.push(*num);
        }
        if i + 1 < order.len() {
            let y = order[i + 1].1;
            let (is, ie) = if t.is_reverse() {
                (y.end as i64 + 1, x.start as i64)
            } else {
                (x.end as i64 + 1, y.start as i64)
            };
            if overlap(c.s, c.e, is, ie) {
                intron_hits.push(*num);
            }
        }
    }
    let fmt = |hits: &[usize], total: usize| -> Option<String> {
        match hits {
            [] => None,
            [one] => Some(format!("{one}/{total}")),
            [first, .., last] => Some(format!("{first}-{last}/{total}")),
        }
    };
    ann.exon = fmt(&exon_hits, n);
    ann.intron = fmt(&intron_hits, n.saturating_sub(1));
    ann.cdna_position = range_text(c.cdna_start, c.cdna_end);
    if c.t.coding.is_some() {
        ann.cds_position = range_text(c.cds_start, c.cds_end);
    }
    if let Some(k) = &c.codons {
        ann.protein_position = range_text(Some(k.translation_start), Some(k.translation_end));
        let show = |p: &[u8]| {
            if p.is_empty() {
                "-".to_string()
            } else {
                String::from_utf8_lossy(p).into_owned()
            }
        };
        ann.amino_acids = Some(if k.ref_pep == k.alt_pep {
            show(&k.ref_pep)
        } else {
            format!("{}/{}", show(&k.ref_pep), show(&k.alt_pep))
        });
        ann.codons = Some(codon_text(c, k));
    }
}

/// VEP's Codons: changed bases upper case, the rest of the codon lower case.
fn codon_text(c: &Ctx<'_>, k: &Codons) -> String {
    let (lo, hi) = (c.cds_start.unwrap_or(0), c.cds_end.unwrap_or(0));
    let codon_start = k.translation_start * 3 - 2;
    let before = (lo - codon_start).max(0) as usize;
    let mut r = k.ref_codon.to_ascii_lowercase();
    let ref_len = (hi - lo + 1).max(0) as usize;
    for b in r.iter_mut().skip(before).take(ref_len) {
        b.make_ascii_uppercase();
    }
    let mut a = k.alt_codon.to_ascii_lowercase();
    for b in a.iter_mut().skip(before).take(c.seq.len()) {
        b.make_ascii_uppercase();
    }
    let show = |p: Vec<u8>| {
        if p.is_empty() {
            "-".to_string()
        } else {
            String::from_utf8_lossy(&p).into_owned()
        }
    };
    format!("{}/{}", show(r), show(a))
}

/// pVACtools' Frameshift plugin: the CDS before the variant, the allele, the rest of the CDS and
/// the 3' UTR, translated up to the first stop (not included).
fn frameshift_sequence(c: &Ctx<'_>) -> Option<String> {
    let (cs, ce) = (c.cds_start?, c.cds_end?);
    let (low, high) = (cs.min(ce), cs.max(ce));
    let ins = cs > ce;
    let tr = &c.translateable;
    let before_len = (low - if ins { 0 } else { 1 }) as usize;
    let after_from = (high - if ins { 1 } else { 0 }) as usize;
    let mut s = tr.get(..before_len.min(tr.len()))?.to_vec();
    s.extend_from_slice(&c.seq);
    if after_from <= tr.len() {
        s.extend_from_slice(&tr[after_from..]);
    }
    s.extend_from_slice(c.t.three_prime_utr());
    let mut p = c.t.code.translate(&s);
    if let Some(i) = p.iter().position(|&x| x == b'*') {
        p.truncate(i);
    }
    Some(String::from_utf8_lossy(&p).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotate::model::ModelOptions;
    use crate::genome::codon::reverse_complement;
    use crate::io::fasta::Reference;

    // A hand-made gene: 5' UTR CCC, CDS ATG GCT TGG AAA CCC GG|A TTT CAG TAA (MAWKPGFQ*) split by
    // a 20 bp intron (GT...AG), then a 10 bp 3' UTR. Exons 11-30 and 51-70.
    const UP: &str = "AAAAAAAAAA";
    const EXON1: &str = "CCCATGGCTTGGAAACCCGG";
    const INTRON: &str = "GTAAGTTTTTTTTTTTTCAG";
    const EXON2: &str = "ATTTCAGTAACCCCCCCCCC";
    const DOWN: &str = "TTTTTTTTTT";

    fn forward_seq() -> String {
        format!("{UP}{EXON1}{INTRON}{EXON2}{DOWN}")
    }

    fn gtf_lines(reverse: bool) -> String {
        // (start, end) on the forward layout, mirrored for the reverse-strand copy.
        let m = |s: u64, e: u64| if reverse { (81 - e, 81 - s) } else { (s, e) };
        let strand = if reverse { '-' } else { '+' };
        let attrs = "gene_id \"G1\"; gene_name \"GENE\"; transcript_id \"T1\"; transcript_version \"3\"; transcript_biotype \"protein_coding\"; tag \"Ensembl_canonical\";";
        let mut out = String::new();
        for (feature, s, e, frame) in [
            ("exon", 11, 30, "."),
            ("exon", 51, 70, "."),
            ("CDS", 14, 30, "0"),
            ("CDS", 51, 57, "1"),
            ("start_codon", 14, 16, "0"),
            ("stop_codon", 58, 60, "0"),
        ] {
            let (a, b) = m(s, e);
            out.push_str(&format!(
                "c\tt\t{feature}\t{a}\t{b}\t.\t{strand}\t{frame}\t{attrs}\n"
            ));
        }
        out
    }

    fn model(reverse: bool) -> (tempfile::TempDir, TranscriptModel) {
        let dir = tempfile::tempdir().unwrap();
        let seq = if reverse {
            String::from_utf8(reverse_complement(forward_seq().as_bytes())).unwrap()
        } else {
            forward_seq()
        };
        std::fs::write(dir.path().join("g.fa"), format!(">c\n{seq}\n")).unwrap();
        std::fs::write(dir.path().join("g.gtf"), gtf_lines(reverse)).unwrap();
        let mut r = Reference::open(&dir.path().join("g.fa")).unwrap();
        let m =
            TranscriptModel::from_gtf(&dir.path().join("g.gtf"), &mut r, ModelOptions::default())
                .unwrap();
        (dir, m)
    }

    /// Annotates a change given on the forward layout (1-based first changed base, forward-strand
    /// REF/ALT without anchor), mirrored onto the reverse-strand copy when `reverse`.
    fn ann(m: &TranscriptModel, reverse: bool, pos: u64, r: &str, a: &str) -> TranscriptAnnotation {
        let (pos, r, a) = if reverse {
            let rc = |x: &str| String::from_utf8(reverse_complement(x.as_bytes())).unwrap();
            let len = r.len().max(1) as u64;
            // An insertion before forward base `pos` sits after reverse base 81 - pos.
            let p = if r.is_empty() {
                82 - pos
            } else {
                81 - (pos + len - 1)
            };
            (p, rc(r), rc(a))
        } else {
            (pos, r.to_string(), a.to_string())
        };
        let allele = Allele::new(pos, r.as_bytes(), a.as_bytes(), a.clone());
        let allele = if r.is_empty() {
            // Allele::new wants a real VCF allele for insertions: anchor on the previous base.
            Allele {
                start: pos,
                end: pos - 1,
                ..allele
            }
        } else {
            allele
        };
        let mut v = annotate_allele(m, "c", &allele);
        assert_eq!(v.len(), 1, "{v:?}");
        v.remove(0)
    }

    fn terms(a: &TranscriptAnnotation) -> Vec<&'static str> {
        a.consequences.iter().map(|c| c.as_str()).collect()
    }

    #[test]
    fn hand_worked_consequences_on_both_strands() {
        for reverse in [false, true] {
            let (_d, m) = model(reverse);
            let t = &m.transcripts()[0];
            assert_eq!(
                t.coding.as_ref().unwrap().protein,
                b"MAWKPGFQ",
                "reverse={reverse}"
            );
            assert!(m.report().complete_cds_clean == 1);

            // CDS 4 G>C: GCT (Ala) -> CCT (Pro).
            let a = ann(&m, reverse, 17, "G", "C");
            assert_eq!(terms(&a), ["missense_variant"]);
            assert_eq!(a.protein_position.as_deref(), Some("2"));
            assert_eq!(a.amino_acids.as_deref(), Some("A/P"));
            assert_eq!(a.codons.as_deref(), Some("Gct/Cct"));
            assert_eq!(a.cds_position.as_deref(), Some("4"));
            assert_eq!(a.cdna_position.as_deref(), Some("7"));
            assert_eq!(a.exon.as_deref(), Some("1/2"));
            assert_eq!(a.hgvsc.as_deref(), Some("T1.3:c.4G>C"));
            assert_eq!(a.hgvsp.as_deref(), Some("T1.3:p.Ala2Pro"));
            assert_eq!(a.wildtype_protein.as_deref(), Some("MAWKPGFQ"));
            assert_eq!(ann(&m, reverse, 40, "T", "C").wildtype_protein, None);
            assert_eq!(a.strand, Some(if reverse { -1 } else { 1 }));
            assert!(a.canonical);

            // CDS 9 G>A: TGG (Trp) -> TGA.
            let a = ann(&m, reverse, 22, "G", "A");
            assert_eq!(terms(&a), ["stop_gained"]);
            assert_eq!(a.hgvsp.as_deref(), Some("T1.3:p.Trp3Ter"));

            // Deleting CDS 10 (first A of AAA): frameshift, HGVS shifted to c.12del. The new frame
            // reads ATG GCT TGG AAC CCG GAT TTC AGT AAC CCC CCC CCC C: no stop before the end.
            let a = ann(&m, reverse, 23, "A", "");
            assert_eq!(terms(&a), ["frameshift_variant"]);
            assert_eq!(a.hgvsc.as_deref(), Some("T1.3:c.12del"));
            assert_eq!(a.frameshift_sequence.as_deref(), Some("MAWNPDFSNPPP"));
            assert_eq!(a.hgvsp.as_deref(), Some("T1.3:p.Lys4AsnfsTer?"));
            assert_eq!(a.amino_acids.as_deref(), Some("K/X"));

            // Deleting CDS 4-6 (GCT): in-frame deletion of Ala2.
            let a = ann(&m, reverse, 17, "GCT", "");
            assert_eq!(terms(&a), ["inframe_deletion"]);
            assert_eq!(a.amino_acids.as_deref(), Some("A/-"));
            assert_eq!(a.hgvsp.as_deref(), Some("T1.3:p.Ala2del"));

            // Start and stop codons.
            assert_eq!(terms(&ann(&m, reverse, 14, "A", "G")), ["start_lost"]);
            let a = ann(&m, reverse, 58, "T", "C");
            assert_eq!(terms(&a), ["stop_lost"]);
            assert_eq!(a.amino_acids.as_deref(), Some("*/Q"));
            assert_eq!(
                terms(&ann(&m, reverse, 60, "A", "G")),
                ["stop_retained_variant"]
            );
            // Last exon base (CDS 17, GGA -> GCA): missense and splice region.
            assert_eq!(
                terms(&ann(&m, reverse, 30, "G", "C")),
                ["missense_variant", "splice_region_variant"]
            );

            // Intron: +1 donor, +3 region, deep, -2 acceptor. The reverse copy mirrors the whole
            // gene, so the biology (and the expected terms) are the same on both strands.
            assert_eq!(
                terms(&ann(&m, reverse, 31, "G", "A")),
                ["splice_donor_variant"]
            );
            assert_eq!(
                terms(&ann(&m, reverse, 49, "A", "G")),
                ["splice_acceptor_variant"]
            );
            let a = ann(&m, reverse, 40, "T", "C");
            assert_eq!(terms(&a), ["intron_variant"]);
            assert_eq!(a.intron.as_deref(), Some("1/1"));
            assert_eq!(a.hgvsc.as_deref(), Some("T1.3:c.17+10T>C"));
            assert_eq!(
                terms(&ann(&m, reverse, 33, "A", "C")),
                ["splice_region_variant", "intron_variant"]
            );

            // UTRs and flanks.
            assert_eq!(
                terms(&ann(&m, reverse, 12, "C", "T")),
                ["5_prime_UTR_variant"]
            );
            let a = ann(&m, reverse, 65, "C", "T");
            assert_eq!(terms(&a), ["3_prime_UTR_variant"]);
            assert_eq!(a.hgvsc.as_deref(), Some("T1.3:c.*5C>T"));
            assert_eq!(
                terms(&ann(&m, reverse, 5, "A", "C")),
                ["upstream_gene_variant"]
            );
            assert_eq!(
                terms(&ann(&m, reverse, 75, "T", "C")),
                ["downstream_gene_variant"]
            );
        }
    }

    #[test]
    fn insertion_and_intergenic() {
        let (_d, m) = model(false);
        // Inserting TAG after CDS 9 (between codons 3 and 4): in-frame stop.
        let a = ann(&m, false, 23, "", "TAG");
        assert_eq!(terms(&a), ["stop_gained", "inframe_insertion"]);
        assert_eq!(a.protein_position.as_deref(), Some("3-4"));
        assert_eq!(a.amino_acids.as_deref(), Some("-/*"));
        // 10 kb away: intergenic, one entry without a transcript.
        let far = Allele::new(5200, b"A", b"C", "C".into());
        let v = annotate_allele(&m, "c", &far);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].consequences, [Consequence::IntergenicVariant]);
        assert!(v[0].transcript_id.is_none());
    }

    #[test]
    fn vep_allele_labels_drop_the_shared_base_of_indels() {
        assert_eq!(vep_allele_labels("GA", &["G"]), ["-"]);
        assert_eq!(vep_allele_labels("G", &["GTT", "GA"]), ["TT", "A"]);
        assert_eq!(vep_allele_labels("AC", &["AT"]), ["AT"]);
        assert_eq!(vep_allele_labels("A", &["C"]), ["C"]);
    }

    /// A mitochondrial gene on `contig`: 10 A, CDS ATG TGA ATA CCC AGA (table 2: M W M P *;
    /// the standard code would read M * I P R), a 5 bp 3' UTR, 5 A.
    fn mito_model(
        contig: &str,
        attrs: &str,
    ) -> crate::error::Result<(tempfile::TempDir, TranscriptModel)> {
        let dir = tempfile::tempdir().unwrap();
        let seq = "AAAAAAAAAAATGTGAATACCCAGACCCCCAAAAA";
        std::fs::write(dir.path().join("g.fa"), format!(">{contig}\n{seq}\n")).unwrap();
        let a = format!("gene_id \"G\"; transcript_id \"T\"; {attrs}");
        let gtf = format!(
            "{contig}\tt\texon\t11\t30\t.\t+\t.\t{a}\n{contig}\tt\tCDS\t11\t22\t.\t+\t0\t{a}\n{contig}\tt\tstop_codon\t23\t25\t.\t+\t0\t{a}\n"
        );
        std::fs::write(dir.path().join("g.gtf"), gtf).unwrap();
        let mut r = Reference::open(&dir.path().join("g.fa")).unwrap();
        let m =
            TranscriptModel::from_gtf(&dir.path().join("g.gtf"), &mut r, ModelOptions::default())?;
        Ok((dir, m))
    }

    fn one(m: &TranscriptModel, contig: &str, pos: u64, r: &str, a: &str) -> Vec<&'static str> {
        let allele = Allele::new(pos, r.as_bytes(), a.as_bytes(), a.to_string());
        let v = annotate_allele(m, contig, &allele);
        assert_eq!(v.len(), 1, "{v:?}");
        terms(&v[0])
    }

    #[test]
    fn mitochondrial_transcripts_use_table_2() {
        for contig in ["chrM", "MT"] {
            let (_d, m) = mito_model(contig, "").unwrap();
            let t = &m.transcripts()[0];
            assert_eq!(
                t.code,
                crate::genome::codon::GeneticCode::VertebrateMitochondrial
            );
            assert_eq!(t.coding.as_ref().unwrap().protein, b"MWMP");
            assert_eq!(m.report().complete_cds_clean, 1);
            // TGA>TGG (16 A>G): Trp to Trp, synonymous, not stop_lost.
            assert_eq!(one(&m, contig, 16, "A", "G"), ["synonymous_variant"]);
            // TGA>AGA (14 T>A): Trp to a table-2 stop.
            assert_eq!(one(&m, contig, 14, "T", "A"), ["stop_gained"]);
            // ATA>ATG (19 A>G): Met to Met (Ile to Met in the standard code).
            assert_eq!(one(&m, contig, 19, "A", "G"), ["synonymous_variant"]);
            // The stop AGA>AGG (25 A>G) stays a stop; AGA>TGA (23 A>T) becomes Trp.
            assert_eq!(one(&m, contig, 25, "A", "G"), ["stop_retained_variant"]);
            assert_eq!(one(&m, contig, 23, "A", "T"), ["stop_lost"]);
        }
    }

    #[test]
    fn transl_table_attribute_sets_the_code() {
        // On a contig not named as mitochondrial, the attribute decides.
        let (_d, m) = mito_model("c", "transl_table \"2\";").unwrap();
        assert_eq!(m.transcripts()[0].coding.as_ref().unwrap().protein, b"MWMP");
        // Without it the standard code reads an internal stop and no final stop: refused.
        let e = mito_model("c", "").err().unwrap().to_string();
        assert!(e.contains("internal stop"), "{e}");
        let e = mito_model("c", "transl_table \"5\";")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("transl_table") && e.contains("line 1"), "{e}");
    }
}
