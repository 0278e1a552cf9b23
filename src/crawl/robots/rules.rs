//! Reading a robots.txt body into the rules that apply to one product token (RFC 9309
//! section 2.1–2.2): groups, their Allow and Disallow lines, crawl-delay and sitemaps.
//!
//! Every line is read on its own, so a line that makes no sense is skipped and never voids
//! the rest of the file. Nothing here allocates more than the body's size.

use super::pattern::{Pattern, normalize_path};

/// What one robots.txt asks of one crawler.
#[derive(Debug, Default)]
pub struct Rules {
    /// Allow (`true`) and Disallow patterns of the groups that name us, or else of the `*`
    /// groups.
    rules: Vec<(Pattern, bool)>,
    /// The largest crawl-delay, in seconds, in those same groups.
    pub delay: Option<f64>,
    /// Every Sitemap line, whatever group it stands in.
    pub sitemaps: Vec<String>,
}

/// One line's directive, its key read leniently as major crawlers do.
enum Line<'a> {
    UserAgent(&'a str),
    /// Allow (`allow` true) or Disallow.
    Rule {
        allow: bool,
        value: &'a str,
    },
    CrawlDelay(&'a str),
    Sitemap(&'a str),
    Other,
}

/// Which groups a rule line currently belongs to.
#[derive(Clone, Copy, Default)]
struct Group {
    ours: bool,
    any: bool,
}

impl Rules {
    /// How many Allow and Disallow rules apply to us.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Reads `body` for the crawler whose product token is `token` (compared without case).
    pub fn parse(body: &[u8], token: &str) -> Rules {
        let text = String::from_utf8_lossy(body);
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);

        let mut ours = Collected::default();
        let mut any = Collected::default();
        let mut named_us = false;
        let mut sitemaps = Vec::new();
        let mut group = Group::default();
        // User-agent lines in a row name one group; the first rule line closes the list.
        let mut in_agent_list = false;

        for raw in text.split(['\n', '\r']) {
            match parse_line(raw) {
                Line::UserAgent(agent) => {
                    if !in_agent_list {
                        group = Group::default();
                        in_agent_list = true;
                    }
                    if agent == "*" {
                        group.any = true;
                    } else if product_token(agent).eq_ignore_ascii_case(token) {
                        group.ours = true;
                        named_us = true;
                    }
                }
                Line::Rule { allow, value } => {
                    in_agent_list = false;
                    if let Some(pattern) = Pattern::new(value) {
                        ours.rule(group.ours, &pattern, allow);
                        any.rule(group.any, &pattern, allow);
                    }
                }
                Line::CrawlDelay(value) => {
                    in_agent_list = false;
                    if let Some(seconds) = value
                        .parse::<f64>()
                        .ok()
                        .filter(|s| s.is_finite() && *s >= 0.0)
                    {
                        ours.delay(group.ours, seconds);
                        any.delay(group.any, seconds);
                    }
                }
                Line::Sitemap(value) => {
                    if !value.is_empty() {
                        sitemaps.push(value.to_owned());
                    }
                }
                Line::Other => {}
            }
        }

        // A group naming us replaces the `*` groups entirely, even when it has no rules.
        let chosen = if named_us { ours } else { any };
        Rules {
            rules: chosen.rules,
            delay: chosen.delay,
            sitemaps,
        }
    }

    /// Whether `path_and_query` may be fetched: the most specific matching rule decides, an
    /// Allow winning a tie, and no match allows.
    pub fn allowed(&self, path_and_query: &str) -> bool {
        let path = normalize_path(path_and_query);
        if path == "/robots.txt" {
            return true;
        }
        let mut best: Option<(usize, bool)> = None;
        for (pattern, allow) in &self.rules {
            let rank = (pattern.specificity(), *allow);
            if best.is_some_and(|b| rank <= b) || !pattern.matches(&path) {
                continue;
            }
            best = Some(rank);
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// Rules and delays gathered for one kind of group.
#[derive(Default)]
struct Collected {
    rules: Vec<(Pattern, bool)>,
    delay: Option<f64>,
}

impl Collected {
    fn rule(&mut self, applies: bool, pattern: &Pattern, allow: bool) {
        if applies {
            self.rules.push((pattern.clone(), allow));
        }
    }

    fn delay(&mut self, applies: bool, seconds: f64) {
        if applies {
            // Of several delays the longest is the polite one.
            self.delay = Some(self.delay.map_or(seconds, |d| d.max(seconds)));
        }
    }
}

/// Splits one line into its directive, with comments and surrounding space removed.
fn parse_line(raw: &str) -> Line<'_> {
    let line = raw.split('#').next().unwrap_or_default().trim();
    // "key: value", or "key value" as some sites write it.
    let (key, value) = match line.split_once(':') {
        Some((key, value)) => (key.trim(), value.trim()),
        None => match line.split_once(char::is_whitespace) {
            Some((key, value)) => (key, value.trim()),
            None => return Line::Other,
        },
    };
    let key = key.to_ascii_lowercase();
    match key.as_str() {
        "user-agent" | "useragent" | "user agent" => Line::UserAgent(value),
        "allow" => Line::Rule { allow: true, value },
        "disallow" | "dissallow" | "dissalow" | "disalow" | "diasllow" | "disallaw" => Line::Rule {
            allow: false,
            value,
        },
        "crawl-delay" | "crawldelay" | "crawl delay" => Line::CrawlDelay(value),
        "sitemap" | "site-map" => Line::Sitemap(value),
        _ => Line::Other,
    }
}

/// The product token a User-agent value starts with: letters, `_` and `-` (RFC 9309 2.2.1),
/// so that "claimwatch/1.0" names `claimwatch`.
fn product_token(agent: &str) -> &str {
    let end = agent
        .find(|c: char| !(c.is_ascii_alphabetic() || c == '_' || c == '-'))
        .unwrap_or(agent.len());
    &agent[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(body: &str) -> Rules {
        Rules::parse(body.as_bytes(), "claimwatch")
    }

    #[test]
    fn our_group_replaces_the_star_group() {
        let r =
            rules("User-agent: *\nDisallow: /\n\nUser-agent: ClaimWatch/2.1\nDisallow: /private\n");
        assert!(r.allowed("/about"));
        assert!(!r.allowed("/private/x"));
    }

    #[test]
    fn star_group_applies_when_nothing_names_us() {
        let r = rules("User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nDisallow: /tmp\n");
        assert!(r.allowed("/about"));
        assert!(!r.allowed("/tmp/x"));
    }

    #[test]
    fn a_group_naming_us_without_rules_allows_everything() {
        let r = rules("User-agent: *\nDisallow: /\n\nUser-agent: claimwatch\n");
        assert!(r.allowed("/anything"));
    }

    #[test]
    fn consecutive_user_agents_share_a_group_and_groups_for_us_merge() {
        let r = rules(
            "User-agent: a\nUser-agent: claimwatch\nDisallow: /one\n\nUser-agent: b\nDisallow: /b\n\nUser-agent: claimwatch\nDisallow: /two\n",
        );
        assert!(!r.allowed("/one"));
        assert!(!r.allowed("/two"));
        assert!(r.allowed("/b"));
    }

    #[test]
    fn the_longest_match_wins_and_allow_wins_a_tie() {
        let r =
            rules("User-agent: *\nDisallow: /shop\nAllow: /shop/about\nAllow: /x\nDisallow: /x\n");
        assert!(!r.allowed("/shop/cart"));
        assert!(r.allowed("/shop/about/team"));
        assert!(r.allowed("/x"));
    }

    #[test]
    fn empty_disallow_allows_and_robots_txt_is_always_allowed() {
        assert!(rules("User-agent: *\nDisallow:\n").allowed("/x"));
        assert!(rules("User-agent: *\nDisallow: /\n").allowed("/robots.txt"));
    }

    #[test]
    fn comments_crlf_bom_typos_and_missing_colons_are_read() {
        let r = rules(
            "\u{FEFF}# hello\r\nUSER-AGENT: * # all\r\nDisalow: /a\r\ndisallow /b\r\nCrawl-delay: 4\r\nSitemap: https://x/s.xml\r\n",
        );
        assert!(!r.allowed("/a"));
        assert!(!r.allowed("/b/c"));
        assert_eq!(r.delay, Some(4.0));
        assert_eq!(r.sitemaps, ["https://x/s.xml"]);
    }

    #[test]
    fn delay_comes_from_our_groups_only_and_the_longest_wins() {
        let r = rules(
            "User-agent: *\nCrawl-delay: 60\n\nUser-agent: claimwatch\nCrawl-delay: 2\nCrawl-delay: 5\nCrawl-delay: -1\nCrawl-delay: NaN\n",
        );
        assert_eq!(r.delay, Some(5.0));
    }

    #[test]
    fn a_line_that_makes_no_sense_does_not_void_the_file() {
        let long = format!("Disallow: /{}$\n", "*(a".repeat(50_000));
        let r = rules(&format!(
            "User-agent: *\n{long}\u{0}\u{7f}garbage\nDisallow: /private\n"
        ));
        assert!(!r.allowed("/private"));
        assert!(r.allowed("/public"));
    }

    #[test]
    fn rules_before_any_user_agent_belong_to_no_group() {
        let r = rules("Disallow: /\nUser-agent: *\nDisallow: /x\n");
        assert!(r.allowed("/y"));
        assert!(!r.allowed("/x"));
    }
}
