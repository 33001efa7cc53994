//! Criterion benchmark of the `tmb` stage on a generated 50,000-record annotated Mutect2 VCF.
//! The end-to-end comparison with bcftools and pyTMB is benches/tmb_vs_peers.sh.

use std::io::Write;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use immunoprofile::tmb::{self, CountClass, Denominator, TmbParams};

const RECORDS: usize = 50_000;

fn make_vcf(path: &std::path::Path) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        f,
        "##fileformat=VCFv4.2\n##source=Mutect2\n##tumor_sample=T\n##normal_sample=N"
    )
    .unwrap();
    writeln!(f, "##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|CANONICAL|gnomADe_AF\">").unwrap();
    writeln!(
        f,
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tN\tT"
    )
    .unwrap();
    let terms = [
        "missense_variant",
        "synonymous_variant",
        "intron_variant",
        "stop_gained",
    ];
    for i in 0..RECORDS {
        let t = terms[i % terms.len()];
        let dp = 10 + (i * 7919) % 200;
        let alt = (i * 104_729) % dp;
        writeln!(
            f,
            "chr{}\t{}\t.\tC\tT\t.\t{}\tCSQ=T|{t}|MODERATE|G{}|ENSG{}|Transcript|ENST{}|protein_coding|YES|,T|intron_variant|MODIFIER|G{}|ENSG{}|Transcript|ENST{}b|protein_coding||0.0001\tGT:AD:AF:DP\t0/0:40,0:0.01:40\t0/1:{},{}:{:.3}:{}",
            1 + i % 22,
            1000 + i * 37,
            if i % 5 == 0 { "weak_evidence" } else { "PASS" },
            i / 10, i / 10, i, i / 10, i / 10, i,
            dp - alt, alt, alt as f64 / dp as f64, dp
        )
        .unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let vcf = dir.path().join("bench.vcf");
    make_vcf(&vcf);
    let mut params = TmbParams {
        vcf,
        denominator: Denominator::EffectiveSize(30_000_000),
        ..Default::default()
    };
    params.filters.min_depth = Some(20);
    params.filters.min_vaf = Some(0.05);
    params.filters.count = CountClass::Nonsynonymous;
    let mut group = c.benchmark_group("tmb");
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.sample_size(20);
    group.bench_function("annotated_mutect2_50k_records", |b| {
        b.iter(|| {
            let mut sink = std::io::sink();
            tmb::compute_to(&params, Some(&mut sink)).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
