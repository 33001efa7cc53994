//! The bodies of the fuzz targets, one function per parser of user input. The `cargo fuzz`
//! binaries under `fuzz_targets/` call them (nightly, libFuzzer), and the stable mutation driver
//! `tests/fuzz_mutants.rs` calls the same functions on seeded mutants of the project's own test
//! files, so CI runs every target without a nightly toolchain. Each function must return for any
//! input: an `Err` from the library is fine, a panic is the bug being looked for.
// Each libFuzzer binary uses one of these functions.
#![allow(dead_code)]

use std::path::Path;

use immunoprofile::io::fasta::Reference;
use immunoprofile::io::gtf::{GtfReader, GtfRecord};
use immunoprofile::io::vcf::{RecordView, VcfHeader, VcfReader};
use immunoprofile::variant::{ReadSupport, SupportOptions};

/// A target's body.
pub type Body = fn(&[u8]);

/// Every target: its name and its body.
pub const TARGETS: &[(&str, Body)] = &[
    ("vcf_record", vcf_record),
    ("vcf_file", vcf_file),
    ("gtf", gtf),
    ("bed", bed),
    ("fasta", fasta),
    ("alleles", alleles),
    ("expression", expression),
    ("manifest", manifest),
];

fn write_temp(name: &str, data: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join(name);
    std::fs::write(&path, data).expect("writing a temporary file");
    (dir, path)
}

/// One VCF data line (the header is the default: no sample columns declared), then the
/// read-support model on each ALT and the CSQ value.
pub fn vcf_record(data: &[u8]) {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(rec) = RecordView::parse(line) {
        let support = ReadSupport::new(SupportOptions::default(), &VcfHeader::default());
        for i in 1..=rec.alts().count() {
            let _ = support.allele(&rec, 0, i, false);
        }
        let _ = rec.info_value("CSQ");
    }
}

/// A whole VCF/BCF file (plain, gzip, bgzip or BCF, detected from the first bytes); every
/// record is split into columns and run through the read-support model with the file's header.
pub fn vcf_file(data: &[u8]) {
    let (_dir, path) = write_temp("in.vcf", data);
    let Ok(mut r) = VcfReader::open(&path, 1) else {
        return;
    };
    let support = ReadSupport::new(SupportOptions::default(), r.header());
    let samples = r.header().samples.len();
    let mut buf = Vec::new();
    while let Ok(true) = r.read_line(&mut buf) {
        let Ok(line) = std::str::from_utf8(&buf) else {
            continue;
        };
        if let Ok(rec) = RecordView::parse(line) {
            for s in 0..samples {
                for i in 1..=rec.alts().count() {
                    let _ = support.allele(&rec, s, i, false);
                }
            }
        }
    }
}

/// GTF lines.
pub fn gtf(data: &[u8]) {
    let (_dir, path) = write_temp("in.gtf", data);
    if let Ok(mut r) = GtfReader::from_path(&path) {
        let mut rec = GtfRecord::default();
        while let Ok(true) = r.read_record(&mut rec) {}
    }
}

/// BED files.
pub fn bed(data: &[u8]) {
    let (_dir, path) = write_temp("in.bed", data);
    let _ = immunoprofile::io::bed::read_bed(&path);
}

/// A FASTA and, after the first NUL byte, its `.fai`; every contig is fetched.
pub fn fasta(data: &[u8]) {
    let (seq, fai) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let (dir, fa) = write_temp("r.fa", seq);
    if let Some(fai) = fai {
        std::fs::write(dir.path().join("r.fa.fai"), fai).expect("writing a temporary file");
    }
    if let Ok(mut r) = Reference::open(&fa) {
        let names: Vec<String> = r.contigs().iter().map(|(n, _)| n.clone()).collect();
        for n in names {
            let _ = r.fetch_contig(&n);
        }
    }
}

/// `--alleles` lists.
pub fn alleles(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = immunoprofile::binding::parse_allele_list(&[text]);
    }
}

/// Expression tables (quant, salmon, kallisto, RSEM, featureCounts layouts).
pub fn expression(data: &[u8]) {
    let (_dir, path) = write_temp("quant.sf", data);
    let mut e = immunoprofile::neoantigen::expression::Expression::default();
    let _ = e.add_table(&path);
}

/// A `run` manifest (TOML) and, after the first NUL byte, its samplesheet (CSV).
pub fn manifest(data: &[u8]) {
    let (toml, sheet) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let (dir, path) = write_temp("immunoprofile.toml", toml);
    std::fs::write(dir.path().join("samplesheet.csv"), sheet).expect("writing a temporary file");
    let _ = immunoprofile::workflow::manifest::Manifest::load(Path::new(&path));
}
