//! `targets.toml`: the watch-list, crawl settings, manufacturers and extra claim rules.
//!
//! Parsing is strict: an unknown key, a bad value or a duplicate id is an error that names the
//! file, the line and the key, so a cron job never runs on a half-understood watch-list.
//!
//! The file is read in two passes: serde reads it into the raw shapes of `raw`, then `validate`
//! checks each table into the typed [`Config`], with `settings` for the crawl settings, `values`
//! for single values and `units` for rates, durations and sizes. `source` turns byte spans into
//! the lines errors name; `plan` prints what a crawl with the file would do.

mod error;
mod list_ref;
mod notify;
mod pieces;
mod plan;
mod raw;
mod settings;
mod source;
mod units;
mod validate;
mod values;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_lists_and_notify;
#[cfg(test)]
mod tests_pieces;

use std::path::{Path, PathBuf};

use regex::Regex;
use url::Url;

use crate::address;

pub use error::ConfigError;
pub use list_ref::{LIST_REF_KEYS, ListRef, is_partial_iso_date};
pub use notify::{Notifier, NotifierKind, Secret};
pub use settings::{CrawlSettings, DEFAULT_USER_AGENT};
pub use units::{Rate, human_size, parse_size};

use source::Source;

/// One watched company.
#[derive(Debug, Clone)]
pub struct Target {
    pub id: String,
    pub name: String,
    pub seeds: Vec<Url>,
    pub aliases: Vec<String>,
    pub country: Option<String>,
    pub tags: Vec<String>,
    pub list_refs: Vec<ListRef>,
    pub include: Vec<Regex>,
    pub exclude: Vec<Regex>,
    /// Hosts in scope beyond the seeds' hosts, lower-case; `*.example.com` covers subdomains.
    pub allow_hosts: Vec<String>,
    /// As written in the file (a literal private/loopback seed host implies it: see
    /// [`Target::private_allowed`]).
    pub allow_private: bool,
    pub settings: CrawlSettings,
    /// The line of its `[[target]]` header, for messages.
    pub line: usize,
}

/// A manufacturer: its names, and the hosts of its authorized distributors if known.
#[derive(Debug, Clone)]
pub struct Manufacturer {
    pub name: String,
    pub aliases: Vec<String>,
    pub domains: Vec<String>,
    /// `None`: the list is unknown.
    pub authorized: Option<Vec<String>>,
    pub source: Option<String>,
}

/// An extra claim rule from `[[rule]]`.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub category: String,
    pub terms: Vec<String>,
    pub regex: Option<Regex>,
}

/// A whole, validated `targets.toml`.
#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub crawl: CrawlSettings,
    pub targets: Vec<Target>,
    pub manufacturers: Vec<Manufacturer>,
    pub rules: Vec<Rule>,
    /// Built-in claim packs turned off with `[claims] disable = [...]`.
    pub disabled_packs: Vec<String>,
    /// Where new flags are delivered at the end of a crawl.
    pub notify: Vec<Notifier>,
}

/// The ids of the built-in claim packs, which `[claims] disable` may name.
pub const BUILT_IN_PACKS: &[&str] = &["military", "partner"];

impl Config {
    /// Reads and validates a `targets.toml`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::load_as(path, path)
    }

    /// Reads and validates the `targets.toml` at `path`, naming it `shown` in messages and in
    /// [`Config::path`]: the path as its user gave it, relative to a directory other than this
    /// process's.
    pub fn load_as(path: &Path, shown: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
            path: shown.to_path_buf(),
            error,
        })?;
        Config::parse(&text, shown)
    }

    /// Parses and validates `text`; `path` is used only in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        pieces::read(&Source::new(text, path), true)
    }

    /// Like [`Config::parse`], for a file still being built: it may hold no target yet (the
    /// watch-list `claimwatch targets import` is about to fill).
    pub fn parse_draft(text: &str, path: &Path) -> Result<Config, ConfigError> {
        pieces::read(&Source::new(text, path), false)
    }
}

impl Target {
    /// May this target reach loopback and private addresses? True when it sets
    /// `allow_private`, or when a seed's host is `localhost` or a literal loopback/private IP.
    pub fn private_allowed(&self) -> bool {
        self.allow_private
            || self
                .seeds
                .iter()
                .any(|seed| seed.host().is_some_and(address::is_internal_host))
    }

    /// The hosts in scope: the seeds' hosts (in seed order, without repeats), then `allow_hosts`.
    pub fn scope_hosts(&self) -> Vec<String> {
        let mut hosts: Vec<String> = Vec::new();
        let seed_hosts = self.seeds.iter().filter_map(|u| u.host_str());
        for h in seed_hosts.chain(self.allow_hosts.iter().map(String::as_str)) {
            if !hosts.iter().any(|known| known == h) {
                hosts.push(h.to_string());
            }
        }
        hosts
    }
}
