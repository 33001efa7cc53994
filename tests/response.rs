//! `response`: the shipped model is reproduced from the training CSV, cross-validated
//! predictions are calibrated, every pattern of missing inputs scores, HED on real alleles, and
//! the CLI's handling of good and bad tables.

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use immunoprofile::response::evaluate::{cross_validate, Scenario};
use immunoprofile::response::features::{FeatureRow, Input};
use immunoprofile::response::hed::{hed, ImgtProteins};
use immunoprofile::response::train::{read_training_csv, train, FitConfig};
use immunoprofile::response::{builtin, score};

fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        util::skip(&format!("skipped: {} is absent", p.display()));
        None
    }
}

const TRAIN: &str = "response/Chowell2022_MSK_ICB_train_964.csv";

#[test]
fn shipped_model_is_reproduced_byte_for_byte() {
    let Some(csv) = shared(TRAIN) else { return };
    let set = read_training_csv(&csv).unwrap();
    let model = train(&set, &FitConfig::default()).unwrap();
    let json = serde_json::to_string_pretty(&model).unwrap() + "\n";
    let shipped = include_str!("../reference/response/model.json");
    assert!(json == shipped, "reference/response/model.json is not what the trainer produces; rerun `cargo run --example train-response`");
}

#[test]
fn trainer_program_is_deterministic_on_a_subset() {
    // The committed program end to end at small size: a 300-patient subset, twice, same bytes.
    let Some(csv) = shared(TRAIN) else { return };
    let text = std::fs::read_to_string(&csv).unwrap();
    let subset: String = text.lines().take(301).map(|l| format!("{l}\n")).collect();
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.csv");
    std::fs::write(&small, subset).unwrap();
    let set = read_training_csv(&small).unwrap();
    let a = serde_json::to_string(&train(&set, &FitConfig::default()).unwrap()).unwrap();
    let b = serde_json::to_string(&train(&set, &FitConfig::default()).unwrap()).unwrap();
    assert_eq!(a, b);
    assert!(a.contains("\"patients\":300"));
}

#[test]
fn cross_validated_predictions_are_calibrated_and_beat_tmb_alone() {
    let Some(csv) = shared(TRAIN) else { return };
    let set = read_training_csv(&csv).unwrap();
    let cfg = FitConfig {
        lambdas: vec![1.0, 10.0, 100.0],
        inner_folds: 3,
        ..FitConfig::default()
    };
    let eval = cross_validate(&set, &cfg, 5, 1).unwrap();
    let get = |s: Scenario| eval.results.iter().find(|r| r.scenario == s).unwrap();
    for s in [
        Scenario::Full,
        Scenario::FullGenomicInputs,
        Scenario::TmbOnly,
    ] {
        let r = get(s);
        assert!(
            (0.7..=1.3).contains(&r.calibration_slope.0),
            "{s:?}: calibration slope {}",
            r.calibration_slope.0
        );
        assert!(
            r.calibration_in_the_large.0.abs() < 0.2,
            "{s:?}: {}",
            r.calibration_in_the_large.0
        );
        // Observed rates follow predictions in the well-populated bins.
        for b in r.reliability.iter().filter(|b| b.n >= 80) {
            assert!((b.observed - b.mean_predicted).abs() < 0.12, "{s:?}: {b:?}");
        }
    }
    assert!(get(Scenario::Full).auc.0 > get(Scenario::TmbOnly).auc.0 + 0.03);
    assert!(get(Scenario::FullGenomicInputs).auc.0 >= get(Scenario::TmbOnly).auc.0 - 0.01);
}

fn complete_row() -> FeatureRow {
    let mut r = FeatureRow {
        sample: "P".into(),
        ..Default::default()
    };
    for (i, v) in [
        (Input::Tmb, "15"),
        (Input::Pdl1, "60"),
        (Input::PriorTherapy, "0"),
        (Input::Albumin, "4.0"),
        (Input::CancerType, "NSCLC"),
        (Input::Nlr, "3.1"),
        (Input::Age, "66"),
        (Input::Fcna, "0.2"),
        (Input::Drug, "0"),
        (Input::Sex, "1"),
        (Input::Msi, "0"),
        (Input::Stage, "1"),
        (Input::HlaLoh, "0"),
        (Input::Hed, "7.5"),
        (Input::Platelets, "250"),
        (Input::Hgb, "12.5"),
        (Input::Bmi, "26"),
    ] {
        r.set_cell(i, v).unwrap();
    }
    r
}

#[test]
fn every_pattern_of_missing_groups_scores_and_missing_widens_the_interval() {
    // 2^6 patterns over six groups of inputs (all 17 inputs covered).
    let groups: [&[Input]; 6] = [
        &[Input::Tmb],
        &[Input::Pdl1],
        &[Input::CancerType],
        &[Input::Fcna, Input::Hed, Input::HlaLoh, Input::Msi],
        &[Input::Albumin, Input::Nlr, Input::Platelets, Input::Hgb],
        &[
            Input::Age,
            Input::Sex,
            Input::Bmi,
            Input::Stage,
            Input::Drug,
            Input::PriorTherapy,
        ],
    ];
    let full = complete_row();
    let base = score(&full).unwrap();
    let base_width = base.ci_high - base.ci_low;
    for mask in 0u32..64 {
        let mut row = full.clone();
        for (g, inputs) in groups.iter().enumerate() {
            if mask & (1 << g) != 0 {
                for &i in *inputs {
                    row.clear(i);
                }
            }
        }
        let r = score(&row).unwrap();
        assert!(
            r.probability > 0.0 && r.probability < 1.0,
            "mask {mask}: {}",
            r.probability
        );
        assert!(
            r.ci_low < r.probability && r.probability < r.ci_high,
            "mask {mask}"
        );
        let width = r.ci_high - r.ci_low;
        if mask != 0 {
            assert!(
                width > base_width,
                "mask {mask}: width {width} not above {base_width}"
            );
        }
        assert_eq!(r.tmb_only_probability.is_some(), mask & 1 == 0);
        let n_missing = groups
            .iter()
            .enumerate()
            .filter(|(g, _)| mask & (1 << g) != 0)
            .map(|(_, v)| v.len())
            .sum::<usize>();
        assert_eq!(r.features_missing.len(), n_missing, "mask {mask}");
    }
    // Nested: dropping more of the same inputs never narrows the interval.
    let mut row = full.clone();
    let mut last = base_width;
    for i in [
        Input::Albumin,
        Input::Nlr,
        Input::CancerType,
        Input::Hed,
        Input::Fcna,
        Input::Tmb,
    ] {
        row.clear(i);
        let r = score(&row).unwrap();
        let w = r.ci_high - r.ci_low;
        assert!(w >= last - 1e-12, "dropping {i:?}: {w} < {last}");
        last = w;
    }
    // Nothing at all: the cohort's response rate, roughly (282/964 = 0.29).
    let empty = score(&FeatureRow::default()).unwrap();
    assert!(
        (empty.probability - 0.29).abs() < 0.05,
        "{}",
        empty.probability
    );
}

#[test]
fn higher_tmb_raises_both_probabilities() {
    let mut lo = complete_row();
    lo.set_cell(Input::Tmb, "2").unwrap();
    let mut hi = complete_row();
    hi.set_cell(Input::Tmb, "40").unwrap();
    let (a, b) = (score(&lo).unwrap(), score(&hi).unwrap());
    assert!(b.probability > a.probability);
    assert!(b.tmb_only_probability.unwrap() > a.tmb_only_probability.unwrap());
    assert!(builtin().unwrap().full.coefficients[0] > 0.0);
}

#[test]
fn hed_of_real_alleles_from_imgt() {
    let Some(dir) = shared("imgt-hla/3.30.0") else {
        return;
    };
    let imgt = ImgtProteins::load(&dir).unwrap();
    let homo: Vec<String> = ["A*02:01", "A*02:01", "B*07:02", "B*07:02"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let h = hed(&homo, &imgt).unwrap();
    assert_eq!(h.mean, 0.0);
    // Expected values from an independent Python script over the same FASTA files: residues
    // 26-206 of the full-length sequences (mature 2-182), Grantham table, sum / 181.
    // A*01:01 vs A*02:01: 1901/181; B*07:02 vs B*08:01: 847/181; C*07:01 vs C*07:02: 238/181.
    let a1 = imgt.binding_domain(&"A*01:01".parse().unwrap()).unwrap();
    assert_eq!(a1.len(), 181);
    assert!(
        a1.starts_with(b"SHSMRYF") && a1.ends_with(b"GKETLQRT"),
        "{}",
        String::from_utf8_lossy(&a1)
    );
    let geno: Vec<String> = [
        "A*01:01", "A*02:01", "B*07:02", "B*08:01", "C*07:01", "C*07:02",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let h = hed(&geno, &imgt).unwrap();
    let want = [1901.0 / 181.0, 847.0 / 181.0, 238.0 / 181.0];
    for (l, w) in h.loci.iter().zip(want) {
        assert!(
            (l.divergence - w).abs() < 1e-12,
            "{}: {} vs {w}",
            l.locus,
            l.divergence
        );
    }
    assert!((h.mean - (1901.0 + 847.0 + 238.0) / 543.0).abs() < 1e-12);
    // A*01:06 is stored only as its 181 exon 2-3 residues; it is read the same way (166/181).
    let pair: Vec<String> = vec!["A*01:01".into(), "A*01:06".into()];
    assert!((hed(&pair, &imgt).unwrap().mean - 166.0 / 181.0).abs() < 1e-12);
    let bad: Vec<String> = vec!["A*02:01".into()];
    assert!(hed(&bad, &imgt)
        .unwrap_err()
        .to_string()
        .contains("exactly two"));
}

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_scores_a_tsv_and_lists_ignored_columns() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("f.tsv");
    std::fs::write(
        &table,
        "SAMPLE_ID\tTMB\tCancerType\tMSI\tPFS_Months\tAlbumin\nP1\t25\tMelanoma\t0\t3\t4.1\nP2\t1\tNSCLC\t\t2\t\nP3\t\t\t\t\t\n",
    )
    .unwrap();
    let prefix = dir.path().join("out/x");
    let out = cli(&[
        "response",
        "--features",
        table.to_str().unwrap(),
        "-o",
        prefix.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tsv = std::fs::read_to_string(dir.path().join("out/x.response.tsv")).unwrap();
    let lines: Vec<&str> = tsv.lines().collect();
    assert!(lines[0].starts_with("sample\tprobability\tci_low\tci_high\ttmb_only_probability\t"));
    assert!(lines[0].contains("features_used"));
    assert_eq!(lines.len(), 4);
    let p: Vec<f64> = lines[1..]
        .iter()
        .map(|l| l.split('\t').nth(1).unwrap().parse().unwrap())
        .collect();
    assert!(
        p[0] > p[1],
        "melanoma TMB 25 should outrank NSCLC TMB 1: {p:?}"
    );
    assert_eq!(lines[3].split('\t').nth(4), Some("NA"));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/x.response.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["ignored_columns"], serde_json::json!(["PFS_Months"]));
    assert!(json["model_version"].as_str().unwrap().contains("ridge"));
    assert_eq!(json["samples"].as_array().unwrap().len(), 3);
}

#[test]
fn cli_rejects_bad_tables_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "SAMPLE_ID,TMB,CancerType\nP1,5,Glioblastoma\n",
            "Glioblastoma",
        ),
        ("SAMPLE_ID,TMB,Albumin\nP1,5,-3.2\n", "Albumin"),
        ("SAMPLE_ID,TMB\nP1,-4\n", "TMB"),
        ("PATIENT,TMB\nP1,5\n", "SAMPLE_ID"),
        ("SAMPLE_ID,TMB\nP1,5\nP1,6\n", "duplicate"),
    ];
    for (k, (text, needle)) in cases.iter().enumerate() {
        let table = dir.path().join(format!("bad{k}.csv"));
        std::fs::write(&table, text).unwrap();
        let prefix = dir.path().join(format!("o{k}"));
        let out = cli(&[
            "response",
            "--features",
            table.to_str().unwrap(),
            "-o",
            prefix.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1), "case {k}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(needle) && err.contains(&format!("bad{k}.csv")),
            "case {k}: {err}"
        );
        assert!(!dir.path().join(format!("o{k}.response.tsv")).exists());
    }
}
