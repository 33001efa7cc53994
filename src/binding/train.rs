//! Training one network by minibatch Adam on squared error of the score
//! `1 - ln(IC50)/ln(50000)` (MHCflurry's target). Single-threaded and seeded: the same
//! examples, settings and seed give the same weights bit for bit.

use serde::Serialize;

use crate::binding::encoding::{EncodedPeptide, SplitMix64, ALLELE_INPUTS, PEPTIDE_INPUTS};
use crate::binding::model::{sigmoid, Network};

/// Training settings, stored in the model's provenance.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrainConfig {
    pub hidden1: usize,
    pub hidden2: usize,
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f32,
    /// L2 penalty on weights (not biases), added to the gradient.
    pub l2: f32,
    /// L2 penalty on the allele weights of the first layer: larger values make the network
    /// lean on pocket residues shared by many alleles (better for alleles without data).
    pub l2_allele: f32,
    /// Networks in the ensemble, each trained from its own seed.
    pub ensemble: usize,
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            hidden1: 64,
            hidden2: 32,
            epochs: 30,
            batch_size: 256,
            learning_rate: 2e-3,
            l2: 1e-6,
            l2_allele: 1e-6,
            ensemble: 1,
            seed: 20_240_501,
        }
    }
}

/// One training example: allele index into the allele input table, peptide, target score.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    pub allele: u32,
    pub peptide: EncodedPeptide,
    pub target: f32,
}

/// Offsets of each parameter block in the flat parameter vector.
struct Layout {
    h1: usize,
    h2: usize,
    w_pep: usize,
    w_allele: usize,
    b1: usize,
    w2: usize,
    b2: usize,
    w3: usize,
    b3: usize,
    len: usize,
}

impl Layout {
    fn new(h1: usize, h2: usize) -> Self {
        let last = if h2 > 0 { h2 } else { h1 };
        let w_pep = 0;
        let w_allele = w_pep + PEPTIDE_INPUTS * h1;
        let b1 = w_allele + ALLELE_INPUTS * h1;
        let w2 = b1 + h1;
        let b2 = w2 + h2 * h1;
        let w3 = b2 + h2;
        let b3 = w3 + last;
        Self {
            h1,
            h2,
            w_pep,
            w_allele,
            b1,
            w2,
            b2,
            w3,
            b3,
            len: b3 + 1,
        }
    }

    fn is_bias(&self, i: usize) -> bool {
        (self.b1..self.w2).contains(&i) || (self.b2..self.w3).contains(&i) || i == self.b3
    }

    fn to_network(&self, p: &[f32]) -> Network {
        let mut n = Network {
            hidden1: self.h1,
            hidden2: self.h2,
            w_pep: p[self.w_pep..self.w_allele].to_vec(),
            w_allele: p[self.w_allele..self.b1].to_vec(),
            b1: p[self.b1..self.w2].to_vec(),
            w2: p[self.w2..self.b2].to_vec(),
            b2: p[self.b2..self.w3].to_vec(),
            w3: p[self.w3..self.b3].to_vec(),
            b3: p[self.b3],
            w2t: Vec::new(),
        };
        n.finish();
        n
    }
}

/// Uniform in [-a, a).
fn uniform(rng: &mut SplitMix64, a: f32) -> f32 {
    ((rng.next_f64() * 2.0 - 1.0) as f32) * a
}

/// Trains one network on `examples`; `allele_inputs[i]` is the encoded pseudo-sequence of
/// allele index `i`.
pub fn train_network(
    examples: &[Example],
    allele_inputs: &[Vec<f32>],
    config: &TrainConfig,
    seed: u64,
) -> Network {
    let (h1, h2) = (config.hidden1, config.hidden2);
    let lay = Layout::new(h1, h2);
    let mut rng = SplitMix64::new(seed);
    let mut p = vec![0f32; lay.len];
    // Scales chosen so each first-layer pre-activation starts with variance near 1: about ten
    // one-hot peptide rows, and 680 allele inputs of mean square ~0.3.
    for v in &mut p[lay.w_pep..lay.w_allele] {
        *v = uniform(&mut rng, (3.0f32 / 10.0).sqrt());
    }
    for v in &mut p[lay.w_allele..lay.b1] {
        *v = uniform(&mut rng, (3.0 / (ALLELE_INPUTS as f32 * 0.3)).sqrt());
    }
    for v in &mut p[lay.w2..lay.b2] {
        *v = uniform(&mut rng, (6.0 / h1 as f32).sqrt());
    }
    let last = if h2 > 0 { h2 } else { h1 };
    for v in &mut p[lay.w3..lay.b3] {
        *v = uniform(&mut rng, (3.0 / last as f32).sqrt());
    }
    let mut g = vec![0f32; lay.len];
    let mut m = vec![0f32; lay.len];
    let mut s = vec![0f32; lay.len];
    let decay: Vec<f32> = (0..lay.len)
        .map(|i| {
            if lay.is_bias(i) {
                0.0
            } else if (lay.w_allele..lay.b1).contains(&i) {
                config.l2_allele
            } else {
                config.l2
            }
        })
        .collect();
    let (beta1, beta2, eps) = (0.9f32, 0.999f32, 1e-7f32);
    let mut step = 0i32;

    let n_alleles = allele_inputs.len();
    let mut slot_of = vec![u32::MAX; n_alleles];
    let mut present: Vec<u32> = Vec::new();
    let mut proj: Vec<f32> = Vec::new();
    let mut gproj: Vec<f32> = Vec::new();
    let mut pre = vec![0f32; h1];
    let mut a1 = vec![0f32; h1];
    let mut a2 = vec![0f32; h2];
    let mut d1 = vec![0f32; h1];
    let mut d2 = vec![0f32; h2];
    let mut order: Vec<usize> = (0..examples.len()).collect();

    for epoch in 0..config.epochs {
        // Fisher–Yates with the seeded generator.
        for i in (1..order.len()).rev() {
            let j = rng.below(i + 1);
            order.swap(i, j);
        }
        let lr = config.learning_rate * (1.0 - 0.9 * epoch as f32 / config.epochs as f32);
        for batch in order.chunks(config.batch_size) {
            g.fill(0.0);
            // Allele projections (without bias) for the alleles in this batch.
            for &a in &present {
                slot_of[a as usize] = u32::MAX;
            }
            present.clear();
            for &i in batch {
                let a = examples[i].allele;
                if slot_of[a as usize] == u32::MAX {
                    slot_of[a as usize] = present.len() as u32;
                    present.push(a);
                }
            }
            proj.clear();
            proj.resize(present.len() * h1, 0.0);
            gproj.clear();
            gproj.resize(present.len() * h1, 0.0);
            for (k, &a) in present.iter().enumerate() {
                let out = &mut proj[k * h1..(k + 1) * h1];
                for (r, &x) in allele_inputs[a as usize].iter().enumerate() {
                    if x != 0.0 {
                        let row = &p[lay.w_allele + r * h1..lay.w_allele + (r + 1) * h1];
                        for (o, w) in out.iter_mut().zip(row) {
                            *o += x * w;
                        }
                    }
                }
            }
            let scale = 2.0 / batch.len() as f32;
            for &i in batch {
                let ex = &examples[i];
                let k = slot_of[ex.allele as usize] as usize;
                // Forward.
                for ((o, a), b) in pre
                    .iter_mut()
                    .zip(&proj[k * h1..(k + 1) * h1])
                    .zip(&p[lay.b1..lay.w2])
                {
                    *o = a + b;
                }
                ex.peptide.for_each_input(|row, x| {
                    let w = &p[lay.w_pep + row * h1..lay.w_pep + (row + 1) * h1];
                    for (o, w) in pre.iter_mut().zip(w) {
                        *o += x * w;
                    }
                });
                for (a, &z) in a1.iter_mut().zip(&pre) {
                    *a = z.max(0.0);
                }
                let z = if h2 > 0 {
                    for (k2, o) in a2.iter_mut().enumerate() {
                        let row = &p[lay.w2 + k2 * h1..lay.w2 + (k2 + 1) * h1];
                        let mut acc = p[lay.b2 + k2];
                        for (w, a) in row.iter().zip(&a1) {
                            acc += w * a;
                        }
                        *o = acc.max(0.0);
                    }
                    a2.iter()
                        .zip(&p[lay.w3..lay.b3])
                        .map(|(a, w)| a * w)
                        .sum::<f32>()
                        + p[lay.b3]
                } else {
                    a1.iter()
                        .zip(&p[lay.w3..lay.b3])
                        .map(|(a, w)| a * w)
                        .sum::<f32>()
                        + p[lay.b3]
                };
                let y = sigmoid(z);
                // Backward.
                let dz = scale * (y - ex.target) * y * (1.0 - y);
                g[lay.b3] += dz;
                if h2 > 0 {
                    for k2 in 0..h2 {
                        g[lay.w3 + k2] += dz * a2[k2];
                        d2[k2] = if a2[k2] > 0.0 {
                            dz * p[lay.w3 + k2]
                        } else {
                            0.0
                        };
                    }
                    d1.fill(0.0);
                    for k2 in 0..h2 {
                        let d = d2[k2];
                        if d == 0.0 {
                            continue;
                        }
                        g[lay.b2 + k2] += d;
                        let base = lay.w2 + k2 * h1;
                        for j in 0..h1 {
                            g[base + j] += d * a1[j];
                            d1[j] += d * p[base + j];
                        }
                    }
                    for j in 0..h1 {
                        if a1[j] <= 0.0 {
                            d1[j] = 0.0;
                        }
                    }
                } else {
                    for j in 0..h1 {
                        g[lay.w3 + j] += dz * a1[j];
                        d1[j] = if a1[j] > 0.0 { dz * p[lay.w3 + j] } else { 0.0 };
                    }
                }
                for (gb, d) in g[lay.b1..lay.w2].iter_mut().zip(&d1) {
                    *gb += d;
                }
                for (gp, d) in gproj[k * h1..(k + 1) * h1].iter_mut().zip(&d1) {
                    *gp += d;
                }
                ex.peptide.for_each_input(|row, x| {
                    let gw = &mut g[lay.w_pep + row * h1..lay.w_pep + (row + 1) * h1];
                    for (o, d) in gw.iter_mut().zip(&d1) {
                        *o += x * d;
                    }
                });
            }
            for (k, &a) in present.iter().enumerate() {
                let gp = &gproj[k * h1..(k + 1) * h1];
                for (r, &x) in allele_inputs[a as usize].iter().enumerate() {
                    if x != 0.0 {
                        let row = &mut g[lay.w_allele + r * h1..lay.w_allele + (r + 1) * h1];
                        for (o, d) in row.iter_mut().zip(gp) {
                            *o += x * d;
                        }
                    }
                }
            }
            // Adam.
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
    lay.to_network(&p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binding::encoding::{encode_pseudo, random_peptides};
    use crate::binding::model::{AlleleProjections, AlleleRecord, Model};
    use crate::binding::HlaAllele;

    /// Synthetic truth: allele 0 binds peptides with L at P2 and V at PΩ, allele 1 those with
    /// E at P2 and K at PΩ (different pockets). The model must learn both from the pseudo-
    /// sequences alone and rank held-out peptides accordingly.
    fn synthetic() -> (Vec<Example>, Vec<Vec<f32>>, Vec<[u8; 34]>) {
        let pseudos = [
            *b"YFAMYGEKVAHTHVDTLYVRYHYYTWAVLAYTWY",
            *b"YYSEYRNIYAQTDESNLYLSYDYYTWAERAYEWY",
        ];
        let inputs: Vec<Vec<f32>> = pseudos.iter().map(|p| encode_pseudo(p)).collect();
        let mut ex = Vec::new();
        for (k, pep) in random_peptides(9, 4000, 1).into_iter().enumerate() {
            let a = (k % 2) as u32;
            let mut pep = pep;
            // Half the peptides get the allele's motif.
            if k % 4 < 2 {
                let (p2, pw) = if a == 0 { (b'L', b'V') } else { (b'E', b'K') };
                pep[1] = p2;
                pep[8] = pw;
            }
            let motif = if a == 0 {
                pep[1] == b'L' && pep[8] == b'V'
            } else {
                pep[1] == b'E' && pep[8] == b'K'
            };
            let target = if motif { 0.8 } else { 0.1 };
            ex.push(Example {
                allele: a,
                peptide: EncodedPeptide::new(&pep).unwrap(),
                target,
            });
        }
        (ex, inputs, pseudos.to_vec())
    }

    #[test]
    fn learns_allele_specific_motifs_deterministically() {
        let (ex, inputs, pseudos) = synthetic();
        let config = TrainConfig {
            hidden1: 16,
            hidden2: 8,
            epochs: 15,
            batch_size: 64,
            ..TrainConfig::default()
        };
        let net = train_network(&ex, &inputs, &config, 5);
        assert_eq!(
            net,
            train_network(&ex, &inputs, &config, 5),
            "same seed, same weights"
        );
        let model = Model {
            networks: vec![net],
            alleles: vec![
                AlleleRecord {
                    allele: HlaAllele::parse("A*02:01").unwrap(),
                    pseudo: pseudos[0],
                    measurements: 0,
                },
                AlleleRecord {
                    allele: HlaAllele::parse("B*07:02").unwrap(),
                    pseudo: pseudos[1],
                    measurements: 0,
                },
            ],
            provenance: String::new(),
        };
        let (p0, p1) = (
            AlleleProjections::new(&model, &pseudos[0]),
            AlleleProjections::new(&model, &pseudos[1]),
        );
        let (s0, s1) = (p0.scorer(&model), p1.scorer(&model));
        let enc = |p: &str| EncodedPeptide::new(p.as_bytes()).unwrap();
        // Unseen peptides: each allele prefers its own motif.
        assert!(s0.score(&enc("GLSDTWAPV")) > s0.score(&enc("GESDTWAPK")) + 0.3);
        assert!(s1.score(&enc("GESDTWAPK")) > s1.score(&enc("GLSDTWAPV")) + 0.3);
    }
}
