//! Microsatellite sites and the sites file (`msi scan` output, `msi score --sites` input).
//!
//! The file is a TSV with a header naming the reference's contigs and lengths, so a sites file
//! made from another assembly is caught before any read is looked at:
//!
//! ```text
//! ##immunoprofile-msi-sites=1
//! ##contig=<ID=chr22,length=40001>
//! #chrom  pos  end  unit  repeats  left_flank  right_flank
//! chr22   101  110  A     10       ACGTC       GTCAG
//! ```
//! `pos` is the 1-based first base of the repeat and `end` its 1-based last base.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::io::{open_decompressed, read_error, read_line_into};

/// First line of a sites file.
pub const SITES_MAGIC: &str = "##immunoprofile-msi-sites=1";
/// Column header of a sites file (the baseline file extends it).
pub const SITES_COLUMNS: &str = "#chrom\tpos\tend\tunit\trepeats\tleft_flank\tright_flank";

/// One perfect tandem repeat of the reference with its anchoring flanks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub chrom: String,
    /// 0-based first base of the repeat.
    pub start: u64,
    /// Repeat unit (1-5 bases, upper case).
    pub unit: Vec<u8>,
    /// Copies of `unit` in the reference.
    pub repeats: u32,
    /// Reference bases just before and just after the repeat.
    pub left_flank: Vec<u8>,
    pub right_flank: Vec<u8>,
}

impl Site {
    /// 0-based exclusive end of the repeat.
    pub fn end(&self) -> u64 {
        self.start + self.unit.len() as u64 * u64::from(self.repeats)
    }

    /// `[start, end)` of flank + repeat + flank.
    pub fn span(&self) -> (u64, u64) {
        (
            self.start.saturating_sub(self.left_flank.len() as u64),
            self.end() + self.right_flank.len() as u64,
        )
    }

    /// The reference bases `span()` should hold.
    pub fn expected_sequence(&self) -> Vec<u8> {
        let mut s = self.left_flank.clone();
        for _ in 0..self.repeats {
            s.extend_from_slice(&self.unit);
        }
        s.extend_from_slice(&self.right_flank);
        s
    }

    pub fn unit_text(&self) -> &str {
        std::str::from_utf8(&self.unit).unwrap_or("N")
    }

    /// `chrom:pos` (1-based) for messages.
    pub fn locus(&self) -> String {
        format!("{}:{}", self.chrom, self.start + 1)
    }

    /// The columns of [`SITES_COLUMNS`] without a line ending.
    pub fn write_columns(&self, out: &mut impl Write) -> std::io::Result<()> {
        out.write_all(self.chrom.as_bytes())?;
        write!(out, "\t{}\t{}\t", self.start + 1, self.end())?;
        out.write_all(&self.unit)?;
        write!(out, "\t{}\t", self.repeats)?;
        out.write_all(&self.left_flank)?;
        out.write_all(b"\t")?;
        out.write_all(&self.right_flank)
    }
}

/// Header lines naming the contigs (`##contig=<ID=..,length=..>`).
pub fn write_contig_lines(out: &mut impl Write, contigs: &[(String, u64)]) -> std::io::Result<()> {
    for (name, len) in contigs {
        writeln!(out, "##contig=<ID={name},length={len}>")?;
    }
    Ok(())
}

/// A parsed sites or baseline file: its contigs, its sites, and any columns after the sites
/// columns (the baseline's statistics), per site.
#[derive(Debug, Default)]
pub struct SitesTable {
    pub contigs: Vec<(String, u64)>,
    pub sites: Vec<Site>,
    pub extra: Vec<Vec<String>>,
}

fn parse_contig_line(line: &str) -> Option<(String, u64)> {
    let body = line.strip_prefix("##contig=<")?.strip_suffix('>')?;
    let mut id = None;
    let mut len = None;
    for kv in body.split(',') {
        match kv.split_once('=') {
            Some(("ID", v)) => id = Some(v.to_string()),
            Some(("length", v)) => len = v.parse().ok(),
            _ => {}
        }
    }
    Some((id?, len?))
}

fn is_bases(s: &[u8]) -> bool {
    s.iter().all(|b| matches!(b, b'A' | b'C' | b'G' | b'T'))
}

/// Reads a sites file (or a baseline file when `magic` is the baseline's first line),
/// checking each row.
///
/// # Errors
/// Unreadable file, a missing or foreign first line, malformed rows, or rows out of order.
pub fn read_table(path: &Path, magic: &str, what: &str) -> Result<SitesTable> {
    let (mut reader, _) = open_decompressed(path, 1)?;
    let mut table = SitesTable::default();
    let mut line = Vec::new();
    let mut line_no = 0usize;
    while read_line_into(&mut reader, &mut line).map_err(|e| read_error(path, e))? {
        line_no += 1;
        let text = std::str::from_utf8(&line)
            .map_err(|_| Error::at_line(path, line_no, "not UTF-8 text"))?;
        if line_no == 1 {
            if text.trim_end() != magic {
                return Err(Error::at_line(
                    path,
                    1,
                    format!("not an immunoprofile {what} file (first line should be '{magic}'); make one with `immunoprofile msi {}`", if what == "sites" { "scan" } else { "baseline" }),
                ));
            }
            continue;
        }
        if let Some(rest) = text.strip_prefix("##") {
            if rest.starts_with("contig=") {
                let c = parse_contig_line(text).ok_or_else(|| {
                    Error::at_line(
                        path,
                        line_no,
                        "malformed ##contig line (want ##contig=<ID=name,length=N>)",
                    )
                })?;
                table.contigs.push(c);
            }
            continue;
        }
        if text.starts_with('#') || text.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = text.split('\t').collect();
        if fields.len() < 7 {
            return Err(Error::at_line(path, line_no, "a site needs 7 tab-separated columns: chrom pos end unit repeats left_flank right_flank"));
        }
        let num = |s: &str, name: &str| {
            s.parse::<u64>().map_err(|_| {
                Error::at_line(path, line_no, format!("{name} '{s}' is not a whole number"))
            })
        };
        let pos = num(fields[1], "pos")?;
        let end = num(fields[2], "end")?;
        let repeats = num(fields[4], "repeats")?;
        let unit = fields[3].as_bytes().to_ascii_uppercase();
        let left = fields[5].as_bytes().to_ascii_uppercase();
        let right = fields[6].as_bytes().to_ascii_uppercase();
        if pos == 0
            || unit.is_empty()
            || unit.len() > 10
            || repeats == 0
            || repeats > u64::from(u32::MAX)
        {
            return Err(Error::at_line(
                path,
                line_no,
                "pos, unit and repeats must be non-empty and positive",
            ));
        }
        if !is_bases(&unit)
            || !is_bases(&left)
            || !is_bases(&right)
            || left.is_empty()
            || right.is_empty()
        {
            return Err(Error::at_line(
                path,
                line_no,
                "unit and flanks must be non-empty A/C/G/T text",
            ));
        }
        let site = Site {
            chrom: fields[0].to_string(),
            start: pos - 1,
            unit,
            repeats: repeats as u32,
            left_flank: left,
            right_flank: right,
        };
        if site.end() != end {
            return Err(Error::at_line(
                path,
                line_no,
                format!(
                    "end {end} does not match pos + unit length x repeats ({})",
                    site.end()
                ),
            ));
        }
        table.sites.push(site);
        table
            .extra
            .push(fields[7..].iter().map(|s| s.to_string()).collect());
    }
    if line_no == 0 {
        return Err(Error::invalid(path, None, format!("empty {what} file")));
    }
    Ok(table)
}

/// Checks that the sites' contigs exist in the reference with the same lengths (a sites file
/// made from another assembly fails here).
///
/// # Errors
/// A contig missing from the reference, or of another length.
pub fn check_against_reference(
    path: &Path,
    table: &SitesTable,
    reference: &[(String, u64)],
    fasta: &Path,
) -> Result<()> {
    let find = |name: &str| reference.iter().find(|(n, _)| n == name).map(|(_, l)| *l);
    for (name, len) in &table.contigs {
        match find(name) {
            Some(l) if l == *len => {}
            Some(l) => {
                return Err(Error::invalid(
                    path,
                    None,
                    format!("contig {name} has length {len} here but {l} in {}: the sites were made from another reference; re-run `immunoprofile msi scan` on this FASTA", fasta.display()),
                ))
            }
            None if table.sites.iter().any(|s| &s.chrom == name) => {
                return Err(Error::invalid(
                    path,
                    None,
                    format!("contig {name} is not in {}: the sites were made from another reference; re-run `immunoprofile msi scan` on this FASTA", fasta.display()),
                ))
            }
            None => {}
        }
    }
    for site in &table.sites {
        if find(&site.chrom).is_none() {
            return Err(Error::invalid(
                path,
                Some(site.locus()),
                format!(
                    "contig {} is not in {}: the sites were made from another reference",
                    site.chrom,
                    fasta.display()
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        let site = Site {
            chrom: "c1".into(),
            start: 9,
            unit: b"CA".to_vec(),
            repeats: 4,
            left_flank: b"GGT".to_vec(),
            right_flank: b"TTG".to_vec(),
        };
        assert_eq!(site.end(), 17);
        assert_eq!(site.span(), (6, 20));
        assert_eq!(site.expected_sequence(), b"GGTCACACACATTG");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.tsv");
        let mut f = std::fs::File::create(&path).unwrap();
        writeln!(f, "{SITES_MAGIC}").unwrap();
        write_contig_lines(&mut f, &[("c1".into(), 100)]).unwrap();
        writeln!(f, "{SITES_COLUMNS}").unwrap();
        site.write_columns(&mut f).unwrap();
        writeln!(f).unwrap();
        drop(f);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("c1\t10\t17\tCA\t4\tGGT\tTTG\n"), "{text}");
        let t = read_table(&path, SITES_MAGIC, "sites").unwrap();
        assert_eq!(t.sites, vec![site]);
        assert_eq!(t.contigs, vec![("c1".to_string(), 100)]);
        // Another assembly: same contig name, other length.
        let err = check_against_reference(&path, &t, &[("c1".into(), 99)], Path::new("r.fa"));
        assert!(err.unwrap_err().to_string().contains("another reference"));
        assert!(
            check_against_reference(&path, &t, &[("c1".into(), 100)], Path::new("r.fa")).is_ok()
        );
    }

    #[test]
    fn rejects_foreign_files_and_bad_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.tsv");
        std::fs::write(&path, "chr1\t1\t2\n").unwrap();
        assert!(read_table(&path, SITES_MAGIC, "sites")
            .unwrap_err()
            .to_string()
            .contains("msi scan"));
        std::fs::write(
            &path,
            format!("{SITES_MAGIC}\nc1\t10\t18\tCA\t4\tGGT\tTTG\n"),
        )
        .unwrap();
        assert!(read_table(&path, SITES_MAGIC, "sites")
            .unwrap_err()
            .to_string()
            .contains("line 2"));
    }
}
