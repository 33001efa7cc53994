//! The bad-input corpus (issue 11): every file under `tests/bad_inputs/` is run through the stage
//! `cases.tsv` names, and the outcome checked: the expected exit code (1 for bad input, never 2
//! or a panic), an error of at most three lines naming the file and holding the case's key words,
//! and no output left behind.

use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs")
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn every_bad_input_fails_cleanly() {
    let table = std::fs::read_to_string(corpus().join("cases.tsv")).unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-data");
    let mut problems = Vec::new();
    let mut n = 0;
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let (case, command, code, words) = (cols[0], cols[1], cols[2], cols.get(3).copied());
        let input = corpus().join(case);
        assert!(input.exists(), "{case}: missing file");
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out").join("S");
        let text = std::fs::read_to_string(&input).unwrap_or_default();
        let args: Vec<String> = command
            .split(' ')
            .map(|a| {
                a.replace("@{in}", text.trim())
                    .replace("{in}", input.to_str().unwrap())
                    .replace("{data}", data.to_str().unwrap())
                    .replace("{out}", out.to_str().unwrap())
            })
            .collect();
        let o = Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
            .args(&args)
            .env("IMMUNOPROFILE_LOG", "warn")
            .output()
            .unwrap();
        n += 1;
        let stderr = String::from_utf8_lossy(&o.stderr);
        let got = o.status.code();
        let want: i32 = code.parse().unwrap();
        if got != Some(want) {
            problems.push(format!("{case}: exit {got:?}, expected {want}: {stderr}"));
            continue;
        }
        if want == 0 {
            continue;
        }
        let error: Vec<&str> = stderr
            .lines()
            .skip_while(|l| !l.starts_with("immunoprofile: error"))
            .collect();
        if error.is_empty() || error.len() > 3 {
            problems.push(format!("{case}: error of {} lines: {stderr}", error.len()));
        }
        let message = error.join("\n");
        // Allele cases pass the file's text as the value: the message names the allele instead.
        let names_file = !command.contains("@{in}");
        if names_file && !message.contains(case) {
            problems.push(format!(
                "{case}: the message does not name the file: {message}"
            ));
        }
        for w in words.unwrap_or("").split(';').filter(|w| !w.is_empty()) {
            if !message.contains(w) {
                problems.push(format!("{case}: '{w}' missing from: {message}"));
            }
        }
        let left = files_under(dir.path());
        if !left.is_empty() {
            problems.push(format!("{case}: output left behind: {left:?}"));
        }
    }
    assert!(n >= 53, "only {n} cases");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
