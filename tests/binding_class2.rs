//! The shipped class II model: a structurally known epitope and its core, a binder above its
//! scrambled sequence, pan-allele scoring from the IPD-IMGT/HLA folder, the `binding`
//! subcommand with class I and II together, and (ignored, long) byte-for-byte retraining.

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use immunoprofile::binding::class2::predictor::Class2Predictor;
use immunoprofile::binding::class2::Class2Molecule;

const IMGT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/imgt-hla/3.30.0"
);

fn predictor() -> Option<Class2Predictor> {
    if !Path::new(IMGT).join("fasta/DRB1_prot.fasta").is_file() {
        util::skip(&format!("skipped: {IMGT} not present"));
        return None;
    }
    Some(Class2Predictor::load_default(Path::new(IMGT)).unwrap())
}

fn molecule(s: &str) -> Class2Molecule {
    Class2Molecule::parse(s).unwrap()
}

/// Influenza haemagglutinin 306-318 (PKYVKQNTLKLAT) in HLA-DR1: the crystal structure (Stern LJ
/// et al., Nature 1994;368:215, PDB 1DLH) puts Tyr308 in the P1 pocket, so the core is
/// YVKQNTLKL at offset 2; the peptide binds DR1 in the low-nanomolar range.
#[test]
fn ha306_binds_dr1_with_its_crystal_core() {
    let Some(p) = predictor() else { return };
    let dr1 = molecule("HLA-DRB1*01:01");
    let r = &p.predict(&dr1, &["PKYVKQNTLKLAT"]).unwrap()[0];
    assert_eq!(r.core, "YVKQNTLKL", "{r:?}");
    assert_eq!(r.core_offset, 2);
    assert!(r.ic50 < 500.0, "{r:?}");
}

/// The same epitope inside other flanks: the core moves with it (the core search, not a
/// positional habit, places it).
#[test]
fn ha306_core_follows_the_epitope() {
    let Some(p) = predictor() else { return };
    let dr1 = molecule("HLA-DRB1*01:01");
    let r = p
        .predict(&dr1, &["GSEPKYVKQNTLKLATG", "KYVKQNTLKLATGSGSE"])
        .unwrap();
    assert_eq!(
        (r[0].core.as_str(), r[0].core_offset),
        ("YVKQNTLKL", 5),
        "{r:?}"
    );
    assert_eq!(
        (r[1].core.as_str(), r[1].core_offset),
        ("YVKQNTLKL", 1),
        "{r:?}"
    );
}

/// A binder ranks above its own residues scrambled (same composition, anchors displaced).
#[test]
fn binder_ranks_above_its_scramble() {
    let Some(p) = predictor() else { return };
    for m in ["HLA-DRB1*01:01", "HLA-DRA*01:01/DRB1*04:01"] {
        let r = p
            .predict(&molecule(m), &["PKYVKQNTLKLAT", "KTLPKNQATLVKY"])
            .unwrap();
        assert!(r[0].ic50 * 10.0 < r[1].ic50, "{m}: {r:?}");
    }
}

/// A molecule without training data is scored from its pseudo-sequence; spellings agree; a
/// molecule absent from the release is an error naming it.
#[test]
fn pan_allele_and_spellings() {
    let Some(p) = predictor() else { return };
    let peps = ["PKYVKQNTLKLAT", "GELIGILNAAKVPAD", "AAAAAAAAAAAAAAA"];
    let a = p
        .predict(&molecule("DQA1*05:01-DQB1*02:01"), &peps)
        .unwrap();
    let b = p
        .predict(&molecule("HLA-DQA1*05:01/DQB1*02:01"), &peps)
        .unwrap();
    assert_eq!(a, b);
    let novel = molecule("HLA-DRB1*13:01");
    assert_eq!(p.measurements(&novel), 0);
    let r = p.predict(&novel, &peps).unwrap();
    assert!(r.iter().all(|x| x.ic50 > 0.0 && x.ic50 <= 50_000.0));
    let e = p
        .predict(&molecule("DRB1*99:99"), &peps)
        .unwrap_err()
        .to_string();
    assert!(e.contains("DRB1*99:99"), "{e}");
    assert!(p.predict(&novel, &["PKYVKQ"]).is_err());
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_immunoprofile"))
}

#[test]
fn cli_scores_class1_and_class2_together_and_echoes_names() {
    if predictor().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let peps = dir.path().join("p.txt");
    std::fs::write(&peps, "NLVPMVATV\nPKYVKQNTLKLAT\n").unwrap();
    let prefix = dir.path().join("S1");
    let out = Command::new(binary())
        .args([
            "-q",
            "binding",
            "--alleles",
            "A*02:01,DRB1*01:01,DQA1*05:01-DQB1*02:01",
            "--imgt",
            IMGT,
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
    // Class I scores the 9-mer only (13 residues is outside 8-11).
    let tsv = std::fs::read_to_string(dir.path().join("S1.binding.tsv")).unwrap();
    assert_eq!(tsv.lines().count(), 2, "{tsv}");
    let tsv2 = std::fs::read_to_string(dir.path().join("S1.binding.class2.tsv")).unwrap();
    let lines: Vec<&str> = tsv2.lines().collect();
    assert_eq!(
        lines[0],
        "peptide\tallele\tlength\tcore\tcore_offset\tic50\tpercentile"
    );
    // Both peptides (9 and 13 residues) against both molecules, names as given.
    assert_eq!(lines.len(), 5);
    assert!(
        // (the core itself is checked, by hand, in `ha306_binds_dr1_with_its_crystal_core`)
        lines[3].starts_with("PKYVKQNTLKLAT\tDRB1*01:01\t13\t"),
        "{tsv2}"
    );
    assert!(lines[4].starts_with("PKYVKQNTLKLAT\tDQA1*05:01-DQB1*02:01\t13\t"));

    // Without --imgt, class II is refused with the reason.
    let out = Command::new(binary())
        .args(["-q", "binding", "--alleles", "DRB1*01:01", "--peptides"])
        .arg(&peps)
        .arg("-o")
        .arg(dir.path().join("x"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--imgt"));

    let out = Command::new(binary())
        .args(["binding", "--list-alleles", "--imgt", IMGT])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\nHLA-A*02:01\town-data\t"));
    assert!(text.contains("\nHLA-DRA*01:01/DRB1*01:01\town-data\t"));
    assert!(text.contains("\tQEFFIASGAAVDAIMWLFLECYDLQRATYHVGFT\n"));
}

/// The shipped class II model is what its training program makes (4 networks × 45 epochs on
/// every measurement, a few CPU-minutes in a release build: `cargo test --release --features train --test binding_class2 -- --ignored`).
#[cfg(feature = "train")]
#[test]
#[ignore = "retrains the class II model"]
fn shipped_class2_model_is_reproduced_byte_for_byte() {
    use immunoprofile::binding::class2::evaluate::train_to_dir2;
    use immunoprofile::binding::class2::train::Train2Config;
    const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/binding");
    if predictor().is_none()
        || !Path::new(DATA)
            .join("classII_BD2013_binding_affinity.tsv")
            .is_file()
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = train_to_dir2(
        Path::new(DATA),
        Path::new(IMGT),
        dir.path(),
        &Train2Config::default(),
        false,
    )
    .unwrap();
    let shipped = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/reference/binding/class2/model.bin"
    ))
    .unwrap();
    assert!(
        std::fs::read(path).unwrap() == shipped,
        "retrained model differs"
    );
}
