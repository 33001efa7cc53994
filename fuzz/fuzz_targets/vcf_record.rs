//! A VCF data line and the read-support model on it: never panics.
#![no_main]
use immunoprofile::io::vcf::{RecordView, VcfHeader};
use immunoprofile::variant::{ReadSupport, SupportOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else { return };
    if let Ok(rec) = RecordView::parse(line) {
        let support = ReadSupport::new(SupportOptions::default(), &VcfHeader::default());
        for i in 1..=rec.alts().count() {
            let _ = support.allele(&rec, 0, i, false);
        }
        let _ = rec.info_value("CSQ");
    }
});
