//! `quant` against featureCounts 2.0.3: identical gene counts and summary on the project's
//! edge-case BAM (test-data/quant, generator and commands there) and on the nf-core chr22
//! mini-genome RNA BAM (skipped when ../shared is absent).

mod util;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use immunoprofile::quant::count::{count, count_with_regions};
use immunoprofile::quant::{CountOptions, GeneModel, Strandedness, Unassigned};
use rust_htslib::bam::{self, Read as _};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test-data/quant")
        .join(name)
}

/// featureCounts' table → gene → count.
fn fc_counts(path: &Path) -> BTreeMap<String, u64> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("Geneid"))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_string(), f[6].parse().unwrap())
        })
        .collect()
}

/// featureCounts' summary → non-zero rows.
fn fc_summary(path: &Path) -> BTreeMap<String, u64> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_string(), f[1].parse().unwrap())
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn ours(
    model: &GeneModel,
    c: &immunoprofile::quant::count::Counts,
) -> (BTreeMap<String, u64>, BTreeMap<String, u64>) {
    let genes = model
        .genes
        .iter()
        .zip(&c.genes)
        .map(|(g, &n)| (g.id.clone(), n))
        .collect();
    let mut summary: BTreeMap<String, u64> = Unassigned::ALL
        .iter()
        .map(|u| (u.label().to_string(), c.unassigned[u.index()]))
        .filter(|(_, n)| *n > 0)
        .collect();
    if c.assigned > 0 {
        summary.insert("Assigned".into(), c.assigned);
    }
    (genes, summary)
}

/// SAM text → sorted, indexed BAM in `dir` (named after the SAM).
fn sam_to_bam(sam: &Path, dir: &Path) -> PathBuf {
    let out = dir.join(sam.with_extension("bam").file_name().unwrap());
    let mut reader = bam::Reader::from_path(sam).unwrap();
    let header = bam::Header::from_template(reader.header());
    {
        let mut writer = bam::Writer::from_path(&out, &header, bam::Format::Bam).unwrap();
        let mut record = bam::Record::new();
        while let Some(r) = reader.read(&mut record) {
            r.unwrap();
            writer.write(&record).unwrap();
        }
    }
    bam::index::build(&out, None, bam::index::Type::Bai, 1).unwrap();
    out
}

#[test]
fn edge_cases_match_featurecounts() {
    let dir = tempfile::tempdir().unwrap();
    let bam = sam_to_bam(&data("edge.sam"), dir.path());
    let model = GeneModel::from_gtf(&data("edge.gtf")).unwrap();
    assert_eq!(model.genes_without_exons, vec!["GNOEX".to_string()]);
    // p23-p26 are secondary alignments with NH:i:1 or no NH: one more fragment each by default
    // (featureCounts decides multi-mapping by NH alone), Unassigned_Secondary with --primary
    // (checked before the mapping quality: primary_q10).
    for (case, strandedness, min_mapq, primary_only) in [
        ("s0", Strandedness::None, 0, false),
        ("s1", Strandedness::Forward, 0, false),
        ("s2", Strandedness::Reverse, 0, false),
        ("q10", Strandedness::None, 10, false),
        ("primary", Strandedness::None, 0, true),
        ("primary_q10", Strandedness::None, 10, true),
    ] {
        let opts = CountOptions {
            strandedness,
            min_mapq,
            primary_only,
            ..CountOptions::default()
        };
        let expected_genes = fc_counts(&data(&format!("edge.{case}.featureCounts.txt")));
        let expected_summary = fc_summary(&data(&format!("edge.{case}.featureCounts.txt.summary")));
        // Whole-contig regions, and 100-bp regions so that most pairs cross a boundary.
        for region_bp in [1_000_000, 100, 7] {
            let c = count_with_regions(&bam, &model, &opts, region_bp).unwrap();
            assert!(c.paired);
            let (genes, summary) = ours(&model, &c);
            assert_eq!(genes, expected_genes, "{case}, regions of {region_bp} bp");
            assert_eq!(
                summary, expected_summary,
                "{case}, regions of {region_bp} bp"
            );
        }
    }
}

#[test]
fn single_end_edge_cases_match_featurecounts() {
    let dir = tempfile::tempdir().unwrap();
    let bam = sam_to_bam(&data("edge_se.sam"), dir.path());
    let model = GeneModel::from_gtf(&data("edge.gtf")).unwrap();
    for (case, strandedness, primary_only) in [
        ("s0", Strandedness::None, false),
        ("s1", Strandedness::Forward, false),
        ("s2", Strandedness::Reverse, false),
        ("primary", Strandedness::None, true),
    ] {
        let opts = CountOptions {
            strandedness,
            primary_only,
            ..CountOptions::default()
        };
        let c = count_with_regions(&bam, &model, &opts, 50).unwrap();
        assert!(!c.paired);
        let (genes, summary) = ours(&model, &c);
        assert_eq!(
            genes,
            fc_counts(&data(&format!("edge_se.{case}.featureCounts.txt"))),
            "{case}"
        );
        assert_eq!(
            summary,
            fc_summary(&data(&format!("edge_se.{case}.featureCounts.txt.summary"))),
            "{case}"
        );
    }
}

#[test]
fn chr22_rna_bam_matches_featurecounts() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/upstream/nf-core-test-datasets/data/genomics/homo_sapiens");
    let bam = shared.join("illumina/bam/test.rna.paired_end.sorted.bam");
    if !bam.exists() {
        util::skip(&format!("skipping: {} is absent", bam.display()));
        return;
    }
    // The mini-genome's GTF is 2027 bp behind its FASTA and BAM: shift it as the expected
    // output was made (test-data/quant/README.md).
    let dir = tempfile::tempdir().unwrap();
    let gtf = dir.path().join("shifted.gtf");
    let text = std::fs::read_to_string(shared.join("genome/genome.gtf")).unwrap();
    let shifted: String = text
        .lines()
        .map(|l| {
            if l.starts_with('#') {
                return format!("{l}\n");
            }
            let mut f: Vec<String> = l.split('\t').map(str::to_string).collect();
            for i in [3, 4] {
                f[i] = (f[i].parse::<u64>().unwrap() + 2027).to_string();
            }
            format!("{}\n", f.join("\t"))
        })
        .collect();
    std::fs::write(&gtf, shifted).unwrap();
    let model = GeneModel::from_gtf(&gtf).unwrap();
    let c = count(&bam, &model, &CountOptions::default()).unwrap();
    let (genes, summary) = ours(&model, &c);
    assert_eq!(genes, fc_counts(&data("chr22.featureCounts.txt")));
    assert_eq!(
        summary,
        fc_summary(&data("chr22.featureCounts.txt.summary"))
    );
    let small = count_with_regions(&bam, &model, &CountOptions::default(), 1000).unwrap();
    assert_eq!(small, c);
}

#[test]
fn unsorted_or_unindexed_bam_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let bam = sam_to_bam(&data("edge.sam"), dir.path());
    std::fs::remove_file(dir.path().join("edge.bam.bai")).unwrap();
    let model = GeneModel::from_gtf(&data("edge.gtf")).unwrap();
    let e = count(&bam, &model, &CountOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("samtools index") && !e.contains('\n'), "{e}");

    // Header says unsorted.
    let sam = std::fs::read_to_string(data("edge.sam"))
        .unwrap()
        .replace("SO:coordinate", "SO:unsorted");
    let sub = dir.path().join("u");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("edge.sam"), sam).unwrap();
    let e = sam_to_bam(&sub.join("edge.sam"), &sub);
    let err = count(&e, &model, &CountOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("samtools sort"), "{err}");
}

#[test]
fn output_bytes_do_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let bam = sam_to_bam(&data("edge.sam"), dir.path());
    let mut outputs = Vec::new();
    for t in ["1", "2", "3"] {
        let prefix = dir.path().join(format!("t{t}"));
        let st = std::process::Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
            .args(["-q", "-t", t, "quant", "--bam"])
            .arg(&bam)
            .arg("--gtf")
            .arg(data("edge.gtf"))
            .arg("-o")
            .arg(&prefix)
            .status()
            .unwrap();
        assert!(st.success());
        let tsv = std::fs::read(dir.path().join(format!("t{t}.quant.tsv"))).unwrap();
        let json = std::fs::read(dir.path().join(format!("t{t}.quant.json"))).unwrap();
        outputs.push((tsv, json));
    }
    assert!(outputs.windows(2).all(|w| w[0] == w[1]));
    // featureCounts' counts, with our TPM from them: GC 7 reads / 400 bp etc.
    let text = String::from_utf8(outputs[0].0.clone()).unwrap();
    assert!(
        text.starts_with("gene_id\tgene_name\tlength\tcount\ttpm\nGA\tGA_name\t250\t0\t0\n"),
        "{text}"
    );
}
