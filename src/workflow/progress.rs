//! `run`'s per-stage progress bars (one bar per stage, counting samples), or log lines when
//! stderr is not a terminal.

use std::collections::BTreeMap;
use std::io::IsTerminal;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use super::outcome::Outcome;

pub(super) struct Progress {
    multi: Option<MultiProgress>,
    bars: BTreeMap<&'static str, ProgressBar>,
}

impl Progress {
    pub(super) fn new(stages: &[&'static str], samples: u64, dry_run: bool) -> Self {
        let visible = !dry_run && shows_progress_bars();
        if !visible {
            return Progress {
                multi: None,
                bars: BTreeMap::new(),
            };
        }
        // The binary's one set of bars, so log lines are printed above these bars.
        let multi = crate::progress::multi().clone();
        let style = ProgressStyle::with_template(
            "{msg:>12} [{bar:30}] {percent:>3}% {pos}/{len} samples {elapsed} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        let bars = stages
            .iter()
            .map(|s| {
                let b = multi.add(ProgressBar::new(samples).with_style(style.clone()));
                b.set_message(s.to_string());
                (*s, b)
            })
            .collect();
        Progress {
            multi: Some(multi),
            bars,
        }
    }
    pub(super) fn done(&self, sample: &str, stage: &'static str, outcome: &Outcome) {
        if let Some(b) = self.bars.get(stage) {
            b.inc(1);
            if let (Outcome::Failed(e), Some(m)) = (outcome, &self.multi) {
                let _ = m.println(format!("{sample} {stage}: FAILED: {e}"));
            }
        } else if !matches!(outcome, Outcome::WouldRun(_)) {
            match outcome {
                Outcome::Failed(_) => log::error!("{sample} {stage}: {}", outcome.describe()),
                _ => log::info!("{sample} {stage}: {}", outcome.describe()),
            }
        }
    }
    pub(super) fn finish(&self) {
        for b in self.bars.values() {
            b.finish();
        }
    }
}

/// Whether `run` draws per-stage progress bars (stderr is a terminal and not `--quiet`). The
/// command line then keeps the stages' own log lines to warnings, so they do not tear the bars.
pub fn shows_progress_bars() -> bool {
    !crate::progress::is_quiet() && std::io::stderr().is_terminal()
}
