//! The demo through a real cluster scheduler: Snakemake's SLURM executor plugin submitting every
//! stage as a SLURM job to a single-node SLURM on localhost, giving the same bytes as `run`.
//!
//! Ignored by default (it needs a running SLURM); `.ci/run` starts one with
//! `../shared/tools/local-slurm.sh start` and runs `cargo test --test slurm -- --ignored`.
//! Without `sinfo` answering, the test skips with a printed reason, or fails when
//! `IMMUNOPROFILE_REQUIRE_DATA=1` (CI) says every peer must be present.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn skip(reason: &str) {
    if std::env::var("IMMUNOPROFILE_REQUIRE_DATA").is_ok_and(|v| v == "1") {
        panic!("required peer missing: {reason}");
    }
    eprintln!("skipped: {reason}");
}

fn answers(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn files_under(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out
}

#[test]
#[ignore = "needs a running SLURM (../shared/tools/local-slurm.sh start); run by .ci/run"]
fn snakemake_on_slurm_writes_the_same_bytes_as_run() {
    if !answers("sinfo", "--version") || !answers("sinfo", "-h") {
        return skip("no SLURM answers (../shared/tools/local-slurm.sh start)");
    }
    if !answers("snakemake", "--version") {
        return skip("snakemake is not installed (pip install snakemake)");
    }
    let plugin = Command::new("python3")
        .args(["-c", "import snakemake_executor_plugin_slurm"])
        .status()
        .is_ok_and(|s| s.success());
    if !plugin {
        return skip("pip install snakemake-executor-plugin-slurm");
    }
    // Under the repository (not /tmp): the SLURM job runs on the same machine but must see the
    // same paths, and the demo's relative paths resolve from the repository root.
    let dir = tempfile::tempdir_in(root().join("target")).unwrap();
    let by_run = dir.path().join("run");
    let by_smk = dir.path().join("results");
    let logs = dir.path().join("logs");
    let bin = env!("CARGO_BIN_EXE_immunoprofile");
    let o = Command::new(bin)
        .current_dir(root())
        .args(["-q", "run", "workflows/demo.toml", "--output"])
        .arg(&by_smk)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::rename(&by_smk, &by_run).unwrap();

    let o = Command::new("snakemake")
        .current_dir(root())
        .args([
            "-s",
            "workflows/snakemake/Snakefile",
            "--configfile",
            "workflows/snakemake/config.yaml",
            "--executor",
            "slurm",
            "--jobs",
            "8",
            "--default-resources",
            "slurm_partition=main",
            "runtime=30",
            "mem_mb=1000",
            // No slurmdbd here: sacct cannot answer, squeue can.
            "--slurm-status-command",
            "squeue",
            "--slurm-init-seconds-before-status-checks",
            "1",
            "--seconds-between-status-checks",
            "2",
            "--latency-wait",
            "10",
            "--quiet",
            "--config",
        ])
        .arg(format!("output={}", by_smk.display()))
        .arg(format!("logs={}", logs.display()))
        .arg(format!("immunoprofile={bin}"))
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let run_files: BTreeSet<PathBuf> = files_under(&by_run)
        .into_iter()
        .filter(|p| p.file_name().unwrap() != "manifest.json")
        .collect();
    let smk_files = files_under(&by_smk);
    assert_eq!(run_files, smk_files);
    assert!(run_files.len() >= 15, "{run_files:?}");
    for f in &run_files {
        assert_eq!(
            std::fs::read(by_run.join(f)).unwrap(),
            std::fs::read(by_smk.join(f)).unwrap(),
            "{} differs between run and Snakemake on SLURM",
            f.display()
        );
    }
}
