//! The pan-allele network, its allele table and the on-disk format.
//!
//! Each network maps (peptide, allele pseudo-sequence) to a binding score
//! `y = 1 - ln(IC50) / ln(50000)` in [0, 1]:
//!
//! ```text
//! e  = tanh(W_e · BLOSUM(pseudo-sequence) + b_e)            (allele embedding, `embed` values)
//! h1 = ReLU(Σ_r x_r · (W_pep[r] + Σ_k e_k · U[r,k]) + W_allele · BLOSUM(pseudo) + b1)
//! h2 = ReLU(W2 · h1 + b2)            (absent when hidden2 = 0)
//! y  = sigmoid(w3 · h + b3)
//! ```
//!
//! where `x_r` are the active peptide inputs (one-hot residues of the peptide layout and the
//! length). The `U` term lets the allele change what each peptide residue contributes (a
//! peptide × allele interaction before the first ReLU, of rank `embed`); with `embed = 0` the
//! first layer is additive.
//!
//! Everything that depends on the allele only (the embedding, the allele term of the first
//! layer and the allele's own peptide-row table `W_pep + Σ_k e_k U[·,k]`) is computed once per
//! allele ([`AlleleProjections`]), so each peptide then costs a handful of row additions plus
//! the small dense layers, whatever `embed` is. An ensemble averages `y` over its networks.
//!
//! File format (all integers and floats little-endian), version 2:
//!
//! ```text
//! magic "IMPBIND\0" | u32 version | u32 n_networks | u32 hidden1 | u32 hidden2 | u32 embed
//! | u32 peptide_inputs | u32 allele_inputs
//! | per network: f32 w_pep[peptide_inputs*hidden1] f32 w_allele[allele_inputs*hidden1]
//!                f32 b1[hidden1] f32 w2[hidden2*hidden1] f32 b2[hidden2]
//!                f32 w3[hidden2 or hidden1] f32 b3
//!                f32 w_embed[embed*allele_inputs] f32 b_embed[embed]
//!                f32 u_pep[peptide_inputs*embed*hidden1]   (row r, then k, then unit)
//! | u32 n_alleles | per allele: u8 name_len, name (e.g. HLA-A*02:01), 34 bytes pseudo-sequence,
//!                               u32 training measurements
//! | u32 provenance_len | provenance (UTF-8 JSON: data checksums, seed, settings)
//! | u64 FNV-1a of every preceding byte
//! ```
//!
//! Version 1 (no embedding) is refused with a message to retrain.

use crate::binding::encoding::{
    encode_pseudo, EncodedPeptide, ALLELE_INPUTS, LENGTH_ROW, MAX_PEPTIDE_ROWS, N_LENGTHS,
    PEPTIDE_INPUTS, PSEUDO_LEN,
};
use crate::binding::kernel;
use crate::binding::HlaAllele;

/// IC50 (nM) at score 0; score 1 is 1 nM.
pub const MAX_IC50: f64 = 50_000.0;

pub const MAGIC: &[u8; 8] = b"IMPBIND\0";
pub const FORMAT_VERSION: u32 = 2;

/// Score in [0, 1] to IC50 in nM.
pub fn score_to_ic50(y: f64) -> f64 {
    MAX_IC50.powf(1.0 - y)
}

/// IC50 in nM to the training target in [0, 1] (clamped to 1 nM–50 µM).
pub fn ic50_to_score(ic50: f64) -> f64 {
    1.0 - ic50.clamp(1.0, MAX_IC50).ln() / MAX_IC50.ln()
}

/// One network's weights (layout in the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    pub hidden1: usize,
    pub hidden2: usize,
    /// Size of the allele embedding `e` (0: additive first layer).
    pub embed: usize,
    /// `PEPTIDE_INPUTS` rows of `hidden1`.
    pub w_pep: Vec<f32>,
    /// `ALLELE_INPUTS` rows of `hidden1`.
    pub w_allele: Vec<f32>,
    pub b1: Vec<f32>,
    /// `hidden2` rows of `hidden1`.
    pub w2: Vec<f32>,
    pub b2: Vec<f32>,
    pub w3: Vec<f32>,
    pub b3: f32,
    /// `embed` rows of `ALLELE_INPUTS`.
    pub w_embed: Vec<f32>,
    pub b_embed: Vec<f32>,
    /// `PEPTIDE_INPUTS × embed` rows of `hidden1` (row r, embedding value k at `r*embed + k`).
    pub u_pep: Vec<f32>,
    /// `w2` transposed (`hidden1` rows of `hidden2`), derived by [`Network::finish`]: inference
    /// adds one row per unit, which vectorises, instead of `hidden2` serial dot products.
    pub w2t: Vec<f32>,
}

/// One network's allele-dependent part for one allele: the first-layer allele term plus bias
/// plus the length row, per peptide length, and the allele's peptide-row table.
#[derive(Debug, Clone, PartialEq)]
pub struct FoldedAllele {
    /// `N_LENGTHS` rows of `hidden1`.
    pub base: Vec<f32>,
    /// `PEPTIDE_INPUTS` rows of `hidden1`: `W_pep + Σ_k e_k U[·,k]`.
    pub table: Vec<f32>,
}

impl Network {
    /// Zero weights of the given shape.
    pub fn zeros(hidden1: usize, hidden2: usize, embed: usize) -> Self {
        let last = if hidden2 > 0 { hidden2 } else { hidden1 };
        Self {
            hidden1,
            hidden2,
            embed,
            w_pep: vec![0.0; PEPTIDE_INPUTS * hidden1],
            w_allele: vec![0.0; ALLELE_INPUTS * hidden1],
            b1: vec![0.0; hidden1],
            w2: vec![0.0; hidden2 * hidden1],
            b2: vec![0.0; hidden2],
            w3: vec![0.0; last],
            b3: 0.0,
            w_embed: vec![0.0; embed * ALLELE_INPUTS],
            b_embed: vec![0.0; embed],
            u_pep: vec![0.0; PEPTIDE_INPUTS * embed * hidden1],
            w2t: vec![0.0; hidden2 * hidden1],
        }
    }

    /// Derives the inference-only fields from the weights; call after setting them.
    pub fn finish(&mut self) {
        let (h1, h2) = (self.hidden1, self.hidden2);
        self.w2t = vec![0.0; h1 * h2];
        for k in 0..h2 {
            for j in 0..h1 {
                self.w2t[j * h2 + k] = self.w2[k * h1 + j];
            }
        }
    }

    /// The allele embedding `tanh(W_e · x + b_e)` for an encoded pseudo-sequence.
    pub fn embedding(&self, allele_input: &[f32]) -> Vec<f32> {
        (0..self.embed)
            .map(|k| {
                let row = &self.w_embed[k * ALLELE_INPUTS..(k + 1) * ALLELE_INPUTS];
                (self.b_embed[k] + kernel::dot(row, allele_input)).tanh()
            })
            .collect()
    }

    /// `b1 + W_allele · x` for an encoded pseudo-sequence.
    pub fn allele_projection(&self, allele_input: &[f32]) -> Vec<f32> {
        let h = self.hidden1;
        let mut out = self.b1.clone();
        for (i, &x) in allele_input.iter().enumerate() {
            if x != 0.0 {
                let row = &self.w_allele[i * h..(i + 1) * h];
                for (o, w) in out.iter_mut().zip(row) {
                    *o += x * w;
                }
            }
        }
        out
    }

    /// Everything that depends on the allele only, for an encoded pseudo-sequence.
    pub fn fold(&self, allele_input: &[f32]) -> FoldedAllele {
        let h = self.hidden1;
        let e = self.embedding(allele_input);
        let mut table = self.w_pep.clone();
        for r in 0..PEPTIDE_INPUTS {
            let out = &mut table[r * h..(r + 1) * h];
            for (k, &ek) in e.iter().enumerate() {
                let u = &self.u_pep[(r * self.embed + k) * h..(r * self.embed + k + 1) * h];
                for (o, w) in out.iter_mut().zip(u) {
                    *o += ek * w;
                }
            }
        }
        let proj = self.allele_projection(allele_input);
        let mut base = Vec::with_capacity(N_LENGTHS * h);
        for l in 0..N_LENGTHS {
            let row = &table[(LENGTH_ROW + l) * h..(LENGTH_ROW + l + 1) * h];
            base.extend(proj.iter().zip(row).map(|(a, b)| a + b));
        }
        FoldedAllele { base, table }
    }

    /// Score in [0, 1] given the folded allele; `h1` is a scratch buffer of `hidden1` values.
    pub fn score(&self, folded: &FoldedAllele, pep: &EncodedPeptide, h1: &mut [f32]) -> f32 {
        let (rows, n) = peptide_rows(pep);
        let l = usize::from(pep.length_index);
        let h = self.hidden1;
        kernel::first_layer(&folded.base[l * h..], &folded.table, h, &rows[..n], h1);
        self.head(&mut h1[..h])
    }

    /// Everything after the first layer's sums (see [`kernel::head`]); `h1` holds the first
    /// layer's `hidden1` pre-activations and is overwritten.
    #[inline(always)]
    fn head(&self, h1: &mut [f32]) -> f32 {
        sigmoid(kernel::head(h1, &self.w2t, &self.b2, &self.w3, self.b3))
    }
}

/// The peptide's active first-layer rows and their weights, in input order (at most
/// `MAX_PEPTIDE_ROWS`), and how many there are.
#[inline(always)]
fn peptide_rows(pep: &EncodedPeptide) -> ([(usize, f32); MAX_PEPTIDE_ROWS], usize) {
    let mut rows = [(0usize, 0f32); MAX_PEPTIDE_ROWS];
    let mut n = 0;
    pep.for_each_residue_input(|row, x| {
        rows[n] = (row, x);
        n += 1;
    });
    (rows, n)
}

#[inline(always)]
pub fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// An allele the model knows: its pseudo-sequence and how many training measurements it had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlleleRecord {
    pub allele: HlaAllele,
    pub pseudo: [u8; PSEUDO_LEN],
    pub measurements: u32,
}

/// An ensemble of networks plus the allele table and provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub networks: Vec<Network>,
    /// Sorted by allele.
    pub alleles: Vec<AlleleRecord>,
    pub provenance: String,
}

/// The per-allele part of the model (every network's folded allele terms), computed once
/// per allele.
#[derive(Debug, Clone)]
pub struct AlleleScorer<'m> {
    model: &'m Model,
    projections: &'m AlleleProjections,
}

/// Owned allele projections, for caching across calls: the networks' folded first layers side
/// by side (row `r` holds network 0's `hidden1` values, then network 1's, …), so each peptide
/// row is one long contiguous addition for the whole ensemble instead of one short one per
/// network.
#[derive(Debug, Clone, PartialEq)]
pub struct AlleleProjections {
    /// Σ `hidden1` over the networks.
    width: usize,
    /// `N_LENGTHS` rows of `width`.
    base: Vec<f32>,
    /// `PEPTIDE_INPUTS` rows of `width`.
    table: Vec<f32>,
}

impl AlleleProjections {
    pub fn new(model: &Model, pseudo: &[u8]) -> Self {
        let x = encode_pseudo(pseudo);
        let folded: Vec<FoldedAllele> = model.networks.iter().map(|n| n.fold(&x)).collect();
        let width = model.networks.iter().map(|n| n.hidden1).sum();
        let interleave = |rows: usize, part: fn(&FoldedAllele) -> &[f32]| {
            let mut out = Vec::with_capacity(rows * width);
            for r in 0..rows {
                for (f, n) in folded.iter().zip(&model.networks) {
                    out.extend_from_slice(&part(f)[r * n.hidden1..(r + 1) * n.hidden1]);
                }
            }
            out
        };
        Self {
            width,
            base: interleave(N_LENGTHS, |f| &f.base),
            table: interleave(PEPTIDE_INPUTS, |f| &f.table),
        }
    }

    pub fn scorer<'m>(&'m self, model: &'m Model) -> AlleleScorer<'m> {
        AlleleScorer {
            model,
            projections: self,
        }
    }
}

impl AlleleScorer<'_> {
    /// Ensemble score in [0, 1] for each peptide, written into `out`.
    pub fn score_into(&self, peptides: &[EncodedPeptide], out: &mut Vec<f32>) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above). The AVX2 build of the same
            // code gives the same bits: only element-wise adds and multiplies and fixed-order
            // sums are vectorised, and no fused multiply-add is enabled.
            unsafe { self.score_into_avx2(peptides, out) };
            return;
        }
        self.score_into_portable(peptides, out);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn score_into_avx2(&self, peptides: &[EncodedPeptide], out: &mut Vec<f32>) {
        self.score_loop::<true>(peptides, out);
    }

    #[inline(always)]
    fn score_into_portable(&self, peptides: &[EncodedPeptide], out: &mut Vec<f32>) {
        self.score_loop::<false>(peptides, out);
    }

    /// The scoring loop; `AVX2` picks the intrinsics kernels (same bits as the portable ones)
    /// and is only true inside [`Self::score_into_avx2`].
    #[inline(always)]
    fn score_loop<const AVX2: bool>(&self, peptides: &[EncodedPeptide], out: &mut Vec<f32>) {
        let proj = self.projections;
        let networks = &self.model.networks;
        let w = proj.width;
        let mut h1 = vec![0f32; w];
        let n = networks.len() as f32;
        // The intrinsics cover the shipped shapes; anything else takes the portable kernels.
        let fast_first = AVX2 && w.is_multiple_of(64);
        let fast_head = |net: &Network| AVX2 && net.hidden2 == 16 && net.hidden1.is_multiple_of(8);
        // A plain loop, not `extend(map(..))`: a closure body that is not inlined would be
        // compiled without the caller's AVX2.
        out.clear();
        out.resize(peptides.len(), 0.0);
        for (o, p) in out.iter_mut().zip(peptides) {
            let l = usize::from(p.length_index);
            let (rows, nrows) = peptide_rows(p);
            let base = &proj.base[l * w..(l + 1) * w];
            if fast_first {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: AVX2 is true only inside score_into_avx2, entered after detecting AVX2.
                unsafe {
                    kernel::avx2::first_layer(base, &proj.table, w, &rows[..nrows], &mut h1)
                };
            } else {
                kernel::first_layer(base, &proj.table, w, &rows[..nrows], &mut h1);
            }
            let mut sum = 0f32;
            let mut offset = 0;
            for net in networks {
                let units = &mut h1[offset..offset + net.hidden1];
                let z = if fast_head(net) {
                    #[cfg(target_arch = "x86_64")]
                    // SAFETY: as above.
                    unsafe {
                        kernel::avx2::head16(units, &net.w2t, &net.b2, &net.w3, net.b3)
                    }
                    #[cfg(not(target_arch = "x86_64"))]
                    unreachable!()
                } else {
                    kernel::head(units, &net.w2t, &net.b2, &net.w3, net.b3)
                };
                sum += sigmoid(z);
                offset += net.hidden1;
            }
            *o = if n > 1.0 { sum / n } else { sum };
        }
    }

    pub fn score(&self, peptide: &EncodedPeptide) -> f32 {
        let mut out = Vec::with_capacity(1);
        self.score_into(std::slice::from_ref(peptide), &mut out);
        out[0]
    }
}

impl Model {
    /// Position of `allele` in the table.
    pub fn allele_index(&self, allele: &HlaAllele) -> Option<usize> {
        self.alleles.binary_search_by(|r| r.allele.cmp(allele)).ok()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(MAGIC);
        let (h1, h2, d) = self
            .networks
            .first()
            .map_or((0, 0, 0), |n| (n.hidden1, n.hidden2, n.embed));
        for v in [
            FORMAT_VERSION,
            self.networks.len() as u32,
            h1 as u32,
            h2 as u32,
            d as u32,
        ] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.extend_from_slice(&(PEPTIDE_INPUTS as u32).to_le_bytes());
        b.extend_from_slice(&(ALLELE_INPUTS as u32).to_le_bytes());
        for n in &self.networks {
            for arr in [&n.w_pep, &n.w_allele, &n.b1, &n.w2, &n.b2, &n.w3] {
                for v in arr.iter() {
                    b.extend_from_slice(&v.to_le_bytes());
                }
            }
            b.extend_from_slice(&n.b3.to_le_bytes());
            for arr in [&n.w_embed, &n.b_embed, &n.u_pep] {
                for v in arr.iter() {
                    b.extend_from_slice(&v.to_le_bytes());
                }
            }
        }
        b.extend_from_slice(&(self.alleles.len() as u32).to_le_bytes());
        for a in &self.alleles {
            let name = a.allele.to_string();
            b.push(name.len() as u8);
            b.extend_from_slice(name.as_bytes());
            b.extend_from_slice(&a.pseudo);
            b.extend_from_slice(&a.measurements.to_le_bytes());
        }
        b.extend_from_slice(&(self.provenance.len() as u32).to_le_bytes());
        b.extend_from_slice(self.provenance.as_bytes());
        let sum = fnv1a(&b);
        b.extend_from_slice(&sum.to_le_bytes());
        b
    }

    /// # Errors
    /// Not a model file, another format version, truncated or corrupted (checksum).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        if bytes.len() < 16 || &bytes[..8] != MAGIC {
            return Err("not an immunoprofile binding model (bad magic)".into());
        }
        let (body, tail) = bytes.split_at(bytes.len() - 8);
        let sum = u64::from_le_bytes(tail.try_into().map_err(|_| "truncated")?);
        if fnv1a(body) != sum {
            return Err("binding model checksum mismatch (corrupted file)".into());
        }
        let mut r = Reader { b: body, pos: 8 };
        let version = r.u32()?;
        if version != FORMAT_VERSION {
            return Err(format!(
                "binding model format version {version}, this build reads {FORMAT_VERSION} \
                 (retrain it with `cargo run --release --features train --example train-binding`, \
                 or use the model shipped with this build)"
            ));
        }
        let n_networks = r.u32()? as usize;
        let h1 = r.u32()? as usize;
        let h2 = r.u32()? as usize;
        let d = r.u32()? as usize;
        let (pi, ai) = (r.u32()? as usize, r.u32()? as usize);
        if h1 == 0 || h1 > 4096 || h2 > 4096 || d > 256 || n_networks > 256 {
            return Err(format!(
                "binding model shape {n_networks} networks of {h1}/{h2} units, embedding {d}: not a model this build can use"
            ));
        }
        if pi != PEPTIDE_INPUTS || ai != ALLELE_INPUTS {
            return Err(format!("binding model input sizes {pi}/{ai} do not match this build ({PEPTIDE_INPUTS}/{ALLELE_INPUTS})"));
        }
        let mut networks = Vec::with_capacity(n_networks);
        for _ in 0..n_networks {
            let mut n = Network::zeros(h1, h2, d);
            for arr in [
                &mut n.w_pep,
                &mut n.w_allele,
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
            for arr in [&mut n.w_embed, &mut n.b_embed, &mut n.u_pep] {
                for v in arr.iter_mut() {
                    *v = r.f32()?;
                }
            }
            n.finish();
            networks.push(n);
        }
        let n_alleles = r.u32()? as usize;
        let mut alleles = Vec::with_capacity(n_alleles);
        for _ in 0..n_alleles {
            let len = usize::from(r.take(1)?[0]);
            let name = std::str::from_utf8(r.take(len)?).map_err(|_| "allele name not UTF-8")?;
            let allele = HlaAllele::parse(name)?;
            let pseudo: [u8; PSEUDO_LEN] =
                r.take(PSEUDO_LEN)?.try_into().map_err(|_| "truncated")?;
            let measurements = r.u32()?;
            alleles.push(AlleleRecord {
                allele,
                pseudo,
                measurements,
            });
        }
        let plen = r.u32()? as usize;
        let provenance =
            String::from_utf8(r.take(plen)?.to_vec()).map_err(|_| "provenance not UTF-8")?;
        if r.pos != body.len() {
            return Err("trailing bytes in binding model".into());
        }
        if !alleles.windows(2).all(|w| w[0].allele < w[1].allele) {
            return Err("binding model allele table not sorted".into());
        }
        Ok(Self {
            networks,
            alleles,
            provenance,
        })
    }
}

/// A little-endian cursor over a model file's body (class I and class II models share it).
pub(crate) struct Reader<'a> {
    pub(crate) b: &'a [u8],
    pub(crate) pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or("binding model truncated")?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    pub(crate) fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().map_err(|_| "truncated")?,
        ))
    }
    pub(crate) fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_le_bytes(
            self.take(4)?.try_into().map_err(|_| "truncated")?,
        ))
    }
}

/// 64-bit FNV-1a.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_and_ic50_are_inverse() {
        for ic50 in [1.0, 50.0, 500.0, 5000.0, 50_000.0] {
            assert!((score_to_ic50(ic50_to_score(ic50)) - ic50).abs() / ic50 < 1e-9);
        }
        assert_eq!(ic50_to_score(1e6), 0.0);
        // 500 nM sits at 1 - ln 500 / ln 50000 = 0.4256.
        assert!((ic50_to_score(500.0) - 0.425_67).abs() < 1e-4);
    }

    /// An ensemble of the shipped shape (4 networks of 64 + 16 units) with pseudo-random
    /// weights.
    fn shipped_shape_model() -> Model {
        let mut rng = crate::binding::encoding::SplitMix64::new(1);
        let mut next = move || (rng.next_f64() as f32 - 0.5) * 0.4;
        let networks = (0..4)
            .map(|_| {
                let mut n = Network::zeros(64, 16, 0);
                for v in n
                    .w_pep
                    .iter_mut()
                    .chain(&mut n.w_allele)
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
        Model {
            networks,
            alleles: Vec::new(),
            provenance: String::new(),
        }
    }

    #[test]
    fn avx2_kernels_give_the_portable_bits_and_the_per_network_mean() {
        let model = shipped_shape_model();
        let proj = AlleleProjections::new(&model, b"YFAMYGEKVAHTHVDTLYVRYHYYTWAVLAYTWY");
        let scorer = proj.scorer(&model);
        let x = encode_pseudo(b"YFAMYGEKVAHTHVDTLYVRYHYYTWAVLAYTWY");
        let folded: Vec<FoldedAllele> = model.networks.iter().map(|n| n.fold(&x)).collect();
        let peptides: Vec<EncodedPeptide> = (8..=11)
            .flat_map(|len| crate::binding::encoding::random_peptides(len, 500, 7))
            .map(|p| EncodedPeptide::new(&p).unwrap())
            .collect();
        let (mut dispatched, mut portable) = (Vec::new(), Vec::new());
        scorer.score_into(&peptides, &mut dispatched);
        scorer.score_into_portable(&peptides, &mut portable);
        let mut h1 = vec![0f32; 64];
        let mut distinct = std::collections::BTreeSet::new();
        for (i, p) in peptides.iter().enumerate() {
            assert_eq!(
                dispatched[i].to_bits(),
                portable[i].to_bits(),
                "peptide {i}"
            );
            let mut sum = 0f32;
            for (n, f) in model.networks.iter().zip(&folded) {
                sum += n.score(f, p, &mut h1);
            }
            assert_eq!(portable[i].to_bits(), (sum / 4.0).to_bits(), "peptide {i}");
            distinct.insert(portable[i].to_bits());
        }
        // The weights spread the scores, so equal bits are not equal constants.
        assert!(distinct.len() > 1_900, "{}", distinct.len());
    }

    #[test]
    #[allow(clippy::needless_range_loop)]
    fn score_matches_the_formula_written_out() {
        // A 3-unit/2-unit network with a 2-value allele embedding and hand-set weights,
        // evaluated by the formula in the module docs with plain loops.
        let mut n = Network::zeros(3, 2, 2);
        for (i, v) in n.w_pep.iter_mut().enumerate() {
            *v = ((i * 7 % 11) as f32 - 5.0) / 10.0;
        }
        for (i, v) in n.w_allele.iter_mut().enumerate() {
            *v = ((i * 5 % 13) as f32 - 6.0) / 100.0;
        }
        for (i, v) in n.w_embed.iter_mut().enumerate() {
            *v = ((i * 3 % 7) as f32 - 3.0) / 50.0;
        }
        n.b_embed = vec![0.9, -0.6];
        for (i, v) in n.u_pep.iter_mut().enumerate() {
            *v = ((i * 11 % 17) as f32 - 8.0) / 20.0;
        }
        n.b1 = vec![0.1, -0.2, 0.3];
        n.w2 = vec![0.5, -0.4, 0.3, -0.2, 0.6, 0.1];
        n.b2 = vec![0.05, -0.05];
        n.w3 = vec![1.5, -0.7];
        n.b3 = 0.2;
        n.finish();
        let pseudo = b"YFAMYGEKVAHTHVDTLYVRYHYYTWAVLAYTWY";
        let x = encode_pseudo(pseudo);
        let e: Vec<f32> = (0..2)
            .map(|k| {
                let mut z = n.b_embed[k];
                for (i, xi) in x.iter().enumerate() {
                    z += n.w_embed[k * ALLELE_INPUTS + i] * xi;
                }
                z.tanh()
            })
            .collect();
        let pep = EncodedPeptide::new(b"NLVPMVATVL").unwrap();
        let mut pre = n.b1.clone();
        for (i, xi) in x.iter().enumerate() {
            for k in 0..3 {
                pre[k] += xi * n.w_allele[i * 3 + k];
            }
        }
        pep.for_each_input(|row, w| {
            for j in 0..3 {
                let mut weight = n.w_pep[row * 3 + j];
                for k in 0..2 {
                    weight += e[k] * n.u_pep[(row * 2 + k) * 3 + j];
                }
                pre[j] += w * weight;
            }
        });
        let a1: Vec<f32> = pre.iter().map(|v| v.max(0.0)).collect();
        let a2: Vec<f32> = (0..2)
            .map(|k| (n.b2[k] + (0..3).map(|j| n.w2[k * 3 + j] * a1[j]).sum::<f32>()).max(0.0))
            .collect();
        let z = n.b3 + n.w3[0] * a2[0] + n.w3[1] * a2[1];
        let expected = 1.0 / (1.0 + (-z).exp());
        // The weights make the embedding matter: without it the score differs.
        assert!(e.iter().all(|v| v.abs() > 0.05), "{e:?}");
        let folded = n.fold(&x);
        let got = n.score(&folded, &pep, &mut [0.0; 3]);
        assert!((got - expected).abs() < 1e-6, "{got} vs {expected}");
        let mut additive = n.clone();
        additive.u_pep.fill(0.0);
        let plain = additive.score(&additive.fold(&x), &pep, &mut [0.0; 3]);
        assert!((plain - expected).abs() > 1e-3, "{plain} vs {expected}");
    }

    #[test]
    fn round_trip_and_corruption_detected() {
        let mut n = Network::zeros(4, 2, 3);
        n.w_pep[3] = 0.5;
        n.u_pep[7] = -0.75;
        n.w_embed[5] = 0.125;
        n.b3 = -1.25;
        n.w2[1] = 0.25;
        n.finish();
        let model = Model {
            networks: vec![n],
            alleles: vec![AlleleRecord {
                allele: HlaAllele::parse("A*02:01").unwrap(),
                pseudo: *b"YFAMYGEKVAHTHVDTLYVRYHYYTWAVLAYTWY",
                measurements: 3,
            }],
            provenance: "{}".into(),
        };
        let bytes = model.to_bytes();
        assert_eq!(Model::from_bytes(&bytes).unwrap(), model);
        let mut bad = bytes.clone();
        bad[40] ^= 1;
        assert!(Model::from_bytes(&bad).unwrap_err().contains("checksum"));
        assert!(Model::from_bytes(b"nonsense").is_err());
        // A version 1 file (header and checksum otherwise valid) is refused with a clear reason.
        let mut old = bytes[..bytes.len() - 8].to_vec();
        old[8..12].copy_from_slice(&1u32.to_le_bytes());
        let sum = fnv1a(&old);
        old.extend_from_slice(&sum.to_le_bytes());
        let e = Model::from_bytes(&old).unwrap_err();
        assert!(e.contains("version 1") && e.contains("retrain"), "{e}");
    }
}
