//! Property tests on every parser of user input (issue 11): arbitrary text never panics, errors
//! name the line, and what a writer produces parses back to the same value.

use std::io::Write;
use std::path::Path;

use proptest::prelude::*;

use immunoprofile::annotate::AnnotationSchema;
use immunoprofile::binding::{parse_allele_list, HlaAllele};
use immunoprofile::io::bed::read_bed;
use immunoprofile::io::fasta::Reference;
use immunoprofile::io::gtf::{GtfReader, GtfRecord};
use immunoprofile::io::vcf::{RecordView, VcfHeader, VcfReader};
use immunoprofile::neoantigen::expression::Expression;

/// Text made of the characters these formats are built from, so mutations hit the parsers'
/// branches rather than only "not UTF-8".
fn format_text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[\\t\\n;,:|=<>*.#\"ACGTNZR0-9a-zA-Z -]{0,200}").unwrap()
}

fn file_with(text: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text).unwrap();
    f
}

const HEADER: &str = "##fileformat=VCFv4.2\n##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl VEP. Format: Allele|Consequence|SYMBOL|Feature\">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT\n";

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn vcf_record_view_never_panics(line in format_text()) {
        if let Ok(rec) = RecordView::parse(&line) {
            let _ = rec.alts().count();
            let _ = rec.info_value("CSQ");
            let _ = rec.sample_value(0, "AD");
            let _ = rec.locus();
        }
    }

    #[test]
    fn vcf_record_round_trips(
        chrom in "[a-zA-Z0-9_]{1,8}",
        pos in 1u64..1_000_000_000,
        reference in "[ACGTN]{1,10}",
        alts in proptest::collection::vec("[ACGT]{1,6}", 1..4),
        ad in proptest::collection::vec(0u32..5000, 1..5),
    ) {
        let alt = alts.join(",");
        let ad_text = ad.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        let line = format!("{chrom}\t{pos}\t.\t{reference}\t{alt}\t.\tPASS\t.\tGT:AD\t0/1:{ad_text}");
        let rec = RecordView::parse(&line).unwrap();
        prop_assert_eq!(rec.chrom, chrom.as_str());
        prop_assert_eq!(rec.pos, pos);
        prop_assert_eq!(rec.reference, reference.as_str());
        prop_assert_eq!(rec.alts().collect::<Vec<_>>(), alts.iter().map(String::as_str).collect::<Vec<_>>());
        prop_assert_eq!(rec.sample_value(0, "AD"), Some(ad_text.as_str()));
    }

    #[test]
    fn vcf_header_never_panics(lines in proptest::collection::vec(format_text(), 0..6)) {
        let mut lines: Vec<String> = lines.into_iter().map(|l| format!("##{l}")).collect();
        lines.push("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO".into());
        let h = VcfHeader::parse(&lines, Path::new("x.vcf"));
        prop_assert!(h.is_ok());
    }

    #[test]
    fn vcf_files_error_with_the_line(body in format_text()) {
        let f = file_with(format!("{HEADER}{body}").as_bytes());
        if let Ok(mut r) = VcfReader::open(f.path(), 1) {
            let mut buf = Vec::new();
            loop {
                match r.read_line(&mut buf) {
                    Ok(false) => break,
                    Ok(true) => {
                        let text = String::from_utf8_lossy(&buf).into_owned();
                        if let Err(e) = RecordView::parse(&text) {
                            prop_assert!(!e.is_empty());
                        }
                    }
                    Err(e) => {
                        let m = e.to_string();
                        prop_assert!(m.contains("line "), "{}", m);
                        break;
                    }
                }
            }
        }
    }

    #[test]
    fn csq_entries_never_panic(csq in format_text()) {
        let f = file_with(HEADER.as_bytes());
        let r = VcfReader::open(f.path(), 1).unwrap();
        let schema = AnnotationSchema::from_header(r.header()).unwrap();
        let csq = csq.replace(['\t', '\n', ';'], "");
        let line = format!("1\t5\t.\tA\tG\t.\tPASS\tCSQ={csq}\tGT\t0/1");
        let rec = RecordView::parse(&line).unwrap();
        for e in schema.entries(&rec) {
            let _ = schema.to_annotation(&e);
        }
        let _ = schema.annotations_for_allele(&rec, 1);
    }

    #[test]
    fn gtf_never_panics_and_errors_name_the_line(body in format_text()) {
        let f = file_with(body.as_bytes());
        let mut r = GtfReader::from_path(f.path()).unwrap();
        let mut rec = GtfRecord::default();
        loop {
            match r.read_record(&mut rec) {
                Ok(false) => break,
                Ok(true) => prop_assert!(rec.start >= 1 && rec.end >= rec.start),
                Err(e) => {
                    let m = e.to_string();
                    prop_assert!(m.contains("line "), "{}", m);
                    break;
                }
            }
        }
    }

    #[test]
    fn bed_never_panics_and_round_trips(
        body in format_text(),
        ivs in proptest::collection::vec(("[a-z0-9]{1,5}", 0u64..10_000, 0u64..500), 0..8),
    ) {
        let f = file_with(body.as_bytes());
        if let Err(e) = read_bed(f.path()) {
            let m = e.to_string();
            prop_assert!(m.contains("line "), "{}", m);
        }
        // Written intervals read back with the merged size computed independently.
        let text: String = ivs.iter().map(|(c, s, l)| format!("{c}\t{s}\t{}\n", s + l)).collect();
        let f = file_with(text.as_bytes());
        let set = read_bed(f.path()).unwrap();
        let mut expected = 0u64;
        let mut by: std::collections::BTreeMap<&str, Vec<(u64, u64)>> = Default::default();
        for (c, s, l) in &ivs {
            by.entry(c.as_str()).or_default().push((*s, s + l));
        }
        for v in by.values() {
            let mut covered = std::collections::BTreeSet::new();
            for (s, e) in v {
                covered.extend(*s..*e);
            }
            expected += covered.len() as u64;
        }
        prop_assert_eq!(set.total_len(), expected);
    }

    #[test]
    fn fasta_and_index_never_panic(body in format_text(), fai in format_text()) {
        let dir = tempfile::tempdir().unwrap();
        let fa = dir.path().join("r.fa");
        std::fs::write(&fa, format!(">c1\n{body}")).unwrap();
        if let Ok(mut r) = Reference::open(&fa) {
            let names: Vec<String> = r.contigs().iter().map(|(n, _)| n.clone()).collect();
            for n in names {
                let _ = r.fetch(&n, 0, 10);
            }
        }
        std::fs::write(dir.path().join("r.fa.fai"), fai).unwrap();
        if let Ok(mut r) = Reference::open(&fa) {
            let _ = r.fetch("c1", 0, 10);
        }
    }

    #[test]
    fn allele_names_never_panic_and_round_trip(text in "[-A-Za-z0-9*:;,| ]{0,30}",
                                               gene in "[ABCEFG]", g in 1u16..100, p in 1u16..1000) {
        let _ = HlaAllele::parse(&text);
        let _ = parse_allele_list(&[text.as_str()]);
        let name = format!("HLA-{gene}*{g:02}:{p:02}");
        let a = HlaAllele::parse(&name).unwrap();
        prop_assert_eq!(a.to_string(), name.clone());
        prop_assert_eq!(HlaAllele::parse(&a.to_string()).unwrap(), a);
    }

    #[test]
    fn expression_tables_never_panic(body in format_text()) {
        for head in ["Name\tLength\tEffectiveLength\tTPM\tNumReads\n", "target_id\tlength\teff_length\test_counts\ttpm\n", ""] {
            let f = file_with(format!("{head}{body}").as_bytes());
            let mut e = Expression::default();
            let _ = e.add_table(f.path());
        }
    }
}
