//! Reading a user's IPD-IMGT/HLA release folder: allele coding (`*_nuc.fasta`) and genomic
//! (`*_gen.fasta`) sequences, G groups (`wmda/hla_nom_g.txt`) and the release number.
//!
//! Any release layout is accepted: per-locus files under `fasta/` (or at the top), or the
//! all-loci `hla_nuc.fasta`/`hla_gen.fasta` at the top. Nothing is copied or modified: the
//! sequences live in memory for one run (the licence, CC BY-ND, forbids shipping derivatives).

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The citation the IPD-IMGT/HLA licence asks users to give.
pub const CITATION: &str = "Robinson J, Barker DJ, Georgiou X, Cooper MA, Flicek P, Marsh SGE: \
IPD-IMGT/HLA Database. Nucleic Acids Research (2020) 48:D948-55; Robinson J et al., The IPD and \
IMGT/HLA database: allele variant databases, Nucleic Acids Research (2015) 43:D423-431. \
Sequences from the IPD-IMGT/HLA Database (CC BY-ND 4.0), read unmodified at run time.";

/// One allele of the release.
#[derive(Debug, Clone)]
pub struct Allele {
    /// Full name without the `HLA-` prefix, e.g. `A*01:01:01:01`.
    pub name: String,
    /// Gene, e.g. `A`, `DRB1`.
    pub locus: String,
    /// Coding sequence (uppercase ACGT; may be partial, e.g. exons 2–3 only).
    pub cds: Vec<u8>,
}

/// The parts of a release the typer needs.
#[derive(Debug, Clone)]
pub struct Imgt {
    pub dir: PathBuf,
    /// e.g. `3.30.0`, or `unknown`.
    pub release: String,
    /// In file order (IMGT numeric order within a locus).
    pub alleles: Vec<Allele>,
    /// Genomic sequences by allele name (only loci with a `_gen` file).
    pub genomic: HashMap<String, Vec<u8>>,
    /// Allele name → G group name (e.g. `A*01:01:01G`); alleles absent are their own group.
    pub g_groups: HashMap<String, String>,
}

impl Imgt {
    /// Reads the release folder `dir`.
    ///
    /// # Errors
    /// No nucleotide FASTA found, or a malformed file.
    pub fn load(dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            return Err(Error::usage(format!(
                "--imgt {}: not a folder; give the IPD-IMGT/HLA release folder (with fasta/*_nuc.fasta or hla_nuc.fasta)",
                dir.display()
            )));
        }
        let nuc = fasta_files(dir, "_nuc.fasta")?;
        if nuc.is_empty() {
            return Err(Error::invalid(
                dir,
                None,
                "no *_nuc.fasta under fasta/ and no hla_nuc.fasta: is this an IPD-IMGT/HLA release folder?",
            ));
        }
        let mut alleles = Vec::new();
        for path in &nuc {
            for (name, seq) in read_fasta(path)? {
                let locus = locus_of(&name).ok_or_else(|| {
                    Error::invalid(path, Some(name.clone()), "allele name without `*`")
                })?;
                alleles.push(Allele {
                    locus: locus.to_string(),
                    name,
                    cds: seq,
                });
            }
        }
        let mut genomic = HashMap::new();
        for path in fasta_files(dir, "_gen.fasta")? {
            genomic.extend(read_fasta(&path)?);
        }
        let g_path = dir.join("wmda").join("hla_nom_g.txt");
        let g_groups = if g_path.exists() {
            read_g_groups(&g_path)?
        } else {
            log::warn!(
                "{}: absent; every allele is reported as its own G group",
                g_path.display()
            );
            HashMap::new()
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            release: release_of(dir),
            alleles,
            genomic,
            g_groups,
        })
    }

    /// The release number and G groups only (no sequences): enough to report calls made with
    /// a cached index.
    ///
    /// # Errors
    /// Not a folder, or a malformed G-group file.
    pub fn load_meta(dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            return Err(Error::usage(format!(
                "--imgt {}: not a folder; give the IPD-IMGT/HLA release folder (with fasta/*_nuc.fasta or hla_nuc.fasta)",
                dir.display()
            )));
        }
        let g_path = dir.join("wmda").join("hla_nom_g.txt");
        let g_groups = if g_path.exists() {
            read_g_groups(&g_path)?
        } else {
            HashMap::new()
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            release: release_of(dir),
            alleles: Vec::new(),
            genomic: HashMap::new(),
            g_groups,
        })
    }

    /// The G group of `allele` (its own name when it is in none).
    pub fn g_group<'a>(&'a self, allele: &'a str) -> &'a str {
        self.g_groups.get(allele).map_or(allele, String::as_str)
    }
}

/// `A*01:01:01:01` → `A`.
pub fn locus_of(name: &str) -> Option<&str> {
    name.split_once('*').map(|(l, _)| l)
}

/// `A*01:01:01:01` → `A*01:01` (two fields; expression suffixes kept only when the name has
/// two fields already, e.g. `A*01:04N`).
pub fn two_field(name: &str) -> String {
    let Some((locus, fields)) = name.split_once('*') else {
        return name.to_string();
    };
    let parts: Vec<&str> = fields.split(':').collect();
    if parts.len() <= 2 {
        return name.to_string();
    }
    format!("{locus}*{}:{}", parts[0], parts[1])
}

/// The nucleotide or genomic FASTA files of a release, in a fixed (sorted) order.
pub(crate) fn fasta_files(dir: &Path, suffix: &str) -> Result<Vec<PathBuf>> {
    let all = dir.join(format!("hla{suffix}"));
    if all.is_file() {
        return Ok(vec![all]);
    }
    let mut out = Vec::new();
    for sub in [dir.join("fasta"), dir.to_path_buf()] {
        let Ok(entries) = fs::read_dir(&sub) else {
            continue;
        };
        for e in entries {
            let e = e.map_err(|e| Error::io(&sub, e))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(suffix) && !name.starts_with("hla") {
                out.push(e.path());
            }
        }
        if !out.is_empty() {
            break;
        }
    }
    out.sort();
    Ok(out)
}

/// IMGT FASTA: `>HLA:HLA00001 A*01:01:01:01 1098 bp`; the allele name is the second word.
pub fn read_fasta(path: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let text = fs::read(path).map_err(|e| Error::io(path, e))?;
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(header) = line.strip_prefix(b">") {
            let header = String::from_utf8_lossy(header);
            let mut words = header.split_whitespace();
            let first = words.next().unwrap_or_default();
            // `>HLA:HLA00001 A*01:01 …`, or a bare `>A*01:01` in hand-made files.
            let name = if first.contains('*') {
                first.trim_start_matches("HLA-")
            } else {
                words.next().unwrap_or_default()
            };
            if !name.contains('*') {
                return Err(Error::at_line(
                    path,
                    i + 1,
                    "FASTA header without an allele name like A*01:01:01:01",
                ));
            }
            out.push((name.trim_start_matches("HLA-").to_string(), Vec::new()));
        } else if !line.is_empty() {
            let Some((_, seq)) = out.last_mut() else {
                return Err(Error::at_line(path, i + 1, "sequence before any header"));
            };
            seq.extend(line.iter().map(u8::to_ascii_uppercase));
        }
    }
    Ok(out)
}

/// `wmda/hla_nom_g.txt`: `A*;01:01:01:01/01:01:01:02N/…;01:01:01G`.
fn read_g_groups(path: &Path) -> Result<HashMap<String, String>> {
    let text = fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut out = HashMap::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(';').collect();
        if f.len() < 3 || f[2].trim().is_empty() {
            continue;
        }
        let locus = f[0];
        let group = format!("{locus}{}", f[2].trim());
        for a in f[1].split('/') {
            out.insert(format!("{locus}{a}"), group.clone());
        }
    }
    Ok(out)
}

/// The release number from `release_version.txt`, `Allelelist.NNNN.txt`, the README, or the
/// folder's name; `unknown` otherwise.
fn release_of(dir: &Path) -> String {
    if let Ok(t) = fs::read_to_string(dir.join("release_version.txt")) {
        if let Some(v) = t.lines().find_map(|l| l.split("version:").nth(1)) {
            return v.trim().to_string();
        }
    }
    let mut names: BTreeMap<String, ()> = BTreeMap::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            names.insert(e.file_name().to_string_lossy().into_owned(), ());
        }
    }
    for n in names.keys() {
        if let Some(digits) = n
            .strip_prefix("Allelelist.")
            .and_then(|r| r.strip_suffix(".txt"))
        {
            if digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()) {
                let d = digits.as_bytes();
                return format!(
                    "{}.{}{}.{}",
                    d[0] as char, d[1] as char, d[2] as char, d[3] as char
                );
            }
        }
    }
    let folder = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if folder.split('.').count() == 3 && folder.split('.').all(|p| p.parse::<u32>().is_ok()) {
        return folder;
    }
    "unknown".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_field_names() {
        assert_eq!(two_field("A*01:01:01:01"), "A*01:01");
        assert_eq!(two_field("DRB1*15:01:01:02N"), "DRB1*15:01");
        assert_eq!(two_field("A*01:04N"), "A*01:04N");
    }
}
