//! The shipped binding model: known epitopes on the right side of 500 nM, coverage of the
//! pseudo-sequence file, percentiles, determinism, and the `binding` subcommand end to end.

mod util;

use std::path::PathBuf;
use std::process::Command;

use immunoprofile::binding::builtin::{BuiltinPredictor, Served};
use immunoprofile::binding::data::read_pseudosequences;
use immunoprofile::binding::encoding::EncodedPeptide;
use immunoprofile::binding::model::AlleleProjections;
use immunoprofile::binding::{BindingPredictor, HlaAllele};

fn allele(s: &str) -> HlaAllele {
    HlaAllele::parse(s).unwrap()
}

fn ic50(p: &BuiltinPredictor, a: &str, pep: &str) -> f64 {
    p.predict(&allele(a), &[pep]).unwrap()[0].ic50
}

/// Published T-cell epitopes with their restricting allele (each a measured strong binder in
/// the literature): CMV pp65 NLVPMVATV (A*02:01) and TPRVTGGGAM (B*07:02), influenza M1
/// GILGFVFTL (A*02:01), CMV pp50 VTEHDTLLY (A*01:01), EBV EBNA3B IVTDFSVIK (A*11:01),
/// EBV BRLF1 RLRAEAQVK (A*03:01), EBV BZLF1 RAKFKQLL (B*08:01), EBV EBNA3C RRIYDLIEL (B*27:05),
/// HIV Gag KAFSPEVIPMF (B*57:01). Lengths 8 to 11.
const EPITOPES: &[(&str, &str)] = &[
    ("HLA-A*02:01", "NLVPMVATV"),
    ("HLA-A*02:01", "GILGFVFTL"),
    ("HLA-B*07:02", "TPRVTGGGAM"),
    ("HLA-A*01:01", "VTEHDTLLY"),
    ("HLA-A*11:01", "IVTDFSVIK"),
    ("HLA-A*03:01", "RLRAEAQVK"),
    ("HLA-B*08:01", "RAKFKQLL"),
    ("HLA-B*27:05", "RRIYDLIEL"),
    ("HLA-B*57:01", "KAFSPEVIPMF"),
];

#[test]
fn known_epitopes_bind_their_allele() {
    let p = BuiltinPredictor::load_default().unwrap();
    // All are measured binders (IEDB): predicted under 500 nM.
    for (a, pep) in EPITOPES {
        let v = ic50(&p, a, pep);
        assert!(v < 500.0, "{pep} on {a}: {v} nM");
    }
    // And they rank as binders among natural peptides of their length (NetMHCpan's weak
    // binder cut-off: rank < 2%).
    for (a, pep) in EPITOPES {
        let r = p.predict(&allele(a), &[pep]).unwrap()[0];
        let rank = r.percentile.unwrap();
        assert!(rank < 2.0, "{pep} on {a}: {} nM, rank {rank}", r.ic50);
    }
}

#[test]
fn epitopes_of_other_alleles_do_not_bind_a0201() {
    // Each lacks A*02:01's anchors (hydrophobic P2, aliphatic PΩ): non-binders expected.
    let p = BuiltinPredictor::load_default().unwrap();
    for pep in [
        "TPRVTGGGAM",
        "VTEHDTLLY",
        "IVTDFSVIK",
        "RLRAEAQVK",
        "RRIYDLIEL",
        "DDDDDDDDD",
    ] {
        let v = ic50(&p, "HLA-A*02:01", pep);
        assert!(v > 500.0, "{pep} on A*02:01: {v} nM");
    }
    // And the A*02:01 epitope does not bind B*07:02, which needs P at P2.
    assert!(ic50(&p, "HLA-B*07:02", "GILGFVFTL") > 500.0);
}

#[test]
fn allele_spellings_give_the_same_prediction() {
    let p = BuiltinPredictor::load_default().unwrap();
    let base = ic50(&p, "HLA-A*02:01", "NLVPMVATV");
    for s in ["A*02:01", "A0201", "HLA-A02:01", "a*02:01:01"] {
        assert_eq!(ic50(&p, s, "NLVPMVATV"), base, "{s}");
    }
}

#[test]
fn unknown_allele_names_the_nearest() {
    let p = BuiltinPredictor::load_default().unwrap();
    let unknown = allele("HLA-A*02:999");
    assert!(!p.supports(&unknown));
    let e = p.predict(&unknown, &["NLVPMVATV"]).unwrap_err().to_string();
    assert!(
        e.contains("HLA-A*02:999") && e.contains("nearest known: HLA-A*02:"),
        "{e}"
    );
    let near = p.nearest_alleles(&unknown, 3);
    assert_eq!(near.len(), 3);
    assert!(
        near.iter().all(|a| a.to_string().starts_with("HLA-A*02:")),
        "{near:?}"
    );
}

#[test]
fn bad_peptides_are_errors_not_panics() {
    let p = BuiltinPredictor::load_default().unwrap();
    for bad in ["SIINFEK", "SIINFEKLSIIN", "SIINFEKX", ""] {
        assert!(p.predict(&allele("A*02:01"), &[bad]).is_err(), "{bad}");
    }
}

#[test]
fn percentile_rises_with_ic50_and_is_uniform_on_random_peptides() {
    let p = BuiltinPredictor::load_default().unwrap();
    let a = allele("HLA-A*02:01");
    let peps = immunoprofile::binding::encoding::random_peptides(9, 400, 99);
    let peps: Vec<String> = peps
        .into_iter()
        .map(|v| String::from_utf8(v).unwrap())
        .collect();
    let refs: Vec<&str> = peps.iter().map(String::as_str).collect();
    let mut preds = p.predict(&a, &refs).unwrap();
    preds.sort_by(|x, y| x.ic50.total_cmp(&y.ic50));
    for w in preds.windows(2) {
        assert!(w[0].percentile.unwrap() <= w[1].percentile.unwrap());
    }
    for q in &preds {
        assert!((0.0..=100.0).contains(&q.percentile.unwrap()));
    }
    // The background is natural 9-mers; random 9-mers of the natural amino-acid composition
    // score nearly like them (A*02:01's anchors are single residues), so their ranks are
    // close to uniform on 0-100 and about half of these 400 fall below 50.
    let below_half = preds
        .iter()
        .filter(|q| q.percentile.unwrap() < 50.0)
        .count();
    assert!((140..=260).contains(&below_half), "{below_half}");
}

#[test]
fn predictions_are_deterministic_and_order_free() {
    let p = BuiltinPredictor::load_default().unwrap();
    let q = BuiltinPredictor::load_default().unwrap();
    let a = allele("B*07:02");
    let one = p.predict(&a, &["TPRVTGGGAM", "NLVPMVATV"]).unwrap();
    let two = q.predict(&a, &["NLVPMVATV", "TPRVTGGGAM"]).unwrap();
    assert_eq!(one[0], two[1]);
    assert_eq!(one[1], two[0]);
}

#[test]
fn known_alleles_cover_the_training_alleles_and_the_pseudo_file() {
    let p = BuiltinPredictor::load_default().unwrap();
    let known = p.known_alleles();
    let own = known.iter().filter(|k| k.served == Served::OwnData).count();
    assert!(own > 100, "{own} alleles with own data");
    assert!(known
        .iter()
        .any(|k| k.allele.to_string() == "HLA-A*02:01" && k.served == Served::OwnData));
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/binding/hla_pseudosequences_34aa.csv"
    ));
    if !path.exists() {
        util::skip(&format!(
            "skipping the pseudo-sequence coverage check: {} is absent",
            path.display()
        ));
        return;
    }
    let table = read_pseudosequences(&path).unwrap();
    let abc: Vec<_> = table
        .iter()
        .filter(|(a, _)| matches!(a.gene(), "A" | "B" | "C"))
        .collect();
    assert!(abc.len() > 6000, "{}", abc.len());
    for (a, pseudo) in &abc {
        assert!(p.supports(a), "{a}");
        let k = known.binary_search_by(|k| k.allele.cmp(a)).unwrap();
        assert_eq!(known[k].pseudo_sequence.as_bytes(), pseudo, "{a}");
    }
    // Every one of them gets a finite score from the network (first-layer allele term computed
    // from its pseudo-sequence) ...
    let model = p.model();
    let pep = EncodedPeptide::new(b"NLVPMVATV").unwrap();
    for (a, _) in &abc {
        let i = model.allele_index(a).unwrap();
        let proj = AlleleProjections::new(model, &model.alleles[i].pseudo);
        let y = proj.scorer(model).score(&pep);
        assert!((0.0..=1.0).contains(&y), "{a}: {y}");
    }
    // ... and the full prediction (IC50 and percentile) works for a spread of them.
    for (a, _) in abc.iter().step_by(1500) {
        let v = p.predict(a, &["NLVPMVATV", "KAFSPEVIPMF"]).unwrap();
        assert!(
            v.iter()
                .all(|x| x.ic50.is_finite() && x.ic50 > 0.0 && x.percentile.is_some()),
            "{a}"
        );
    }
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_immunoprofile"))
}

#[test]
fn cli_scores_a_list_and_lists_alleles() {
    let dir = tempfile::tempdir().unwrap();
    let peps = dir.path().join("p.txt");
    std::fs::write(&peps, "NLVPMVATV\nTPRVTGGGAM\n").unwrap();
    let prefix = dir.path().join("S1");
    let out = Command::new(binary())
        .args([
            "-q",
            "binding",
            "--alleles",
            "A0201,HLA-B*07:02",
            "--peptides",
        ])
        .arg(&peps)
        .arg("-o")
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tsv = std::fs::read_to_string(dir.path().join("S1.binding.tsv")).unwrap();
    let lines: Vec<&str> = tsv.lines().collect();
    assert_eq!(lines[0], "peptide\tallele\tlength\tic50\tpercentile");
    assert_eq!(lines.len(), 5);
    assert!(lines[1].starts_with("NLVPMVATV\tHLA-A*02:01\t9\t"));
    assert!(lines[4].starts_with("TPRVTGGGAM\tHLA-B*07:02\t10\t"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("S1.binding.json")).unwrap())
            .unwrap();
    assert_eq!(json["predictions"], 4);
    // Both epitopes bind their own allele only.
    assert_eq!(json["binders_500nm"], serde_json::json!([1, 1]));

    let out = Command::new(binary())
        .args(["binding", "--list-alleles"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("allele\tserved\tmeasurements\tpseudo_sequence\n"));
    assert!(text.contains("\nHLA-A*02:01\town-data\t"));
    assert!(text.contains("\tpan-allele\t"));
}

#[test]
fn cli_unknown_allele_exits_1_with_suggestions() {
    let dir = tempfile::tempdir().unwrap();
    let peps = dir.path().join("p.txt");
    std::fs::write(&peps, "NLVPMVATV\n").unwrap();
    let out = Command::new(binary())
        .args(["-q", "binding", "--alleles", "B*57:999", "--peptides"])
        .arg(&peps)
        .arg("-o")
        .arg(dir.path().join("x"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nearest known: HLA-B*57:"), "{err}");
    assert!(!dir.path().join("x.binding.tsv").exists());
}

#[test]
fn cli_output_is_the_same_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let fasta = dir.path().join("p.fa");
    // Two short proteins cut into 8-11-mers: 3 + 2 alleles' worth of rows across chunks.
    std::fs::write(&fasta, ">p1\nMSNLVPMVATVQGQNLKYQEFFWDANDIYRIFAEL\n>p2\nGILGFVFTLTVPSERGLQRRRFVQNALNGNGDPNNMDKAVKLYRKLKR\n").unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let prefix = dir.path().join(format!("t{threads}"));
        let out = Command::new(binary())
            .args([
                "-q",
                "-t",
                threads,
                "binding",
                "--alleles",
                "A*02:01,B*07:02,C*07:02",
                "--peptides",
            ])
            .arg(&fasta)
            .arg("-o")
            .arg(&prefix)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        outputs.push(std::fs::read(dir.path().join(format!("t{threads}.binding.tsv"))).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
    // 35 + 48 residues: (28+27+26+25) + (41+40+39+38) windows, minus repeats (none here), x 3 alleles.
    let rows = outputs[0].iter().filter(|&&c| c == b'\n').count() - 1;
    assert_eq!(rows, (106 + 158) * 3);
}

/// The shipped class I model is what its training program makes (the final fit only, a few
/// minutes in a release build: `cargo test --release --features train --test binding --
/// --ignored`).
#[cfg(feature = "train")]
#[test]
#[ignore = "retrains the class I model"]
fn shipped_model_is_reproduced_byte_for_byte() {
    use immunoprofile::binding::evaluate::train_to_dir;
    use immunoprofile::binding::train::TrainConfig;
    let data = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/binding"
    ));
    if !data.join("hla_class1_binding_train.tsv.gz").is_file() {
        util::skip("skipping: the class I training data is absent");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = train_to_dir(&data, dir.path(), &TrainConfig::default(), false).unwrap();
    let shipped = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/reference/binding/model.bin"
    ))
    .unwrap();
    assert!(
        std::fs::read(path).unwrap() == shipped,
        "reference/binding/model.bin is not what `train-binding` makes with the default settings"
    );
}
