//! HLA class I evolutionary divergence (HED; Pierini & Lenz, Mol Biol Evol 2018; Chowell et al.,
//! Nat Med 2019): per locus, the Grantham distance between the two alleles' peptide-binding
//! domains, i.e. the sum over aligned positions divided by the number of positions, then the
//! mean over the loci (A, B, C) with two alleles given.
//!
//! Peptide-binding domain: the residues encoded entirely by exons 2 and 3, mature-protein
//! positions 2–182 (181 residues; codon 1 is split between exons 1 and 2). In the
//! IPD-IMGT/HLA protein FASTA, full-length class I sequences start with the 24-residue leader,
//! so this is sequence positions 26–206; alleles known only for exons 2–3 are stored as exactly
//! these 181 residues. We locate the domain in every sequence by ungapped matching to the locus'
//! first full-length allele, so both kinds are read the same way. The sequences are read at run
//! time from the user's IPD-IMGT/HLA folder; none are shipped.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::binding::HlaAllele;
use crate::error::{Error, Result};

/// Length of the exon 2–3 peptide-binding domain (mature residues 2–182).
pub const PBD_LENGTH: usize = 181;
/// 0-based start of the domain in a full-length IMGT protein sequence (24-residue leader + 1).
pub const PBD_START_FULL_LENGTH: usize = 25;

/// Amino acids in the row/column order of Grantham's (1974) table.
const GRANTHAM_ORDER: &[u8; 20] = b"SRLPTAVGIFYCHQNKDEMW";

/// Grantham (1974, Science 185:862) distances, upper triangle row by row in `GRANTHAM_ORDER`
/// (S–R, S–L, …, S–W, R–L, …, M–W).
#[rustfmt::skip]
const GRANTHAM_UPPER: [u16; 190] = [
    110, 145, 74, 58, 99, 124, 56, 142, 155, 144, 112, 89, 68, 46, 121, 65, 80, 135, 177, // S
    102, 103, 71, 112, 96, 125, 97, 97, 77, 180, 29, 43, 86, 26, 96, 54, 91, 101,         // R
    98, 92, 96, 32, 138, 5, 22, 36, 198, 99, 113, 153, 107, 172, 138, 15, 61,             // L
    38, 27, 68, 42, 95, 114, 110, 169, 77, 76, 91, 103, 108, 93, 87, 147,                 // P
    58, 69, 59, 89, 103, 92, 149, 47, 42, 65, 78, 85, 65, 81, 128,                        // T
    64, 60, 94, 113, 112, 195, 86, 91, 111, 106, 126, 107, 84, 148,                       // A
    109, 29, 50, 55, 192, 84, 96, 133, 97, 152, 121, 21, 88,                              // V
    135, 153, 147, 159, 98, 87, 80, 127, 94, 98, 127, 184,                                // G
    21, 33, 198, 94, 109, 149, 102, 168, 134, 10, 61,                                     // I
    22, 205, 100, 116, 158, 102, 177, 140, 28, 40,                                        // F
    194, 83, 99, 143, 85, 160, 122, 36, 37,                                               // Y
    174, 154, 139, 202, 154, 170, 196, 215,                                               // C
    24, 68, 32, 81, 40, 87, 115,                                                          // H
    46, 53, 61, 29, 101, 130,                                                             // Q
    94, 23, 42, 142, 174,                                                                 // N
    101, 56, 95, 110,                                                                     // K
    45, 160, 181,                                                                         // D
    126, 152,                                                                             // E
    67,                                                                                   // M
];

fn grantham_index(aa: u8) -> Option<usize> {
    GRANTHAM_ORDER
        .iter()
        .position(|&c| c == aa.to_ascii_uppercase())
}

/// Grantham distance between two amino acids (one-letter codes), `None` for anything other
/// than the 20 standard residues.
pub fn grantham(a: u8, b: u8) -> Option<u16> {
    let (i, j) = (grantham_index(a)?, grantham_index(b)?);
    if i == j {
        return Some(0);
    }
    let (i, j) = if i < j { (i, j) } else { (j, i) };
    // Offset of row i in the packed upper triangle: Σ_{r<i} (19 − r).
    let row_start = i * 19 - i * (i.saturating_sub(1)) / 2;
    Some(GRANTHAM_UPPER[row_start + (j - i - 1)])
}

/// Mean Grantham distance between two aligned sequences of equal length.
///
/// # Errors
/// Different lengths, an empty sequence, or a residue outside the 20 standard amino acids.
pub fn divergence(a: &[u8], b: &[u8]) -> std::result::Result<f64, String> {
    if a.len() != b.len() || a.is_empty() {
        return Err(format!(
            "sequences of different or zero length ({} and {})",
            a.len(),
            b.len()
        ));
    }
    let mut sum = 0u64;
    for (k, (&x, &y)) in a.iter().zip(b).enumerate() {
        let d = grantham(x, y).ok_or_else(|| {
            format!(
                "position {}: '{}'/'{}' is not one of the 20 standard amino acids",
                k + 1,
                x as char,
                y as char
            )
        })?;
        sum += u64::from(d);
    }
    Ok(sum as f64 / a.len() as f64)
}

/// Protein sequences of the class I loci from an IPD-IMGT/HLA release folder.
#[derive(Debug, Clone)]
pub struct ImgtProteins {
    /// Locus (`A`, `B`, `C`) → (allele name without `HLA-`, sequence) in file order.
    loci: BTreeMap<String, Vec<(String, Vec<u8>)>>,
    pub source: PathBuf,
}

impl ImgtProteins {
    /// Reads `DIR/fasta/{A,B,C}_prot.fasta` when present, else `DIR/hla_prot.fasta`.
    ///
    /// # Errors
    /// Neither layout is present, or a file cannot be read.
    pub fn load(dir: &Path) -> Result<Self> {
        let mut loci = BTreeMap::new();
        let per_locus: Vec<PathBuf> = ["A", "B", "C"]
            .iter()
            .map(|l| dir.join("fasta").join(format!("{l}_prot.fasta")))
            .collect();
        if per_locus.iter().all(|p| p.is_file()) {
            for p in &per_locus {
                read_fasta(p, &mut loci)?;
            }
            return Ok(Self {
                loci,
                source: dir.join("fasta"),
            });
        }
        let single = dir.join("hla_prot.fasta");
        if single.is_file() {
            read_fasta(&single, &mut loci)?;
            return Ok(Self {
                loci,
                source: single,
            });
        }
        Err(Error::invalid(
            dir,
            None,
            "no IPD-IMGT/HLA protein FASTA: expected fasta/A_prot.fasta, fasta/B_prot.fasta, fasta/C_prot.fasta or hla_prot.fasta (download a release from github.com/ANHIG/IMGTHLA)",
        ))
    }

    /// The 181-residue peptide-binding domain of a two-field allele.
    ///
    /// # Errors
    /// Unknown locus or allele, or no sequence of the allele that covers the whole domain.
    pub fn binding_domain(&self, allele: &HlaAllele) -> std::result::Result<Vec<u8>, String> {
        let locus = allele.gene();
        let name = allele.to_string();
        let two_field = name.trim_start_matches("HLA-").to_string();
        let seqs = self.loci.get(locus).ok_or_else(|| {
            format!(
                "{name}: no HLA-{locus} sequences in {}",
                self.source.display()
            )
        })?;
        let template = seqs
            .iter()
            .find(|(_, s)| s.len() >= PBD_START_FULL_LENGTH + PBD_LENGTH)
            .map(|(_, s)| &s[PBD_START_FULL_LENGTH..PBD_START_FULL_LENGTH + PBD_LENGTH])
            .ok_or_else(|| format!("HLA-{locus}: no full-length sequence to anchor exons 2-3"))?;
        let mut found_any = false;
        for (n, s) in seqs {
            let matches_name = n == &two_field
                || (n.starts_with(&two_field) && n.as_bytes().get(two_field.len()) == Some(&b':'));
            // Null alleles (suffix N) are not expressed; a two-field name never means them.
            if !matches_name || n.ends_with('N') {
                continue;
            }
            found_any = true;
            if let Some(pbd) = locate_domain(s, template) {
                return Ok(pbd);
            }
        }
        Err(if found_any {
            format!(
                "{name}: no sequence in {} covers the whole exon 2-3 domain",
                self.source.display()
            )
        } else {
            format!("{name}: not in {}", self.source.display())
        })
    }
}

/// The domain in `seq`: the ungapped 181-residue window most identical to `template`, accepted at
/// ≥ 80% identity with only standard residues.
fn locate_domain(seq: &[u8], template: &[u8]) -> Option<Vec<u8>> {
    if seq.len() < template.len() {
        return None;
    }
    let mut best = (0usize, 0usize);
    for off in 0..=seq.len() - template.len() {
        let same = seq[off..off + template.len()]
            .iter()
            .zip(template)
            .filter(|(a, b)| a == b)
            .count();
        if same > best.1 {
            best = (off, same);
        }
    }
    let window = &seq[best.0..best.0 + template.len()];
    let identity_ok = best.1 * 10 >= template.len() * 8;
    let clean = window.iter().all(|&c| grantham_index(c).is_some());
    (identity_ok && clean).then(|| window.to_vec())
}

fn read_fasta(path: &Path, loci: &mut BTreeMap<String, Vec<(String, Vec<u8>)>>) -> Result<()> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut current: Option<(String, String, Vec<u8>)> = None;
    let mut push = |c: Option<(String, String, Vec<u8>)>| {
        if let Some((locus, name, seq)) = c {
            if matches!(locus.as_str(), "A" | "B" | "C") {
                loci.entry(locus).or_default().push((name, seq));
            }
        }
    };
    for line in BufReader::new(f).lines() {
        let line = line.map_err(|e| Error::io(path, e))?;
        if let Some(header) = line.strip_prefix('>') {
            push(current.take());
            // ">HLA:HLA00001 A*01:01:01:01 365 bp"
            let name = header.split_whitespace().nth(1).unwrap_or("").to_string();
            let locus = name.split('*').next().unwrap_or("").to_string();
            current = Some((locus, name, Vec::new()));
        } else if let Some((_, _, seq)) = current.as_mut() {
            seq.extend(line.trim().bytes());
        }
    }
    push(current);
    Ok(())
}

/// HED of one locus.
#[derive(Debug, Clone, Serialize)]
pub struct LocusHed {
    pub locus: String,
    pub alleles: [String; 2],
    pub divergence: f64,
}

/// HED of a genotype.
#[derive(Debug, Clone, Serialize)]
pub struct Hed {
    pub loci: Vec<LocusHed>,
    /// Mean over the loci in `loci` (the `HED` model input).
    pub mean: f64,
    pub residues: usize,
}

/// HED from class I alleles (two per locus; repeat an allele for a homozygous locus).
///
/// # Errors
/// A name that does not parse, a locus with one or more than two alleles, a non-A/B/C allele,
/// an allele missing from the IMGT files.
pub fn hed(alleles: &[String], imgt: &ImgtProteins) -> Result<Hed> {
    let mut by_locus: BTreeMap<String, Vec<HlaAllele>> = BTreeMap::new();
    for a in alleles.iter().filter(|a| !a.trim().is_empty()) {
        let parsed = HlaAllele::parse(a).map_err(Error::usage)?;
        if !matches!(parsed.gene(), "A" | "B" | "C") {
            return Err(Error::usage(format!(
                "{parsed}: HED uses the classical class I loci A, B and C only"
            )));
        }
        by_locus
            .entry(parsed.gene().to_string())
            .or_default()
            .push(parsed);
    }
    if by_locus.is_empty() {
        return Err(Error::usage("HED needs HLA-A, -B and/or -C alleles"));
    }
    let mut loci = Vec::new();
    for (locus, list) in &by_locus {
        if list.len() != 2 {
            return Err(Error::usage(format!(
                "HLA-{locus}: {} allele(s) given; HED needs exactly two per locus (repeat the allele for a homozygous locus)",
                list.len()
            )));
        }
        let a = imgt.binding_domain(&list[0]).map_err(Error::usage)?;
        let b = imgt.binding_domain(&list[1]).map_err(Error::usage)?;
        let divergence = divergence(&a, &b).map_err(Error::usage)?;
        loci.push(LocusHed {
            locus: locus.clone(),
            alleles: [list[0].to_string(), list[1].to_string()],
            divergence,
        });
    }
    let mean = loci.iter().map(|l| l.divergence).sum::<f64>() / loci.len() as f64;
    Ok(Hed {
        loci,
        mean,
        residues: PBD_LENGTH,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grantham_table_values_from_the_paper() {
        // Spot values read off Grantham (1974), Table 1.
        assert_eq!(grantham(b'S', b'R'), Some(110));
        assert_eq!(grantham(b'R', b'S'), Some(110));
        assert_eq!(grantham(b'L', b'I'), Some(5));
        assert_eq!(grantham(b'C', b'W'), Some(215));
        assert_eq!(grantham(b'D', b'E'), Some(45));
        assert_eq!(grantham(b'M', b'W'), Some(67));
        assert_eq!(grantham(b'F', b'Y'), Some(22));
        assert_eq!(grantham(b'A', b'A'), Some(0));
        assert_eq!(grantham(b'X', b'A'), None);
    }

    /// Grantham's formula with his published side-chain composition, polarity and volume
    /// (Table 1 of the paper): every table entry is within rounding of it. An independent check
    /// that no entry was mistyped.
    #[test]
    fn table_agrees_with_grantham_formula() {
        // (aa, composition c, polarity p, volume v)
        let props: [(u8, f64, f64, f64); 20] = [
            (b'S', 1.42, 9.2, 32.0),
            (b'R', 0.65, 10.5, 124.0),
            (b'L', 0.0, 4.9, 111.0),
            (b'P', 0.39, 8.0, 32.5),
            (b'T', 0.71, 8.6, 61.0),
            (b'A', 0.0, 8.1, 31.0),
            (b'V', 0.0, 5.9, 84.0),
            (b'G', 0.74, 9.0, 3.0),
            (b'I', 0.0, 5.2, 111.0),
            (b'F', 0.0, 5.2, 132.0),
            (b'Y', 0.20, 6.2, 136.0),
            (b'C', 2.75, 5.5, 55.0),
            (b'H', 0.58, 10.4, 96.0),
            (b'Q', 0.89, 10.5, 85.0),
            (b'N', 1.33, 11.6, 56.0),
            (b'K', 0.33, 11.3, 119.0),
            (b'D', 1.38, 13.0, 54.0),
            (b'E', 0.92, 12.3, 83.0),
            (b'M', 0.0, 5.7, 105.0),
            (b'W', 0.13, 5.4, 170.0),
        ];
        let (alpha, beta, gamma, rho) = (1.833, 0.1018, 0.000399, 50.723);
        let mut worst = 0.0f64;
        for a in &props {
            for b in &props {
                let d = rho
                    * (alpha * (a.1 - b.1).powi(2)
                        + beta * (a.2 - b.2).powi(2)
                        + gamma * (a.3 - b.3).powi(2))
                    .sqrt();
                let t = f64::from(grantham(a.0, b.0).unwrap());
                // The one entry of the published table that departs from the formula: Asp–Trp
                // is printed as 181, the formula gives 190.6. We keep the published value (it
                // is what Pierini & Lenz and everyone since use).
                if (a.0, b.0) == (b'D', b'W') || (a.0, b.0) == (b'W', b'D') {
                    assert!((d - 190.6).abs() < 0.1 && t == 181.0);
                    continue;
                }
                worst = worst.max((d - t).abs());
            }
        }
        // Every other entry is the formula rounded (largest difference 1.14, Glu–Asn).
        assert!(worst < 1.2, "largest difference {worst}");
    }

    #[test]
    fn divergence_by_hand() {
        // Differences at 3 of 6 positions: S→R 110, L→I 5, C→W 215 → 330/6 = 55.
        let a = b"SALCGK";
        let b = b"RAICGK";
        let b2 = b"RAIWGK";
        assert!((divergence(a, b).unwrap() - (110.0 + 5.0 + 0.0) / 6.0).abs() < 1e-12);
        let c = b"SALCGK";
        assert_eq!(divergence(a, c).unwrap(), 0.0);
        assert!((divergence(b"SALCGK", b2).unwrap() - (110.0 + 5.0 + 215.0) / 6.0).abs() < 1e-12);
        assert!(divergence(b"SA", b"S").is_err());
        assert!(divergence(b"SX", b"SA").is_err());
    }

    #[test]
    fn domain_is_found_in_full_and_exon_only_sequences() {
        let template: Vec<u8> = (0..PBD_LENGTH).map(|i| GRANTHAM_ORDER[i % 20]).collect();
        let mut full = b"MAVMAPRTLLLLLSGALALTQTWAG".to_vec();
        full.truncate(PBD_START_FULL_LENGTH);
        full.extend_from_slice(&template);
        full.extend_from_slice(b"TDAPKTH");
        assert_eq!(locate_domain(&full, &template).unwrap(), template);
        assert_eq!(locate_domain(&template, &template).unwrap(), template);
        assert!(locate_domain(&template[..100], &template).is_none());
    }
}
