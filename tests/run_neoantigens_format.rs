//! `run` passes the manifest's `[params.neoantigens] format` to the stage: the plan's command
//! line carries it, and the run writes pVACseq's files beside ours.

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
