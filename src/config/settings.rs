//! Crawl settings: what `[crawl]` sets for every target and a `[[target]]` may override, their
//! defaults and bounds, and reading them from the file.

use std::time::Duration;

use toml::Spanned;

use super::ConfigError;
use super::raw::{RawCrawl, RawTarget};
use super::source::Source;
use super::units::Rate;

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
    /// Runs in a row a site that answered before must fail as a whole before it is flagged
    /// `site_unreachable`.
    pub unreachable_after: u32,
}

/// The `User-Agent` sent when `[crawl]` does not set one.
pub const DEFAULT_USER_AGENT: &str = "claimwatch/0.1 (+https://github.com/claimwatch/claimwatch)";

/// A request that takes longer than this is stuck, not slow.
const MAX_TIMEOUT: Duration = Duration::from_secs(10 * 60);
/// Beyond this a body is not a web page but a download.
const MAX_BODY: u64 = 1024 * 1024 * 1024;
/// A typo such as "60m" for a retry wait or crawl-delay cap should not park a run for hours.
const MAX_WAIT: Duration = Duration::from_secs(60 * 60);

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
            unreachable_after: 2,
        }
    }
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

impl<'a> Overrides<'a> {
    fn of_crawl(c: &'a RawCrawl) -> Overrides<'a> {
        Overrides {
            rate: c.rate.as_ref(),
            burst: c.burst.as_ref(),
            max_pages: c.max_pages.as_ref(),
            max_depth: c.max_depth.as_ref(),
            timeout: c.timeout.as_ref(),
            max_body: c.max_body.as_ref(),
            respect_robots: c.respect_robots,
        }
    }

    fn of_target(t: &'a RawTarget) -> Overrides<'a> {
        Overrides {
            rate: t.rate.as_ref(),
            burst: t.burst.as_ref(),
            max_pages: t.max_pages.as_ref(),
            max_depth: t.max_depth.as_ref(),
            timeout: t.timeout.as_ref(),
            max_body: t.max_body.as_ref(),
            respect_robots: t.respect_robots,
        }
    }
}

impl Source<'_> {
    /// The settings every target starts from: the defaults, with what `[crawl]` sets.
    pub(super) fn crawl_defaults(
        &self,
        section: Option<&RawCrawl>,
    ) -> Result<CrawlSettings, ConfigError> {
        let mut s = CrawlSettings::default();
        if let Some(c) = section {
            self.apply(&mut s, Overrides::of_crawl(c))?;
            self.apply_crawl_only(&mut s, c)?;
        }
        Ok(s)
    }

    /// One target's settings: `crawl`, with what the target overrides.
    pub(super) fn target_settings(
        &self,
        t: &RawTarget,
        crawl: &CrawlSettings,
    ) -> Result<CrawlSettings, ConfigError> {
        let mut s = crawl.clone();
        self.apply(&mut s, Overrides::of_target(t))?;
        Ok(s)
    }

    /// Sets in `s` each setting `o` gives, once it passes its check.
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
            s.max_body = self.size(v, "max_body", MAX_BODY)?;
        }
        if let Some(b) = o.respect_robots {
            s.respect_robots = b;
        }
        Ok(())
    }

    /// The settings only `[crawl]` may set.
    fn apply_crawl_only(&self, s: &mut CrawlSettings, c: &RawCrawl) -> Result<(), ConfigError> {
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
        if let Some(v) = &c.unreachable_after {
            s.unreachable_after = self.int(v, "unreachable_after", 1, 100)?;
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
}
