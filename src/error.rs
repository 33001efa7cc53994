//! Library error type.
//!
//! Every variant says where the problem is (file, record) and, where the user can act, what to do.
//! The binary maps [`Error::exit_code`] to the process exit status: 1 for bad input or usage, 2 for
//! bugs.

use std::path::{Path, PathBuf};

/// Result alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input or output file could not be opened, read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A file's content is malformed or inconsistent; `location` is a line number, a
    /// `chrom:pos` record or a field, when known.
    #[error("{}{}: {reason}", path.display(), location.as_ref().map(|l| format!(" ({l})")).unwrap_or_default())]
    InvalidInput {
        path: PathBuf,
        location: Option<String>,
        reason: String,
    },

    /// Options that do not fit together, or a value out of range.
    #[error("{0}")]
    Usage(String),

    /// An invariant of our own code was broken: a bug to report.
    #[error("internal error (please report): {0}")]
    Internal(String),
}

impl Error {
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    pub fn invalid(
        path: impl AsRef<Path>,
        location: Option<String>,
        reason: impl Into<String>,
    ) -> Self {
        Error::InvalidInput {
            path: path.as_ref().to_path_buf(),
            location,
            reason: reason.into(),
        }
    }

    /// Shorthand for an error at a numbered line of a text file.
    pub fn at_line(path: impl AsRef<Path>, line: usize, reason: impl Into<String>) -> Self {
        Self::invalid(path, Some(format!("line {line}")), reason)
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage(message.into())
    }

    /// The message and every cause not already in it, `: `-separated: one line, each cause
    /// once (an I/O error's message already holds its cause).
    pub fn chain_text(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(s) = source {
            let cause = s.to_string();
            if !text.contains(&cause) {
                text.push_str(": ");
                text.push_str(&cause);
            }
            source = s.source();
        }
        text
    }

    /// A write to a reader that went away (`immunoprofile ... | head`): not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// 1 for anything the user can fix (input, usage, file system), 2 for our own bugs.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Internal(_) => 2,
            _ => 1,
        }
    }
}
