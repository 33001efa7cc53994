//! `run` passes the manifest's `[params.neoantigens] format` to the stage: the plan's command
//! line carries it, and the run writes pVACseq's files beside ours; samplesheet class II molecules
//! reach the stage with `reference.imgt`.

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The demo manifest with absolute paths, `format = "both"`, results in `dir`.
fn manifest(dir: &Path) -> PathBuf {
    let demo = std::fs::read_to_string(root().join("workflows/demo.toml")).unwrap();
    let base = format!("{}/", root().display());
    let text = demo
        .replace(
            "output = \"../results/demo\"",
            &format!("output = \"{}\"", dir.join("results").display()),
        )
        .replace("\"../", &format!("\"{base}"))
        .replace(
            "samplesheet = \"demo_samples.csv\"",
            &format!("samplesheet = \"{base}workflows/demo_samples.csv\""),
        )
        .replace(
            "[params.hla]",
            "[params.neoantigens]\nformat = \"both\"\n\n[params.hla]",
        );
    // Guard against the demo manifest changing shape under this test.
    assert!(
        text.contains(&format!("output = \"{}", dir.display())),
        "{text}"
    );
    let path = dir.join("m.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn manifest_format_reaches_the_neoantigens_stage() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .arg("run")
        .arg(&m)
        .args(["--plan", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut seen = 0;
    for sample in plan["samples"].as_array().unwrap() {
        for stage in sample["stages"].as_array().unwrap() {
            if stage["stage"] == "neoantigens" {
                let cmd: Vec<&str> = stage["command"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect();
                let i = cmd.iter().position(|a| *a == "--format").unwrap();
                assert_eq!(cmd[i + 1], "both", "{cmd:?}");
                seen += 1;
            }
        }
    }
    assert_eq!(seen, 3, "one neoantigens job per demo sample");

    let out = Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .args(["-q", "run"])
        .arg(&m)
        .args(["--samples", "tumour_hyper"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = dir.path().join("results/tumour_hyper/tumour_hyper");
    for suffix in [
        "neoantigens.tsv",
        "MHC_I.all_epitopes.tsv",
        "MHC_I.filtered.tsv",
        "MHC_I.all_epitopes.aggregated.tsv",
    ] {
        let mut p = s.as_os_str().to_os_string();
        p.push(format!(".{suffix}"));
        assert!(Path::new(&p).is_file(), "{suffix} not written");
    }
}

/// The demo manifest with a samplesheet whose first sample mixes class II molecules into
/// `hla_alleles`, `reference.imgt` = `imgt`, results in `dir`.
fn class2_manifest(dir: &Path, imgt: &Path, stages: Option<&str>) -> PathBuf {
    let base = format!("{}/", root().display());
    let sheet = std::fs::read_to_string(root().join("workflows/demo_samples.csv"))
        .unwrap()
        .replace("../", &base)
        .replace(
            "HLA-A*02:01;HLA-B*07:02;HLA-C*07:02",
            "HLA-A*02:01;HLA-B*07:02;HLA-C*07:02;HLA-DRB1*01:01;DQA1*05:01-DQB1*02:01",
        );
    assert!(sheet.contains("DRB1*01:01"), "{sheet}");
    std::fs::write(dir.join("samples.csv"), sheet).unwrap();
    let mut text = std::fs::read_to_string(root().join("workflows/demo.toml"))
        .unwrap()
        .replace(
            "output = \"../results/demo\"",
            &format!("output = \"{}\"", dir.join("results").display()),
        )
        .replace(
            "samplesheet = \"demo_samples.csv\"",
            &format!("samplesheet = \"{}\"", dir.join("samples.csv").display()),
        )
        .replace(
            "imgt = \"../test-data/hla/imgt\"",
            &format!("imgt = \"{}\"", imgt.display()),
        )
        .replace("\"../", &format!("\"{base}"));
    if let Some(stages) = stages {
        let start = text.find("stages = [").unwrap();
        let end = start + text[start..].find(']').unwrap() + 1;
        text.replace_range(start..end, &format!("stages = [{stages}]"));
    }
    let path = dir.join("m.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn neoantigen_commands(m: &Path) -> Vec<(String, Vec<String>)> {
    let out = Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .arg("run")
        .arg(m)
        .args(["--plan", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut cmds = Vec::new();
    for sample in plan["samples"].as_array().unwrap() {
        for stage in sample["stages"].as_array().unwrap() {
            if stage["stage"] == "neoantigens" {
                let cmd = stage["command"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_string())
                    .collect();
                cmds.push((sample["sample"].as_str().unwrap().to_string(), cmd));
            }
        }
    }
    cmds
}

/// Samplesheet class II molecules reach `neoantigens` with `reference.imgt` as `--imgt`; a row
/// with class I alleles only gets no `--imgt`; a typed row gets it (its typed class II calls may
/// be scored).
#[test]
fn samplesheet_class_ii_molecules_reach_neoantigens_with_imgt() {
    let dir = tempfile::tempdir().unwrap();
    let imgt = root().join("test-data/hla/imgt");
    let m = class2_manifest(dir.path(), &imgt, None);
    let cmds = neoantigen_commands(&m);
    assert_eq!(cmds.len(), 3);
    let flag =
        |cmd: &[String], f: &str| cmd.iter().position(|a| a == f).map(|i| cmd[i + 1].clone());
    // Paths in the plan may be relative to the working directory (the crate root here).
    let same_dir = |given: Option<String>| {
        given
            .is_some_and(|g| root().join(g).canonicalize().unwrap() == imgt.canonicalize().unwrap())
    };
    for (sample, cmd) in &cmds {
        match sample.as_str() {
            "tumour_hyper" => {
                assert!(same_dir(flag(cmd, "--imgt")), "{cmd:?}");
                let alleles = flag(cmd, "--alleles").unwrap();
                assert!(
                    alleles.contains("HLA-DRB1*01:01") && alleles.contains("DQA1*05:01-DQB1*02:01"),
                    "{alleles}"
                );
            }
            "tumour_hot" => assert_eq!(flag(cmd, "--imgt"), None, "{cmd:?}"),
            "tumour_cold" => {
                assert!(flag(cmd, "--hla-json").is_some());
                assert!(same_dir(flag(cmd, "--imgt")), "{cmd:?}");
            }
            other => panic!("{other}"),
        }
    }

    // The run itself, with the real release (class II pseudo-sequences need DRA/DRB1/DQ chains).
    let shared = root().join("../shared/data/imgt-hla/3.30.0");
    if !shared.join("fasta/DRB1_prot.fasta").is_file() {
        util::skip(&format!(
            "skipping the class II run: {} is absent",
            shared.display()
        ));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let m = class2_manifest(dir.path(), &shared, Some("\"annotate\", \"neoantigens\""));
    let out = Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .args(["-q", "run"])
        .arg(&m)
        .args(["--samples", "tumour_hyper"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = dir.path().join("results/tumour_hyper/tumour_hyper");
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}.neoantigens.json", s.display())).unwrap(),
    )
    .unwrap();
    assert_eq!(
        json["class2"]["molecules"],
        serde_json::json!(["HLA-DRA*01:01/DRB1*01:01", "HLA-DQA1*05:01/DQB1*02:01"])
    );
    let table =
        std::fs::read_to_string(format!("{}.neoantigens.class2.all.tsv", s.display())).unwrap();
    assert_eq!(
        table.lines().count() as u64 - 1,
        json["class2"]["epitopes"].as_u64().unwrap()
    );
}
