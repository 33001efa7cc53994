//! `signatures` against the reference implementations on 12 TCGA-OV samples
//! (../shared/data/signatures/tcga_ov/EXPR.txt, log2(TPM+1)): gseapy 1.3.1 for ssGSEA and numpy
//! re-implementations of the authors' formulas for the rest
//! (test-data/signatures/reference.py, which wrote tcga_ov.expected.tsv). Skipped when ../shared
//! is absent.

mod util;

use std::collections::BTreeMap;
use std::path::Path;

use immunoprofile::signatures::{compute, SignaturesParams};

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
    let params = SignaturesParams {
        expression: expr,
        format: None,
        gtf: None,
        gene_sets: vec![],
        built_in: true,
        scale: None,
        sample: None,
    };
    let result = compute(&params).unwrap();
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
