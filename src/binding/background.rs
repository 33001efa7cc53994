//! Natural background peptides for percentile ranks.
//!
//! A percentile rank says how a peptide's predicted affinity compares with that of peptides
//! the cell could present at random: NetMHCpan's 0.5 % / 2 % cut-offs are defined against
//! natural peptides. The background is a fixed, seeded sample of distinct peptides from human
//! protein sequences, embedded in the binary (`reference/binding/background.txt`). It is
//! written by `examples/binding-background.rs` from the wild-type protein sequences that VEP's
//! Wildtype plugin (Ensembl translations) wrote into the `WildtypeProtein` field of pVACtools'
//! test VCFs (the only human protein sequences in the project's offline data);
//! `tests/binding_background.rs` regenerates it and checks it byte for byte.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

use crate::annotate::fields::AnnotationSchema;
use crate::binding::encoding::{aa_index, SplitMix64};
use crate::error::{Error, Result};
use crate::io::vcf::{RecordView, VcfReader};

/// The embedded background (one peptide per line, grouped by length; `#` lines describe it).
pub const BACKGROUND_TEXT: &str = include_str!("../../reference/binding/background.txt");

/// Peptides per class I length (8–11) in the background.
pub const CLASS1_PEPTIDES: usize = 10_000;
/// Class II background: 15-mers, the usual class II epitope length.
pub const CLASS2_LENGTH: usize = 15;
pub const CLASS2_PEPTIDES: usize = 5_000;
/// Seed of the sample (fixed: percentiles are part of the output contract).
pub const SEED: u64 = 0x5EED_0BA5_E11E;

/// The source files, relative to `../shared/data/upstream/` (VCFs annotated by VEP with the
/// Wildtype plugin, in pVACtools' test data).
pub const SOURCES: [&str; 3] = [
    "pVACtools/tests/test_data/pvacseq/input.vcf",
    "pVACtools/tests/test_data/pvacseq/input_somatic.vcf.gz",
    "pVACtools/tests/test_data/pvacseq_generate_protein_fasta/input.vcf",
];

/// The embedded background peptides of `length` (empty for a length it does not hold).
pub fn natural_peptides(length: usize) -> &'static [&'static str] {
    static BY_LENGTH: OnceLock<BTreeMap<usize, Vec<&'static str>>> = OnceLock::new();
    BY_LENGTH
        .get_or_init(|| {
            let mut map: BTreeMap<usize, Vec<&'static str>> = BTreeMap::new();
            for line in BACKGROUND_TEXT.lines() {
                if !line.is_empty() && !line.starts_with('#') {
                    map.entry(line.len()).or_default().push(line);
                }
            }
            map
        })
        .get(&length)
        .map_or(&[], Vec::as_slice)
}

/// The distinct `WildtypeProtein` sequences of an annotated VCF (field found by its name in
/// the CSQ header), without a trailing stop.
///
/// # Errors
/// The file cannot be read, or its CSQ header has no `WildtypeProtein` field.
pub fn wildtype_proteins(path: &Path) -> Result<BTreeSet<String>> {
    let mut reader = VcfReader::open(path, 1)?;
    let schema = AnnotationSchema::from_info_key(reader.header(), "CSQ")
        .map_err(|e| Error::usage(format!("{}: {e}", path.display())))?;
    let field = schema.field("WildtypeProtein").ok_or_else(|| {
        Error::usage(format!(
            "{}: the CSQ header has no WildtypeProtein field (annotate with VEP's Wildtype plugin)",
            path.display()
        ))
    })?;
    let mut proteins = BTreeSet::new();
    let mut line = Vec::new();
    while reader.read_line(&mut line)? {
        let text = String::from_utf8_lossy(&line);
        let rec = RecordView::parse(&text)
            .map_err(|e| Error::usage(format!("{}:{}: {e}", path.display(), reader.line_no())))?;
        for entry in schema.entries(&rec) {
            if let Some(seq) = entry.get(field).filter(|s| !s.is_empty()) {
                proteins.insert(seq.trim_end_matches('*').to_string());
            }
        }
    }
    Ok(proteins)
}

/// `n` distinct peptides of `length` drawn uniformly (seeded) from the distinct peptides of
/// the proteins that use only the 20 standard amino acids; sorted. Fewer when there are
/// fewer.
pub fn sample_peptides(
    proteins: &BTreeSet<String>,
    length: usize,
    n: usize,
    seed: u64,
) -> Vec<String> {
    let mut distinct = BTreeSet::new();
    for p in proteins {
        let bytes = p.as_bytes();
        for w in bytes.windows(length) {
            if w.iter().all(|&c| aa_index(c).is_some()) {
                distinct.insert(w);
            }
        }
    }
    let mut all: Vec<&[u8]> = distinct.into_iter().collect();
    // Partial Fisher–Yates: the first n slots end up a uniform sample.
    let mut rng = SplitMix64::new(seed ^ (length as u64).wrapping_mul(0x1000_0000_01B3));
    let n = n.min(all.len());
    for i in 0..n {
        let j = i + (rng.next_u64() % (all.len() - i) as u64) as usize;
        all.swap(i, j);
    }
    let mut sample: Vec<String> = all[..n]
        .iter()
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect();
    sample.sort();
    sample
}

/// The background file for the proteins of `sources` (name, proteins): a description, then
/// the class I samples (8–11) and the class II 15-mers.
pub fn render(sources: &[(String, BTreeSet<String>)]) -> String {
    let mut all = BTreeSet::new();
    for (_, p) in sources {
        all.extend(p.iter().cloned());
    }
    let residues: usize = all.iter().map(String::len).sum();
    let mut out = String::new();
    out.push_str(
        "# Natural background peptides for immunoprofile's percentile ranks (binding).\n\
         # Written by `cargo run --release --example binding-background` (do not edit).\n\
         # Source: WildtypeProtein sequences (Ensembl translations written by VEP's Wildtype\n\
         # plugin) in pVACtools' test VCFs, Copyright (c) 2018-2020 Washington University in\n\
         # St. Louis, The Clear BSD License:\n",
    );
    for (name, p) in sources {
        out.push_str(&format!("#   {name}: {} distinct proteins\n", p.len()));
    }
    out.push_str(&format!(
        "# {} distinct proteins, {residues} residues. Per length, distinct peptides of the 20\n\
         # standard amino acids drawn uniformly with SplitMix64 seed {SEED:#x}, then sorted:\n\
         # {CLASS1_PEPTIDES} per class I length (8-11), {CLASS2_PEPTIDES} {CLASS2_LENGTH}-mers (class II).\n",
        all.len()
    ));
    for (length, n) in (8..=11)
        .map(|l| (l, CLASS1_PEPTIDES))
        .chain([(CLASS2_LENGTH, CLASS2_PEPTIDES)])
    {
        for p in sample_peptides(&all, length, n, SEED) {
            out.push_str(&p);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_is_distinct_standard_windows_of_the_proteins() {
        let proteins: BTreeSet<String> = ["MKTAYIAKQRQISFVKSHFSRQ", "MKTAYIAKQXXQISFV", "GG"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        // Distinct 9-mers without X: the first protein's 14 (22 − 9 + 1, no repeats); the
        // second's only X-free window, MKTAYIAKQ, is one of them; GG is too short.
        let all = sample_peptides(&proteins, 9, 100, 1);
        assert_eq!(all.len(), 14);
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        let some = sample_peptides(&proteins, 9, 5, 1);
        assert_eq!(some.len(), 5);
        assert!(some.iter().all(|p| all.contains(p)));
        assert_ne!(some, sample_peptides(&proteins, 9, 5, 2));
    }

    #[test]
    fn embedded_background_has_the_stated_counts() {
        for l in 8..=11 {
            let peps = natural_peptides(l);
            assert_eq!(peps.len(), CLASS1_PEPTIDES, "length {l}");
            assert!(peps.windows(2).all(|w| w[0] < w[1]), "sorted and distinct");
        }
        assert_eq!(natural_peptides(CLASS2_LENGTH).len(), CLASS2_PEPTIDES);
        assert!(natural_peptides(12).is_empty());
    }
}
