//! Choosing the training settings on one peptide fold: each candidate is fitted on the other
//! four folds and scored on fold 0 only, so the remaining folds stay untouched by the choice
//! (the report gives the CV figure over folds 1–4 separately).

use std::time::Instant;

use crate::binding::class2::evaluate::{mean_auc, Dataset2};
use crate::binding::class2::model::Combine;
use crate::binding::class2::train::Train2Config;

/// The fold settings are chosen on.
pub const SELECTION_FOLD: usize = 0;

/// A candidate setting, named by its differences from the previous shipped settings (64-32,
/// 30 epochs, one-hot core, no early stopping) with an ensemble of 4, so the name alone
/// reproduces it: `-`-separated tokens `h{H1}x{H2}` hidden
/// sizes, `n{N}` networks, `ep{N}` epochs, `stop{P}` early stopping with patience P on inner
/// fold k of 5, `blosum` BLOSUM62 core encoding, `lr{X}` learning rate, `lrf{X}` final
/// learning-rate fraction, `l2{X}`, `b{N}` batch size; `base` alone is the defaults.
pub struct Candidate {
    pub name: String,
    pub config: Train2Config,
}

impl Candidate {
    /// # Errors
    /// An unknown token.
    pub fn parse(name: &str) -> Result<Self, String> {
        let mut c = Train2Config {
            epochs: 30,
            ensemble: 4,
            blosum: false,
            ..Train2Config::default()
        };
        for t in name.split('-') {
            let bad = || format!("candidate {name}: cannot read '{t}'");
            let num = |prefix: &str| t[prefix.len()..].parse::<f64>().map_err(|_| bad());
            if t == "blosum" {
                c.blosum = true;
            } else if t == "base" {
                continue;
            } else if let Some(rest) = t.strip_prefix('h') {
                let (a, b) = rest.split_once('x').ok_or_else(bad)?;
                c.hidden1 = a.parse().map_err(|_| bad())?;
                c.hidden2 = b.parse().map_err(|_| bad())?;
            } else if t.starts_with("stop") {
                c.patience = num("stop")? as usize;
                c.inner_folds = 5;
            } else if t.starts_with("ep") {
                c.epochs = num("ep")? as usize;
            } else if t.starts_with("lrf") {
                c.lr_final = num("lrf")? as f32;
            } else if t.starts_with("lr") {
                c.learning_rate = num("lr")? as f32;
            } else if t.starts_with("l2") {
                c.l2 = num("l2")? as f32;
            } else if t.starts_with('n') {
                c.ensemble = num("n")? as usize;
            } else if t.starts_with('b') {
                c.batch_size = num("b")? as usize;
            } else {
                return Err(bad());
            }
        }
        if c.ensemble == 0 || c.epochs == 0 || c.hidden1 == 0 || c.hidden2 == 0 || c.batch_size == 0
        {
            return Err(format!("candidate {name}: sizes must be positive"));
        }
        Ok(Self {
            name: name.to_string(),
            config: c,
        })
    }

    /// The settings in words.
    pub fn describe(&self) -> String {
        let c = &self.config;
        let mut s = format!(
            "{}-{}, {} networks, {} epochs{}, lr {} → {}×, batch {}, L2 {}",
            c.hidden1,
            c.hidden2,
            c.ensemble,
            c.epochs,
            if c.inner_folds > 0 {
                format!(
                    " max, early stopping (patience {}, inner fold k of {})",
                    c.patience, c.inner_folds
                )
            } else {
                String::new()
            },
            c.learning_rate,
            c.lr_final,
            c.batch_size,
            c.l2
        );
        s.push_str(if c.blosum {
            ", BLOSUM62 core"
        } else {
            ", one-hot core"
        });
        s
    }
}

/// The header of the selection table.
pub const TABLE_HEADER: &str = "| candidate | settings | kept epoch / run, per member | AUC 1 net | AUC 2 nets | AUC 4 nets | AUC all, mean of best cores | AUC all, best core of mean | wall s |\n|---|---|---|---:|---:|---:|---:|---:|---:|\n";

/// Fits `c` without fold [`SELECTION_FOLD`] and returns its table row.
pub fn select_row(data: &Dataset2, c: &Candidate) -> String {
    let start = Instant::now();
    let test: Vec<usize> = (0..data.examples.len())
        .filter(|&i| data.fold[i] == SELECTION_FOLD)
        .collect();
    let (model, epochs) = data.fit(
        |i| data.fold[i] != SELECTION_FOLD,
        &c.config,
        c.config
            .seed
            .wrapping_add(1000 * (SELECTION_FOLD as u64 + 1) + 1),
    );
    let n = model.networks.len();
    let auc = |k: usize, rule: Combine| {
        let s = data.predict_with(&model, &test, k, rule);
        mean_auc(data, &test, &s).0
    };
    let epochs: Vec<String> = epochs.iter().map(|(e, r)| format!("{e}/{r}")).collect();
    format!(
        "| {} | {} | {} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {:.0} |\n",
        c.name,
        c.describe(),
        epochs.join(" "),
        auc(1, Combine::MeanOfBest),
        auc(2.min(n), Combine::MeanOfBest),
        auc(4.min(n), Combine::MeanOfBest),
        auc(n, Combine::MeanOfBest),
        auc(n, Combine::BestOfMean),
        start.elapsed().as_secs_f64()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_spell_settings_and_the_shipped_one_is_the_default() {
        let c = Candidate::parse("h32x16-n8-ep60-stop8-blosum-lr0.001-lrf0.05-b64").unwrap();
        let t = &c.config;
        assert_eq!(
            (t.hidden1, t.hidden2, t.ensemble, t.epochs),
            (32, 16, 8, 60)
        );
        assert_eq!((t.patience, t.inner_folds, t.batch_size), (8, 5, 64));
        assert!(t.blosum);
        assert_eq!((t.learning_rate, t.lr_final), (0.001, 0.05));
        let base = Candidate::parse("base").unwrap().config;
        assert_eq!((base.epochs, base.ensemble, base.blosum), (30, 4, false));
        assert_eq!(
            Candidate::parse("blosum-ep45").unwrap().config,
            Train2Config::default()
        );
        assert!(Candidate::parse("n0").is_err());
        assert!(Candidate::parse("wide").is_err());
    }
}
