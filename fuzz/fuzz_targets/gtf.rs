//! GTF lines: never panics.
#![no_main]
use immunoprofile::io::gtf::{GtfReader, GtfRecord};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.gtf");
    std::fs::write(&path, data).unwrap();
    if let Ok(mut r) = GtfReader::from_path(&path) {
        let mut rec = GtfRecord::default();
        while let Ok(true) = r.read_record(&mut rec) {}
    }
});
