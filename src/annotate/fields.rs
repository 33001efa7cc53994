//! Reading VEP `CSQ` and snpEff `ANN` INFO fields by the names their header declares.

use std::collections::HashMap;

use crate::annotate::{amino_acid_one_letter, Consequence, Impact, TranscriptAnnotation};
use crate::io::vcf::{split_ascii, RecordView, VcfHeader};

/// Which tool wrote the annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnotationSource {
    Vep,
    Snpeff,
}

/// snpEff ANN field names and the VEP names we file them under.
const SNPEFF_NAMES: &[(&str, &str)] = &[
    ("Allele", "Allele"),
    ("Annotation", "Consequence"),
    ("Annotation_Impact", "IMPACT"),
    ("Gene_Name", "SYMBOL"),
    ("Gene_ID", "Gene"),
    ("Feature_Type", "Feature_type"),
    ("Feature_ID", "Feature"),
    ("Transcript_BioType", "BIOTYPE"),
    ("Rank", "EXON"),
    ("HGVS.c", "HGVSc"),
    ("HGVS.p", "HGVSp"),
    ("cDNA.pos / cDNA.length", "cDNA_position"),
    ("CDS.pos / CDS.length", "CDS_position"),
    ("AA.pos / AA.length", "Protein_position"),
    ("Distance", "DISTANCE"),
    ("ERRORS / WARNINGS / INFO", "ERRORS"),
];

/// The layout of an annotation INFO field, from the header's Description.
#[derive(Debug, Clone)]
pub struct AnnotationSchema {
    pub source: AnnotationSource,
    /// The INFO key (`CSQ`, `ANN`, or another name VEP was told to use).
    pub info_key: String,
    /// Field names (VEP spelling) in the order they appear in each entry.
    pub fields: Vec<String>,
    index: HashMap<String, usize>,
    /// Positions of the fields that say which ALT an entry belongs to, resolved once so the
    /// per-entry matching does no name lookups.
    allele_pos: Option<usize>,
    allele_num_pos: Option<usize>,
}

impl AnnotationSchema {
    /// Finds VEP `CSQ` (preferred) or snpEff `ANN` in the header.
    pub fn from_header(header: &VcfHeader) -> Option<Self> {
        ["CSQ", "ANN"]
            .iter()
            .find_map(|k| Self::from_info_key(header, k).ok())
    }

    /// Reads the field list of INFO `key` from its Description (`... Format: A|B|C` for VEP,
    /// `Functional annotations: 'A | B | C'` for snpEff).
    ///
    /// # Errors
    /// The key is not declared, or its Description lists no fields.
    pub fn from_info_key(header: &VcfHeader, key: &str) -> Result<Self, String> {
        let def = header
            .info
            .get(key)
            .ok_or_else(|| format!("the header declares no INFO/{key}"))?;
        let desc = def.description.as_str();
        let (source, list) = if let Some(i) = desc.find("Format:") {
            (AnnotationSource::Vep, &desc[i + "Format:".len()..])
        } else if let Some(i) = desc.find("Functional annotations:") {
            (
                AnnotationSource::Snpeff,
                &desc[i + "Functional annotations:".len()..],
            )
        } else {
            return Err(format!(
                "INFO/{key}'s Description does not list its fields ('Format: ...' for VEP, 'Functional annotations: ...' for snpEff)"
            ));
        };
        let list = list.trim().trim_matches(|c| c == '\'' || c == '"').trim();
        let fields: Vec<String> = list
            .split('|')
            .map(|f| {
                let f = f.trim();
                match source {
                    AnnotationSource::Snpeff => SNPEFF_NAMES
                        .iter()
                        .find(|(s, _)| *s == f)
                        .map_or(f, |(_, v)| *v)
                        .to_string(),
                    AnnotationSource::Vep => f.to_string(),
                }
            })
            .collect();
        if fields.len() < 2 || !fields.iter().any(|f| f == "Consequence") {
            return Err(format!("INFO/{key} has no Consequence/Annotation field"));
        }
        let index: HashMap<String, usize> = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.clone(), i))
            .collect();
        Ok(Self {
            source,
            info_key: key.to_string(),
            allele_pos: index.get("Allele").copied(),
            allele_num_pos: index.get("ALLELE_NUM").copied(),
            fields,
            index,
        })
    }

    /// Position of a field (VEP name), if the annotation has it.
    pub fn field(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The raw `,`-separated annotation entries of a record (none when it has no annotation).
    pub fn raw_entries<'a>(&self, rec: &RecordView<'a>) -> impl Iterator<Item = &'a str> {
        let raw = rec.info_value(&self.info_key).flatten().unwrap_or("");
        split_ascii(raw, b',').filter(|e| !e.is_empty())
    }

    /// The annotation entries of a record (empty when the record has none).
    pub fn entries<'a>(&self, rec: &RecordView<'a>) -> impl Iterator<Item = Entry<'a>> {
        self.raw_entries(rec).map(|e| {
            let mut values = Vec::new();
            split_entry(e, usize::MAX, &mut values);
            Entry { values }
        })
    }

    /// The largest position [`Self::alt_of_entry`] reads: entries split up to here suffice.
    pub fn allele_fields_end(&self) -> usize {
        self.allele_pos
            .into_iter()
            .chain(self.allele_num_pos)
            .max()
            .unwrap_or(0)
    }

    /// Which ALT (0-based) an entry, split into its `|` fields, belongs to: its `ALLELE_NUM`
    /// when present; the only ALT of a one-ALT record; else the first ALT whose VEP allele
    /// string or ALT text equals the entry's Allele (snpEff cancer mode writes `ALT-REF`).
    /// `None`: the entry matches no ALT.
    pub fn alt_of_entry(&self, values: &[&str], keys: &AlleleKeys<'_>) -> Option<usize> {
        let get = |i: Option<usize>| {
            i.and_then(|i| values.get(i).copied())
                .filter(|v| !v.is_empty())
        };
        if let Some(num) = get(self.allele_num_pos) {
            return num
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .filter(|&a| a < keys.n_alts());
        }
        if keys.single {
            return Some(0);
        }
        let allele = get(self.allele_pos)?;
        let allele = match self.source {
            AnnotationSource::Snpeff => allele.split('-').next().unwrap_or(allele),
            AnnotationSource::Vep => allele,
        };
        (0..keys.alts.len()).find(|&i| keys.vep[i] == allele || keys.alts[i] == allele)
    }

    /// Whether an entry's Allele belongs to ALT number `alt_index` (1-based) of the record
    /// `keys` was made from.
    pub fn entry_matches_allele(
        &self,
        entry: &Entry<'_>,
        alt_index: usize,
        keys: &AlleleKeys<'_>,
    ) -> bool {
        alt_index > 0 && self.alt_of_entry(&entry.values, keys) == Some(alt_index - 1)
    }

    /// Builds the owned model of one entry.
    pub fn to_annotation(&self, entry: &Entry<'_>) -> TranscriptAnnotation {
        let get = |name: &str| {
            self.field(name)
                .and_then(|i| entry.get(i))
                .map(str::to_string)
        };
        let mut ann = TranscriptAnnotation {
            allele: get("Allele").unwrap_or_default(),
            impact: get("IMPACT").and_then(|s| match s.as_str() {
                "HIGH" => Some(Impact::High),
                "MODERATE" => Some(Impact::Moderate),
                "LOW" => Some(Impact::Low),
                "MODIFIER" => Some(Impact::Modifier),
                _ => None,
            }),
            symbol: get("SYMBOL"),
            gene_id: get("Gene"),
            feature_type: get("Feature_type"),
            transcript_id: get("Feature"),
            biotype: get("BIOTYPE"),
            exon: get("EXON"),
            intron: get("INTRON"),
            hgvsc: get("HGVSc"),
            hgvsp: get("HGVSp"),
            cdna_position: get("cDNA_position"),
            cds_position: get("CDS_position"),
            protein_position: get("Protein_position"),
            amino_acids: get("Amino_acids"),
            codons: get("Codons"),
            strand: get("STRAND").and_then(|s| s.parse().ok()),
            canonical: get("CANONICAL").is_some_and(|s| s == "YES"),
            mane_select: get("MANE_SELECT"),
            tsl: get("TSL"),
            flags: get("FLAGS"),
            wildtype_protein: get("WildtypeProtein"),
            frameshift_sequence: get("FrameshiftSequence"),
            ..Default::default()
        };
        for term in self
            .field("Consequence")
            .and_then(|i| entry.get(i))
            .unwrap_or("")
            .split('&')
            .filter(|t| !t.is_empty())
        {
            match Consequence::parse(term) {
                Some(c) => ann.consequences.push(c),
                None => ann.other_terms.push(term.to_string()),
            }
        }
        ann.consequences.sort_unstable();
        ann.consequences.dedup();
        if self.source == AnnotationSource::Snpeff && ann.amino_acids.is_none() {
            ann.amino_acids = ann.hgvsp.as_deref().and_then(amino_acids_from_hgvsp);
        }
        // The fields with a place of their own in the model are the ones our writer emits,
        // except DISTANCE, which stays in `extra`.
        let named =
            |name: &str| name != "DISTANCE" && crate::annotate::writer::CSQ_FIELDS.contains(&name);
        for (i, name) in self.fields.iter().enumerate() {
            if !named(name) {
                if let Some(v) = entry.get(i) {
                    ann.extra.insert(name.clone(), v.to_string());
                }
            }
        }
        ann
    }

    /// Every entry of ALT `alt_index` as owned annotations.
    pub fn annotations_for_allele(
        &self,
        rec: &RecordView<'_>,
        alt_index: usize,
    ) -> Vec<TranscriptAnnotation> {
        let keys = AlleleKeys::new(rec);
        self.entries(rec)
            .filter(|e| self.entry_matches_allele(e, alt_index, &keys))
            .map(|e| self.to_annotation(&e))
            .collect()
    }
}

/// One annotation entry split into its `|` fields.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    values: Vec<&'a str>,
}

impl<'a> Entry<'a> {
    /// Field `i`, `None` when absent or empty.
    pub fn get(&self, i: usize) -> Option<&'a str> {
        self.values.get(i).copied().filter(|v| !v.is_empty())
    }

    /// The consequence terms of the entry.
    pub fn consequences(&self, schema: &AnnotationSchema) -> impl Iterator<Item = &'a str> {
        schema
            .field("Consequence")
            .and_then(|i| self.get(i))
            .unwrap_or("")
            .split('&')
            .filter(|t| !t.is_empty())
    }
}

/// Fields `0..=last` of one `|`-separated entry into `out` (cleared first); fields past `last`
/// are never split, so a scan that reads a few early fields skips the long tail.
pub fn split_entry<'r>(entry: &'r str, last: usize, out: &mut Vec<&'r str>) {
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

/// The allele strings of a record's ALTs as annotation entries spell them.
#[derive(Debug, Clone)]
pub struct AlleleKeys<'r> {
    /// VEP's allele string per ALT (empty for a one-ALT record, where no matching is needed).
    pub vep: Vec<String>,
    /// The ALT texts (empty for a one-ALT record).
    alts: Vec<&'r str>,
    /// The record has one ALT: every entry without ALLELE_NUM belongs to it.
    pub single: bool,
}

impl<'r> AlleleKeys<'r> {
    /// VEP drops the first base when REF and every ALT share it (an empty allele is `-`).
    pub fn new(rec: &RecordView<'r>) -> Self {
        let alts: Vec<&'r str> = rec.alts().collect();
        if alts.len() == 1 {
            return Self {
                vep: Vec::new(),
                alts: Vec::new(),
                single: true,
            };
        }
        let first = rec.reference.as_bytes().first().copied();
        let shared = first.is_some()
            && alts.iter().all(|a| {
                !a.starts_with('<') && *a != "*" && a.as_bytes().first().copied() == first
            });
        let vep = alts
            .iter()
            .map(|a| {
                if shared {
                    let t = &a[1..];
                    if t.is_empty() {
                        "-".to_string()
                    } else {
                        t.to_string()
                    }
                } else {
                    (*a).to_string()
                }
            })
            .collect();
        Self {
            vep,
            alts,
            single: false,
        }
    }

    fn n_alts(&self) -> usize {
        if self.single {
            1
        } else {
            self.alts.len()
        }
    }
}

/// `p.Arg123His` → `R/H`; `p.Gln5*`/`p.Gln5Ter` → `Q/*`; other forms → `None`.
pub fn amino_acids_from_hgvsp(hgvsp: &str) -> Option<String> {
    let p = hgvsp.rsplit(':').next()?.strip_prefix("p.")?;
    let p = p.trim_start_matches('(').trim_end_matches(')');
    if p.len() < 5 || !p.is_char_boundary(3) {
        return None;
    }
    let from = amino_acid_one_letter(&p[..3])?;
    let rest = &p[3..];
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let to_text = &rest[digits..];
    let to = if to_text == "=" {
        from
    } else {
        amino_acid_one_letter(to_text)?
    };
    Some(format!("{from}/{to}"))
}

/// Largest numeric value among `&`-joined parts (VEP joins co-located variants' values).
pub fn max_numeric(value: &str) -> Option<f64> {
    value
        .split(['&', ','])
        .filter_map(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite())
        .fold(None, |acc: Option<f64>, v| {
            Some(acc.map_or(v, |a| a.max(v)))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::vcf::VcfHeader;
    use std::path::Path;

    fn header(info_line: &str) -> VcfHeader {
        let lines = vec![
            "##fileformat=VCFv4.2".to_string(),
            info_line.to_string(),
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO".to_string(),
        ];
        VcfHeader::parse(&lines, Path::new("t.vcf")).unwrap()
    }

    #[test]
    fn vep_fields_by_name_and_allele_matching() {
        // Fields in an unusual order: parsing must go by name.
        let h = header("##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl VEP. Format: Consequence|SYMBOL|Allele|gnomAD_AF|Feature|CANONICAL\">");
        let s = AnnotationSchema::from_header(&h).unwrap();
        assert_eq!(s.source, AnnotationSource::Vep);
        let line = "1\t100\t.\tAT\tA,ATT\t.\tPASS\tCSQ=splice_region_variant&missense_variant|GENE1|-|0.01&0.2|T1|YES,intron_variant|GENE1|TT|.|T1|YES\t";
        let rec = RecordView::parse(line).unwrap();
        let a1 = s.annotations_for_allele(&rec, 1);
        assert_eq!(a1.len(), 1);
        assert_eq!(
            a1[0].consequences,
            vec![
                Consequence::MissenseVariant,
                Consequence::SpliceRegionVariant
            ]
        );
        assert_eq!(a1[0].symbol.as_deref(), Some("GENE1"));
        assert!(a1[0].canonical);
        assert_eq!(max_numeric(&a1[0].extra["gnomAD_AF"]), Some(0.2));
        let a2 = s.annotations_for_allele(&rec, 2);
        assert_eq!(a2.len(), 1);
        assert_eq!(a2[0].consequences, vec![Consequence::IntronVariant]);
    }

    #[test]
    fn snpeff_ann_names_map_to_model() {
        let h = header("##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO' \">");
        let s = AnnotationSchema::from_header(&h).unwrap();
        assert_eq!(s.source, AnnotationSource::Snpeff);
        let line = "1\t100\t.\tG\tA\t.\tPASS\tANN=A|missense_variant|MODERATE|TP53|ENSG1|transcript|ENST1|protein_coding|5/11|c.524G>A|p.Arg175His|700/2000|524/1182|175/393||\t";
        let rec = RecordView::parse(line).unwrap();
        let a = &s.annotations_for_allele(&rec, 1)[0];
        assert_eq!(a.consequences, vec![Consequence::MissenseVariant]);
        assert_eq!(a.transcript_id.as_deref(), Some("ENST1"));
        assert_eq!(a.impact, Some(Impact::Moderate));
        assert_eq!(a.protein_start(), Some(175));
        assert_eq!(a.amino_acids.as_deref(), Some("R/H"));
    }

    #[test]
    fn hgvsp_to_amino_acids() {
        assert_eq!(
            amino_acids_from_hgvsp("ENSP1.1:p.Gln5Ter").as_deref(),
            Some("Q/*")
        );
        assert_eq!(amino_acids_from_hgvsp("p.Leu10=").as_deref(), Some("L/L"));
        assert_eq!(amino_acids_from_hgvsp("p.Leu10fs"), None);
    }

    #[test]
    fn alt_of_entry_rules() {
        let vep = header("##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Format: Allele|Consequence|ALLELE_NUM\">");
        let s = AnnotationSchema::from_header(&vep).unwrap();
        let rec = RecordView::parse("1\t1\t.\tAT\tA,ATT\t.\t.\t.").unwrap();
        let keys = AlleleKeys::new(&rec);
        // ALLELE_NUM wins over the Allele text; a number past the ALTs matches nothing.
        assert_eq!(s.alt_of_entry(&["-", "x", "2"], &keys), Some(1));
        assert_eq!(s.alt_of_entry(&["-", "x", "3"], &keys), None);
        // Without it: VEP's trimmed allele, then the ALT text.
        assert_eq!(s.alt_of_entry(&["TT", "x", ""], &keys), Some(1));
        assert_eq!(s.alt_of_entry(&["A", "x", ""], &keys), Some(0));
        assert_eq!(s.alt_of_entry(&["G", "x", ""], &keys), None);
        let ann = header("##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele | Annotation'\">");
        let s = AnnotationSchema::from_header(&ann).unwrap();
        let rec = RecordView::parse("1\t1\t.\tG\tA,C\t.\t.\t.").unwrap();
        let keys = AlleleKeys::new(&rec);
        // snpEff cancer mode: "ALT-REF".
        assert_eq!(s.alt_of_entry(&["C-A", "x"], &keys), Some(1));
        let single = RecordView::parse("1\t1\t.\tG\tA\t.\t.\t.").unwrap();
        assert_eq!(
            s.alt_of_entry(&["", "x"], &AlleleKeys::new(&single)),
            Some(0)
        );
    }

    #[test]
    fn vep_allele_keys() {
        let rec = RecordView::parse("1\t1\t.\tAT\tA,ATT\t.\t.\t.").unwrap();
        assert_eq!(AlleleKeys::new(&rec).vep, vec!["-", "TT"]);
        let rec = RecordView::parse("1\t1\t.\tA\tG,AT\t.\t.\t.").unwrap();
        assert_eq!(AlleleKeys::new(&rec).vep, vec!["G", "AT"]);
    }
}
