//! Random negative peptides for class I training, after MHCflurry (O'Donnell et al., Cell Syst
//! 2018;7:129 and 2020;11:42): each epoch, every allele gets freshly drawn random peptides of
//! each length as non-binders with an inequality target (IC50 > 20,000 nM), `rate × measured
//! pairs of that allele and length + constant` of them.
//!
//! Why: the measured pairs are chosen for testing and are binder-rich (most peptides in the
//! table bind some allele), so a network never sees what the bulk of random sequence looks
//! like to an allele. Random peptides are, with overwhelming odds, non-binders for any one
//! allele; teaching that per allele should sharpen the pocket-residue → motif mapping the
//! pan-allele path relies on.

use crate::binding::encoding::{
    random_peptides, EncodedPeptide, SplitMix64, MIN_LENGTH, N_LENGTHS,
};
use crate::binding::model::ic50_to_score;
use crate::binding::train::Example;

/// The inequality bound of a random negative: IC50 above this (nM).
pub const RANDOM_NEGATIVE_NM: f64 = 20_000.0;

/// How many random negatives each (allele, length) gets per epoch.
#[derive(Debug, Clone)]
pub struct RandomNegatives {
    /// (allele index, peptide length, count), in allele then length order.
    plan: Vec<(u32, usize, usize)>,
    /// Score of [`RANDOM_NEGATIVE_NM`]: a negative's prediction is penalised only above it.
    pub bound: f32,
}

impl RandomNegatives {
    /// Counts from the measured `examples` of each allele and length (alleles without
    /// examples get none: they are not part of this fit).
    pub fn plan(examples: &[Example], n_alleles: usize, rate: f32, constant: usize) -> Self {
        let mut counts = vec![[0usize; N_LENGTHS]; n_alleles];
        for ex in examples {
            counts[ex.allele as usize][usize::from(ex.peptide.length_index)] += 1;
        }
        let mut plan = Vec::new();
        for (a, per_length) in counts.iter().enumerate() {
            if per_length.iter().all(|&c| c == 0) {
                continue;
            }
            for (l, &c) in per_length.iter().enumerate() {
                let n = (rate * c as f32).round() as usize + constant;
                if n > 0 {
                    plan.push((a as u32, MIN_LENGTH + l, n));
                }
            }
        }
        Self {
            plan,
            bound: ic50_to_score(RANDOM_NEGATIVE_NM) as f32,
        }
    }

    /// Negatives per epoch.
    pub fn per_epoch(&self) -> usize {
        self.plan.iter().map(|p| p.2).sum()
    }

    /// Appends this epoch's negatives to `out` (target = [`Self::bound`]); the peptides depend
    /// only on `seed`, `epoch` and the plan, so training stays reproducible.
    pub fn draw(&self, seed: u64, epoch: usize, out: &mut Vec<Example>) {
        for &(allele, length, n) in &self.plan {
            let mut mix = SplitMix64::new(
                seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
                    ^ u64::from(allele).wrapping_mul(0xD1B5_4A32_D192_ED03),
            );
            let s = mix.next_u64();
            for pep in random_peptides(length, n, s) {
                if let Ok(peptide) = EncodedPeptide::new(&pep) {
                    out.push(Example {
                        allele,
                        peptide,
                        target: self.bound,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(allele: u32, pep: &str) -> Example {
        Example {
            allele,
            peptide: EncodedPeptide::new(pep.as_bytes()).unwrap(),
            target: 0.5,
        }
    }

    #[test]
    fn counts_follow_rate_and_constant_per_allele_and_length() {
        // Allele 0: three 9-mers and one 10-mer; allele 1: none; allele 2: two 8-mers.
        let examples = [
            ex(0, "SIINFEKLM"),
            ex(0, "GILGFVFTL"),
            ex(0, "NLVPMVATV"),
            ex(0, "KLVALGINAV"),
            ex(2, "SIINFEKL"),
            ex(2, "GILGFVFT"),
        ];
        let negs = RandomNegatives::plan(&examples, 3, 1.0, 2);
        // Allele 0: 8-mers 0+2, 9-mers 3+2, 10-mers 1+2, 11-mers 0+2; allele 2: 2+2, 2, 2, 2.
        assert_eq!(
            negs.plan,
            vec![
                (0, 8, 2),
                (0, 9, 5),
                (0, 10, 3),
                (0, 11, 2),
                (2, 8, 4),
                (2, 9, 2),
                (2, 10, 2),
                (2, 11, 2),
            ]
        );
        assert_eq!(negs.per_epoch(), 22);
        // ln(20000)/ln(50000) = 9.9035/10.8198 = 0.91531, so the bound is 0.08469.
        assert!((negs.bound - 0.08469).abs() < 1e-4, "{}", negs.bound);
    }

    #[test]
    fn draws_are_fresh_per_epoch_and_reproducible() {
        let examples = [ex(0, "SIINFEKLM"), ex(1, "GILGFVFTL")];
        let negs = RandomNegatives::plan(&examples, 2, 0.0, 10);
        let draw = |epoch| {
            let mut v = Vec::new();
            negs.draw(7, epoch, &mut v);
            v.iter()
                .map(|e| (e.allele, e.peptide.slots, e.peptide.length_index))
                .collect::<Vec<_>>()
        };
        let (e0, e1) = (draw(0), draw(1));
        assert_eq!(e0.len(), 80);
        assert_eq!(e0, draw(0), "same seed and epoch, same peptides");
        assert_ne!(e0, e1, "another epoch, other peptides");
        // The two alleles do not share their peptides either.
        assert_ne!(e0[..10], e0[40..50]);
    }

    /// Only binders are measured (allele 0 binds L at P2 and V at PΩ): without negatives the
    /// network has no reason to score anything low; with them, peptides without the motif
    /// must fall near the bound while motif peptides stay high.
    #[test]
    fn negatives_teach_what_does_not_bind() {
        use crate::binding::encoding::encode_pseudo;
        use crate::binding::train::{train_network, TrainConfig};
        let pseudo = *b"YFAMYGEKVAHTHVDTLYVRYHYYTWAVLAYTWY";
        let inputs = vec![encode_pseudo(&pseudo)];
        let examples: Vec<Example> = random_peptides(9, 600, 3)
            .into_iter()
            .map(|mut p| {
                p[1] = b'L';
                p[8] = b'V';
                Example {
                    allele: 0,
                    peptide: EncodedPeptide::new(&p).unwrap(),
                    target: 0.8,
                }
            })
            .collect();
        let mean_score = |config: &TrainConfig, motif: bool| {
            let net = train_network(&examples, &inputs, config, 11);
            let model = crate::binding::model::Model {
                networks: vec![net],
                alleles: Vec::new(),
                provenance: String::new(),
            };
            let proj = crate::binding::model::AlleleProjections::new(&model, &pseudo);
            let scorer = proj.scorer(&model);
            // Fresh peptides (another seed), with the motif or with other residues there.
            let peps: Vec<Vec<u8>> = random_peptides(9, 200, 99)
                .into_iter()
                .map(|mut p| {
                    if motif {
                        p[1] = b'L';
                        p[8] = b'V';
                    } else {
                        p[1] = if p[1] == b'L' { b'S' } else { p[1] };
                        p[8] = if p[8] == b'V' { b'D' } else { p[8] };
                    }
                    p
                })
                .collect();
            peps.iter()
                .map(|p| f64::from(scorer.score(&EncodedPeptide::new(p).unwrap())))
                .sum::<f64>()
                / peps.len() as f64
        };
        let base = TrainConfig {
            hidden1: 16,
            hidden2: 8,
            epochs: 30,
            batch_size: 64,
            ..TrainConfig::default()
        };
        let with = TrainConfig {
            random_negative_rate: 1.0,
            random_negative_constant: 0,
            ..base.clone()
        };
        let (plain, neg) = (mean_score(&base, false), mean_score(&with, false));
        assert!(
            plain > 0.5,
            "without negatives everything looks bound: {plain}"
        );
        assert!(neg < 0.25, "non-motif peptides scored {neg} with negatives");
        let kept = mean_score(&with, true);
        assert!(
            kept > neg + 0.3,
            "motif peptides {kept} vs others {neg}: the motif must stay apart"
        );
    }
}
