//! BED files: never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.bed");
    std::fs::write(&path, data).unwrap();
    let _ = immunoprofile::io::bed::read_bed(&path);
});
