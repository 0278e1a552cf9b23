//! Canonical URLs, so noise in links (fragments, tracking and session parameters, default ports,
//! host case) never multiplies pages.

use url::Url;

/// Query parameters that identify a visitor or a campaign, never a page.
const DROPPED_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
    "jsessionid",
    "phpsessid",
    "sid",
    "sessionid",
    "session_id",
    "cfid",
    "cftoken",
    "aspsessionid",
    "zanpid",
    "spm",
];

fn is_dropped(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("utm_")
        || name.starts_with("aspsessionid")
        || DROPPED_PARAMS.contains(&name.as_str())
}

/// Canonicalises an http(s) URL; `None` for other schemes or URLs without a host.
///
/// Lower-case host and dropped default port come from `url`'s own normalisation; this drops the
/// fragment, tracking and session parameters (keeping the order of the rest) and `;jsessionid=`
/// path parameters.
pub fn canonicalize(url: &Url) -> Option<Url> {
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    let mut url = url.clone();
    url.set_fragment(None);
    let path = url.path();
    if let Some(pos) = path.to_ascii_lowercase().find(";jsessionid=") {
        let trimmed = path[..pos].to_string();
        url.set_path(&trimmed);
    }
    if url.query().is_some() {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(name, _)| !is_dropped(name))
            .map(|(n, v)| (n.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    Some(url)
}

/// Parses and canonicalises a URL string.
pub fn canonical_str(text: &str) -> Option<Url> {
    Url::parse(text).ok().and_then(|u| canonicalize(&u))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        canonical_str(s).map(|u| u.to_string()).unwrap_or_default()
    }

    #[test]
    fn noise_is_removed_and_order_kept() {
        assert_eq!(
            canon("HTTP://WWW.Example.COM:80/a/b?z=1&utm_source=x&a=2&fbclid=abc#top"),
            "http://www.example.com/a/b?z=1&a=2"
        );
        assert_eq!(
            canon("https://example.com:443/?PHPSESSID=1&sid=2"),
            "https://example.com/"
        );
        assert_eq!(
            canon("https://example.com/p;jsessionid=ABC123?id=7"),
            "https://example.com/p?id=7"
        );
        assert_eq!(
            canon("https://example.com:8443/x"),
            "https://example.com:8443/x"
        );
    }

    #[test]
    fn other_schemes_are_not_pages() {
        assert_eq!(canon("mailto:a@example.com"), "");
        assert_eq!(canon("ftp://example.com/x"), "");
    }
}
