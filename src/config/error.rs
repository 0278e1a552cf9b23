//! The error a `targets.toml` that cannot be used is reported with.

use std::path::PathBuf;

/// Why a `targets.toml` could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read. (The cause is in the message, not chained as a source, so
    /// it is printed once.)
    #[error("cannot read the watch-list {path}: {error}{}", read_hint(error))]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The file is not valid TOML, or has a key or value of the wrong shape.
    #[error("{path}:{line}: {message}")]
    Syntax {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// A value is well-formed TOML but not acceptable.
    #[error("{path}:{line}: `{key}`: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        key: String,
        message: String,
    },
}

/// What to do about a watch-list that is not there.
fn read_hint(error: &std::io::Error) -> &'static str {
    if error.kind() == std::io::ErrorKind::NotFound {
        "; give it with --targets PATH or CLAIMWATCH_TARGETS (`targets.toml` in the current \
         directory by default)"
    } else {
        ""
    }
}
