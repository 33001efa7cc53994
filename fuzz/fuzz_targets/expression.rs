//! Expression tables (quant, salmon, kallisto, RSEM layouts): never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quant.sf");
    std::fs::write(&path, data).unwrap();
    let mut e = immunoprofile::neoantigen::expression::Expression::default();
    let _ = e.add_table(&path);
});
