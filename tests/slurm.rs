//! The demo through a real cluster scheduler: Snakemake's SLURM executor plugin submitting every
//! stage as a SLURM job to a single-node SLURM on localhost, giving the same bytes as `run`.
//!
//! Ignored by default (it needs a running SLURM); `.ci/run` starts one with
//! `../shared/tools/local-slurm.sh start` and runs `cargo test --test slurm -- --ignored`.
//! Without `sinfo` answering, the test skips with a printed reason, or fails when
//! `IMMUNOPROFILE_REQUIRE_DATA=1` (CI) says every peer must be present.

use std::path::PathBuf;
use std::process::Command;

mod util;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn answers(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
#[ignore = "needs a running SLURM (../shared/tools/local-slurm.sh start); run by .ci/run"]
fn snakemake_on_slurm_writes_the_same_bytes_as_run() {
    if !answers("sinfo", "--version") || !answers("sinfo", "-h") {
        return util::skip("no SLURM answers (../shared/tools/local-slurm.sh start)");
    }
    if !answers("snakemake", "--version") {
        return util::skip("snakemake is not installed (pip install snakemake)");
    }
    let plugin = Command::new("python3")
        .args(["-c", "import snakemake_executor_plugin_slurm"])
        .status()
        .is_ok_and(|s| s.success());
    if !plugin {
        return util::skip("pip install snakemake-executor-plugin-slurm");
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
    util::assert_same_results(&by_run, &by_smk, "Snakemake on SLURM");
}
