//! `quant`'s `PREFIX.featureCounts.txt` and `.summary` against featureCounts' own files, byte
//! for byte except the `# Program:` line: the committed featureCounts 2.0.3 outputs of
//! test-data/quant (commands in its README), the chr22 mini-genome RNA BAM (skipped when
//! ../shared is absent), and a live featureCounts run on a generated GTF full of tied exon starts
//! (skipped when featureCounts is not installed: `apt-get install subread`).

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use rust_htslib::bam::{self, Read as _};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test-data/quant")
        .join(name)
}

/// SAM text → sorted, indexed BAM `dir/name`.
fn sam_to_bam(sam: &Path, dir: &Path, name: &str) -> PathBuf {
    let out = dir.join(name);
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

/// Runs `immunoprofile quant` in `dir` (so a relative `bam` is written as given) and returns
/// the featureCounts table and summary.
fn quant(dir: &Path, bam: &str, gtf: &Path, extra: &[&str]) -> (String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .current_dir(dir)
        .args(["-q", "quant", "--bam", bam, "--gtf"])
        .arg(gtf)
        .args(extra)
        .args(["-o", "out"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let read = |s: &str| std::fs::read_to_string(dir.join(format!("out.{s}"))).unwrap();
    (read("featureCounts.txt"), read("featureCounts.txt.summary"))
}

/// Everything after the `# Program:` line.
fn body(table: &str) -> &str {
    assert!(table.starts_with("# Program:"), "{table}");
    &table[table.find('\n').unwrap() + 1..]
}

#[test]
fn edge_cases_write_featurecounts_files_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    sam_to_bam(&data("edge.sam"), dir.path(), "edge.bam");
    sam_to_bam(&data("edge_se.sam"), dir.path(), "edge_se.bam");
    let gtf = data("edge.gtf");
    for (bam, case, flags) in [
        ("edge.bam", "edge.s0", vec![]),
        ("edge.bam", "edge.s1", vec!["--strand", "forward"]),
        ("edge.bam", "edge.s2", vec!["--strand", "reverse"]),
        ("edge.bam", "edge.q10", vec!["--min-mapq", "10"]),
        ("edge.bam", "edge.primary", vec!["--primary"]),
        (
            "edge.bam",
            "edge.primary_q10",
            vec!["--primary", "--min-mapq", "10"],
        ),
        ("edge_se.bam", "edge_se.s0", vec![]),
        ("edge_se.bam", "edge_se.s1", vec!["--strand", "forward"]),
        ("edge_se.bam", "edge_se.s2", vec!["--strand", "reverse"]),
        ("edge_se.bam", "edge_se.primary", vec!["--primary"]),
    ] {
        let (table, summary) = quant(dir.path(), bam, &gtf, &flags);
        let expected = std::fs::read_to_string(data(&format!("{case}.featureCounts.txt"))).unwrap();
        assert_eq!(body(&table), body(&expected), "{case}");
        let expected_summary =
            std::fs::read_to_string(data(&format!("{case}.featureCounts.txt.summary"))).unwrap();
        assert_eq!(summary, expected_summary, "{case}");
    }
}

#[test]
fn program_line_names_the_tool_and_its_options() {
    let dir = tempfile::tempdir().unwrap();
    sam_to_bam(&data("edge.sam"), dir.path(), "edge.bam");
    std::fs::copy(data("edge.gtf"), dir.path().join("edge.gtf")).unwrap();
    let (table, _) = quant(
        dir.path(),
        "edge.bam",
        Path::new("edge.gtf"),
        &["--strand", "reverse", "--min-mapq", "10"],
    );
    let first = table.lines().next().unwrap();
    assert_eq!(
        first,
        format!(
            "# Program:immunoprofile v{}; Command:\"immunoprofile\" \"quant\" \"--bam\" \"edge.bam\" \"--gtf\" \"edge.gtf\" \"--strand\" \"reverse\" \"--min-mapq\" \"10\" \"-o\" \"out\" ",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[test]
fn chr22_rna_bam_writes_featurecounts_files() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/upstream/nf-core-test-datasets/data/genomics/homo_sapiens");
    let bam = shared.join("illumina/bam/test.rna.paired_end.sorted.bam");
    if !bam.exists() {
        util::skip(&format!("skipping: {} is absent", bam.display()));
        return;
    }
    // The GTF shifted by +2027 bp as the expected output was made (test-data/quant/README.md).
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
    let bam_arg = bam.display().to_string();
    let (table, summary) = quant(dir.path(), &bam_arg, &gtf, &[]);
    // featureCounts was given the BAM as /work/shared/...: name the column as we were given it.
    let fc_column = "/work/shared/data/upstream/nf-core-test-datasets/data/genomics/homo_sapiens/illumina/bam/test.rna.paired_end.sorted.bam";
    let expected = std::fs::read_to_string(data("chr22.featureCounts.txt"))
        .unwrap()
        .replace(fc_column, &bam_arg);
    assert_eq!(body(&table), body(&expected));
    let expected_summary = std::fs::read_to_string(data("chr22.featureCounts.txt.summary"))
        .unwrap()
        .replace(fc_column, &bam_arg);
    assert_eq!(summary, expected_summary);
}

/// A GTF whose exons share starts in many orders, on both strands and `.`, over two contigs,
/// with genes interleaved: featureCounts' unstable sort decides the listed order (seeded LCG).
fn tied_gtf() -> String {
    let mut state: u64 = 20_261_202;
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    let starts = [1001u64, 1051, 1201, 1251, 3001, 5001];
    let mut out = String::new();
    for line in 0..120 {
        let gene = next(7);
        // GE lives on e2; the others on e1. G5 is unstranded, G6 has exons on both strands.
        let contig = if gene == 4 { "e2" } else { "e1" };
        let strand = match gene {
            5 => ".",
            6 if next(2) == 0 => "-",
            1 | 3 => "-",
            _ => "+",
        };
        let s = starts[next(starts.len() as u64) as usize];
        let e = s + 10 + next(250);
        out.push_str(&format!(
            "{contig}\tt\texon\t{s}\t{e}\t.\t{strand}\t.\tgene_id \"G{gene}\"; transcript_id \"T{line}\";\n"
        ));
    }
    out
}

#[test]
fn tied_exon_starts_list_as_featurecounts_lists_them() {
    if !Command::new("featureCounts")
        .arg("-v")
        .output()
        .is_ok_and(|o| !o.stderr.is_empty() || !o.stdout.is_empty())
    {
        util::skip("skipping: featureCounts is not installed (apt-get install subread)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    sam_to_bam(&data("edge.sam"), dir.path(), "edge.bam");
    std::fs::write(dir.path().join("tied.gtf"), tied_gtf()).unwrap();
    let st = Command::new("featureCounts")
        .current_dir(dir.path())
        .args([
            "-p",
            "--countReadPairs",
            "-a",
            "tied.gtf",
            "-o",
            "fc.txt",
            "edge.bam",
        ])
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stdout)
    );
    let (table, summary) = quant(dir.path(), "edge.bam", Path::new("tied.gtf"), &[]);
    let expected = std::fs::read_to_string(dir.path().join("fc.txt")).unwrap();
    assert_eq!(body(&table), body(&expected));
    let expected_summary = std::fs::read_to_string(dir.path().join("fc.txt.summary")).unwrap();
    assert_eq!(summary, expected_summary);
}
