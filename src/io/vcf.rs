//! VCF and BCF input. The format is detected from content (plain, gzip, bgzip, BCF); `-` is stdin.
//!
//! Records are handed out as text lines and parsed into borrowed [`RecordView`]s, so a hot loop
//! allocates nothing per record. BCF records are converted to VCF text by noodles first, so every
//! stage sees one representation.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use noodles::bcf;
use noodles::vcf;

use crate::error::{Error, Result};
use crate::io::{open_decompressed, read_error, read_line_into};

/// One `##INFO` or `##FORMAT` definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDef {
    pub number: String,
    pub ty: String,
    pub description: String,
}

/// What the stages need from a VCF header, parsed leniently (real headers are often slightly
/// off-spec); the original `##` lines are kept for writers.
#[derive(Debug, Clone, Default)]
pub struct VcfHeader {
    /// Every `##` line in order, without the line ending.
    pub meta_lines: Vec<String>,
    pub samples: Vec<String>,
    pub info: BTreeMap<String, FieldDef>,
    pub format: BTreeMap<String, FieldDef>,
    /// `##contig` names (and lengths when given), in order.
    pub contigs: Vec<(String, Option<u64>)>,
}

impl VcfHeader {
    /// Parses `##` lines and the `#CHROM` line.
    ///
    /// # Errors
    /// No `#CHROM` line, or a malformed one.
    pub fn parse(lines: &[String], path: &Path) -> Result<Self> {
        let mut header = VcfHeader::default();
        let mut chrom_line = None;
        for line in lines {
            if let Some(rest) = line.strip_prefix("##") {
                header.meta_lines.push(line.clone());
                if let Some(body) = rest
                    .strip_prefix("INFO=<")
                    .and_then(|b| b.strip_suffix('>'))
                {
                    if let Some((id, def)) = parse_field_def(body) {
                        header.info.insert(id, def);
                    }
                } else if let Some(body) = rest
                    .strip_prefix("FORMAT=<")
                    .and_then(|b| b.strip_suffix('>'))
                {
                    if let Some((id, def)) = parse_field_def(body) {
                        header.format.insert(id, def);
                    }
                } else if let Some(body) = rest
                    .strip_prefix("contig=<")
                    .and_then(|b| b.strip_suffix('>'))
                {
                    let kv = parse_structured(body);
                    if let Some(id) = kv.get("ID") {
                        let len = kv.get("length").and_then(|l| l.parse().ok());
                        header.contigs.push((id.clone(), len));
                    }
                }
            } else if line.starts_with("#CHROM") {
                chrom_line = Some(line);
            }
        }
        let chrom_line = chrom_line.ok_or_else(|| {
            Error::invalid(path, None, "no #CHROM header line: is this a VCF file?")
        })?;
        let cols: Vec<&str> = chrom_line.split('\t').collect();
        if cols.len() < 8
            || cols[..8]
                != [
                    "#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO",
                ]
        {
            return Err(Error::invalid(
                path,
                Some("#CHROM line".into()),
                "expected tab-separated #CHROM POS ID REF ALT QUAL FILTER INFO [FORMAT samples...]",
            ));
        }
        header.samples = cols.iter().skip(9).map(|s| s.to_string()).collect();
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = header.samples.iter().find(|s| !seen.insert(s.as_str())) {
            return Err(Error::invalid(
                path,
                Some("#CHROM line".into()),
                format!("sample name '{dup}' appears twice; sample names must be unique (rename one, e.g. with bcftools reheader)"),
            ));
        }
        Ok(header)
    }

    /// Tab-separated columns a data line must have: 8, or 9 + one per sample.
    pub fn columns(&self) -> usize {
        if self.samples.is_empty() {
            8
        } else {
            9 + self.samples.len()
        }
    }

    /// The value of a simple `##key=value` line, e.g. `tumor_sample` or `source`.
    pub fn simple(&self, key: &str) -> Option<&str> {
        self.meta_lines.iter().find_map(|l| {
            l.strip_prefix("##")
                .and_then(|r| r.strip_prefix(key))
                .and_then(|r| r.strip_prefix('='))
        })
    }

    /// Whether any `##` line contains `needle` (used to recognise the calling program).
    pub fn mentions(&self, needle: &str) -> bool {
        self.meta_lines.iter().any(|l| l.contains(needle))
    }

    pub fn sample_index(&self, name: &str) -> Option<usize> {
        self.samples.iter().position(|s| s == name)
    }

    /// Chooses the tumour sample: `requested`, else `##tumor_sample`, else a sample named `TUMOR`
    /// (Strelka2), else the only sample.
    ///
    /// # Errors
    /// The requested sample is absent, or several samples and nothing says which is the tumour.
    pub fn tumor_sample(&self, requested: Option<&str>, path: &Path) -> Result<usize> {
        let listing = || {
            if self.samples.is_empty() {
                "the VCF has no sample columns".to_string()
            } else {
                format!("samples in the VCF: {}", self.samples.join(", "))
            }
        };
        if let Some(name) = requested {
            return self.sample_index(name).ok_or_else(|| {
                Error::invalid(
                    path,
                    None,
                    format!("sample '{name}' not found; {}", listing()),
                )
            });
        }
        if let Some(name) = self.simple("tumor_sample") {
            if let Some(i) = self.sample_index(name) {
                return Ok(i);
            }
        }
        if let Some(i) = self.sample_index("TUMOR") {
            return Ok(i);
        }
        match self.samples.len() {
            1 => Ok(0),
            0 => Err(Error::invalid(
                path,
                None,
                "the VCF has no sample columns; a tumour sample is needed",
            )),
            _ => Err(Error::invalid(
                path,
                None,
                format!(
                    "several samples and no ##tumor_sample header: choose one with --sample ({})",
                    listing()
                ),
            )),
        }
    }

    /// The matched normal, when one can be told: `requested`, `##normal_sample`, a sample named
    /// `NORMAL`, or the other sample of a two-sample VCF.
    ///
    /// # Errors
    /// A requested normal sample that is absent.
    pub fn normal_sample(
        &self,
        tumor: usize,
        requested: Option<&str>,
        path: &Path,
    ) -> Result<Option<usize>> {
        if let Some(name) = requested {
            return self.sample_index(name).map(Some).ok_or_else(|| {
                Error::invalid(
                    path,
                    None,
                    format!(
                        "normal sample '{name}' not found; samples: {}",
                        self.samples.join(", ")
                    ),
                )
            });
        }
        let by_header = self
            .simple("normal_sample")
            .and_then(|n| self.sample_index(n))
            .or_else(|| self.sample_index("NORMAL"))
            .filter(|&i| i != tumor);
        // `tumor < 2`: a tumour index outside a two-sample list must not underflow.
        Ok(by_header.or_else(|| (self.samples.len() == 2 && tumor < 2).then(|| 1 - tumor)))
    }
}

/// Splits `ID=X,Number=A,Type=Float,Description="a, b"` respecting quotes.
pub fn parse_structured(body: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = body;
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq].trim().to_string();
        rest = &rest[eq + 1..];
        let value;
        if let Some(stripped) = rest.strip_prefix('"') {
            // Find the closing quote, honouring backslash escapes.
            let mut end = None;
            let mut escaped = false;
            for (i, c) in stripped.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = Some(i);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            let end = end.unwrap_or(stripped.len());
            value = stripped[..end].replace("\\\"", "\"");
            rest = stripped.get(end + 1..).unwrap_or("");
            rest = rest.strip_prefix(',').unwrap_or(rest);
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            value = rest[..end].to_string();
            rest = rest.get(end + 1..).unwrap_or("");
        }
        out.insert(key, value);
    }
    out
}

fn parse_field_def(body: &str) -> Option<(String, FieldDef)> {
    let mut kv = parse_structured(body);
    let id = kv.remove("ID")?;
    Some((
        id,
        FieldDef {
            number: kv.remove("Number").unwrap_or_default(),
            ty: kv.remove("Type").unwrap_or_default(),
            description: kv.remove("Description").unwrap_or_default(),
        },
    ))
}

enum Source {
    Text(Box<dyn BufRead + Send>),
    Bcf {
        reader: Box<bcf::io::Reader<Box<dyn BufRead + Send>>>,
        header: Box<vcf::Header>,
        record: Box<bcf::Record>,
        writer: Box<vcf::io::Writer<Vec<u8>>>,
    },
}

/// A VCF/BCF file opened for streaming.
pub struct VcfReader {
    path: PathBuf,
    header: VcfHeader,
    source: Source,
    /// The number of the last line read (text), or the record number (BCF).
    line_no: usize,
    /// The bar over the file's bytes ([`VcfReader::open_with_progress`]), cleared on drop.
    progress: Option<indicatif::ProgressBar>,
}

impl Drop for VcfReader {
    fn drop(&mut self) {
        if let Some(bar) = &self.progress {
            bar.finish_and_clear();
        }
    }
}

impl VcfReader {
    /// Opens `path` (`-` for stdin), detects VCF/BCF and compression from the first bytes, and
    /// reads the header. BGZF blocks are decompressed by `threads` workers.
    ///
    /// # Errors
    /// Unreadable or empty file, truncated compression, not a VCF/BCF.
    pub fn open(path: &Path, threads: usize) -> Result<Self> {
        let (inner, _) = open_decompressed(path, threads)?;
        Self::from_decompressed(path, inner, None)
    }

    /// As [`VcfReader::open`], with a progress bar (labelled `message`) over the file's bytes,
    /// cleared when the reader is dropped.
    ///
    /// # Errors
    /// As [`VcfReader::open`].
    pub fn open_with_progress(path: &Path, threads: usize, message: &str) -> Result<Self> {
        let bar = crate::progress::file_bar(path, message);
        let (inner, _) = crate::io::open_decompressed_with_progress(path, threads, &bar)?;
        Self::from_decompressed(path, inner, Some(bar))
    }

    fn from_decompressed(
        path: &Path,
        mut inner: Box<dyn BufRead + Send>,
        progress: Option<indicatif::ProgressBar>,
    ) -> Result<Self> {
        let head = inner.fill_buf().map_err(|e| read_error(path, e))?;
        if head.is_empty() {
            return Err(Error::invalid(
                path,
                None,
                "the file is empty (not even a VCF header)",
            ));
        }
        if head.starts_with(b"BCF") {
            return Self::open_bcf(path, inner, progress);
        }
        if !head.starts_with(b"##fileformat=VCF") && !head.starts_with(b"#CHROM") {
            return Err(Error::invalid(
                path,
                Some("line 1".into()),
                "not a VCF or BCF file (expected '##fileformat=VCF...')",
            ));
        }
        let mut lines = Vec::new();
        let mut buf = Vec::new();
        let mut line_no = 0;
        loop {
            // Peek so the first data line stays in the stream.
            let next = inner.fill_buf().map_err(|e| read_error(path, e))?;
            if next.is_empty() || next[0] != b'#' {
                break;
            }
            read_line_into(&mut inner, &mut buf).map_err(|e| read_error(path, e))?;
            line_no += 1;
            let line = String::from_utf8(std::mem::take(&mut buf))
                .map_err(|_| Error::at_line(path, line_no, "header line is not UTF-8"))?;
            let is_chrom = line.starts_with("#CHROM");
            lines.push(line);
            if is_chrom {
                break;
            }
        }
        let header = VcfHeader::parse(&lines, path)?;
        Ok(Self {
            path: path.to_path_buf(),
            header,
            source: Source::Text(inner),
            line_no,
            progress,
        })
    }

    fn open_bcf(
        path: &Path,
        inner: Box<dyn BufRead + Send>,
        progress: Option<indicatif::ProgressBar>,
    ) -> Result<Self> {
        let inner = super::bcf_check::check_header(path, inner)?;
        let mut reader = bcf::io::Reader::from(inner);
        let vcf_header = reader.read_header().map_err(|e| {
            Error::invalid(
                path,
                Some("BCF header".into()),
                format!("cannot read the BCF header: {e}"),
            )
        })?;
        let mut writer = vcf::io::Writer::new(Vec::new());
        writer
            .write_header(&vcf_header)
            .map_err(|e| Error::Internal(format!("writing a BCF header as VCF text: {e}")))?;
        let text = String::from_utf8_lossy(writer.get_ref()).into_owned();
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        let header = VcfHeader::parse(&lines, path)?;
        writer.get_mut().clear();
        Ok(Self {
            path: path.to_path_buf(),
            header,
            source: Source::Bcf {
                reader: Box::new(reader),
                header: Box::new(vcf_header),
                record: Box::default(),
                writer: Box::new(writer),
            },
            line_no: 0,
            progress,
        })
    }

    pub fn header(&self) -> &VcfHeader {
        &self.header
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The line number (text VCF) or record number (BCF) of the last record read.
    pub fn line_no(&self) -> usize {
        self.line_no
    }

    /// Reads the next data line into `buf` (VCF text, no line ending). Blank lines are skipped.
    /// Returns `Ok(false)` at the end.
    ///
    /// # Errors
    /// Truncated or damaged compression, an unreadable BCF record.
    pub fn read_line(&mut self, buf: &mut Vec<u8>) -> Result<bool> {
        match &mut self.source {
            Source::Text(inner) => loop {
                if !read_line_into(inner, buf).map_err(|e| read_error(&self.path, e))? {
                    return Ok(false);
                }
                self.line_no += 1;
                if !buf.is_empty() {
                    let cols = memchr::memchr_iter(b'\t', buf).count() + 1;
                    let want = self.header.columns();
                    if cols != want {
                        return Err(Error::at_line(
                            &self.path,
                            self.line_no,
                            format!("{cols} tab-separated columns where the #CHROM line has {want}; is the line truncated or are its columns separated by spaces?"),
                        ));
                    }
                    return Ok(true);
                }
            },
            Source::Bcf {
                reader,
                header,
                record,
                writer,
            } => {
                // noodles allocates the record's declared length before reading it: a corrupted
                // length would allocate gigabytes. Peek at the two lengths first.
                let peek = reader
                    .get_mut()
                    .fill_buf()
                    .map_err(|e| read_error(&self.path, e))?;
                if let (Some(shared), Some(indiv)) = (peek.get(0..4), peek.get(4..8)) {
                    let len = |b: &[u8]| u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
                    let total = len(shared) + len(indiv);
                    if total > super::bcf_check::MAX_RECORD {
                        return Err(Error::invalid(
                            &self.path,
                            Some(format!("record {}", self.line_no + 1)),
                            format!("cannot decode BCF record (it declares {total} bytes): the file is corrupted"),
                        ));
                    }
                }
                let n = reader
                    .read_record(record)
                    .map_err(|e| read_error(&self.path, e))?;
                if n == 0 {
                    return Ok(false);
                }
                self.line_no += 1;
                writer.get_mut().clear();
                let bad = |why: String| {
                    Error::invalid(
                        &self.path,
                        Some(format!("record {}", self.line_no)),
                        format!("cannot decode BCF record ({why}): the file is corrupted"),
                    )
                };
                // noodles-bcf decodes lazily and unwraps some decodings: the ID column is checked
                // here first (its `str::from_utf8(..).unwrap()` is the common case), and any other
                // panic inside the decoder is caught and becomes our error.
                if std::str::from_utf8(record.ids().as_ref()).is_err() {
                    return Err(bad("the ID column is not UTF-8".to_string()));
                }
                let decoded = crate::io::catch_dependency_panic(|| {
                    vcf::variant::io::Write::write_variant_record(
                        writer.as_mut(),
                        header,
                        record.as_ref(),
                    )
                });
                match decoded {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => return Err(bad(e.to_string())),
                    Err(why) => return Err(bad(why)),
                }
                buf.clear();
                let text = writer.get_ref();
                let end = text.iter().rposition(|&b| b != b'\n').map_or(0, |p| p + 1);
                buf.extend_from_slice(&text[..end]);
                Ok(true)
            }
        }
    }

    /// Drains the rest of the input (used by tests and small tools).
    ///
    /// # Errors
    /// As [`VcfReader::read_line`].
    pub fn read_all_lines(&mut self) -> Result<Vec<(usize, String)>> {
        let mut out = Vec::new();
        let mut buf = Vec::new();
        while self.read_line(&mut buf)? {
            out.push((self.line_no, String::from_utf8_lossy(&buf).into_owned()));
        }
        Ok(out)
    }
}

/// A data line split into its columns, borrowing the line.
#[derive(Debug, Clone)]
pub struct RecordView<'a> {
    pub chrom: &'a str,
    /// 1-based position as written.
    pub pos: u64,
    pub id: &'a str,
    pub reference: &'a str,
    /// The ALT column as written (comma-separated).
    pub alt: &'a str,
    pub qual: &'a str,
    pub filter: &'a str,
    pub info: &'a str,
    pub format: Option<&'a str>,
    /// Everything after FORMAT (tab-separated sample columns).
    samples: &'a str,
}

impl<'a> RecordView<'a> {
    /// Splits a VCF data line. The error is a reason; the caller adds file and line.
    ///
    /// # Errors
    /// Fewer than eight columns or a position that is not a positive number.
    pub fn parse(line: &'a str) -> std::result::Result<Self, String> {
        // memchr over the bytes: tabs are ASCII, so every cut is a char boundary.
        let bytes = line.as_bytes();
        let mut cols: [&'a str; 9] = [""; 9];
        let mut start = 0;
        let mut n = 0;
        let mut rest = "";
        for tab in memchr::memchr_iter(b'\t', bytes) {
            cols[n] = &line[start..tab];
            n += 1;
            start = tab + 1;
            if n == 9 {
                rest = &line[start..];
                break;
            }
        }
        if n < 9 {
            cols[n] = &line[start..];
            n += 1;
        }
        const NAMES: [&str; 8] = ["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"];
        if n < 8 {
            return Err(format!(
                "missing the {} column (a VCF line has at least 8 tab-separated columns)",
                NAMES[n]
            ));
        }
        let (chrom, pos_text) = (cols[0], cols[1]);
        let pos = pos_text
            .parse::<u64>()
            .ok()
            .filter(|&p| p > 0)
            .ok_or_else(|| {
                format!("{chrom}:{pos_text}: POS '{pos_text}' is not a positive whole number")
            })?;
        check_bases(cols[3], cols[4]).map_err(|r| format!("{chrom}:{pos}: {r}"))?;
        Ok(Self {
            chrom,
            pos,
            id: cols[2],
            reference: cols[3],
            alt: cols[4],
            qual: cols[5],
            filter: cols[6],
            info: cols[7],
            format: (n > 8).then_some(cols[8]),
            samples: rest,
        })
    }

    /// `chrom:pos`, for messages.
    pub fn locus(&self) -> String {
        format!("{}:{}", self.chrom, self.pos)
    }

    pub fn alts(&self) -> impl Iterator<Item = &'a str> {
        split_ascii(self.alt, b',')
    }

    /// `PASS` or `.` (unfiltered) count as passing, as bcftools `-f PASS,.` does.
    pub fn is_pass(&self) -> bool {
        self.filter == "PASS" || self.filter == "."
    }

    /// `Some(Some(v))` for `key=v`, `Some(None)` for a flag, `None` when absent.
    pub fn info_value(&self, key: &str) -> Option<Option<&'a str>> {
        let info = self.info;
        if info == "." {
            return None;
        }
        let bytes = info.as_bytes();
        let mut start = 0;
        loop {
            let end = memchr::memchr(b';', &bytes[start..]).map_or(bytes.len(), |i| start + i);
            let item = &info[start..end];
            if let Some(rest) = item.strip_prefix(key) {
                if rest.is_empty() {
                    return Some(None);
                }
                if let Some(v) = rest.strip_prefix('=') {
                    return Some(Some(v));
                }
            }
            if end == bytes.len() {
                return None;
            }
            start = end + 1;
        }
    }

    /// The raw column of sample `index` (0-based among samples).
    pub fn sample_column(&self, index: usize) -> Option<&'a str> {
        nth_field(self.samples, b'\t', index)
    }

    /// The value of FORMAT `key` for sample `index`; `None` when the key or value is absent
    /// (including `.`, and trailing fields dropped as the VCF spec allows).
    pub fn sample_value(&self, index: usize, key: &str) -> Option<&'a str> {
        let field = split_ascii(self.format?, b':').position(|k| k == key)?;
        nth_field(self.sample_column(index)?, b':', field).filter(|v| !v.is_empty() && *v != ".")
    }
}

/// REF must be bases (A, C, G, T, N, or an IUPAC code, which some references carry); each ALT
/// bases (A, C, G, T, N), `*`, `.`, a symbolic `<...>` allele or a breakend.
fn check_bases(reference: &str, alt: &str) -> std::result::Result<(), String> {
    let iupac = |b: u8| b"ACGTNRYSWKMBDHVacgtnryswkmbdhv".contains(&b);
    if reference.is_empty() || !reference.bytes().all(iupac) {
        return Err(format!(
            "REF '{}' is not made of bases (A, C, G, T, N)",
            short(reference)
        ));
    }
    for a in split_ascii(alt, b',') {
        let ok = matches!(a, "*" | ".")
            || (a.starts_with('<') && a.ends_with('>'))
            || a.contains(['[', ']'])
            || (a.len() > 1 && (a.starts_with('.') || a.ends_with('.')))
            || (!a.is_empty() && a.bytes().all(|b| b"ACGTNacgtn".contains(&b)));
        if !ok {
            return Err(format!(
                "ALT '{}' is not made of bases (A, C, G, T, N), '*', or a symbolic <...> allele",
                short(a)
            ));
        }
    }
    Ok(())
}

fn short(s: &str) -> String {
    if s.len() > 20 {
        format!("{}...", s.chars().take(20).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Splits `text` at an ASCII separator with memchr (hot loops: `str::split(char)` is slower).
pub fn split_ascii(text: &str, sep: u8) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        match memchr::memchr(sep, &bytes[start..]) {
            Some(i) => {
                // An ASCII byte is never inside a multi-byte character: the cut is a boundary.
                let piece = &text[start..start + i];
                start += i + 1;
                Some(piece)
            }
            None => {
                done = true;
                Some(&text[start..])
            }
        }
    })
}

/// The `n`-th piece of `text` split at `sep`.
pub fn nth_field(text: &str, sep: u8, n: usize) -> Option<&str> {
    split_ascii(text, sep).nth(n)
}

/// Reads a whole (small) VCF into memory: header and records' lines. For tests and small tools.
///
/// # Errors
/// As [`VcfReader::open`] and [`VcfReader::read_line`].
pub fn read_to_memory(path: &Path) -> Result<(VcfHeader, Vec<(usize, String)>)> {
    let mut reader = VcfReader::open(path, 1)?;
    let lines = reader.read_all_lines()?;
    Ok((reader.header().clone(), lines))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const VCF: &str = "##fileformat=VCFv4.2\n##tumor_sample=T\n##normal_sample=N\n##contig=<ID=chr1,length=1000>\n##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl VEP. Format: Allele|Consequence\">\n##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths, \\\"quoted\\\"\">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tN\tT\nchr1\t10\t.\tA\tG,T\t.\tPASS\tDB;CSQ=G|missense_variant\tGT:AD\t0/0:10,0,0\t0/1:5,3,.\n";

    fn write(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    #[test]
    fn header_fields_and_samples() {
        let f = write(VCF);
        let mut r = VcfReader::open(f.path(), 1).unwrap();
        let h = r.header().clone();
        assert_eq!(h.samples, vec!["N", "T"]);
        assert_eq!(h.tumor_sample(None, f.path()).unwrap(), 1);
        assert_eq!(h.normal_sample(1, None, f.path()).unwrap(), Some(0));
        assert_eq!(h.contigs, vec![("chr1".to_string(), Some(1000))]);
        assert!(h.info["CSQ"]
            .description
            .ends_with("Format: Allele|Consequence"));
        assert_eq!(h.format["AD"].description, "Allelic depths, \"quoted\"");
        let lines = r.read_all_lines().unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].0, 8);
        let rec = RecordView::parse(&lines[0].1).unwrap();
        assert_eq!((rec.chrom, rec.pos, rec.reference), ("chr1", 10, "A"));
        assert_eq!(rec.alts().collect::<Vec<_>>(), vec!["G", "T"]);
        assert_eq!(rec.info_value("DB"), Some(None));
        assert_eq!(rec.info_value("CSQ"), Some(Some("G|missense_variant")));
        assert_eq!(rec.info_value("CS"), None);
        assert_eq!(rec.sample_value(1, "AD"), Some("5,3,."));
        assert_eq!(rec.sample_value(1, "DP"), None);
        assert_eq!(rec.sample_value(2, "AD"), None);
    }

    #[test]
    fn sample_choice_errors_list_samples() {
        let text = VCF.replace("##tumor_sample=T\n", "");
        let f = write(&text);
        let r = VcfReader::open(f.path(), 1).unwrap();
        let e = r
            .header()
            .tumor_sample(None, f.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("--sample") && e.contains("N, T"), "{e}");
        let e = r
            .header()
            .tumor_sample(Some("X"), f.path())
            .unwrap_err()
            .to_string();
        assert!(e.contains("'X' not found"), "{e}");
    }

    #[test]
    fn bgzip_and_plain_gzip_are_detected() {
        let dir = tempfile::tempdir().unwrap();
        let gz = dir.path().join("a.vcf.gz");
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).unwrap(),
            flate2::Compression::default(),
        );
        enc.write_all(VCF.as_bytes()).unwrap();
        enc.finish().unwrap();
        assert_eq!(read_to_memory(&gz).unwrap().1.len(), 1);
        let bgz = dir.path().join("b.vcf.gz");
        let mut w = noodles::bgzf::io::Writer::new(std::fs::File::create(&bgz).unwrap());
        w.write_all(VCF.as_bytes()).unwrap();
        w.finish().unwrap();
        assert_eq!(read_to_memory(&bgz).unwrap().1.len(), 1);
    }

    #[test]
    fn truncated_bgzf_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let bgz = dir.path().join("b.vcf.gz");
        let mut w = noodles::bgzf::io::Writer::new(std::fs::File::create(&bgz).unwrap());
        for _ in 0..2000 {
            w.write_all(VCF.as_bytes()).unwrap();
        }
        w.finish().unwrap();
        let bytes = std::fs::read(&bgz).unwrap();
        std::fs::write(&bgz, &bytes[..bytes.len() / 2]).unwrap();
        let e = read_to_memory(&bgz).unwrap_err().to_string();
        assert!(e.contains("truncated"), "{e}");
    }

    #[test]
    fn ascii_split_matches_str_split() {
        for text in ["", "a", "a,b", ",a,,b,", "é,ü,,"] {
            assert_eq!(
                split_ascii(text, b',').collect::<Vec<_>>(),
                text.split(',').collect::<Vec<_>>()
            );
        }
        assert_eq!(nth_field("x:y:z", b':', 2), Some("z"));
        assert_eq!(nth_field("x:y:z", b':', 3), None);
    }

    #[test]
    fn values_that_are_not_values_are_refused() {
        // Duplicate sample names.
        let f = write(&VCF.replace("FORMAT\tN\tT", "FORMAT\tT\tT"));
        let e = VcfReader::open(f.path(), 1).err().unwrap().to_string();
        assert!(e.contains("'T' appears twice"), "{e}");
        // A data line with fewer columns than the #CHROM line (the tumour column lost).
        let f = write(&VCF.replace("\t0/1:5,3,.\n", "\n"));
        let e = read_to_memory(f.path()).unwrap_err().to_string();
        assert!(
            e.contains("line 8") && e.contains("10 tab-separated columns") && e.contains("has 11"),
            "{e}"
        );
        // REF Z and ALT R are not bases.
        let e = RecordView::parse("1\t5\t.\tZ\tA\t.\t.\t.").unwrap_err();
        assert!(e.contains("1:5") && e.contains("REF 'Z'"), "{e}");
        let e = RecordView::parse("1\t5\t.\tA\tG,R\t.\t.\t.").unwrap_err();
        assert!(e.contains("ALT 'R'"), "{e}");
        // Symbolic alleles, breakends, '*' and IUPAC codes in REF are fine.
        for alt in ["<DEL>", "G]17:198982]", "*", ".", "AC,<NON_REF>"] {
            assert!(
                RecordView::parse(&format!("1\t5\t.\tR\t{alt}\t.\t.\t.")).is_ok(),
                "{alt}"
            );
        }
    }

    #[test]
    fn not_a_vcf() {
        let f = write("hello\n");
        let e = VcfReader::open(f.path(), 1).err().unwrap().to_string();
        assert!(e.contains("not a VCF"), "{e}");
    }
}
