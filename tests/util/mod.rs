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
