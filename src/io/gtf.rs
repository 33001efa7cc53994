//! Streaming GTF reader (Ensembl and GENCODE styles). Each record keeps its attributes in order;
//! repeated keys (`tag`) are kept.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::genome::Strand;
use crate::io::{open_decompressed, read_error, read_line_into};

/// One GTF line. Coordinates as in the file: 1-based, inclusive.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GtfRecord {
    pub seqname: String,
    pub source: String,
    pub feature: String,
    pub start: u64,
    pub end: u64,
    pub strand: Option<Strand>,
    /// CDS phase (0, 1, 2), `None` for `.`.
    pub frame: Option<u8>,
    pub attributes: Vec<(String, String)>,
}

impl GtfRecord {
    /// The first value of an attribute.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated attribute (e.g. `tag`).
    pub fn attrs<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.attributes
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads GTF records one by one, reusing buffers.
pub struct GtfReader {
    inner: Box<dyn BufRead + Send>,
    path: PathBuf,
    line: Vec<u8>,
    line_no: usize,
}

impl GtfReader {
    /// # Errors
    /// The file cannot be opened.
    pub fn from_path(path: &Path) -> Result<Self> {
        let (inner, _) = open_decompressed(path, 1)?;
        Ok(Self {
            inner,
            path: path.to_path_buf(),
            line: Vec::new(),
            line_no: 0,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The line number of the last record read.
    pub fn line_no(&self) -> usize {
        self.line_no
    }

    /// Reads the next record into `record`; `Ok(false)` at the end of the file.
    ///
    /// # Errors
    /// A line with fewer than nine columns, bad coordinates, strand or frame.
    pub fn read_record(&mut self, record: &mut GtfRecord) -> Result<bool> {
        loop {
            if !read_line_into(&mut self.inner, &mut self.line)
                .map_err(|e| read_error(&self.path, e))?
            {
                return Ok(false);
            }
            self.line_no += 1;
            if self.line.is_empty() || self.line[0] == b'#' {
                continue;
            }
            let text = std::str::from_utf8(&self.line)
                .map_err(|_| Error::at_line(&self.path, self.line_no, "not UTF-8 text"))?;
            parse_line(text, record)
                .map_err(|reason| Error::at_line(&self.path, self.line_no, reason))?;
            return Ok(true);
        }
    }
}

fn parse_line(text: &str, record: &mut GtfRecord) -> std::result::Result<(), String> {
    let mut fields = text.splitn(9, '\t');
    let mut next = |name: &str| {
        fields.next().ok_or_else(|| {
            format!("missing column '{name}': a GTF line has 9 tab-separated columns")
        })
    };
    let seqname = next("seqname")?;
    let source = next("source")?;
    let feature = next("feature")?;
    let start = next("start")?;
    let end = next("end")?;
    let _score = next("score")?;
    let strand = next("strand")?;
    let frame = next("frame")?;
    let attributes = next("attributes")?;
    record.seqname.clear();
    record.seqname.push_str(seqname);
    record.source.clear();
    record.source.push_str(source);
    record.feature.clear();
    record.feature.push_str(feature);
    record.start = start
        .parse()
        .map_err(|_| format!("start '{start}' is not a whole number"))?;
    record.end = end
        .parse()
        .map_err(|_| format!("end '{end}' is not a whole number"))?;
    if record.start == 0 || record.end < record.start {
        return Err(format!(
            "bad interval {start}-{end} (GTF is 1-based, end >= start)"
        ));
    }
    record.strand =
        Some(Strand::parse(strand).ok_or_else(|| format!("strand '{strand}' is not +, - or ."))?);
    record.frame = match frame {
        "." => None,
        "0" => Some(0),
        "1" => Some(1),
        "2" => Some(2),
        other => return Err(format!("frame '{other}' is not 0, 1, 2 or .")),
    };
    record.attributes.clear();
    parse_attributes(attributes, &mut record.attributes);
    Ok(())
}

/// `key "value"; key2 3;` (GTF2.2). Unquoted values are accepted; a trailing `;` is optional.
fn parse_attributes(text: &str, out: &mut Vec<(String, String)>) {
    for part in text.split(';') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (key, value) = match part.split_once(|c: char| c.is_ascii_whitespace()) {
            Some((k, v)) => (k, v.trim()),
            None => (part, ""),
        };
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        out.push((key.to_string(), value.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ensembl_line() {
        let line = "22\tensembl\tCDS\t100\t200\t.\t-\t2\tgene_id \"ENSG1\"; gene_version \"3\"; transcript_id \"ENST1\"; exon_number \"2\"; tag \"basic\"; tag \"Ensembl_canonical\"; level 2;";
        let mut r = GtfRecord::default();
        parse_line(line, &mut r).unwrap();
        assert_eq!((r.start, r.end, r.frame), (100, 200, Some(2)));
        assert_eq!(r.strand, Some(Strand::Reverse));
        assert_eq!(r.attr("gene_id"), Some("ENSG1"));
        assert_eq!(r.attr("level"), Some("2"));
        assert_eq!(
            r.attrs("tag").collect::<Vec<_>>(),
            vec!["basic", "Ensembl_canonical"]
        );
    }

    #[test]
    fn rejects_short_lines_and_bad_frames() {
        let mut r = GtfRecord::default();
        assert!(parse_line("1\tx\texon\t1\t2", &mut r)
            .unwrap_err()
            .contains("missing column"));
        assert!(
            parse_line("1\tx\tCDS\t1\t2\t.\t+\t3\tgene_id \"a\";", &mut r)
                .unwrap_err()
                .contains("frame")
        );
        assert!(parse_line("1\tx\tCDS\t5\t2\t.\t+\t0\tgene_id \"a\";", &mut r).is_err());
    }
}
