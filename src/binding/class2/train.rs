//! Training one class II network: minibatch Adam on squared error, with NN-align's core
//! search inside the loop (each example's highest-scoring core under the current weights is the
//! one the gradient flows through). Single-threaded and seeded: bit-for-bit reproducible.

use serde::Serialize;

use crate::binding::class2::encoding::{Peptide2, PEPTIDE_INPUTS};
use crate::binding::class2::model::Net2;
use crate::binding::encoding::{SplitMix64, ALLELE_INPUTS};
use crate::binding::model::sigmoid;

/// Training settings, stored in the model's provenance.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Train2Config {
    pub hidden1: usize,
    pub hidden2: usize,
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f32,
    pub l2: f32,
    pub ensemble: usize,
    pub seed: u64,
}

impl Default for Train2Config {
    fn default() -> Self {
        Self {
            hidden1: 64,
            hidden2: 32,
            epochs: 30,
            batch_size: 128,
            learning_rate: 2e-3,
            l2: 1e-6,
            ensemble: 2,
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

/// Forward pass of one core: fills `pre` (first-layer pre-activations) and `a2`; returns z.
#[allow(clippy::too_many_arguments)]
fn forward(
    p: &[f32],
    lay: &Layout,
    proj: &[f32],
    pep: &Peptide2,
    offset: usize,
    pre: &mut [f32],
    a2: &mut [f32],
) -> f32 {
    let h1 = lay.h1;
    pre.copy_from_slice(proj);
    pep.for_each_input(offset, |row, x| {
        for (o, w) in pre.iter_mut().zip(&p[row * h1..(row + 1) * h1]) {
            *o += x * w;
        }
    });
    let mut z = p[lay.b3];
    for (k, o) in a2.iter_mut().enumerate() {
        let row = &p[lay.w2 + k * h1..lay.w2 + (k + 1) * h1];
        let mut acc = p[lay.b2 + k];
        for (w, a) in row.iter().zip(pre.iter()) {
            acc += w * a.max(0.0);
        }
        *o = acc.max(0.0);
        z += *o * p[lay.w3 + k];
    }
    z
}

/// Trains one network; `mhc_inputs[i]` is the encoded pseudo-sequence of molecule `i`.
pub fn train_network2(
    examples: &[Example2],
    mhc_inputs: &[Vec<f32>],
    config: &Train2Config,
    seed: u64,
) -> Net2 {
    let (h1, h2) = (config.hidden1, config.hidden2);
    let lay = Layout::new(h1, h2);
    let mut rng = SplitMix64::new(seed);
    let mut p = vec![0f32; lay.len];
    // First-layer pre-activations start near unit variance: ~15 sparse peptide rows, 680
    // BLOSUM inputs of mean square ~0.3.
    for v in &mut p[..lay.w_mhc] {
        *v = uniform(&mut rng, (3.0f32 / 15.0).sqrt());
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
    let mut d1 = vec![0f32; h1];
    let mut order: Vec<usize> = (0..examples.len()).collect();

    for epoch in 0..config.epochs {
        for i in (1..order.len()).rev() {
            let j = rng.below(i + 1);
            order.swap(i, j);
        }
        let lr = config.learning_rate * (1.0 - 0.9 * epoch as f32 / config.epochs as f32);
        for batch in order.chunks(config.batch_size) {
            g.fill(0.0);
            used.fill(false);
            for &i in batch {
                used[examples[i].molecule as usize] = true;
            }
            // Molecule projections (with b1) for the molecules in this batch.
            for (k, _) in used.iter().enumerate().filter(|(_, &u)| u) {
                let out = &mut proj[k * h1..(k + 1) * h1];
                out.copy_from_slice(&p[lay.b1..lay.w2]);
                for (r, &x) in mhc_inputs[k].iter().enumerate() {
                    if x != 0.0 {
                        let row = &p[lay.w_mhc + r * h1..lay.w_mhc + (r + 1) * h1];
                        for (o, w) in out.iter_mut().zip(row) {
                            *o += x * w;
                        }
                    }
                }
                gproj[k * h1..(k + 1) * h1].fill(0.0);
            }
            let scale = 2.0 / batch.len() as f32;
            for &i in batch {
                let ex = &examples[i];
                let k = ex.molecule as usize;
                let pj = &proj[k * h1..(k + 1) * h1];
                // Core search under the current weights.
                let mut best = (f32::MIN, 0usize);
                for c in 0..ex.peptide.n_cores() {
                    let z = forward(&p, &lay, pj, &ex.peptide, c, &mut pre, &mut a2);
                    if z > best.0 {
                        best = (z, c);
                    }
                }
                let z = forward(&p, &lay, pj, &ex.peptide, best.1, &mut pre, &mut a2);
                let y = sigmoid(z);
                let dz = scale * (y - ex.target) * y * (1.0 - y);
                g[lay.b3] += dz;
                d1.fill(0.0);
                for k2 in 0..h2 {
                    g[lay.w3 + k2] += dz * a2[k2];
                    if a2[k2] <= 0.0 {
                        continue;
                    }
                    let d = dz * p[lay.w3 + k2];
                    g[lay.b2 + k2] += d;
                    let base = lay.w2 + k2 * h1;
                    for j in 0..h1 {
                        if pre[j] > 0.0 {
                            g[base + j] += d * pre[j];
                            d1[j] += d * p[base + j];
                        }
                    }
                }
                for (gb, d) in g[lay.b1..lay.w2].iter_mut().zip(&d1) {
                    *gb += d;
                }
                for (gp, d) in gproj[k * h1..(k + 1) * h1].iter_mut().zip(&d1) {
                    *gp += d;
                }
                ex.peptide.for_each_input(best.1, |row, x| {
                    for (o, d) in g[row * h1..(row + 1) * h1].iter_mut().zip(&d1) {
                        *o += x * d;
                    }
                });
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
    }
    let mut n = Net2::zeros(h1, h2);
    n.w_pep = p[..lay.w_mhc].to_vec();
    n.w_mhc = p[lay.w_mhc..lay.b1].to_vec();
    n.b1 = p[lay.b1..lay.w2].to_vec();
    n.w2 = p[lay.w2..lay.b2].to_vec();
    n.b2 = p[lay.b2..lay.w3].to_vec();
    n.w3 = p[lay.w3..lay.b3].to_vec();
    n.b3 = p[lay.b3];
    n.finish();
    n
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
        let net = train_network2(&examples, &inputs, &config, 9);
        assert_eq!(net, train_network2(&examples, &inputs, &config, 9));
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
