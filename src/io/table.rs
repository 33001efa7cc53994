//! Tab-separated tables through `csv` + serde row structs: one writer and one reader
//! configuration for every stage, so quoting, headers and line endings follow one rule.

use std::io::{Read, Write};

/// A TSV writer: tab-delimited, `\n` line ends, quotes only where a field needs them; the
/// header comes from the row struct's field names (or `#[serde(rename)]`).
pub fn writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .delimiter(b'\t')
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(w)
}

/// A TSV reader with a header row; rows must have the header's field count.
pub fn reader<R: Read>(r: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .quoting(false)
        .flexible(false)
        .from_reader(r)
}
