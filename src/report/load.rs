//! Typed views of the stage summaries the report reads its headline from: only the fields
//! it shows, deserialised from each stage's JSON (other fields are ignored; a present field of
//! the wrong type is refused with the file named, never read as "not run").

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::{Headline, StageEntry};
use crate::error::{Error, Result};

/// `PREFIX.tmb.json`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TmbView {
    tmb: Option<f64>,
    /// `null` bounds (a non-finite value as serde_json writes it) make no interval.
    tmb_ci95: Option<[Option<f64>; 2]>,
    tmb_high: Option<bool>,
    threshold: Option<f64>,
    variants_counted: Option<u64>,
}

/// `PREFIX.msi.json`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MsiView {
    score: Option<f64>,
    status: Option<String>,
}

/// `PREFIX.hla.json`: per locus the two alleles, or none when undetermined.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct HlaView {
    alleles: BTreeMap<String, Option<Vec<String>>>,
}

/// `PREFIX.neoantigens.json`: the class I alleles scored.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NeoantigensView {
    alleles: Vec<String>,
}

/// `PREFIX.response.json`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ResponseView {
    samples: Vec<ResponseRow>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ResponseRow {
    sample: Option<String>,
    probability: Option<f64>,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
    tmb_only_probability: Option<f64>,
    features_used: Option<Vec<String>>,
    contributions: Option<Vec<Contribution>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Contribution {
    feature: Option<String>,
    logit: Option<f64>,
    observed: bool,
}

/// The typed view of `stage`'s summary, when the stage ran and wrote one.
fn view<T: DeserializeOwned>(
    stages: &BTreeMap<String, StageEntry>,
    stage: &str,
    file: &str,
) -> Result<Option<T>> {
    let Some(summary) = stages.get(stage).and_then(|s| s.summary.as_ref()) else {
        return Ok(None);
    };
    T::deserialize(summary)
        .map(Some)
        .map_err(|e| Error::invalid(file, None, format!("{stage} summary: {e}")))
}

/// Fills the headline fields that come from the JSON summaries (`file` names the sample's
/// prefix for messages).
///
/// # Errors
/// A summary with a field of the wrong type.
pub(super) fn headline(
    h: &mut Headline,
    stages: &BTreeMap<String, StageEntry>,
    sample: &str,
    file: &str,
) -> Result<()> {
    if let Some(t) = view::<TmbView>(stages, "tmb", &format!("{file}.tmb.json"))? {
        h.tmb = t.tmb;
        h.tmb_ci95 = t.tmb_ci95.and_then(|[a, b]| Some([a?, b?]));
        h.tmb_high = t.tmb_high;
        h.tmb_threshold = t.threshold;
        h.variants_counted = t.variants_counted;
    }
    if let Some(m) = view::<MsiView>(stages, "msi", &format!("{file}.msi.json"))? {
        h.msi_score = m.score;
        h.msi_status = m.status;
    }
    let short = |a: &str| a.trim_start_matches("HLA-").to_string();
    let mut typed_set: Vec<String> = Vec::new();
    if let Some(hla) = view::<HlaView>(stages, "hla", &format!("{file}.hla.json"))? {
        let mut parts = Vec::new();
        for locus in ["A", "B", "C"] {
            match hla.alleles.get(locus).and_then(Option::as_ref) {
                Some(list) => {
                    let names: Vec<String> = list.iter().map(|n| short(n)).collect();
                    typed_set.extend(names.iter().cloned());
                    parts.push(names.join("/"));
                }
                None => parts.push(format!("{locus} undetermined")),
            }
        }
        h.hla_typed = Some(parts.join(" "));
    }
    let neo = view::<NeoantigensView>(stages, "neoantigens", &format!("{file}.neoantigens.json"))?;
    if let Some(neo) = neo {
        let scored: Vec<String> = neo.alleles.iter().map(|n| short(n)).collect();
        if !scored.is_empty() {
            if h.hla_typed.is_some() {
                let mut t = typed_set.clone();
                t.sort();
                t.dedup();
                let mut g = scored.clone();
                g.sort();
                g.dedup();
                h.hla_disagree = Some(t != g);
            }
            h.hla_scored = Some(scored.join(" "));
        }
    }
    let response = view::<ResponseView>(stages, "response", &format!("{file}.response.json"))?;
    if let Some(r) = response {
        let row = r
            .samples
            .iter()
            .find(|x| x.sample.as_deref() == Some(sample))
            .or(r.samples.first());
        if let Some(row) = row {
            h.response_probability = row.probability;
            h.response_ci95 = row.ci_low.zip(row.ci_high).map(|(a, b)| [a, b]);
            h.response_tmb_only = row.tmb_only_probability;
            h.response_drivers = row.contributions.as_ref().map(|c| {
                c.iter()
                    .filter(|x| x.observed)
                    .take(3)
                    .filter_map(|x| Some(format!("{}({:+.2})", x.feature.as_ref()?, x.logit?)))
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            h.response_features = row.features_used.as_ref().map(|f| f.join(", "));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stages(stage: &str, summary: serde_json::Value) -> BTreeMap<String, StageEntry> {
        [(
            stage.to_string(),
            StageEntry {
                status: "ok",
                files: Vec::new(),
                summary: Some(summary),
            },
        )]
        .into_iter()
        .collect()
    }

    #[test]
    fn summaries_are_read_typed_and_a_wrong_type_is_refused() {
        let mut h = Headline::default();
        let s = stages(
            "tmb",
            serde_json::json!({"tmb": 12.5, "tmb_ci95": [10.0, null], "threshold": 10.0, "other": 1}),
        );
        headline(&mut h, &s, "S", "dir/S").unwrap();
        assert_eq!(
            (h.tmb, h.tmb_ci95, h.tmb_threshold),
            (Some(12.5), None, Some(10.0))
        );
        let s = stages("msi", serde_json::json!({"score": "high"}));
        let e = headline(&mut Headline::default(), &s, "S", "dir/S").unwrap_err();
        assert!(e.to_string().contains("dir/S.msi.json"), "{e}");
    }

    #[test]
    fn hla_undetermined_loci_and_the_disagreement_flag() {
        let mut s = stages(
            "hla",
            serde_json::json!({"alleles": {"A": ["HLA-A*02:01", "HLA-A*01:01"], "B": null}}),
        );
        s.extend(stages(
            "neoantigens",
            serde_json::json!({"alleles": ["HLA-A*02:01", "HLA-A*01:01"]}),
        ));
        let mut h = Headline::default();
        headline(&mut h, &s, "S", "S").unwrap();
        assert_eq!(
            h.hla_typed.as_deref(),
            Some("A*02:01/A*01:01 B undetermined C undetermined")
        );
        assert_eq!(h.hla_scored.as_deref(), Some("A*02:01 A*01:01"));
        assert_eq!(h.hla_disagree, Some(false));
    }
}
