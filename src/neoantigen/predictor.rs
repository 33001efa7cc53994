//! Choosing the binding predictor: the built-in model, or the saved output of an external tool
//! (NetMHCpan 4.x `-xls` or plain text, MHCflurry CSV) looked up by allele and peptide.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::binding::{BindingPredictor, HlaAllele, Prediction};
use crate::error::{Error, Result};
use crate::io::open_decompressed;

/// External tools whose output can be imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportFormat {
    /// NetMHCpan 4.x: `-xls` tables or the plain-text report (run with `-BA` for IC50s).
    Netmhcpan,
    /// `mhcflurry-predict` CSV.
    Mhcflurry,
}

/// `--predictor builtin` or `--predictor TOOL:FILE[,FILE...]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PredictorSpec {
    Builtin,
    Import {
        format: ImportFormat,
        files: Vec<PathBuf>,
    },
}

impl PredictorSpec {
    /// Parses the option text.
    ///
    /// # Errors
    /// An unknown tool name or no file.
    pub fn parse(text: &str) -> Result<Self> {
        if text == "builtin" {
            return Ok(PredictorSpec::Builtin);
        }
        let usage = || {
            Error::usage(format!(
                "--predictor '{text}': use 'builtin', 'netmhcpan:FILE' (NetMHCpan 4.x -xls or text output, run with -BA) or 'mhcflurry:FILE' (mhcflurry-predict CSV); several files are comma-separated"
            ))
        };
        let (tool, files) = text.split_once(':').ok_or_else(usage)?;
        let format = match tool.to_ascii_lowercase().as_str() {
            "netmhcpan" => ImportFormat::Netmhcpan,
            "mhcflurry" => ImportFormat::Mhcflurry,
            _ => return Err(usage()),
        };
        let files: Vec<PathBuf> = files
            .split(',')
            .filter(|f| !f.is_empty())
            .map(PathBuf::from)
            .collect();
        if files.is_empty() {
            return Err(usage());
        }
        Ok(PredictorSpec::Import { format, files })
    }
}

/// Builds the predictor the spec names.
///
/// # Errors
/// Unreadable or malformed import files; the built-in model when this build lacks it.
pub fn make_predictor(spec: &PredictorSpec) -> Result<Box<dyn BindingPredictor>> {
    match spec {
        PredictorSpec::Builtin => Ok(Box::new(
            crate::binding::builtin::BuiltinPredictor::load_default()?,
        )),
        PredictorSpec::Import { format, files } => {
            Ok(Box::new(ImportedPredictor::load(*format, files)?))
        }
    }
}

/// Predictions read from files, keyed by normalised allele and peptide.
#[derive(Debug, Default)]
pub struct ImportedPredictor {
    name: String,
    alleles: BTreeSet<HlaAllele>,
    table: HashMap<(HlaAllele, String), Prediction>,
}

impl ImportedPredictor {
    /// # Errors
    /// Unreadable files, files without the expected columns, non-numeric scores.
    pub fn load(format: ImportFormat, files: &[PathBuf]) -> Result<Self> {
        let mut me = Self {
            name: match format {
                ImportFormat::Netmhcpan => "netmhcpan-import",
                ImportFormat::Mhcflurry => "mhcflurry-import",
            }
            .to_string(),
            ..Default::default()
        };
        for file in files {
            let text = read_text(file)?;
            match format {
                ImportFormat::Mhcflurry => me.read_mhcflurry(&text, file)?,
                ImportFormat::Netmhcpan => {
                    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                    let second = text
                        .lines()
                        .filter(|l| !l.trim().is_empty())
                        .nth(1)
                        .unwrap_or("");
                    if second.starts_with("Pos\t") && first.contains('\t') {
                        me.read_netmhcpan_xls(&text, file)?;
                    } else {
                        me.read_netmhcpan_text(&text, file)?;
                    }
                }
            }
        }
        if me.table.is_empty() {
            return Err(Error::invalid(
                &files[0],
                None,
                "no predictions found in the imported file(s)",
            ));
        }
        Ok(me)
    }

    /// The alleles the files cover.
    pub fn alleles(&self) -> impl Iterator<Item = &HlaAllele> {
        self.alleles.iter()
    }

    fn insert(
        &mut self,
        allele: &str,
        peptide: &str,
        ic50: f64,
        percentile: Option<f64>,
        path: &Path,
        line: usize,
    ) -> Result<()> {
        let a = HlaAllele::parse(allele).map_err(|e| Error::at_line(path, line, e))?;
        if !(ic50.is_finite() && ic50 >= 0.0) {
            return Err(Error::at_line(
                path,
                line,
                format!("IC50 '{ic50}' is not a non-negative number"),
            ));
        }
        self.alleles.insert(a.clone());
        self.table.insert(
            (a, peptide.to_ascii_uppercase()),
            Prediction { ic50, percentile },
        );
        Ok(())
    }

    fn read_mhcflurry(&mut self, text: &str, path: &Path) -> Result<()> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
        let Some((_, header)) = lines.next() else {
            return Err(Error::invalid(path, None, "empty MHCflurry file"));
        };
        let cols: Vec<&str> = header.split(',').map(str::trim).collect();
        let find = |names: &[&str]| names.iter().find_map(|n| cols.iter().position(|c| c == n));
        let (Some(ia), Some(ip), Some(ic)) = (
            find(&["allele", "best_allele"]),
            find(&["peptide"]),
            find(&[
                "mhcflurry_affinity",
                "mhcflurry_prediction",
                "affinity",
                "ic50",
            ]),
        ) else {
            return Err(Error::at_line(
                path,
                1,
                "not an MHCflurry CSV: expected the columns allele, peptide and mhcflurry_affinity (mhcflurry-predict output)",
            ));
        };
        let ir = find(&[
            "mhcflurry_affinity_percentile",
            "mhcflurry_prediction_percentile",
            "affinity_percentile",
            "percentile",
        ]);
        for (i, line) in lines {
            let f: Vec<&str> = line.split(',').map(str::trim).collect();
            let get = |k: usize| f.get(k).copied().unwrap_or("");
            let ic50: f64 = get(ic).parse().map_err(|_| {
                Error::at_line(
                    path,
                    i + 1,
                    format!("affinity '{}' is not a number", get(ic)),
                )
            })?;
            let pct = ir.and_then(|k| get(k).parse::<f64>().ok());
            self.insert(get(ia), get(ip), ic50, pct, path, i + 1)?;
        }
        Ok(())
    }

    fn read_netmhcpan_xls(&mut self, text: &str, path: &Path) -> Result<()> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let (_, alleles_line) = lines.next().unwrap_or((0, ""));
        let (_, header) = lines.next().unwrap_or((1, ""));
        let cols: Vec<&str> = header.split('\t').map(str::trim).collect();
        let starts: Vec<(usize, &str)> = alleles_line
            .split('\t')
            .enumerate()
            .filter(|(_, a)| !a.trim().is_empty())
            .map(|(i, a)| (i, a.trim()))
            .collect();
        let ip = cols.iter().position(|c| *c == "Peptide").ok_or_else(|| {
            Error::at_line(path, 2, "NetMHCpan -xls header has no Peptide column")
        })?;
        let mut blocks = Vec::new();
        for (k, (start, allele)) in starts.iter().enumerate() {
            let end = starts.get(k + 1).map_or(cols.len(), |(s, _)| *s);
            let in_block = |name: &str| (*start..end).find(|&c| cols.get(c) == Some(&name));
            let Some(ic) = in_block("nM") else {
                return Err(Error::at_line(
                    path,
                    2,
                    format!("NetMHCpan -xls output has no nM column for {allele}: run NetMHCpan with -BA to get binding affinities"),
                ));
            };
            let ir = in_block("BA_Rank")
                .or_else(|| in_block("Rank"))
                .or_else(|| in_block("EL_Rank"));
            blocks.push((*allele, ic, ir));
        }
        for (i, line) in lines {
            let f: Vec<&str> = line.split('\t').map(str::trim).collect();
            let peptide = f.get(ip).copied().unwrap_or("");
            for (allele, ic, ir) in &blocks {
                let v = f.get(*ic).copied().unwrap_or("");
                let ic50: f64 = v.parse().map_err(|_| {
                    Error::at_line(path, i + 1, format!("nM value '{v}' is not a number"))
                })?;
                let pct = ir
                    .and_then(|k| f.get(k))
                    .and_then(|v| v.parse::<f64>().ok());
                self.insert(allele, peptide, ic50, pct, path, i + 1)?;
            }
        }
        Ok(())
    }

    fn read_netmhcpan_text(&mut self, text: &str, path: &Path) -> Result<()> {
        let mut cols: Option<(usize, usize, usize, Option<usize>)> = None;
        let mut found_header = false;
        for (i, line) in text.lines().enumerate() {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.first() == Some(&"Pos") && f.contains(&"Peptide") {
                found_header = true;
                let pos = |n: &str| f.iter().position(|c| *c == n);
                let ia = pos("MHC").or_else(|| pos("HLA"));
                let ip = pos("Peptide");
                let ic = pos("Aff(nM)");
                let ir = pos("%Rank_BA")
                    .or_else(|| pos("%Rank"))
                    .or_else(|| pos("%Rank_EL"));
                cols = match (ia, ip, ic) {
                    (Some(a), Some(p), Some(c)) => Some((a, p, c, ir)),
                    _ => {
                        return Err(Error::at_line(
                            path,
                            i + 1,
                            "NetMHCpan output without an Aff(nM) column: run NetMHCpan with -BA to get binding affinities",
                        ))
                    }
                };
                continue;
            }
            let Some((ia, ip, ic, ir)) = cols else {
                continue;
            };
            if f.first().is_none_or(|t| t.parse::<u64>().is_err()) {
                continue;
            }
            let ic50: f64 = f
                .get(ic)
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| Error::at_line(path, i + 1, "Aff(nM) is not a number"))?;
            let pct = ir
                .and_then(|k| f.get(k))
                .and_then(|v| v.parse::<f64>().ok());
            let (a, p) = (
                f.get(ia).copied().unwrap_or(""),
                f.get(ip).copied().unwrap_or(""),
            );
            self.insert(a, p, ic50, pct, path, i + 1)?;
        }
        if !found_header {
            return Err(Error::invalid(path, None, "not NetMHCpan output: no 'Pos ... Peptide' header line (expected the -xls table or the text report)"));
        }
        Ok(())
    }
}

fn read_text(path: &Path) -> Result<String> {
    let (mut r, _) = open_decompressed(path, 1)?;
    let mut s = String::new();
    std::io::Read::read_to_string(&mut r, &mut s).map_err(|e| Error::io(path, e))?;
    Ok(s)
}

impl BindingPredictor for ImportedPredictor {
    fn name(&self) -> &str {
        &self.name
    }

    fn supports(&self, allele: &HlaAllele) -> bool {
        self.alleles.contains(allele)
    }

    fn predict(&self, allele: &HlaAllele, peptides: &[&str]) -> Result<Vec<Prediction>> {
        let mut missing = Vec::new();
        let out: Vec<Prediction> = peptides
            .iter()
            .map(|p| {
                self.table
                    .get(&(allele.clone(), p.to_string()))
                    .copied()
                    .unwrap_or_else(|| {
                        missing.push(*p);
                        Prediction {
                            ic50: f64::NAN,
                            percentile: None,
                        }
                    })
            })
            .collect();
        if !missing.is_empty() {
            return Err(Error::usage(format!(
                "the imported {} predictions lack {} peptide(s) for {allele}, e.g. {}: predict every peptide of `immunoprofile peptides` windows cut to the same lengths (NetMHCpan -l / mhcflurry --peptide-lengths) for every allele",
                self.name,
                missing.len(),
                missing.iter().take(3).copied().collect::<Vec<_>>().join(", ")
            )));
        }
        Ok(out)
    }
}

/// Common class I alleles, for suggesting close matches to an allele a predictor lacks.
const COMMON: &[&str] = &[
    "A*01:01", "A*02:01", "A*02:03", "A*02:06", "A*03:01", "A*11:01", "A*23:01", "A*24:02",
    "A*25:01", "A*26:01", "A*29:02", "A*30:01", "A*30:02", "A*31:01", "A*32:01", "A*33:01",
    "A*33:03", "A*68:01", "A*68:02", "B*07:02", "B*08:01", "B*13:02", "B*14:02", "B*15:01",
    "B*18:01", "B*27:05", "B*35:01", "B*35:03", "B*37:01", "B*38:01", "B*39:01", "B*40:01",
    "B*40:02", "B*44:02", "B*44:03", "B*45:01", "B*46:01", "B*49:01", "B*51:01", "B*52:01",
    "B*53:01", "B*55:01", "B*57:01", "B*58:01", "B*82:02", "C*01:02", "C*02:02", "C*03:03",
    "C*03:04", "C*04:01", "C*05:01", "C*06:02", "C*07:01", "C*07:02", "C*08:02", "C*12:03",
    "C*14:02", "C*15:02", "C*16:01", "C*17:01",
];

/// Alleles `predictor` supports that are close to `allele`: same gene and group first, then
/// same gene.
pub fn close_matches(
    allele: &HlaAllele,
    predictor: &dyn BindingPredictor,
    extra: &[HlaAllele],
) -> Vec<String> {
    let mut pool: BTreeSet<HlaAllele> = COMMON
        .iter()
        .filter_map(|a| HlaAllele::parse(a).ok())
        .collect();
    pool.extend(extra.iter().cloned());
    let text = allele.to_string();
    let group = &text[..text.find(':').unwrap_or(text.len())];
    let supported: Vec<HlaAllele> = pool.into_iter().filter(|a| predictor.supports(a)).collect();
    let same_group: Vec<String> = supported
        .iter()
        .map(|a| a.to_string())
        .filter(|a| a.starts_with(group))
        .collect();
    if !same_group.is_empty() {
        return same_group;
    }
    supported
        .iter()
        .filter(|a| a.gene() == allele.gene())
        .map(|a| a.to_string())
        .take(8)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    #[test]
    fn spec_parsing() {
        assert_eq!(
            PredictorSpec::parse("builtin").unwrap(),
            PredictorSpec::Builtin
        );
        assert!(
            matches!(PredictorSpec::parse("netmhcpan:a.xls,b.xls").unwrap(), PredictorSpec::Import { format: ImportFormat::Netmhcpan, files } if files.len() == 2)
        );
        assert!(PredictorSpec::parse("netmhc").is_err());
        assert!(PredictorSpec::parse("foo:x").is_err());
        let builtin = make_predictor(&PredictorSpec::Builtin).unwrap();
        assert!(builtin.supports(&HlaAllele::parse("HLA-A*02:01").unwrap()));
    }

    #[test]
    fn netmhcpan_xls_with_two_alleles() {
        let f = file("\t\t\tHLA-A02:01\t\t\t\t\t\t\tHLA-B07:02\t\t\t\t\t\t\n\
Pos\tPeptide\tID\tcore\ticore\tEL-score\tEL_Rank\tBA-score\tBA_Rank\tnM\tcore\ticore\tEL-score\tEL_Rank\tBA-score\tBA_Rank\tnM\tAve\tNB\n\
0\tSLYNTVATL\tseq1\tSLYNTVATL\tSLYNTVATL\t0.9\t0.05\t0.7\t0.10\t25.5\tSLYNTVATL\tSLYNTVATL\t0.1\t5.0\t0.1\t12.0\t9000\t0.5\t1\n");
        let p =
            ImportedPredictor::load(ImportFormat::Netmhcpan, &[f.path().to_path_buf()]).unwrap();
        let a = HlaAllele::parse("A*02:01").unwrap();
        let b = HlaAllele::parse("HLA-B*07:02").unwrap();
        assert_eq!(
            p.predict(&a, &["SLYNTVATL"]).unwrap()[0],
            Prediction {
                ic50: 25.5,
                percentile: Some(0.10)
            }
        );
        assert_eq!(
            p.predict(&b, &["SLYNTVATL"]).unwrap()[0],
            Prediction {
                ic50: 9000.0,
                percentile: Some(12.0)
            }
        );
        let e = p.predict(&a, &["AAAAAAAAA"]).unwrap_err().to_string();
        assert!(
            e.contains("lack 1 peptide") && e.contains("AAAAAAAAA"),
            "{e}"
        );
    }

    #[test]
    fn netmhcpan_text_41_and_mhcflurry_csv() {
        let f = file("# NetMHCpan version 4.1b\n\n---------\n Pos         MHC        Peptide      Core Of Gp Gl Ip Il        Icore        Identity  Score_EL %Rank_EL Score_BA %Rank_BA  Aff(nM) BindLevel\n---------\n   1 HLA-A*02:01      SLYNTVATL SLYNTVATL  0  0  0  0  0    SLYNTVATL         seq1 0.9 0.03 0.8 0.05 12.34 <= SB\n---------\n");
        let p =
            ImportedPredictor::load(ImportFormat::Netmhcpan, &[f.path().to_path_buf()]).unwrap();
        let a = HlaAllele::parse("A02:01").unwrap();
        assert_eq!(
            p.predict(&a, &["SLYNTVATL"]).unwrap()[0],
            Prediction {
                ic50: 12.34,
                percentile: Some(0.05)
            }
        );
        let f = file("allele,peptide,mhcflurry_affinity,mhcflurry_affinity_percentile\nHLA-A0201,SLYNTVATL,30.5,0.2\n");
        let p =
            ImportedPredictor::load(ImportFormat::Mhcflurry, &[f.path().to_path_buf()]).unwrap();
        assert_eq!(p.predict(&a, &["SLYNTVATL"]).unwrap()[0].ic50, 30.5);
        assert!(!p.supports(&HlaAllele::parse("A*03:01").unwrap()));
        assert_eq!(
            close_matches(&HlaAllele::parse("A*02:99").unwrap(), &p, &[]),
            vec!["HLA-A*02:01"]
        );
    }

    #[test]
    fn xls_without_affinity_says_to_use_ba() {
        let f = file(
            "\t\t\tHLA-A02:01\t\t\n Pos\tPeptide\tID\tcore\ticore\tEL-score\tEL_Rank\n"
                .replace("\n Pos", "\nPos")
                .as_str(),
        );
        let e = ImportedPredictor::load(ImportFormat::Netmhcpan, &[f.path().to_path_buf()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("-BA"), "{e}");
    }
}
