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
