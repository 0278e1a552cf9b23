//! The raw shape of `targets.toml`, as serde reads it, before any value is checked.
//!
//! Values that get validated are `Spanned` so that an error can point at their line; required
//! keys are `Option` so that a missing one gets our message, not serde's.

use serde::Deserialize;
use toml::Spanned;

/// A value that may be missing, with where it was written.
pub(super) type Val<T> = Option<Spanned<T>>;
/// A list of strings, each with where it was written.
pub(super) type List = Vec<Spanned<String>>;

/// The whole file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    #[serde(default)]
    pub(super) crawl: Option<RawCrawl>,
    #[serde(default)]
    pub(super) target: Vec<Spanned<RawTarget>>,
    #[serde(default)]
    pub(super) manufacturer: Vec<Spanned<RawManufacturer>>,
    #[serde(default)]
    pub(super) rule: Vec<Spanned<RawRule>>,
    #[serde(default)]
    pub(super) claims: Option<RawClaims>,
    #[serde(default)]
    pub(super) notify: Vec<Spanned<RawNotify>>,
}

/// `[claims]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawClaims {
    /// Built-in packs to turn off.
    #[serde(default)]
    pub(super) disable: List,
}

/// `[crawl]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCrawl {
    #[serde(default)]
    pub(super) rate: Val<String>,
    #[serde(default)]
    pub(super) burst: Val<i64>,
    #[serde(default)]
    pub(super) concurrency: Val<i64>,
    #[serde(default)]
    pub(super) max_pages: Val<i64>,
    #[serde(default)]
    pub(super) max_depth: Val<i64>,
    #[serde(default)]
    pub(super) timeout: Val<String>,
    #[serde(default)]
    pub(super) max_body: Val<String>,
    #[serde(default)]
    pub(super) user_agent: Val<String>,
    #[serde(default)]
    pub(super) respect_robots: Option<bool>,
    #[serde(default)]
    pub(super) retries: Val<i64>,
    #[serde(default)]
    pub(super) max_retry_wait: Val<String>,
    #[serde(default)]
    pub(super) max_crawl_delay: Val<String>,
    #[serde(default)]
    pub(super) unreachable_after: Val<i64>,
}

/// One `[[target]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTarget {
    #[serde(default)]
    pub(super) id: Val<String>,
    #[serde(default)]
    pub(super) name: Val<String>,
    #[serde(default)]
    pub(super) seeds: Val<List>,
    #[serde(default)]
    pub(super) aliases: List,
    #[serde(default)]
    pub(super) country: Val<String>,
    #[serde(default)]
    pub(super) tags: List,
    /// Each a string or a table: checked by hand (see `list_ref`), so that a bad key gets a
    /// message naming it rather than serde's "did not match any variant".
    #[serde(default)]
    pub(super) list_refs: Vec<Spanned<toml::Value>>,
    #[serde(default)]
    pub(super) include: List,
    #[serde(default)]
    pub(super) exclude: List,
    #[serde(default)]
    pub(super) allow_hosts: List,
    #[serde(default)]
    pub(super) allow_private: Option<bool>,
    #[serde(default)]
    pub(super) rate: Val<String>,
    #[serde(default)]
    pub(super) burst: Val<i64>,
    #[serde(default)]
    pub(super) max_pages: Val<i64>,
    #[serde(default)]
    pub(super) max_depth: Val<i64>,
    #[serde(default)]
    pub(super) timeout: Val<String>,
    #[serde(default)]
    pub(super) max_body: Val<String>,
    #[serde(default)]
    pub(super) respect_robots: Option<bool>,
}

/// One `[[manufacturer]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawManufacturer {
    #[serde(default)]
    pub(super) name: Val<String>,
    #[serde(default)]
    pub(super) aliases: List,
    #[serde(default)]
    pub(super) domains: List,
    #[serde(default)]
    pub(super) authorized: Option<List>,
    #[serde(default)]
    pub(super) source: Option<String>,
}

/// One `[[rule]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    #[serde(default)]
    pub(super) id: Val<String>,
    #[serde(default)]
    pub(super) category: Val<String>,
    #[serde(default)]
    pub(super) terms: Val<List>,
    #[serde(default)]
    pub(super) regex: Val<String>,
}

/// One `[[notify]]`: a webhook (`url`) or a command hook (`command`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNotify {
    #[serde(default)]
    pub(super) id: Val<String>,
    #[serde(default)]
    pub(super) url: Val<String>,
    #[serde(default)]
    pub(super) secret: Val<String>,
    #[serde(default)]
    pub(super) command: Val<List>,
    #[serde(default)]
    pub(super) timeout: Val<String>,
    #[serde(default)]
    pub(super) retries: Val<i64>,
    #[serde(default)]
    pub(super) backoff: Val<String>,
}
