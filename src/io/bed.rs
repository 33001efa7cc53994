//! BED intervals (targets, sites): header lines (`#`, `track`, `browser`) skipped, plain or
//! gzip-compressed, overlapping intervals merged.

use std::path::Path;

use crate::error::{Error, Result};
use crate::genome::{Interval, IntervalSet};
use crate::io::{open_decompressed, read_error, read_line_into};

/// Reads a BED file into a merged [`IntervalSet`] (BED is 0-based, half-open already).
///
/// # Errors
/// Unreadable file, fewer than three columns, non-numeric or reversed coordinates.
pub fn read_bed(path: &Path) -> Result<IntervalSet> {
    let (mut reader, _) = open_decompressed(path, 1)?;
    let mut line = Vec::new();
    let mut items = Vec::new();
    let mut line_no = 0usize;
    while read_line_into(&mut reader, &mut line).map_err(|e| read_error(path, e))? {
        line_no += 1;
        let text = std::str::from_utf8(&line)
            .map_err(|_| Error::at_line(path, line_no, "not UTF-8 text; is this a BED file?"))?;
        let trimmed = text.trim();
        if trimmed.is_empty()
            || trimmed.starts_with('#')
            || trimmed.starts_with("track")
            || trimmed.starts_with("browser")
        {
            continue;
        }
        let mut fields = trimmed.split('\t');
        let (Some(chrom), Some(start), Some(end)) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(Error::at_line(
                path,
                line_no,
                "a BED line needs tab-separated chrom, start and end",
            ));
        };
        let parse = |s: &str, what: &str| {
            s.trim().parse::<u64>().map_err(|_| {
                Error::at_line(path, line_no, format!("{what} '{s}' is not a whole number"))
            })
        };
        let (start, end) = (parse(start, "start")?, parse(end, "end")?);
        if end < start {
            return Err(Error::at_line(
                path,
                line_no,
                format!("end {end} is before start {start}"),
            ));
        }
        items.push((chrom.to_string(), Interval::new(start, end)));
    }
    Ok(IntervalSet::from_intervals(items))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn reads_and_merges_with_headers() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "track name=x\nbrowser position chr1:1-100\n# comment\nchr1\t0\t100\tA\nchr1\t50\t150\nchr2\t10\t20").unwrap();
        let s = read_bed(f.path()).unwrap();
        assert_eq!(s.total_len(), 160);
        assert_eq!(s.intervals("chr1"), &[Interval::new(0, 150)]);
    }

    #[test]
    fn bad_numbers_name_the_line() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "chr1\t0\t100\nchr1\tten\t20").unwrap();
        let e = read_bed(f.path()).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("'ten'"), "{e}");
    }
}
