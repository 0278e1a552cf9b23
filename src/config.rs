//! `targets.toml`: the watch-list, crawl settings, manufacturers and extra claim rules.
//!
//! Parsing is strict: an unknown key, a bad value or a duplicate id is an error that names the
//! file, the line and the key, so a cron job never runs on a half-understood watch-list.

use std::path::{Path, PathBuf};
use std::time::Duration;

use regex::Regex;
use url::Url;

/// A request rate: `count` requests per `per`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub count: u32,
    pub per: Duration,
}

impl Rate {
    /// The time between two requests at this rate.
    pub fn interval(&self) -> Duration {
        self.per / self.count.max(1)
    }
}

/// Effective crawl settings: the `[crawl]` defaults, overridden per target where it says so.
#[derive(Debug, Clone, PartialEq)]
pub struct CrawlSettings {
    pub rate: Rate,
    pub burst: u32,
    /// Targets (hosts) crawled at once; only meaningful in `[crawl]`.
    pub concurrency: usize,
    pub max_pages: usize,
    pub max_depth: u32,
    /// Per request, connect to last byte.
    pub timeout: Duration,
    pub max_body: u64,
    pub user_agent: String,
    pub respect_robots: bool,
    /// Retries of one URL after 429/503 (and connection failures).
    pub retries: u32,
    /// The longest wait a Retry-After header can impose.
    pub max_retry_wait: Duration,
    /// The longest robots.txt crawl-delay honoured.
    pub max_crawl_delay: Duration,
}

/// One watched company.
#[derive(Debug, Clone)]
pub struct Target {
    pub id: String,
    pub name: String,
    pub seeds: Vec<Url>,
    pub aliases: Vec<String>,
    pub country: Option<String>,
    pub tags: Vec<String>,
    pub list_refs: Vec<String>,
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
}

/// Why a `targets.toml` could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
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

impl Config {
    /// Reads and validates a `targets.toml`.
    pub fn load(_path: &Path) -> Result<Config, ConfigError> {
        todo!()
    }

    /// Parses and validates `text`; `path` is used only in messages.
    pub fn parse(_text: &str, _path: &Path) -> Result<Config, ConfigError> {
        todo!()
    }
}

impl Target {
    /// May this target reach loopback and private addresses? True when it sets
    /// `allow_private`, or when a seed's host is `localhost` or a literal loopback/private IP.
    pub fn private_allowed(&self) -> bool {
        todo!()
    }
}
