//! Trains the built-in HLA class II binding model and writes `model.bin` and `EVALUATION.md`.
//!
//! ```text
//! cargo run --release --features train --example train-binding-class2 -- DATA_DIR IMGT_DIR OUT_DIR [--no-eval]
//!     [--epochs N] [--ensemble N] [--hidden1 N] [--hidden2 N]
//! ```
//! DATA_DIR holds `classII_BD2013_binding_affinity.tsv` (e.g. `../shared/data/binding`);
//! IMGT_DIR is an IPD-IMGT/HLA release folder (e.g. `../shared/data/imgt-hla/3.30.0`); OUT_DIR
//! is normally `reference/binding/class2`. The defaults are the shipped model's settings; the
//! same inputs reproduce it byte for byte (any thread count: each fit is single-threaded).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use immunoprofile::binding::class2::evaluate::train_to_dir2;
use immunoprofile::binding::class2::train::Train2Config;

const USAGE: &str = "usage: train-binding-class2 DATA_DIR IMGT_DIR OUT_DIR [--no-eval] \
[--epochs N] [--ensemble N] [--hidden1 N] [--hidden2 N]";

fn main() -> ExitCode {
    env_logger::Builder::new()
        .filter_level(log::LevelFilter::Info)
        .format_timestamp(None)
        .init();
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("train-binding-class2: error: {e}");
            ExitCode::from(1)
        }
    }
}

fn run() -> Result<(), String> {
    let mut positional = Vec::new();
    let mut config = Train2Config::default();
    let mut evaluate = true;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--no-eval" => evaluate = false,
            "--epochs" | "--ensemble" | "--hidden1" | "--hidden2" => {
                let v = it
                    .next()
                    .ok_or_else(|| format!("{a} needs a value; {USAGE}"))?;
                let n: usize = v.parse().map_err(|_| format!("{a} {v}: not a number"))?;
                match a.as_str() {
                    "--epochs" => config.epochs = n,
                    "--ensemble" => config.ensemble = n,
                    "--hidden1" => config.hidden1 = n,
                    _ => config.hidden2 = n,
                }
            }
            _ if a.starts_with("--") => return Err(format!("unknown option {a}; {USAGE}")),
            _ => positional.push(PathBuf::from(a)),
        }
    }
    let [data, imgt, out] = positional.as_slice() else {
        return Err(USAGE.to_string());
    };
    let start = Instant::now();
    let (path, outcome) =
        train_to_dir2(data, imgt, out, &config, evaluate).map_err(|e| e.to_string())?;
    eprintln!(
        "wrote {} ({} bytes) in {:.1} s",
        path.display(),
        outcome.model.to_bytes().len(),
        start.elapsed().as_secs_f64()
    );
    for line in outcome
        .report
        .lines()
        .filter(|l| l.starts_with("| peptide") || l.starts_with("| molecule held"))
    {
        eprintln!("{line}");
    }
    Ok(())
}
