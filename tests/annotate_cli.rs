//! `immunoprofile annotate` end to end: bgzipped VCF + index + JSON, same bytes for any thread
//! count, and the one-line refusal of a mismatched GTF/FASTA.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use immunoprofile::annotate::AnnotationSchema;
use immunoprofile::io::vcf::{read_to_memory, RecordView};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test-data/annotate")
        .join(name)
}

fn run(dir: &Path, threads: &str, prefix: &str, fasta: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .args(["-q", "-t", threads, "annotate", "--vcf"])
        .arg(data("variants.vcf.gz"))
        .arg("--gtf")
        .arg(data("genes.gtf.gz"))
        .arg("--fasta")
        .arg(fasta)
        .arg("-o")
        .arg(dir.join(prefix))
        .output()
        .unwrap()
}

#[test]
fn writes_indexed_vcf_with_csq_identically_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let fasta = dir.path().join("genome.fa");
    let mut text = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(data("genome.fa.gz")).unwrap())
        .read_to_end(&mut text)
        .unwrap();
    std::fs::File::create(&fasta)
        .unwrap()
        .write_all(&text)
        .unwrap();
    let one = run(dir.path(), "1", "one", &fasta);
    assert!(
        one.status.success(),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    let two = run(dir.path(), "2", "two", &fasta);
    assert!(two.status.success());
    let a = std::fs::read(dir.path().join("one.annotated.vcf.gz")).unwrap();
    let b = std::fs::read(dir.path().join("two.annotated.vcf.gz")).unwrap();
    assert_eq!(a, b, "output differs between 1 and 2 threads");
    assert!(dir.path().join("one.annotated.vcf.gz.tbi").exists());
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("one.annotate.json")).unwrap())
            .unwrap();
    assert!(json["records"].as_u64().unwrap() > 4000);
    let (header, lines) = read_to_memory(&dir.path().join("one.annotated.vcf.gz")).unwrap();
    let schema = AnnotationSchema::from_header(&header).unwrap();
    assert_eq!(schema.info_key, "CSQ");
    for f in [
        "WildtypeProtein",
        "FrameshiftSequence",
        "HGVSp",
        "Protein_position",
    ] {
        assert!(schema.field(f).is_some(), "{f}");
    }
    assert_eq!(lines.len() as u64, json["records"].as_u64().unwrap());
    // Every record got at least one entry, and frameshifts carry a FrameshiftSequence.
    let mut frameshifts = 0;
    for (_, line) in &lines {
        let rec = RecordView::parse(line).unwrap();
        let anns = schema.annotations_for_allele(&rec, 1);
        assert!(!anns.is_empty(), "{line}");
        for a in anns {
            if a.consequences
                .iter()
                .any(|c| c.as_str() == "frameshift_variant")
                && a.frameshift_sequence.is_some()
            {
                frameshifts += 1;
                assert!(a.wildtype_protein.is_some());
            }
        }
    }
    assert!(frameshifts > 100, "{frameshifts}");
}

#[test]
fn mismatched_gtf_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let fasta = dir.path().join("other.fa");
    std::fs::write(&fasta, ">chr1\nACGTACGTAC\n").unwrap();
    let out = run(dir.path(), "1", "x", &fasta);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("genes.gtf.gz"), "{err}");
    assert!(!dir.path().join("x.annotated.vcf.gz").exists());
}
