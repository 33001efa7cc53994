//! Shared by the integration tests: how a test that needs `../shared` data or a peer tool
//! (snakemake, multiqc, chromium, python3) skips.
#![allow(dead_code)]

/// Whether missing data or peer tools must fail the test instead of skipping it (CI sets
/// `IMMUNOPROFILE_REQUIRE_DATA=1` in `.ci/run`, so a missing install step cannot turn
/// conformance tests into silent passes).
pub fn require_data() -> bool {
    std::env::var("IMMUNOPROFILE_REQUIRE_DATA").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Skips with a printed reason on a user's machine; panics under IMMUNOPROFILE_REQUIRE_DATA=1.
pub fn skip(reason: &str) {
    if require_data() {
        panic!("{reason}\n(IMMUNOPROFILE_REQUIRE_DATA is set: this environment must provide it)");
    }
    eprintln!("{reason}");
}

/// Every file under `dir`, relative to it.
pub fn files_under(dir: &std::path::Path) -> std::collections::BTreeSet<std::path::PathBuf> {
    let mut out = std::collections::BTreeSet::new();
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

/// `other` (Snakemake's results) holds exactly the files of `run`'s results `by_run`, byte for
/// byte; `run`'s own per-sample `manifest.json` (timestamps, wall times) is left out.
pub fn assert_same_results(by_run: &std::path::Path, other: &std::path::Path, who: &str) {
    let run_files: std::collections::BTreeSet<_> = files_under(by_run)
        .into_iter()
        .filter(|p| p.file_name().unwrap() != "manifest.json")
        .collect();
    assert_eq!(run_files, files_under(other), "{who}: other files than run");
    assert!(run_files.len() >= 15, "{run_files:?}");
    for f in &run_files {
        assert_eq!(
            std::fs::read(by_run.join(f)).unwrap(),
            std::fs::read(other.join(f)).unwrap(),
            "{} differs between run and {who}",
            f.display()
        );
    }
}
