//! Anti-bot and challenge pages: a 200 that is not the company's page. Recording one as a good
//! capture would make every claim on the real page look removed.

/// Challenge and block pages are small; a marker on a larger page is a mention.
const SMALL_PAGE_BYTES: usize = 48 * 1024;

/// Why a response looks like a challenge or block page rather than the site's own content.
pub fn detect(headers: &[(String, String)], body: &str) -> Option<&'static str> {
    by_headers(headers).or_else(|| by_body(body))
}

/// What the response's headers alone say: a CDN marks its challenges.
pub fn by_headers(headers: &[(String, String)]) -> Option<&'static str> {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    if header("cf-mitigated").is_some_and(|v| v.contains("challenge")) {
        return Some("Cloudflare challenge (cf-mitigated)");
    }
    if header("x-amzn-waf-action").is_some_and(|v| v.contains("captcha") || v.contains("challenge"))
    {
        return Some("AWS WAF challenge");
    }
    None
}

/// What the page's text says: the markers of challenge and block pages.
fn by_body(body: &str) -> Option<&'static str> {
    // Markers only count on small pages: a real page may mention a captcha in passing.
    if body.len() > SMALL_PAGE_BYTES {
        return None;
    }
    let head = body.to_lowercase();
    const MARKERS: &[(&str, &str)] = &[
        ("<title>just a moment", "Cloudflare \"Just a moment\" page"),
        ("cf-browser-verification", "Cloudflare browser check"),
        ("challenges.cloudflare.com", "Cloudflare challenge"),
        ("_cf_chl_opt", "Cloudflare challenge"),
        ("attention required! | cloudflare", "Cloudflare block page"),
        ("awswafintegration", "AWS WAF challenge"),
        ("aws-waf-token", "AWS WAF challenge"),
        (
            "<title>access denied</title>",
            "access denied page (Akamai or similar)",
        ),
        ("errors.edgesuite.net", "Akamai block page"),
        ("ddos-guard", "DDoS-Guard check"),
        ("/_incapsula_resource", "Imperva/Incapsula challenge"),
        ("g-recaptcha", "captcha wall"),
        ("h-captcha", "captcha wall"),
        ("cf-turnstile", "captcha wall"),
        ("geetest", "captcha wall"),
        ("滑动验证", "captcha wall"),
        ("安全验证", "captcha wall"),
    ];
    MARKERS
        .iter()
        .find(|(marker, _)| head.contains(marker))
        .map(|(_, why)| *why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_challenges_are_detected() {
        let cf = "<html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>";
        assert!(detect(&[], cf).is_some());
        let header = vec![("cf-mitigated".to_string(), "challenge".to_string())];
        assert!(detect(&header, "<html></html>").is_some());
        let captcha =
            "<html><body><div class=\"g-recaptcha\" data-sitekey=\"x\"></div></body></html>";
        assert!(detect(&[], captcha).is_some());
    }

    #[test]
    fn ordinary_pages_pass() {
        let page = "<html><head><title>About us</title></head><body><p>We distribute parts.</p></body></html>";
        assert_eq!(detect(&[], page), None);
    }
}
