//! robots.txt, as RFC 9309 reads it: fetched once per origin per run, matched on the product
//! token `claimwatch`, with its crawl-delay and sitemaps.

use std::time::Duration;

use texting_robots::Robot;

/// The product token matched against User-agent lines (never the whole User-Agent string).
pub const PRODUCT_TOKEN: &str = "claimwatch";

/// robots.txt bodies beyond this are cut (RFC 9309 asks crawlers to read at least 500 KiB).
pub const MAX_ROBOTS_BYTES: u64 = 512 * 1024;

/// What one origin's robots.txt allows.
#[derive(Debug)]
pub enum Robots {
    /// No robots.txt (4xx) or robots are not respected for this target.
    AllowAll,
    /// Unreachable (5xx, network): RFC 9309 says assume complete disallow.
    DisallowAll {
        reason: String,
    },
    Rules(Box<Robot>),
}

impl Robots {
    /// Reads a fetched robots.txt: a 2xx body is parsed, 4xx allows everything, anything else
    /// disallows everything for this run.
    pub fn from_response(status: u16, body: &[u8]) -> Robots {
        match status {
            200..=299 => match Robot::new(PRODUCT_TOKEN, body) {
                Ok(robot) => Robots::Rules(Box::new(robot)),
                // A robots.txt we cannot parse says nothing we can obey.
                Err(_) => Robots::AllowAll,
            },
            400..=499 if status != 429 => Robots::AllowAll,
            _ => Robots::DisallowAll {
                reason: format!("robots.txt answered HTTP {status}"),
            },
        }
    }

    pub fn allowed(&self, url: &str) -> bool {
        match self {
            Robots::AllowAll => true,
            Robots::DisallowAll { .. } => false,
            Robots::Rules(robot) => robot.allowed(url),
        }
    }

    /// The crawl-delay for us, if any, capped at `max`.
    pub fn crawl_delay(&self, max: Duration) -> Option<Duration> {
        match self {
            Robots::Rules(robot) => robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| Duration::from_secs_f32(d.min(max.as_secs_f32()))),
            _ => None,
        }
    }

    pub fn sitemaps(&self) -> &[String] {
        match self {
            Robots::Rules(robot) => &robot.sitemaps,
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_token_and_delay() {
        let txt = b"User-agent: *\nDisallow: /\n\nUser-agent: claimwatch\nDisallow: /private\nCrawl-delay: 500\nSitemap: http://a/s.xml\n";
        let robots = Robots::from_response(200, txt);
        assert!(robots.allowed("http://a/about"));
        assert!(!robots.allowed("http://a/private/x"));
        assert_eq!(
            robots.crawl_delay(Duration::from_secs(30)),
            Some(Duration::from_secs(30))
        );
        assert_eq!(robots.sitemaps(), ["http://a/s.xml"]);
    }

    #[test]
    fn missing_allows_and_unreachable_disallows() {
        assert!(Robots::from_response(404, b"").allowed("http://a/x"));
        assert!(!Robots::from_response(503, b"").allowed("http://a/x"));
        assert!(!Robots::from_response(429, b"").allowed("http://a/x"));
    }
}
