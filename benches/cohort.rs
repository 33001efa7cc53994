//! The report step of `immunoprofile run` on 30, 300 and 3,000 synthetic samples: the cohort is
//! read once per run, so the time per sample must stay flat as the cohort grows.
//!
//! `cargo bench --bench cohort` (or `--profile dev` for a quick look); sizes via
//! `COHORT_SIZES=30,300`. Each sample folder holds a small tmb, msi, signatures and quant
//! (1,000 genes) output made by a seeded generator; the run has only the `report` stage, then
//! writes the cohort files (cohort.tsv, MultiQC files, the gene x sample matrices).

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use immunoprofile::workflow::{self, RunOptions};

/// A small deterministic generator (xorshift), so every run reads the same cohort.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn write(path: &Path, text: &str) {
    let mut f = std::fs::File::create(path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

fn make_cohort(dir: &Path, n: usize) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut sheet = String::from("sample\n");
    let out = dir.join("out");
    for i in 0..n {
        let s = format!("S{i:05}");
        sheet.push_str(&format!("{s}\n"));
        let d = out.join(&s);
        std::fs::create_dir_all(&d).unwrap();
        let tmb = 1.0 + 40.0 * rng.next();
        write(
            &d.join(format!("{s}.tmb.json")),
            &format!(
                "{{\"tmb\":{tmb:.3},\"tmb_ci95\":[{:.3},{:.3}],\"tmb_high\":{},\"threshold\":10.0,\"variants_counted\":{}}}",
                tmb * 0.8,
                tmb * 1.2,
                tmb >= 10.0,
                (tmb * 30.0) as u64
            ),
        );
        let mut variants = String::from("chrom\tpos\tref\talt\tvaf\tcounted\n");
        for v in 0..20 {
            variants.push_str(&format!(
                "chr1\t{}\tA\tG\t{:.3}\t{}\n",
                1000 + v * 17,
                rng.next(),
                v % 3 != 0
            ));
        }
        write(&d.join(format!("{s}.tmb.variants.tsv")), &variants);
        let score = 30.0 * rng.next();
        write(
            &d.join(format!("{s}.msi.json")),
            &format!(
                "{{\"score\":{score:.3},\"status\":\"{}\"}}",
                if score > 3.5 { "MSI-H" } else { "MSS" }
            ),
        );
        let mut sig = String::from("sample\tsignature\tscore\tmethod\tn_genes_found\tn_genes\n");
        for name in ["CYT_Rooney2015", "GEP18_Cristescu2018", "IFNG6_Ayers2017"] {
            sig.push_str(&format!(
                "{s}\t{name}\t{:.4}\tmean\t6\t6\n",
                5.0 * rng.next()
            ));
        }
        write(&d.join(format!("{s}.signatures.tsv")), &sig);
        // 1,000 genes: the cohort step streams them into cohort.counts.tsv / cohort.tpm.tsv.
        let mut quant = String::from("gene_id\tgene_name\tlength\tcount\ttpm\n");
        for g in 0..1000 {
            let count = (200.0 * rng.next()) as u64;
            quant.push_str(&format!(
                "ENSG{g:011}\tG{g}\t1500\t{count}\t{:.3}\n",
                count as f64 * 1.7
            ));
        }
        write(&d.join(format!("{s}.quant.tsv")), &quant);
    }
    write(&dir.join("samples.csv"), &sheet);
    write(
        &dir.join("m.toml"),
        "output = \"out\"\nsamplesheet = \"samples.csv\"\nstages = [\"report\"]\n",
    );
}

fn main() {
    let sizes: Vec<usize> = std::env::var("COHORT_SIZES")
        .unwrap_or_else(|_| "30,300,3000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    println!("samples\treport step (s)\tper sample (ms)\tratio to the first size");
    let mut first = None;
    for n in sizes {
        let dir = tempfile::tempdir().unwrap();
        make_cohort(dir.path(), n);
        let start = Instant::now();
        let summary =
            workflow::run(&dir.path().join("m.toml"), &RunOptions::default(), threads).unwrap();
        let secs = start.elapsed().as_secs_f64();
        assert!(summary.failures().is_empty(), "{:?}", summary.failures());
        let counts = std::fs::read_to_string(dir.path().join("out/cohort.counts.tsv")).unwrap();
        assert_eq!(counts.lines().count(), 1001);
        assert_eq!(counts.lines().next().unwrap().split('\t').count(), n + 1);
        let base = *first.get_or_insert(secs);
        println!(
            "{n}\t{secs:.2}\t{:.2}\t{:.1}",
            1000.0 * secs / n as f64,
            secs / base
        );
    }
}
