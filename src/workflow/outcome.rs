//! What `run` reports: each stage's outcome per sample, and their summary.

/// What happened to one stage of one sample.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Ran { seconds: f64, reason: String },
    WouldRun(String),
    UpToDate,
    NotApplicable(String),
    NotSelected,
    Blocked(String),
    Failed(String),
}

impl Outcome {
    pub(super) fn bad(&self) -> bool {
        matches!(self, Outcome::Failed(_) | Outcome::Blocked(_))
    }
    pub(super) fn will_change(&self) -> bool {
        matches!(self, Outcome::Ran { .. } | Outcome::WouldRun(_))
    }
    pub(super) fn describe(&self) -> String {
        match self {
            Outcome::Ran { seconds, reason } => format!("ran in {seconds:.2} s ({reason})"),
            Outcome::WouldRun(r) => format!("would run ({r})"),
            Outcome::UpToDate => "up to date".into(),
            Outcome::NotApplicable(r) => format!("not applicable: {r}"),
            Outcome::NotSelected => "not selected".into(),
            Outcome::Blocked(r) => format!("blocked: {r}"),
            Outcome::Failed(e) => format!("FAILED: {e}"),
        }
    }
}

/// Per sample, per stage (in pipeline order).
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub samples: Vec<(String, Vec<(&'static str, Outcome)>)>,
    /// The dry-run plan as text (command lines included).
    pub plan_text: String,
}

impl RunSummary {
    pub fn failures(&self) -> Vec<(String, &'static str, String)> {
        self.samples
            .iter()
            .flat_map(|(s, stages)| {
                stages.iter().filter_map(move |(st, o)| match o {
                    Outcome::Failed(e) => Some((s.clone(), *st, e.clone())),
                    _ => None,
                })
            })
            .collect()
    }
    pub fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.samples
            .iter()
            .flat_map(|(_, s)| s.iter())
            .filter(|(_, o)| f(o))
            .count()
    }
}
