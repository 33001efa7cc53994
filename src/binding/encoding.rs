//! Amino-acid alphabet, peptide layout and the residue encodings the model uses.
//!
//! Peptides of 8–11 residues are laid out MHCflurry-style as 4 residues from the N terminus,
//! 4 from the C terminus and the middle residues (0 for 8-mers, 3 for 11-mers) pooled into one
//! averaged slot, so one set of weights serves every length and the anchor positions (P2 and
//! PΩ) keep their meaning whatever the length.

/// The 20 standard amino acids, in the order the model's weights use.
pub const AMINO_ACIDS: &[u8; 20] = b"ACDEFGHIKLMNPQRSTVWY";

/// Peptide lengths the model scores.
pub const MIN_LENGTH: usize = 8;
pub const MAX_LENGTH: usize = 11;
pub const N_LENGTHS: usize = MAX_LENGTH - MIN_LENGTH + 1;

/// Peptide slots: N1..N4, middle pool, C4..C1 (C1 = last residue).
pub const N_SLOTS: usize = 9;
const MIDDLE_SLOT: usize = 4;

/// Pseudo-sequence length (NetMHCpan contact residues).
pub const PSEUDO_LEN: usize = 34;

/// Index of an amino-acid letter (either case) in [`AMINO_ACIDS`].
pub fn aa_index(letter: u8) -> Option<u8> {
    const TABLE: [u8; 256] = {
        let mut t = [u8::MAX; 256];
        let mut i = 0;
        while i < 20 {
            t[AMINO_ACIDS[i] as usize] = i as u8;
            t[AMINO_ACIDS[i].to_ascii_lowercase() as usize] = i as u8;
            i += 1;
        }
        t
    };
    let v = TABLE[letter as usize];
    (v != u8::MAX).then_some(v)
}

/// A peptide encoded for the model: one amino-acid index per fixed slot, the middle residues,
/// and the length index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodedPeptide {
    /// Amino-acid index for slots N1..N4 and C4..C1 (the middle slot entry is unused).
    pub slots: [u8; N_SLOTS],
    /// Middle residues (up to 3), `n_middle` of them valid.
    pub middle: [u8; 3],
    pub n_middle: u8,
    /// `length - MIN_LENGTH`.
    pub length_index: u8,
}

/// Why a peptide cannot be scored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeptideError {
    Length(usize),
    Letter(char),
}

impl std::fmt::Display for PeptideError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PeptideError::Length(n) => write!(
                f,
                "length {n} is outside the {MIN_LENGTH}-{MAX_LENGTH} residues the model scores"
            ),
            PeptideError::Letter(c) => write!(
                f,
                "'{c}' is not one of the 20 standard amino acids (ACDEFGHIKLMNPQRSTVWY)"
            ),
        }
    }
}

impl EncodedPeptide {
    /// # Errors
    /// A length outside 8–11 or a letter outside the 20 standard amino acids.
    pub fn new(peptide: &[u8]) -> Result<Self, PeptideError> {
        let n = peptide.len();
        if !(MIN_LENGTH..=MAX_LENGTH).contains(&n) {
            return Err(PeptideError::Length(n));
        }
        let mut idx = [0u8; MAX_LENGTH];
        for (i, &c) in peptide.iter().enumerate() {
            idx[i] = aa_index(c).ok_or(PeptideError::Letter(c as char))?;
        }
        let mut slots = [0u8; N_SLOTS];
        slots[..4].copy_from_slice(&idx[..4]);
        slots[MIDDLE_SLOT + 1..].copy_from_slice(&idx[n - 4..n]);
        let n_middle = n - 8;
        let mut middle = [0u8; 3];
        middle[..n_middle].copy_from_slice(&idx[4..4 + n_middle]);
        Ok(Self {
            slots,
            middle,
            n_middle: n_middle as u8,
            length_index: (n - MIN_LENGTH) as u8,
        })
    }

    /// Calls `f(row, weight)` for every active input row of the peptide part of the first
    /// layer: rows are `slot * 20 + aa` for the 9 slots, then `N_SLOTS * 20 + length_index`.
    #[inline]
    pub fn for_each_input(&self, mut f: impl FnMut(usize, f32)) {
        self.for_each_residue_input(&mut f);
        f(LENGTH_ROW + usize::from(self.length_index), 1.0);
    }

    /// Like [`Self::for_each_input`] without the length row (inference folds it into the
    /// allele's per-length base).
    // Always inlined so the caller's row additions compile inside its AVX2 build.
    #[inline(always)]
    pub fn for_each_residue_input(&self, mut f: impl FnMut(usize, f32)) {
        for s in 0..N_SLOTS {
            if s == MIDDLE_SLOT {
                if self.n_middle > 0 {
                    let w = 1.0 / f32::from(self.n_middle);
                    for &m in &self.middle[..usize::from(self.n_middle)] {
                        f(MIDDLE_SLOT * 20 + usize::from(m), w);
                    }
                }
            } else {
                f(s * 20 + usize::from(self.slots[s]), 1.0);
            }
        }
    }
}

/// Most residue rows a peptide activates: the eight terminal slots plus up to three middle
/// residues.
pub const MAX_PEPTIDE_ROWS: usize = N_SLOTS - 1 + 3;

/// First row of the length one-hot in the peptide part of the first layer.
pub const LENGTH_ROW: usize = N_SLOTS * 20;

/// Rows of the peptide part of the first layer.
pub const PEPTIDE_INPUTS: usize = N_SLOTS * 20 + N_LENGTHS;
/// Columns of the allele encoding: BLOSUM62 row (20 values) per pseudo-sequence residue.
pub const ALLELE_INPUTS: usize = PSEUDO_LEN * 20;

/// BLOSUM62 (Henikoff & Henikoff 1992) score of two amino-acid indices, from rust-bio's table.
pub fn blosum62(a: u8, b: u8) -> i32 {
    bio::scores::blosum62(AMINO_ACIDS[usize::from(a)], AMINO_ACIDS[usize::from(b)])
}

/// The allele's pseudo-sequence as model input: each residue's BLOSUM62 row scaled by 1/4
/// (similar pocket residues get similar inputs, so alleles without data borrow from their
/// neighbours). Unknown letters (`X`, gaps) encode as zeros.
pub fn encode_pseudo(pseudo: &[u8]) -> Vec<f32> {
    let mut out = vec![0f32; ALLELE_INPUTS];
    for (j, &c) in pseudo.iter().take(PSEUDO_LEN).enumerate() {
        if let Some(a) = aa_index(c) {
            for b in 0..20u8 {
                out[j * 20 + usize::from(b)] = blosum62(a, b) as f32 / 4.0;
            }
        }
    }
    out
}

/// Amino-acid composition of random peptides (tests, benchmarks, training checks): the
/// composition of
/// UniProtKB/Swiss-Prot as published in its release statistics (per cent), in [`AMINO_ACIDS`] order.
pub const BACKGROUND_PERCENT: [f64; 20] = [
    8.25, 1.37, 5.45, 6.75, 3.86, 7.07, 2.27, 5.96, 5.84, 9.66, 2.42, 4.06, 4.70, 3.93, 5.53, 6.56,
    5.34, 6.87, 1.08, 2.92,
];

/// SplitMix64: a small, fully specified generator, so training and calibration are
/// reproducible without depending on another crate's stream stability.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_f64() * n as f64) as usize
    }
}

/// `n` random peptides of `length` residues drawn from [`BACKGROUND_PERCENT`], the same for a
/// given `(length, seed)` on every machine.
pub fn random_peptides(length: usize, n: usize, seed: u64) -> Vec<Vec<u8>> {
    let total: f64 = BACKGROUND_PERCENT.iter().sum();
    let mut cumulative = [0f64; 20];
    let mut acc = 0.0;
    for (c, p) in cumulative.iter_mut().zip(BACKGROUND_PERCENT) {
        acc += p / total;
        *c = acc;
    }
    let mut rng = SplitMix64::new(seed ^ (length as u64).wrapping_mul(0x1000_0000_01B3));
    (0..n)
        .map(|_| {
            (0..length)
                .map(|_| {
                    let u = rng.next_f64();
                    let i = cumulative.iter().position(|&c| u < c).unwrap_or(19);
                    AMINO_ACIDS[i]
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blosum_is_symmetric_with_published_values() {
        for i in 0..20 {
            for j in 0..20 {
                assert_eq!(blosum62(i, j), blosum62(j, i), "{i},{j}");
            }
        }
        // Spot values from the published table (Henikoff & Henikoff 1992).
        let s = |a: u8, b: u8| blosum62(aa_index(a).unwrap(), aa_index(b).unwrap());
        assert_eq!(s(b'W', b'W'), 11);
        assert_eq!(s(b'I', b'V'), 3);
        assert_eq!(s(b'C', b'C'), 9);
        assert_eq!(s(b'W', b'D'), -4);
        assert_eq!(s(b'A', b'S'), 1);
    }

    #[test]
    fn layout_keeps_anchors_for_every_length() {
        // P2 = L and PΩ = V whatever the length.
        for p in ["ALGGGGGV", "ALGGGGGGV", "ALGGGGGGGV", "ALGGGGGGGGV"] {
            let e = EncodedPeptide::new(p.as_bytes()).unwrap();
            assert_eq!(e.slots[1], aa_index(b'L').unwrap());
            assert_eq!(e.slots[8], aa_index(b'V').unwrap());
            assert_eq!(usize::from(e.n_middle), p.len() - 8);
        }
        let e = EncodedPeptide::new(b"nlvpmvatv").unwrap();
        assert_eq!(e.middle[0], aa_index(b'M').unwrap());
    }

    #[test]
    fn rejects_bad_peptides() {
        assert_eq!(
            EncodedPeptide::new(b"SIINFEK"),
            Err(PeptideError::Length(7))
        );
        assert_eq!(
            EncodedPeptide::new(b"SIINFEKXL"),
            Err(PeptideError::Letter('X'))
        );
    }

    #[test]
    fn background_sums_to_about_100_and_sampling_follows_it() {
        let total: f64 = BACKGROUND_PERCENT.iter().sum();
        assert!((total - 100.0).abs() < 0.5, "{total}");
        let peps = random_peptides(9, 20_000, 7);
        let leu = peps.iter().flatten().filter(|&&c| c == b'L').count() as f64 / 180_000.0;
        assert!((leu - 0.0966).abs() < 0.005, "{leu}");
        assert_eq!(peps, random_peptides(9, 20_000, 7));
    }
}
