//! `signatures --gtf` names genes of tables keyed by gene ID, and `--sample` picks one count
//! column of a featureCounts table; hand-made tables, values worked out by hand.

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
}

/// Genes ENSG90000000001..3 (made-up Ensembl-style IDs, as a GTF-annotated featureCounts run
/// writes its Geneid): the first is GZMA, the second PRF1, the third ACTB; one
/// test spells the first with a version the table lacks.
const GTF: &str = "c1\tt\tgene\t1\t1000\t.\t+\t.\tgene_id \"ENSG90000000001\"; gene_name \"GZMA\";\n\
c1\tt\texon\t1\t1000\t.\t+\t.\tgene_id \"ENSG90000000001\"; transcript_id \"T1\"; gene_name \"GZMA\";\n\
c1\tt\texon\t2001\t4000\t.\t+\t.\tgene_id \"ENSG90000000002\"; transcript_id \"T2\"; gene_name \"PRF1\";\n\
c1\tt\texon\t5001\t6000\t.\t+\t.\tgene_id \"ENSG90000000003\"; transcript_id \"T3\"; gene_name \"ACTB\";\n";

/// Two BAM columns. S2's counts 10, 40, 50 over lengths 1000, 2000, 1000 give rates .01, .02,
/// .05 → TPM 125000, 250000, 625000; CYT = sqrt((125000.01)(250000.01)) = 176776.7059032386.
/// S1's 30, 30, 0 → TPM 666666.67, 333333.33, 0; CYT = 471404.5313976334.
const FC: &str = "# Program:featureCounts v2.0.3; Command:\"featureCounts\"\n\
Geneid\tChr\tStart\tEnd\tStrand\tLength\t/data/S1.sorted.bam\t/data/S2.bam\n\
ENSG90000000001\tc1\t1\t1000\t+\t1000\t30\t10\n\
ENSG90000000002\tc1\t2001\t4000\t+\t2000\t30\t40\n\
ENSG90000000003\tc1\t5001\t6000\t+\t1000\t0\t50\n";

fn signatures(dir: &Path, table: &str, extra: &[&str]) -> (bool, String, String) {
    let e = dir.join("fc.txt");
    std::fs::write(&e, table).unwrap();
    std::fs::write(
        dir.join("g.gtf"),
        GTF.replace("\"ENSG90000000001\"", "\"ENSG90000000001.4\""),
    )
    .unwrap();
    let o = bin()
        .current_dir(dir)
        .args(["-q", "signatures", "-e", "fc.txt", "-o", "out"])
        .args(extra)
        .output()
        .unwrap();
    let tsv = std::fs::read_to_string(dir.join("out.signatures.tsv")).unwrap_or_default();
    let _ = std::fs::remove_file(dir.join("out.signatures.tsv"));
    (
        o.status.success(),
        tsv,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// (sample, score, genes found) of the CYT row, the rest of the row checked.
fn cyt_score(tsv: &str) -> (String, f64, String) {
    let f: Vec<&str> = cyt(tsv).split('\t').collect();
    assert_eq!((f[3], f[5], f[6]), ("geometric_mean", "2", "NA"), "{tsv}");
    (
        f[0].to_string(),
        f[2].parse().unwrap_or(f64::NAN),
        f[4].to_string(),
    )
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs()
}

fn cyt(tsv: &str) -> &str {
    tsv.lines()
        .find(|l| l.contains("\tCYT_Rooney2015\t"))
        .unwrap_or_else(|| panic!("no CYT row in {tsv}"))
}

#[test]
fn gtf_names_gene_ids_and_sample_picks_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // --sample by the file name without .bam, and by the name before the first dot.
    let (ok, tsv, err) = signatures(d, FC, &["--gtf", "g.gtf", "--sample", "S2"]);
    assert!(ok, "{err}");
    let (sample, score, found) = cyt_score(&tsv);
    assert!(
        sample == "S2" && found == "2" && close(score, 176_776.705_903_238_6),
        "{tsv}"
    );
    // One sample scored, not both.
    assert!(!tsv.contains("\nS1\t"), "{tsv}");
    let (ok, tsv, err) = signatures(d, FC, &["--gtf", "g.gtf", "--sample", "S1"]);
    assert!(ok, "{err}");
    let (sample, score, found) = cyt_score(&tsv);
    assert!(
        sample == "S1" && found == "2" && close(score, 471_404.531_397_633_4),
        "{tsv}"
    );
    // The full header and the file name name the same column.
    for name in ["/data/S1.sorted.bam", "S1.sorted.bam"] {
        let (ok, tsv, err) = signatures(d, FC, &["--gtf", "g.gtf", "--sample", name]);
        assert!(ok, "{err}");
        assert!(close(cyt_score(&tsv).1, 471_404.531_397_633_4), "{tsv}");
    }
    // Without --gtf the IDs match no signature gene: CYT is NA with 0 of 2 genes found.
    let (ok, tsv, err) = signatures(d, FC, &["--sample", "S2"]);
    assert!(ok, "{err}");
    assert_eq!(
        cyt(&tsv),
        "S2\tCYT_Rooney2015\tNA\tgeometric_mean\t0\t2\tNA"
    );
}

#[test]
fn absent_or_ambiguous_sample_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (ok, _, err) = signatures(d, FC, &["--gtf", "g.gtf", "--sample", "S3"]);
    assert!(!ok);
    assert!(
        err.contains("sample S3 is not a count column")
            && err.contains("/data/S1.sorted.bam, /data/S2.bam"),
        "{err}"
    );
    // Two BAMs with the same file name in different folders: the file name is ambiguous, the
    // full path is not.
    let twins = FC.replace("/data/S1.sorted.bam\t/data/S2.bam", "/a/S1.bam\t/b/S1.bam");
    let (ok, _, err) = signatures(d, &twins, &["--gtf", "g.gtf", "--sample", "S1"]);
    assert!(!ok);
    assert!(
        err.contains("matches several count columns") && err.contains("/a/S1.bam, /b/S1.bam"),
        "{err}"
    );
    let (ok, tsv, err) = signatures(d, &twins, &["--gtf", "g.gtf", "--sample", "/b/S1.bam"]);
    assert!(ok, "{err}");
    let (sample, score, _) = cyt_score(&tsv);
    assert!(
        sample == "/b/S1.bam" && close(score, 176_776.705_903_238_6),
        "{tsv}"
    );
}

#[test]
fn gtf_names_a_matrix_and_a_salmon_gene_table() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("g.gtf"), GTF).unwrap();
    // A TPM matrix keyed by IDs: GZMA 9.99, PRF1 39.99 → CYT sqrt(10 · 40) = 20.
    std::fs::write(
        d.join("m.tsv"),
        "gene\tX\nENSG90000000001\t9.99\nENSG90000000002\t39.99\nENSG90000000003\t500\n",
    )
    .unwrap();
    // salmon quant.genes.sf keyed by IDs (versioned here, unversioned in the GTF).
    std::fs::write(
        d.join("quant.genes.sf"),
        "Name\tLength\tEffectiveLength\tTPM\tNumReads\nENSG90000000001.2\t1000\t900\t9.99\t5\nENSG90000000002.7\t2000\t1900\t39.99\t9\n",
    )
    .unwrap();
    for (table, sample) in [("m.tsv", "X"), ("quant.genes.sf", "quant")] {
        let o = bin()
            .current_dir(d)
            .args(["-q", "signatures", "-e", table, "--gtf", "g.gtf", "-o", "o"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let tsv = std::fs::read_to_string(d.join("o.signatures.tsv")).unwrap();
        assert_eq!(
            cyt(&tsv),
            format!("{sample}\tCYT_Rooney2015\t20\tgeometric_mean\t2\t2\tNA"),
            "{table}"
        );
    }
}
