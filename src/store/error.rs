//! The store's one error type. Messages name the file or record involved and, where the user
//! can do something about it, say what.

use std::path::PathBuf;

/// Everything that can go wrong opening, reading or writing the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the store. `holder` describes it (pid, command line, since when)
    /// as that process wrote it into the lock file.
    #[error(
        "store {} is in use by another claimwatch process ({holder}); \
         wait for it to finish or use another --store",
        path.display()
    )]
    Held { path: PathBuf, holder: String },

    /// A command that only reads found no store where it was told to look. Only `crawl`
    /// creates a store: a mistyped path must not read as an empty one.
    #[error(
        "no store at {}: `claimwatch crawl` creates one there; to read another, give its \
         directory with --store PATH or CLAIMWATCH_STORE",
        path.display()
    )]
    Missing { path: PathBuf },

    /// A command that writes was pointed at a store that must not be written (see
    /// `store::read_only`): an evidence copy stays as it is.
    #[error(
        "store {} is read-only (no write permission): commands that write to a store (crawl, \
         review, serve, flags --new) leave it alone; those that only read (flags, claims, \
         history, diff, show, verify, export, report) read a copy of it",
        path.display()
    )]
    ReadOnly { path: PathBuf },

    /// A file or directory of the store could not be created, read or written. (The cause is
    /// in the message, not chained as a source, so it is printed once.)
    #[error("cannot use {}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },

    /// sled itself failed (I/O under the database, or corruption it detected). Its message is
    /// the whole story: not chained as a source, so it is printed once.
    #[error("store database error: {0}")]
    Sled(sled::Error),

    /// A stored value or key does not decode. `what` names the tree and key.
    #[error("store is corrupt: {what}")]
    Corrupt { what: String },

    /// The store was written with a schema this build does not read.
    #[error(
        "store {} has schema version {found:?} but this claimwatch reads version {expected:?}; \
         use a matching claimwatch or another --store",
        path.display()
    )]
    Schema {
        path: PathBuf,
        found: String,
        expected: &'static str,
    },

    /// A target id or URL holds a NUL byte, which index keys use as their separator; storing it
    /// would let one target's or URL's entries mix with another's.
    #[error("cannot store {field} {value:?}: it contains a NUL byte")]
    NulInKey { field: &'static str, value: String },

    /// An earlier write failed (a full disk, a failing device): the store writes nothing more
    /// in this process. What was stored before is kept; sled replays its log on the next open.
    #[error(
        "an earlier write to the store failed; nothing more is written in this run (free space \
         or fix the disk, then run again)"
    )]
    WriteFailed,

    /// zstd failed to compress a value before writing it.
    #[error("cannot compress {what}: {error}")]
    Compress {
        what: &'static str,
        error: std::io::Error,
    },
}

impl From<sled::Error> for StoreError {
    fn from(err: sled::Error) -> StoreError {
        StoreError::Sled(err)
    }
}

impl StoreError {
    pub fn corrupt(what: impl Into<String>) -> StoreError {
        StoreError::Corrupt { what: what.into() }
    }

    /// Turns an I/O error on `path` into a [`StoreError::Io`], for `map_err`.
    pub fn io(path: &std::path::Path) -> impl Fn(std::io::Error) -> StoreError + Copy + '_ {
        move |error| StoreError::Io {
            path: path.to_path_buf(),
            error,
        }
    }
}
