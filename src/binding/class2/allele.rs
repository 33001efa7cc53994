//! HLA class II molecule names: an alpha–beta pair (`HLA-DRA*01:01/DRB1*03:01`,
//! `DQA1*05:01-DQB1*03:02`) or a DRB chain alone (DRA*01:01 implied: DRA is nearly monomorphic,
//! and its common alleles differ outside the groove).

use std::fmt;

use serde::{Serialize, Serializer};

/// One chain at two-field resolution (`DRB1`, 3, 1 for `DRB1*03:01`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Chain {
    pub gene: String,
    pub group: u16,
    pub protein: u16,
}

impl fmt::Display for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}*{:02}:{:02}", self.gene, self.group, self.protein)
    }
}

/// The genes of each isotype: alpha gene and the beta genes it pairs with.
const ISOTYPES: &[(&str, &[&str])] = &[
    ("DRA", &["DRB1", "DRB3", "DRB4", "DRB5"]),
    ("DQA1", &["DQB1"]),
    ("DPA1", &["DPB1"]),
];

/// A class II molecule, normalised to IEDB's `HLA-DRA*01:01/DRB1*03:01`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Class2Molecule {
    pub alpha: Chain,
    pub beta: Chain,
}

impl fmt::Display for Class2Molecule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HLA-{}/{}", self.alpha, self.beta)
    }
}

impl Serialize for Class2Molecule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::str::FromStr for Class2Molecule {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s)
    }
}

/// Whether a name is meant as class II (its gene starts with `D`: DR, DQ, DP), so a mixed
/// `--alleles` list can be split before either parser reports errors.
pub fn looks_class2(name: &str) -> bool {
    let t = name.trim();
    let t = t
        .strip_prefix("HLA-")
        .or_else(|| t.strip_prefix("hla-"))
        .unwrap_or(t);
    t.len() >= 2 && t.as_bytes()[0].eq_ignore_ascii_case(&b'D') && {
        let c = t.as_bytes()[1].to_ascii_uppercase();
        c == b'R' || c == b'Q' || c == b'P'
    }
}

impl Class2Molecule {
    /// Accepts IEDB's `HLA-DRA*01:01/DRB1*03:01`, pVACseq's `DQA1*05:01-DQB1*03:02`,
    /// NetMHCIIpan's `HLA-DQA10501-DQB10302` and `DRB1_0301`, and a DRB chain alone
    /// (`HLA-DRB1*03:01`, `DRB4*01:01`: DRA*01:01 implied). Fields past the second are dropped.
    ///
    /// # Errors
    /// Not a class II name, a DQ/DP beta chain without its alpha chain, chains of two isotypes.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let t = t
            .strip_prefix("HLA-")
            .or_else(|| t.strip_prefix("hla-"))
            .unwrap_or(t);
        let parts: Vec<&str> = t.split(['/', '-']).filter(|p| !p.is_empty()).collect();
        let chains = parts
            .iter()
            .map(|p| parse_chain(p).map_err(|e| format!("'{text}': {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let isotype = |gene: &str| {
            ISOTYPES
                .iter()
                .position(|(a, bs)| *a == gene || bs.contains(&gene))
        };
        let is_alpha = |gene: &str| ISOTYPES.iter().any(|(a, _)| *a == gene);
        match chains.as_slice() {
            [beta] if beta.gene.starts_with("DRB") => Ok(Self {
                alpha: Chain {
                    gene: "DRA".into(),
                    group: 1,
                    protein: 1,
                },
                beta: beta.clone(),
            }),
            [one] => Err(format!(
                "'{text}': {} needs its {} chain (e.g. {}): DQ and DP molecules are alpha-beta pairs",
                one.gene,
                if is_alpha(&one.gene) { "beta" } else { "alpha" },
                if one.gene.starts_with("DQ") {
                    "DQA1*05:01-DQB1*03:02"
                } else if one.gene.starts_with("DP") {
                    "DPA1*01:03-DPB1*02:01"
                } else {
                    "HLA-DRA*01:01/DRB1*03:01"
                }
            )),
            [a, b] => {
                let (alpha, beta) = if is_alpha(&a.gene) {
                    (a, b)
                } else {
                    (b, a)
                };
                if !is_alpha(&alpha.gene) || is_alpha(&beta.gene) {
                    return Err(format!(
                        "'{text}': a molecule is one alpha chain (DRA, DQA1, DPA1) and one beta chain (DRB1/3/4/5, DQB1, DPB1)"
                    ));
                }
                if isotype(&alpha.gene) != isotype(&beta.gene) {
                    return Err(format!(
                        "'{text}': {} and {} are chains of different isotypes",
                        alpha.gene, beta.gene
                    ));
                }
                Ok(Self {
                    alpha: alpha.clone(),
                    beta: beta.clone(),
                })
            }
            _ => Err(format!(
                "'{text}' is not an HLA class II molecule name (accepted: HLA-DRA*01:01/DRB1*03:01, DQA1*05:01-DQB1*03:02, HLA-DRB1*03:01)"
            )),
        }
    }

    /// `DR`, `DQ` or `DP`.
    pub fn isotype(&self) -> &str {
        &self.alpha.gene[..2]
    }
}

/// One chain: `DRB1*03:01`, `DRB1*03:01:01:02`, `DRB10301`, `DRB1_0301`, `DPB1*104:01`.
fn parse_chain(text: &str) -> Result<Chain, String> {
    let gene_end = text
        .find(['*', '_'])
        .or_else(|| {
            // Compact `DQA10501`: the gene is the known name the text starts with.
            [
                "DRA", "DRB1", "DRB3", "DRB4", "DRB5", "DQA1", "DQB1", "DPA1", "DPB1",
            ]
            .iter()
            .find(|g| text.to_ascii_uppercase().starts_with(*g))
            .map(|g| g.len())
        })
        .ok_or_else(|| format!("'{text}' is not a class II chain name like DRB1*03:01"))?;
    let gene = text[..gene_end].to_ascii_uppercase();
    let known = ISOTYPES
        .iter()
        .any(|(a, bs)| *a == gene || bs.contains(&gene.as_str()));
    if !known {
        return Err(format!(
            "{gene} is not a class II gene with a binding groove (DRA, DRB1, DRB3, DRB4, DRB5, DQA1, DQB1, DPA1, DPB1)"
        ));
    }
    let rest = text[gene_end..].trim_start_matches(['*', '_']);
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let bad = || format!("'{text}' is not a class II chain name like DRB1*03:01");
    let (group, protein, tail) = if rest.contains(':') {
        let g = digits(rest);
        let after = rest[g..].strip_prefix(':').ok_or_else(bad)?;
        let p = digits(after);
        (&rest[..g], &after[..p], &after[p..])
    } else {
        let d = digits(rest);
        if d != 4 {
            return Err(bad());
        }
        (&rest[..2], &rest[2..4], &rest[4..])
    };
    // Further `:digits` fields and one expression letter may follow.
    let mut tail = tail;
    while let Some(after) = tail.strip_prefix(':') {
        let n = digits(after);
        if n == 0 {
            break;
        }
        tail = &after[n..];
    }
    if !(tail.is_empty()
        || (tail.len() == 1 && "LSCAQGP".contains(tail.to_ascii_uppercase().as_str())))
    {
        return Err(format!(
            "'{text}': '{tail}' after the chain name is not part of an allele name"
        ));
    }
    Ok(Chain {
        gene,
        group: group.parse().map_err(|_| bad())?,
        protein: protein.parse().map_err(|_| bad())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_accepted_spelling_names_the_same_molecule() {
        for s in [
            "HLA-DQA1*05:01/DQB1*03:02",
            "DQA1*05:01-DQB1*03:02",
            "HLA-DQA10501-DQB10302",
            "DQB1*03:02/DQA1*05:01",
            "DQA1*05:01:01:02-DQB1*03:02:01",
        ] {
            assert_eq!(
                Class2Molecule::parse(s).unwrap().to_string(),
                "HLA-DQA1*05:01/DQB1*03:02",
                "{s}"
            );
        }
        for s in [
            "HLA-DRB1*03:01",
            "DRB1_0301",
            "DRA*01:01-DRB1*03:01",
            "HLA-DRA*01:01/DRB1*03:01",
        ] {
            assert_eq!(
                Class2Molecule::parse(s).unwrap().to_string(),
                "HLA-DRA*01:01/DRB1*03:01",
                "{s}"
            );
        }
        assert_eq!(
            Class2Molecule::parse("DPA1*01:03-DPB1*104:01")
                .unwrap()
                .beta
                .group,
            104
        );
        assert_eq!(Class2Molecule::parse("DRB4*01:01").unwrap().isotype(), "DR");
    }

    #[test]
    fn incomplete_or_mixed_pairs_are_refused() {
        let e = Class2Molecule::parse("HLA-DQB1*03:02").unwrap_err();
        assert!(
            e.contains("alpha") && e.contains("DQA1*05:01-DQB1*03:02"),
            "{e}"
        );
        assert!(Class2Molecule::parse("DQA1*05:01-DRB1*03:01")
            .unwrap_err()
            .contains("different isotypes"));
        assert!(Class2Molecule::parse("DQA1*05:01-DPA1*01:03").is_err());
        assert!(Class2Molecule::parse("DMB*01:01")
            .unwrap_err()
            .contains("not a class II gene"));
        assert!(Class2Molecule::parse("DRB1*03:01xyz")
            .unwrap_err()
            .contains("'xyz'"));
    }

    #[test]
    fn class2_names_are_told_from_class1() {
        assert!(looks_class2("HLA-DRB1*01:01"));
        assert!(looks_class2("dqa1*05:01-dqb1*03:02"));
        assert!(!looks_class2("HLA-A*02:01"));
        assert!(!looks_class2("C*07:02"));
    }
}
