//! Checks before htslib opens a BAM/CRAM, so each problem gets one precise message, and the
//! switch that keeps htslib off the network.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// htslib looks up a CRAM's reference by MD5 at `https://www.ebi.ac.uk/ena/cram/md5/%s` when
/// `REF_PATH` is unset (and at any URL `REF_PATH` names). We never download: `REF_PATH` is set
/// to a local path that does not exist, and `REF_CACHE` likewise, so a CRAM without `--fasta`
/// fails instead. Call once at start-up, before threads exist (it changes the environment).
pub fn disable_remote_reference() {
    let remote = |v: &str| v.contains("http:") || v.contains("https:") || v.contains("ftp:");
    let keep = std::env::var("REF_PATH").is_ok_and(|v| !v.is_empty() && !remote(&v));
    if !keep {
        std::env::set_var("REF_PATH", "/nonexistent/immunoprofile-never-downloads/%s");
    }
    if std::env::var("REF_CACHE").is_ok_and(|v| remote(&v)) {
        std::env::remove_var("REF_CACHE");
    }
}

/// What an alignment file is, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlignmentFormat {
    Bam,
    Cram,
}

/// Checks `path` before htslib sees it: it exists, is a file, is a BAM or CRAM, has an index
/// beside it, and a CRAM comes with its reference (`fasta`). `flag` is the option that gives
/// the reference on this stage (for the message); `None` when the stage reads BAM only.
///
/// # Errors
/// Each case above, in one line naming the file and what to do.
pub fn check(path: &Path, fasta: Option<&Path>, flag: Option<&str>) -> Result<AlignmentFormat> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Error::invalid(
            path,
            None,
            match e.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_string(),
                _ => format!("cannot read: {e}"),
            },
        )
    })?;
    if meta.is_dir() {
        return Err(Error::invalid(
            path,
            None,
            "is a directory, not a BAM or CRAM file",
        ));
    }
    let mut head = [0u8; 4];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| Error::io(path, e))?;
    let format = if n == 4 && &head == b"CRAM" {
        AlignmentFormat::Cram
    } else if n >= 2 && head[0] == 0x1f && head[1] == 0x8b {
        AlignmentFormat::Bam
    } else if n == 0 {
        return Err(Error::invalid(
            path,
            None,
            "the file is empty, not a BAM or CRAM",
        ));
    } else {
        return Err(Error::invalid(
            path,
            None,
            "not a BAM or CRAM file (a SAM must be converted: samtools sort -o x.bam x.sam && samtools index x.bam)",
        ));
    };
    if format == AlignmentFormat::Cram && fasta.is_none() {
        return Err(Error::invalid(
            path,
            None,
            match flag {
                Some(flag) => format!("is a CRAM: give the reference it was written against with {flag} (it is never downloaded)"),
                None => "is a CRAM, and this stage reads BAM only: convert it with `samtools view -b -T ref.fa -o x.bam x.cram` and index it".to_string(),
            },
        ));
    }
    let p = path.to_string_lossy();
    let stem = p
        .strip_suffix(".bam")
        .or_else(|| p.strip_suffix(".cram"))
        .unwrap_or(&p);
    let indexed = [
        format!("{p}.bai"),
        format!("{p}.csi"),
        format!("{p}.crai"),
        format!("{stem}.bai"),
        format!("{stem}.crai"),
    ]
    .iter()
    .any(|c| Path::new(c).is_file());
    if !indexed {
        return Err(Error::invalid(
            path,
            None,
            "has no index beside it (.bai, .csi or .crai): run `samtools index` on it",
        ));
    }
    check_end_marker(path, format, &head, meta.len())?;
    Ok(format)
}

/// The empty BGZF block every complete BAM ends with (SAM spec §4.1.2).
const BGZF_EOF: [u8; 28] = [
    0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 0x06, 0, 0x42, 0x43, 0x02, 0, 0x1b, 0, 0x03, 0, 0,
    0, 0, 0, 0, 0, 0, 0,
];

/// The end-of-file container of CRAM 3.x (CRAM spec §9).
const CRAM3_EOF: [u8; 38] = [
    0x0f, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f, 0xe0, 0x45, 0x4f, 0x46, 0, 0, 0, 0, 0x01, 0, 0x05,
    0xbd, 0xd9, 0x4f, 0, 0x01, 0, 0x06, 0x06, 0x01, 0, 0x01, 0, 0x01, 0, 0xee, 0x63, 0x01, 0x4b,
];

/// A BAM or CRAM 3 cut short (an interrupted copy or download) reads without error up to the
/// cut: htslib only warns, and the read counts come out too low. Refuse it instead.
fn check_end_marker(path: &Path, format: AlignmentFormat, head: &[u8; 4], len: u64) -> Result<()> {
    use std::io::{Seek, SeekFrom};
    let marker: &[u8] = match format {
        AlignmentFormat::Bam => &BGZF_EOF,
        // CRAM 2.x ends differently; its version byte follows the magic.
        AlignmentFormat::Cram => {
            let mut version = [0u8; 1];
            std::fs::File::open(path)
                .and_then(|mut f| {
                    f.seek(SeekFrom::Start(head.len() as u64))?;
                    f.read_exact(&mut version)
                })
                .map_err(|e| Error::io(path, e))?;
            if version[0] != 3 {
                return Ok(());
            }
            &CRAM3_EOF
        }
    };
    let mut tail = vec![0u8; marker.len()];
    let complete = len >= marker.len() as u64
        && std::fs::File::open(path)
            .and_then(|mut f| {
                f.seek(SeekFrom::End(-(marker.len() as i64)))?;
                f.read_exact(&mut tail)
            })
            .is_ok()
        && tail == marker;
    if complete {
        Ok(())
    } else {
        Err(Error::invalid(
            path,
            None,
            "is truncated (no end-of-file marker): the copy or download was cut short; re-create or re-download it",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_problem_has_its_own_message() {
        let dir = tempfile::tempdir().unwrap();
        let e = check(&dir.path().join("no.bam"), None, Some("--fasta"))
            .unwrap_err()
            .to_string();
        assert!(e.ends_with("no.bam: no such file"), "{e}");
        let e = check(dir.path(), None, Some("--fasta"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("is a directory"), "{e}");
        let cram = dir.path().join("x.cram");
        std::fs::write(&cram, b"CRAM\x03\x00").unwrap();
        let e = check(&cram, None, Some("--fasta")).unwrap_err().to_string();
        assert!(e.contains("is a CRAM") && e.contains("--fasta"), "{e}");
        let e = check(&cram, Some(Path::new("r.fa")), Some("--fasta"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no index"), "{e}");
        std::fs::write(dir.path().join("x.cram.crai"), b"").unwrap();
        let e = check(&cram, Some(Path::new("r.fa")), Some("--fasta"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("is truncated"), "{e}");
        std::fs::write(&cram, [&b"CRAM\x03\x00"[..], &CRAM3_EOF].concat()).unwrap();
        assert_eq!(
            check(&cram, Some(Path::new("r.fa")), Some("--fasta")).unwrap(),
            AlignmentFormat::Cram
        );
        // A BAM cut short: BGZF magic, index, no end-of-file block.
        let bam = dir.path().join("cut.bam");
        std::fs::write(&bam, [0x1f, 0x8b, 0x08, 0x04, 0, 0]).unwrap();
        std::fs::write(dir.path().join("cut.bam.bai"), b"").unwrap();
        let e = check(&bam, None, None).unwrap_err().to_string();
        assert!(e.contains("cut.bam: is truncated"), "{e}");
        std::fs::write(&bam, BGZF_EOF).unwrap();
        assert_eq!(check(&bam, None, None).unwrap(), AlignmentFormat::Bam);
        let sam = dir.path().join("x.sam");
        std::fs::write(&sam, b"@HD\tVN:1.6\n").unwrap();
        let e = check(&sam, None, Some("--fasta")).unwrap_err().to_string();
        assert!(e.contains("not a BAM or CRAM"), "{e}");
    }
}
