//! Criterion bench: annotating the synthetic test VCF (4,849 records, 69 transcripts) in memory.
//! The end-to-end comparison with snpEff on a human-sized input is `annotate_vs_snpeff.sh`.

use std::io::{Read, Write};
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use immunoprofile::annotate::{annotate_record, ModelOptions, TranscriptModel};
use immunoprofile::io::fasta::Reference;
use immunoprofile::io::vcf::{read_to_memory, RecordView};

fn bench(c: &mut Criterion) {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-data/annotate");
    let dir = tempfile::tempdir().unwrap();
    let fasta = dir.path().join("genome.fa");
    let mut text = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(data.join("genome.fa.gz")).unwrap())
        .read_to_end(&mut text)
        .unwrap();
    std::fs::File::create(&fasta)
        .unwrap()
        .write_all(&text)
        .unwrap();
    let mut reference = Reference::open(&fasta).unwrap();
    let gtf = data.join("genes.gtf.gz");
    c.bench_function("annotate/load_model_69_transcripts", |b| {
        b.iter(|| TranscriptModel::from_gtf(&gtf, &mut reference, ModelOptions::default()).unwrap())
    });
    let model = TranscriptModel::from_gtf(&gtf, &mut reference, ModelOptions::default()).unwrap();
    let (_, lines) = read_to_memory(&data.join("variants.vcf.gz")).unwrap();
    c.bench_function("annotate/4849_records", |b| {
        b.iter(|| {
            let mut n = 0;
            for (_, line) in &lines {
                let rec = RecordView::parse(line).unwrap();
                n += annotate_record(&model, &rec, 1).len();
            }
            n
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
