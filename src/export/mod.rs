//! Evidence out of the store: WARC files of captures ([`warc`]) and the bundle an investigator
//! hands over for one change ([`case`]). The flags' own formats (jsonl, csv, ftm) are
//! `crate::flags::export`.

pub mod case;
mod manifest;
pub mod warc;

use std::path::PathBuf;

use crate::store::StoreError;

/// Why an export could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file of the export could not be written.
    #[error("cannot write {}: {error}", path.display())]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The output directory already holds files: an export never mixes with another.
    #[error(
        "{} is not empty: give a new or empty directory, so that the export holds only its own \
         files",
        path.display()
    )]
    NotEmpty { path: PathBuf },
    /// A case bundle was asked for an id that is neither a flag nor a case.
    #[error("no flag or case {0:?} in the store: `claimwatch flags` lists them with their ids")]
    UnknownCase(String),
    /// The report's claim rules could not be built.
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
}

impl ExportError {
    /// Turns an I/O error on `path` into an [`ExportError::Io`], for `map_err`.
    pub fn io(path: &std::path::Path) -> impl Fn(std::io::Error) -> ExportError + '_ {
        move |error| ExportError::Io {
            path: path.to_path_buf(),
            error,
        }
    }
}

/// Creates the output directory `out`, or checks that it holds nothing: an export never mixes
/// with other files.
pub fn prepare_dir(out: &std::path::Path) -> Result<(), ExportError> {
    std::fs::create_dir_all(out).map_err(ExportError::io(out))?;
    let mut entries = std::fs::read_dir(out).map_err(ExportError::io(out))?;
    if entries.next().is_some() {
        return Err(ExportError::NotEmpty {
            path: out.to_path_buf(),
        });
    }
    Ok(())
}
