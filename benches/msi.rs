//! `msi` speed: scanning a 100 Mb sequence for microsatellites, and scoring a 1,000-site panel
//! at 200x (tumour + normal, made at run time by the simulator in `examples/msi_simulate`).
//!
//! ```text
//! cargo bench --bench msi
//! ```
//! Results are recorded in `benches/README.md`.

#[path = "../examples/msi_simulate/sim.rs"]
mod sim;

use criterion::{criterion_group, criterion_main, Criterion};

use immunoprofile::msi::scan::{scan_sequence, ScanParams};
use immunoprofile::msi::{self, MsiParams};

fn scan_100mb(c: &mut Criterion) {
    // Uniform random bases: homopolymers of 5+ occur about every 300 bp, as in real sequence.
    let mut rng = sim::Rng::new(42);
    let seq: Vec<u8> = (0..100_000_000)
        .map(|_| b"ACGT"[rng.below(4) as usize])
        .collect();
    let params = ScanParams::default();
    let mut g = c.benchmark_group("msi");
    g.sample_size(10);
    g.bench_function("scan_100Mb", |b| {
        b.iter(|| scan_sequence("chrB", &seq, &params).len())
    });
    g.finish();
}

fn score_1000_sites_200x(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let spec = sim::CaseSpec {
        n_sites: 1000,
        spacing: 300,
        n_unstable: 200,
        tumor: sim::SampleSpec::tumor(200, 0.6, 1),
        normal: sim::SampleSpec::normal(200, 2),
        seed: 7,
    };
    let case = sim::make_case(dir.path(), &spec).expect("simulated case");
    let params = MsiParams {
        tumor_bam: case.tumor.clone(),
        normal_bam: Some(case.normal.clone()),
        fasta: case.fasta.clone(),
        ..MsiParams::default()
    };
    let first = msi::compute(&params).expect("scoring");
    eprintln!(
        "1000-site panel: {} evaluated, score {:?} (truth 20%)",
        first.summary.sites_evaluated, first.summary.score
    );
    let mut g = c.benchmark_group("msi");
    g.sample_size(10);
    g.bench_function("score_1000_sites_200x", |b| {
        b.iter(|| {
            msi::compute(&params)
                .expect("scoring")
                .summary
                .sites_unstable
        })
    });
    g.finish();
}

criterion_group!(benches, scan_100mb, score_1000_sites_200x);
criterion_main!(benches);
