//! libFuzzer entry for the `manifest` target; the body is shared with the stable mutation driver
//! (`tests/fuzz_mutants.rs`) in `fuzz/targets.rs`.
#![no_main]

#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::manifest(data));
