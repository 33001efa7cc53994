//! Readers for the training inputs: measured peptide–HLA binding (`allele peptide ic50_nm …`
//! TSV, plain or gzip) and pseudo-sequences (`allele,pseudosequence` CSV).

use std::collections::BTreeMap;
use std::path::Path;

use crate::binding::encoding::{aa_index, EncodedPeptide, PSEUDO_LEN};
use crate::binding::HlaAllele;
use crate::error::{Error, Result};
use crate::io::{open_decompressed, read_error, read_line_into};

/// One (allele, peptide) pair with its measurements merged (geometric mean of the IC50s).
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    pub allele: HlaAllele,
    pub peptide: String,
    pub ic50: f64,
}

/// Rows read and why some were set aside.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadStats {
    pub rows: usize,
    /// Allele names that are not human class I A/B/C/E/F/G (e.g. chicken `HLA-BF*…`).
    pub skipped_allele: usize,
    /// Peptides outside 8–11 residues or with non-standard letters.
    pub skipped_peptide: usize,
    /// Distinct (allele, peptide) pairs kept.
    pub pairs: usize,
}

/// Reads the measurement table and merges repeated (allele, peptide) measurements.
///
/// # Errors
/// The file cannot be read, lacks the `allele`, `peptide` or `ic50_nm` column, or has an IC50
/// that is not a positive number.
pub fn read_measurements(path: &Path) -> Result<(Vec<Measurement>, LoadStats)> {
    let (mut reader, _) = open_decompressed(path, 1)?;
    let mut line = Vec::new();
    if !read_line_into(&mut reader, &mut line).map_err(|e| read_error(path, e))? {
        return Err(Error::invalid(
            path,
            None,
            "empty file; expected a header line",
        ));
    }
    let header: Vec<&[u8]> = line.split(|&c| c == b'\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name.as_bytes())
            .ok_or_else(|| {
                Error::at_line(
                    path,
                    1,
                    format!("no '{name}' column (need allele, peptide, ic50_nm)"),
                )
            })
    };
    let (ca, cp, ci) = (col("allele")?, col("peptide")?, col("ic50_nm")?);
    let mut stats = LoadStats::default();
    // Sum of ln(IC50) and count per pair; BTreeMap keeps the order fixed.
    let mut pairs: BTreeMap<(HlaAllele, String), (f64, u32)> = BTreeMap::new();
    let mut n = 1;
    while read_line_into(&mut reader, &mut line).map_err(|e| read_error(path, e))? {
        n += 1;
        if line.is_empty() {
            continue;
        }
        stats.rows += 1;
        let fields: Vec<&[u8]> = line.split(|&c| c == b'\t').collect();
        let get = |i: usize| {
            fields
                .get(i)
                .and_then(|f| std::str::from_utf8(f).ok())
                .ok_or_else(|| Error::at_line(path, n, format!("missing column {}", i + 1)))
        };
        let Ok(allele) = HlaAllele::parse(get(ca)?) else {
            stats.skipped_allele += 1;
            continue;
        };
        let peptide = get(cp)?.to_ascii_uppercase();
        if EncodedPeptide::new(peptide.as_bytes()).is_err() {
            stats.skipped_peptide += 1;
            continue;
        }
        let ic50: f64 = get(ci)?
            .parse()
            .ok()
            .filter(|v: &f64| *v > 0.0 && v.is_finite())
            .ok_or_else(|| Error::at_line(path, n, "ic50_nm is not a positive number"))?;
        let e = pairs.entry((allele, peptide)).or_insert((0.0, 0));
        e.0 += ic50.ln();
        e.1 += 1;
    }
    stats.pairs = pairs.len();
    let out = pairs
        .into_iter()
        .map(|((allele, peptide), (s, c))| Measurement {
            allele,
            peptide,
            ic50: (s / f64::from(c)).exp(),
        })
        .collect();
    Ok((out, stats))
}

/// Reads `allele,pseudosequence` and keeps the human class I alleles, one entry per normalised
/// name (the file spells many twice, `HLA-A0201` and `HLA-A02:01`; the colon spelling wins if
/// they ever disagree). Sorted by allele.
///
/// # Errors
/// The file cannot be read, or a human allele's pseudo-sequence is not 34 residues.
pub fn read_pseudosequences(path: &Path) -> Result<Vec<(HlaAllele, [u8; PSEUDO_LEN])>> {
    let (mut reader, _) = open_decompressed(path, 1)?;
    let mut line = Vec::new();
    let mut map: BTreeMap<HlaAllele, ([u8; PSEUDO_LEN], bool)> = BTreeMap::new();
    let mut n = 0;
    while read_line_into(&mut reader, &mut line).map_err(|e| read_error(path, e))? {
        n += 1;
        let text = String::from_utf8_lossy(&line);
        let Some((name, seq)) = text.split_once(',') else {
            continue;
        };
        if !name.starts_with("HLA-") {
            continue;
        }
        let Ok(allele) = HlaAllele::parse(name) else {
            continue;
        };
        let seq = seq.trim().as_bytes();
        let pseudo: [u8; PSEUDO_LEN] = seq.try_into().map_err(|_| {
            Error::at_line(
                path,
                n,
                format!(
                    "{name}: pseudo-sequence of {} residues, expected {PSEUDO_LEN}",
                    seq.len()
                ),
            )
        })?;
        if pseudo.iter().any(|&c| aa_index(c).is_none() && c != b'X') {
            return Err(Error::at_line(
                path,
                n,
                format!("{name}: pseudo-sequence has a non-amino-acid letter"),
            ));
        }
        let colon = name.contains(':');
        match map.get(&allele) {
            Some((_, true)) if !colon => {}
            _ => {
                map.insert(allele, (pseudo, colon));
            }
        }
    }
    if map.is_empty() {
        return Err(Error::invalid(
            path,
            None,
            "no HLA pseudo-sequences found (expected lines like HLA-A02:01,YFAMY…)",
        ));
    }
    Ok(map.into_iter().map(|(a, (p, _))| (a, p)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn merges_repeats_geometrically_and_skips_foreign_rows() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.tsv");
        let mut f = std::fs::File::create(&p).unwrap();
        writeln!(f, "allele\tpeptide\tic50_nm\tmeasurement_type").unwrap();
        writeln!(f, "HLA-A*02:01\tNLVPMVATV\t10\tquantitative").unwrap();
        writeln!(f, "HLA-A*02:01\tNLVPMVATV\t1000\tquantitative").unwrap();
        writeln!(f, "HLA-BF*02:01\tNLVPMVATV\t5\tquantitative").unwrap();
        writeln!(f, "HLA-A*02:01\tNLVPXVATV\t5\tquantitative").unwrap();
        writeln!(f, "HLA-A*02:01\tNLVPMVA\t5\tquantitative").unwrap();
        drop(f);
        let (m, s) = read_measurements(&p).unwrap();
        assert_eq!(m.len(), 1);
        // Geometric mean of 10 and 1000.
        assert!((m[0].ic50 - 100.0).abs() < 1e-9);
        assert_eq!(
            (s.rows, s.skipped_allele, s.skipped_peptide, s.pairs),
            (5, 1, 2, 1)
        );
    }

    #[test]
    fn pseudosequences_deduplicate_spellings() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("p.csv");
        std::fs::write(
            &p,
            "allele,pseudosequence\nBoLA-100901,YYSMYREISENVYGSNLYLLYRDYTWEYLNYRWY\n\
             HLA-A0201,YFAMYGEKVAHTHVDTLYVRYHYYTWAVLAYTWY\nHLA-A02:01,YFAMYGEKVAHTHVDTLYVRYHYYTWAVLAYTWY\n\
             HLA-B07:02,YYSEYRNIYAQTDESNLYLSYDYYTWAERAYEWY\n",
        )
        .unwrap();
        let v = read_pseudosequences(&p).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].0.to_string(), "HLA-A*02:01");
        assert_eq!(v[1].0.to_string(), "HLA-B*07:02");
    }
}
