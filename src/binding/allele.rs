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
        let bad = || {
            format!("'{text}' is not an HLA class I allele name (accepted: HLA-A*02:01, A*02:01, A02:01, A0201)")
        };
        let t = text.trim();
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
        let (group, protein) = if rest.contains(':') {
            let mut parts = rest.split(':');
            let g = parts.next().ok_or_else(bad)?;
            let p = parts.next().ok_or_else(bad)?;
            let p: String = p.chars().take_while(char::is_ascii_digit).collect();
            (g.to_string(), p)
        } else {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if digits.len() < 4 {
                return Err(bad());
            }
            // Old compact form: two digits of group, the rest protein (A0201, B5701, C1502).
            (digits[..2].to_string(), digits[2..].to_string())
        };
        let group: u16 = group.parse().map_err(|_| bad())?;
        let protein: u16 = protein.parse().map_err(|_| bad())?;
        Ok(Self {
            gene,
            group,
            protein,
        })
    }

    pub fn gene(&self) -> &str {
        &self.gene
    }
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
}
