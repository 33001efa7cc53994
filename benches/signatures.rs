//! ssGSEA and the other signatures on a seeded synthetic cohort (20,000 genes × 50 samples).

use criterion::{criterion_group, criterion_main, Criterion};
use immunoprofile::quant::{ExpressionMatrix, Scale, TableFormat};
use immunoprofile::signatures::{genesets, score, ssgsea::Flavour};

fn cohort() -> ExpressionMatrix {
    // Symbols of the shipped sets first so they match, then filler genes; xorshift values.
    let mut genes: Vec<String> = genesets::built_in()
        .iter()
        .flat_map(|c| {
            c.signatures
                .iter()
                .flat_map(|s| s.members.iter().map(|m| m.symbol.clone()))
        })
        .collect();
    genes.sort();
    genes.dedup();
    let named = genes.len();
    genes.extend((named..20_000).map(|i| format!("FILLER{i}")));
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % 10_000) as f64 / 700.0
    };
    let values = genes
        .iter()
        .map(|_| (0..50).map(|_| next()).collect())
        .collect();
    ExpressionMatrix {
        symbols: vec![None; genes.len()],
        genes,
        samples: (0..50).map(|i| format!("S{i}")).collect(),
        values,
        scale: Scale::Log2Tpm1,
        format: TableFormat::Matrix,
    }
}

fn bench(c: &mut Criterion) {
    let m = cohort();
    let sets = genesets::built_in();
    c.bench_function("signatures_builtin_20k_genes_50_samples", |b| {
        b.iter(|| score(&m, Scale::Log2Tpm1, &sets, Flavour::Gsva).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
