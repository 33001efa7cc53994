//! From an annotated VCF record to the per-transcript protein changes pVACseq works on
//! (its `VcfConverter`): consequence classes, the numbered index used in FASTA headers, biotype
//! and incomplete-CDS filters, and the sample's read support and expression from FORMAT.

use serde::Serialize;

use crate::annotate::engine::annotate_record;
use crate::annotate::fields::AlleleKeys;
use crate::annotate::model::TranscriptModel;
use crate::annotate::{AnnotationSchema, TranscriptAnnotation};

/// Consequence terms (VEP and snpEff spellings) that can give a peptide; see [`VariantType::resolve`].
const PEPTIDE_TERMS: &[&str] = &[
    "missense_variant",
    "frameshift_variant",
    "inframe_insertion",
    "inframe_deletion",
    "protein_altering_variant",
    "conservative_inframe_insertion",
    "disruptive_inframe_insertion",
    "conservative_inframe_deletion",
    "disruptive_inframe_deletion",
];
use crate::io::vcf::{RecordView, VcfHeader};
use crate::variant::ReadSupport;

/// The protein-changing classes pVACseq builds windows for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum VariantType {
    #[serde(rename = "missense")]
    Missense,
    #[serde(rename = "inframe_ins")]
    InframeIns,
    #[serde(rename = "inframe_del")]
    InframeDel,
    #[serde(rename = "FS")]
    Frameshift,
}

impl VariantType {
    /// The spelling in FASTA headers and tables (pVACseq's).
    pub fn as_str(self) -> &'static str {
        match self {
            VariantType::Missense => "missense",
            VariantType::InframeIns => "inframe_ins",
            VariantType::InframeDel => "inframe_del",
            VariantType::Frameshift => "FS",
        }
    }

    /// pVACseq's `resolve_consequence`: the first matching rule wins; start loss and stop
    /// retention give no peptide.
    pub fn resolve(terms: &[&str], reference: &str, alt: &str) -> Option<Self> {
        let has = |t: &str| terms.iter().any(|x| x.eq_ignore_ascii_case(t));
        if has("start_lost") || has("stop_retained_variant") {
            None
        } else if has("frameshift_variant") {
            Some(VariantType::Frameshift)
        } else if has("missense_variant") {
            Some(VariantType::Missense)
        } else if has("inframe_insertion") {
            Some(VariantType::InframeIns)
        } else if has("inframe_deletion") {
            Some(VariantType::InframeDel)
        } else if has("protein_altering_variant") {
            let (r, a) = (reference.len(), alt.len());
            if r > a && (r - a) % 3 == 0 {
                Some(VariantType::InframeDel)
            } else if a > r && (a - r) % 3 == 0 {
                Some(VariantType::InframeIns)
            } else {
                None
            }
        } else {
            None
        }
    }
}

/// Tumour read support and expression of one variant allele, as the VCF (or BAMs, or an
/// expression table) gives them; `None` is `NA`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct SampleValues {
    pub dna_depth: Option<u32>,
    pub dna_vaf: Option<f64>,
    pub rna_depth: Option<u32>,
    pub rna_vaf: Option<f64>,
    pub gene_expression: Option<f64>,
    pub transcript_expression: Option<f64>,
}

/// The matched normal sample's read support as pVACseq reads it (`--normal-sample-name`): depth
/// = DP, VAF = AF, else AD alt count / DP; `None` is `NA`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NormalValues {
    pub depth: Option<u32>,
    pub vaf: Option<f64>,
}

/// One (variant allele, transcript) whose protein change gives peptides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantEntry {
    /// pVACseq's running number (counted before the biotype filter, as pVACseq counts).
    pub number: u64,
    pub chrom: String,
    /// 1-based VCF position.
    pub pos: u64,
    pub reference: String,
    pub alt: String,
    /// SYMBOL, else the gene ID.
    pub gene: String,
    pub gene_id: Option<String>,
    pub transcript: String,
    pub biotype: Option<String>,
    pub variant_type: VariantType,
    /// First protein position as written (`20`, `495-502`).
    pub protein_position: String,
    /// VEP Amino_acids (`R/H`, `-/L`, `AAAAAAAA/A`).
    pub amino_acid_change: String,
    /// The change as the FASTA header writes it: `535R/H`, or for frameshifts `219GA/G` (VCF REF/ALT).
    pub change: String,
    pub canonical: bool,
    pub tsl: Option<String>,
    #[serde(skip)]
    pub wildtype_protein: String,
    #[serde(skip)]
    pub frameshift_sequence: String,
    pub values: SampleValues,
    /// VEP HGVSc / HGVSp with VEP's `%XX` escapes decoded (pVACseq's columns); `None` when the
    /// annotation has none.
    #[serde(skip)]
    pub hgvsc: Option<String>,
    #[serde(skip)]
    pub hgvsp: Option<String>,
    /// The matched normal's depth and VAF, when a normal sample is known.
    #[serde(skip)]
    pub normal: NormalValues,
}

impl VariantEntry {
    /// `{n}.{gene}.{transcript}.{type}.{change}`: the FASTA header body and pVACseq's Index.
    pub fn index(&self) -> String {
        format!(
            "{}.{}.{}.{}.{}",
            self.number,
            self.gene,
            self.transcript,
            self.variant_type.as_str(),
            self.change
        )
    }

    pub fn locus(&self) -> String {
        format!("{}:{}", self.chrom, self.pos)
    }
}

/// What decides which transcripts are kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryFilter {
    /// Transcript biotypes kept (pVACseq default: protein_coding).
    pub biotypes: Vec<String>,
    /// Keep transcripts flagged cds_start_NF / cds_end_NF.
    pub allow_incomplete: bool,
    /// Only FILTER PASS (or `.`) records.
    pub pass_only: bool,
}

impl Default for EntryFilter {
    fn default() -> Self {
        Self {
            biotypes: vec!["protein_coding".to_string()],
            allow_incomplete: false,
            pass_only: false,
        }
    }
}

/// One numbered slot of pVACseq's index: `None` when the transcript was numbered and then
/// dropped (biotype, stop in the wild-type protein, no Amino_acids), as pVACseq does.
pub type Slot = Option<VariantEntry>;

/// Notes on transcripts skipped for a reason the user may want to know.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub locus: String,
    pub transcript: String,
    pub reason: &'static str,
}

/// The VCF sample columns an entry reads: the tumour, and the matched normal when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleColumns {
    pub tumor: usize,
    pub normal: Option<usize>,
}

/// The entries of one record for the tumour sample `samples.tumor`, in CSQ order; each element
/// takes one index number.
///
/// # Errors
/// Read counts that are not counts (the message names the field; the caller adds the record).
pub fn record_entries(
    source: &ProteinAnnotation,
    header: &VcfHeader,
    rec: &RecordView<'_>,
    samples: SampleColumns,
    filter: &EntryFilter,
    read_support: &ReadSupport,
    skipped: &mut Vec<Skipped>,
) -> Result<Vec<Slot>, String> {
    let SampleColumns {
        tumor: sample,
        normal,
    } = samples;
    let mut out = Vec::new();
    // Without a GT every ALT counts (pVACseq refuses such VCFs); `./.` is uncalled.
    let called: Vec<usize> = match rec.sample_value(sample, "GT") {
        Some(gt) => gt
            .split(['/', '|'])
            .filter_map(|a| a.parse::<usize>().ok())
            .collect(),
        None if rec.format.is_some_and(|f| f.split(':').any(|k| k == "GT")) => Vec::new(),
        None => (1..=rec.alts().count()).collect(),
    };
    if called.is_empty() {
        return Ok(out);
    }
    if filter.pass_only && !rec.is_pass() {
        return Ok(out);
    }
    if let ProteinAnnotation::Csq(schema) = source {
        if rec.info_value(&schema.info_key).flatten().is_none() {
            return Ok(out);
        }
    }
    let keys = AlleleKeys::new(rec);
    let has_gx = header.format.contains_key("GX");
    let has_tx = header.format.contains_key("TX");
    for (i, alt) in rec.alts().enumerate() {
        let alt_index = i + 1;
        if !called.contains(&alt_index) {
            continue;
        }
        let is_indel = crate::variant::VariantKind::classify(rec.reference, alt).is_indel();
        let support = format_support(read_support, rec, sample, alt_index, is_indel)?;
        let normal_values = normal
            .map(|n| NormalValues {
                depth: rec.sample_value(n, "DP").and_then(parse_u32),
                vaf: vaf_of(rec, n, alt_index, "AF", "AD", "DP"),
            })
            .unwrap_or_default();
        for ann in source.peptide_annotations(rec, alt_index, &keys) {
            if let Some(slot) = transcript_slot(&ann, rec, alt, filter, skipped) {
                out.push(slot.map(|mut e| {
                    e.values = support;
                    e.normal = normal_values;
                    if has_gx {
                        e.values.gene_expression = expression_value(
                            rec.sample_value(sample, "GX"),
                            &[e.gene_id.as_deref().unwrap_or(""), e.gene.as_str()],
                        );
                    }
                    if has_tx {
                        e.values.transcript_expression = expression_value(
                            rec.sample_value(sample, "TX"),
                            &[e.transcript.as_str()],
                        );
                    }
                    e
                }));
            }
        }
    }
    Ok(out)
}

/// Where the protein sequences come from: the VCF's VEP CSQ (with the Wildtype and Frameshift
/// plugins' fields), or our own engine in memory (`--gtf/--fasta`).
pub enum ProteinAnnotation {
    Csq(AnnotationSchema),
    Model(Box<TranscriptModel>),
}

impl ProteinAnnotation {
    /// The transcripts of ALT `alt_index` (1-based) whose consequence can give a peptide, in
    /// annotation order.
    fn peptide_annotations(
        &self,
        rec: &RecordView<'_>,
        alt_index: usize,
        keys: &AlleleKeys<'_>,
    ) -> Vec<TranscriptAnnotation> {
        match self {
            // Most entries (introns, UTRs, other transcripts' non-coding effects) give no
            // peptide: skip them before building the owned annotation with its sequences.
            ProteinAnnotation::Csq(schema) => schema
                .entries(rec)
                .filter(|entry| {
                    schema.entry_matches_allele(entry, alt_index, keys)
                        && entry
                            .consequences(schema)
                            .any(|t| PEPTIDE_TERMS.contains(&t))
                })
                .map(|entry| schema.to_annotation(&entry))
                .collect(),
            ProteinAnnotation::Model(model) => annotate_record(model, rec, alt_index)
                .into_iter()
                .filter(|a| {
                    a.consequences
                        .iter()
                        .any(|c| PEPTIDE_TERMS.contains(&c.as_str()))
                })
                .collect(),
        }
    }
}

/// `None`: the transcript takes no number; `Some(None)`: numbered, then dropped.
fn transcript_slot(
    ann: &TranscriptAnnotation,
    rec: &RecordView<'_>,
    alt: &str,
    filter: &EntryFilter,
    skipped: &mut Vec<Skipped>,
) -> Option<Slot> {
    let transcript = ann.transcript_id.clone().unwrap_or_default();
    let flags = ann.flags.as_deref().unwrap_or("").to_ascii_lowercase();
    if !filter.allow_incomplete && (flags.contains("cds_start_nf") || flags.contains("cds_end_nf"))
    {
        return None;
    }
    let terms: Vec<&str> = ann
        .consequences
        .iter()
        .map(|c| c.as_str())
        .chain(ann.other_terms.iter().map(String::as_str))
        .collect();
    let variant_type = VariantType::resolve(&terms, rec.reference, alt)?;
    let raw_pos = ann.protein_position.as_deref().unwrap_or("");
    let protein_position = match raw_pos.split_once('/') {
        Some(("-", total)) => total.to_string(),
        Some((p, _)) => p.to_string(),
        None => raw_pos.to_string(),
    };
    if protein_position.is_empty() || protein_position == "-" {
        skipped.push(Skipped {
            locus: rec.locus(),
            transcript,
            reason: "no protein position",
        });
        return None;
    }
    let amino_acids = ann.amino_acids.clone().unwrap_or_default();
    let frameshift = ann.frameshift_sequence.clone().unwrap_or_default();
    let change = if variant_type == VariantType::Frameshift {
        if frameshift.is_empty() {
            skipped.push(Skipped {
                locus: rec.locus(),
                transcript,
                reason: "frameshift without FrameshiftSequence",
            });
            return None;
        }
        format!("{protein_position}{}/{alt}", rec.reference)
    } else {
        if amino_acids.is_empty() {
            skipped.push(Skipped {
                locus: rec.locus(),
                transcript,
                reason: "no Amino_acids",
            });
            return None;
        }
        format!("{protein_position}{amino_acids}")
    };
    let gene = ann
        .symbol
        .clone()
        .or_else(|| ann.gene_id.clone())
        .unwrap_or_default();
    let entry = VariantEntry {
        number: 0,
        chrom: rec.chrom.to_string(),
        pos: rec.pos,
        reference: rec.reference.to_string(),
        alt: alt.to_string(),
        gene,
        gene_id: ann.gene_id.clone(),
        transcript,
        biotype: ann.biotype.clone(),
        variant_type,
        protein_position,
        amino_acid_change: amino_acids,
        change,
        canonical: ann.canonical,
        tsl: ann.tsl.clone(),
        wildtype_protein: ann.wildtype_protein.clone().unwrap_or_default(),
        frameshift_sequence: frameshift,
        values: SampleValues::default(),
        hgvsc: ann.hgvsc.as_deref().map(decode_hex_escapes),
        hgvsp: ann.hgvsp.as_deref().map(decode_hex_escapes),
        normal: NormalValues::default(),
    };
    // From here on pVACseq has already used up the number.
    if let Some(b) = entry.biotype.as_deref() {
        if !filter.biotypes.iter().any(|x| x == b) {
            return Some(None);
        }
    }
    if entry.wildtype_protein.contains('*') {
        skipped.push(Skipped {
            locus: rec.locus(),
            transcript: entry.transcript.clone(),
            reason: "WildtypeProtein has an internal stop codon",
        });
        return Some(None);
    }
    if entry.amino_acid_change.is_empty() {
        return Some(None);
    }
    Some(Some(entry))
}

/// DNA support from the shared read-support model (the caller's own fields, decided per record:
/// for GATK-style records depth = DP, VAF = AF, else AD alt count / DP, as pVACseq reads them);
/// RNA support as pVACseq reads vcf-expression-annotator's fields: depth = RDP, VAF = RAF, else
/// RAD alt count / RDP, RAD listing REF first (Number=R) or only the ALTs (Number=A).
///
/// # Errors
/// DNA read counts that are not counts or fractions (the message names the field).
pub fn format_support(
    read_support: &ReadSupport,
    rec: &RecordView<'_>,
    sample: usize,
    alt_index: usize,
    is_indel: bool,
) -> Result<SampleValues, String> {
    let (_, dna) = read_support.allele(rec, sample, alt_index, is_indel)?;
    let depth = |k: &str| rec.sample_value(sample, k).and_then(parse_u32);
    Ok(SampleValues {
        dna_depth: dna.depth,
        dna_vaf: dna.vaf,
        rna_depth: depth("RDP"),
        rna_vaf: vaf_of(rec, sample, alt_index, "RAF", "RAD", "RDP"),
        gene_expression: None,
        transcript_expression: None,
    })
}

/// pVACseq's `get_vaf_from_vcf_genotype`: the ALT's value of the `af` field, else its `ad`
/// count (Number=R or A) over `dp`; `None` when neither can be read or the depth is 0.
fn vaf_of(
    rec: &RecordView<'_>,
    sample: usize,
    alt_index: usize,
    af: &str,
    ad: &str,
    dp: &str,
) -> Option<f64> {
    if let Some(v) = rec.sample_value(sample, af) {
        return v
            .split(',')
            .nth(alt_index - 1)
            .and_then(|x| x.parse::<f64>().ok());
    }
    let n_alts = rec.alts().count();
    let ads: Vec<&str> = rec.sample_value(sample, ad)?.split(',').collect();
    let alt_count = if ads.len() == n_alts {
        ads.get(alt_index - 1)
    } else if ads.len() == n_alts + 1 {
        ads.get(alt_index)
    } else {
        None
    }
    .and_then(|v| parse_u32(v))?;
    let d = rec.sample_value(sample, dp).and_then(parse_u32)?;
    (d > 0).then(|| f64::from(alt_count) / f64::from(d))
}

/// VEP's `%XX` escapes (`p.Thr190%3D`) decoded, as pVACseq decodes HGVSc/HGVSp; anything that
/// is not an escape of two upper-case hex digits stays as written.
pub fn decode_hex_escapes(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| matches!(c, b'0'..=b'9' | b'A'..=b'F');
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() && hex(b[i + 1]) && hex(b[i + 2]) {
            let v = u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap_or(b'%');
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

fn parse_u32(v: &str) -> Option<u32> {
    v.parse::<u32>().ok().or_else(|| {
        v.parse::<f64>()
            .ok()
            .filter(|f| *f >= 0.0)
            .map(|f| f as u32)
    })
}

/// A FORMAT GX/TX value (`ID|value,ID|value`): the value of the first ID that equals one of
/// `ids`, else one that equals it once Ensembl version suffixes (`.4`) are dropped.
pub fn expression_value(field: Option<&str>, ids: &[&str]) -> Option<f64> {
    let field = field?;
    let pairs: Vec<(&str, &str)> = field.split(',').filter_map(|p| p.split_once('|')).collect();
    let exact = pairs
        .iter()
        .rev()
        .find(|(id, _)| ids.iter().any(|w| !w.is_empty() && w == id));
    let found = exact.or_else(|| {
        pairs.iter().rev().find(|(id, _)| {
            ids.iter()
                .any(|w| !w.is_empty() && strip_version(w) == strip_version(id))
        })
    })?;
    found.1.parse::<f64>().ok()
}

/// `ENST00000233809.4` → `ENST00000233809`; names without a numeric suffix stay as they are.
pub fn strip_version(id: &str) -> &str {
    match id.rsplit_once('.') {
        Some((base, v))
            if !v.is_empty()
                && v.bytes().all(|b| b.is_ascii_digit())
                && base.starts_with("ENS") =>
        {
            base
        }
        _ => id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consequence_rules_follow_pvacseq_precedence() {
        assert_eq!(
            VariantType::resolve(&["missense_variant", "splice_region_variant"], "A", "G"),
            Some(VariantType::Missense)
        );
        assert_eq!(
            VariantType::resolve(&["frameshift_variant", "stop_lost"], "AT", "A"),
            Some(VariantType::Frameshift)
        );
        assert_eq!(
            VariantType::resolve(&["start_lost", "missense_variant"], "A", "G"),
            None
        );
        assert_eq!(
            VariantType::resolve(&["protein_altering_variant"], "ATTT", "A"),
            Some(VariantType::InframeDel)
        );
        assert_eq!(
            VariantType::resolve(&["protein_altering_variant"], "AT", "A"),
            None
        );
        assert_eq!(
            VariantType::resolve(&["synonymous_variant"], "A", "G"),
            None
        );
    }

    #[test]
    fn format_support_prefers_af_then_ad_over_dp() {
        let line = "1\t5\t.\tA\tG\t.\tPASS\t.\tGT:AD:DP:RAD:RDP\t0/1:10,5:20:3:12";
        let rec = RecordView::parse(line).unwrap();
        let h = crate::io::vcf::VcfHeader::default();
        let rs = ReadSupport::new(crate::variant::SupportOptions::default(), &h);
        let s = format_support(&rs, &rec, 0, 1, false).unwrap();
        assert_eq!(s.dna_depth, Some(20));
        // AD is Number=R here: alt count 5 over DP 20.
        assert_eq!(s.dna_vaf, Some(0.25));
        // RAD has one value per ALT (Number=A).
        assert_eq!(s.rna_vaf, Some(0.25));
        let rec =
            RecordView::parse("1\t5\t.\tA\tG,T\t.\tPASS\t.\tGT:AF:DP\t1/2:0.1,0.3:9").unwrap();
        assert_eq!(
            format_support(&rs, &rec, 0, 2, false).unwrap().dna_vaf,
            Some(0.3)
        );
        // A Strelka2 SNV (neoantigens used to read only AD/AF/DP): tier-1 TU 10 of CU 30 + 10.
        let rec =
            RecordView::parse("1\t5\t.\tC\tT\t.\tPASS\t.\tDP:AU:CU:GU:TU\t45:0,0:30,32:0,0:10,11")
                .unwrap();
        let s = format_support(&rs, &rec, 0, 1, false).unwrap();
        assert_eq!((s.dna_depth, s.dna_vaf), (Some(45), Some(0.25)));
    }

    #[test]
    fn expression_matches_with_and_without_versions() {
        let gx = Some("ENSG1.3|2.5,TP53|7");
        assert_eq!(expression_value(gx, &["ENSG1.3", "X"]), Some(2.5));
        assert_eq!(expression_value(gx, &["ENSG1", "X"]), Some(2.5));
        assert_eq!(expression_value(gx, &["", "TP53"]), Some(7.0));
        assert_eq!(expression_value(gx, &["ENSG2"]), None);
        assert_eq!(strip_version("ENST00000233809.4"), "ENST00000233809");
        assert_eq!(strip_version("HLA-A.1"), "HLA-A.1");
    }

    #[test]
    fn vep_escapes_are_decoded_as_pvacseq_decodes_them() {
        assert_eq!(
            decode_hex_escapes("ENSP1.2:p.Thr190%3D"),
            "ENSP1.2:p.Thr190="
        );
        // Not an escape: lower-case or too short stays.
        assert_eq!(decode_hex_escapes("a%3db%4"), "a%3db%4");
        assert_eq!(decode_hex_escapes("c.1A>G%3B%2C"), "c.1A>G;,");
    }

    #[test]
    fn normal_values_follow_pvacseq() {
        // Normal (sample 0): AF given for both ALTs -> the second ALT's 0.02; DP 50.
        let rec = RecordView::parse(
            "1\t5\t.\tA\tG,T\t.\tPASS\t.\tGT:AF:AD:DP\t0/0:0.01,0.02:49,1,1:50\t1/2:0.3,0.2:5,3,2:10",
        )
        .unwrap();
        assert_eq!(vaf_of(&rec, 0, 2, "AF", "AD", "DP"), Some(0.02));
        // Without AF: AD (Number=R here) alt count over DP, 1/50.
        let rec = RecordView::parse("1\t5\t.\tA\tG\t.\tPASS\t.\tGT:AD:DP\t0/0:49,1:50\t0/1:5,5:10")
            .unwrap();
        assert_eq!(vaf_of(&rec, 0, 1, "AF", "AD", "DP"), Some(0.02));
        // DP 0 or no AD: NA.
        let rec =
            RecordView::parse("1\t5\t.\tA\tG\t.\tPASS\t.\tGT:AD:DP\t0/0:0,0:0\t0/1:.:.").unwrap();
        assert_eq!(vaf_of(&rec, 0, 1, "AF", "AD", "DP"), None);
        assert_eq!(vaf_of(&rec, 1, 1, "AF", "AD", "DP"), None);
    }
}
