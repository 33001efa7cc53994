//! HLA class I allele names, normalised to `HLA-A*02:01` (two-field resolution).

use std::fmt;

use serde::{Serialize, Serializer};

/// A class I allele at two-field resolution: gene (`A`, `B`, `C`, `E`, `G`…) and
/// `group:protein` fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HlaAllele {
    gene: String,
    group: u16,
    protein: u16,
}

impl HlaAllele {
    /// Accepts `HLA-A*02:01`, `A*02:01`, `A02:01`, `HLA-A02:01`, `A0201`, `HLA-A*02:01:01:02L`
    /// (fields past the second are dropped), and the old `Cw*04:01` for `C*04:01`.
    ///
    /// # Errors
    /// A text that is not a class I allele name; the message says which forms are accepted.
    pub fn parse(text: &str) -> Result<Self, String> {
        Self::parse_name(text).map(|(a, _)| a)
    }

    /// As [`HlaAllele::parse`], also returning the expression suffix (`N` null, `L` low, `S`,
    /// `C`, `A`, `Q`) when the name has one.
    ///
    /// # Errors
    /// A text that is not a human class I allele name; anything left after a valid name.
    pub fn parse_name(text: &str) -> Result<(Self, Option<char>), String> {
        let bad = || {
            format!("'{text}' is not an HLA class I allele name (accepted: HLA-A*02:01, A*02:01, A02:01, A0201)")
        };
        let t = text.trim();
        if let Some(species) = non_human_prefix(t) {
            return Err(format!(
                "'{text}' is a {species} MHC allele; only human HLA class I alleles are supported (HLA-A, -B, -C, -E, -F, -G, e.g. HLA-A*02:01)"
            ));
        }
        let t = t
            .strip_prefix("HLA-")
            .or_else(|| t.strip_prefix("hla-"))
            .unwrap_or(t);
        let gene_len = t.bytes().take_while(u8::is_ascii_alphabetic).count();
        if gene_len == 0 {
            return Err(bad());
        }
        let mut gene = t[..gene_len].to_ascii_uppercase();
        // Pre-2010 serological-era spelling of HLA-C (`Cw*04:01`), still common in papers and IEDB.
        if gene == "CW" {
            gene = "C".to_string();
        }
        if !matches!(gene.as_str(), "A" | "B" | "C" | "E" | "F" | "G") {
            return Err(format!(
                "'{text}': HLA-{gene} is not a class I gene (A, B, C, E, F, G)"
            ));
        }
        let rest = t[gene_len..].trim_start_matches('*');
        let digits_len = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        let (group, protein, tail) = if rest.contains(':') {
            let g = digits_len(rest);
            let after = rest[g..].strip_prefix(':').ok_or_else(bad)?;
            let p = digits_len(after);
            (&rest[..g], &after[..p], &after[p..])
        } else {
            let d = digits_len(rest);
            if d < 4 {
                return Err(bad());
            }
            // Old compact form: two digits of group, the rest protein (A0201, B5701, C1502).
            (&rest[..2], &rest[2..d], &rest[d..])
        };
        let group: u16 = group.parse().map_err(|_| bad())?;
        let protein: u16 = protein.parse().map_err(|_| bad())?;
        // Past the protein field only more `:digits` fields and one expression letter may follow.
        let mut tail = tail;
        while let Some(after) = tail.strip_prefix(':') {
            let n = digits_len(after);
            if n == 0 {
                break;
            }
            tail = &after[n..];
        }
        let suffix = match tail {
            "" => None,
            // G and P name ambiguity groups (HLA typers write them): the two fields stand.
            x if x.len() == 1 && "NLSCAQGPnlscaqgp".contains(x) => {
                x.chars().next().map(|c| c.to_ascii_uppercase())
            }
            x => {
                return Err(format!(
                    "'{text}': '{x}' after the allele name is not part of an HLA allele name (separate alleles with , ; | or spaces)"
                ))
            }
        };
        Ok((
            Self {
                gene,
                group,
                protein,
            },
            suffix,
        ))
    }

    pub fn gene(&self) -> &str {
        &self.gene
    }
}

/// The species of a non-human MHC allele name (`H-2-Kb`, `Mamu-A*01`), if it is one.
fn non_human_prefix(t: &str) -> Option<&'static str> {
    let lower = t.to_ascii_lowercase();
    if lower.starts_with("h-2") || lower.starts_with("h2-") {
        return Some("mouse (H-2)");
    }
    const SPECIES: &[(&str, &str)] = &[
        ("mamu-", "rhesus macaque (Mamu)"),
        ("patr-", "chimpanzee (Patr)"),
        ("gogo-", "gorilla (Gogo)"),
        ("bola-", "cattle (BoLA)"),
        ("sla-", "pig (SLA)"),
        ("dla-", "dog (DLA)"),
        ("eqca-", "horse (Eqca)"),
        ("rt1-", "rat (RT1)"),
        ("mafa-", "cynomolgus macaque (Mafa)"),
    ];
    SPECIES
        .iter()
        .find(|(p, _)| lower.starts_with(p))
        .map(|(_, s)| *s)
}

/// Alleles read from one or more texts (`--alleles`, a samplesheet cell, a file).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlleleList {
    /// Expressed alleles, normalised, first-seen order, without duplicates.
    pub alleles: Vec<HlaAllele>,
    /// Null alleles (`...N`) as written: not expressed, so not scored.
    pub null: Vec<String>,
}

/// Reads alleles separated by `,` `;` `|` or whitespace from every text. Null alleles are set
/// aside (and logged as a warning): a protein that is not made presents nothing.
///
/// # Errors
/// Any name that does not parse (the message names it), or no expressed allele at all.
pub fn parse_allele_list<S: AsRef<str>>(texts: &[S]) -> Result<AlleleList, String> {
    let mut out = AlleleList::default();
    for text in texts {
        for name in text
            .as_ref()
            .split(|c: char| c == ',' || c == ';' || c == '|' || c.is_whitespace())
            .filter(|x| !x.is_empty())
        {
            let (allele, suffix) = HlaAllele::parse_name(name)?;
            if suffix == Some('N') {
                log::warn!("{name} is a null allele (not expressed): not scored");
                out.null.push(name.to_string());
            } else if !out.alleles.contains(&allele) {
                out.alleles.push(allele);
            }
        }
    }
    if out.alleles.is_empty() {
        return Err(if out.null.is_empty() {
            "no HLA class I allele given".to_string()
        } else {
            format!(
                "only null alleles given ({}): nothing is expressed to score",
                out.null.join(", ")
            )
        });
    }
    Ok(out)
}

impl fmt::Display for HlaAllele {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HLA-{}*{:02}:{:02}", self.gene, self.group, self.protein)
    }
}

impl Serialize for HlaAllele {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::str::FromStr for HlaAllele {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_spellings_normalise() {
        for s in [
            "HLA-A*02:01",
            "A*02:01",
            "A02:01",
            "HLA-A02:01",
            "A0201",
            "hla-a*02:01:01:02L",
        ] {
            assert_eq!(
                HlaAllele::parse(s).unwrap().to_string(),
                "HLA-A*02:01",
                "{s}"
            );
        }
        assert_eq!(
            HlaAllele::parse("B*57:01").unwrap().to_string(),
            "HLA-B*57:01"
        );
        assert_eq!(
            HlaAllele::parse("C*15:102").unwrap().to_string(),
            "HLA-C*15:102"
        );
        assert_eq!(
            HlaAllele::parse("HLA-Cw*04:01").unwrap().to_string(),
            "HLA-C*04:01"
        );
        assert_eq!(
            HlaAllele::parse("Cw0401").unwrap().to_string(),
            "HLA-C*04:01"
        );
    }

    #[test]
    fn rejects_non_alleles() {
        assert!(HlaAllele::parse("DRB1*01:01")
            .unwrap_err()
            .contains("not a class I gene"));
        assert!(HlaAllele::parse("A*").is_err());
        assert!(HlaAllele::parse("02:01").is_err());
    }

    #[test]
    fn leftovers_after_a_name_are_refused_and_named() {
        let e = HlaAllele::parse("HLA-A*02:01xyz").unwrap_err();
        assert!(e.contains("'xyz'"), "{e}");
        let e = HlaAllele::parse("A0201;B0702").unwrap_err();
        assert!(e.contains("';B0702'"), "{e}");
        // Extra fields and an expression letter are part of a name.
        assert_eq!(
            HlaAllele::parse_name("A*24:09N").unwrap(),
            (HlaAllele::parse("A*24:09").unwrap(), Some('N'))
        );
        let e = HlaAllele::parse("H-2-Kb").unwrap_err();
        assert!(
            e.contains("mouse") && e.contains("only human HLA class I"),
            "{e}"
        );
        assert!(HlaAllele::parse("Mamu-A*01:01")
            .unwrap_err()
            .contains("macaque"));
    }

    #[test]
    fn lists_split_on_every_separator_and_drop_nulls() {
        let l =
            parse_allele_list(&["HLA-A*02:01;HLA-B*07:02", "C*07:02 | A*24:09N,\tA0201"]).unwrap();
        let names: Vec<String> = l.alleles.iter().map(ToString::to_string).collect();
        assert_eq!(names, ["HLA-A*02:01", "HLA-B*07:02", "HLA-C*07:02"]);
        assert_eq!(l.null, ["A*24:09N"]);
        assert!(parse_allele_list(&["A*24:09N"])
            .unwrap_err()
            .contains("only null"));
        assert!(parse_allele_list(&["A*02:01xyz"])
            .unwrap_err()
            .contains("'xyz'"));
    }
}
