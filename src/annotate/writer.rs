//! VEP-layout `CSQ` text for our annotations, and the annotated VCF's header.

use std::fmt::Write as _;

use crate::annotate::TranscriptAnnotation;

/// The CSQ fields we write, in order (DESIGN.md §4), then FLAGS and DISTANCE which VEP also
/// writes; readers go by these header names.
pub const CSQ_FIELDS: &[&str] = &[
    "Allele",
    "Consequence",
    "IMPACT",
    "SYMBOL",
    "Gene",
    "Feature_type",
    "Feature",
    "BIOTYPE",
    "EXON",
    "INTRON",
    "HGVSc",
    "HGVSp",
    "cDNA_position",
    "CDS_position",
    "Protein_position",
    "Amino_acids",
    "Codons",
    "STRAND",
    "CANONICAL",
    "MANE_SELECT",
    "TSL",
    "WildtypeProtein",
    "FrameshiftSequence",
    "FLAGS",
    "DISTANCE",
];

/// The `##INFO` line declaring CSQ.
pub fn csq_header_line() -> String {
    format!(
        "##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from immunoprofile annotate (Ensembl VEP layout). Format: {}\">",
        CSQ_FIELDS.join("|")
    )
}

/// VCF-safe text for one CSQ value, as VEP escapes it.
fn push_clean(out: &mut String, value: &str) {
    for ch in value.chars() {
        match ch {
            ',' | '|' => out.push('&'),
            ';' => out.push_str("%3B"),
            '=' => out.push_str("%3D"),
            c if c.is_whitespace() => out.push('_'),
            c => out.push(c),
        }
    }
}

/// Appends one annotation as a CSQ entry (no separator).
pub fn push_csq_entry(out: &mut String, a: &TranscriptAnnotation) {
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let consequence = a
        .consequences
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join("&");
    let values: [String; 25] = [
        a.allele.clone(),
        consequence,
        a.impact.map(|i| i.as_str().to_string()).unwrap_or_default(),
        opt(&a.symbol),
        opt(&a.gene_id),
        opt(&a.feature_type),
        opt(&a.transcript_id),
        opt(&a.biotype),
        opt(&a.exon),
        opt(&a.intron),
        opt(&a.hgvsc),
        opt(&a.hgvsp),
        opt(&a.cdna_position),
        opt(&a.cds_position),
        opt(&a.protein_position),
        opt(&a.amino_acids),
        opt(&a.codons),
        a.strand.map(|s| s.to_string()).unwrap_or_default(),
        if a.canonical {
            "YES".into()
        } else {
            String::new()
        },
        opt(&a.mane_select),
        opt(&a.tsl),
        opt(&a.wildtype_protein),
        opt(&a.frameshift_sequence),
        opt(&a.flags),
        a.extra.get("DISTANCE").cloned().unwrap_or_default(),
    ];
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push('|');
        }
        push_clean(out, v);
    }
}

/// The record line with `CSQ=...` set (replacing any CSQ already there).
pub fn annotated_line(
    line: &str,
    info_col_start: usize,
    info_col_end: usize,
    entries: &[TranscriptAnnotation],
) -> String {
    let mut out = String::with_capacity(line.len() + entries.len() * 200);
    out.push_str(&line[..info_col_start]);
    let info = &line[info_col_start..info_col_end];
    let mut first = true;
    if info != "." {
        for item in info
            .split(';')
            .filter(|i| !i.is_empty() && *i != "CSQ" && !i.starts_with("CSQ="))
        {
            if !first {
                out.push(';');
            }
            out.push_str(item);
            first = false;
        }
    }
    if !entries.is_empty() {
        if !first {
            out.push(';');
        }
        out.push_str("CSQ=");
        for (i, e) in entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_csq_entry(&mut out, e);
        }
    } else if first {
        out.push('.');
    }
    let _ = write!(out, "{}", &line[info_col_end..]);
    out
}

/// Byte offsets of the INFO column (the 8th) in a VCF data line.
pub fn info_span(line: &str) -> Option<(usize, usize)> {
    let mut start = 0;
    for _ in 0..7 {
        start += line[start..].find('\t')? + 1;
    }
    let end = line[start..].find('\t').map_or(line.len(), |i| start + i);
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotate::{AnnotationSchema, Consequence};
    use crate::io::vcf::{RecordView, VcfHeader};

    #[test]
    fn written_csq_reads_back_through_the_schema() {
        let header_lines = vec![
            "##fileformat=VCFv4.2".to_string(),
            csq_header_line(),
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO".to_string(),
        ];
        let header = VcfHeader::parse(&header_lines, std::path::Path::new("x.vcf")).unwrap();
        let schema = AnnotationSchema::from_header(&header).unwrap();
        let a = TranscriptAnnotation {
            allele: "-".into(),
            consequences: vec![
                Consequence::FrameshiftVariant,
                Consequence::SpliceRegionVariant,
            ],
            impact: Some(Consequence::FrameshiftVariant.impact()),
            symbol: Some("G; 1".into()),
            transcript_id: Some("T.1".into()),
            protein_position: Some("219".into()),
            amino_acids: Some("G/X".into()),
            canonical: true,
            wildtype_protein: Some("MGK".into()),
            frameshift_sequence: Some("MGR".into()),
            ..TranscriptAnnotation::default()
        };
        let line = "1\t100\t.\tGA\tG\t.\tPASS\tDP=3;CSQ=old";
        let (s, e) = info_span(line).unwrap();
        let out = annotated_line(line, s, e, std::slice::from_ref(&a));
        assert!(out.starts_with("1\t100\t.\tGA\tG\t.\tPASS\tDP=3;CSQ=-|frameshift_variant&splice_region_variant|HIGH|G%3B_1|"));
        let rec = RecordView::parse(&out).unwrap();
        let back = schema.annotations_for_allele(&rec, 1);
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].consequences, a.consequences);
        assert_eq!(back[0].protein_start(), Some(219));
        assert_eq!(back[0].wildtype_protein.as_deref(), Some("MGK"));
        assert_eq!(back[0].frameshift_sequence.as_deref(), Some("MGR"));
        assert!(back[0].canonical);
    }
}
