//! `claimwatch targets import`: watch-lists from sanctions and screening data.
//!
//! A list file is read into [`ListedEntity`]s (`ftm` for FollowTheMoney entities as JSON lines,
//! `csl` for the US Consolidated Screening List CSV); `plan` decides which of them become new
//! targets (those with a website that no target has yet) and `render` writes those as
//! `[[target]]` tables appended to the file's text, which is otherwise left byte for byte as
//! it was.

mod csl;
mod ftm;
mod plan;
mod render;
mod slug;
pub mod web;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

use url::Url;

use crate::config::{ConfigError, ListRef};

pub use plan::{Added, ImportPlan, Present, plan, unified_diff};

/// The kinds of list file `targets import` reads.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
pub enum ListFormat {
    /// FollowTheMoney entities, one JSON object a line, as OpenSanctions publishes them.
    Ftm,
    /// The US Consolidated Screening List as CSV.
    Csl,
}

impl ListFormat {
    /// What the format is called in messages.
    pub fn label(self) -> &'static str {
        match self {
            ListFormat::Ftm => "FollowTheMoney",
            ListFormat::Csl => "Consolidated Screening List",
        }
    }

    /// Where an imported target came from, as the comment above it says: "Imported from …".
    pub fn source(self) -> &'static str {
        match self {
            ListFormat::Ftm => "FollowTheMoney entities",
            ListFormat::Csl => "the Consolidated Screening List",
        }
    }
}

/// One listed party (company, organisation or person) as a list file describes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListedEntity {
    /// Its id in the file: the FtM entity id, or the CSL `_id`.
    pub source_id: String,
    /// What the file says it is: an FtM schema ("Company") or a CSL type ("Entity").
    pub kind: String,
    pub name: String,
    pub aliases: Vec<String>,
    /// ISO 3166 codes, upper-case, the most telling first.
    pub countries: Vec<String>,
    /// Its websites, made seeds.
    pub websites: Vec<Url>,
    /// The domains of its email addresses, free mail providers left out.
    pub email_domains: Vec<String>,
    /// FtM topics ("sanction", "export.control"), kept as tags.
    pub topics: Vec<String>,
    pub list_refs: Vec<ListRef>,
    /// Other ids it is known by (FtM `referents`): an earlier import may have used one.
    pub other_ids: Vec<String>,
}

/// What a file read holds.
#[derive(Debug, Clone, Default)]
pub struct ListFile {
    /// The parties, in file order.
    pub entities: Vec<ListedEntity>,
    /// Records that were not parties (FtM sanctions, addresses, vessels, relationships).
    pub other_records: usize,
}

/// Why a list could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A line or record of the list file that cannot be read.
    #[error("{}:{line}: {message}", path.display())]
    Record {
        path: PathBuf,
        line: u64,
        message: String,
    },
    /// The CSV lacks a column it cannot do without.
    #[error("{}: no `{column}` column: is this the Consolidated Screening List CSV?", path.display())]
    MissingColumn { path: PathBuf, column: &'static str },
    /// The watch-list being added to is not valid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The watch-list with the new targets would not parse: a bug here, never written.
    #[error("the imported targets would make an invalid watch-list ({0}); nothing was changed")]
    Rendered(ConfigError),
}

/// Reads a list file, streaming: an OpenSanctions export runs to gigabytes, of which only the
/// parties and their sanctions are kept.
pub fn read(format: ListFormat, path: &std::path::Path) -> Result<ListFile, ImportError> {
    let file = std::fs::File::open(path).map_err(|source| ImportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let input = std::io::BufReader::new(file);
    match format {
        ListFormat::Ftm => ftm::read(input, path),
        ListFormat::Csl => csl::read(input, path),
    }
}
