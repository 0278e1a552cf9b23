//! Websites and email domains as lists write them (`www.example.com`, `Website
//! http://example.com/en;`, `Email Address info@example.com`), made into seeds and hosts.

use std::sync::LazyLock;

use regex::Regex;
use url::{Host, Url};

/// A site as a list gives it, made a seed: a scheme-less host becomes `http://host/`, since
/// nearly every server answers http (redirecting to https where it has it), while many of the
/// small sites lists name have no https at all. `None` for anything that is not a web address.
pub fn site_url(text: &str) -> Option<Url> {
    // Punctuation around an address in prose: "(www.example.com).", "<http://…>;".
    let token = text.trim_matches(|c: char| c.is_whitespace() || "\"'<>()[],;.".contains(c));
    if token.is_empty() || token.contains('@') || token.contains(char::is_whitespace) {
        return None;
    }
    let lower = token.to_ascii_lowercase();
    let with_scheme = if lower.starts_with("http://") || lower.starts_with("https://") {
        token.to_string()
    } else if token.contains("://") {
        return None;
    } else {
        format!("http://{token}")
    };
    let mut url = Url::parse(&with_scheme).ok()?;
    url.set_fragment(None);
    match url.host()? {
        Host::Domain(domain) if looks_like_a_domain(domain) => Some(url),
        _ => None,
    }
}

/// A public domain name: dotted, with an alphabetic top-level label.
fn looks_like_a_domain(domain: &str) -> bool {
    let Some((rest, tld)) = domain.rsplit_once('.') else {
        return false;
    };
    !rest.is_empty()
        && tld.len() >= 2
        && (tld.bytes().all(|b| b.is_ascii_alphabetic()) || tld.starts_with("xn--"))
}

/// The sites named after "Website" in free text such as OFAC remarks or CSL ids: every web
/// address up to the next `;`.
pub fn websites_in(text: &str) -> Vec<Url> {
    static KEYWORD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\bweb ?sites?\b[\s:,\-]*").expect("a valid regex literal")
    });
    let mut sites = Vec::new();
    for found in KEYWORD.find_iter(text) {
        let rest = &text[found.end()..];
        let entry = rest.split(';').next().unwrap_or_default();
        for token in entry.split(|c: char| c.is_whitespace() || c == ',') {
            if let Some(url) = site_url(token)
                && !sites.contains(&url)
            {
                sites.push(url);
            }
        }
    }
    sites
}

/// The domains of the email addresses in `text`, lower-case, in order, without repeats.
pub fn email_domains_in(text: &str) -> Vec<String> {
    static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"[A-Za-z0-9._%+\-]+@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)")
            .expect("a valid regex literal")
    });
    let mut domains = Vec::new();
    for found in EMAIL.captures_iter(text) {
        let domain = found[1].trim_end_matches('.').to_ascii_lowercase();
        if looks_like_a_domain(&domain) && !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    domains
}

/// Mail providers anyone can sign up with: their domain says nothing about the company, so it
/// is never offered as a seed. The biggest in the regions lists cover; a miss only costs a
/// commented-out line.
const FREE_MAIL: &[&str] = &[
    "126.com",
    "139.com",
    "163.com",
    "aliyun.com",
    "aol.com",
    "bk.ru",
    "foxmail.com",
    "gmail.com",
    "gmx.com",
    "gmx.de",
    "googlemail.com",
    "hanmail.net",
    "hotmail.com",
    "icloud.com",
    "inbox.ru",
    "list.ru",
    "live.com",
    "mail.ru",
    "msn.com",
    "naver.com",
    "outlook.com",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "rambler.ru",
    "sina.cn",
    "sina.com",
    "sohu.com",
    "web.de",
    "ya.ru",
    "yahoo.com",
    "yandex.com",
    "yandex.ru",
    "yeah.net",
];

/// Is this an email domain worth offering as a seed?
pub fn is_company_mail_domain(domain: &str) -> bool {
    !FREE_MAIL.contains(&domain) && !domain.starts_with("yahoo.")
}

/// A host compared across files: lower-case, without a leading `www.` or trailing dot, since
/// `www.example.com` and `example.com` are one site to the crawler's scope.
pub fn site_host(host: &str) -> String {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    match host.strip_prefix("www.") {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(found: Vec<Url>) -> Vec<String> {
        found.into_iter().map(String::from).collect()
    }

    #[test]
    fn sites_as_lists_write_them() {
        let site = |t: &str| site_url(t).map(String::from);
        assert_eq!(
            site("www.Acme.example").as_deref(),
            Some("http://www.acme.example/")
        );
        assert_eq!(
            site("https://acme.example/en/#top").as_deref(),
            Some("https://acme.example/en/")
        );
        assert_eq!(
            site("(acme.example).").as_deref(),
            Some("http://acme.example/")
        );
        for not_a_site in [
            "",
            "info@acme.example",
            "ftp://acme.example",
            "localhost",
            "1.2.3.4",
            "n/a",
            "acme",
        ] {
            assert_eq!(site(not_a_site), None, "{not_a_site:?}");
        }
    }

    #[test]
    fn websites_in_remarks_and_ids() {
        let remarks = "Additional Sanctions Information - Subject to Secondary Sanctions; Website \
                       www.acme.example; Email Address sales@acme-mail.example; alt. Website \
                       http://acme.example.cn/en/, acme-parts.example; Organization Type - \
                       Wholesale of electronic parts.";
        assert_eq!(
            urls(websites_in(remarks)),
            [
                "http://www.acme.example/",
                "http://acme.example.cn/en/",
                "http://acme-parts.example/"
            ]
        );
        assert_eq!(
            urls(websites_in(
                "Website, https://www.b.example; Registration ID, 1234, CN"
            )),
            ["https://www.b.example/"]
        );
        assert!(websites_in("Organization Established Date 2001").is_empty());
    }

    #[test]
    fn email_domains() {
        assert_eq!(
            email_domains_in("Email Address SALES@Acme-Mail.example; alt. Email a.b+c@163.com."),
            ["acme-mail.example", "163.com"]
        );
        assert!(is_company_mail_domain("acme-mail.example"));
        assert!(!is_company_mail_domain("163.com"));
        assert!(!is_company_mail_domain("yahoo.co.jp"));
    }

    #[test]
    fn hosts_compare_without_www() {
        assert_eq!(site_host("WWW.Acme.example."), "acme.example");
        assert_eq!(site_host("shop.acme.example"), "shop.acme.example");
        assert_eq!(site_host("www"), "www");
    }
}
