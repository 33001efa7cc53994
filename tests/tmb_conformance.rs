//! `tmb` against pyTMB 1.6.0 on real public VCFs (../shared/data/upstream) and on our own test
//! data. pyTMB's outputs and the commands that made them are in tests/data/pytmb/. The tests skip
//! with a message when ../shared is absent.

mod util;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/upstream");
    if p.is_dir() {
        Some(p)
    } else {
        util::skip(&format!(
            "skipping: {} is absent (real public test data)",
            p.display()
        ));
        None
    }
}

fn tmb(vcf: &Path, args: &[&str], dir: &Path) -> (serde_json::Value, String) {
    let prefix = dir.join("S");
    let out = Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .args([
            "-q",
            "tmb",
            "--vcf",
            vcf.to_str().unwrap(),
            "-o",
            prefix.to_str().unwrap(),
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j = std::fs::read_to_string(format!("{}.tmb.json", prefix.display())).unwrap();
    let t = std::fs::read_to_string(format!("{}.tmb.variants.tsv", prefix.display())).unwrap();
    (serde_json::from_str(&j).unwrap(), t)
}

fn counted_positions(table: &str) -> BTreeSet<String> {
    table
        .lines()
        .skip(1)
        .filter(|l| l.split('\t').nth(10) == Some("true"))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            format!("{}:{}", f[0], f[1])
        })
        .collect()
}

fn gatk(s: &Path) -> PathBuf {
    s.join("nf-core-test-datasets/data/genomics/homo_sapiens/illumina/gatk")
}

/// snpEff-annotated HaplotypeCaller calls, pyTMB --filterNonCoding --filterSyn. pyTMB counts
/// splice_region_variant (and terms it does not know) as non-synonymous; we count only
/// protein-changing terms. Every difference must be one of those.
#[test]
fn snpeff_haplotypecaller_matches_pytmb_except_splice_region() {
    let Some(s) = shared() else { return };
    let vcf = gatk(&s).join("haplotypecaller_calls/test2_haplotc.ann.vcf.gz");
    let dir = tempfile::tempdir().unwrap();
    let (j, table) = tmb(&vcf, &["--effective-size", "1000000"], dir.path());
    let ours = counted_positions(&table);
    let pytmb: BTreeSet<String> = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/pytmb/test2_haplotc_ann.pass_positions.txt"),
    )
    .unwrap()
    .lines()
    .map(str::to_string)
    .collect();
    assert_eq!(pytmb.len(), 317);
    assert!(
        ours.is_subset(&pytmb),
        "we count positions pyTMB does not: {:?}",
        ours.difference(&pytmb).collect::<Vec<_>>()
    );
    let only_pytmb: Vec<&String> = pytmb.difference(&ours).collect();
    assert_eq!(only_pytmb.len(), 6, "{only_pytmb:?}");
    // Check each difference against the record's own annotation.
    let lines = vcf_lines(&vcf);
    for pos in only_pytmb {
        let p = pos.split(':').nth(1).unwrap();
        let line = lines
            .iter()
            .find(|l| l.split('\t').nth(1) == Some(p))
            .unwrap();
        let ann = line.split('\t').nth(7).unwrap();
        let protein_changing = [
            "missense_variant",
            "stop_gained",
            "frameshift_variant",
            "splice_donor_variant",
            "splice_acceptor_variant",
            "inframe",
            "start_lost",
            "stop_lost",
        ];
        assert!(
            !protein_changing.iter().any(|t| ann.contains(t)),
            "{pos} has a protein-changing term"
        );
        assert!(
            ann.contains("splice_region_variant") || ann.contains("structural_interaction_variant"),
            "{pos}"
        );
    }
    // Multi-allelic records: we count alleles, pyTMB records.
    assert_eq!(j["variants_counted"], 314);
    assert_eq!(ours.len(), 311);
}

fn vcf_lines(path: &Path) -> Vec<String> {
    let mut r = immunoprofile::io::vcf::VcfReader::open(path, 1).unwrap();
    r.read_all_lines()
        .unwrap()
        .into_iter()
        .map(|(_, l)| l)
        .collect()
}

/// VEP-annotated Mutect somatic calls (pVACtools): same count and TMB as pyTMB (whose coding
/// filters cannot read VEP's CSQ, so the comparison uses --count all).
#[test]
fn pvactools_somatic_matches_pytmb() {
    let Some(s) = shared() else { return };
    let vcf = s.join("pVACtools/tests/test_data/pvacseq/input_somatic.vcf.gz");
    let dir = tempfile::tempdir().unwrap();
    let (j, _) = tmb(
        &vcf,
        &[
            "--effective-size",
            "33280000",
            "--min-vaf",
            "0.05",
            "--min-alt-reads",
            "2",
            "--count",
            "all",
        ],
        dir.path(),
    );
    assert_eq!(j["variants_counted"], 2729);
    let t = j["tmb"].as_f64().unwrap();
    assert_eq!((t * 100.0).round() / 100.0, 82.0);
}

/// FilterMutectCalls output: one PASS call, as pyTMB finds.
#[test]
fn mutect2_filtered_calls_match_pytmb() {
    let Some(s) = shared() else { return };
    let vcf = gatk(&s).join("paired_mutect2_calls/test_test2_paired_filtered_mutect2_calls.vcf.gz");
    let dir = tempfile::tempdir().unwrap();
    let (j, table) = tmb(
        &vcf,
        &["--effective-size", "1000000", "--count", "all"],
        dir.path(),
    );
    assert_eq!(j["variants_counted"], 1);
    assert_eq!(j["sample"], "tumour");
    assert_eq!(j["caller"], "mutect2");
    assert_eq!(
        counted_positions(&table).into_iter().collect::<Vec<_>>(),
        vec!["chr21:44296398"]
    );
}

/// Our hand-made Mutect2 file: pyTMB counts 18 records; we count 19 alleles, the difference
/// being the second ALT of the multi-allelic chr1:12500.
#[test]
fn test_data_mutect2_matches_pytmb_up_to_allele_splitting() {
    let vcf = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-data/tmb/mutect2_vep.vcf");
    let dir = tempfile::tempdir().unwrap();
    let (j, table) = tmb(
        &vcf,
        &[
            "--effective-size",
            "298002",
            "--min-vaf",
            "0.05",
            "--min-depth",
            "20",
            "--min-alt-reads",
            "2",
            "--count",
            "all",
        ],
        dir.path(),
    );
    assert_eq!(j["variants_counted"], 19);
    let rows: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with("chr1\t12500\t"))
        .collect();
    assert!(rows.iter().all(|r| r.ends_with("\ttrue\tpass")), "{rows:?}");
    assert_eq!(counted_positions(&table).len(), 18);
}
