//! `-o -`: a stage's main output on stdout, the same bytes as the file `-o PREFIX` writes, and no
//! file named `-.*` left behind; stages whose outputs belong together refuse with the reason.
//! Also the generated shell completions and man pages from the binary itself.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn demo(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test-data/demo")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run immunoprofile")
}

/// Runs `args` with `-o -` and with `-o dir/ref`; returns stdout and the reference prefix.
fn both_ways(dir: &Path, args: &[&str]) -> (Vec<u8>, PathBuf) {
    let mut a: Vec<&str> = args.to_vec();
    a.extend(["-o", "-"]);
    let out = run_in(dir, &a);
    assert!(
        out.status.success(),
        "{a:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // stderr is a pipe here: log lines only, no progress bar or terminal control codes.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains('\x1b') && !err.contains('\r') && !err.contains(" eta "),
        "{err}"
    );
    assert!(err.lines().all(|l| l.starts_with('[')), "{err}");
    let prefix = dir.join("ref");
    let mut a: Vec<&str> = args.to_vec();
    a.extend(["-q", "-o", prefix.to_str().unwrap()]);
    let reference = run_in(dir, &a);
    assert!(reference.status.success());
    (out.stdout, prefix)
}

fn no_dash_files(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name();
        assert!(
            !name.to_string_lossy().starts_with('-'),
            "-o - left a file {name:?}"
        );
    }
}

fn read(prefix: &Path, suffix: &str) -> Vec<u8> {
    let mut p = prefix.as_os_str().to_os_string();
    p.push(".");
    p.push(suffix);
    std::fs::read(PathBuf::from(p)).unwrap()
}

/// tmb's JSON on stdout is the file's bytes (the regression: `-o -` wrote `-.tmb.json`).
#[test]
fn tmb_json_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let (gtf, fasta, bed, vcf) = (
        demo("genes.gtf"),
        demo("genome.fa"),
        demo("genome.bed"),
        demo("tumour_hot.somatic.vcf"),
    );
    let (stdout, prefix) = both_ways(
        dir.path(),
        &[
            "tmb",
            "--vcf",
            &vcf,
            "--gtf",
            &gtf,
            "--fasta",
            &fasta,
            "--targets",
            &bed,
        ],
    );
    assert_eq!(stdout, read(&prefix, "tmb.json"));
    let json: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(json["sample"], "tumour_hot");
    assert!(
        !String::from_utf8_lossy(&stdout).contains("-stdout-"),
        "no temporary path in the output"
    );
    no_dash_files(dir.path());
}

/// binding's table on stdout; the peptides come from stdin's neighbour, a file.
#[test]
fn binding_table_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let peptides = dir.path().join("p.txt");
    std::fs::write(&peptides, "SIINFEKL\nGILGFVFTL\n").unwrap();
    let (stdout, prefix) = both_ways(
        dir.path(),
        &[
            "binding",
            "--alleles",
            "HLA-A*02:01",
            "--peptides",
            peptides.to_str().unwrap(),
        ],
    );
    assert_eq!(stdout, read(&prefix, "binding.tsv"));
    let text = String::from_utf8(stdout).unwrap();
    assert!(text.starts_with("peptide\tallele\tlength\tic50\tpercentile\n"));
    assert_eq!(text.lines().count(), 3);
    no_dash_files(dir.path());
}

/// `msi scan -o -` (a file, not a prefix) writes the sites list to stdout.
#[test]
fn msi_scan_sites_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let fasta = demo("genome.fa");
    let out = run_in(dir.path(), &["msi", "scan", "--fasta", &fasta, "-o", "-"]);
    assert!(out.status.success());
    let reference = run_in(
        dir.path(),
        &["msi", "scan", "--fasta", &fasta, "-o", "sites.tsv", "-q"],
    );
    assert!(reference.status.success());
    assert_eq!(
        out.stdout,
        std::fs::read(dir.path().join("sites.tsv")).unwrap()
    );
    assert!(out.stdout.len() > 100);
    no_dash_files(dir.path());
}

/// `report -o -` cannot put an HTML page and its JSON on one stream: exit 1, one line that
/// says why and what to give instead, and nothing written.
#[test]
fn report_refuses_stdout_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["report", "--dir", ".", "-o", "-"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cannot write to stdout") && err.contains("belong together"));
    assert!(err.contains("-o PREFIX"), "{err}");
    assert!(out.stdout.is_empty());
    no_dash_files(dir.path());
    let out = run_in(dir.path(), &["run", "x.toml", "--output", "-"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("results folder"));
}

/// A failing stage under `-o -` leaves no temporary folder and prints nothing on stdout.
#[test]
fn failure_under_stdout_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .current_dir(dir.path())
        .args([
            "tmb",
            "--vcf",
            "missing.vcf",
            "--effective-size",
            "1000000",
            "-o",
            "-",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let left = std::env::temp_dir().join(format!("immunoprofile-tmb-stdout-{pid}-0"));
    assert!(!left.exists(), "{} left behind", left.display());
}

/// The completion scripts name the subcommands and their flags; the man pages are written.
#[test]
fn completions_and_man_pages_from_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run_in(dir.path(), &["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        for word in ["neoantigens", "min-vaf", "list-alleles"] {
            assert!(text.contains(word), "{shell} completions lack {word}");
        }
    }
    let out = run_in(dir.path(), &["completions", "tcsh"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "an unknown shell is a usage error"
    );
    let out = run_in(dir.path(), &["man", "pages", "-q"]);
    assert!(out.status.success());
    let pages = std::fs::read_dir(dir.path().join("pages")).unwrap().count();
    assert!(pages >= 19, "{pages} pages");
    let tmb = std::fs::read_to_string(dir.path().join("pages/immunoprofile-tmb.1")).unwrap();
    assert!(tmb.contains("Maximum tumour VAF"));
}
