//! Training one class II network: minibatch Adam on squared error, with NN-align's core
//! search inside the loop (each example's highest-scoring core under the current weights is the
//! one the gradient flows through, so the core is re-chosen at every step). Optional early
//! stopping on an inner validation split (NetMHCIIpan's scheme: each ensemble member stops on
//! its own part of the training data, never on the test fold) and optional BLOSUM62 encoding
//! of the core residues. Single-threaded and seeded: bit-for-bit reproducible.

use serde::Serialize;

use crate::binding::class2::encoding::{Peptide2, CORE, PEPTIDE_INPUTS};
use crate::binding::class2::model::Net2;
use crate::binding::encoding::{blosum62, SplitMix64, ALLELE_INPUTS};
use crate::binding::model::sigmoid;

/// Training settings, stored in the model's provenance.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Train2Config {
    pub hidden1: usize,
    pub hidden2: usize,
    /// Epochs (the most, with early stopping); the learning rate decays linearly over them.
    pub epochs: usize,
    /// Stop after this many epochs without a lower validation error (0: never stop early).
    pub patience: usize,
    /// Member k of the ensemble holds out inner fold k mod `inner_folds` of its training
    /// peptides for early stopping and keeps its best epoch (0: no validation, all epochs).
    pub inner_folds: usize,
    pub batch_size: usize,
    pub learning_rate: f32,
    /// Learning rate at the last epoch as a fraction of the first.
    pub lr_final: f32,
    pub l2: f32,
    pub ensemble: usize,
    /// Core residues enter as BLOSUM62 rows / 4 instead of one-hot (a reparametrisation: the
    /// shipped weights are folded back to one-hot rows, so prediction is unchanged in cost).
    pub blosum: bool,
    pub seed: u64,
}

/// The shipped model's settings (candidate `blosum-ep45` of [`super::select::Candidate`], chosen on
/// peptide fold 0).
impl Default for Train2Config {
    fn default() -> Self {
        Self {
            hidden1: 64,
            hidden2: 32,
            epochs: 45,
            patience: 0,
            inner_folds: 0,
            batch_size: 128,
            learning_rate: 2e-3,
            lr_final: 0.1,
            l2: 1e-6,
            ensemble: 4,
            blosum: true,
            seed: 20_261_202,
        }
    }
}

/// One example: molecule index (into the encoded pseudo-sequences), peptide, target score.
#[derive(Debug, Clone)]
pub struct Example2 {
    pub molecule: u32,
    pub peptide: Peptide2,
    pub target: f32,
}

/// Parameter block offsets in the flat vector.
struct Layout {
    h1: usize,
    w_mhc: usize,
    b1: usize,
    w2: usize,
    b2: usize,
    w3: usize,
    b3: usize,
    len: usize,
}

impl Layout {
    fn new(h1: usize, h2: usize) -> Self {
        let w_mhc = PEPTIDE_INPUTS * h1;
        let b1 = w_mhc + ALLELE_INPUTS * h1;
        let w2 = b1 + h1;
        let b2 = w2 + h2 * h1;
        let w3 = b2 + h2;
        let b3 = w3 + h2;
        Self {
            h1,
            w_mhc,
            b1,
            w2,
            b2,
            w3,
            b3,
            len: b3 + 1,
        }
    }
}

fn uniform(rng: &mut SplitMix64, a: f32) -> f32 {
    ((rng.next_f64() * 2.0 - 1.0) as f32) * a
}

/// BLOSUM62 / 4 as a 20 × 20 matrix (symmetric).
fn blosum_matrix() -> Vec<f32> {
    (0..20u8)
        .flat_map(|a| (0..20u8).map(move |b| blosum62(a, b) as f32 / 4.0))
        .collect()
}

/// `dst[p, a, :] = Σ_r B[a, r] · src[p, r, :]` over the core rows; the other peptide rows are
/// copied. Maps BLOSUM-space weights to one-hot weights and, B being symmetric, one-hot
/// gradients back to BLOSUM space.
fn blosum_mix(b: &[f32], src: &[f32], dst: &mut [f32], h1: usize) {
    let core_rows = CORE * 20 * h1;
    dst[core_rows..].copy_from_slice(&src[core_rows..]);
    dst[..core_rows].fill(0.0);
    for p in 0..CORE {
        for a in 0..20 {
            let out = (p * 20 + a) * h1;
            for r in 0..20 {
                let w = b[a * 20 + r];
                let inp = (p * 20 + r) * h1;
                for j in 0..h1 {
                    dst[out + j] += w * src[inp + j];
                }
            }
        }
    }
}

/// Forward pass of one core: fills `pre` (first-layer pre-activations) and `a2`; returns z.
/// `w2t` is `W2` transposed (`h1` rows of `h2`), so the second layer is a sum of rows over the
/// active units (vectorised, no serial dot products).
#[allow(clippy::too_many_arguments)]
fn forward(
    p: &[f32],
    lay: &Layout,
    wpep: &[f32],
    w2t: &[f32],
    proj: &[f32],
    pep: &Peptide2,
    offset: usize,
    pre: &mut [f32],
    a2: &mut [f32],
) -> f32 {
    let h1 = lay.h1;
    let h2 = a2.len();
    pre.copy_from_slice(proj);
    pep.for_each_input(offset, |row, x| {
        for (o, w) in pre.iter_mut().zip(&wpep[row * h1..(row + 1) * h1]) {
            *o += x * w;
        }
    });
    a2.copy_from_slice(&p[lay.b2..lay.w3]);
    for (j, &a) in pre.iter().enumerate() {
        if a > 0.0 {
            for (o, w) in a2.iter_mut().zip(&w2t[j * h2..(j + 1) * h2]) {
                *o += a * w;
            }
        }
    }
    let mut z = p[lay.b3];
    for (o, w) in a2.iter_mut().zip(&p[lay.w3..lay.b3]) {
        *o = o.max(0.0);
        z += *o * w;
    }
    z
}

/// `W2` (`h2` rows of `h1`) transposed into `out`.
fn transpose_w2(p: &[f32], lay: &Layout, h2: usize, out: &mut [f32]) {
    let h1 = lay.h1;
    for k in 0..h2 {
        for j in 0..h1 {
            out[j * h2 + k] = p[lay.w2 + k * h1 + j];
        }
    }
}

/// `b1 + W_mhc · x` for molecule inputs `x`.
fn project(p: &[f32], lay: &Layout, x: &[f32], out: &mut [f32]) {
    let h1 = lay.h1;
    out.copy_from_slice(&p[lay.b1..lay.w2]);
    for (r, &v) in x.iter().enumerate() {
        if v != 0.0 {
            let row = &p[lay.w_mhc + r * h1..lay.w_mhc + (r + 1) * h1];
            for (o, w) in out.iter_mut().zip(row) {
                *o += v * w;
            }
        }
    }
}

/// Mean squared error of the best-core scores of `examples`.
fn validation_error(
    p: &[f32],
    lay: &Layout,
    wpep: &[f32],
    mhc_inputs: &[Vec<f32>],
    examples: &[Example2],
    h2: usize,
) -> f64 {
    let h1 = lay.h1;
    let mut proj = vec![0f32; mhc_inputs.len() * h1];
    for (k, x) in mhc_inputs.iter().enumerate() {
        project(p, lay, x, &mut proj[k * h1..(k + 1) * h1]);
    }
    let (mut pre, mut a2) = (vec![0f32; h1], vec![0f32; h2]);
    let mut w2t = vec![0f32; h1 * h2];
    transpose_w2(p, lay, h2, &mut w2t);
    let mut sum = 0f64;
    for ex in examples {
        let k = ex.molecule as usize;
        let pj = &proj[k * h1..(k + 1) * h1];
        let z = (0..ex.peptide.n_cores())
            .map(|c| forward(p, lay, wpep, &w2t, pj, &ex.peptide, c, &mut pre, &mut a2))
            .fold(f32::MIN, f32::max);
        sum += f64::from(sigmoid(z) - ex.target).powi(2);
    }
    sum / examples.len().max(1) as f64
}

/// One trained network, the epoch its weights come from (1-based) and the epochs run.
pub struct Fit2 {
    pub net: Net2,
    pub epoch: usize,
    pub epochs_run: usize,
}

/// Trains one network on `train`; with a non-empty `valid` keeps the epoch of lowest validation
/// error (and stops `patience` epochs after it). `mhc_inputs[i]` is the encoded pseudo-sequence
/// of molecule `i`.
pub fn train_network2(
    train: &[Example2],
    valid: &[Example2],
    mhc_inputs: &[Vec<f32>],
    config: &Train2Config,
    seed: u64,
) -> Fit2 {
    let (h1, h2) = (config.hidden1, config.hidden2);
    let lay = Layout::new(h1, h2);
    let mut rng = SplitMix64::new(seed);
    let mut p = vec![0f32; lay.len];
    let blosum = config.blosum.then(blosum_matrix);
    // First-layer pre-activations start near unit variance: ~15 sparse peptide rows (a BLOSUM
    // row has the squared norm `norm2` where a one-hot row has 1), 680 BLOSUM inputs of mean
    // square ~0.3.
    let norm2 = blosum
        .as_ref()
        .map_or(1.0, |b| b.iter().map(|v| v * v).sum::<f32>() / 20.0);
    for (i, v) in p[..lay.w_mhc].iter_mut().enumerate() {
        let scale = if i < CORE * 20 * h1 { norm2 } else { 1.0 };
        *v = uniform(&mut rng, (3.0f32 / 15.0 / scale).sqrt());
    }
    for v in &mut p[lay.w_mhc..lay.b1] {
        *v = uniform(&mut rng, (3.0 / (ALLELE_INPUTS as f32 * 0.3)).sqrt());
    }
    for v in &mut p[lay.w2..lay.b2] {
        *v = uniform(&mut rng, (6.0 / h1 as f32).sqrt());
    }
    for v in &mut p[lay.w3..lay.b3] {
        *v = uniform(&mut rng, (3.0 / h2 as f32).sqrt());
    }
    let is_bias =
        |i: usize| (lay.b1..lay.w2).contains(&i) || (lay.b2..lay.w3).contains(&i) || i == lay.b3;
    let decay: Vec<f32> = (0..lay.len)
        .map(|i| if is_bias(i) { 0.0 } else { config.l2 })
        .collect();
    let mut g = vec![0f32; lay.len];
    let mut m = vec![0f32; lay.len];
    let mut s = vec![0f32; lay.len];
    let (beta1, beta2, eps) = (0.9f32, 0.999f32, 1e-7f32);
    let mut step = 0i32;

    let n_mol = mhc_inputs.len();
    let mut proj = vec![0f32; n_mol * h1];
    let mut gproj = vec![0f32; n_mol * h1];
    let mut used = vec![false; n_mol];
    let mut pre = vec![0f32; h1];
    let mut a2 = vec![0f32; h2];
    let mut best_pre = vec![0f32; h1];
    let mut best_a2 = vec![0f32; h2];
    let mut d1 = vec![0f32; h1];
    let mut a1 = vec![0f32; h1];
    let mut wpep = p[..lay.w_mhc].to_vec();
    let mut tmp = vec![0f32; lay.w_mhc];
    let mut w2t = vec![0f32; h1 * h2];
    let mut order: Vec<usize> = (0..train.len()).collect();
    let refresh = |p: &[f32], wpep: &mut [f32]| match &blosum {
        Some(b) => blosum_mix(b, &p[..lay.w_mhc], wpep, h1),
        None => wpep.copy_from_slice(&p[..lay.w_mhc]),
    };
    let mut best: Option<(f64, usize, Vec<f32>)> = None;
    let mut epochs_run = 0;

    for epoch in 0..config.epochs {
        epochs_run = epoch + 1;
        for i in (1..order.len()).rev() {
            let j = rng.below(i + 1);
            order.swap(i, j);
        }
        let frac = epoch as f32 / config.epochs.max(1) as f32;
        let lr = config.learning_rate * (1.0 - (1.0 - config.lr_final) * frac);
        for batch in order.chunks(config.batch_size) {
            g.fill(0.0);
            used.fill(false);
            refresh(&p, &mut wpep);
            transpose_w2(&p, &lay, h2, &mut w2t);
            for &i in batch {
                used[train[i].molecule as usize] = true;
            }
            // Molecule projections (with b1) for the molecules in this batch.
            for (k, _) in used.iter().enumerate().filter(|(_, &u)| u) {
                project(&p, &lay, &mhc_inputs[k], &mut proj[k * h1..(k + 1) * h1]);
                gproj[k * h1..(k + 1) * h1].fill(0.0);
            }
            let scale = 2.0 / batch.len() as f32;
            for &i in batch {
                let ex = &train[i];
                let k = ex.molecule as usize;
                let pj = &proj[k * h1..(k + 1) * h1];
                // Core search under the current weights.
                let mut best_core = (f32::MIN, 0usize);
                for c in 0..ex.peptide.n_cores() {
                    let z = forward(&p, &lay, &wpep, &w2t, pj, &ex.peptide, c, &mut pre, &mut a2);
                    if z > best_core.0 {
                        best_core = (z, c);
                        best_pre.copy_from_slice(&pre);
                        best_a2.copy_from_slice(&a2);
                    }
                }
                let y = sigmoid(best_core.0);
                let dz = scale * (y - ex.target) * y * (1.0 - y);
                g[lay.b3] += dz;
                d1.fill(0.0);
                for (o, &x) in a1.iter_mut().zip(&best_pre) {
                    *o = x.max(0.0);
                }
                for k2 in 0..h2 {
                    g[lay.w3 + k2] += dz * best_a2[k2];
                    if best_a2[k2] <= 0.0 {
                        continue;
                    }
                    let d = dz * p[lay.w3 + k2];
                    g[lay.b2 + k2] += d;
                    let base = lay.w2 + k2 * h1;
                    // Branch-free (vectorised): inactive units have a1 = 0 and are masked below.
                    for ((gw, dj), (&w, &a)) in g[base..base + h1]
                        .iter_mut()
                        .zip(d1.iter_mut())
                        .zip(p[base..base + h1].iter().zip(&a1))
                    {
                        *gw += d * a;
                        *dj += d * w;
                    }
                }
                for (dj, &a) in d1.iter_mut().zip(&best_pre) {
                    if a <= 0.0 {
                        *dj = 0.0;
                    }
                }
                for (gb, d) in g[lay.b1..lay.w2].iter_mut().zip(&d1) {
                    *gb += d;
                }
                for (gp, d) in gproj[k * h1..(k + 1) * h1].iter_mut().zip(&d1) {
                    *gp += d;
                }
                ex.peptide.for_each_input(best_core.1, |row, x| {
                    for (o, d) in g[row * h1..(row + 1) * h1].iter_mut().zip(&d1) {
                        *o += x * d;
                    }
                });
            }
            if let Some(b) = &blosum {
                blosum_mix(b, &g[..lay.w_mhc], &mut tmp, h1);
                g[..lay.w_mhc].copy_from_slice(&tmp);
            }
            for (k, _) in used.iter().enumerate().filter(|(_, &u)| u) {
                let gp = &gproj[k * h1..(k + 1) * h1];
                for (r, &x) in mhc_inputs[k].iter().enumerate() {
                    if x != 0.0 {
                        let row = &mut g[lay.w_mhc + r * h1..lay.w_mhc + (r + 1) * h1];
                        for (o, d) in row.iter_mut().zip(gp) {
                            *o += x * d;
                        }
                    }
                }
            }
            step += 1;
            let c1 = 1.0 - beta1.powi(step);
            let c2 = 1.0 - beta2.powi(step);
            for i in 0..lay.len {
                let gi = g[i] + decay[i] * p[i];
                m[i] = beta1 * m[i] + (1.0 - beta1) * gi;
                s[i] = beta2 * s[i] + (1.0 - beta2) * gi * gi;
                p[i] -= lr * (m[i] / c1) / ((s[i] / c2).sqrt() + eps);
            }
        }
        if !valid.is_empty() {
            refresh(&p, &mut wpep);
            let err = validation_error(&p, &lay, &wpep, mhc_inputs, valid, h2);
            if best.as_ref().is_none_or(|b| err < b.0) {
                best = Some((err, epoch + 1, p.clone()));
            }
            let best_epoch = best.as_ref().map_or(0, |b| b.1);
            if config.patience > 0 && epoch + 1 >= best_epoch + config.patience {
                break;
            }
        }
    }
    let epoch = match best {
        Some((_, e, bp)) => {
            p = bp;
            e
        }
        None => epochs_run,
    };
    refresh(&p, &mut wpep);
    let mut n = Net2::zeros(h1, h2);
    n.w_pep = wpep;
    n.w_mhc = p[lay.w_mhc..lay.b1].to_vec();
    n.b1 = p[lay.b1..lay.w2].to_vec();
    n.w2 = p[lay.w2..lay.b2].to_vec();
    n.b2 = p[lay.b2..lay.w3].to_vec();
    n.w3 = p[lay.w3..lay.b3].to_vec();
    n.b3 = p[lay.b3];
    n.finish();
    Fit2 {
        net: n,
        epoch,
        epochs_run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binding::class2::allele::Class2Molecule;
    use crate::binding::class2::model::{Model2, MoleculeRecord, Projections2};
    use crate::binding::encoding::{encode_pseudo, random_peptides};

    /// Synthetic truth: a 15-mer binds when it holds the motif F at P1 and L at P9 (only one core holds both) at any
    /// offset. The network must learn the motif and find the core wherever it sits.
    #[test]
    fn learns_a_core_motif_at_any_offset_deterministically() {
        let pseudo = *b"QEFFIASGAAVDAIMWLFLECYDLQRATYHVGFT";
        let inputs = vec![encode_pseudo(&pseudo)];
        let mut examples = Vec::new();
        for (k, mut pep) in random_peptides(15, 3000, 3).into_iter().enumerate() {
            let binder = k % 2 == 0;
            if binder {
                let off = k % 7;
                pep[off] = b'F';
                pep[off + 8] = b'L';
            }
            examples.push(Example2 {
                molecule: 0,
                peptide: Peptide2::new(&pep).unwrap(),
                target: if binder { 0.8 } else { 0.1 },
            });
        }
        let config = Train2Config {
            hidden1: 16,
            hidden2: 8,
            epochs: 12,
            batch_size: 64,
            ..Train2Config::default()
        };
        let net = train_network2(&examples, &[], &inputs, &config, 9).net;
        assert_eq!(net, train_network2(&examples, &[], &inputs, &config, 9).net);
        let model = Model2 {
            networks: vec![net],
            molecules: vec![MoleculeRecord {
                molecule: Class2Molecule::parse("DRB1*01:01").unwrap(),
                measurements: 0,
            }],
            provenance: String::new(),
        };
        let proj = Projections2::new(&model, &pseudo);
        let pep = |s: &str| Peptide2::new(s.as_bytes()).unwrap();
        // Motif at offset 5 of an unseen peptide: the core found starts at the F.
        let binder = proj.score(&model, &pep("GSTPEFKNAASGQLR"));
        assert_eq!(binder.offset, 5);
        let scrambled = proj.score(&model, &pep("GSTPEAKNAFSGQRL"));
        assert!(
            binder.score > scrambled.score + 0.3,
            "{binder:?} {scrambled:?}"
        );
    }
}
