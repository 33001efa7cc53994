//! Checks on a BCF stream before noodles-bcf decodes it. noodles trusts the lengths and
//! indices it reads (it allocates a record's declared length, and sizes its header dictionary by
//! the largest `IDX=`), so a corrupted file could make it allocate gigabytes and abort; these
//! bounds turn that into a one-line error naming the file.

use std::io::{BufRead, Read};
use std::path::Path;

use crate::error::{Error, Result};
use crate::io::read_error;

/// The largest BCF header text accepted; real ones are kilobytes to a few megabytes.
const MAX_HEADER: u64 = 64 << 20;

/// The largest `IDX=` of a BCF header line accepted (an index into the header's string
/// dictionary, so below the number of header lines in a real file).
const MAX_IDX: u64 = 1_000_000;

/// Reads the BCF magic and header text ahead of noodles and checks what noodles would trust: the
/// header length (read as it arrives, never pre-allocated) and every `IDX=` (noodles sizes its
/// dictionary by the largest one: a corrupted IDX would allocate gigabytes and abort). Returns a
/// stream that replays the bytes read.
pub(crate) fn check_header(
    path: &Path,
    mut inner: Box<dyn BufRead + Send>,
) -> Result<Box<dyn BufRead + Send>> {
    let corrupted = |why: String| {
        Error::invalid(
            path,
            Some("BCF header".into()),
            format!("{why}: the file is corrupted"),
        )
    };
    let mut head = [0u8; 9];
    inner
        .read_exact(&mut head)
        .map_err(|_| corrupted("the header is cut short".into()))?;
    let l_text = u64::from(u32::from_le_bytes([head[5], head[6], head[7], head[8]]));
    if l_text > MAX_HEADER {
        return Err(corrupted(format!("it declares a header of {l_text} bytes")));
    }
    let mut text = Vec::new();
    (&mut inner)
        .take(l_text)
        .read_to_end(&mut text)
        .map_err(|e| read_error(path, e))?;
    // `,IDX=` inside a `<...>` header line; a Description that merely mentions IDX is no index.
    for (i, _) in text.windows(5).enumerate().filter(|(_, w)| w == b",IDX=") {
        let digits: Vec<u8> = text[i + 5..]
            .iter()
            .copied()
            .take_while(u8::is_ascii_digit)
            .take(21)
            .collect();
        let too_big = std::str::from_utf8(&digits)
            .ok()
            .and_then(|d| d.parse::<u64>().ok())
            .map_or(!digits.is_empty(), |n| n > MAX_IDX);
        if too_big {
            let shown = String::from_utf8_lossy(&digits).into_owned();
            return Err(corrupted(format!(
                "a header line has IDX={shown}, out of range"
            )));
        }
    }
    let mut replay = head.to_vec();
    replay.extend_from_slice(&text);
    Ok(Box::new(std::io::Cursor::new(replay).chain(inner)))
}

/// The largest BCF record accepted (shared + per-sample bytes). Real records are kilobytes; a
/// 100,000-sample record with PL is about 1 MB.
pub(crate) const MAX_RECORD: u64 = 256 << 20;

#[cfg(test)]
mod tests {
    use super::*;

    fn bcf(text: &str) -> Vec<u8> {
        let mut b = b"BCF\x02\x02".to_vec();
        b.extend_from_slice(&(text.len() as u32).to_le_bytes());
        b.extend_from_slice(text.as_bytes());
        b.extend_from_slice(b"records");
        b
    }

    fn check(bytes: Vec<u8>) -> std::result::Result<Vec<u8>, String> {
        let stream: Box<dyn BufRead + Send> = Box::new(std::io::Cursor::new(bytes));
        let mut out = Vec::new();
        check_header(Path::new("x.bcf"), stream)
            .map_err(|e| e.to_string())?
            .read_to_end(&mut out)
            .unwrap();
        Ok(out)
    }

    #[test]
    fn header_indices_are_bounded_and_the_stream_replayed() {
        let ok = bcf("##FILTER=<ID=PASS,Description=\"IDX=none here\",IDX=0>\n#CHROM\n");
        assert_eq!(check(ok.clone()).unwrap(), ok);
        let e = check(bcf(
            "##INFO=<ID=X,Number=1,Type=Integer,Description=\"x\",IDX=4294967295>\n",
        ))
        .unwrap_err();
        assert!(
            e.contains("x.bcf (BCF header): a header line has IDX=4294967295, out of range"),
            "{e}"
        );
        let mut huge = bcf("");
        huge[5..9].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(check(huge)
            .unwrap_err()
            .contains("declares a header of 4294967295 bytes"));
        assert!(check(b"BCF\x02".to_vec())
            .unwrap_err()
            .contains("cut short"));
    }
}
