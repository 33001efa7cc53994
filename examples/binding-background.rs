//! Writes the natural background peptides of the percentile ranks
//! (`reference/binding/background.txt`) from the WildtypeProtein sequences in pVACtools' test
//! VCFs (see `src/binding/background.rs`).
//!
//! `cargo run --release --example binding-background -- [UPSTREAM_DIR] [OUT_FILE]`
//! (defaults: `../shared/data/upstream`, `reference/binding/background.txt`).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

use immunoprofile::binding::background::{render, wildtype_proteins, SOURCES};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let upstream = PathBuf::from(args.next().unwrap_or("../shared/data/upstream".into()));
    let out = PathBuf::from(
        args.next()
            .unwrap_or("reference/binding/background.txt".into()),
    );
    let mut sources: Vec<(String, BTreeSet<String>)> = Vec::new();
    for name in SOURCES {
        match wildtype_proteins(&upstream.join(name)) {
            Ok(p) => sources.push((name.to_string(), p)),
            Err(e) => {
                eprintln!("binding-background: {e}");
                return ExitCode::from(1);
            }
        }
    }
    let text = render(&sources);
    let tmp = out.with_extension("txt.tmp");
    if let Err(e) = std::fs::write(&tmp, &text).and_then(|_| std::fs::rename(&tmp, &out)) {
        eprintln!("binding-background: cannot write {}: {e}", out.display());
        return ExitCode::from(1);
    }
    eprintln!("wrote {}", out.display());
    ExitCode::SUCCESS
}
