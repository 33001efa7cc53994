//! The pan-specific class II network, its molecule table and on-disk format.
//!
//! Each network scores one core (with its flanks, see [`super::encoding`]) against one
//! molecule's pseudo-sequence:
//!
//! ```text
//! h1 = ReLU(W_pep · x(core, flanks, lengths) + W_mhc · BLOSUM(pseudo-sequence) + b1)
//! h2 = ReLU(W2 · h1 + b2)
//! s  = sigmoid(w3 · h2 + b3)        s = 1 - ln(IC50)/ln(50000)
//! ```
//!
//! The ensemble's score of a peptide is the mean over networks of each network's best-core
//! score (as NetMHCIIpan); the reported binding core is the one most networks choose.
//!
//! File format (little-endian), version 1:
//!
//! ```text
//! magic "IMPBND2\0" | u32 version | u32 n_networks | u32 hidden1 | u32 hidden2
//! | u32 peptide_inputs | u32 allele_inputs
//! | per network: f32 w_pep, w_mhc, b1, w2, b2, w3, b3
//! | u32 n_molecules | per molecule: u8 name_len, name (HLA-DRA*01:01/DRB1*01:01),
//!                                   u32 training measurements
//! | u32 provenance_len | provenance (UTF-8 JSON) | u64 FNV-1a of every preceding byte
//! ```
//!
//! No pseudo-sequence is stored (see [`super::pseudo`] on the licence).

use crate::binding::class2::allele::Class2Molecule;
use crate::binding::class2::encoding::{Peptide2, PEPTIDE_INPUTS};
use crate::binding::encoding::{encode_pseudo, ALLELE_INPUTS};
use crate::binding::kernel;
use crate::binding::model::{fnv1a, sigmoid, Reader};

pub const MAGIC: &[u8; 8] = b"IMPBND2\0";
pub const FORMAT_VERSION: u32 = 1;

/// One network (layout in the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Net2 {
    pub hidden1: usize,
    pub hidden2: usize,
    pub w_pep: Vec<f32>,
    pub w_mhc: Vec<f32>,
    pub b1: Vec<f32>,
    /// `hidden2` rows of `hidden1`.
    pub w2: Vec<f32>,
    pub b2: Vec<f32>,
    pub w3: Vec<f32>,
    pub b3: f32,
    /// `w2` transposed, derived by [`Net2::finish`].
    w2t: Vec<f32>,
}

impl Net2 {
    pub fn zeros(hidden1: usize, hidden2: usize) -> Self {
        Self {
            hidden1,
            hidden2,
            w_pep: vec![0.0; PEPTIDE_INPUTS * hidden1],
            w_mhc: vec![0.0; ALLELE_INPUTS * hidden1],
            b1: vec![0.0; hidden1],
            w2: vec![0.0; hidden2 * hidden1],
            b2: vec![0.0; hidden2],
            w3: vec![0.0; hidden2],
            b3: 0.0,
            w2t: Vec::new(),
        }
    }

    /// Derives the inference-only transposed `w2`; call after setting the weights.
    pub fn finish(&mut self) {
        let (h1, h2) = (self.hidden1, self.hidden2);
        self.w2t = vec![0.0; h1 * h2];
        for k in 0..h2 {
            for j in 0..h1 {
                self.w2t[j * h2 + k] = self.w2[k * h1 + j];
            }
        }
    }

    /// `b1 + W_mhc · x` for an encoded pseudo-sequence.
    pub fn projection(&self, mhc_input: &[f32]) -> Vec<f32> {
        let h = self.hidden1;
        let mut out = self.b1.clone();
        for (i, &x) in mhc_input.iter().enumerate() {
            if x != 0.0 {
                for (o, w) in out.iter_mut().zip(&self.w_mhc[i * h..(i + 1) * h]) {
                    *o += x * w;
                }
            }
        }
        out
    }

    /// Score in [0, 1] of the core at `offset`.
    pub fn score_core(
        &self,
        projection: &[f32],
        pep: &Peptide2,
        offset: usize,
        h1: &mut [f32],
        h2: &mut [f32],
    ) -> f32 {
        self.score_core_k::<false>(projection, pep, offset, h1, h2)
    }

    /// [`Self::score_core`]; `AVX2` (true only inside a function compiled for AVX2, entered
    /// after detecting it) runs the second layer in intrinsics with the same bits.
    #[inline(always)]
    fn score_core_k<const AVX2: bool>(
        &self,
        projection: &[f32],
        pep: &Peptide2,
        offset: usize,
        h1: &mut [f32],
        h2: &mut [f32],
    ) -> f32 {
        let h = self.hidden1;
        h1.copy_from_slice(projection);
        pep.for_each_input(offset, |row, x| {
            let w = &self.w_pep[row * h..(row + 1) * h];
            for (a, b) in h1.iter_mut().zip(w) {
                *a += x * b;
            }
        });
        match self.hidden2 {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: AVX2 is true only on the path entered after detecting AVX2.
            32 if AVX2 => unsafe {
                kernel::avx2::dense_relu_in_order::<4>(h1, &self.w2t, &self.b2, h2)
            },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            16 if AVX2 => unsafe {
                kernel::avx2::dense_relu_in_order::<2>(h1, &self.w2t, &self.b2, h2)
            },
            _ => kernel::dense_relu_in_order(h1, &self.w2t, &self.b2, h2),
        }
        let z: f32 = h2
            .iter()
            .zip(&self.w3)
            .map(|(a, w)| a.max(0.0) * w)
            .sum::<f32>()
            + self.b3;
        sigmoid(z)
    }
}

/// A molecule the model was trained on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoleculeRecord {
    pub molecule: Class2Molecule,
    pub measurements: u32,
}

/// The ensemble, the training molecules and provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Model2 {
    pub networks: Vec<Net2>,
    /// Sorted by molecule.
    pub molecules: Vec<MoleculeRecord>,
    pub provenance: String,
}

/// A peptide's best core and score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoreScore {
    pub score: f32,
    /// Offset of the 9-residue core in the peptide (0-based).
    pub offset: usize,
}

/// One molecule's first-layer terms, computed once per molecule.
#[derive(Debug, Clone, PartialEq)]
pub struct Projections2 {
    terms: Vec<Vec<f32>>,
    /// Per network, its core register minus the first network's (see
    /// [`Projections2::align_registers`]); zero until aligned.
    shifts: Vec<i32>,
}

impl Projections2 {
    pub fn new(model: &Model2, pseudo: &[u8]) -> Self {
        let x = encode_pseudo(pseudo);
        let terms: Vec<Vec<f32>> = model.networks.iter().map(|n| n.projection(&x)).collect();
        let shifts = vec![0; terms.len()];
        Self { terms, shifts }
    }

    /// Each network's best core offset for `pep`.
    fn best_offsets(&self, model: &Model2, pep: &Peptide2) -> Vec<(f32, usize)> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            return unsafe { self.best_offsets_avx2(model, pep) };
        }
        self.best_offsets_k::<false>(model, pep)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn best_offsets_avx2(&self, model: &Model2, pep: &Peptide2) -> Vec<(f32, usize)> {
        self.best_offsets_k::<true>(model, pep)
    }

    #[inline(always)]
    fn best_offsets_k<const AVX2: bool>(
        &self,
        model: &Model2,
        pep: &Peptide2,
    ) -> Vec<(f32, usize)> {
        let mut h1 = [0f32; 256];
        let mut h2 = [0f32; 256];
        model
            .networks
            .iter()
            .zip(&self.terms)
            .map(|(net, proj)| {
                let (a, b) = (&mut h1[..net.hidden1], &mut h2[..net.hidden2]);
                let mut best = (f32::MIN, 0usize);
                for c in 0..pep.n_cores() {
                    let s = net.score_core_k::<AVX2>(proj, pep, c, a, b);
                    if s > best.0 {
                        best = (s, c);
                    }
                }
                best
            })
            .collect()
    }

    /// Networks of an ensemble can learn the same motif one register apart (the P1 pocket
    /// read as P2): the score is unaffected, the reported core is not. As NetMHCIIpan-3.2's
    /// core-offset correction, each network's register is aligned with the first network's:
    /// its shift is the most common difference of best-core offsets over the peptides (the
    /// molecule's calibration peptides) that the first network scores in its top tenth.
    pub fn align_registers(&mut self, model: &Model2, peptides: &[Peptide2]) {
        let offsets: Vec<Vec<(f32, usize)>> = peptides
            .iter()
            .map(|p| self.best_offsets(model, p))
            .collect();
        let mut first: Vec<f32> = offsets
            .iter()
            .filter_map(|o| o.first())
            .map(|o| o.0)
            .collect();
        if first.is_empty() {
            return;
        }
        first.sort_by(f32::total_cmp);
        let cut = first[first.len() * 9 / 10];
        for k in 1..self.shifts.len() {
            // Differences -4..=4 (a 9-residue core cannot be shifted further and stay a motif).
            let mut counts = [0u32; 9];
            for o in offsets.iter().filter(|o| o[0].0 >= cut) {
                let d = o[k].1 as i32 - o[0].1 as i32;
                if (-4..=4).contains(&d) {
                    counts[(d + 4) as usize] += 1;
                }
            }
            // Ties go to the smallest shift (0 first), so an unclear network is left alone.
            let mut best = (0u32, 0i32);
            for d in [0, -1, 1, -2, 2, -3, 3, -4, 4] {
                let c = counts[(d + 4) as usize];
                if c > best.0 {
                    best = (c, d);
                }
            }
            self.shifts[k] = best.1;
        }
    }

    /// The peptide's ensemble score and binding core (see [`Combine::MeanOfBest`]).
    pub fn score(&self, model: &Model2, pep: &Peptide2) -> CoreScore {
        self.score_with(model, pep, model.networks.len(), Combine::MeanOfBest)
    }

    /// Scores `pep` with the first `n_networks` networks combined by `rule`.
    pub fn score_with(
        &self,
        model: &Model2,
        pep: &Peptide2,
        n_networks: usize,
        rule: Combine,
    ) -> CoreScore {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above). The AVX2 build gives the
            // same bits: element-wise adds and multiplies in the same order, no fused
            // multiply-add.
            return unsafe { self.score_with_avx2(model, pep, n_networks, rule) };
        }
        self.score_with_k::<false>(model, pep, n_networks, rule)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn score_with_avx2(
        &self,
        model: &Model2,
        pep: &Peptide2,
        n_networks: usize,
        rule: Combine,
    ) -> CoreScore {
        self.score_with_k::<true>(model, pep, n_networks, rule)
    }

    #[inline(always)]
    fn score_with_k<const AVX2: bool>(
        &self,
        model: &Model2,
        pep: &Peptide2,
        n_networks: usize,
        rule: Combine,
    ) -> CoreScore {
        let n_cores = pep.n_cores();
        let mut sum_core = [0f32; 32];
        let mut votes = [0u32; 32];
        let mut sum_best = 0f32;
        let mut per_core = [0f32; 32];
        let mut h1 = [0f32; 256];
        let mut h2 = [0f32; 256];
        let n = n_networks.min(model.networks.len());
        for ((net, proj), &shift) in model
            .networks
            .iter()
            .zip(&self.terms)
            .zip(&self.shifts)
            .take(n)
        {
            let (a, b) = (&mut h1[..net.hidden1], &mut h2[..net.hidden2]);
            let mut best = (f32::MIN, 0usize);
            for (c, o) in per_core[..n_cores].iter_mut().enumerate() {
                *o = net.score_core_k::<AVX2>(proj, pep, c, a, b);
                if *o > best.0 {
                    best = (*o, c);
                }
            }
            for (t, s) in sum_core.iter_mut().zip(&per_core[..n_cores]) {
                *t += s;
            }
            // The network's register, moved onto the first network's.
            let aligned = (best.1 as i32 - shift).clamp(0, n_cores as i32 - 1) as usize;
            votes[aligned] += 1;
            sum_best += best.0;
        }
        let mut best = CoreScore {
            score: f32::MIN,
            offset: 0,
        };
        match rule {
            Combine::BestOfMean => {
                for (c, &s) in sum_core[..n_cores].iter().enumerate() {
                    if s > best.score {
                        best = CoreScore {
                            score: s,
                            offset: c,
                        };
                    }
                }
            }
            Combine::MeanOfBest => {
                let mut key = (0u32, f32::MIN);
                for c in 0..n_cores {
                    if (votes[c], sum_core[c]) > key {
                        key = (votes[c], sum_core[c]);
                        best.offset = c;
                    }
                }
                best.score = sum_best;
            }
        }
        best.score /= n.max(1) as f32;
        best
    }
}

/// How the ensemble's networks are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// Mean over networks of each network's best-core score (NetMHCIIpan); the binding core is
    /// the offset most networks choose (ties: the higher summed score, then the first). Networks
    /// that learned the motif one register apart still agree on the score.
    MeanOfBest,
    /// The best core of the networks' mean per-core score.
    BestOfMean,
}

impl Model2 {
    pub fn molecule_index(&self, m: &Class2Molecule) -> Option<usize> {
        self.molecules.binary_search_by(|r| r.molecule.cmp(m)).ok()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(MAGIC);
        let (h1, h2) = self
            .networks
            .first()
            .map_or((0, 0), |n| (n.hidden1, n.hidden2));
        for v in [
            FORMAT_VERSION,
            self.networks.len() as u32,
            h1 as u32,
            h2 as u32,
            PEPTIDE_INPUTS as u32,
            ALLELE_INPUTS as u32,
        ] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        for n in &self.networks {
            for arr in [&n.w_pep, &n.w_mhc, &n.b1, &n.w2, &n.b2, &n.w3] {
                for v in arr.iter() {
                    b.extend_from_slice(&v.to_le_bytes());
                }
            }
            b.extend_from_slice(&n.b3.to_le_bytes());
        }
        b.extend_from_slice(&(self.molecules.len() as u32).to_le_bytes());
        for m in &self.molecules {
            let name = m.molecule.to_string();
            b.push(name.len() as u8);
            b.extend_from_slice(name.as_bytes());
            b.extend_from_slice(&m.measurements.to_le_bytes());
        }
        b.extend_from_slice(&(self.provenance.len() as u32).to_le_bytes());
        b.extend_from_slice(self.provenance.as_bytes());
        let sum = fnv1a(&b);
        b.extend_from_slice(&sum.to_le_bytes());
        b
    }

    /// # Errors
    /// Not a class II model file, another version, truncated or corrupted.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        if bytes.len() < 16 || &bytes[..8] != MAGIC {
            return Err("not an immunoprofile class II binding model (bad magic)".into());
        }
        let (body, tail) = bytes.split_at(bytes.len() - 8);
        let sum = u64::from_le_bytes(tail.try_into().map_err(|_| "truncated")?);
        if fnv1a(body) != sum {
            return Err("class II binding model checksum mismatch (corrupted file)".into());
        }
        let mut r = Reader { b: body, pos: 8 };
        let version = r.u32()?;
        if version != FORMAT_VERSION {
            return Err(format!(
                "class II binding model format version {version}, this build reads {FORMAT_VERSION}"
            ));
        }
        let n_networks = r.u32()? as usize;
        let h1 = r.u32()? as usize;
        let h2 = r.u32()? as usize;
        let (pi, ai) = (r.u32()? as usize, r.u32()? as usize);
        if pi != PEPTIDE_INPUTS || ai != ALLELE_INPUTS || h1 == 0 || h1 > 256 || h2 == 0 || h2 > 256
        {
            return Err(format!(
                "class II binding model sizes {pi}/{ai}/{h1}/{h2} do not match this build"
            ));
        }
        let mut networks = Vec::with_capacity(n_networks);
        for _ in 0..n_networks {
            let mut n = Net2::zeros(h1, h2);
            for arr in [
                &mut n.w_pep,
                &mut n.w_mhc,
                &mut n.b1,
                &mut n.w2,
                &mut n.b2,
                &mut n.w3,
            ] {
                for v in arr.iter_mut() {
                    *v = r.f32()?;
                }
            }
            n.b3 = r.f32()?;
            n.finish();
            networks.push(n);
        }
        let n_mol = r.u32()? as usize;
        let mut molecules = Vec::with_capacity(n_mol.min(10_000));
        for _ in 0..n_mol {
            let len = usize::from(r.take(1)?[0]);
            let name = std::str::from_utf8(r.take(len)?).map_err(|_| "molecule name not UTF-8")?;
            let molecule = Class2Molecule::parse(name)?;
            let measurements = r.u32()?;
            molecules.push(MoleculeRecord {
                molecule,
                measurements,
            });
        }
        let plen = r.u32()? as usize;
        let provenance =
            String::from_utf8(r.take(plen)?.to_vec()).map_err(|_| "provenance not UTF-8")?;
        if r.pos != body.len() {
            return Err("trailing bytes in class II binding model".into());
        }
        if !molecules.windows(2).all(|w| w[0].molecule < w[1].molecule) {
            return Err("class II binding model molecule table not sorted".into());
        }
        Ok(Self {
            networks,
            molecules,
            provenance,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> Model2 {
        let mut n = Net2::zeros(2, 1);
        // Unit 0 fires for W at core position 0 (row 0*20 + index of W = 18).
        n.w_pep[18 * 2] = 4.0;
        n.b1 = vec![0.0, 0.0];
        n.w2 = vec![1.0, 0.0];
        n.w3 = vec![1.0];
        n.b3 = -2.0;
        n.finish();
        Model2 {
            networks: vec![n],
            molecules: vec![MoleculeRecord {
                molecule: Class2Molecule::parse("DRB1*01:01").unwrap(),
                measurements: 7,
            }],
            provenance: "{}".into(),
        }
    }

    /// The second layer as the version before the AVX2 kernels wrote it (skip units at or
    /// below zero), for the bit-for-bit check below.
    fn score_core_branchy(net: &Net2, proj: &[f32], pep: &Peptide2, offset: usize) -> f32 {
        let h = net.hidden1;
        let mut h1 = proj.to_vec();
        pep.for_each_input(offset, |row, x| {
            for (a, b) in h1.iter_mut().zip(&net.w_pep[row * h..(row + 1) * h]) {
                *a += x * b;
            }
        });
        let mut h2 = net.b2.clone();
        let n2 = net.hidden2;
        for (j, a) in h1.iter().enumerate() {
            if *a > 0.0 {
                for (o, w) in h2.iter_mut().zip(&net.w2t[j * n2..(j + 1) * n2]) {
                    *o += a * w;
                }
            }
        }
        let z: f32 = h2
            .iter()
            .zip(&net.w3)
            .map(|(a, w)| a.max(0.0) * w)
            .sum::<f32>()
            + net.b3;
        sigmoid(z)
    }

    #[test]
    fn avx2_and_portable_cores_give_the_branchy_version_bits() {
        let mut rng = crate::binding::encoding::SplitMix64::new(2);
        let mut next = move || (rng.next_f64() as f32 - 0.5) * 0.5;
        let networks: Vec<Net2> = (0..4)
            .map(|_| {
                let mut n = Net2::zeros(64, 32);
                for v in n
                    .w_pep
                    .iter_mut()
                    .chain(&mut n.w_mhc)
                    .chain(&mut n.b1)
                    .chain(&mut n.w2)
                    .chain(&mut n.b2)
                    .chain(&mut n.w3)
                {
                    *v = next();
                }
                n.b3 = next();
                n.finish();
                n
            })
            .collect();
        let model = Model2 {
            networks,
            molecules: Vec::new(),
            provenance: "{}".into(),
        };
        let proj = Projections2::new(&model, b"YFAMYGEKVAHTHVDTLYVRYHYYTWAVLAYTWY");
        let mut distinct = std::collections::BTreeSet::new();
        for (i, raw) in crate::binding::encoding::random_peptides(15, 300, 5)
            .iter()
            .enumerate()
        {
            let pep = Peptide2::new(raw).unwrap();
            let dispatched = proj.score(&model, &pep);
            let portable = proj.score_with_k::<false>(&model, &pep, 4, Combine::MeanOfBest);
            assert_eq!(
                dispatched.score.to_bits(),
                portable.score.to_bits(),
                "peptide {i}"
            );
            assert_eq!(dispatched.offset, portable.offset);
            for (net, t) in model.networks.iter().zip(&proj.terms) {
                for c in 0..pep.n_cores() {
                    let (mut h1, mut h2) = (vec![0f32; 64], vec![0f32; 32]);
                    let new = net.score_core(t, &pep, c, &mut h1, &mut h2);
                    let old = score_core_branchy(net, t, &pep, c);
                    assert_eq!(new.to_bits(), old.to_bits(), "peptide {i} core {c}");
                }
            }
            distinct.insert(dispatched.score.to_bits());
        }
        assert!(distinct.len() > 250, "{}", distinct.len());
    }

    #[test]
    fn core_search_finds_the_anchor_and_scores_by_hand() {
        let m = toy();
        let proj = Projections2::new(&m, &[b'X'; 34]);
        // W at residue 4 (0-based) of a 15-mer: the core must start there.
        let pep = Peptide2::new(b"AAAAWAAAAAAAAAA").unwrap();
        let s = proj.score(&m, &pep);
        assert_eq!(s.offset, 4);
        // h1 = (4, 0), h2 = 4, z = 4 - 2 = 2.
        assert!((s.score - 1.0 / (1.0 + (-2f32).exp())).abs() < 1e-6);
        // Without W every core scores sigmoid(-2); the first offset wins ties.
        let s = proj.score(&m, &Peptide2::new(b"AAAAAAAAAAAAAAA").unwrap());
        assert_eq!(s.offset, 0);
        assert!((s.score - 1.0 / (1.0 + 2f32.exp())).abs() < 1e-6);
    }

    /// Two networks that learned the W anchor one register apart: the mean of their best cores
    /// keeps the full score, the best core of their mean halves it.
    #[test]
    fn ensemble_rules_by_hand() {
        let mut m = toy();
        let mut b = m.networks[0].clone();
        // Network B: W at core position 1 (row 20 + 18), weight 3, so its z = 3 - 2 = 1.
        b.w_pep = vec![0.0; b.w_pep.len()];
        b.w_pep[38 * 2] = 3.0;
        b.finish();
        m.networks.push(b);
        let proj = Projections2::new(&m, &[b'X'; 34]);
        let pep = Peptide2::new(b"AAAAWAAAAAAAAAA").unwrap();
        let sig = |z: f32| 1.0 / (1.0 + (-z).exp());
        // A's best core starts at the W (offset 4, z = 2); B's one residue earlier (offset 3,
        // z = 1). Tied votes go to the larger summed score: offset 4 (sig 2 + sig -2 = 1.0)
        // beats offset 3 (sig -2 + sig 1 = 0.85).
        let s = proj.score_with(&m, &pep, 2, Combine::MeanOfBest);
        assert_eq!(s.offset, 4);
        assert!((s.score - (sig(2.0) + sig(1.0)) / 2.0).abs() < 1e-6);
        let s = proj.score_with(&m, &pep, 2, Combine::BestOfMean);
        assert_eq!(s.offset, 4);
        assert!((s.score - 0.5).abs() < 1e-6);
        // The first network alone.
        let s = proj.score_with(&m, &pep, 1, Combine::MeanOfBest);
        assert!((s.score - sig(2.0)).abs() < 1e-6);
    }

    #[test]
    fn round_trip_and_corruption() {
        let m = toy();
        let b = m.to_bytes();
        assert_eq!(Model2::from_bytes(&b).unwrap(), m);
        let mut bad = b.clone();
        bad[50] ^= 1;
        assert!(Model2::from_bytes(&bad).unwrap_err().contains("checksum"));
        assert!(Model2::from_bytes(b"IMPBIND\0xxxxxxxxxxxx").is_err());
    }
}
