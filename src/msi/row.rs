//! One row of `PREFIX.msi.sites.tsv`: the DESIGN.md §4 columns first, then ours; the field
//! names are the header.

use serde::{Serialize, Serializer};

use super::reads::Distribution;
use super::SiteCall;
use crate::io::cells;
use crate::io::output::fmt_num;

/// One microsatellite with at least one spanning read in either sample.
#[derive(Debug, Clone, Serialize)]
pub struct SiteRow<'a> {
    pub chrom: &'a str,
    /// 1-based first base of the repeat.
    pub pos: u64,
    pub end: u64,
    pub unit: &'a str,
    pub tumor_reads: u32,
    #[serde(serialize_with = "cells::na")]
    pub normal_reads: Option<u32>,
    #[serde(serialize_with = "p_cell")]
    pub p_value: Option<f64>,
    #[serde(serialize_with = "cells::na")]
    pub unstable: Option<bool>,
    pub repeats: u32,
    #[serde(serialize_with = "p_cell")]
    pub q_value: Option<f64>,
    #[serde(serialize_with = "cells::dec::<4, _>")]
    pub shift: Option<f64>,
    pub tumor_lengths: String,
    /// `NA` without a normal.
    pub normal_lengths: String,
    pub note: &'static str,
}

impl SiteRow<'static> {
    /// A row with every field empty: its only use is [`cells::header_line`].
    pub fn empty() -> Self {
        SiteRow {
            chrom: "",
            pos: 0,
            end: 0,
            unit: "",
            tumor_reads: 0,
            normal_reads: None,
            p_value: None,
            unstable: None,
            repeats: 0,
            q_value: None,
            shift: None,
            tumor_lengths: String::new(),
            normal_lengths: String::new(),
            note: "",
        }
    }
}

impl<'a> SiteRow<'a> {
    /// The row of `c`.
    pub fn new(c: &'a SiteCall) -> Self {
        let s = &c.site;
        SiteRow {
            chrom: &s.chrom,
            pos: s.start + 1,
            end: s.end(),
            unit: s.unit_text(),
            tumor_reads: c.tumor.total(),
            normal_reads: c.normal.as_ref().map(Distribution::total),
            p_value: c.p_value,
            unstable: c.unstable,
            repeats: s.repeats,
            q_value: c.q_value,
            shift: c.shift,
            tumor_lengths: c.tumor.summary(),
            normal_lengths: c
                .normal
                .as_ref()
                .map_or("NA".to_string(), Distribution::summary),
            note: c.state.as_str(),
        }
    }
}

/// p-values keep their magnitude (`1.2e-30`), not a rounded zero.
pub fn fmt_p(p: f64) -> String {
    if p == 0.0 || p >= 1e-4 {
        fmt_num(p, 6)
    } else {
        format!("{p:.3e}")
    }
}

fn p_cell<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(p) => s.serialize_str(&fmt_p(*p)),
        None => s.serialize_str("NA"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_the_documented_column_list() {
        assert_eq!(
            cells::header_line(&SiteRow::empty()).unwrap(),
            "chrom\tpos\tend\tunit\ttumor_reads\tnormal_reads\tp_value\tunstable\trepeats\tq_value\tshift\ttumor_lengths\tnormal_lengths\tnote\n"
        );
        assert_eq!(fmt_p(1.5e-30), "1.500e-30");
        assert_eq!(fmt_p(0.25), "0.25");
    }
}
