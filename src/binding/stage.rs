//! The `binding` stage: score peptides (a list, or windows cut from FASTA proteins) against
//! HLA class I alleles and class II molecules, and write `PREFIX.binding.tsv` (class I),
//! `PREFIX.binding.class2.tsv` (class II, when molecules are given) and `PREFIX.binding.json`.

use rustc_hash::FxHashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::binding::class2::encoding::Peptide2;
use crate::binding::class2::predictor::{Class2Predictor, Prediction2};
use crate::binding::class2::Class2Molecule;
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
    /// Class II molecules, each with its name as given (echoed in the output).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub class2: Vec<Class2Query>,
    /// FASTA window lengths scored against the class II molecules.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub class2_lengths: Vec<usize>,
    /// The IPD-IMGT/HLA folder class II pseudo-sequences are read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imgt: Option<PathBuf>,
}

/// A class II molecule as the user wrote it and as the model reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Class2Query {
    pub given: String,
    pub molecule: Class2Molecule,
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
    /// Class II: the predictor, the molecules as given, predictions and binders per molecule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class2_predictor: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub class2_alleles: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class2_predictions: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub class2_binders_500nm: Vec<usize>,
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
    read_peptides_with(path, lengths, &|p| {
        EncodedPeptide::new(p)
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
}

/// As [`read_peptides`], with `check` deciding which listed peptides can be scored.
///
/// # Errors
/// Unreadable file; a listed peptide `check` refuses.
pub fn read_peptides_with(
    path: &Path,
    lengths: &[usize],
    check: &dyn Fn(&[u8]) -> std::result::Result<(), String>,
) -> Result<PeptideInput> {
    let (mut reader, _) = open_decompressed(path, 1)?;
    let mut line = Vec::new();
    // Fx hashing: SipHash's DoS resistance buys nothing for a local peptide list and was a
    // fifth of a million-peptide run.
    let mut seen = FxHashSet::default();
    let mut peptides = Vec::new();
    let mut fasta: Option<bool> = None;
    let mut sequence = Vec::new();
    let mut windows_skipped = 0;
    let mut n = 0;
    let flush = |seq: &mut Vec<u8>,
                 peptides: &mut Vec<String>,
                 seen: &mut FxHashSet<String>,
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
        check(word.as_bytes())
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

/// Checks `--class2-lengths`.
///
/// # Errors
/// A length outside 9–40, or none.
pub fn check_class2_lengths(lengths: &[usize]) -> Result<()> {
    use crate::binding::class2::encoding::{MAX_LENGTH as MAX2, MIN_LENGTH as MIN2};
    match lengths.iter().find(|l| !(MIN2..=MAX2).contains(l)) {
        Some(l) => Err(Error::usage(format!(
            "--class2-lengths {l}: the class II model scores {MIN2}-{MAX2} residues"
        ))),
        None if lengths.is_empty() => {
            Err(Error::usage("--class2-lengths needs at least one length"))
        }
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
    run_with(params, predictor, None, prefix)
}

/// As [`run`], also scoring `params.class2` with `class2` (required when molecules are given).
///
/// # Errors
/// As [`run`]; class II molecules without a class II predictor.
pub fn run_with(
    params: &BindingParams,
    predictor: &dyn BindingPredictor,
    class2: Option<&Class2Predictor>,
    prefix: &Path,
) -> Result<BindingSummary> {
    let class2 = match (class2, params.class2.is_empty()) {
        (_, true) => None,
        (Some(c), false) => Some(c),
        (None, false) => {
            return Err(Error::usage(
                "class II molecules need --imgt DIR (an IPD-IMGT/HLA release folder)",
            ))
        }
    };
    if let Some(c) = class2 {
        for q in &params.class2 {
            c.pseudo(&q.molecule)?;
        }
    }
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
    let class1 = !params.alleles.is_empty();
    let mut window_lengths = if class1 {
        params.lengths.clone()
    } else {
        Vec::new()
    };
    if class2.is_some() {
        window_lengths.extend(&params.class2_lengths);
        window_lengths.sort_unstable();
        window_lengths.dedup();
    }
    let check = |p: &[u8]| -> std::result::Result<(), String> {
        let e1 = if class1 {
            match EncodedPeptide::new(p) {
                Ok(_) => return Ok(()),
                Err(e) => Some(e.to_string()),
            }
        } else {
            None
        };
        let e2 = if class2.is_some() {
            match Peptide2::new(p) {
                Ok(_) => return Ok(()),
                Err(e) => Some(e.to_string()),
            }
        } else {
            None
        };
        Err([e1, e2]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; "))
    };
    let input = read_peptides_with(&params.peptides, &window_lengths, &check)?;
    // Which peptides each class scores: FASTA windows by their class's lengths, listed
    // peptides by what the model accepts.
    let scored_by = |lengths: &[usize], ok: &dyn Fn(&str) -> bool| -> Vec<&str> {
        input
            .peptides
            .iter()
            .filter(|p| {
                if input.fasta {
                    lengths.contains(&p.len())
                } else {
                    ok(p)
                }
            })
            .map(String::as_str)
            .collect()
    };
    let class1_peptides: Vec<&str> = if class1 {
        scored_by(&params.lengths, &|p| {
            EncodedPeptide::new(p.as_bytes()).is_ok()
        })
    } else {
        Vec::new()
    };
    const CHUNK: usize = 4096;
    let refs = &class1_peptides;
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
    for (i, p) in class1_peptides.iter().enumerate() {
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
    let mut outputs = vec![tsv];
    let mut class2_binders = Vec::new();
    let mut class2_predictions = None;
    if let Some(c) = class2 {
        let peps = scored_by(&params.class2_lengths, &|p| {
            Peptide2::new(p.as_bytes()).is_ok()
        });
        let per_molecule: Vec<Vec<Prediction2>> = params
            .class2
            .par_iter()
            .map(|q| {
                let chunks: Vec<Vec<Prediction2>> = peps
                    .par_chunks(CHUNK)
                    .map(|ch| c.predict(&q.molecule, ch))
                    .collect::<Result<_>>()?;
                Ok(chunks.into_iter().flatten().collect())
            })
            .collect::<Result<_>>()?;
        let path = prefixed(prefix, "binding.class2.tsv");
        let mut f = AtomicFile::create(&path)?;
        let io = |e| Error::io(&path, e);
        writeln!(
            f,
            "peptide\tallele\tlength\tcore\tcore_offset\tic50\tpercentile"
        )
        .map_err(io)?;
        for (i, p) in peps.iter().enumerate() {
            for (q, preds) in params.class2.iter().zip(&per_molecule) {
                let pred = &preds[i];
                writeln!(
                    f,
                    "{p}\t{}\t{}\t{}\t{}\t{}\t{}",
                    q.given,
                    p.len(),
                    pred.core,
                    pred.core_offset,
                    fmt_num(pred.ic50, 2),
                    fmt_num(pred.percentile, 2)
                )
                .map_err(io)?;
            }
        }
        outputs.push(f);
        class2_predictions = Some(peps.len() * params.class2.len());
        class2_binders = per_molecule
            .iter()
            .map(|v| v.iter().filter(|p| p.ic50 < BINDER_NM).count())
            .collect();
    }
    let summary = BindingSummary {
        schema_version: SCHEMA_VERSION,
        predictor: predictor.name().to_string(),
        input_format: if input.fasta { "fasta" } else { "list" },
        peptides: input.peptides.len(),
        windows_skipped: input.windows_skipped,
        alleles: params.alleles.clone(),
        predictions: class1_peptides.len() * params.alleles.len(),
        binders_500nm: per_allele
            .iter()
            .map(|v| v.iter().filter(|p| p.ic50 < BINDER_NM).count())
            .collect(),
        class2_predictor: class2.map(Class2Predictor::name),
        class2_alleles: params.class2.iter().map(|q| q.given.clone()).collect(),
        class2_predictions,
        class2_binders_500nm: class2_binders,
        params: params.clone(),
        version: crate::VERSION,
    };
    let json = json_file(prefixed(prefix, "binding.json"), &summary)?;
    outputs.push(json);
    commit_all(outputs)?;
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
