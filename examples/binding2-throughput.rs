//! Scores 200,000 15-mer–DRB1*01:01 pairs with the built-in class II model on one thread; run
//! under `time` for predictions per CPU-second (the criterion bench is `binding_class2` in
//! `benches/binding.rs`).
//!
//! `cargo run --release --example binding2-throughput -- IMGT_DIR`

use immunoprofile::binding::class2::predictor::Class2Predictor;
use immunoprofile::binding::class2::Class2Molecule;
use immunoprofile::binding::encoding::random_peptides;

fn main() {
    let imgt = std::env::args()
        .nth(1)
        .expect("usage: binding2-throughput IMGT_DIR");
    let predictor = Class2Predictor::load_default(std::path::Path::new(&imgt)).expect("model");
    let molecule = Class2Molecule::parse("HLA-DRB1*01:01").unwrap();
    let peptides: Vec<String> = random_peptides(15, 10_000, 42)
        .into_iter()
        .map(|p| String::from_utf8(p).unwrap())
        .collect();
    let refs: Vec<&str> = peptides.iter().map(String::as_str).collect();
    let mut binders = 0;
    for _ in 0..20 {
        binders += predictor
            .predict(&molecule, &refs)
            .unwrap()
            .iter()
            .filter(|p| p.ic50 < 500.0)
            .count();
    }
    println!("200000 predictions, {binders} under 500 nM");
}
