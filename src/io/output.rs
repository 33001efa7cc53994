//! Output files: written under a temporary name and renamed when complete, so a failed run never
//! leaves a finished-looking result behind.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};

/// `PREFIX` + `.suffix`: `out/S1` and `tmb.json` give `out/S1.tmb.json`.
pub fn prefixed(prefix: &Path, suffix: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_os_string();
    s.push(".");
    s.push(suffix);
    PathBuf::from(s)
}

/// A file being written under `NAME.partial`; [`AtomicFile::commit`] renames it to `NAME`.
/// Dropped without commit (an error on the way), the partial file is removed.
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// # Errors
    /// The parent folder cannot be created or the file cannot be created.
    pub fn create(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        // `-o folder/` (or `-o .`) gives `folder/.tmb.json`: a hidden file nobody finds.
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            return Err(Error::usage(format!(
                "the output prefix names a folder ({} would be a hidden file): give a prefix such as folder/SAMPLE",
                path.display()
            )));
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        let mut tmp = path.as_os_str().to_os_string();
        tmp.push(".partial");
        let tmp = PathBuf::from(tmp);
        let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        Ok(Self {
            path,
            tmp,
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary name the content is written under until [`AtomicFile::commit`], for
    /// readers that must see the finished content before it is committed (indexers).
    ///
    /// # Errors
    /// Flushing the buffered bytes fails.
    pub fn flushed_partial_path(&mut self) -> Result<&Path> {
        let tmp = self.tmp.clone();
        self.inner()
            .and_then(|w| w.flush())
            .map_err(|e| Error::io(&tmp, e))?;
        Ok(&self.tmp)
    }

    /// Flushes and renames the file to its final name.
    ///
    /// # Errors
    /// Flushing or renaming fails (disk full, permissions).
    pub fn commit(mut self) -> Result<PathBuf> {
        let writer = self
            .writer
            .take()
            .ok_or_else(|| Error::Internal("AtomicFile committed twice".into()))?;
        let file = writer
            .into_inner()
            .map_err(|e| Error::io(&self.tmp, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&self.tmp, e))?;
        fs::rename(&self.tmp, &self.path).map_err(|e| Error::io(&self.path, e))?;
        Ok(self.path.clone())
    }

    fn inner(&mut self) -> io::Result<&mut BufWriter<File>> {
        self.writer
            .as_mut()
            .ok_or_else(|| io::Error::other("write after commit"))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner()?.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner()?.flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Serialises `value` as pretty JSON with a final newline into an uncommitted [`AtomicFile`].
///
/// # Errors
/// The file cannot be created or written.
pub fn json_file<T: Serialize>(path: impl AsRef<Path>, value: &T) -> Result<AtomicFile> {
    let mut file = AtomicFile::create(path)?;
    serde_json::to_writer_pretty(&mut file, value)
        .map_err(|e| Error::io(file.path(), io::Error::other(e)))?;
    file.write_all(b"\n")
        .map_err(|e| Error::io(file.path(), e))?;
    Ok(file)
}

/// Commits every file, in order: the stage's outputs appear only once all were written.
///
/// # Errors
/// A rename fails.
pub fn commit_all(files: Vec<AtomicFile>) -> Result<Vec<PathBuf>> {
    files.into_iter().map(AtomicFile::commit).collect()
}

/// Formats an optional number for a TSV cell: `NA` when absent, else at most `decimals` places
/// with trailing zeros removed (so the text is the same on every platform and thread count).
pub fn fmt_opt(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => fmt_num(v, decimals),
        Some(v) => format!("{v}"),
        None => "NA".to_string(),
    }
}

/// See [`fmt_opt`].
pub fn fmt_num(value: f64, decimals: usize) -> String {
    let s = format!("{value:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_appends_suffix() {
        assert_eq!(
            prefixed(Path::new("out/S1"), "tmb.json"),
            PathBuf::from("out/S1.tmb.json")
        );
    }

    #[test]
    fn dropped_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        {
            let mut f = AtomicFile::create(&path).unwrap();
            f.write_all(b"half").unwrap();
        }
        assert!(!path.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        let mut f = AtomicFile::create(&path).unwrap();
        f.write_all(b"whole").unwrap();
        f.commit().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "whole");
    }

    #[test]
    fn numbers_format_stably() {
        assert_eq!(fmt_num(1.5, 3), "1.5");
        assert_eq!(fmt_num(2.0, 3), "2");
        assert_eq!(fmt_num(-0.0001, 2), "0");
        assert_eq!(fmt_opt(None, 2), "NA");
        assert_eq!(fmt_num(0.123456, 4), "0.1235");
    }
}
