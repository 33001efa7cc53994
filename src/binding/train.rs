//! Training one network by minibatch Adam on squared error of the score
//! `1 - ln(IC50)/ln(50000)` (MHCflurry's target). Single-threaded and seeded: the same
//! examples, settings and seed give the same weights bit for bit.

use serde::Serialize;

use crate::binding::encoding::{EncodedPeptide, SplitMix64, ALLELE_INPUTS, PEPTIDE_INPUTS};
use crate::binding::model::{sigmoid, Network};
use crate::binding::negatives::RandomNegatives;

/// Training settings, stored in the model's provenance.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrainConfig {
    pub hidden1: usize,
    pub hidden2: usize,
    /// Size of the allele embedding that modulates the peptide rows of the first layer (0:
    /// additive first layer, the version 1 model).
    pub embed: usize,
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
    /// Minibatches of one allele each (shuffled within the allele, batch order shuffled),
    /// instead of uniformly mixed ones: the folded allele table is then built once per batch.
    pub allele_batches: bool,
    /// Random negative peptides per epoch (see [`crate::binding::negatives`]): for each allele
    /// and length, `rate × measured pairs + constant`; rate 0 = none. Left out of the
    /// provenance when 0, so models trained without them keep their bytes.
    #[serde(skip_serializing_if = "is_zero")]
    pub random_negative_rate: f32,
    #[serde(skip_serializing_if = "is_zero_count")]
    pub random_negative_constant: usize,
    pub seed: u64,
}

fn is_zero(v: &f32) -> bool {
    *v == 0.0
}

fn is_zero_count(v: &usize) -> bool {
    *v == 0
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            hidden1: 64,
            hidden2: 16,
            embed: 0,
            epochs: 30,
            batch_size: 256,
            learning_rate: 2e-3,
            l2: 1e-6,
            l2_allele: 1e-6,
            ensemble: 4,
            allele_batches: false,
            random_negative_rate: 0.0,
            random_negative_constant: 0,
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
    d: usize,
    w_pep: usize,
    w_allele: usize,
    b1: usize,
    w2: usize,
    b2: usize,
    w3: usize,
    b3: usize,
    w_embed: usize,
    b_embed: usize,
    u_pep: usize,
    len: usize,
}

impl Layout {
    fn new(h1: usize, h2: usize, d: usize) -> Self {
        let last = if h2 > 0 { h2 } else { h1 };
        let w_pep = 0;
        let w_allele = w_pep + PEPTIDE_INPUTS * h1;
        let b1 = w_allele + ALLELE_INPUTS * h1;
        let w2 = b1 + h1;
        let b2 = w2 + h2 * h1;
        let w3 = b2 + h2;
        let b3 = w3 + last;
        let w_embed = b3 + 1;
        let b_embed = w_embed + d * ALLELE_INPUTS;
        let u_pep = b_embed + d;
        Self {
            h1,
            h2,
            d,
            w_pep,
            w_allele,
            b1,
            w2,
            b2,
            w3,
            b3,
            w_embed,
            b_embed,
            u_pep,
            len: u_pep + PEPTIDE_INPUTS * d * h1,
        }
    }

    fn is_bias(&self, i: usize) -> bool {
        (self.b1..self.w2).contains(&i)
            || (self.b2..self.w3).contains(&i)
            || i == self.b3
            || (self.b_embed..self.u_pep).contains(&i)
    }

    fn to_network(&self, p: &[f32]) -> Network {
        let mut n = Network {
            hidden1: self.h1,
            hidden2: self.h2,
            embed: self.d,
            w_pep: p[self.w_pep..self.w_allele].to_vec(),
            w_allele: p[self.w_allele..self.b1].to_vec(),
            b1: p[self.b1..self.w2].to_vec(),
            w2: p[self.w2..self.b2].to_vec(),
            b2: p[self.b2..self.w3].to_vec(),
            w3: p[self.w3..self.b3].to_vec(),
            b3: p[self.b3],
            w_embed: p[self.w_embed..self.b_embed].to_vec(),
            b_embed: p[self.b_embed..self.u_pep].to_vec(),
            u_pep: p[self.u_pep..self.len].to_vec(),
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
///
/// Each minibatch folds, for every allele it contains, the allele's peptide-row table
/// `W_pep + Σ_k e_k U[·,k]` once; the examples then use it as inference does, and the
/// gradient of the table is passed back to `W_pep`, `U` and the embedding once per batch.
/// With [`TrainConfig::allele_batches`] each batch holds one allele's examples, so the fold
/// costs about as much as a few examples.
pub fn train_network(
    examples: &[Example],
    allele_inputs: &[Vec<f32>],
    config: &TrainConfig,
    seed: u64,
) -> Network {
    let (h1, h2, d) = (config.hidden1, config.hidden2, config.embed);
    let lay = Layout::new(h1, h2, d);
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
    // Embedding pre-activations start near unit variance; the modulation U starts at half the
    // scale of the peptide rows, spread over the embedding values.
    for v in &mut p[lay.w_embed..lay.b_embed] {
        *v = uniform(&mut rng, (3.0 / (ALLELE_INPUTS as f32 * 0.3)).sqrt());
    }
    for v in &mut p[lay.u_pep..lay.len] {
        *v = uniform(&mut rng, 0.5 * (3.0f32 / 10.0 / d.max(1) as f32).sqrt());
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
    let table_len = PEPTIDE_INPUTS * h1;
    let mut slot_of = vec![u32::MAX; n_alleles];
    let mut present: Vec<u32> = Vec::new();
    let mut proj: Vec<f32> = Vec::new();
    let mut gproj: Vec<f32> = Vec::new();
    // Per present allele: embedding e (after tanh), its gradient, the folded peptide-row
    // table and the table's gradient (only when d > 0; otherwise W_pep is used directly).
    let mut emb: Vec<f32> = Vec::new();
    let mut gemb: Vec<f32> = Vec::new();
    let mut tables: Vec<f32> = Vec::new();
    let mut gtables: Vec<f32> = Vec::new();
    let mut pre = vec![0f32; h1];
    let mut a1 = vec![0f32; h1];
    let mut a2 = vec![0f32; h2];
    let mut d1 = vec![0f32; h1];
    let mut d2 = vec![0f32; h2];
    let mut order: Vec<usize> = (0..examples.len()).collect();
    // Examples of each allele, in input order (for allele batches).
    let mut by_allele: Vec<Vec<usize>> = vec![Vec::new(); n_alleles];
    for (i, ex) in examples.iter().enumerate() {
        by_allele[ex.allele as usize].push(i);
    }
    let mut batches: Vec<std::ops::Range<usize>> = Vec::new();
    // Random negatives: examples from index `n_real` on, redrawn every epoch from their own
    // generator (the main one's sequence is that of a run without them).
    let n_real = examples.len();
    let negatives = (config.random_negative_rate > 0.0 || config.random_negative_constant > 0)
        .then(|| {
            RandomNegatives::plan(
                examples,
                n_alleles,
                config.random_negative_rate,
                config.random_negative_constant,
            )
        });
    let mut with_negatives: Vec<Example> = Vec::new();

    for epoch in 0..config.epochs {
        let examples: &[Example] = if let Some(negs) = &negatives {
            with_negatives.clear();
            with_negatives.extend_from_slice(&examples[..n_real]);
            negs.draw(seed ^ 0x6E65_6761_7469_7665, epoch, &mut with_negatives);
            order.clear();
            order.extend(0..with_negatives.len());
            for list in &mut by_allele {
                list.clear();
            }
            for (i, ex) in with_negatives.iter().enumerate() {
                by_allele[ex.allele as usize].push(i);
            }
            &with_negatives
        } else {
            examples
        };
        batches.clear();
        if config.allele_batches {
            // Shuffle within each allele, cut into batches, then shuffle the batch order.
            order.clear();
            for list in &mut by_allele {
                for i in (1..list.len()).rev() {
                    let j = rng.below(i + 1);
                    list.swap(i, j);
                }
                for chunk in list.chunks(config.batch_size) {
                    batches.push(order.len()..order.len() + chunk.len());
                    order.extend_from_slice(chunk);
                }
            }
            for i in (1..batches.len()).rev() {
                let j = rng.below(i + 1);
                batches.swap(i, j);
            }
        } else {
            // Fisher–Yates with the seeded generator.
            for i in (1..order.len()).rev() {
                let j = rng.below(i + 1);
                order.swap(i, j);
            }
            let mut at = 0;
            while at < order.len() {
                let end = (at + config.batch_size).min(order.len());
                batches.push(at..end);
                at = end;
            }
        }
        let lr = config.learning_rate * (1.0 - 0.9 * epoch as f32 / config.epochs as f32);
        for range in &batches {
            let batch = &order[range.clone()];
            g.fill(0.0);
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
            let np = present.len();
            proj.clear();
            proj.resize(np * h1, 0.0);
            gproj.clear();
            gproj.resize(np * h1, 0.0);
            emb.clear();
            gemb.clear();
            gemb.resize(np * d, 0.0);
            if d > 0 {
                tables.clear();
                gtables.clear();
                gtables.resize(np * table_len, 0.0);
            }
            for (k, &a) in present.iter().enumerate() {
                let x = &allele_inputs[a as usize];
                let out = &mut proj[k * h1..(k + 1) * h1];
                for (r, &xv) in x.iter().enumerate() {
                    if xv != 0.0 {
                        let row = &p[lay.w_allele + r * h1..lay.w_allele + (r + 1) * h1];
                        for (o, w) in out.iter_mut().zip(row) {
                            *o += xv * w;
                        }
                    }
                }
                if d == 0 {
                    continue;
                }
                let e0 = emb.len();
                for kk in 0..d {
                    let at = lay.w_embed + kk * ALLELE_INPUTS;
                    let row = &p[at..at + ALLELE_INPUTS];
                    let z =
                        p[lay.b_embed + kk] + row.iter().zip(x).map(|(w, v)| w * v).sum::<f32>();
                    emb.push(z.tanh());
                }
                let t0 = tables.len();
                tables.extend_from_slice(&p[lay.w_pep..lay.w_allele]);
                let t = &mut tables[t0..];
                for r in 0..PEPTIDE_INPUTS {
                    let out = &mut t[r * h1..(r + 1) * h1];
                    for kk in 0..d {
                        let ek = emb[e0 + kk];
                        let at = lay.u_pep + (r * d + kk) * h1;
                        for (o, u) in out.iter_mut().zip(&p[at..at + h1]) {
                            *o += ek * u;
                        }
                    }
                }
            }
            let scale = 2.0 / batch.len() as f32;
            for &i in batch {
                let ex = &examples[i];
                let k = slot_of[ex.allele as usize] as usize;
                let (table, tbase) = if d > 0 {
                    (&tables[k * table_len..(k + 1) * table_len], 0)
                } else {
                    (&p[..], lay.w_pep)
                };
                // Forward.
                for ((o, a), b) in pre
                    .iter_mut()
                    .zip(&proj[k * h1..(k + 1) * h1])
                    .zip(&p[lay.b1..lay.w2])
                {
                    *o = a + b;
                }
                ex.peptide.for_each_input(|row, x| {
                    let w = &table[tbase + row * h1..tbase + (row + 1) * h1];
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
                // Backward. A random negative's target is an inequality (IC50 above the
                // bound): only a prediction stronger than the bound is penalised, since any
                // weaker one is consistent with what we know (the peptide is random, not
                // measured), and pulling it down to the bound would teach a false value.
                if i >= n_real && y <= ex.target {
                    continue;
                }
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
                        let dv = d2[k2];
                        if dv == 0.0 {
                            continue;
                        }
                        g[lay.b2 + k2] += dv;
                        let base = lay.w2 + k2 * h1;
                        for j in 0..h1 {
                            g[base + j] += dv * a1[j];
                            d1[j] += dv * p[base + j];
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
                for (gb, dv) in g[lay.b1..lay.w2].iter_mut().zip(&d1) {
                    *gb += dv;
                }
                for (gp, dv) in gproj[k * h1..(k + 1) * h1].iter_mut().zip(&d1) {
                    *gp += dv;
                }
                let (gt, gbase) = if d > 0 {
                    (&mut gtables[k * table_len..(k + 1) * table_len], 0)
                } else {
                    (&mut g[..], lay.w_pep)
                };
                ex.peptide.for_each_input(|row, x| {
                    let gw = &mut gt[gbase + row * h1..gbase + (row + 1) * h1];
                    for (o, dv) in gw.iter_mut().zip(&d1) {
                        *o += x * dv;
                    }
                });
            }
            for (k, &a) in present.iter().enumerate() {
                let x = &allele_inputs[a as usize];
                let gp = &gproj[k * h1..(k + 1) * h1];
                for (r, &xv) in x.iter().enumerate() {
                    if xv != 0.0 {
                        let row = &mut g[lay.w_allele + r * h1..lay.w_allele + (r + 1) * h1];
                        for (o, dv) in row.iter_mut().zip(gp) {
                            *o += xv * dv;
                        }
                    }
                }
                if d == 0 {
                    continue;
                }
                // The folded table's gradient back to W_pep, U and the embedding.
                let gt = &gtables[k * table_len..(k + 1) * table_len];
                for (o, v) in g[lay.w_pep..lay.w_allele].iter_mut().zip(gt) {
                    *o += v;
                }
                let e = &emb[k * d..(k + 1) * d];
                let ge = &mut gemb[k * d..(k + 1) * d];
                for r in 0..PEPTIDE_INPUTS {
                    let gr = &gt[r * h1..(r + 1) * h1];
                    if gr.iter().all(|&v| v == 0.0) {
                        continue;
                    }
                    for kk in 0..d {
                        let at = lay.u_pep + (r * d + kk) * h1;
                        let mut acc = 0.0;
                        for ((gu, u), gv) in g[at..at + h1].iter_mut().zip(&p[at..at + h1]).zip(gr)
                        {
                            *gu += e[kk] * gv;
                            acc += u * gv;
                        }
                        ge[kk] += acc;
                    }
                }
                for kk in 0..d {
                    let gz = ge[kk] * (1.0 - e[kk] * e[kk]);
                    g[lay.b_embed + kk] += gz;
                    let at = lay.w_embed + kk * ALLELE_INPUTS;
                    for (o, v) in g[at..at + ALLELE_INPUTS].iter_mut().zip(x) {
                        *o += gz * v;
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
