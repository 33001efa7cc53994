//! serde helpers for the cells of TSV row structs written through [`crate::io::table`]: `NA`
//! for a value a stage did not compute (never 0), numbers with at most N decimals (trailing
//! zeros trimmed, as [`crate::io::output::fmt_opt`]).

use std::fmt::Display;

use serde::Serializer;

use super::output::fmt_opt;

/// `Some(x)` as `x`, `None` as `NA`.
///
/// # Errors
/// The serializer's.
pub fn na<T: Display, S: Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) => s.collect_str(x),
        None => s.serialize_str("NA"),
    }
}

/// At most `N` decimals, `NA` for `None`.
///
/// # Errors
/// The serializer's.
pub fn dec<const N: usize, S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&fmt_opt(*v, N))
}

/// At most `N` decimals, empty for `None` (MultiQC shows an empty cell as blank).
///
/// # Errors
/// The serializer's.
pub fn dec_or_empty<const N: usize, S: Serializer>(
    v: &Option<f64>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(_) => s.serialize_str(&fmt_opt(*v, N)),
        None => s.serialize_str(""),
    }
}

/// A writer of header-less rows in [`crate::io::table`]'s format: for tables whose rows are
/// rendered in parallel chunks and concatenated in order (the header is written once, from
/// [`header_line`]).
pub fn rows_writer<W: std::io::Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .delimiter(b'\t')
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .has_headers(false)
        .from_writer(w)
}

/// The header line (with its `\n`) [`crate::io::table::writer`] writes before `row`: the row
/// struct's field names, so they are defined once.
///
/// # Errors
/// `row` cannot be serialised as a flat record (a bug).
pub fn header_line<T: serde::Serialize>(row: &T) -> crate::error::Result<String> {
    let mut w = super::table::writer(Vec::new());
    w.serialize(row)
        .map_err(|e| crate::error::Error::Internal(format!("table header: {e}")))?;
    let bytes = w
        .into_inner()
        .map_err(|e| crate::error::Error::Internal(format!("table header: {e}")))?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(text
        .split_inclusive('\n')
        .next()
        .unwrap_or_default()
        .to_string())
}
