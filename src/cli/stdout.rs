//! `-o -`: a stage's main output on stdout, for pipes (`tmb ... -o - | jq .tmb`).
//!
//! The stage runs unchanged into a private temporary folder (so its atomic writes, indexes and
//! side tables behave as always); its main file is then copied to stdout and the folder removed.
//! Only one file can go to stdout, so the others are not kept, and the log says so.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::io::output::prefixed;

/// Whether `-o` asks for stdout.
pub fn is_stdout(output: &Path) -> bool {
    output.as_os_str() == "-"
}

/// Runs `f` with the output prefix. With `-o -`, `f` writes under a temporary prefix, and the
/// first of `main` (suffixes, in preference order: some stages write one of several) that
/// exists afterwards goes to stdout.
///
/// # Errors
/// `f`'s error; the temporary folder cannot be made; stdout is closed.
pub fn with_prefix<T>(
    output: &Path,
    stage: &str,
    main: &[&str],
    f: impl FnOnce(&Path) -> Result<T>,
) -> Result<T> {
    if !is_stdout(output) {
        return f(output);
    }
    let dir = TempDir::new(stage)?;
    // No stage derives names from its prefix (the sample comes from the inputs), so the
    // temporary prefix leaves no trace in the bytes sent to stdout (tested for tmb).
    let prefix = dir.0.join("stdout");
    let value = f(&prefix)?;
    let path = main
        .iter()
        .map(|s| prefixed(&prefix, s))
        .find(|p| p.exists())
        .ok_or_else(|| {
            Error::Internal(format!(
                "{stage} wrote none of {} for -o -",
                main.join(", ")
            ))
        })?;
    copy_to_stdout(&path)?;
    let others: Vec<String> = std::fs::read_dir(&dir.0)
        .map_err(|e| Error::io(&dir.0, e))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| *p != path)
        .filter_map(|p| {
            p.file_name()
                .map(|n| n.to_string_lossy().replacen("stdout.", "", 1))
        })
        .collect();
    if !others.is_empty() {
        log::info!(
            "-o -: {stage} wrote its {} to stdout; give -o PREFIX to keep {} too",
            path.file_name()
                .map(|n| n.to_string_lossy().replacen("stdout.", "", 1))
                .unwrap_or_default(),
            others.join(", ")
        );
    }
    Ok(value)
}

/// Runs `f` with the output file (not a prefix): `-o -` writes the file to stdout.
///
/// # Errors
/// As [`with_prefix`].
pub fn with_file<T>(output: &Path, what: &str, f: impl FnOnce(&Path) -> Result<T>) -> Result<T> {
    if !is_stdout(output) {
        return f(output);
    }
    let dir = TempDir::new(what)?;
    let path = dir.0.join("stdout");
    let value = f(&path)?;
    copy_to_stdout(&path)?;
    Ok(value)
}

/// The refusal for stages whose outputs belong together.
pub fn refuse(output: &Path, stage: &str, why: &str) -> Result<()> {
    if is_stdout(output) {
        return Err(Error::usage(format!(
            "{stage} cannot write to stdout (-o -): {why}; give -o PREFIX"
        )));
    }
    Ok(())
}

fn copy_to_stdout(path: &Path) -> Result<()> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    std::io::copy(&mut file, &mut out)
        .and_then(|_| out.flush())
        .map_err(|e| Error::io("<stdout>", e))?;
    Ok(())
}

/// A private folder under the system's temporary folder, removed on drop (also on error).
struct TempDir(PathBuf);

impl TempDir {
    fn new(stage: &str) -> Result<Self> {
        let base = std::env::temp_dir();
        // pid + a counter: unique within this process and across concurrent runs.
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = base.join(format!(
            "immunoprofile-{stage}-stdout-{}-{n}",
            std::process::id()
        ));
        std::fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
