//! Progress in a terminal (a pseudo-terminal from util-linux `script`): `run` draws bars with a
//! percentage and ETA, and a stage's warning printed while the bars are up comes out as one
//! whole line above them (the regression: warnings hidden behind, or torn by, the bars).

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The demo manifest with absolute paths and its results in `dir`.
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
        );
    let path = dir.join("m.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The text a terminal would show, line by line: escape sequences removed, `\r` and `\n` both
/// ending a line.
fn screen_lines(raw: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.peek() == Some(&'[') {
                chars.next();
                // CSI: parameters, then one final byte in @..~.
                for d in chars.by_ref() {
                    if ('@'..='~').contains(&d) {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(if c == '\r' { '\n' } else { c });
    }
    out.lines()
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn warnings_print_whole_above_the_bars() {
    if Command::new("script").arg("--version").output().is_err() {
        util::skip("skipping the terminal progress check: util-linux `script` is absent");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(dir.path());
    let command = format!(
        "{} run {}",
        env!("CARGO_BIN_EXE_immunoprofile"),
        m.display()
    );
    let out = Command::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .env("COLUMNS", "120")
        .env_remove("IMMUNOPROFILE_LOG")
        .output()
        .unwrap();
    let lines = screen_lines(&out.stdout);
    assert!(out.status.success(), "{lines:#?}");
    // The runner's bars, with percentage and ETA.
    assert!(
        lines
            .iter()
            .any(|l| l.contains('%') && l.contains("samples") && l.contains(" eta ")),
        "{lines:#?}"
    );
    // The demo's cold tumour types alleles the binding model does not serve: a warning while
    // the bars are drawn. It must stand alone on its line, whole.
    let warning = "typed alleles the built-in model does not serve are not scored";
    let hits: Vec<&String> = lines.iter().filter(|l| l.contains(warning)).collect();
    assert!(!hits.is_empty(), "{lines:#?}");
    for l in hits {
        assert!(l.starts_with("[WARN ]"), "torn warning: {l:?}");
        assert!(
            l.ends_with("HLA-B*01:01, HLA-C*02:01"),
            "torn warning: {l:?}"
        );
        assert!(!l.contains("samples") && !l.contains('['.to_string().repeat(2).as_str()));
    }
}
