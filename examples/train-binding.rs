//! Trains the built-in binding model and writes `model.bin` and `EVALUATION.md`.
//!
//! ```text
//! cargo run --release --features train --example train-binding -- DATA_DIR OUT_DIR
//!     [--no-eval | --allele-out-only | --select] [--epochs N] [--ensemble N] [--hidden1 N]
//!     [--hidden2 N] [--embed N] [--lr X] [--l2-allele X] [--mixed-batches]
//!     [--random-negatives RATE] [--random-negative-constant N]
//! ```
//! `--select` fits only peptide fold 0 and allele group 0 (the folds model settings are chosen
//! on) and appends one summary line to `OUT_DIR/selection.log`.
//! DATA_DIR holds `hla_class1_binding_train.tsv.gz` and `hla_pseudosequences_34aa.csv`
//! (e.g. `../shared/data/binding`); OUT_DIR is normally `reference/binding`. The defaults are
//! the settings of the shipped model; the same inputs and settings reproduce it byte for byte.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use immunoprofile::binding::evaluate::{run_pipeline_with, train_to_dir, Dataset, Mode};
use immunoprofile::binding::train::TrainConfig;

fn main() -> ExitCode {
    env_logger::Builder::new()
        .filter_level(log::LevelFilter::Info)
        .format_timestamp(None)
        .init();
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("train-binding: error: {e}");
            ExitCode::from(1)
        }
    }
}

const USAGE: &str = "usage: train-binding DATA_DIR OUT_DIR [--no-eval | --allele-out-only | --select] \
[--epochs N] [--ensemble N] [--hidden1 N] [--hidden2 N] [--embed N] [--lr X] [--l2-allele X] [--mixed-batches] \
[--random-negatives RATE] [--random-negative-constant N]";

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut positional = Vec::new();
    let mut config = TrainConfig::default();
    let mut mode = Mode::Full;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{a} needs a value; {USAGE}"))
        };
        let bad = |v: &str| format!("{a} {v}: not a number");
        match a.as_str() {
            "--no-eval" => mode = Mode::FitOnly,
            "--allele-out-only" => mode = Mode::AlleleOutOnly,
            "--select" => mode = Mode::Select,
            "--mixed-batches" => config.allele_batches = false,
            "--epochs"
            | "--ensemble"
            | "--hidden1"
            | "--hidden2"
            | "--embed"
            | "--random-negative-constant" => {
                let v = value()?;
                let n: usize = v.parse().map_err(|_| bad(v))?;
                match a.as_str() {
                    "--epochs" => config.epochs = n,
                    "--ensemble" => config.ensemble = n,
                    "--hidden1" => config.hidden1 = n,
                    "--embed" => config.embed = n,
                    "--random-negative-constant" => config.random_negative_constant = n,
                    _ => config.hidden2 = n,
                }
            }
            "--l2-allele" => {
                let v = value()?;
                config.l2_allele = v.parse().map_err(|_| bad(v))?;
            }
            "--random-negatives" => {
                let v = value()?;
                config.random_negative_rate = v.parse().map_err(|_| bad(v))?;
            }
            "--lr" => {
                let v = value()?;
                config.learning_rate = v.parse().map_err(|_| bad(v))?;
            }
            _ if a.starts_with("--") => return Err(format!("unknown option {a}; {USAGE}")),
            _ => positional.push(PathBuf::from(a)),
        }
    }
    let [data, out] = positional.as_slice() else {
        return Err(USAGE.to_string());
    };
    let start = Instant::now();
    let report = if mode == Mode::Select {
        let dataset = Dataset::load(data).map_err(|e| e.to_string())?;
        let outcome = run_pipeline_with(&dataset, &config, mode);
        std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
        let p = out.join("selection.log");
        let line = format!("| {} {}\n", start.elapsed().as_secs(), outcome.report);
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&p)
            .map_err(|e| format!("{}: {e}", p.display()))?;
        std::io::Write::write_all(&mut f, line.as_bytes()).map_err(|e| e.to_string())?;
        eprint!("{line}");
        return Ok(());
    } else if mode == Mode::AlleleOutOnly {
        let dataset = Dataset::load(data).map_err(|e| e.to_string())?;
        let outcome = run_pipeline_with(&dataset, &config, mode);
        std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
        let p = out.join("EVALUATION-allele-out.md");
        std::fs::write(&p, &outcome.report).map_err(|e| e.to_string())?;
        eprintln!(
            "wrote {} in {:.1} s",
            p.display(),
            start.elapsed().as_secs_f64()
        );
        outcome.report
    } else {
        let (path, outcome) =
            train_to_dir(data, out, &config, mode == Mode::Full).map_err(|e| e.to_string())?;
        eprintln!(
            "wrote {} ({} bytes) in {:.1} s",
            path.display(),
            outcome.model.to_bytes().len(),
            start.elapsed().as_secs_f64()
        );
        outcome.report
    };
    for line in report
        .lines()
        .filter(|l| l.starts_with("| peptide") || l.starts_with("| allele held"))
    {
        eprintln!("{line}");
    }
    Ok(())
}
