//! Scores 2 million peptide–allele pairs with the built-in model on one thread and prints the
//! count; run under `time` to get predictions per CPU-second on a loaded machine, where the
//! criterion bench (wall clock) understates the per-core figure.
//!
//! `cargo run --release --example binding-throughput` then divide 2,000,000 by the user time.

use immunoprofile::binding::builtin::BuiltinPredictor;
use immunoprofile::binding::encoding::random_peptides;
use immunoprofile::binding::{BindingPredictor, HlaAllele};

fn main() {
    let predictor = BuiltinPredictor::load_default().expect("embedded model");
    let allele = HlaAllele::parse("HLA-A*02:01").unwrap();
    let peptides: Vec<String> = random_peptides(9, 10_000, 42)
        .into_iter()
        .map(|p| String::from_utf8(p).unwrap())
        .collect();
    let refs: Vec<&str> = peptides.iter().map(String::as_str).collect();
    let mut binders = 0;
    for _ in 0..200 {
        binders += predictor
            .predict(&allele, &refs)
            .unwrap()
            .iter()
            .filter(|p| p.ic50 < 500.0)
            .count();
    }
    println!("2000000 predictions, {binders} under 500 nM");
}
