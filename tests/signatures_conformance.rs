//! `signatures` against the reference implementations on 12 TCGA-OV samples
//! (../shared/data/signatures/tcga_ov/EXPR.txt, log2(TPM+1)): GSVA 1.46 (R) for ssGSEA, raw and
//! normalised (tests/data/signatures/gsva_ssgsea.R, which wrote tcga_ov.gsva.tsv); gseapy 1.3.1
//! for the `--ssgsea gseapy` flavour, and numpy re-implementations of the authors' formulas for
//! the rest (test-data/signatures/reference.py, which wrote tcga_ov.expected.tsv). Skipped when
//! ../shared is absent.

mod util;

use std::collections::BTreeMap;
use std::path::Path;

use immunoprofile::signatures::ssgsea::Flavour;
use immunoprofile::signatures::{compute, Method, SignaturesParams};

fn read_table(path: &Path, columns: &[usize]) -> BTreeMap<(String, String), Vec<f64>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (
                (f[0].to_string(), f[1].to_string()),
                columns.iter().map(|&c| f[c].parse().unwrap()).collect(),
            )
        })
        .collect()
}

fn params(expr: &Path, ssgsea: Flavour) -> SignaturesParams {
    SignaturesParams {
        expression: expr.to_path_buf(),
        format: None,
        gtf: None,
        gene_sets: vec![],
        built_in: true,
        scale: None,
        sample: None,
        ssgsea,
    }
}

/// GSVA's own output, raw (`ssgsea.norm = FALSE`) and normalised, to 1e-6 relative.
#[test]
fn tcga_ov_ssgsea_matches_gsva() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let expr = root.join("../shared/data/signatures/tcga_ov/EXPR.txt");
    if !expr.exists() {
        eprintln!("skipping: {} is absent", expr.display());
        return;
    }
    let gsva = read_table(
        &root.join("tests/data/signatures/tcga_ov.gsva.tsv"),
        &[2, 3],
    );
    assert_eq!(gsva.len(), 28 * 12);
    let result = compute(&params(&expr, Flavour::Gsva)).unwrap();
    let mut checked = 0;
    for row in result.rows.iter().filter(|r| r.method == Method::Ssgsea) {
        let want = &gsva[&(row.sample.clone(), row.signature.clone())];
        for (got, want, what) in [
            (row.raw_score.unwrap(), want[0], "raw"),
            (row.score.unwrap(), want[1], "normalised"),
        ] {
            assert!(
                (got - want).abs() <= 1e-6 * want.abs(),
                "{} {} {what}: ours {got}, GSVA {want}",
                row.sample,
                row.signature
            );
        }
        checked += 1;
    }
    assert_eq!(checked, gsva.len());
}

#[test]
fn tcga_ov_scores_match_reference_implementations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let expr = root.join("../shared/data/signatures/tcga_ov/EXPR.txt");
    if !expr.exists() {
        util::skip(&format!("skipping: {} is absent", expr.display()));
        return;
    }
    let expected: BTreeMap<(String, String), f64> =
        std::fs::read_to_string(root.join("test-data/signatures/tcga_ov.expected.tsv"))
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                ((f[0].to_string(), f[1].to_string()), f[2].parse().unwrap())
            })
            .collect();
    // gseapy's flavour: every row (ssGSEA rows are gseapy's NES).
    let result = compute(&params(&expr, Flavour::Gseapy)).unwrap();
    assert_eq!(result.summary.samples.len(), 12);
    assert_eq!(result.rows.len(), expected.len());
    for row in &result.rows {
        let key = (row.sample.clone(), row.signature.clone());
        let want = expected[&key];
        let got = row.score.unwrap();
        assert!(
            (got - want).abs() <= 1e-6,
            "{key:?}: ours {got}, reference {want}"
        );
    }
}
