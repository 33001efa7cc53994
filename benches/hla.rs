//! `hla`: index build from a full IPD-IMGT/HLA release, and typing one simulated exome-like
//! sample (eight loci) against the built index. Needs `../shared/data/imgt-hla/3.30.0` (or the
//! folder in `IMGT_DIR`); skipped with a message otherwise.
//!
//! `cargo bench --bench hla`; figures in benches/README.md.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use immunoprofile::hla::simulate::{simulate, Library, Rng, SimSpec};
use immunoprofile::hla::{self, HlaIndex, HlaParams, Imgt, ReadStats, DEFAULT_LOCI};

fn bench(c: &mut Criterion) {
    let dir = std::env::var_os("IMGT_DIR").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../shared/data/imgt-hla/3.30.0"
            ))
        },
        PathBuf::from,
    );
    if !dir.exists() {
        eprintln!("skipped: {} absent (set IMGT_DIR)", dir.display());
        return;
    }
    let imgt = Imgt::load(&dir).unwrap();
    let mut group = c.benchmark_group("hla");
    group.sample_size(10);
    group.bench_function("load_release", |b| b.iter(|| Imgt::load(&dir).unwrap()));
    group.bench_function("build_index", |b| b.iter(|| HlaIndex::build(&imgt)));
    let index = HlaIndex::build(&imgt);
    let params = HlaParams::new(&dir);
    let spec = SimSpec {
        library: Library::Dna,
        loci: DEFAULT_LOCI.iter().map(|s| s.to_string()).collect(),
        depth: 30.0,
        read_len: 100,
        insert: 300,
        error_rate: 0.005,
        indel_rate: 0.0,
        decoys: vec!["E".into(), "F".into(), "G".into()],
        pseudogenes: false,
        random_pairs: 200,
    };
    let sample = simulate(&imgt, &spec, &mut Rng::new(1));
    eprintln!("typing {} fragments", sample.fragments.len());
    group.bench_function("type_sample_8_loci", |b| {
        b.iter(|| {
            hla::type_fragments(
                &imgt,
                &index,
                sample.fragments.clone(),
                ReadStats::default(),
                &params,
            )
            .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
