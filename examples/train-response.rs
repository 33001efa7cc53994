//! Trains the built-in response model and writes `model.json` and `EVALUATION.md`.
//!
//! ```text
//! cargo run --example train-response -- TRAIN_CSV OUT_DIR [--folds K] [--repeats R] [--no-eval]
//! ```
//! TRAIN_CSV is `../shared/data/response/Chowell2022_MSK_ICB_train_964.csv`; OUT_DIR is normally
//! `reference/response`. The defaults are the settings of the shipped model; the same CSV
//! reproduces `model.json` byte for byte (single-threaded, seeded folds).

use std::path::PathBuf;
use std::process::ExitCode;

use immunoprofile::io::output::AtomicFile;
use immunoprofile::response::evaluate::{cross_validate, render_markdown};
use immunoprofile::response::train::{read_training_csv, train, FitConfig};
use std::io::Write;

const USAGE: &str = "usage: train-response TRAIN_CSV OUT_DIR [--folds K] [--repeats R] [--no-eval]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("train-response: error: {e}");
            ExitCode::from(1)
        }
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut positional = Vec::new();
    let (mut folds, mut repeats, mut eval) = (10usize, 3usize, true);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--folds" | "--repeats" => {
                let v: usize = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| format!("{a} needs a number; {USAGE}"))?;
                if a == "--folds" {
                    folds = v;
                } else {
                    repeats = v;
                }
            }
            "--no-eval" => eval = false,
            _ => positional.push(PathBuf::from(a)),
        }
    }
    let [csv, out] = positional.as_slice() else {
        return Err(USAGE.into());
    };
    let set = read_training_csv(csv).map_err(|e| e.to_string())?;
    let cfg = FitConfig::default();
    let model = train(&set, &cfg).map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(&model).map_err(|e| e.to_string())? + "\n";
    let write = |name: &str, text: &str| -> Result<(), String> {
        let mut f = AtomicFile::create(out.join(name)).map_err(|e| e.to_string())?;
        f.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
        f.commit().map_err(|e| e.to_string())?;
        Ok(())
    };
    write("model.json", &json)?;
    eprintln!("train-response: wrote {}", out.join("model.json").display());
    if eval {
        let evaluation = cross_validate(&set, &cfg, folds, repeats).map_err(|e| e.to_string())?;
        write("EVALUATION.md", &render_markdown(&model, &evaluation))?;
        eprintln!(
            "train-response: wrote {}",
            out.join("EVALUATION.md").display()
        );
    }
    Ok(())
}
