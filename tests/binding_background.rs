//! The natural percentile background: regenerated from `../shared` byte for byte, and the
//! percentile ranks it gives on known epitopes and on the background itself.

mod util;

use std::path::Path;

use immunoprofile::binding::background::{
    natural_peptides, render, wildtype_proteins, BACKGROUND_TEXT, SOURCES,
};
use immunoprofile::binding::builtin::BuiltinPredictor;
use immunoprofile::binding::{BindingPredictor, HlaAllele};

const UPSTREAM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/upstream");

#[test]
fn background_file_is_what_the_generator_writes() {
    if !Path::new(UPSTREAM).join(SOURCES[0]).exists() {
        util::skip(&format!("skipped: {UPSTREAM}/{} not present", SOURCES[0]));
        return;
    }
    let sources: Vec<_> = SOURCES
        .iter()
        .map(|s| {
            (
                s.to_string(),
                wildtype_proteins(&Path::new(UPSTREAM).join(s)).unwrap(),
            )
        })
        .collect();
    // Every background peptide is a window of one of the proteins (checked here directly,
    // not through the sampler).
    let all: String = sources
        .iter()
        .flat_map(|(_, p)| p.iter().map(|s| format!("{s}|")))
        .collect();
    for l in [8, 11, 15] {
        for p in natural_peptides(l).iter().step_by(97) {
            assert!(all.contains(p), "{p} is in no source protein");
        }
    }
    assert!(
        render(&sources) == BACKGROUND_TEXT,
        "reference/binding/background.txt differs from what the generator writes: run \
         `cargo run --release --example binding-background`"
    );
}

/// Share of the natural 9-mers predicted under 500 nM for `allele`.
fn binder_share(p: &BuiltinPredictor, allele: &str) -> f64 {
    let peps = natural_peptides(9);
    let preds = p.predict(&HlaAllele::parse(allele).unwrap(), peps).unwrap();
    preds.iter().filter(|x| x.ic50 < 500.0).count() as f64 / peps.len() as f64
}

#[test]
fn natural_binder_repertoires_have_published_sizes() {
    // Paul S et al., J Immunol 2013;191:5831 (HLA class I alleles are associated with
    // peptide-binding repertoires of different size): between about 0.1% and 5% of natural
    // 9-mers bind a common allele under 500 nM, A*02:01's repertoire among the largest and
    // A*01:01's among the smallest.
    let p = BuiltinPredictor::load_default().unwrap();
    let a0201 = binder_share(&p, "HLA-A*02:01");
    let a0101 = binder_share(&p, "HLA-A*01:01");
    for (a, share) in [
        ("HLA-A*02:01", a0201),
        ("HLA-A*01:01", a0101),
        ("HLA-B*07:02", binder_share(&p, "HLA-B*07:02")),
        ("HLA-B*27:05", binder_share(&p, "HLA-B*27:05")),
    ] {
        assert!((0.0005..0.06).contains(&share), "{a}: {share}");
    }
    assert!(a0201 > 3.0 * a0101, "A*02:01 {a0201} vs A*01:01 {a0101}");
}

#[test]
fn background_ranks_are_shares_of_the_background() {
    // A background peptide's percentile is the share of the background predicted at least
    // as strong, so over the whole background the ranks run from 1/N to 100 and the median
    // rank is about 50.
    let p = BuiltinPredictor::load_default().unwrap();
    let peps = natural_peptides(10);
    let preds = p
        .predict(&HlaAllele::parse("HLA-B*07:02").unwrap(), peps)
        .unwrap();
    let mut ranks: Vec<f64> = preds.iter().map(|x| x.percentile.unwrap()).collect();
    ranks.sort_by(f64::total_cmp);
    assert_eq!(ranks[ranks.len() - 1], 100.0);
    assert!(ranks[0] > 0.0 && ranks[0] <= 0.02, "{}", ranks[0]);
    assert!((ranks[ranks.len() / 2] - 50.0).abs() < 0.1);
}
