//! The Nextflow and Snakemake integrations against this build: every flag a Nextflow module
//! passes exists in `immunoprofile STAGE --help`; the modules keep the nf-core shape; every `.nf`
//! file parses as Groovy (groovy-parser, slow: `--ignored`); and Snakemake on the demo writes
//! the same bytes as `immunoprofile run`.

mod util;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_immunoprofile"));
    c.current_dir(root());
    c
}

fn modules() -> Vec<PathBuf> {
    let dir = root().join("workflows/nextflow/modules/local");
    let mut m: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("main.nf").is_file())
        .collect();
    m.sort();
    m
}

/// The subcommand and every `--flag` of the `immunoprofile` command in a module's script block.
fn command_flags(text: &str) -> (String, BTreeSet<String>) {
    let script = text
        .split("script:")
        .nth(1)
        .and_then(|s| s.split("stub:").next())
        .expect("a script: block before stub:");
    let start = script
        .find("immunoprofile ")
        .expect("an immunoprofile command");
    let command: String = script[start..]
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let stage = command.split_whitespace().nth(1).unwrap().to_string();
    let mut flags = BTreeSet::new();
    // Flags written in the command and in the `def` lines that build optional parts of it.
    let defs: String = script[..start]
        .lines()
        .filter(|l| l.contains("\"--"))
        .collect::<Vec<_>>()
        .join("\n");
    for text in [command.as_str(), defs.as_str()] {
        for (i, _) in text.match_indices("--") {
            let flag: String = text[i + 2..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            if !flag.is_empty() {
                flags.insert(flag);
            }
        }
    }
    (stage, flags)
}

fn balanced(text: &str) -> bool {
    let (mut depth, mut ok) = (0i64, true);
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                ok &= depth >= 0;
            }
            _ => {}
        }
    }
    ok && depth == 0
}

#[test]
fn nextflow_modules_keep_the_nf_core_shape_and_pass_only_real_flags() {
    let mut checked = 0;
    for dir in modules() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(dir.join("main.nf")).unwrap();
        // Structural check (the Groovy parse is the ignored test below; `nf-core modules lint`
        // is workflows/nextflow/lint.sh).
        assert!(balanced(&text), "{name}: unbalanced braces");
        for needle in [
            "label '",
            "conda \"${moduleDir}/environment.yml\"",
            "container ",
            "input:",
            "output:",
            "emit: versions",
            "task.ext.when",
            "stub:",
        ] {
            assert!(text.contains(needle), "{name}: no `{needle}`");
        }
        for file in [
            "meta.yml",
            "environment.yml",
            "tests/main.nf.test",
            "tests/main.nf.test.snap",
        ] {
            assert!(dir.join(file).is_file(), "{name}: no {file}");
        }
        if !text.contains("process IMMUNOPROFILE_") {
            // A module of another tool (MULTIQC): no immunoprofile command to check.
            checked += 1;
            continue;
        }
        assert!(
            text.contains("topic: versions"),
            "{name}: no `topic: versions`"
        );
        if name != "cohort" {
            for needle in [
                "tag \"$meta.id\"",
                "tuple val(meta), path(",
                "task.ext.args",
                "task.ext.prefix",
                "--threads $task.cpus",
            ] {
                assert!(text.contains(needle), "{name}: no `{needle}`");
            }
        }
        let meta = std::fs::read_to_string(dir.join("meta.yml"))
            .unwrap_or_else(|_| panic!("{name}: no meta.yml"));
        assert!(
            meta.contains("input:") && meta.contains("output:") && meta.contains("topics:"),
            "{name}: meta.yml lacks input, output or topics"
        );

        let (stage, flags) = command_flags(&text);
        let help = bin().args([stage.as_str(), "--help"]).output().unwrap();
        assert!(
            help.status.success(),
            "module {name} runs `immunoprofile {stage}`, which this build does not have"
        );
        let help = String::from_utf8_lossy(&help.stdout);
        for flag in &flags {
            assert!(
                help.contains(&format!("--{flag}")),
                "module {name} passes --{flag}, which `immunoprofile {stage} --help` does not list"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, modules().len());
}

/// Every file pattern a Nextflow module declares as output is a file its stage writes
/// (`immunoprofile stages --json`), and the stubs touch exactly the declared files.
#[test]
fn nextflow_output_patterns_match_the_stage_outputs() {
    let o = bin().args(["stages", "--json"]).output().unwrap();
    assert!(o.status.success());
    let stages: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let outputs = |stage: &str| -> BTreeSet<String> {
        stages
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == stage)
            .unwrap_or_else(|| panic!("no stage {stage}"))["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["suffix"].as_str().unwrap().to_string())
            .collect()
    };
    let mut checked = 0;
    for dir in modules() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        // cohort writes run-level files; multiqc is another tool's module.
        if name == "cohort" || name == "multiqc" {
            continue;
        }
        let text = std::fs::read_to_string(dir.join("main.nf")).unwrap();
        let known = outputs(&name);
        let declared: BTreeSet<String> = text
            .split("path(\"*.")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap().to_string())
            .collect();
        assert!(!declared.is_empty(), "{name}: no output patterns");
        for suffix in &declared {
            assert!(
                known.contains(suffix),
                "module {name} declares *.{suffix}, which `{name}` does not write ({known:?})"
            );
        }
        let stub = text.split("stub:").nth(1).unwrap_or("");
        let touched: BTreeSet<String> = stub
            .split("${prefix}.")
            .skip(1)
            .map(|rest| rest.split_whitespace().next().unwrap_or("").to_string())
            .collect();
        assert_eq!(touched, declared, "{name}: the stub touches other files");
        checked += 1;
    }
    // Every module but cohort and multiqc.
    assert_eq!(checked, modules().len() - 2);
}

#[test]
#[ignore = "slow: groovy-parser takes minutes on 2 cores; CI runs it with --ignored"]
fn every_nextflow_file_parses_as_groovy() {
    let mut files: Vec<PathBuf> = modules().into_iter().map(|d| d.join("main.nf")).collect();
    files.push(root().join("workflows/nextflow/main.nf"));
    files.push(root().join("workflows/nextflow/nextflow.config"));
    let out = Command::new("python3")
        .arg(root().join("tests/workflows/parse_groovy.py"))
        .args(&files)
        .output();
    let Ok(out) = out else {
        util::skip("skipped: no python3");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    if out.status.code() == Some(3) {
        util::skip(&format!("skipped: {text}"));
        return;
    }
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn snakemake_writes_the_same_bytes_as_run() {
    if !Command::new("snakemake")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        util::skip("skipped: snakemake is not installed (pip install snakemake)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // Both write to the same folder in turn (stage JSONs such as annotate.json record their
    // output path); `run`'s results are moved aside before Snakemake starts.
    let by_run = dir.path().join("run");
    let by_smk = dir.path().join("results");
    let o = bin()
        .args(["-q", "run", "workflows/demo.toml", "--output"])
        .arg(&by_smk)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::rename(&by_smk, &by_run).unwrap();
    // Run from the repository root, as `run` was: paths resolve the same way.
    let o = Command::new("snakemake")
        .current_dir(root())
        .args([
            "-s",
            "workflows/snakemake/Snakefile",
            "--configfile",
            "workflows/snakemake/config.yaml",
            "--cores",
            "2",
            "--quiet",
            "--config",
        ])
        .arg(format!("output={}", by_smk.display()))
        .arg(format!(
            "immunoprofile={}",
            env!("CARGO_BIN_EXE_immunoprofile")
        ))
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    util::assert_same_results(&by_run, &by_smk, "Snakemake");
}

/// `snakemake --lint` finds nothing: every rule has a log, a conda environment and a container.
#[test]
fn snakefile_lints_clean() {
    if !Command::new("snakemake")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        util::skip("skipped: snakemake is not installed (pip install snakemake)");
        return;
    }
    let o = Command::new("snakemake")
        .current_dir(root())
        .args([
            "-s",
            "workflows/snakemake/Snakefile",
            "--configfile",
            "workflows/snakemake/config.yaml",
            "--lint",
            "--config",
        ])
        .arg(format!(
            "immunoprofile={}",
            env!("CARGO_BIN_EXE_immunoprofile")
        ))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{text}");
    assert!(
        text.contains("your workflow is in a good condition"),
        "snakemake --lint: {text}"
    );
}
