//! The built index on disk, so later runs on the same release skip reading the FASTA files and
//! building the index. The file is named after the release and a SHA-256 of everything the
//! index is built from (the nucleotide and genomic FASTA files, the G-group file, the k-mer
//! length and this file's format), and holds that digest: a changed release folder, a new
//! release or a new program version builds a fresh index, and the stale files of the same
//! release are removed. A damaged or foreign file is rebuilt with a warning, never trusted.
//!
//! The cache lives beside the output (`PREFIX`'s folder) or in a folder the user names; never
//! in the repository or the binary (the IPD-IMGT/HLA licence forbids distributing derived
//! data, and a local cache is not distribution).

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::imgt::{self, Imgt};
use super::index::{HlaIndex, IndexedAllele, K};
use crate::error::{Error, Result};

/// Bumped whenever the index or this layout changes.
const FORMAT: u32 = 3;
const MAGIC: &[u8; 8] = b"IPHLAIX\0";

/// What happened to the cache in one run.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheUse {
    /// No cache folder given.
    #[default]
    Off,
    /// Read from the file.
    Hit,
    /// Built and written to the file.
    Written,
}

/// The digest of the release folder's inputs to the index.
///
/// # Errors
/// A file cannot be read.
pub fn key(dir: &Path) -> Result<[u8; 32]> {
    let mut h = Sha256::new();
    h.update(MAGIC);
    h.update(FORMAT.to_le_bytes());
    h.update((K as u32).to_le_bytes());
    let mut files = imgt::fasta_files(dir, "_nuc.fasta")?;
    files.extend(imgt::fasta_files(dir, "_gen.fasta")?);
    files.push(dir.join("wmda").join("hla_nom_g.txt"));
    for f in files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        match fs::read(&f) {
            Ok(bytes) => {
                h.update((bytes.len() as u64).to_le_bytes());
                h.update(&bytes);
            }
            // The G-group file is optional.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => h.update(u64::MAX.to_le_bytes()),
            Err(e) => return Err(Error::io(&f, e)),
        }
    }
    Ok(h.finalize().into())
}

/// `DIR/hla-index.RELEASE.DIGEST16.bin`.
pub fn path(dir: &Path, release: &str, key: &[u8; 32]) -> PathBuf {
    let hex: String = key[..8].iter().map(|b| format!("{b:02x}")).collect();
    let release: String = release
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("hla-index.{release}.{hex}.bin"))
}

/// The release (and the index from the cache in `cache_dir`, else built and stored there).
/// On a cache hit the FASTA files are not read: the returned [`Imgt`] has no sequences, only
/// the release number and the G groups.
///
/// # Errors
/// Unreadable release; a cache folder that cannot be created or written.
pub fn load_or_build(
    imgt_dir: &Path,
    cache_dir: Option<&Path>,
) -> Result<(Imgt, HlaIndex, CacheUse)> {
    let Some(cache_dir) = cache_dir else {
        let imgt = Imgt::load(imgt_dir)?;
        let index = HlaIndex::build(&imgt);
        return Ok((imgt, index, CacheUse::Off));
    };
    let meta = Imgt::load_meta(imgt_dir)?;
    let key = key(imgt_dir)?;
    let file = path(cache_dir, &meta.release, &key);
    if file.exists() {
        match read(&file, &key) {
            Ok(index) => {
                log::info!("HLA index read from {}", file.display());
                return Ok((meta, index, CacheUse::Hit));
            }
            Err(e) => log::warn!("{}: {e}; rebuilding it", file.display()),
        }
    }
    let imgt = Imgt::load(imgt_dir)?;
    let index = HlaIndex::build(&imgt);
    fs::create_dir_all(cache_dir).map_err(|e| Error::io(cache_dir, e))?;
    write(&file, &key, &index)?;
    remove_stale(cache_dir, &meta.release, &file);
    log::info!("HLA index written to {}", file.display());
    Ok((imgt, index, CacheUse::Written))
}

/// Removes other index files of the same release (built from files since changed).
fn remove_stale(dir: &Path, release: &str, keep: &Path) {
    let stem = path(dir, release, &[0; 32]);
    let Some(prefix) = stem
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix("0000000000000000.bin"))
        .map(str::to_string)
    else {
        return;
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(&prefix) && name.ends_with(".bin") && e.path() != keep {
            if let Err(err) = fs::remove_file(e.path()) {
                log::warn!("{}: stale HLA index not removed: {err}", e.path().display());
            }
        }
    }
}

/// Writes the index under a name unique to this writer (process id, thread and a counter),
/// renamed when complete: several samples of a batch may build the same shared cache file at
/// once, and a shared temporary name would interleave their bytes; the last rename wins with
/// identical content, and a reader sees either no file or a whole one.
///
/// # Errors
/// The file cannot be written.
pub fn write(file: &Path, key: &[u8; 32], index: &HlaIndex) -> Result<()> {
    let tmp = unique_temp(file);
    let result = write_at(&tmp, key, index)
        .and_then(|()| fs::rename(&tmp, file).map_err(|e| Error::io(file, e)));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// `FILE.PID-THREAD-N.partial`.
fn unique_temp(file: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let thread = format!("{:?}", std::thread::current().id())
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>();
    let mut name = file.as_os_str().to_os_string();
    name.push(format!(".{}-{thread}-{n}.partial", std::process::id()));
    PathBuf::from(name)
}

fn write_at(file: &Path, key: &[u8; 32], index: &HlaIndex) -> Result<()> {
    let p = file.to_path_buf();
    let mut out = fs::File::create(&p).map_err(|e| Error::io(&p, e))?;
    {
        let mut w = BufWriter::new(&mut out);
        let mut put = || -> std::io::Result<()> {
            w.write_all(MAGIC)?;
            w.write_all(&FORMAT.to_le_bytes())?;
            w.write_all(key)?;
            put_strings(&mut w, &index.loci)?;
            put_u64(&mut w, index.alleles.len() as u64)?;
            for a in &index.alleles {
                put_bytes(&mut w, a.name.as_bytes())?;
                w.write_all(&a.locus.to_le_bytes())?;
                put_bytes(&mut w, &a.core)?;
                put_bytes(&mut w, &a.cds)?;
                w.write_all(&[u8::from(a.partial), u8::from(a.complete)])?;
            }
            put_strings(&mut w, &index.whole_cds_loci)?;
            put_u64(&mut w, index.sets.len() as u64)?;
            for s in &index.sets {
                put_u64(&mut w, s.len() as u64)?;
                for &x in s {
                    w.write_all(&x.to_le_bytes())?;
                }
            }
            // Sorted, so the same index gives the same bytes.
            let mut kmers: Vec<(u64, u32)> = index.kmers.iter().map(|(&k, &v)| (k, v)).collect();
            kmers.sort_unstable();
            put_u64(&mut w, kmers.len() as u64)?;
            for (k, v) in kmers {
                w.write_all(&k.to_le_bytes())?;
                w.write_all(&v.to_le_bytes())?;
            }
            let mut outside: Vec<u64> = index.outside.iter().copied().collect();
            outside.sort_unstable();
            put_u64(&mut w, outside.len() as u64)?;
            for k in outside {
                w.write_all(&k.to_le_bytes())?;
            }
            w.flush()
        };
        put().map_err(|e| Error::io(&p, e))?;
    }
    out.sync_all().map_err(|e| Error::io(&p, e))?;
    Ok(())
}

/// Reads an index written by [`write`] with the same key.
///
/// # Errors
/// A different key or format, or a damaged file (as a message to log).
pub fn read(file: &Path, key: &[u8; 32]) -> std::result::Result<HlaIndex, String> {
    let f = fs::File::open(file).map_err(|e| e.to_string())?;
    let mut r = Reader(BufReader::with_capacity(1 << 20, f));
    let mut head = [0u8; 8];
    r.exact(&mut head)?;
    if &head != MAGIC {
        return Err("not an immunoprofile HLA index".into());
    }
    if r.u32()? != FORMAT {
        return Err("written by another version".into());
    }
    let mut k = [0u8; 32];
    r.exact(&mut k)?;
    if &k != key {
        return Err("built from other IMGT files".into());
    }
    let loci = r.strings()?;
    let n = r.len(1 << 24)?;
    let mut alleles = Vec::with_capacity(n);
    for _ in 0..n {
        let name = String::from_utf8(r.bytes()?).map_err(|e| e.to_string())?;
        let locus = r.u16()?;
        if usize::from(locus) >= loci.len() {
            return Err("damaged (locus out of range)".into());
        }
        let core = r.bytes()?;
        let cds = r.bytes()?;
        let mut flags = [0u8; 2];
        r.exact(&mut flags)?;
        alleles.push(IndexedAllele {
            name,
            locus,
            core,
            partial: flags[0] == 1,
            cds,
            complete: flags[1] == 1,
        });
    }
    let whole_cds_loci = r.strings()?;
    let ns = r.len(1 << 28)?;
    let mut sets = Vec::with_capacity(ns);
    for _ in 0..ns {
        let m = r.len(alleles.len())?;
        let mut s = Vec::with_capacity(m);
        for _ in 0..m {
            let x = r.u32()?;
            if x as usize >= alleles.len() {
                return Err("damaged (allele out of range)".into());
            }
            s.push(x);
        }
        sets.push(s);
    }
    let nk = r.len(1 << 32)?;
    let mut kmers = HashMap::with_capacity(nk);
    for _ in 0..nk {
        let k = r.u64()?;
        let v = r.u32()?;
        if v as usize >= sets.len() {
            return Err("damaged (set out of range)".into());
        }
        kmers.insert(k, v);
    }
    let no = r.len(1 << 32)?;
    let mut outside = HashSet::with_capacity(no);
    for _ in 0..no {
        outside.insert(r.u64()?);
    }
    let mut rest = [0u8; 1];
    if r.0.read(&mut rest).map_err(|e| e.to_string())? != 0 {
        return Err("damaged (trailing bytes)".into());
    }
    let edges = super::index::edges_of(&alleles);
    Ok(HlaIndex {
        loci,
        alleles,
        kmers,
        sets,
        whole_cds_loci,
        outside,
        edges,
    })
}

fn put_u64(w: &mut impl Write, x: u64) -> std::io::Result<()> {
    w.write_all(&x.to_le_bytes())
}

fn put_bytes(w: &mut impl Write, b: &[u8]) -> std::io::Result<()> {
    put_u64(w, b.len() as u64)?;
    w.write_all(b)
}

fn put_strings(w: &mut impl Write, v: &[String]) -> std::io::Result<()> {
    put_u64(w, v.len() as u64)?;
    for s in v {
        put_bytes(w, s.as_bytes())?;
    }
    Ok(())
}

struct Reader<R: Read>(R);

impl<R: Read> Reader<R> {
    fn exact(&mut self, buf: &mut [u8]) -> std::result::Result<(), String> {
        self.0
            .read_exact(buf)
            .map_err(|_| "damaged (truncated)".to_string())
    }
    fn u16(&mut self) -> std::result::Result<u16, String> {
        let mut b = [0u8; 2];
        self.exact(&mut b)?;
        Ok(u16::from_le_bytes(b))
    }
    fn u32(&mut self) -> std::result::Result<u32, String> {
        let mut b = [0u8; 4];
        self.exact(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn u64(&mut self) -> std::result::Result<u64, String> {
        let mut b = [0u8; 8];
        self.exact(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    /// A length, refused above `max` (a damaged file must not make us allocate wildly).
    fn len(&mut self, max: usize) -> std::result::Result<usize, String> {
        let n = self.u64()?;
        if n > max as u64 {
            return Err("damaged (length out of range)".into());
        }
        Ok(n as usize)
    }
    fn bytes(&mut self) -> std::result::Result<Vec<u8>, String> {
        let n = self.len(1 << 24)?;
        let mut v = vec![0u8; n];
        self.exact(&mut v)?;
        Ok(v)
    }
    fn strings(&mut self) -> std::result::Result<Vec<String>, String> {
        let n = self.len(1 << 16)?;
        (0..n)
            .map(|_| String::from_utf8(self.bytes()?).map_err(|e| e.to_string()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_is_keyed_by_release_and_digest() {
        let k = [0xabu8; 32];
        let p = path(Path::new("/c"), "3.30.0", &k);
        assert_eq!(p, Path::new("/c/hla-index.3.30.0.abababababababab.bin"));
        assert_eq!(
            path(Path::new("/c"), "a/b", &k).file_name().unwrap(),
            "hla-index.a_b.abababababababab.bin"
        );
    }
}
