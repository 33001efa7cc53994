//! `hla`: synthetic alleles written by the test in IMGT's layout (no IMGT data in the
//! repository), a small simulation against the real release, and the GM12878 RNA-seq BAM.

mod util;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use immunoprofile::hla::simulate::{
    reads_from, simulate, write_synthetic_release, Library, Rng, SimSpec,
};
use immunoprofile::hla::{self, Fragment, HlaIndex, HlaInput, HlaParams, Imgt, ReadStats};

fn spec(depth: f64) -> SimSpec {
    SimSpec {
        library: Library::Rna,
        loci: vec![],
        depth,
        read_len: 100,
        insert: 250,
        error_rate: 0.005,
        indel_rate: 0.0,
        decoys: vec![],
        pseudogenes: false,
        random_pairs: 0,
    }
}

struct Synthetic {
    _dir: tempfile::TempDir,
    path: PathBuf,
    imgt: Imgt,
    index: HlaIndex,
}

fn synthetic() -> Synthetic {
    let dir = tempfile::tempdir().unwrap();
    write_synthetic_release(dir.path(), 7).unwrap();
    let imgt = Imgt::load(dir.path()).unwrap();
    let index = HlaIndex::build(&imgt);
    Synthetic {
        path: dir.path().to_path_buf(),
        _dir: dir,
        imgt,
        index,
    }
}

fn cds<'a>(s: &'a Synthetic, name: &str) -> &'a [u8] {
    &s.imgt.alleles.iter().find(|a| a.name == name).unwrap().cds
}

/// RNA-like reads of the named alleles (coding sequences), seeded.
fn reads(s: &Synthetic, names: &[&str], depth: f64, seed: u64) -> Vec<Fragment> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    for n in names {
        reads_from(cds(s, n), &spec(depth), depth, &mut rng, &mut out);
    }
    out
}

fn type_a(s: &Synthetic, fragments: Vec<Fragment>, loci: &[&str]) -> hla::HlaResult {
    let params = HlaParams {
        loci: loci.iter().map(|l| l.to_string()).collect(),
        ..HlaParams::new(&s.path)
    };
    let n = fragments.len() as u64;
    hla::type_fragments(
        &s.imgt,
        &s.index,
        fragments,
        ReadStats {
            records_scanned: n,
            fragments_kept: n,
            region: None,
        },
        &params,
    )
    .unwrap()
}

fn pair(r: &hla::HlaResult, locus: &str) -> Vec<String> {
    let mut v = r.alleles.get(locus).map(|a| a.to_vec()).unwrap_or_default();
    v.sort();
    v
}

#[test]
fn synthetic_release_is_read_with_exon_layout_and_partial_alleles() {
    let s = synthetic();
    assert_eq!(s.imgt.alleles.len(), 20);
    // The typing region of a full allele is exons 2–3: 270 + 276 bases, joined by an N so no
    // k-mer spans the junction (DNA reads continue into the intron there).
    let full = s
        .index
        .alleles
        .iter()
        .find(|a| a.name == "A*01:01:01:01")
        .unwrap();
    let cds = &s
        .imgt
        .alleles
        .iter()
        .find(|a| a.name == "A*01:01:01:01")
        .unwrap()
        .cds;
    assert_eq!(full.core.len(), 547);
    assert_eq!(&full.core[..270], &cds[73..343]);
    assert_eq!(full.core[270], b'N');
    assert_eq!(&full.core[271..], &cds[343..619]);
    assert!(!full.partial && full.complete);
    // The partial allele is exactly its exons 2–3 (and not complete).
    let partial = s
        .index
        .alleles
        .iter()
        .find(|a| a.name == "A*03:01")
        .unwrap();
    assert_eq!(partial.core.len(), 547);
    assert!(!partial.complete);
    assert_eq!(s.imgt.g_group("A*02:02:01"), "A*02:01:01G");
}

#[test]
fn heterozygous_with_one_mismatch_neighbour() {
    let s = synthetic();
    // A*01:02 differs from A*01:01 at one base of exon 2: its reads must not be called 01:01.
    let r = type_a(
        &s,
        reads(&s, &["A*01:02:01", "A*02:01:01:01"], 30.0, 1),
        &["A"],
    );
    assert_eq!(pair(&r, "A"), ["HLA-A*01:02", "HLA-A*02:01"]);
    let r = type_a(
        &s,
        reads(&s, &["A*01:01:01:01", "A*02:01:01:01"], 30.0, 2),
        &["A"],
    );
    assert_eq!(pair(&r, "A"), ["HLA-A*01:01", "HLA-A*02:01"]);
    let call = r.loci[0].call.as_ref().unwrap();
    assert!(!call.homozygous);
    assert!(call.alleles.iter().all(|a| a.unique_reads > 0));
}

#[test]
fn homozygous_locus_is_the_same_allele_twice() {
    let s = synthetic();
    let r = type_a(
        &s,
        reads(&s, &["A*01:01:01:01", "A*01:01:01:01"], 30.0, 3),
        &["A"],
    );
    assert_eq!(pair(&r, "A"), ["HLA-A*01:01", "HLA-A*01:01"]);
    assert!(r.loci[0].call.as_ref().unwrap().homozygous);
}

#[test]
fn partial_allele_is_called_from_its_exons_and_does_not_pull_full_ones() {
    let s = synthetic();
    // Reads from a full allele carrying A*03:01's exons 2–3 (IMGT knows only those).
    let r = type_a(
        &s,
        reads(&s, &["A*03:01", "A*02:01:01:01"], 30.0, 4),
        &["A"],
    );
    assert_eq!(pair(&r, "A"), ["HLA-A*02:01", "HLA-A*03:01"]);
    let r = type_a(
        &s,
        reads(&s, &["A*01:01:01:01", "A*02:01:01:01"], 30.0, 5),
        &["A"],
    );
    assert!(!pair(&r, "A").contains(&"HLA-A*03:01".to_string()));
}

#[test]
fn same_g_group_alleles_are_told_apart_by_the_other_exons() {
    let s = synthetic();
    // A*02:02:01 differs from A*02:01:01:01 only in exon 4, outside the typing region: the
    // typing reads fit both alike (same G group), the exon-4 reads choose A*02:02.
    let r = type_a(
        &s,
        reads(&s, &["A*02:02:01", "A*01:01:01:01"], 30.0, 6),
        &["A"],
    );
    assert_eq!(pair(&r, "A"), ["HLA-A*01:01", "HLA-A*02:02"]);
    let call = r.loci[0].call.as_ref().unwrap();
    let a02 = call
        .alleles
        .iter()
        .find(|a| a.allele == "HLA-A*02:02")
        .unwrap();
    assert_eq!(a02.g_group, "HLA-A*02:01:01G");
    assert_eq!(a02.equivalent, ["HLA-A*02:01"]);
    assert!(a02.outside_reads > 0);
    // And the other way round: A*02:01's own reads call A*02:01.
    let r = type_a(
        &s,
        reads(&s, &["A*02:01:01:01", "A*01:01:01:01"], 30.0, 12),
        &["A"],
    );
    assert_eq!(pair(&r, "A"), ["HLA-A*01:01", "HLA-A*02:01"]);
    // Reads of the typing region alone (exons 2–3, as from a capture of those exons) cannot
    // tell them apart: the lower number stands for the G group.
    let mut rng = Rng::new(13);
    let mut f = Vec::new();
    for name in ["A*02:02:01", "A*01:01:01:01"] {
        let core = s
            .index
            .alleles
            .iter()
            .find(|a| a.name == name)
            .unwrap()
            .core
            .clone();
        reads_from(&core, &spec(30.0), 60.0, &mut rng, &mut f);
    }
    let r = type_a(&s, f, &["A"]);
    assert_eq!(pair(&r, "A"), ["HLA-A*01:01", "HLA-A*02:01"]);
}

#[test]
fn index_cache_is_reused_and_rebuilt_when_the_release_changes() {
    use immunoprofile::hla::cache::{self, CacheUse};
    let s = synthetic();
    let tmp = tempfile::tempdir().unwrap();
    let cache_dir = tmp.path().join("cache");
    let bins = || -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&cache_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let (_, built, u) = cache::load_or_build(&s.path, Some(&cache_dir)).unwrap();
    assert_eq!(u, CacheUse::Written);
    let first = bins();
    assert_eq!(first.len(), 1);
    assert!(first[0].starts_with("hla-index.unknown.") && first[0].ends_with(".bin"));
    // Second run: read back, the same index (same k-mers, alleles, cores).
    let (meta, cached, u) = cache::load_or_build(&s.path, Some(&cache_dir)).unwrap();
    assert_eq!(u, CacheUse::Hit);
    assert!(
        meta.alleles.is_empty(),
        "a hit must not read the FASTA files"
    );
    assert_eq!(meta.g_group("A*02:02:01"), "A*02:01:01G");
    assert_eq!(cached.len(), built.len());
    assert_eq!(cached.alleles.len(), built.alleles.len());
    for (a, b) in cached.alleles.iter().zip(&built.alleles) {
        assert_eq!(
            (&a.name, &a.core, &a.cds, a.partial, a.complete),
            (&b.name, &b.core, &b.cds, b.partial, b.complete)
        );
    }
    // Typing with the cached index gives the same result as without a cache.
    let f = reads(&s, &["A*01:02:01", "A*02:02:01"], 30.0, 14);
    let n = f.len() as u64;
    let stats = ReadStats {
        records_scanned: n,
        fragments_kept: n,
        region: None,
    };
    let params = HlaParams {
        loci: vec!["A".into()],
        ..HlaParams::new(&s.path)
    };
    let with = hla::type_fragments(&meta, &cached, f.clone(), stats.clone(), &params).unwrap();
    let without = hla::type_fragments(&s.imgt, &s.index, f, stats, &params).unwrap();
    assert_eq!(with.alleles, without.alleles);
    assert_eq!(with.loci, without.loci);
    // A changed release file: a new key, a rebuild, and the stale file removed.
    let nuc = s.path.join("fasta/A_nuc.fasta");
    let mut text = std::fs::read_to_string(&nuc).unwrap();
    text.push_str(">HLA:HLA99999 A*01:99 10 bp\nACGTACGTAC\n");
    std::fs::write(&nuc, text).unwrap();
    let (imgt2, _, u) = cache::load_or_build(&s.path, Some(&cache_dir)).unwrap();
    assert_eq!(u, CacheUse::Written);
    assert!(imgt2.alleles.iter().any(|a| a.name == "A*01:99"));
    let second = bins();
    assert_eq!(second.len(), 1);
    assert_ne!(second, first);
    // A damaged file is rebuilt, never trusted.
    let path = cache_dir.join(&second[0]);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let (_, _, u) = cache::load_or_build(&s.path, Some(&cache_dir)).unwrap();
    assert_eq!(u, CacheUse::Written);
    let (_, _, u) = cache::load_or_build(&s.path, Some(&cache_dir)).unwrap();
    assert_eq!(u, CacheUse::Hit);
}

#[test]
fn low_depth_is_undetermined_with_the_reason() {
    let s = synthetic();
    // About 3× over a 1,098 bp coding sequence: ~16 pairs, fewer than 20 over exons 2–3.
    let r = type_a(&s, reads(&s, &["A*01:01:01:01"], 3.0, 7), &["A", "B"]);
    assert!(r.alleles.is_empty());
    assert_eq!(r.loci[0].status, "undetermined");
    assert!(
        r.loci[0]
            .reason
            .as_ref()
            .unwrap()
            .contains("at least 20 needed"),
        "{:?}",
        r.loci[0].reason
    );
    assert_eq!(r.loci[1].reads, 0);
}

#[test]
fn hla_e_reads_do_not_pull_the_a_call() {
    let s = synthetic();
    // HLA-E here is HLA-A's base allele with one base in 12 changed; at twice the depth its
    // reads would make A look heterozygous if they were not assigned to E.
    let mut f = reads(&s, &["A*02:01:01:01", "A*02:01:01:01"], 30.0, 8);
    f.extend(reads(&s, &["E*01:01:01:01"], 60.0, 9));
    let r = type_a(&s, f, &["A"]);
    assert_eq!(pair(&r, "A"), ["HLA-A*02:01", "HLA-A*02:01"]);
    assert!(r.fragments.other_loci.get("E").copied().unwrap_or(0) > 50);
}

#[test]
fn fastq_input_and_outputs_same_for_one_and_two_threads() {
    let s = synthetic();
    let frags = reads(
        &s,
        &["A*01:02:01", "A*02:02:01", "B*01:01:01:01", "B*03:01"],
        30.0,
        10,
    );
    let tmp = tempfile::tempdir().unwrap();
    let (r1, r2) = (tmp.path().join("r1.fq"), tmp.path().join("r2.fq"));
    let mut t1 = String::new();
    let mut t2 = String::new();
    for (i, f) in frags.iter().enumerate() {
        for (t, m) in [(&mut t1, &f.mates[0]), (&mut t2, &f.mates[1])] {
            t.push_str(&format!(
                "@r{i}\n{}\n+\n{}\n",
                String::from_utf8_lossy(m),
                "I".repeat(m.len())
            ));
        }
    }
    std::fs::write(&r1, t1).unwrap();
    std::fs::write(&r2, t2).unwrap();
    let params = HlaParams {
        input: HlaInput::Fastq {
            r1: r1.clone(),
            r2: Some(r2.clone()),
        },
        loci: vec!["A".into(), "B".into(), "C".into()],
        ..HlaParams::new(&s.path)
    };
    let mut outputs = Vec::new();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let r = pool.install(|| hla::type_sample(&params)).unwrap();
        let prefix = tmp.path().join(format!("t{threads}"));
        hla::output::write(&r, &prefix).unwrap();
        outputs.push((
            std::fs::read(prefix.with_extension("hla.json")).unwrap(),
            std::fs::read(prefix.with_extension("hla.tsv")).unwrap(),
        ));
        assert_eq!(pair(&r, "A"), ["HLA-A*01:02", "HLA-A*02:02"]);
        assert_eq!(pair(&r, "B"), ["HLA-B*01:01", "HLA-B*03:01"]);
        assert_eq!(r.loci[2].status, "undetermined");
    }
    assert_eq!(outputs[0], outputs[1]);
    let tsv = String::from_utf8(outputs[0].1.clone()).unwrap();
    assert!(tsv.starts_with("locus\tallele1\tallele2\treads\tconfidence"));
}

fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        util::skip(&format!("skipped: {} absent", p.display()));
        None
    }
}

/// A small simulation against the real release (the full evaluation is
/// `examples/hla-evaluate.rs`): class I from exome-like DNA, with HLA-E/F/G decoys.
#[test]
fn simulation_small_class_i() {
    let Some(dir) = shared("imgt-hla/3.30.0") else {
        return;
    };
    let imgt = Imgt::load(&dir).unwrap();
    let index = HlaIndex::build(&imgt);
    let params = HlaParams {
        loci: vec!["A".into(), "B".into(), "C".into()],
        ..HlaParams::new(&dir)
    };
    let spec = SimSpec {
        library: Library::Dna,
        loci: params.loci.clone(),
        depth: 30.0,
        read_len: 100,
        insert: 300,
        error_rate: 0.005,
        indel_rate: 0.0,
        decoys: vec!["E".into(), "F".into(), "G".into()],
        pseudogenes: false,
        random_pairs: 100,
    };
    let mut rng = Rng::new(11);
    let (mut right, mut total) = (0, 0);
    for _ in 0..3 {
        let sample = simulate(&imgt, &spec, &mut rng);
        let r = hla::type_fragments(
            &imgt,
            &index,
            sample.fragments,
            ReadStats::default(),
            &params,
        )
        .unwrap();
        for (locus, truth) in &sample.truth {
            let called: Vec<String> = r
                .loci
                .iter()
                .find(|l| &l.locus == locus)
                .and_then(|l| l.call.as_ref())
                .map(|c| {
                    c.alleles
                        .iter()
                        .map(|a| a.g_group.trim_start_matches("HLA-").to_string())
                        .collect()
                })
                .unwrap_or_default();
            let mut t: Vec<String> = truth.iter().map(|a| imgt.g_group(a).to_string()).collect();
            for c in &called {
                if let Some(i) = t.iter().position(|x| x == c) {
                    t.remove(i);
                    right += 1;
                }
            }
            total += 2;
        }
    }
    // 18 alleles at G-group resolution (what exons 2–3 can tell apart). The full evaluation
    // (reference/hla/EVALUATION.md) measures the rate; this guards against a collapse.
    assert!(right * 10 >= total * 8, "{right}/{total}");
}

/// GM12878 (NA12878) RNA-seq over chr6 (nf-core test data, GRCh37, 10% subsample). Its class I
/// type is A*01:01, A*11:01 (1000 Genomes HLA types as listed by QUILT-HLA's README,
/// rwdavies/QUILT), B*08:01, B*56:01, C*01:02, C*07:01 (IHWG/1000 Genomes typing of NA12878
/// as used by OptiType and HLA-VBSeq benchmarks).
#[test]
fn gm12878_rna_bam_class_i() {
    let (Some(dir), Some(bam)) = (
        shared("imgt-hla/3.30.0"),
        shared("upstream/nf-core-test-datasets/data/genomics/homo_sapiens/illumina/bam/test.rna.paired_end.sorted.chr6.bam"),
    ) else {
        return;
    };
    let params = HlaParams {
        input: HlaInput::Bam {
            path: bam,
            fasta: None,
        },
        loci: vec!["A".into(), "B".into(), "C".into()],
        ..HlaParams::new(&dir)
    };
    let r = hla::type_sample(&params).unwrap();
    let expect: BTreeMap<&str, [&str; 2]> = [
        ("A", ["HLA-A*01:01", "HLA-A*11:01"]),
        ("B", ["HLA-B*08:01", "HLA-B*56:01"]),
        ("C", ["HLA-C*01:02", "HLA-C*07:01"]),
    ]
    .into();
    for (locus, want) in expect {
        assert_eq!(pair(&r, locus), want, "{locus}: {:?}", r.loci);
    }
    assert!(r
        .input
        .region
        .as_deref()
        .unwrap_or("")
        .starts_with("GRCh37"));
}
