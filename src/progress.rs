//! Progress bars on stderr, shown only when stderr is a terminal and `--quiet` was not given.
//!
//! Every bar belongs to one [`MultiProgress`], and log lines go through [`LogWriter`], which
//! prints them above the bars (the bars are cleared, the line written, the bars redrawn), so a
//! warning is never hidden behind or torn by a bar.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

static QUIET: AtomicBool = AtomicBool::new(false);
static MULTI: OnceLock<MultiProgress> = OnceLock::new();

/// Called once by the binary from `--quiet`, before any bar or log line.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

pub fn is_quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Whether bars are drawn: stderr is a terminal and not `--quiet`.
pub fn visible() -> bool {
    !is_quiet() && std::io::stderr().is_terminal()
}

/// The one set of bars on stderr (hidden when bars are not drawn). Add bars to it, never draw
/// one on its own: only then can log lines be printed above them.
pub fn multi() -> &'static MultiProgress {
    MULTI.get_or_init(|| {
        if visible() {
            MultiProgress::with_draw_target(ProgressDrawTarget::stderr())
        } else {
            MultiProgress::with_draw_target(ProgressDrawTarget::hidden())
        }
    })
}

/// A bar over `len` units (records, sites, reads) with percentage and ETA, or a spinner with
/// the count and rate when the total is unknown. Hidden (and nearly free) when not on a
/// terminal.
pub fn bar(len: Option<u64>, message: &str) -> ProgressBar {
    styled(
        len,
        message,
        "{human_pos}/{human_len}",
        "{human_pos} {per_sec}",
    )
}

/// A bar over the bytes of an input file: percentage and ETA when its size is known (a
/// regular file, compressed or not: the bytes read are the compressed bytes), else (stdin, a
/// pipe) a spinner with the bytes read.
pub fn file_bar(path: &Path, message: &str) -> ProgressBar {
    if !visible() {
        return ProgressBar::hidden();
    }
    let len = (path.as_os_str() != "-")
        .then(|| std::fs::metadata(path).ok())
        .flatten()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    styled(
        len,
        message,
        "{bytes}/{total_bytes}",
        "{bytes} {bytes_per_sec}",
    )
}

fn styled(len: Option<u64>, message: &str, counts: &str, open_counts: &str) -> ProgressBar {
    if !visible() {
        return ProgressBar::hidden();
    }
    let pb = match len {
        Some(n) => ProgressBar::new(n).with_style(
            ProgressStyle::with_template(&format!(
                "{{msg:>12}} [{{bar:30}}] {{percent:>3}}% {counts} {{elapsed_precise}} eta {{eta}}"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        ),
        None => ProgressBar::no_length().with_style(
            ProgressStyle::with_template(&format!(
                "{{spinner}} {{msg}} {open_counts} {{elapsed_precise}}"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    pb.set_message(message.to_string());
    multi().add(pb)
}

/// stderr for the logger: each record is written whole while the bars are cleared, then the
/// bars are redrawn below it. Without bars it is plain stderr.
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // env_logger hands over one whole formatted record per `write_all`.
        multi().suspend(|| {
            let mut err = std::io::stderr().lock();
            err.write_all(buf).and_then(|()| err.flush())
        })?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tests do not run on a terminal: bars are hidden, and log lines still reach stderr.
    #[test]
    fn hidden_off_a_terminal() {
        if std::io::stderr().is_terminal() {
            return;
        }
        assert!(bar(Some(10), "x").is_hidden());
        assert!(file_bar(Path::new("Cargo.toml"), "x").is_hidden());
        assert_eq!(LogWriter.write(b"").unwrap(), 0);
    }
}
