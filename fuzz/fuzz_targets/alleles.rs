//! HLA allele lists: never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = immunoprofile::binding::parse_allele_list(&[text]);
    }
});
