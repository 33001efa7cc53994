//! Reconciles contig names between files that name them differently (`chr1` / `1`,
//! `chrM` / `MT`), only where the match is unambiguous.

use std::collections::{BTreeMap, BTreeSet};

/// Maps names used by one file onto the names of another (the "target" set).
#[derive(Debug, Clone)]
pub struct ContigMatcher {
    targets: BTreeSet<String>,
    by_key: BTreeMap<String, Vec<String>>,
}

/// The name with any `chr` prefix dropped and the mitochondrion spelled one way.
fn key(name: &str) -> String {
    let bare = name
        .strip_prefix("chr")
        .or_else(|| name.strip_prefix("Chr"))
        .or_else(|| name.strip_prefix("CHR"))
        .unwrap_or(name);
    match bare {
        "M" | "MT" => "MT".to_string(),
        other => other.to_string(),
    }
}

impl ContigMatcher {
    pub fn new<I, S>(targets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let targets: BTreeSet<String> = targets.into_iter().map(Into::into).collect();
        let mut by_key: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for t in &targets {
            by_key.entry(key(t)).or_default().push(t.clone());
        }
        Self { targets, by_key }
    }

    /// The target name for `name`: itself when present, else the only target that differs by a
    /// `chr` prefix. `Err` lists the candidates when more than one fits.
    pub fn resolve(&self, name: &str) -> Result<Option<&str>, Vec<String>> {
        if let Some(t) = self.targets.get(name) {
            return Ok(Some(t.as_str()));
        }
        match self.by_key.get(&key(name)).map(Vec::as_slice) {
            None | Some([]) => Ok(None),
            Some([only]) => Ok(Some(only.as_str())),
            Some(many) => Err(many.to_vec()),
        }
    }

    pub fn targets(&self) -> impl Iterator<Item = &str> {
        self.targets.iter().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chr_prefix_added_or_removed() {
        let m = ContigMatcher::new(["chr1", "chr2", "chrM"]);
        assert_eq!(m.resolve("1"), Ok(Some("chr1")));
        assert_eq!(m.resolve("chr2"), Ok(Some("chr2")));
        assert_eq!(m.resolve("MT"), Ok(Some("chrM")));
        assert_eq!(m.resolve("3"), Ok(None));
        let m = ContigMatcher::new(["1", "X"]);
        assert_eq!(m.resolve("chrX"), Ok(Some("X")));
    }

    #[test]
    fn ambiguous_names_are_an_error() {
        let m = ContigMatcher::new(["1", "chr1"]);
        assert_eq!(m.resolve("1"), Ok(Some("1")));
        assert_eq!(
            m.resolve("Chr1"),
            Err(vec!["1".to_string(), "chr1".to_string()])
        );
    }
}
