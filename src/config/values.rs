//! Checks of single values in `targets.toml`: each turns one raw value into a typed one or into
//! an error at that value's line.

use std::collections::HashMap;
use std::ops::Range;
use std::time::Duration;

use regex::Regex;
use toml::Spanned;
use url::{Host, Url};

use super::ConfigError;
use super::raw::Val;
use super::source::Source;
use super::units::{Rate, parse_duration, parse_size};

impl Source<'_> {
    /// The value of a key the table must have; `what` says why, in the message.
    pub(super) fn required<'v, T>(
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

    /// A string, trimmed, that must not be empty.
    pub(super) fn non_empty(&self, v: &Spanned<String>, key: &str) -> Result<String, ConfigError> {
        let s = v.get_ref().trim();
        if s.is_empty() {
            return Err(self.invalid(v.span(), key, "must not be empty"));
        }
        Ok(s.to_string())
    }

    /// A list of [`Self::non_empty`] strings.
    pub(super) fn strings(
        &self,
        list: &[Spanned<String>],
        key: &str,
    ) -> Result<Vec<String>, ConfigError> {
        list.iter().map(|v| self.non_empty(v, key)).collect()
    }

    /// An id or category: `[a-z0-9_-]+`.
    pub(super) fn slug(&self, v: &Spanned<String>, key: &str) -> Result<String, ConfigError> {
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
    pub(super) fn unique_slug(
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

    /// A regex; an empty one is refused, since it would match everything.
    pub(super) fn regex(&self, v: &Spanned<String>, key: &str) -> Result<Regex, ConfigError> {
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

    /// A list of [`Self::regex`]es.
    pub(super) fn regexes(
        &self,
        list: &[Spanned<String>],
        key: &str,
    ) -> Result<Vec<Regex>, ConfigError> {
        list.iter().map(|v| self.regex(v, key)).collect()
    }

    /// Host names, normalised (see `parse_host`), without repeats.
    pub(super) fn hosts(
        &self,
        list: &[Spanned<String>],
        key: &str,
        wildcard: bool,
    ) -> Result<Vec<String>, ConfigError> {
        let mut hosts: Vec<String> = Vec::with_capacity(list.len());
        for v in list {
            let host = self.parsed(v, key, |s| parse_host(s, wildcard))?;
            if !hosts.contains(&host) {
                hosts.push(host);
            }
        }
        Ok(hosts)
    }

    /// A seed: an http or https URL with a host, less its fragment.
    pub(super) fn seed(&self, v: &Spanned<String>) -> Result<Url, ConfigError> {
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
    pub(super) fn int<T: TryFrom<i64>>(
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

    /// A value written as text and read by `parse`, whose message becomes the error's.
    fn parsed<T>(
        &self,
        v: &Spanned<String>,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, ConfigError> {
        parse(v.get_ref()).map_err(|m| self.invalid(v.span(), key, m))
    }

    /// A duration (see [`parse_duration`]).
    pub(super) fn duration(
        &self,
        v: &Spanned<String>,
        key: &str,
        zero_ok: bool,
        max: Duration,
    ) -> Result<Duration, ConfigError> {
        self.parsed(v, key, |s| parse_duration(s, zero_ok, max))
    }

    /// A size in bytes (see [`parse_size`]).
    pub(super) fn size(
        &self,
        v: &Spanned<String>,
        key: &str,
        max: u64,
    ) -> Result<u64, ConfigError> {
        self.parsed(v, key, |s| parse_size(s, max))
    }

    /// A request rate (see [`Rate`]).
    pub(super) fn rate(&self, v: &Spanned<String>, key: &str) -> Result<Rate, ConfigError> {
        self.parsed(v, key, str::parse)
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
