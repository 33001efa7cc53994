//! `immunoprofile tmb` end to end on the hand-made VCFs of test-data/tmb (see
//! make_tmb_data.py). Each record's ID column says, per ALT, the decision worked out by hand for
//! the standard settings below; the tests compare the program's reasons with those.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const STANDARD: &[&str] = &[
    "--min-depth",
    "20",
    "--min-alt-reads",
    "2",
    "--min-vaf",
    "0.05",
    "--max-population-af",
    "0.001",
];

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test-data/tmb")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .args(args)
        .output()
        .expect("run immunoprofile")
}

fn run_tmb(vcf: &Path, extra: &[&str], dir: &Path) -> (Output, PathBuf) {
    let prefix = dir.join("S");
    let mut args = vec![
        "tmb",
        "--vcf",
        vcf.to_str().unwrap(),
        "-o",
        prefix.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    (run(&args), prefix)
}

fn json(prefix: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(format!("{}.tmb.json", prefix.display())).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// (chrom, pos, alt) -> reason, from the variants table.
fn reasons(prefix: &Path) -> BTreeMap<(String, u64, String), String> {
    let text = std::fs::read_to_string(format!("{}.tmb.variants.tsv", prefix.display())).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "chrom\tpos\tref\talt\tgene\tconsequence\tdepth\talt_reads\tvaf\tpopulation_af\tcounted\treason"
    );
    lines
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 12, "{l}");
            assert_eq!(f[10] == "true", f[11] == "pass", "{l}");
            (
                (f[0].to_string(), f[1].parse().unwrap(), f[3].to_string()),
                f[11].to_string(),
            )
        })
        .collect()
}

/// The hand-written expectations in the ID column (`exp=r1,r2` per ALT).
fn expected(vcf: &Path) -> BTreeMap<(String, u64, String), String> {
    let text = std::fs::read_to_string(vcf).unwrap();
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let exp = f[2].strip_prefix("exp=").unwrap();
        for (alt, reason) in f[4].split(',').zip(exp.split(',')) {
            out.insert(
                (f[0].to_string(), f[1].parse().unwrap(), alt.to_string()),
                reason.to_string(),
            );
        }
    }
    out
}

fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn assert_fails_with(out: &Output, needles: &[&str]) {
    assert_eq!(
        out.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    for n in needles {
        assert!(err.contains(n), "'{n}' not in: {err}");
    }
}

#[test]
fn mutect2_vep_decisions_match_hand_expectations() {
    let dir = tempfile::tempdir().unwrap();
    let vcf = data("mutect2_vep.vcf");
    let bed = data("targets.bed");
    let mut args = vec!["--targets", bed.to_str().unwrap()];
    args.extend_from_slice(STANDARD);
    let (out, prefix) = run_tmb(&vcf, &args, dir.path());
    assert_ok(&out);
    assert_eq!(reasons(&prefix), expected(&vcf));
    let j = json(&prefix);
    // 22 records, two of them with two ALTs.
    assert_eq!(j["records"], 22);
    assert_eq!(j["variants_total"], 24);
    assert_eq!(j["variants_counted"], 11);
    // chr1 [999, 200000) + chr2 [999, 100000): overlapping target blocks merged.
    assert_eq!(j["effective_size_bp"], 199_001 + 99_001);
    let tmb = j["tmb"].as_f64().unwrap();
    assert!((tmb - 11.0 / 0.298002).abs() < 1e-9, "{tmb}");
    // scipy: chi2.ppf(0.025, 22)/2 / 0.298002 and chi2.ppf(0.975, 24)/2 / 0.298002.
    let ci = j["tmb_ci95"].as_array().unwrap();
    assert!((ci[0].as_f64().unwrap() - 18.42658897335199).abs() < 1e-6);
    assert!((ci[1].as_f64().unwrap() - 66.04666583882643).abs() < 1e-6);
    assert_eq!(j["tmb_high"], true);
    assert_eq!(j["sample"], "tumour");
    assert_eq!(j["normal_sample"], "normal");
    assert_eq!(j["caller"], "mutect2");
    assert_eq!(j["excluded"]["not_nonsynonymous"], 5);
    assert_eq!(j["excluded"]["outside_targets"], 1);
}

#[test]
fn contig_names_without_chr_give_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    let vcf = data("mutect2_vep.vcf");
    let a = data("targets.bed");
    let b = data("targets_nochr.bed");
    let mut args_a = vec!["--targets", a.to_str().unwrap()];
    args_a.extend_from_slice(STANDARD);
    let mut args_b = vec!["--targets", b.to_str().unwrap()];
    args_b.extend_from_slice(STANDARD);
    let (out_a, pa) = run_tmb(&vcf, &args_a, &dir.path().join("a"));
    let (out_b, pb) = run_tmb(&vcf, &args_b, &dir.path().join("b"));
    assert_ok(&out_a);
    assert_ok(&out_b);
    assert_eq!(json(&pa)["variants_counted"], json(&pb)["variants_counted"]);
    assert_eq!(reasons(&pa), reasons(&pb));
}

#[test]
fn bcf_bgzip_stdin_and_threads_give_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let vcf = data("mutect2_vep.vcf");
    let eff = ["--effective-size", "1000000"];
    let (out, plain) = run_tmb(&vcf, &eff, &dir.path().join("plain"));
    assert_ok(&out);
    let table = std::fs::read(format!("{}.tmb.variants.tsv", plain.display())).unwrap();

    // BCF made by bcftools (see make_tmb_data.py).
    let (out, bcf) = run_tmb(&data("mutect2_vep.bcf"), &eff, &dir.path().join("bcf"));
    assert_ok(&out);
    assert_eq!(
        std::fs::read(format!("{}.tmb.variants.tsv", bcf.display())).unwrap(),
        table
    );

    // bgzip, read with 1 and 2 decompression/worker threads.
    let gz = dir.path().join("in.vcf.gz");
    let mut w = noodles::bgzf::io::Writer::new(std::fs::File::create(&gz).unwrap());
    w.write_all(&std::fs::read(&vcf).unwrap()).unwrap();
    w.finish().unwrap();
    for t in ["1", "2"] {
        let mut args = vec!["-t", t];
        args.extend_from_slice(&eff);
        let (out, p) = run_tmb(&gz, &args, &dir.path().join(format!("gz{t}")));
        assert_ok(&out);
        assert_eq!(
            std::fs::read(format!("{}.tmb.variants.tsv", p.display())).unwrap(),
            table
        );
    }

    // stdin.
    let prefix = dir.path().join("stdin/S");
    let mut child = Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .args([
            "tmb",
            "--vcf",
            "-",
            "--effective-size",
            "1000000",
            "-o",
            prefix.to_str().unwrap(),
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(&vcf).unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_ok(&out);
    assert_eq!(
        std::fs::read(format!("{}.tmb.variants.tsv", prefix.display())).unwrap(),
        table
    );
}

#[test]
fn every_caller_reads_its_own_fields() {
    let bed = data("targets.bed");
    for (file, caller) in [
        ("strelka_snvs.vcf", "strelka2"),
        ("strelka_indels.vcf", "strelka2"),
        ("varscan.vcf", "varscan2"),
        ("freebayes.vcf", "freebayes"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let vcf = data(file);
        let mut args = vec!["--targets", bed.to_str().unwrap(), "--count", "all"];
        args.extend_from_slice(STANDARD);
        let (out, prefix) = run_tmb(&vcf, &args, dir.path());
        assert_ok(&out);
        assert_eq!(json(&prefix)["caller"], caller, "{file}");
        assert_eq!(reasons(&prefix), expected(&vcf), "{file}");
    }
}

#[test]
fn snpeff_annotation_and_cohort_af_is_not_population_af() {
    let dir = tempfile::tempdir().unwrap();
    let vcf = data("snpeff_ann.vcf");
    let (out, prefix) = run_tmb(
        &vcf,
        &[&["--effective-size", "1000000"], STANDARD].concat(),
        dir.path(),
    );
    assert_ok(&out);
    assert_eq!(reasons(&prefix), expected(&vcf));
    let j = json(&prefix);
    assert_eq!(j["annotation"], "snpeff");
    // pyTMB counts 3 on this file with its snpEff config (tests/data/pytmb/README.md).
    assert_eq!(j["variants_counted"], 3);
}

#[test]
fn normal_sample_filters() {
    let dir = tempfile::tempdir().unwrap();
    let (out, prefix) = run_tmb(
        &data("mutect2_vep.vcf"),
        &[
            "--effective-size",
            "1000000",
            "--count",
            "all",
            "--max-normal-vaf",
            "0.05",
        ],
        dir.path(),
    );
    assert_ok(&out);
    let r = reasons(&prefix);
    // chr2:9000's normal has AD 20,10 and AF 0.333.
    assert_eq!(
        r[&("chr2".to_string(), 9000, "T".to_string())],
        "high_normal_vaf"
    );
    assert_eq!(json(&prefix)["excluded"]["high_normal_vaf"], 1);
}

#[test]
fn presets_fill_filters_and_flags_override_them() {
    let dir = tempfile::tempdir().unwrap();
    let (out, prefix) = run_tmb(
        &data("mutect2_vep.vcf"),
        &["--preset", "pytmb-wes"],
        &dir.path().join("a"),
    );
    assert_ok(&out);
    let j = json(&prefix);
    assert_eq!(j["effective_size_bp"], 33_280_000);
    assert_eq!(j["params"]["filters"]["min_depth"], 20);
    assert_eq!(j["params"]["filters"]["max_population_af"], 0.001);
    let (out, prefix) = run_tmb(
        &data("mutect2_vep.vcf"),
        &[
            "--preset",
            "msk-impact",
            "--min-alt-reads",
            "3",
            "--effective-size",
            "1000000",
        ],
        &dir.path().join("b"),
    );
    assert_ok(&out);
    let j = json(&prefix);
    assert_eq!(j["params"]["filters"]["min_alt_reads"], 3);
    assert_eq!(j["params"]["filters"]["min_vaf"], 0.05);
}

#[test]
fn empty_vcf_is_zero_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (out, prefix) = run_tmb(
        &data("empty.vcf"),
        &["--effective-size", "30000000"],
        dir.path(),
    );
    assert_ok(&out);
    let j = json(&prefix);
    assert_eq!(j["variants_counted"], 0);
    assert_eq!(j["tmb"], 0.0);
    assert_eq!(j["tmb_ci95"][0], 0.0);
    assert_eq!(j["tmb_high"], false);
}

#[test]
fn bad_inputs_fail_with_one_clear_line_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let vcf = data("mutect2_vep.vcf");
    let bad_bed = data("targets_unknown_contig.bed");

    let (out, prefix) = run_tmb(&vcf, &["--targets", bad_bed.to_str().unwrap()], dir.path());
    assert_fails_with(&out, &["targets_unknown_contig.bed", "chr9"]);
    assert!(!Path::new(&format!("{}.tmb.json", prefix.display())).exists());
    assert!(!Path::new(&format!("{}.tmb.variants.tsv", prefix.display())).exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).map_or(0, |d| d.count()),
        0,
        "partial files left"
    );

    let (out, _) = run_tmb(
        &vcf,
        &["--effective-size", "1000", "--sample", "nobody"],
        dir.path(),
    );
    assert_fails_with(&out, &["'nobody' not found", "normal, tumour"]);

    // Two samples and no ##tumor_sample line.
    let text = std::fs::read_to_string(&vcf)
        .unwrap()
        .replace("##tumor_sample=tumour\n", "");
    let two = dir.path().join("two.vcf");
    std::fs::write(&two, text).unwrap();
    let (out, _) = run_tmb(&two, &["--effective-size", "1000"], dir.path());
    assert_fails_with(&out, &["--sample", "normal, tumour"]);

    // Non-numeric AD.
    let text = std::fs::read_to_string(&vcf)
        .unwrap()
        .replace("0/1:60,20:0.25:80", "0/1:60,x:0.25:80");
    let garbled = dir.path().join("garbled.vcf");
    std::fs::write(&garbled, text).unwrap();
    let (out, _) = run_tmb(&garbled, &["--effective-size", "1000"], dir.path());
    assert_fails_with(&out, &["garbled.vcf", "chr1:1500", "FORMAT/AD", "'x'"]);

    // A coding class asked of an unannotated VCF.
    let (out, _) = run_tmb(
        &data("varscan.vcf"),
        &["--effective-size", "1000"],
        dir.path(),
    );
    assert_fails_with(&out, &["annotate", "--count all"]);

    // Truncated bgzip.
    let gz = dir.path().join("t.vcf.gz");
    let mut w = noodles::bgzf::io::Writer::new(std::fs::File::create(&gz).unwrap());
    let body = std::fs::read_to_string(&vcf).unwrap();
    let records: String = body
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    w.write_all(body.as_bytes()).unwrap();
    for _ in 0..3000 {
        w.write_all(records.as_bytes()).unwrap();
    }
    w.finish().unwrap();
    let bytes = std::fs::read(&gz).unwrap();
    std::fs::write(&gz, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let (out, _) = run_tmb(
        &gz,
        &["--effective-size", "1000", "--count", "all"],
        dir.path(),
    );
    assert_fails_with(&out, &["t.vcf.gz", "truncated"]);

    // No territory.
    let (out, _) = run_tmb(&vcf, &[], dir.path());
    assert_fails_with(&out, &["--targets", "--effective-size"]);

    // Usage errors exit 1 as well (clap's default would be 2).
    let out = run(&["tmb", "--vcf"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn result_does_not_depend_on_record_order() {
    let dir = tempfile::tempdir().unwrap();
    let vcf = data("mutect2_vep.vcf");
    let text = std::fs::read_to_string(&vcf).unwrap();
    let (header, records): (Vec<&str>, Vec<&str>) = text.lines().partition(|l| l.starts_with('#'));
    let mut reversed: Vec<&str> = header.clone();
    reversed.extend(records.iter().rev());
    let rev = dir.path().join("rev.vcf");
    std::fs::write(&rev, reversed.join("\n") + "\n").unwrap();
    let bed = data("targets.bed");
    let mut args = vec!["--targets", bed.to_str().unwrap()];
    args.extend_from_slice(STANDARD);
    let (o1, p1) = run_tmb(&vcf, &args, &dir.path().join("a"));
    let (o2, p2) = run_tmb(&rev, &args, &dir.path().join("b"));
    assert_ok(&o1);
    assert_ok(&o2);
    let (j1, j2) = (json(&p1), json(&p2));
    for key in [
        "variants_total",
        "variants_counted",
        "tmb",
        "tmb_ci95",
        "excluded",
    ] {
        assert_eq!(j1[key], j2[key], "{key}");
    }
    assert_eq!(reasons(&p1), reasons(&p2));
}
