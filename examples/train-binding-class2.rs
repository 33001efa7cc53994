//! Trains the built-in HLA class II binding model and writes `model.bin` and `EVALUATION.md`.
//!
//! ```text
//! cargo run --release --features train --example train-binding-class2 -- DATA_DIR IMGT_DIR OUT_DIR [--no-eval]
//!     [--epochs N] [--ensemble N] [--hidden1 N] [--hidden2 N] [--config NAME] [--select NAME,...]
//! ```
//! DATA_DIR holds `classII_BD2013_binding_affinity.tsv` (e.g. `../shared/data/binding`);
//! IMGT_DIR is an IPD-IMGT/HLA release folder (e.g. `../shared/data/imgt-hla/3.30.0`); OUT_DIR
//! is normally `reference/binding/class2`. The defaults are the shipped model's settings; the
//! same inputs reproduce it byte for byte (any thread count: each fit is single-threaded).
//!
//! `--config NAME` trains with a candidate's settings (names as for `--select`) instead of the
//! defaults. `--select` fits the named candidate settings (names as `binding::class2::select::Candidate`) on
//! peptide folds 1–4, scores them on fold 0 and appends their rows to `OUT_DIR/SELECTION.md`,
//! which the next full run copies into `EVALUATION.md`; no model is written.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use immunoprofile::binding::class2::evaluate::{train_to_dir2, Dataset2, SELECTION_FILE};
use immunoprofile::binding::class2::select::{select_row, Candidate, TABLE_HEADER};
use immunoprofile::binding::class2::train::Train2Config;

const USAGE: &str = "usage: train-binding-class2 DATA_DIR IMGT_DIR OUT_DIR [--no-eval] \
[--epochs N] [--ensemble N] [--hidden1 N] [--hidden2 N] [--config NAME] [--select NAME,...]";

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
    let mut select: Option<String> = None;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--no-eval" => evaluate = false,
            "--config" => {
                let name = it
                    .next()
                    .ok_or_else(|| format!("--config needs a value; {USAGE}"))?;
                config = Candidate::parse(name)?.config;
            }
            "--select" => {
                select = Some(
                    it.next()
                        .ok_or_else(|| format!("--select needs a value; {USAGE}"))?
                        .clone(),
                );
            }
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
    if let Some(names) = select {
        return run_select(data, imgt, out, &names);
    }
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

/// Appends the fold-0 rows of the named candidates to `OUT/SELECTION.md`.
fn run_select(
    data: &std::path::Path,
    imgt: &std::path::Path,
    out: &std::path::Path,
    names: &str,
) -> Result<(), String> {
    use std::io::Write as _;
    let chosen: Vec<Candidate> = names
        .split(',')
        .map(Candidate::parse)
        .collect::<Result<_, _>>()?;
    let dataset = Dataset2::load(data, imgt).map_err(|e| e.to_string())?;
    let path = out.join(SELECTION_FILE);
    for c in &chosen {
        let row = select_row(&dataset, c);
        eprint!("{row}");
        let new = !path.exists();
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if new {
            f.write_all(TABLE_HEADER.as_bytes())
                .map_err(|e| e.to_string())?;
        }
        f.write_all(row.as_bytes()).map_err(|e| e.to_string())?;
    }
    Ok(())
}
