//! Readers and writers shared by the stages. Formats are detected from content, never from the
//! file name alone; `-` means standard input.

pub mod alignments;
mod bcf_check;
pub mod bed;
pub mod cells;
pub mod fasta;
pub mod gtf;
pub mod output;
pub mod table;
pub mod vcf;

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::num::NonZero;
use std::path::Path;

use crate::error::{Error, Result};

thread_local! {
    static CATCHING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, a call into a dependency that unwraps on some corrupted input (noodles-bcf's record
/// decoder), and turns its panic into `Err` with the panic's message. While `f` runs,
/// [`panic_is_caught`] is true on this thread so the binary's panic hook stays silent instead of
/// reporting a bug and exiting 2.
///
/// # Errors
/// The panic message when `f` panicked.
pub fn catch_dependency_panic<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    let was = CATCHING.with(|c| c.replace(true));
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(was));
    out.map_err(|payload| {
        let text = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("invalid data");
        // `unwrap()` messages read "called `Result::unwrap()` on an `Err` value: Utf8Error {..}":
        // keep the error's name, on one short line.
        let text = text.rsplit(" value: ").next().unwrap_or(text);
        text.lines().next().unwrap_or("").chars().take(80).collect()
    })
}

/// True while [`catch_dependency_panic`] runs on this thread: a panic now is a dependency's,
/// about to be reported as bad input, not a bug of ours.
pub fn panic_is_caught() -> bool {
    CATCHING.with(Cell::get)
}

/// How a byte stream is compressed, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    /// Plain (multi-member) gzip.
    Gzip,
    /// Blocked gzip (bgzip), readable in parallel and indexable.
    Bgzf,
}

/// Looks at the first bytes of a stream: gzip magic, and the `BC` extra subfield that marks BGZF.
pub fn detect_compression(head: &[u8]) -> Compression {
    if head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b {
        // FLG.FEXTRA set and first subfield id "BC" (SAM spec §4.1).
        if head.len() >= 14 && head[3] & 0x04 != 0 && head[12] == b'B' && head[13] == b'C' {
            Compression::Bgzf
        } else {
            Compression::Gzip
        }
    } else {
        Compression::None
    }
}

fn open_raw(path: &Path) -> Result<Box<dyn Read + Send>> {
    if path.as_os_str() == "-" {
        Ok(Box::new(io::stdin()))
    } else {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        Ok(Box::new(file))
    }
}

/// Opens a file (or stdin for `-`) for reading decompressed bytes, whatever its compression.
/// BGZF is decompressed by `threads` workers.
///
/// # Errors
/// The file cannot be opened or its first bytes cannot be read.
pub fn open_decompressed(
    path: &Path,
    threads: usize,
) -> Result<(Box<dyn BufRead + Send>, Compression)> {
    decompress(path, open_raw(path)?, threads)
}

/// As [`open_decompressed`], advancing `bar` by the bytes read from the file (compressed bytes
/// for gzip/BGZF), so a bar sized by [`crate::progress::file_bar`] shows the share read.
///
/// # Errors
/// As [`open_decompressed`].
pub fn open_decompressed_with_progress(
    path: &Path,
    threads: usize,
    bar: &indicatif::ProgressBar,
) -> Result<(Box<dyn BufRead + Send>, Compression)> {
    decompress(path, Box::new(bar.wrap_read(open_raw(path)?)), threads)
}

fn decompress(
    path: &Path,
    raw: Box<dyn Read + Send>,
    threads: usize,
) -> Result<(Box<dyn BufRead + Send>, Compression)> {
    let mut raw = BufReader::with_capacity(1 << 16, raw);
    let head = raw.fill_buf().map_err(|e| Error::io(path, e))?;
    let compression = detect_compression(head);
    let reader: Box<dyn BufRead + Send> = match compression {
        Compression::None => Box::new(raw),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::read::MultiGzDecoder::new(raw),
        )),
        Compression::Bgzf => {
            let workers = NonZero::new(threads.max(1)).unwrap_or(NonZero::<usize>::MIN);
            Box::new(BufReader::with_capacity(
                1 << 16,
                noodles::bgzf::io::MultithreadedReader::with_worker_count(workers, raw),
            ))
        }
    };
    Ok((reader, compression))
}

/// Reads one line into `buf` (cleared first), without the line ending. Returns false at the end.
pub fn read_line_into(reader: &mut dyn BufRead, buf: &mut Vec<u8>) -> io::Result<bool> {
    buf.clear();
    if reader.read_until(b'\n', buf)? == 0 {
        return Ok(false);
    }
    while matches!(buf.last(), Some(b'\n' | b'\r')) {
        buf.pop();
    }
    Ok(true)
}

/// Turns an I/O error met while reading `path` into a user-facing error; a damaged gzip/BGZF
/// stream gets a message saying so.
pub fn read_error(path: &Path, e: io::Error) -> Error {
    match e.kind() {
        io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidData => Error::invalid(
            path,
            None,
            format!("the file is truncated or its compression is damaged ({e}); re-create or re-download it"),
        ),
        _ => Error::io(path, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_bgzf_gzip_and_plain() {
        // The empty BGZF EOF block (SAM spec §4.1.2).
        let eof: [u8; 28] = [
            0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 0x06, 0, 0x42, 0x43, 0x02, 0, 0x1b, 0,
            0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        assert_eq!(detect_compression(&eof), Compression::Bgzf);
        assert_eq!(
            detect_compression(&[0x1f, 0x8b, 0x08, 0x00, 0, 0]),
            Compression::Gzip
        );
        assert_eq!(
            detect_compression(b"##fileformat=VCFv4.2"),
            Compression::None
        );
        assert_eq!(detect_compression(b""), Compression::None);
    }
}
