//! `msi` against simulated truth (cases made at run time by `examples/msi_simulate/sim.rs`),
//! bad inputs, thread-count determinism, the CLI, and the real nf-core tumour/normal pair.

mod util;

#[path = "../examples/msi_simulate/sim.rs"]
mod sim;

use std::path::{Path, PathBuf};
use std::process::Command;

use immunoprofile::msi::baseline::{self, BaselineParams};
use immunoprofile::msi::scan::{run_scan, ScanJob, ScanParams};
use immunoprofile::msi::{self, MsiParams, MsiResult};

fn case(dir: &Path, n_unstable: usize, depth: u32, purity: f64, seed: u64) -> sim::Case {
    let spec = sim::CaseSpec {
        n_sites: 200,
        spacing: 220,
        n_unstable,
        tumor: sim::SampleSpec::tumor(depth, purity, seed + 1),
        normal: sim::SampleSpec::normal(depth, seed + 2),
        seed,
    };
    sim::make_case(dir, &spec).unwrap()
}

fn paired(c: &sim::Case) -> MsiParams {
    MsiParams {
        tumor_bam: c.tumor.clone(),
        normal_bam: Some(c.normal.clone()),
        fasta: c.fasta.clone(),
        ..MsiParams::default()
    }
}

/// (true positives, false positives, false negatives) of the per-site calls.
fn confusion(c: &sim::Case, r: &MsiResult) -> (usize, usize, usize) {
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for call in &r.sites {
        let i = c
            .planted
            .iter()
            .position(|p| p.start as u64 == call.site.start)
            .expect("every scanned site is a planted one");
        match (call.unstable, c.unstable[i].is_some()) {
            (Some(true), true) => tp += 1,
            (Some(true), false) => fp += 1,
            (Some(false), true) => fn_ += 1,
            _ => {}
        }
    }
    (tp, fp, fn_)
}

#[test]
fn scan_finds_exactly_the_planted_sites() {
    let dir = tempfile::tempdir().unwrap();
    let (seq, planted) = sim::make_reference(200, 220, 7);
    let fasta = dir.path().join("ref.fa");
    sim::write_fasta(&fasta, &seq).unwrap();
    let out = dir.path().join("sites.tsv");
    let n = run_scan(&ScanJob {
        fasta: fasta.clone(),
        targets: None,
        params: ScanParams::default(),
        output: out.clone(),
    })
    .unwrap();
    assert_eq!(n, 200);
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    for (row, p) in rows.iter().zip(&planted) {
        let f: Vec<&str> = row.split('\t').collect();
        assert_eq!(f[1].parse::<usize>().unwrap(), p.start + 1, "{row}");
        assert_eq!(f[2].parse::<usize>().unwrap(), p.end(), "{row}");
        assert_eq!(f[3].as_bytes(), p.unit.as_slice(), "{row}");
        assert_eq!(f[4].parse::<u32>().unwrap(), p.repeats, "{row}");
        // Flanks are the reference bases beside the repeat.
        assert_eq!(f[5].as_bytes(), &seq[p.start - 5..p.start]);
        assert_eq!(f[6].as_bytes(), &seq[p.end()..p.end() + 5]);
    }
    // Targets: a BED over the first 10 sites keeps exactly them.
    let bed = dir.path().join("t.bed");
    std::fs::write(&bed, format!("sim1\t0\t{}\n", planted[9].end())).unwrap();
    let n = run_scan(&ScanJob {
        fasta,
        targets: Some(bed),
        params: ScanParams::default(),
        output: out,
    })
    .unwrap();
    assert_eq!(n, 10);
}

#[test]
fn msi_high_tumour_is_called_with_the_true_score() {
    let dir = tempfile::tempdir().unwrap();
    // 40 of 200 sites unstable: truth 20%.
    let c = case(dir.path(), 40, 80, 0.6, 100);
    let r = msi::compute(&paired(&c)).unwrap();
    let s = &r.summary;
    assert_eq!(s.status, "MSI-H");
    assert_eq!(s.sites_evaluated, 200);
    let score = s.score.unwrap();
    assert!((score - 20.0).abs() <= 3.0, "score {score}");
    let (tp, fp, fn_) = confusion(&c, &r);
    assert!(tp >= 36, "tp {tp} fn {fn_}");
    assert!(fp <= 2, "fp {fp}");
}

#[test]
fn stable_tumour_is_mss() {
    let dir = tempfile::tempdir().unwrap();
    let c = case(dir.path(), 0, 80, 0.6, 200);
    let r = msi::compute(&paired(&c)).unwrap();
    assert_eq!(r.summary.status, "MSS");
    assert!(r.summary.score.unwrap() < 1.5, "{:?}", r.summary.score);
}

#[test]
fn borderline_score_is_close_to_truth() {
    let dir = tempfile::tempdir().unwrap();
    // 8 of 200 = 4%, just over MSIsensor's 3.5% cut-off; low purity makes it harder.
    let c = case(dir.path(), 8, 100, 0.4, 300);
    let r = msi::compute(&paired(&c)).unwrap();
    let score = r.summary.score.unwrap();
    assert!((score - 4.0).abs() <= 1.5, "score {score}");
    let (tp, fp, _) = confusion(&c, &r);
    assert!(tp >= 6 && fp <= 2, "tp {tp} fp {fp}");
}

#[test]
fn low_coverage_is_undetermined_not_a_division_by_zero() {
    let dir = tempfile::tempdir().unwrap();
    let c = case(dir.path(), 40, 8, 0.6, 400);
    let prefix = dir.path().join("out/low");
    let s = msi::run(&paired(&c), &prefix).unwrap();
    assert_eq!(s.status, "undetermined");
    assert_eq!(s.sites_evaluated, 0);
    assert!(s.score.is_none());
    assert!(
        s.reason
            .as_deref()
            .unwrap()
            .contains("at least 20 spanning reads"),
        "{:?}",
        s.reason
    );
    assert_eq!(s.excluded.get("low_coverage"), Some(&200));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/low.msi.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["status"], "undetermined");
    assert!(json["score"].is_null());
    // Lowering the bar evaluates them, but too few sites per --min-sites is still undetermined
    // when asked for more sites than there are.
    let mut p = paired(&c);
    p.min_coverage = 5;
    p.min_sites = 500;
    let s = msi::compute(&p).unwrap().summary;
    assert_eq!(s.status, "undetermined");
    assert!(s.score.is_some());
}

#[test]
fn bad_inputs_fail_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let c = case(dir.path(), 10, 25, 0.6, 500);
    // BAM without index.
    let noindex = dir.path().join("noindex.bam");
    std::fs::copy(&c.tumor, &noindex).unwrap();
    let mut p = paired(&c);
    p.tumor_bam = noindex;
    let e = msi::compute(&p).unwrap_err();
    assert!(e.to_string().contains("samtools index"), "{e}");
    assert_eq!(e.exit_code(), 1);

    // A sites file made from another reference (same contig name and length, other bases).
    let other = dir.path().join("other");
    let oc = case(&other, 0, 1, 0.0, 501);
    let sites = dir.path().join("other.sites.tsv");
    run_scan(&ScanJob {
        fasta: oc.fasta,
        targets: None,
        params: ScanParams::default(),
        output: sites.clone(),
    })
    .unwrap();
    let mut p = paired(&c);
    p.sites = Some(sites);
    let e = msi::compute(&p).unwrap_err().to_string();
    assert!(e.contains("another reference"), "{e}");

    // A sites file whose contig has another length.
    let short = dir.path().join("short.sites.tsv");
    std::fs::write(
        &short,
        "##immunoprofile-msi-sites=1\n##contig=<ID=sim1,length=100>\n",
    )
    .unwrap();
    let mut p = paired(&c);
    p.sites = Some(short);
    assert!(msi::compute(&p)
        .unwrap_err()
        .to_string()
        .contains("another reference"));

    // Neither a normal nor a baseline.
    let mut p = paired(&c);
    p.normal_bam = None;
    assert!(msi::compute(&p)
        .unwrap_err()
        .to_string()
        .contains("--baseline"));
}

#[test]
fn tumour_only_against_a_baseline_of_normals() {
    let dir = tempfile::tempdir().unwrap();
    let hi = case(&dir.path().join("hi"), 40, 80, 0.6, 600);
    // Three more normals of the same reference (different read seeds).
    let (seq, planted) = sim::make_reference(200, 220, 600);
    let none = vec![None; planted.len()];
    let mut normals = Vec::new();
    for i in 0..3 {
        let path = dir.path().join(format!("n{i}.bam"));
        sim::write_alignments(
            &path,
            &hi.fasta,
            &seq,
            &planted,
            &none,
            &sim::SampleSpec::normal(60, 700 + i),
            "N",
        )
        .unwrap();
        normals.push(path);
    }
    let base_path = dir.path().join("baseline.tsv");
    let (total, usable) = baseline::run(
        &BaselineParams {
            normals,
            fasta: hi.fasta.clone(),
            sites: None,
            scan: ScanParams::default(),
            reads: Default::default(),
            min_coverage: 20,
        },
        &base_path,
    )
    .unwrap();
    assert_eq!((total, usable), (200, 200));
    let tumour_only = |tumor: PathBuf| MsiParams {
        tumor_bam: tumor,
        baseline: Some(base_path.clone()),
        fasta: hi.fasta.clone(),
        ..MsiParams::default()
    };
    let r = msi::compute(&tumour_only(hi.tumor.clone())).unwrap();
    assert_eq!(r.summary.status, "MSI-H");
    let score = r.summary.score.unwrap();
    assert!((score - 20.0).abs() <= 3.0, "score {score}");
    let (tp, fp, _) = confusion(&hi, &r);
    assert!(tp >= 36 && fp <= 2, "tp {tp} fp {fp}");
    // The matched normal scored tumour-only is stable.
    let r = msi::compute(&tumour_only(hi.normal.clone())).unwrap();
    assert_eq!(r.summary.status, "MSS");
    assert!(r.summary.score.unwrap() < 1.5);
}

#[test]
fn same_bytes_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let c = case(dir.path(), 20, 40, 0.6, 800);
    let mut outputs = Vec::new();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let prefix = dir.path().join(format!("t{threads}"));
        pool.install(|| msi::run(&paired(&c), &prefix)).unwrap();
        outputs.push(std::fs::read(dir.path().join(format!("t{threads}.msi.sites.tsv"))).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn cli_accepts_the_design_form_and_the_subcommands() {
    let dir = tempfile::tempdir().unwrap();
    let c = case(dir.path(), 40, 40, 0.7, 900);
    let exe = env!("CARGO_BIN_EXE_immunoprofile");
    let d = |p: &str| dir.path().join(p);
    let ok = |args: &[&std::ffi::OsStr]| {
        let out = Command::new(exe).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let sites = d("sites.tsv");
    ok(&[
        "-q".as_ref(),
        "msi".as_ref(),
        "scan".as_ref(),
        "--fasta".as_ref(),
        c.fasta.as_os_str(),
        "-o".as_ref(),
        sites.as_os_str(),
    ]);
    for (form, prefix) in [(None, d("a")), (Some("score"), d("b"))] {
        let mut args: Vec<&std::ffi::OsStr> = vec!["msi".as_ref()];
        if let Some(f) = form {
            args.push(f.as_ref());
        }
        args.extend([
            "--tumor-bam".as_ref(),
            c.tumor.as_os_str(),
            "--normal-bam".as_ref(),
            c.normal.as_os_str(),
            "--fasta".as_ref(),
            c.fasta.as_os_str(),
            "--sites".as_ref(),
            sites.as_os_str(),
            "-o".as_ref(),
            prefix.as_os_str(),
            "-t".as_ref(),
            "2".as_ref(),
        ]);
        ok(&args);
    }
    let a = std::fs::read_to_string(d("a.msi.sites.tsv")).unwrap();
    assert_eq!(a, std::fs::read_to_string(d("b.msi.sites.tsv")).unwrap());
    assert!(a.starts_with("chrom\tpos\tend\tunit\ttumor_reads\tnormal_reads\tp_value\tunstable\t"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d("a.msi.json")).unwrap()).unwrap();
    assert_eq!(json["status"], "MSI-H");
    for field in [
        "sites_evaluated",
        "sites_unstable",
        "score",
        "status",
        "threshold",
    ] {
        assert!(!json[field].is_null(), "{field}");
    }
    // Missing index: exit code 1 and a one-line reason.
    let out = Command::new(exe)
        .args(["msi", "--tumor-bam"])
        .arg(d("missing.bam"))
        .arg("--normal-bam")
        .arg(&c.normal)
        .arg("--fasta")
        .arg(&c.fasta)
        .arg("-o")
        .arg(d("x"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

/// The committed case (test-data/msi, see its README): truth 18 of 60 sites unstable.
#[test]
fn committed_case_matches_its_truth() {
    let d = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/test-data/msi"));
    let p = MsiParams {
        tumor_bam: d.join("tumor.bam"),
        normal_bam: Some(d.join("normal.bam")),
        fasta: d.join("ref.fa"),
        ..MsiParams::default()
    };
    let r = msi::compute(&p).unwrap();
    assert_eq!(r.summary.status, "MSI-H");
    assert_eq!(r.summary.sites_evaluated, 60);
    let truth = std::fs::read_to_string(d.join("truth.tsv")).unwrap();
    let truth: Vec<(u64, bool)> = truth
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[1].parse().unwrap(), f[5] == "true")
        })
        .collect();
    assert_eq!(truth.iter().filter(|t| t.1).count(), 18);
    let mut tp = 0;
    let mut fp = 0;
    for (call, (pos, unstable)) in r.sites.iter().zip(&truth) {
        assert_eq!(call.site.start + 1, *pos);
        match (call.unstable == Some(true), unstable) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            _ => {}
        }
    }
    assert!(tp >= 14 && fp <= 1, "tp {tp} fp {fp}");
}

#[test]
fn cram_gives_the_same_calls_as_bam() {
    let dir = tempfile::tempdir().unwrap();
    let c = case(dir.path(), 30, 30, 0.6, 1000);
    let (seq, planted) = sim::make_reference(200, 220, 1000);
    let tumor = dir.path().join("tumor.cram");
    let normal = dir.path().join("normal.cram");
    let spec = sim::CaseSpec {
        n_sites: 200,
        spacing: 220,
        n_unstable: 30,
        tumor: sim::SampleSpec::tumor(30, 0.6, 1001),
        normal: sim::SampleSpec::normal(30, 1002),
        seed: 1000,
    };
    sim::write_alignments(
        &tumor,
        &c.fasta,
        &seq,
        &planted,
        &c.unstable,
        &spec.tumor,
        "TUMOR",
    )
    .unwrap();
    sim::write_alignments(
        &normal,
        &c.fasta,
        &seq,
        &planted,
        &c.unstable,
        &spec.normal,
        "NORMAL",
    )
    .unwrap();
    let table = |p: &MsiParams| {
        let mut v = Vec::new();
        msi::write_sites(&msi::compute(p).unwrap().sites, &mut v).unwrap();
        String::from_utf8(v).unwrap()
    };
    let bam = table(&paired(&c));
    let cram = table(&MsiParams {
        tumor_bam: tumor,
        normal_bam: Some(normal),
        ..paired(&c)
    });
    assert_eq!(bam, cram);
    assert!(bam.contains("\ttrue\t"));
}

fn nfcore() -> Option<PathBuf> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/upstream/nf-core-test-datasets/data/genomics/homo_sapiens"
    ));
    if dir.join("genome/genome.fasta").exists() {
        Some(dir.to_path_buf())
    } else {
        util::skip("skipping: ../shared/data/upstream/nf-core-test-datasets is absent");
        None
    }
}

/// The nf-core chr22 pair (test = normal, test2 = tumour of the same individual, no MSI):
/// BAM and CRAM must give identical results, and the call must not be MSI-H.
#[test]
fn nfcore_pair_is_not_msi_high_and_cram_equals_bam() {
    let Some(d) = nfcore() else { return };
    let fasta = d.join("genome/genome.fasta");
    let run = |ext: &str| {
        let p = MsiParams {
            tumor_bam: d.join(format!("illumina/{ext}/test2.paired_end.sorted.{ext}")),
            normal_bam: Some(d.join(format!("illumina/{ext}/test.paired_end.sorted.{ext}"))),
            fasta: fasta.clone(),
            min_coverage: 5,
            ..MsiParams::default()
        };
        msi::compute(&p).unwrap()
    };
    let bam = run("bam");
    let cram = run("cram");
    let table = |r: &MsiResult| {
        let mut v = Vec::new();
        msi::write_sites(&r.sites, &mut v).unwrap();
        v
    };
    assert_eq!(table(&bam), table(&cram));
    assert_eq!(bam.summary.sites_evaluated, cram.summary.sites_evaluated);
    assert_eq!(bam.summary.sites_unstable, cram.summary.sites_unstable);
    assert_ne!(bam.summary.status, "MSI-H", "{:?}", bam.summary);
    // Same individual, no MSI: no site should differ.
    assert!(bam.summary.sites_evaluated > 0);
    assert_eq!(bam.summary.sites_unstable, 0);
    eprintln!(
        "nf-core pair: {} sites, {} evaluated, {} unstable, status {}",
        bam.summary.sites_total,
        bam.summary.sites_evaluated,
        bam.summary.sites_unstable,
        bam.summary.status
    );
}
