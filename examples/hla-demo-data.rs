//! Writes the demo's synthetic HLA input (no IMGT data): a release folder in IPD-IMGT/HLA's
//! layout with made-up alleles (`hla::simulate::write_synthetic_release`, seed 12) and paired
//! RNA-like reads of the genotype A*01:02/A*02:02, B*01:01 homozygous, C*03:01 (partial)/C*02:01.
//!
//! `cargo run --example hla-demo-data -- [OUT_DIR]` (default `test-data/hla`).

use std::io::Write;
use std::path::PathBuf;

use immunoprofile::hla::simulate::{reads_from, write_synthetic_release, Library, Rng, SimSpec};
use immunoprofile::hla::Imgt;

pub const GENOTYPE: [&str; 6] = [
    "A*01:02:01",
    "A*02:02:01",
    "B*01:01:01:01",
    "B*01:01:01:01",
    "C*03:01",
    "C*02:01:01:01",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/test-data/hla")),
        PathBuf::from,
    );
    let imgt_dir = out.join("imgt");
    write_synthetic_release(&imgt_dir, 12)?;
    let imgt = Imgt::load(&imgt_dir)?;
    let spec = SimSpec {
        library: Library::Rna,
        loci: vec![],
        depth: 12.0,
        read_len: 100,
        insert: 250,
        error_rate: 0.005,
        indel_rate: 0.0,
        decoys: vec![],
        pseudogenes: false,
        random_pairs: 0,
    };
    let mut rng = Rng::new(12);
    let mut frags = Vec::new();
    for name in GENOTYPE {
        let a = imgt
            .alleles
            .iter()
            .find(|a| a.name == name)
            .ok_or("allele missing")?;
        reads_from(&a.cds, &spec, spec.depth, &mut rng, &mut frags);
    }
    let e = imgt
        .alleles
        .iter()
        .find(|a| a.name == "E*01:01:01:01")
        .ok_or("E missing")?;
    reads_from(&e.cds, &spec, spec.depth, &mut rng, &mut frags);
    for (i, path) in ["demo_R1.fq.gz", "demo_R2.fq.gz"].iter().enumerate() {
        let file = std::fs::File::create(out.join(path))?;
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::best());
        for (n, f) in frags.iter().enumerate() {
            let m = &f.mates[i];
            writeln!(
                gz,
                "@demo{n}/{}\n{}\n+\n{}",
                i + 1,
                String::from_utf8_lossy(m),
                "I".repeat(m.len())
            )?;
        }
        gz.finish()?;
    }
    eprintln!("wrote {} ({} pairs)", out.display(), frags.len());
    Ok(())
}
