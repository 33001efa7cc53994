//! Class II peptide encoding: every 9-residue binding core with its flanks, as NN-align and
//! NetMHCIIpan present a peptide to their networks (Nielsen M & Lund O, BMC Bioinformatics
//! 2009;10:296; Karosiene E et al. 2013).
//!
//! For a peptide of length L there are L - 8 candidate cores. Each is described by sparse
//! inputs (rows of the first weight layer, value 1 unless stated):
//!
//! | rows      | meaning                                                                  |
//! |-----------|--------------------------------------------------------------------------|
//! | 0–179     | core position p (0–8) × amino acid                                         |
//! | 180–199   | N-terminal peptide-flanking region: composition of up to 3 residues before the core (each 1/n) |
//! | 200–219   | C-terminal flank: composition of up to 3 residues after the core           |
//! | 220–223   | N-flank length 0, 1, 2, ≥ 3                                                |
//! | 224–227   | C-flank length 0, 1, 2, ≥ 3                                                |
//! | 228–240   | peptide length 9, 10, …, 18, 19–20, 21–25, ≥ 26                            |
//!
//! The network scores each core; the peptide's score is the best core's (the core search).

use crate::binding::encoding::{aa_index, AMINO_ACIDS};

/// Binding-core length.
pub const CORE: usize = 9;
/// Shortest and longest peptide scored.
pub const MIN_LENGTH: usize = 9;
pub const MAX_LENGTH: usize = 40;
/// Flank residues pooled on each side.
pub const FLANK: usize = 3;

const N_FLANK_ROW: usize = CORE * 20;
const C_FLANK_ROW: usize = N_FLANK_ROW + 20;
const N_LEN_ROW: usize = C_FLANK_ROW + 20;
const C_LEN_ROW: usize = N_LEN_ROW + 4;
const PEP_LEN_ROW: usize = C_LEN_ROW + 4;
const PEP_LEN_BUCKETS: usize = 13;
/// Rows of the peptide part of the first layer.
pub const PEPTIDE_INPUTS: usize = PEP_LEN_ROW + PEP_LEN_BUCKETS;

/// A peptide as amino-acid indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peptide2 {
    pub residues: Vec<u8>,
}

/// Why a peptide cannot be scored by the class II model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peptide2Error {
    Length(usize),
    Letter(char),
}

impl std::fmt::Display for Peptide2Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Peptide2Error::Length(n) => write!(
                f,
                "length {n} is outside the {MIN_LENGTH}-{MAX_LENGTH} residues the class II model scores"
            ),
            Peptide2Error::Letter(c) => write!(
                f,
                "'{c}' is not one of the 20 standard amino acids (ACDEFGHIKLMNPQRSTVWY)"
            ),
        }
    }
}

fn length_bucket(n: usize) -> usize {
    match n {
        0..=18 => n.saturating_sub(MIN_LENGTH),
        19..=20 => 10,
        21..=25 => 11,
        _ => 12,
    }
}

impl Peptide2 {
    /// # Errors
    /// A length outside 9–40 or a letter outside the 20 standard amino acids.
    pub fn new(peptide: &[u8]) -> Result<Self, Peptide2Error> {
        if !(MIN_LENGTH..=MAX_LENGTH).contains(&peptide.len()) {
            return Err(Peptide2Error::Length(peptide.len()));
        }
        let residues = peptide
            .iter()
            .map(|&c| aa_index(c).ok_or(Peptide2Error::Letter(c as char)))
            .collect::<Result<_, _>>()?;
        Ok(Self { residues })
    }

    pub fn len(&self) -> usize {
        self.residues.len()
    }

    pub fn is_empty(&self) -> bool {
        self.residues.is_empty()
    }

    /// Candidate cores (offsets 0..=L-9).
    pub fn n_cores(&self) -> usize {
        self.residues.len() + 1 - CORE
    }

    /// The core at `offset` as letters.
    pub fn core(&self, offset: usize) -> String {
        self.residues[offset..offset + CORE]
            .iter()
            .map(|&i| AMINO_ACIDS[usize::from(i)] as char)
            .collect()
    }

    /// Calls `f(row, weight)` for every active input row of the core at `offset`.
    // Always inlined so the caller's row additions compile inside its AVX2 build.
    #[inline(always)]
    pub fn for_each_input(&self, offset: usize, mut f: impl FnMut(usize, f32)) {
        let r = &self.residues;
        let n = r.len();
        for (p, &a) in r[offset..offset + CORE].iter().enumerate() {
            f(p * 20 + usize::from(a), 1.0);
        }
        let n_flank = &r[offset.saturating_sub(FLANK)..offset];
        let c_flank = &r[offset + CORE..(offset + CORE + FLANK).min(n)];
        for (flank, row) in [(n_flank, N_FLANK_ROW), (c_flank, C_FLANK_ROW)] {
            if !flank.is_empty() {
                let w = 1.0 / flank.len() as f32;
                for &a in flank {
                    f(row + usize::from(a), w);
                }
            }
        }
        f(N_LEN_ROW + offset.min(FLANK), 1.0);
        f(C_LEN_ROW + (n - offset - CORE).min(FLANK), 1.0);
        f(PEP_LEN_ROW + length_bucket(n), 1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_a_core_with_flanks() {
        // 12-mer, core at offset 2: N flank "AC" (2 residues), C flank "K" (1 residue).
        let p = Peptide2::new(b"ACDEFGHIKLMK").unwrap();
        assert_eq!(p.n_cores(), 4);
        assert_eq!(p.core(2), "DEFGHIKLM");
        let mut rows = Vec::new();
        p.for_each_input(2, |r, w| rows.push((r, w)));
        let d = usize::from(aa_index(b'D').unwrap());
        assert_eq!(rows[0], (d, 1.0));
        // N flank: A and C at weight 1/2.
        assert!(rows.contains(&(180, 0.5)) && rows.contains(&(181, 0.5)));
        // C flank: K alone at weight 1.
        assert!(rows.contains(&(200 + usize::from(aa_index(b'K').unwrap()), 1.0)));
        // Flank lengths 2 and 1; peptide length 12 -> bucket 3.
        assert!(rows.contains(&(222, 1.0)) && rows.contains(&(225, 1.0)));
        assert_eq!(*rows.last().unwrap(), (228 + 3, 1.0));
        assert_eq!(rows.len(), 9 + 2 + 1 + 3);
        assert!(rows.iter().all(|&(r, _)| r < PEPTIDE_INPUTS));
    }

    #[test]
    fn bad_peptides_are_refused() {
        assert_eq!(Peptide2::new(b"ACDEFGHI"), Err(Peptide2Error::Length(8)));
        assert_eq!(Peptide2::new(b"ACDEFGHIX"), Err(Peptide2Error::Letter('X')));
        let long = vec![b'A'; 41];
        assert!(Peptide2::new(&long).is_err());
        let mut rows = 0;
        Peptide2::new(&[b'A'; 40])
            .unwrap()
            .for_each_input(31, |r, _| {
                assert!(r < PEPTIDE_INPUTS);
                rows += 1;
            });
        assert_eq!(rows, 9 + 3 + 3);
    }
}
