//! `targets.toml`: the watch-list, crawl settings, manufacturers and extra claim rules.
//!
//! Parsing is strict: an unknown key, a bad value or a duplicate id is an error that names the
//! file, the line and the key, so a cron job never runs on a half-understood watch-list.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use bytesize::ByteSize;
use regex::Regex;
use serde::Deserialize;
use toml::Spanned;
use url::{Host, Url};

use crate::address;

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
    /// Built-in claim packs turned off with `[claims] disable = [...]`.
    pub disabled_packs: Vec<String>,
}

/// The ids of the built-in claim packs, which `[claims] disable` may name.
pub const BUILT_IN_PACKS: &[&str] = &["military", "partner"];

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

/// The `User-Agent` sent when `[crawl]` does not set one.
pub const DEFAULT_USER_AGENT: &str = "claimwatch/0.1 (+https://github.com/claimwatch/claimwatch)";

/// A request that takes longer than this is stuck, not slow.
const MAX_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// Beyond this a body is not a web page but a download.
const MAX_BODY: u64 = 1024 * 1024 * 1024;
/// A typo such as "60m" for a retry wait or crawl-delay cap should not park a run for hours.
const MAX_WAIT: Duration = Duration::from_secs(60 * 60);

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.per.as_millis() {
            1_000 => "s",
            60_000 => "m",
            3_600_000 => "h",
            _ => return write!(f, "{}/{}", self.count, humantime::format_duration(self.per)),
        };
        write!(f, "{}/{unit}", self.count)
    }
}

impl FromStr for Rate {
    type Err = String;

    /// Parses "N/s", "N/m" or "N/h" with N a positive integer.
    fn from_str(s: &str) -> Result<Rate, String> {
        let expected = || format!("bad rate {s:?}: expected \"N/s\", \"N/m\" or \"N/h\"");
        let (count, unit) = s.trim().split_once('/').ok_or_else(expected)?;
        let (count, unit) = (count.trim(), unit.trim());
        let per = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 60 * 60,
            _ => return Err(expected()),
        };
        // u32::from_str would also take "+5"; the file format promises plain digits.
        if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
            return Err(expected());
        }
        let count: u32 = count
            .parse()
            .map_err(|_| format!("bad rate {s:?}: {count} is too large"))?;
        if count == 0 {
            return Err(format!("bad rate {s:?}: the count must be at least 1"));
        }
        Ok(Rate {
            count,
            per: Duration::from_secs(per),
        })
    }
}

impl Default for CrawlSettings {
    /// The `[crawl]` defaults documented in the contract.
    fn default() -> CrawlSettings {
        CrawlSettings {
            rate: Rate {
                count: 1,
                per: Duration::from_secs(1),
            },
            burst: 1,
            concurrency: 8,
            max_pages: 100,
            max_depth: 3,
            timeout: Duration::from_secs(30),
            max_body: 5 * 1024 * 1024,
            user_agent: DEFAULT_USER_AGENT.to_string(),
            respect_robots: true,
            retries: 2,
            max_retry_wait: Duration::from_secs(60),
            max_crawl_delay: Duration::from_secs(30),
        }
    }
}

impl Config {
    /// Reads and validates a `targets.toml`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// Parses and validates `text`; `path` is used only in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let cx = Ctx { text, path };
        let raw: RawFile = toml::from_str(text).map_err(|e| cx.syntax(&e))?;

        let mut crawl = CrawlSettings::default();
        if let Some(section) = &raw.crawl {
            cx.crawl_section(section, &mut crawl)?;
        }

        if raw.target.is_empty() {
            return Err(cx.invalid_line(
                1,
                "target",
                "no [[target]] table: the watch-list needs at least one target",
            ));
        }
        let mut ids = HashMap::new();
        let mut targets = Vec::with_capacity(raw.target.len());
        for t in &raw.target {
            targets.push(cx.target(t, &crawl, &mut ids)?);
        }

        let mut names = HashMap::new();
        let mut manufacturers = Vec::with_capacity(raw.manufacturer.len());
        for m in &raw.manufacturer {
            manufacturers.push(cx.manufacturer(m, &mut names)?);
        }

        let mut rule_ids = HashMap::new();
        let mut rules = Vec::with_capacity(raw.rule.len());
        for r in &raw.rule {
            rules.push(cx.rule(r, &mut rule_ids)?);
        }

        let mut disabled_packs = Vec::new();
        for pack in raw.claims.iter().flat_map(|c| &c.disable) {
            if !BUILT_IN_PACKS.contains(&pack.get_ref().as_str()) {
                return Err(cx.invalid(
                    pack.span(),
                    "disable",
                    format!(
                        "no built-in pack {:?}: the packs are {}",
                        pack.get_ref(),
                        BUILT_IN_PACKS.join(", ")
                    ),
                ));
            }
            disabled_packs.push(pack.get_ref().clone());
        }

        Ok(Config {
            path: path.to_path_buf(),
            crawl,
            targets,
            manufacturers,
            rules,
            disabled_packs,
        })
    }

    /// The plan `claimwatch check` prints: what a crawl with this file would do.
    pub fn describe_plan(&self) -> String {
        use std::fmt::Write as _;

        let c = &self.crawl;
        let mut out = String::new();
        let _ = writeln!(out, "config: {}", self.path.display());
        let _ = writeln!(out, "crawl defaults:");
        let _ = writeln!(out, "  rate:            {} burst {}", c.rate, c.burst);
        let _ = writeln!(out, "  concurrency:     {} hosts at once", c.concurrency);
        let _ = writeln!(out, "  max_pages:       {}", c.max_pages);
        let _ = writeln!(out, "  max_depth:       {}", c.max_depth);
        let _ = writeln!(out, "  timeout:         {}", human_duration(c.timeout));
        let _ = writeln!(out, "  max_body:        {}", human_size(c.max_body));
        let _ = writeln!(out, "  robots.txt:      {}", on_off(c.respect_robots));
        let _ = writeln!(out, "  retries:         {}", c.retries);
        let _ = writeln!(
            out,
            "  max_retry_wait:  {}",
            human_duration(c.max_retry_wait)
        );
        let _ = writeln!(
            out,
            "  max_crawl_delay: {}",
            human_duration(c.max_crawl_delay)
        );
        let _ = writeln!(out, "  user_agent:      {}", c.user_agent);

        for t in &self.targets {
            let s = &t.settings;
            let _ = writeln!(out);
            let _ = writeln!(out, "target {} ({}, line {})", t.id, t.name, t.line);
            let seeds: Vec<&str> = t.seeds.iter().map(Url::as_str).collect();
            let _ = writeln!(out, "  seeds:     {}", seeds.join(", "));
            let _ = writeln!(out, "  scope:     {}", t.scope_hosts().join(", "));
            let _ = writeln!(out, "  rate:      {} burst {}", s.rate, s.burst);
            let _ = writeln!(out, "  max_pages: {}", s.max_pages);
            let _ = writeln!(out, "  max_depth: {}", s.max_depth);
            let _ = writeln!(out, "  timeout:   {}", human_duration(s.timeout));
            let _ = writeln!(out, "  max_body:  {}", human_size(s.max_body));
            let _ = writeln!(out, "  robots:    {}", on_off(s.respect_robots));
            let private = if t.private_allowed() {
                "allowed"
            } else {
                "not allowed"
            };
            let _ = writeln!(out, "  private addresses: {private}");
            let _ = writeln!(out, "  include:   {}", patterns(&t.include, "(everything)"));
            let _ = writeln!(out, "  exclude:   {}", patterns(&t.exclude, "(nothing)"));
        }

        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{} {}, {} {}, {} extra {}",
            self.targets.len(),
            plural(self.targets.len(), "target", "targets"),
            self.manufacturers.len(),
            plural(self.manufacturers.len(), "manufacturer", "manufacturers"),
            self.rules.len(),
            plural(self.rules.len(), "rule", "rules"),
        );
        out
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

fn human_duration(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

fn human_size(bytes: u64) -> String {
    ByteSize(bytes).display().iec().to_string()
}

fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

fn patterns(list: &[Regex], none: &str) -> String {
    if list.is_empty() {
        return none.to_string();
    }
    let shown: Vec<&str> = list.iter().map(Regex::as_str).collect();
    shown.join("  ")
}

// The raw shape of the file. Values that get validated are `Spanned` so that an error can point
// at their line; required keys are `Option` so that a missing one gets our message, not serde's.

type Val<T> = Option<Spanned<T>>;
type List = Vec<Spanned<String>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    crawl: Option<RawCrawl>,
    #[serde(default)]
    target: Vec<Spanned<RawTarget>>,
    #[serde(default)]
    manufacturer: Vec<Spanned<RawManufacturer>>,
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
    #[serde(default)]
    claims: Option<RawClaims>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClaims {
    /// Built-in packs to turn off.
    #[serde(default)]
    disable: List,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCrawl {
    #[serde(default)]
    rate: Val<String>,
    #[serde(default)]
    burst: Val<i64>,
    #[serde(default)]
    concurrency: Val<i64>,
    #[serde(default)]
    max_pages: Val<i64>,
    #[serde(default)]
    max_depth: Val<i64>,
    #[serde(default)]
    timeout: Val<String>,
    #[serde(default)]
    max_body: Val<String>,
    #[serde(default)]
    user_agent: Val<String>,
    #[serde(default)]
    respect_robots: Option<bool>,
    #[serde(default)]
    retries: Val<i64>,
    #[serde(default)]
    max_retry_wait: Val<String>,
    #[serde(default)]
    max_crawl_delay: Val<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    #[serde(default)]
    id: Val<String>,
    #[serde(default)]
    name: Val<String>,
    #[serde(default)]
    seeds: Val<List>,
    #[serde(default)]
    aliases: List,
    #[serde(default)]
    country: Val<String>,
    #[serde(default)]
    tags: List,
    #[serde(default)]
    list_refs: List,
    #[serde(default)]
    include: List,
    #[serde(default)]
    exclude: List,
    #[serde(default)]
    allow_hosts: List,
    #[serde(default)]
    allow_private: Option<bool>,
    #[serde(default)]
    rate: Val<String>,
    #[serde(default)]
    burst: Val<i64>,
    #[serde(default)]
    max_pages: Val<i64>,
    #[serde(default)]
    max_depth: Val<i64>,
    #[serde(default)]
    timeout: Val<String>,
    #[serde(default)]
    max_body: Val<String>,
    #[serde(default)]
    respect_robots: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManufacturer {
    #[serde(default)]
    name: Val<String>,
    #[serde(default)]
    aliases: List,
    #[serde(default)]
    domains: List,
    #[serde(default)]
    authorized: Option<List>,
    #[serde(default)]
    source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    #[serde(default)]
    id: Val<String>,
    #[serde(default)]
    category: Val<String>,
    #[serde(default)]
    terms: Val<List>,
    #[serde(default)]
    regex: Val<String>,
}

/// The settings both `[crawl]` and `[[target]]` may set.
struct Overrides<'a> {
    rate: Option<&'a Spanned<String>>,
    burst: Option<&'a Spanned<i64>>,
    max_pages: Option<&'a Spanned<i64>>,
    max_depth: Option<&'a Spanned<i64>>,
    timeout: Option<&'a Spanned<String>>,
    max_body: Option<&'a Spanned<String>>,
    respect_robots: Option<bool>,
}

/// The text being parsed, for turning byte spans into lines in messages.
struct Ctx<'a> {
    text: &'a str,
    path: &'a Path,
}

impl Ctx<'_> {
    /// The 1-based line holding byte `offset`.
    fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    fn invalid_line(&self, line: usize, key: &str, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            path: self.path.to_path_buf(),
            line,
            key: key.to_string(),
            message: message.into(),
        }
    }

    fn invalid(&self, span: Range<usize>, key: &str, message: impl Into<String>) -> ConfigError {
        self.invalid_line(self.line(span.start), key, message)
    }

    fn syntax(&self, err: &toml::de::Error) -> ConfigError {
        let span = err.span();
        let line = span.as_ref().map_or(1, |s| self.line(s.start));
        let mut message = err.message().trim_end().replace('\n', "; ");
        // Messages about a value ("invalid type: integer `5`, expected a string") do not say which
        // key held it; the source line does. Messages about keys already name them.
        let about_key = ["unknown field", "missing field"]
            .iter()
            .any(|p| message.starts_with(p));
        let key = match &span {
            // Here the span is the repeated key itself.
            Some(s) if message.starts_with("duplicate key") => self.text.get(s.clone()),
            Some(s) if !about_key => self
                .key_before(s.start)
                .or_else(|| self.table_header_at(s.start)),
            _ => None,
        };
        if let Some(key) = key.map(str::trim).filter(|k| !k.is_empty()) {
            message = format!("`{key}`: {message}");
        }
        ConfigError::Syntax {
            path: self.path.to_path_buf(),
            line,
            message,
        }
    }

    /// The table named by a `[name]` or `[[name]]` header on the line of `offset`: a table of
    /// the wrong shape (`[[crawl]]` for `[crawl]`) is reported at its header.
    fn table_header_at(&self, offset: usize) -> Option<&str> {
        let start = self.text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        let line = self.text[start..end].trim();
        let name = line.strip_prefix('[')?.strip_suffix(']')?;
        let name = name.trim_start_matches('[').trim_end_matches(']').trim();
        (!name.is_empty()).then_some(name)
    }

    /// The key of the `key = value` assignment that `offset` (inside the value) belongs to, when
    /// it is on the same line.
    fn key_before(&self, offset: usize) -> Option<&str> {
        let prefix = self.text.get(..offset)?;
        let line = &prefix[prefix.rfind('\n').map_or(0, |i| i + 1)..];
        let before = line[..line.rfind('=')?].trim_end();
        let is_key_char = |c: char| c.is_ascii_alphanumeric() || "_-.\"'".contains(c);
        let start = before
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_key_char(c))
            .last()
            .map(|(i, _)| i)?;
        Some(&before[start..])
    }

    fn required<'v, T>(
        &self,
        value: &'v Val<T>,
        table: Range<usize>,
        key: &str,
        what: &str,
    ) -> Result<&'v Spanned<T>, ConfigError> {
        value
            .as_ref()
            .ok_or_else(|| self.invalid(table, key, format!("missing: {what}")))
    }

    fn non_empty(&self, v: &Spanned<String>, key: &str) -> Result<String, ConfigError> {
        let s = v.get_ref().trim();
        if s.is_empty() {
            return Err(self.invalid(v.span(), key, "must not be empty"));
        }
        Ok(s.to_string())
    }

    fn strings(&self, list: &[Spanned<String>], key: &str) -> Result<Vec<String>, ConfigError> {
        list.iter().map(|v| self.non_empty(v, key)).collect()
    }

    /// An id or category: `[a-z0-9_-]+`.
    fn slug(&self, v: &Spanned<String>, key: &str) -> Result<String, ConfigError> {
        let s = v.get_ref();
        let ok = !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !ok {
            return Err(self.invalid(
                v.span(),
                key,
                format!("bad {key} {s:?}: use only a-z, 0-9, \"_\" and \"-\""),
            ));
        }
        Ok(s.clone())
    }

    /// A slug that must not repeat: `seen` maps the ones so far to their lines.
    fn unique_slug(
        &self,
        v: &Spanned<String>,
        key: &str,
        seen: &mut HashMap<String, usize>,
    ) -> Result<String, ConfigError> {
        let id = self.slug(v, key)?;
        let line = self.line(v.span().start);
        if let Some(first) = seen.insert(id.clone(), line) {
            return Err(self.invalid_line(
                line,
                key,
                format!("duplicate {key} {id:?} (first at line {first})"),
            ));
        }
        Ok(id)
    }

    fn regex(&self, v: &Spanned<String>, key: &str) -> Result<Regex, ConfigError> {
        let pattern = v.get_ref();
        if pattern.is_empty() {
            return Err(self.invalid(v.span(), key, "empty regex: it would match everything"));
        }
        Regex::new(pattern).map_err(|e| {
            self.invalid(
                v.span(),
                key,
                format!("bad regex {pattern:?}: {}", regex_message(&e)),
            )
        })
    }

    fn regexes(&self, list: &[Spanned<String>], key: &str) -> Result<Vec<Regex>, ConfigError> {
        list.iter().map(|v| self.regex(v, key)).collect()
    }

    fn hosts(
        &self,
        list: &[Spanned<String>],
        key: &str,
        wildcard: bool,
    ) -> Result<Vec<String>, ConfigError> {
        let mut hosts: Vec<String> = Vec::with_capacity(list.len());
        for v in list {
            let host =
                parse_host(v.get_ref(), wildcard).map_err(|m| self.invalid(v.span(), key, m))?;
            if !hosts.contains(&host) {
                hosts.push(host);
            }
        }
        Ok(hosts)
    }

    fn seed(&self, v: &Spanned<String>) -> Result<Url, ConfigError> {
        let text = v.get_ref().trim();
        let mut url = Url::parse(text).map_err(|e| {
            let hint = if e == url::ParseError::RelativeUrlWithoutBase {
                format!(" (write it as \"https://{text}\")")
            } else {
                String::new()
            };
            self.invalid(v.span(), "seeds", format!("bad URL {text:?}: {e}{hint}"))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(self.invalid(
                v.span(),
                "seeds",
                format!("seed {text:?} is not an http or https URL"),
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(self.invalid(v.span(), "seeds", format!("seed {text:?} has no host")));
        }
        // The server never sees a fragment; keeping it would make one page look like two.
        url.set_fragment(None);
        Ok(url)
    }

    /// An integer in `min..=max`, converted to the setting's type.
    fn int<T: TryFrom<i64>>(
        &self,
        v: &Spanned<i64>,
        key: &str,
        min: i64,
        max: i64,
    ) -> Result<T, ConfigError> {
        let n = *v.get_ref();
        let out_of_range = || {
            let want = if max >= i64::from(u32::MAX) {
                format!("must be at least {min}")
            } else {
                format!("must be between {min} and {max}")
            };
            self.invalid(v.span(), key, format!("{want}, not {n}"))
        };
        if !(min..=max).contains(&n) {
            return Err(out_of_range());
        }
        T::try_from(n).map_err(|_| out_of_range())
    }

    fn duration(
        &self,
        v: &Spanned<String>,
        key: &str,
        zero_ok: bool,
        max: Duration,
    ) -> Result<Duration, ConfigError> {
        let s = v.get_ref();
        let d = humantime::parse_duration(s.trim()).map_err(|e| {
            self.invalid(
                v.span(),
                key,
                format!("bad duration {s:?}: {e}; expected e.g. \"30s\", \"2m\" or \"1m 30s\""),
            )
        })?;
        if d.is_zero() && !zero_ok {
            return Err(self.invalid(v.span(), key, "must be longer than zero"));
        }
        if d > max {
            return Err(self.invalid(
                v.span(),
                key,
                format!("{s:?} is too long: at most {}", human_duration(max)),
            ));
        }
        Ok(d)
    }

    fn size(&self, v: &Spanned<String>, key: &str) -> Result<u64, ConfigError> {
        let s = v.get_ref();
        let bytes = s.trim().parse::<ByteSize>().map_err(|_| {
            self.invalid(
                v.span(),
                key,
                format!("bad size {s:?}: expected e.g. \"5MiB\", \"500KB\" or \"1 MiB\""),
            )
        })?;
        if bytes.0 == 0 {
            return Err(self.invalid(v.span(), key, "must be larger than zero"));
        }
        if bytes.0 > MAX_BODY {
            return Err(self.invalid(
                v.span(),
                key,
                format!("{s:?} is too large: at most {}", human_size(MAX_BODY)),
            ));
        }
        Ok(bytes.0)
    }

    fn rate(&self, v: &Spanned<String>, key: &str) -> Result<Rate, ConfigError> {
        v.get_ref()
            .parse()
            .map_err(|m: String| self.invalid(v.span(), key, m))
    }

    fn apply(&self, s: &mut CrawlSettings, o: Overrides<'_>) -> Result<(), ConfigError> {
        let cap = i64::from(u32::MAX);
        if let Some(v) = o.rate {
            s.rate = self.rate(v, "rate")?;
        }
        if let Some(v) = o.burst {
            s.burst = self.int(v, "burst", 1, cap)?;
        }
        if let Some(v) = o.max_pages {
            s.max_pages = self.int(v, "max_pages", 1, cap)?;
        }
        if let Some(v) = o.max_depth {
            s.max_depth = self.int(v, "max_depth", 0, cap)?;
        }
        if let Some(v) = o.timeout {
            s.timeout = self.duration(v, "timeout", false, MAX_TIMEOUT)?;
        }
        if let Some(v) = o.max_body {
            s.max_body = self.size(v, "max_body")?;
        }
        if let Some(b) = o.respect_robots {
            s.respect_robots = b;
        }
        Ok(())
    }

    fn crawl_section(&self, c: &RawCrawl, s: &mut CrawlSettings) -> Result<(), ConfigError> {
        self.apply(
            s,
            Overrides {
                rate: c.rate.as_ref(),
                burst: c.burst.as_ref(),
                max_pages: c.max_pages.as_ref(),
                max_depth: c.max_depth.as_ref(),
                timeout: c.timeout.as_ref(),
                max_body: c.max_body.as_ref(),
                respect_robots: c.respect_robots,
            },
        )?;
        if let Some(v) = &c.concurrency {
            s.concurrency = self.int(v, "concurrency", 1, 256)?;
        }
        if let Some(v) = &c.retries {
            s.retries = self.int(v, "retries", 0, 10)?;
        }
        if let Some(v) = &c.max_retry_wait {
            s.max_retry_wait = self.duration(v, "max_retry_wait", true, MAX_WAIT)?;
        }
        if let Some(v) = &c.max_crawl_delay {
            s.max_crawl_delay = self.duration(v, "max_crawl_delay", true, MAX_WAIT)?;
        }
        if let Some(v) = &c.user_agent {
            let ua = self.non_empty(v, "user_agent")?;
            // It goes verbatim into an HTTP header.
            if !ua.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
                return Err(self.invalid(
                    v.span(),
                    "user_agent",
                    "must be printable ASCII (it is sent as an HTTP header)",
                ));
            }
            s.user_agent = ua;
        }
        Ok(())
    }

    fn target(
        &self,
        raw: &Spanned<RawTarget>,
        crawl: &CrawlSettings,
        ids: &mut HashMap<String, usize>,
    ) -> Result<Target, ConfigError> {
        let table = raw.span();
        let t = raw.get_ref();

        let id = self.required(&t.id, table.clone(), "id", "every target needs an id")?;
        let id = self.unique_slug(id, "id", ids)?;
        let name = self.required(&t.name, table.clone(), "name", "every target needs a name")?;
        let name = self.non_empty(name, "name")?;

        let seed_list = self.required(
            &t.seeds,
            table.clone(),
            "seeds",
            "a target needs at least one http or https URL",
        )?;
        if seed_list.get_ref().is_empty() {
            return Err(self.invalid(
                seed_list.span(),
                "seeds",
                "is empty: a target needs at least one http or https URL",
            ));
        }
        let mut seeds: Vec<Url> = Vec::with_capacity(seed_list.get_ref().len());
        for v in seed_list.get_ref() {
            let url = self.seed(v)?;
            if !seeds.contains(&url) {
                seeds.push(url);
            }
        }

        let country = match &t.country {
            Some(v) => Some(self.non_empty(v, "country")?),
            None => None,
        };

        let mut settings = crawl.clone();
        self.apply(
            &mut settings,
            Overrides {
                rate: t.rate.as_ref(),
                burst: t.burst.as_ref(),
                max_pages: t.max_pages.as_ref(),
                max_depth: t.max_depth.as_ref(),
                timeout: t.timeout.as_ref(),
                max_body: t.max_body.as_ref(),
                respect_robots: t.respect_robots,
            },
        )?;

        Ok(Target {
            id,
            name,
            seeds,
            aliases: self.strings(&t.aliases, "aliases")?,
            country,
            tags: self.strings(&t.tags, "tags")?,
            list_refs: self.strings(&t.list_refs, "list_refs")?,
            include: self.regexes(&t.include, "include")?,
            exclude: self.regexes(&t.exclude, "exclude")?,
            allow_hosts: self.hosts(&t.allow_hosts, "allow_hosts", true)?,
            allow_private: t.allow_private.unwrap_or(false),
            settings,
            line: self.line(table.start),
        })
    }

    fn manufacturer(
        &self,
        raw: &Spanned<RawManufacturer>,
        names: &mut HashMap<String, usize>,
    ) -> Result<Manufacturer, ConfigError> {
        let m = raw.get_ref();
        let name_v = self.required(
            &m.name,
            raw.span(),
            "name",
            "every manufacturer needs a name",
        )?;
        let name = self.non_empty(name_v, "name")?;
        let line = self.line(name_v.span().start);
        if let Some(first) = names.insert(name.to_lowercase(), line) {
            return Err(self.invalid_line(
                line,
                "name",
                format!("duplicate manufacturer {name:?} (first at line {first})"),
            ));
        }
        let authorized = match &m.authorized {
            Some(list) => Some(self.hosts(list, "authorized", true)?),
            None => None,
        };
        Ok(Manufacturer {
            name,
            aliases: self.strings(&m.aliases, "aliases")?,
            domains: self.hosts(&m.domains, "domains", false)?,
            authorized,
            source: m.source.clone(),
        })
    }

    fn rule(
        &self,
        raw: &Spanned<RawRule>,
        ids: &mut HashMap<String, usize>,
    ) -> Result<Rule, ConfigError> {
        let r = raw.get_ref();
        let id = self.required(&r.id, raw.span(), "id", "every rule needs an id")?;
        let id = self.unique_slug(id, "id", ids)?;
        let category = self.required(
            &r.category,
            raw.span(),
            "category",
            "every rule needs a category (e.g. \"military\" or \"partner\")",
        )?;
        let category = self.slug(category, "category")?;

        let mut terms = Vec::new();
        let mut seen = HashSet::new();
        if let Some(list) = &r.terms {
            for v in list.get_ref() {
                let term = v.get_ref().trim();
                if term.is_empty() {
                    return Err(self.invalid(
                        v.span(),
                        "terms",
                        "empty term: it would match everything",
                    ));
                }
                // Terms match case- and whitespace-insensitively, so these spell the same term.
                let folded = term
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase();
                if !seen.insert(folded) {
                    return Err(self.invalid(
                        v.span(),
                        "terms",
                        format!("duplicate term {term:?}"),
                    ));
                }
                terms.push(term.to_string());
            }
        }
        let regex = match &r.regex {
            Some(v) => Some(self.regex(v, "regex")?),
            None => None,
        };
        if terms.is_empty() && regex.is_none() {
            let span = r.terms.as_ref().map_or(raw.span(), Spanned::span);
            return Err(self.invalid(
                span,
                "terms",
                format!("rule {id:?} has neither terms nor a regex: give `terms` or `regex`"),
            ));
        }
        Ok(Rule {
            id,
            category,
            terms,
            regex,
        })
    }
}

/// A host name for a scope or allowlist, normalised to lower-case ASCII (IDNA); `*.` in front
/// (when `wildcard`) covers subdomains.
fn parse_host(s: &str, wildcard: bool) -> Result<String, String> {
    let written = s;
    let s = s.trim();
    let (prefix, rest) = match s.strip_prefix("*.") {
        Some(rest) if wildcard => ("*.", rest),
        Some(_) => return Err(format!("{written:?}: a wildcard is not allowed here")),
        None => ("", s),
    };
    let not_a_host = || {
        format!(
            "{written:?} is not a host name: write the host alone, without scheme, port or path \
             (e.g. \"www.example.com\")"
        )
    };
    if rest.contains("://")
        || rest.contains(['/', '?', '#', '@', '*'])
        || (rest.contains(':') && !rest.starts_with('['))
    {
        return Err(not_a_host());
    }
    let rest = rest.strip_suffix('.').unwrap_or(rest);
    match Host::parse(rest) {
        Ok(Host::Domain(d)) => Ok(format!("{prefix}{}", d.to_ascii_lowercase())),
        Ok(ip) if prefix.is_empty() => Ok(ip.to_string()),
        Ok(_) => Err(format!(
            "{written:?}: a wildcard needs a domain name, not an IP address"
        )),
        Err(e) => Err(format!("bad host {written:?}: {e}")),
    }
}

/// regex's syntax errors are several lines with a caret diagram; a one-line message keeps only
/// the explanation, since the pattern is quoted next to it.
fn regex_message(e: &regex::Error) -> String {
    let full = e.to_string();
    let explained: Vec<&str> = full
        .lines()
        .filter_map(|l| l.trim().strip_prefix("error: "))
        .collect();
    if explained.is_empty() {
        full.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        explained.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"# a watch-list
[crawl]
rate = "2/s"
burst = 3
concurrency = 4
max_pages = 50
max_depth = 2
timeout = "20s"
max_body = "1 MiB"
user_agent = "claimwatch/0.1 (+mailto:ops@example.org)"
respect_robots = true
retries = 3
max_retry_wait = "2m"
max_crawl_delay = "10s"

[[target]]
id = "winninc"
name = "Winninc Electronics Co., Limited"
seeds = ["https://www.winninc.example/#top", "https://www.winninc.example/", "http://shop.winninc.example/a"]
aliases = ["Winninc", "稳联"]
country = "HK"
tags = ["distributor"]
list_refs = ["entity-list:2024"]
include = ["^https://www\\.winninc\\.example/"]
exclude = ["\\.pdf$"]
allow_hosts = ["*.Winninc.example", "cdn.example.net"]
rate = "30/m"
max_pages = 500
timeout = "45s"
max_body = "500KB"
respect_robots = false

[[target]]
id = "local-test"
name = "Local"
seeds = ["http://127.0.0.1:8080/"]

[[manufacturer]]
name = "Texas Instruments"
aliases = ["TI", "德州仪器"]
domains = ["TI.com"]
authorized = ["mouser.com", "digikey.com"]
source = "https://www.ti.com/distributors"

[[manufacturer]]
name = "Analog Devices"
domains = ["analog.com"]

[[rule]]
id = "radar-parts"
category = "military"
terms = ["radar", "S-400"]

[[rule]]
id = "gjb-regex"
category = "military"
regex = "GJB\\s*\\d+"
"#;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("targets.toml"))
    }

    /// The error message for `text`, which must be rejected.
    fn err(text: &str) -> String {
        match parse(text) {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    fn assert_err(text: &str, line: usize, needles: &[&str]) {
        let msg = err(text);
        let at = format!("targets.toml:{line}:");
        assert!(msg.starts_with(&at), "expected {at:?} in {msg:?}");
        for n in needles {
            assert!(msg.contains(n), "expected {n:?} in {msg:?}");
        }
    }

    /// A minimal valid target, for appending broken bits to.
    const T: &str = "[[target]]\nid = \"a\"\nname = \"A\"\nseeds = [\"https://a.example/\"]\n";

    fn target_with(extra: &str) -> String {
        format!("{T}{extra}\n")
    }

    #[test]
    fn full_file_parses_with_overrides() {
        let c = parse(FULL).expect("valid");
        assert_eq!(c.path, Path::new("targets.toml"));
        assert_eq!(c.crawl.rate.count, 2);
        assert_eq!(c.crawl.rate.per, Duration::from_secs(1));
        assert_eq!(c.crawl.burst, 3);
        assert_eq!(c.crawl.concurrency, 4);
        assert_eq!(c.crawl.max_body, 1024 * 1024);
        assert_eq!(c.crawl.retries, 3);
        assert_eq!(c.crawl.max_retry_wait, Duration::from_secs(120));
        assert_eq!(c.crawl.max_crawl_delay, Duration::from_secs(10));
        assert_eq!(
            c.crawl.user_agent,
            "claimwatch/0.1 (+mailto:ops@example.org)"
        );

        assert_eq!(c.targets.len(), 2);
        let t = &c.targets[0];
        assert_eq!(t.id, "winninc");
        assert_eq!(t.line, 16);
        let seeds: Vec<&str> = t.seeds.iter().map(Url::as_str).collect();
        assert_eq!(
            seeds,
            [
                "https://www.winninc.example/",
                "http://shop.winninc.example/a"
            ]
        );
        assert_eq!(t.aliases, ["Winninc", "稳联"]);
        assert_eq!(t.country.as_deref(), Some("HK"));
        assert_eq!(t.tags, ["distributor"]);
        assert_eq!(t.list_refs, ["entity-list:2024"]);
        assert!(t.include[0].is_match("https://www.winninc.example/x"));
        assert!(t.exclude[0].is_match("https://www.winninc.example/x.pdf"));
        assert_eq!(t.allow_hosts, ["*.winninc.example", "cdn.example.net"]);
        assert!(!t.allow_private);
        assert!(!t.private_allowed());

        let s = &t.settings;
        assert_eq!(s.rate.to_string(), "30/m");
        assert_eq!(s.burst, 3, "inherited from [crawl]");
        assert_eq!(s.max_pages, 500);
        assert_eq!(s.max_depth, 2, "inherited from [crawl]");
        assert_eq!(s.timeout, Duration::from_secs(45));
        assert_eq!(s.max_body, 500_000);
        assert!(!s.respect_robots);
        assert_eq!(s.concurrency, 4);

        let local = &c.targets[1];
        assert_eq!(local.line, 33);
        assert_eq!(local.settings, CrawlSettings { ..c.crawl.clone() });
        assert!(local.private_allowed());

        assert_eq!(c.manufacturers.len(), 2);
        let ti = &c.manufacturers[0];
        assert_eq!(ti.domains, ["ti.com"]);
        assert_eq!(
            ti.authorized.as_deref(),
            Some(&["mouser.com".to_string(), "digikey.com".to_string()][..])
        );
        assert_eq!(
            ti.source.as_deref(),
            Some("https://www.ti.com/distributors")
        );
        assert_eq!(c.manufacturers[1].authorized, None);

        assert_eq!(c.rules.len(), 2);
        assert_eq!(c.rules[0].terms, ["radar", "S-400"]);
        assert!(c.rules[0].regex.is_none());
        assert!(
            c.rules[1]
                .regex
                .as_ref()
                .is_some_and(|r| r.is_match("GJB 548"))
        );
    }

    #[test]
    fn defaults_apply_without_crawl_section() {
        let c = parse(T).expect("valid");
        assert_eq!(c.crawl, CrawlSettings::default());
        let s = &c.targets[0].settings;
        assert_eq!(s.rate.to_string(), "1/s");
        assert_eq!(s.burst, 1);
        assert_eq!(s.concurrency, 8);
        assert_eq!(s.max_pages, 100);
        assert_eq!(s.max_depth, 3);
        assert_eq!(s.timeout, Duration::from_secs(30));
        assert_eq!(s.max_body, 5 * 1024 * 1024);
        assert_eq!(s.user_agent, DEFAULT_USER_AGENT);
        assert!(s.respect_robots);
        assert_eq!(s.retries, 2);
        assert_eq!(s.max_retry_wait, Duration::from_secs(60));
        assert_eq!(s.max_crawl_delay, Duration::from_secs(30));
    }

    #[test]
    fn rate_parses_and_displays() {
        for (text, shown, interval_ms) in [
            ("2/s", "2/s", 500),
            ("30/m", "30/m", 2_000),
            ("1/h", "1/h", 3_600_000),
        ] {
            let r: Rate = text.parse().expect("valid rate");
            assert_eq!(r.to_string(), shown);
            assert_eq!(r.interval(), Duration::from_millis(interval_ms));
        }
        for bad in [
            "", "fast", "0/s", "1/x", "-1/s", "+1/s", "0.5/s", "1/", "/s",
        ] {
            assert!(bad.parse::<Rate>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn unknown_key_in_crawl() {
        assert_err(&format!("[crawl]\nrat = \"1/s\"\n{T}"), 2, &["`rat`"]);
    }

    #[test]
    fn unknown_key_in_target() {
        assert_err(&target_with("seedz = []"), 5, &["`seedz`"]);
    }

    #[test]
    fn unknown_top_level_table() {
        assert_err(
            &format!("{T}\n[settings]\nrate = \"1/s\"\n"),
            6,
            &["`settings`"],
        );
    }

    #[test]
    fn bad_rates() {
        assert_err(
            &target_with("rate = \"fast\""),
            5,
            &["`rate`", "bad rate \"fast\"", "\"N/s\", \"N/m\" or \"N/h\""],
        );
        assert_err(&target_with("rate = \"0/s\""), 5, &["`rate`", "at least 1"]);
        let msg = err(&format!("[crawl]\n\nrate = \"1/x\"\n{T}"));
        assert_eq!(
            msg,
            "targets.toml:3: `rate`: bad rate \"1/x\": expected \"N/s\", \"N/m\" or \"N/h\""
        );
    }

    #[test]
    fn bad_burst() {
        assert_err(&target_with("burst = 0"), 5, &["`burst`", "at least 1"]);
    }

    #[test]
    fn bad_timeout() {
        assert_err(
            &format!("[crawl]\ntimeout = \"forever\"\n{T}"),
            2,
            &["`timeout`", "\"forever\""],
        );
        assert_err(&target_with("timeout = \"0s\""), 5, &["`timeout`", "zero"]);
        assert_err(
            &target_with("timeout = \"11m\""),
            5,
            &["`timeout`", "too long"],
        );
    }

    #[test]
    fn bad_max_body() {
        assert_err(
            &target_with("max_body = \"lots\""),
            5,
            &["`max_body`", "\"lots\""],
        );
        assert_err(
            &target_with("max_body = \"0B\""),
            5,
            &["`max_body`", "zero"],
        );
        assert_err(
            &target_with("max_body = \"2GiB\""),
            5,
            &["`max_body`", "too large"],
        );
    }

    #[test]
    fn bad_crawl_only_settings() {
        assert_err(
            &format!("[crawl]\nconcurrency = 0\n{T}"),
            2,
            &["`concurrency`"],
        );
        assert_err(
            &format!("[crawl]\nconcurrency = 257\n{T}"),
            2,
            &["`concurrency`"],
        );
        assert_err(&format!("[crawl]\nretries = 11\n{T}"), 2, &["`retries`"]);
        assert_err(
            &format!("[crawl]\nuser_agent = \" \"\n{T}"),
            2,
            &["`user_agent`"],
        );
        assert_err(
            &format!("[crawl]\nuser_agent = \"bot\\tv1\"\n{T}"),
            2,
            &["`user_agent`"],
        );
        // Only [crawl] sets these.
        assert_err(&target_with("concurrency = 2"), 5, &["`concurrency`"]);
    }

    #[test]
    fn bad_include_regex() {
        assert_err(
            &target_with("include = [\"ok\", \"(\"]"),
            5,
            &["`include`", "bad regex \"(\"", "unclosed group"],
        );
        let msg = err(&target_with("exclude = [\"[a-\"]"));
        assert!(msg.contains("`exclude`") && !msg.contains('\n'), "{msg:?}");
    }

    #[test]
    fn duplicate_target_id() {
        let text = format!("{T}\n{T}");
        let msg = err(&text);
        assert_eq!(
            msg,
            "targets.toml:7: `id`: duplicate id \"a\" (first at line 2)"
        );
    }

    #[test]
    fn bad_id() {
        let text = T.replace("id = \"a\"", "id = \"Win Inc\"");
        assert_err(&text, 2, &["`id`", "\"Win Inc\""]);
    }

    #[test]
    fn missing_seeds() {
        assert_err(
            "\n[[target]]\nid = \"a\"\nname = \"A\"\n",
            2,
            &["`seeds`", "missing"],
        );
    }

    #[test]
    fn missing_id_and_name() {
        assert_err(
            "[[target]]\nname = \"A\"\nseeds = [\"https://a/\"]\n",
            1,
            &["`id`"],
        );
        assert_err(
            "[[target]]\nid = \"a\"\nseeds = [\"https://a/\"]\n",
            1,
            &["`name`"],
        );
        assert_err(&T.replace("\"A\"", "\" \""), 3, &["`name`", "empty"]);
    }

    #[test]
    fn non_http_seed() {
        let text = T.replace("https://a.example/", "ftp://x");
        assert_err(&text, 4, &["`seeds`", "\"ftp://x\"", "http"]);
        let text = T.replace("https://a.example/", "www.example.com");
        assert_err(&text, 4, &["`seeds`", "https://www.example.com"]);
    }

    #[test]
    fn empty_seeds() {
        let text = T.replace("[\"https://a.example/\"]", "[]");
        assert_err(&text, 4, &["`seeds`", "empty"]);
    }

    #[test]
    fn bad_allow_hosts() {
        assert_err(
            &target_with("allow_hosts = [\"http://x.com/\"]"),
            5,
            &["`allow_hosts`", "\"http://x.com/\"", "without scheme"],
        );
        assert_err(
            &target_with("allow_hosts = [\"x.com:8080\"]"),
            5,
            &["`allow_hosts`"],
        );
        assert_err(
            &target_with("allow_hosts = [\"*.10.0.0.1\"]"),
            5,
            &["`allow_hosts`"],
        );
        assert_err(&target_with("allow_hosts = [\"\"]"), 5, &["`allow_hosts`"]);
        let c = parse(&target_with(
            "allow_hosts = [\"Shop.Example.COM.\", \"*.b.example\"]",
        ))
        .expect("valid");
        assert_eq!(
            c.targets[0].allow_hosts,
            ["shop.example.com", "*.b.example"]
        );
        assert_eq!(
            c.targets[0].scope_hosts(),
            ["a.example", "shop.example.com", "*.b.example"]
        );
    }

    #[test]
    fn no_targets() {
        assert_err("", 1, &["`target`", "at least one"]);
        assert_err("[crawl]\nrate = \"1/s\"\n", 1, &["`target`"]);
    }

    #[test]
    fn rule_without_terms_or_regex() {
        let text = format!("{T}\n[[rule]]\nid = \"r\"\ncategory = \"military\"\n");
        assert_err(&text, 6, &["`terms`", "regex"]);
        let text = format!("{T}\n[[rule]]\nid = \"r\"\ncategory = \"military\"\nterms = []\n");
        assert_err(&text, 9, &["`terms`"]);
    }

    #[test]
    fn rule_with_empty_term() {
        let text = format!(
            "{T}\n[[rule]]\nid = \"r\"\ncategory = \"military\"\nterms = [\n  \"radar\",\n  \" \",\n]\n"
        );
        assert_err(&text, 11, &["`terms`", "empty term"]);
    }

    #[test]
    fn rule_with_duplicate_term() {
        let text = format!(
            "{T}\n[[rule]]\nid = \"r\"\ncategory = \"military\"\nterms = [\"Radar\", \"radar\"]\n"
        );
        assert_err(&text, 9, &["`terms`", "duplicate term"]);
    }

    #[test]
    fn rule_checks() {
        let rule = |body: &str| format!("{T}\n[[rule]]\n{body}\n");
        assert_err(
            &rule("id = \"r\"\ncategory = \"Mil\"\nterms = [\"x\"]"),
            8,
            &["`category`"],
        );
        assert_err(
            &rule("id = \"r\"\nterms = [\"x\"]"),
            6,
            &["`category`", "missing"],
        );
        assert_err(
            &rule("id = \"r\"\ncategory = \"m\"\nregex = \"(\""),
            9,
            &["`regex`", "bad regex"],
        );
    }

    #[test]
    fn duplicate_rule_id() {
        let r = "[[rule]]\nid = \"r\"\ncategory = \"military\"\nterms = [\"radar\"]\n";
        let text = format!("{T}\n{r}\n{r}");
        assert_err(&text, 12, &["`id`", "duplicate id \"r\"", "line 7"]);
    }

    #[test]
    fn duplicate_manufacturer() {
        let text = format!(
            "{T}\n[[manufacturer]]\nname = \"Texas Instruments\"\n\n[[manufacturer]]\nname = \"texas instruments\"\n"
        );
        assert_err(&text, 10, &["`name`", "duplicate manufacturer", "line 7"]);
        let text = format!("{T}\n[[manufacturer]]\nname = \"X\"\ndomains = [\"https://x.com\"]\n");
        assert_err(&text, 8, &["`domains`"]);
    }

    #[test]
    fn wrong_type() {
        let msg = err(&target_with("rate = 5"));
        assert!(msg.starts_with("targets.toml:5: `rate`:"), "{msg:?}");
        assert!(msg.contains("string"), "{msg:?}");
    }

    #[test]
    fn invalid_toml_syntax() {
        let msg = err(&format!("{T}max_pages = = 3\n"));
        assert!(msg.starts_with("targets.toml:5:"), "{msg:?}");
        let msg = err("[[target]]\nid = \"a\nname = \"A\"\n");
        assert!(msg.starts_with("targets.toml:2:"), "{msg:?}");
        let msg = err(&format!("{T}id = \"b\"\n"));
        assert!(
            msg.starts_with("targets.toml:5:") && msg.contains("id"),
            "{msg:?}"
        );
    }

    fn seeded(seed: &str, extra: &str) -> Target {
        let text = T.replace("https://a.example/", seed) + extra;
        match parse(&text) {
            Ok(mut c) => c.targets.remove(0),
            Err(e) => panic!("{seed}: {e}"),
        }
    }

    #[test]
    fn private_allowed() {
        assert!(seeded("http://127.0.0.2/", "").private_allowed());
        assert!(seeded("http://localhost:8080/", "").private_allowed());
        assert!(seeded("http://LOCALHOST/", "").private_allowed());
        assert!(seeded("http://10.1.2.3/", "").private_allowed());
        assert!(seeded("http://192.168.0.1/", "").private_allowed());
        assert!(seeded("http://172.16.5.4/", "").private_allowed());
        assert!(seeded("http://100.64.0.1/", "").private_allowed());
        assert!(seeded("http://[::1]/", "").private_allowed());
        assert!(seeded("http://[fd00::1]/", "").private_allowed());
        assert!(!seeded("http://169.254.169.254/", "").private_allowed());
        assert!(!seeded("http://[fe80::1]/", "").private_allowed());
        assert!(!seeded("http://172.32.0.1/", "").private_allowed());
        assert!(!seeded("https://www.example.com/", "").private_allowed());
        let t = seeded("https://www.example.com/", "allow_private = true\n");
        assert!(t.allow_private);
        assert!(t.private_allowed());
    }

    #[test]
    fn plan_mentions_everything() {
        let c = parse(FULL).expect("valid");
        let plan = c.describe_plan();
        for needle in [
            "targets.toml",
            "winninc",
            "Winninc Electronics Co., Limited",
            "https://www.winninc.example/",
            "*.winninc.example",
            "30/m burst 3",
            "500",
            "45s",
            "488.3 KiB",
            "1.0 MiB",
            "robots:    off",
            "private addresses: allowed",
            "private addresses: not allowed",
            "\\.pdf$",
            "2 targets, 2 manufacturers, 2 extra rules",
        ] {
            assert!(plan.contains(needle), "{needle:?} not in plan:\n{plan}");
        }
    }

    #[test]
    fn load_reports_missing_file() {
        let missing = Path::new("/nonexistent/claimwatch/targets.toml");
        match Config::load(missing) {
            Err(e @ ConfigError::Read { .. }) => {
                assert!(
                    e.to_string()
                        .contains("/nonexistent/claimwatch/targets.toml")
                )
            }
            other => panic!("expected a read error, got {other:?}"),
        }
    }
}
