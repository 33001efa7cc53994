//! A whole VCF/BCF file (plain, gzip, bgzip or BCF, from the first bytes): never panics.
#![no_main]
use immunoprofile::io::vcf::VcfReader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.vcf");
    std::fs::write(&path, data).unwrap();
    if let Ok(mut r) = VcfReader::open(&path, 1) {
        let mut buf = Vec::new();
        while let Ok(true) = r.read_line(&mut buf) {}
    }
});
