//! The `quant` and `signatures` subcommands end to end through the binary.

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
}

#[test]
fn quant_table_then_signatures_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("m.tsv");
    // TPM matrix with two samples; GZMA/PRF1 give CYT = sqrt((9.99+.01)(39.99+.01)) = 20 in S1.
    std::fs::write(
        &table,
        "gene\tS1\tS2\nGZMA\t9.99\t0\nPRF1\t39.99\t0\nACTB\t5000\t100\n",
    )
    .unwrap();
    let prefix = dir.path().join("out/c");
    let st = bin()
        .args(["-q", "signatures", "-e"])
        .arg(&table)
        .arg("-o")
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(st.success());
    let tsv = std::fs::read_to_string(dir.path().join("out/c.signatures.tsv")).unwrap();
    assert!(
        tsv.starts_with("sample\tsignature\tscore\tmethod\tn_genes_found\tn_genes\traw_score\n")
    );
    assert!(
        tsv.contains("S1\tCYT_Rooney2015\t20\tgeometric_mean\t2\t2\tNA\n"),
        "{tsv}"
    );
    // S2: exp(mean(ln 0.01)) = 0.01.
    assert!(
        tsv.contains("S2\tCYT_Rooney2015\t0.01\tgeometric_mean\t2\t2\tNA\n"),
        "{tsv}"
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/c.signatures.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["scale_used"], "tpm");

    // A single sample taken from the matrix by quant.
    let q = dir.path().join("q");
    let st = bin()
        .args(["-q", "quant", "--table"])
        .arg(&table)
        .args(["--sample", "S1", "-o"])
        .arg(&q)
        .status()
        .unwrap();
    assert!(st.success());
    let qt = std::fs::read_to_string(dir.path().join("q.quant.tsv")).unwrap();
    assert!(qt.contains("GZMA\tNA\tNA\tNA\t9.99\n"), "{qt}");

    // Duplicate gene: exit 1, one line naming the line.
    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, "gene\tS1\nCD8A\t1\nCD8A\t2\n").unwrap();
    let out = bin()
        .args(["-q", "signatures", "-e"])
        .arg(&bad)
        .arg("-o")
        .arg(dir.path().join("x"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("line 3"), "{err}");
    assert!(!Path::new(&dir.path().join("x.signatures.tsv")).exists());
}
