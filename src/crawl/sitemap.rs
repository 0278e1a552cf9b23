//! sitemap.xml: the page URLs it lists, and the nested sitemaps of a sitemap index.

use std::sync::LazyLock;

use regex::Regex;

/// At most this many URLs are read from one sitemap (the protocol's own limit).
pub const MAX_SITEMAP_URLS: usize = 50_000;
/// Sitemap bodies beyond this are cut.
pub const MAX_SITEMAP_BYTES: u64 = 10 * 1024 * 1024;

static LOC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)<(?:[a-z0-9_-]+:)?loc>\s*(?:<!\[CDATA\[)?\s*(.*?)\s*(?:\]\]>)?\s*</(?:[a-z0-9_-]+:)?loc>")
        .expect("the loc pattern is a valid regex")
});

/// What a sitemap lists.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Sitemap {
    /// Page URLs (from a `<urlset>`).
    pub pages: Vec<String>,
    /// Nested sitemaps (from a `<sitemapindex>`).
    pub sitemaps: Vec<String>,
}

/// Reads the `<loc>` entries of a sitemap or sitemap index. Tolerant of namespaces, CDATA and
/// junk: a sitemap is a hint, never a reason to fail a crawl.
pub fn parse(text: &str) -> Sitemap {
    let locs = LOC
        .captures_iter(text)
        .filter_map(|c| c.get(1))
        .map(|m| unescape(m.as_str()))
        .filter(|s| !s.is_empty())
        .take(MAX_SITEMAP_URLS);
    let is_index = text.contains("<sitemapindex") || text.contains(":sitemapindex");
    let mut sitemap = Sitemap::default();
    if is_index {
        sitemap.sitemaps = locs.collect();
    } else {
        sitemap.pages = locs.collect();
    }
    sitemap
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlset_and_index() {
        let set = r#"<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <url><loc>http://a/x?p=1&amp;q=2</loc></url><url><loc> <![CDATA[http://a/y]]> </loc></url></urlset>"#;
        assert_eq!(parse(set).pages, ["http://a/x?p=1&q=2", "http://a/y"]);
        let index = r#"<sitemapindex><sitemap><loc>http://a/s1.xml</loc></sitemap></sitemapindex>"#;
        assert_eq!(parse(index).sitemaps, ["http://a/s1.xml"]);
        assert_eq!(parse("garbage <loc>"), Sitemap::default());
    }
}
