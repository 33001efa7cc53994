//! The `binding` stage: score peptides (a list, or windows cut from FASTA proteins) against
//! HLA class I alleles and write `PREFIX.binding.tsv` and `PREFIX.binding.json`.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::binding::encoding::{aa_index, EncodedPeptide, MAX_LENGTH, MIN_LENGTH};
use crate::binding::{BindingPredictor, HlaAllele};
use crate::error::{Error, Result};
use crate::io::output::{commit_all, fmt_num, json_file, prefixed, AtomicFile};
use crate::io::{open_decompressed, read_error, read_line_into};

/// Version of the `PREFIX.binding.json` layout.
pub const SCHEMA_VERSION: u32 = 1;

/// Strong-binder threshold used in the summary (nM).
pub const BINDER_NM: f64 = 500.0;

/// Validated parameters of the stage (stored in the JSON output).
#[derive(Debug, Clone, Serialize)]
pub struct BindingParams {
    pub alleles: Vec<HlaAllele>,
    pub peptides: PathBuf,
    /// Window lengths cut from FASTA sequences (ignored for peptide lists).
    pub lengths: Vec<usize>,
}

/// `PREFIX.binding.json`.
#[derive(Debug, Clone, Serialize)]
pub struct BindingSummary {
    pub schema_version: u32,
    pub predictor: String,
    pub input_format: &'static str,
    pub peptides: usize,
    /// FASTA windows skipped for letters outside the 20 amino acids.
    pub windows_skipped: usize,
    pub alleles: Vec<HlaAllele>,
    pub predictions: usize,
    /// Predictions with IC50 < 500 nM, per allele (in `alleles` order).
    pub binders_500nm: Vec<usize>,
    pub params: BindingParams,
    pub version: &'static str,
}

/// Peptides read from a list or cut from a FASTA file, in input order without repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeptideInput {
    pub peptides: Vec<String>,
    pub fasta: bool,
    pub windows_skipped: usize,
}

/// Reads one peptide per line (first whitespace-separated word; blank lines, `#` comments and
/// a `peptide` header skipped) or, when the file starts with `>`, a FASTA whose sequences are
/// cut into every window of `lengths`.
///
/// # Errors
/// Unreadable file; in a list, a peptide with a length outside 8–11 or a non-standard letter.
pub fn read_peptides(path: &Path, lengths: &[usize]) -> Result<PeptideInput> {
    let (mut reader, _) = open_decompressed(path, 1)?;
    let mut line = Vec::new();
    let mut seen = HashSet::new();
    let mut peptides = Vec::new();
    let mut fasta: Option<bool> = None;
    let mut sequence = Vec::new();
    let mut windows_skipped = 0;
    let mut n = 0;
    let flush = |seq: &mut Vec<u8>,
                 peptides: &mut Vec<String>,
                 seen: &mut HashSet<String>,
                 skipped: &mut usize| {
        for &len in lengths {
            for w in seq.windows(len) {
                if w.iter().all(|&c| aa_index(c).is_some()) {
                    let p = String::from_utf8_lossy(w).to_ascii_uppercase();
                    if seen.insert(p.clone()) {
                        peptides.push(p);
                    }
                } else {
                    *skipped += 1;
                }
            }
        }
        seq.clear();
    };
    while read_line_into(&mut reader, &mut line).map_err(|e| read_error(path, e))? {
        n += 1;
        let text = String::from_utf8_lossy(&line);
        let t = text.trim();
        if t.is_empty() || (fasta != Some(true) && t.starts_with('#')) {
            continue;
        }
        let is_fasta = *fasta.get_or_insert(t.starts_with('>'));
        if is_fasta {
            if t.starts_with('>') {
                flush(
                    &mut sequence,
                    &mut peptides,
                    &mut seen,
                    &mut windows_skipped,
                );
            } else {
                sequence.extend(t.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'*'));
            }
            continue;
        }
        let word = t.split_whitespace().next().unwrap_or("");
        if n == 1 && word.eq_ignore_ascii_case("peptide") {
            continue;
        }
        EncodedPeptide::new(word.as_bytes())
            .map_err(|e| Error::at_line(path, n, format!("peptide '{word}': {e}")))?;
        let p = word.to_ascii_uppercase();
        if seen.insert(p.clone()) {
            peptides.push(p);
        }
    }
    flush(
        &mut sequence,
        &mut peptides,
        &mut seen,
        &mut windows_skipped,
    );
    Ok(PeptideInput {
        peptides,
        fasta: fasta == Some(true),
        windows_skipped,
    })
}

/// Checks `--lengths`.
///
/// # Errors
/// A length outside 8–11.
pub fn check_lengths(lengths: &[usize]) -> Result<()> {
    match lengths
        .iter()
        .find(|l| !(MIN_LENGTH..=MAX_LENGTH).contains(l))
    {
        Some(l) => Err(Error::usage(format!(
            "--lengths {l}: the built-in model scores {MIN_LENGTH}-{MAX_LENGTH} residues"
        ))),
        None if lengths.is_empty() => Err(Error::usage("--lengths needs at least one length")),
        None => Ok(()),
    }
}

/// Scores every peptide against every allele (rows: peptide-major, alleles in the given
/// order), writing the TSV and JSON atomically.
///
/// # Errors
/// Unreadable input, an allele the predictor does not support, unwritable output.
pub fn run(
    params: &BindingParams,
    predictor: &dyn BindingPredictor,
    prefix: &Path,
) -> Result<BindingSummary> {
    for a in &params.alleles {
        if !predictor.supports(a) {
            // The predictor's own error names the nearest alleles.
            predictor.predict(a, &[])?;
            return Err(Error::usage(format!(
                "{a} is not supported by the {} predictor",
                predictor.name()
            )));
        }
    }
    let input = read_peptides(&params.peptides, &params.lengths)?;
    const CHUNK: usize = 4096;
    let refs: Vec<&str> = input.peptides.iter().map(String::as_str).collect();
    // Per allele, per chunk of peptides, in order: the same bytes for any thread count.
    let per_allele: Vec<Vec<crate::binding::Prediction>> = params
        .alleles
        .par_iter()
        .map(|a| {
            let chunks: Vec<Vec<crate::binding::Prediction>> = refs
                .par_chunks(CHUNK)
                .map(|c| predictor.predict(a, c))
                .collect::<Result<_>>()?;
            Ok(chunks.into_iter().flatten().collect())
        })
        .collect::<Result<_>>()?;
    let tsv_path = prefixed(prefix, "binding.tsv");
    let mut tsv = AtomicFile::create(&tsv_path)?;
    let io = |e| Error::io(&tsv_path, e);
    writeln!(tsv, "peptide\tallele\tlength\tic50\tpercentile").map_err(io)?;
    let names: Vec<String> = params.alleles.iter().map(ToString::to_string).collect();
    for (i, p) in input.peptides.iter().enumerate() {
        for (a, preds) in names.iter().zip(&per_allele) {
            let pred = preds[i];
            let pct = pred
                .percentile
                .map_or_else(|| "NA".to_string(), |v| fmt_num(v, 2));
            writeln!(
                tsv,
                "{p}\t{a}\t{}\t{}\t{pct}",
                p.len(),
                fmt_num(pred.ic50, 2)
            )
            .map_err(io)?;
        }
    }
    let summary = BindingSummary {
        schema_version: SCHEMA_VERSION,
        predictor: predictor.name().to_string(),
        input_format: if input.fasta { "fasta" } else { "list" },
        peptides: input.peptides.len(),
        windows_skipped: input.windows_skipped,
        alleles: params.alleles.clone(),
        predictions: input.peptides.len() * params.alleles.len(),
        binders_500nm: per_allele
            .iter()
            .map(|v| v.iter().filter(|p| p.ic50 < BINDER_NM).count())
            .collect(),
        params: params.clone(),
        version: crate::VERSION,
    };
    let json = json_file(prefixed(prefix, "binding.json"), &summary)?;
    commit_all(vec![tsv, json])?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fasta_is_cut_into_windows_without_repeats() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.fa");
        // 10 residues: 3 windows of 8, 2 of 9; the X breaks windows that contain it.
        std::fs::write(&p, ">a\nNLVPM\nVATVK\n>b\nNLVPMVATX\n").unwrap();
        let r = read_peptides(&p, &[8, 9]).unwrap();
        assert!(r.fasta);
        assert_eq!(
            r.peptides,
            ["NLVPMVAT", "LVPMVATV", "VPMVATVK", "NLVPMVATV", "LVPMVATVK"]
        );
        // Protein b: its first 8-mer repeats one of a's; LVPMVATX and NLVPMVATX hold the X.
        assert_eq!(r.windows_skipped, 2);
    }

    #[test]
    fn list_reports_bad_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.txt");
        std::fs::write(
            &p,
            "peptide\nNLVPMVATV\n# comment\nGILGFVFTL extra\nSIINFEK\n",
        )
        .unwrap();
        let e = read_peptides(&p, &[9]).unwrap_err().to_string();
        assert!(e.contains("line 5") && e.contains("SIINFEK"), "{e}");
        std::fs::write(
            &p,
            "peptide\nNLVPMVATV\n# comment\nGILGFVFTL extra\nnlvpmvatv\n",
        )
        .unwrap();
        assert_eq!(
            read_peptides(&p, &[9]).unwrap().peptides,
            ["NLVPMVATV", "GILGFVFTL"]
        );
    }

    #[test]
    fn lengths_checked() {
        assert!(check_lengths(&[8, 11]).is_ok());
        assert!(check_lengths(&[12]).is_err());
        assert!(check_lengths(&[]).is_err());
    }
}
