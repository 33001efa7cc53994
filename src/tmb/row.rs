//! One row of `PREFIX.tmb.variants.tsv` (one per ALT allele); the field names are the header.

use serde::Serialize;

use crate::io::cells;

/// One allele's verdict, as written to the variants table.
#[derive(Debug, Clone, Serialize)]
pub struct VariantRow<'a> {
    pub chrom: &'a str,
    pub pos: u64,
    #[serde(rename = "ref")]
    pub reference: &'a str,
    pub alt: &'a str,
    #[serde(serialize_with = "cells::na")]
    pub gene: Option<&'a str>,
    #[serde(serialize_with = "cells::na")]
    pub consequence: Option<&'static str>,
    #[serde(serialize_with = "cells::na")]
    pub depth: Option<u32>,
    #[serde(serialize_with = "cells::na")]
    pub alt_reads: Option<u32>,
    #[serde(serialize_with = "cells::dec::<4, _>")]
    pub vaf: Option<f64>,
    #[serde(serialize_with = "cells::dec::<6, _>")]
    pub population_af: Option<f64>,
    pub counted: bool,
    /// `pass`, or the first filter the allele failed.
    pub reason: &'static str,
}

impl VariantRow<'static> {
    /// A row with every field empty: its only use is [`cells::header_line`].
    pub fn empty() -> Self {
        VariantRow {
            chrom: "",
            pos: 0,
            reference: "",
            alt: "",
            gene: None,
            consequence: None,
            depth: None,
            alt_reads: None,
            vaf: None,
            population_af: None,
            counted: false,
            reason: "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_the_documented_column_list() {
        assert_eq!(
            cells::header_line(&VariantRow::empty()).unwrap(),
            "chrom\tpos\tref\talt\tgene\tconsequence\tdepth\talt_reads\tvaf\tpopulation_af\tcounted\treason\n"
        );
    }
}
