//! `peptides` and `neoantigens` on pVACseq's HCC1395 somatic VCF (2,734 records, VEP CSQ with
//! WildtypeProtein/FrameshiftSequence) from `../shared`; 6 alleles, lengths 8-11. Binding uses a
//! hash-based stand-in predictor so the figure is our own work (enumeration, matching, support,
//! filters, ranking) and not a model's: swap in the built-in model to time the whole stage.
//! Skips (prints why) when the data are absent.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use immunoprofile::binding::{BindingPredictor, HlaAllele, Prediction};
use immunoprofile::neoantigen::{self, NeoantigenParams};
use immunoprofile::peptides::{self, Downstream, FastaGroups, PeptideParams};

struct HashPredictor;

impl BindingPredictor for HashPredictor {
    fn name(&self) -> &str {
        "bench-hash"
    }
    fn supports(&self, _: &HlaAllele) -> bool {
        true
    }
    fn predict(
        &self,
        allele: &HlaAllele,
        peptides: &[&str],
    ) -> immunoprofile::Result<Vec<Prediction>> {
        let a = allele.to_string();
        Ok(peptides
            .iter()
            .map(|p| {
                let mut h: u64 = 0xcbf29ce484222325;
                for b in a.bytes().chain(p.bytes()) {
                    h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
                }
                Prediction {
                    ic50: 1.0 + (h % 50_000) as f64 / 2.0,
                    percentile: Some((h % 10_000) as f64 / 100.0),
                }
            })
            .collect())
    }
}

fn bench(c: &mut Criterion) {
    let vcf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/upstream/pVACtools/tests/test_data/pvacseq/input_somatic.vcf.gz");
    if !vcf.exists() {
        eprintln!("skipping neoantigens bench: {} is absent", vcf.display());
        return;
    }
    let pp = PeptideParams {
        vcf: vcf.clone(),
        flank: 10,
        downstream: Downstream::Full,
        ..Default::default()
    };
    c.bench_function("peptides input_somatic flank10", |b| {
        b.iter(|| {
            let mut g = FastaGroups::default();
            peptides::compute(&pp, &mut g, &mut std::io::sink()).unwrap()
        })
    });
    let np = NeoantigenParams {
        vcf,
        alleles: [
            "A*02:01", "A*01:01", "B*07:02", "B*08:01", "C*07:01", "C*07:02",
        ]
        .iter()
        .map(|a| HlaAllele::parse(a).unwrap())
        .collect(),
        lengths: vec![8, 9, 10, 11],
        ..Default::default()
    };
    let mut group = c.benchmark_group("neoantigens");
    group.sample_size(10);
    group.bench_function("input_somatic 6 alleles 8-11", |b| {
        b.iter(|| {
            let mut g = FastaGroups::default();
            neoantigen::compute_with(&np, &HashPredictor, &mut std::io::sink(), &mut g)
                .unwrap()
                .summary
                .epitopes
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
