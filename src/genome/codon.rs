//! The standard genetic code, translation, and reverse complement.

/// Amino acids of the standard code, codons ordered TCAG × TCAG × TCAG.
const STANDARD: &[u8; 64] = b"FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG";

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
                let aa = STANDARD[i * 16 + j * 4 + k];
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

pub fn complement(b: u8) -> u8 {
    match b {
        b'A' => b'T',
        b'C' => b'G',
        b'G' => b'C',
        b'T' => b'A',
        b'a' => b't',
        b'c' => b'g',
        b'g' => b'c',
        b't' => b'a',
        other => other,
    }
}

pub fn reverse_complement(seq: &[u8]) -> Vec<u8> {
    seq.iter().rev().map(|&b| complement(b)).collect()
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
    fn reverse_complements() {
        assert_eq!(reverse_complement(b"AACGTN"), b"NACGTT");
    }
}
