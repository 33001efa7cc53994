//! Genetic codes (NCBI tables 1 and 2), translation, and reverse complement.

use serde::Serialize;

/// Amino acids of the standard code (NCBI table 1), codons ordered TCAG × TCAG × TCAG.
const STANDARD: &[u8; 64] = b"FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG";
/// The vertebrate mitochondrial code (NCBI table 2): TGA is Trp, ATA is Met, AGA and AGG stop.
const VERTEBRATE_MITOCHONDRIAL: &[u8; 64] =
    b"FFLLSSSSYY**CCWWLLLLPPPPHHQQRRRRIIMMTTTTNNKKSS**VVVVAAAADDEEGGGG";

/// The genetic code a transcript is translated with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum GeneticCode {
    /// NCBI table 1 (also used for table 11, which differs only in start codons).
    #[default]
    Standard,
    /// NCBI table 2, for transcripts on the human (vertebrate) mitochondrial genome.
    VertebrateMitochondrial,
}

impl GeneticCode {
    /// The code of an NCBI `transl_table` number, `None` for tables we do not carry.
    pub fn from_ncbi_table(n: u32) -> Option<Self> {
        match n {
            1 | 11 => Some(Self::Standard),
            2 => Some(Self::VertebrateMitochondrial),
            _ => None,
        }
    }

    /// The code for transcripts of a contig without a `transl_table`: table 2 for the
    /// mitochondrial genome (`chrM`, `MT`, `M`, `chrMT`), else the standard code.
    pub fn for_contig(name: &str) -> Self {
        let bare = name.strip_prefix("chr").unwrap_or(name);
        if bare.eq_ignore_ascii_case("M") || bare.eq_ignore_ascii_case("MT") {
            Self::VertebrateMitochondrial
        } else {
            Self::Standard
        }
    }

    pub fn ncbi_table(self) -> u32 {
        match self {
            Self::Standard => 1,
            Self::VertebrateMitochondrial => 2,
        }
    }

    fn table(self) -> &'static [u8; 64] {
        match self {
            Self::Standard => STANDARD,
            Self::VertebrateMitochondrial => VERTEBRATE_MITOCHONDRIAL,
        }
    }

    /// Whether `codon` may start a CDS: ATG for the standard code; ATG, ATA, ATT, ATC and GTG
    /// for table 2 (NCBI's start codons of the vertebrate mitochondrial code).
    pub fn is_start(self, codon: &[u8]) -> bool {
        let c = codon.to_ascii_uppercase();
        match self {
            Self::Standard => c == b"ATG",
            Self::VertebrateMitochondrial => {
                matches!(&c[..], b"ATG" | b"ATA" | b"ATT" | b"ATC" | b"GTG")
            }
        }
    }

    /// One codon to its amino acid (`*` for stop); see [`translate_codon`].
    pub fn translate_codon(self, codon: &[u8]) -> u8 {
        translate_codon_in(self.table(), codon)
    }

    /// Whole codons translated with this code; a trailing partial codon is dropped.
    pub fn translate(self, seq: &[u8]) -> Vec<u8> {
        seq.chunks_exact(3)
            .map(|c| translate_codon_in(self.table(), c))
            .collect()
    }
}

fn base_index(b: u8) -> Option<usize> {
    match b {
        b'T' | b't' | b'U' | b'u' => Some(0),
        b'C' | b'c' => Some(1),
        b'A' | b'a' => Some(2),
        b'G' | b'g' => Some(3),
        _ => None,
    }
}

/// One codon to its amino acid (`*` for stop). A codon with ambiguous bases translates when every
/// reading of it gives the same amino acid (`CTN` is `L`, as BioPerl does), else to `X`.
pub fn translate_codon(codon: &[u8]) -> u8 {
    translate_codon_in(STANDARD, codon)
}

fn translate_codon_in(table: &[u8; 64], codon: &[u8]) -> u8 {
    if codon.len() != 3 {
        return b'X';
    }
    let mut result: Option<u8> = None;
    let options = |b: u8| -> &'static [usize] {
        match base_index(b) {
            Some(0) => &[0],
            Some(1) => &[1],
            Some(2) => &[2],
            Some(3) => &[3],
            _ => &[0, 1, 2, 3],
        }
    };
    for &i in options(codon[0]) {
        for &j in options(codon[1]) {
            for &k in options(codon[2]) {
                let aa = table[i * 16 + j * 4 + k];
                match result {
                    None => result = Some(aa),
                    Some(prev) if prev != aa => return b'X',
                    Some(_) => {}
                }
            }
        }
    }
    result.unwrap_or(b'X')
}

/// Translates whole codons; a trailing partial codon is dropped (BioPerl's default, which the
/// VEP plugins rely on).
pub fn translate(seq: &[u8]) -> Vec<u8> {
    seq.chunks_exact(3).map(translate_codon).collect()
}

/// The complementary base (rust-bio's IUPAC table: `R`↔`Y`, `N`→`N`; case kept; other bytes
/// unchanged).
pub fn complement(b: u8) -> u8 {
    bio::alphabets::dna::complement(b)
}

/// The reverse complement (rust-bio's, IUPAC codes included).
pub fn reverse_complement(seq: &[u8]) -> Vec<u8> {
    bio::alphabets::dna::revcomp(seq)
}

/// One-letter amino acid to HGVS three-letter code (`*` is `Ter`).
pub fn three_letter(aa: u8) -> &'static str {
    match aa {
        b'A' => "Ala",
        b'R' => "Arg",
        b'N' => "Asn",
        b'D' => "Asp",
        b'C' => "Cys",
        b'Q' => "Gln",
        b'E' => "Glu",
        b'G' => "Gly",
        b'H' => "His",
        b'I' => "Ile",
        b'L' => "Leu",
        b'K' => "Lys",
        b'M' => "Met",
        b'F' => "Phe",
        b'P' => "Pro",
        b'S' => "Ser",
        b'T' => "Thr",
        b'W' => "Trp",
        b'Y' => "Tyr",
        b'V' => "Val",
        b'U' => "Sec",
        b'O' => "Pyl",
        b'*' => "Ter",
        _ => "Xaa",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_code() {
        assert_eq!(translate(b"ATGTGGTAATAGTGA"), b"MW***");
        assert_eq!(translate_codon(b"GCN"), b'A');
        assert_eq!(translate_codon(b"CTN"), b'L');
        assert_eq!(translate_codon(b"NNN"), b'X');
        assert_eq!(translate_codon(b"AGN"), b'X');
        assert_eq!(translate(b"ATGGG"), b"M");
    }

    #[test]
    fn vertebrate_mitochondrial_code() {
        // NCBI table 2 differs from table 1 at exactly four codons.
        let mt = GeneticCode::VertebrateMitochondrial;
        assert_eq!(mt.translate(b"TGAAGAAGGATAATG"), b"W**MM");
        assert_eq!(
            GeneticCode::Standard.translate(b"TGAAGAAGGATAATG"),
            b"*RRIM"
        );
        let differing = (0..64)
            .filter(|&i| STANDARD[i] != VERTEBRATE_MITOCHONDRIAL[i])
            .count();
        assert_eq!(differing, 4);
        // Ambiguous codons: ATN reads I or M in table 2 (X), TGN W, C or W (X), CTN is L.
        assert_eq!(mt.translate_codon(b"ATN"), b'X');
        assert_eq!(mt.translate_codon(b"CTN"), b'L');
        assert_eq!(GeneticCode::for_contig("chrM"), mt);
        assert_eq!(GeneticCode::for_contig("MT"), mt);
        assert_eq!(GeneticCode::for_contig("chr1"), GeneticCode::Standard);
        assert_eq!(GeneticCode::from_ncbi_table(2), Some(mt));
        assert_eq!(GeneticCode::from_ncbi_table(5), None);
        assert!(mt.is_start(b"ATA") && !GeneticCode::Standard.is_start(b"ATA"));
    }

    #[test]
    fn reverse_complements() {
        assert_eq!(reverse_complement(b"AACGTN"), b"NACGTT");
        // IUPAC codes complement too (R = A/G pairs with Y = C/T); case is kept.
        assert_eq!(reverse_complement(b"acR"), b"Ygt");
        assert_eq!(complement(b'-'), b'-');
    }
}
