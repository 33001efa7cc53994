//! Predictions per second of the built-in binding model, on one core (the bench thread).
//!
//! `cargo bench --bench binding`. Throughput is reported as elements (peptide–allele
//! predictions) per second; results are in benches/README.md.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use immunoprofile::binding::builtin::BuiltinPredictor;
use immunoprofile::binding::class2::predictor::Class2Predictor;
use immunoprofile::binding::class2::Class2Molecule;
use immunoprofile::binding::encoding::random_peptides;
use immunoprofile::binding::{BindingPredictor, HlaAllele};

fn bench(c: &mut Criterion) {
    let predictor = BuiltinPredictor::load_default().expect("embedded model");
    let allele = HlaAllele::parse("HLA-A*02:01").unwrap();
    // Warm the per-allele cache (projection + percentile background) outside the timing.
    predictor.predict(&allele, &["NLVPMVATV"]).unwrap();
    let mut group = c.benchmark_group("binding");
    for len in [9usize, 10] {
        let peptides: Vec<String> = random_peptides(len, 10_000, 42)
            .into_iter()
            .map(|p| String::from_utf8(p).unwrap())
            .collect();
        let refs: Vec<&str> = peptides.iter().map(String::as_str).collect();
        group.throughput(Throughput::Elements(refs.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("predict_ic50_percentile", len),
            &refs,
            |b, refs| {
                b.iter(|| predictor.predict(&allele, refs).unwrap());
            },
        );
    }
    group.finish();
}

/// Class II: 15-mers (7 candidate cores each) against DRB1*01:01; pseudo-sequences from the
/// shared IPD-IMGT/HLA release (skipped when absent).
fn bench_class2(c: &mut Criterion) {
    let imgt = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/imgt-hla/3.30.0"
    ));
    let Ok(predictor) = Class2Predictor::load_default(imgt) else {
        eprintln!("skipped class II: {} not present", imgt.display());
        return;
    };
    let molecule = Class2Molecule::parse("HLA-DRB1*01:01").unwrap();
    predictor.predict(&molecule, &["PKYVKQNTLKLAT"]).unwrap();
    let peptides: Vec<String> = random_peptides(15, 10_000, 42)
        .into_iter()
        .map(|p| String::from_utf8(p).unwrap())
        .collect();
    let refs: Vec<&str> = peptides.iter().map(String::as_str).collect();
    let mut group = c.benchmark_group("binding_class2");
    group.throughput(Throughput::Elements(refs.len() as u64));
    group.bench_with_input(
        BenchmarkId::new("predict_core_ic50", 15),
        &refs,
        |b, refs| {
            b.iter(|| predictor.predict(&molecule, refs).unwrap());
        },
    );
    group.finish();
}

criterion_group!(benches, bench, bench_class2);
criterion_main!(benches);
