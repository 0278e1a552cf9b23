//! Bytes → text: BOM, then the Content-Type charset, then `<meta charset>` in the first KiB,
//! then detection (chardetng); the encoding used is recorded with where it came from.
//!
//! A declared UTF-8 that the bytes contradict (many Chinese and Russian sites serve GBK or
//! windows-1251 under a default `charset=utf-8`) falls back to detection, unless the body is
//! mostly valid UTF-8 with a few damaged sequences: guessing a legacy encoding for such a page
//! would turn all of its text into mojibake, and every claim on it would look removed.

use std::net::IpAddr;
use std::sync::LazyLock;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, GB18030, GBK, REPLACEMENT, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
use regex::bytes::Regex;

/// Where the encoding used to decode a body came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingSource {
    Bom,
    Header,
    Meta,
    Detected,
}

/// A decoded body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// The WHATWG name of the encoding used, e.g. "gb18030", "Big5", "windows-1251", "UTF-8".
    pub encoding: &'static str,
    pub source: EncodingSource,
    /// True when the bytes had sequences invalid in that encoding (replaced with U+FFFD).
    pub had_errors: bool,
}

/// How many leading bytes the `<meta charset>` prescan looks at (as browsers do).
pub const META_PRESCAN_BYTES: usize = 1024;

/// How many leading bytes detection reads. More than the 64 KiB one might expect: pages often
/// open with tens of KiB of ASCII-only inline script and CSS, and on ASCII alone chardetng can
/// only return the TLD's default.
pub const DETECT_BYTES: usize = 1 << 20;

/// Decodes a response body. `content_type` is the raw Content-Type header value; `host` is the
/// URL's host, used only as a hint for detection.
pub fn decode(body: &[u8], content_type: Option<&str>, host: Option<&str>) -> Decoded {
    if let Some((encoding, bom_len)) = Encoding::for_bom(body) {
        return decode_with(encoding, &body[bom_len..], EncodingSource::Bom);
    }

    let declared = content_type
        .and_then(header_charset)
        .map(|e| (e, EncodingSource::Header))
        .or_else(|| meta_charset(body).map(|e| (e, EncodingSource::Meta)));

    match declared {
        Some((encoding, source)) if encoding == UTF_8 => {
            let decoded = decode_with(UTF_8, body, source);
            if !decoded.had_errors || mostly_valid_utf8(&decoded.text) {
                decoded
            } else {
                decode_with(detect(body, host), body, EncodingSource::Detected)
            }
        }
        Some((encoding, source)) => decode_with(encoding, body, source),
        None => decode_with(detect(body, host), body, EncodingSource::Detected),
    }
}

fn decode_with(encoding: &'static Encoding, bytes: &[u8], source: EncodingSource) -> Decoded {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: encoding.name(),
        source,
        had_errors,
    }
}

/// Resolves a label the way this crate wants: GBK is decoded as its superset GB18030 (a GBK
/// decoder rejects the four-byte sequences real "gb2312" pages contain), and the "replacement"
/// encoding, which would turn the whole page into one U+FFFD, counts as unknown.
fn resolve_label(label: &[u8]) -> Option<&'static Encoding> {
    match Encoding::for_label(label)? {
        e if e == GBK => Some(GB18030),
        e if e == REPLACEMENT => None,
        e => Some(e),
    }
}

/// The encoding named by the `charset` parameter of a Content-Type value, if it is known.
pub fn header_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        resolve_label(value.as_bytes())
    })
}

/// Matches both `<meta charset=x>` and `<meta http-equiv=... content="...; charset=x">`: in
/// either form the label follows `charset=` inside the meta tag.
static META_CHARSET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i-u)<meta[\s/][^>]*?charset\s*=\s*["']?\s*([^"'\s;/>]+)"#)
        .expect("the pattern is a valid literal")
});

static COMMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s-u)<!--.*?-->").expect("the pattern is a valid literal"));

/// The encoding declared by the first `<meta>` in the first KiB whose label is known.
pub fn meta_charset(body: &[u8]) -> Option<&'static Encoding> {
    let head = &body[..body.len().min(META_PRESCAN_BYTES)];
    // A commented-out meta is a common leftover of template edits; browsers ignore it too.
    let head = COMMENT.replace_all(head, &b""[..]);
    META_CHARSET.captures_iter(&head).find_map(|caps| {
        let encoding = resolve_label(caps.get(1)?.as_bytes())?;
        // WHATWG: a meta can't truthfully declare UTF-16 (the prescan itself read ASCII), and
        // x-user-defined is windows-1252 when it comes from a meta.
        Some(if encoding == UTF_16LE || encoding == UTF_16BE {
            UTF_8
        } else if encoding == encoding_rs::X_USER_DEFINED {
            WINDOWS_1252
        } else {
            encoding
        })
    })
}

/// True when the valid non-ASCII characters outnumber the replacement characters: damaged
/// UTF-8 rather than a legacy encoding, whose bytes mostly fail to decode as UTF-8.
fn mostly_valid_utf8(text: &str) -> bool {
    let (mut valid, mut replaced) = (0usize, 0usize);
    for c in text.chars().filter(|c| !c.is_ascii()) {
        if c == char::REPLACEMENT_CHARACTER {
            replaced += 1;
        } else {
            valid += 1;
        }
    }
    valid > replaced
}

fn detect(body: &[u8], host: Option<&str>) -> &'static Encoding {
    let sample = &body[..body.len().min(DETECT_BYTES)];
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(sample, sample.len() == body.len());
    let tld = host.and_then(tld_hint);
    let guessed = detector.guess(tld.as_deref().map(str::as_bytes), Utf8Detection::Allow);
    if guessed == GBK { GB18030 } else { guessed }
}

/// The host's last label, lower-cased, as a chardetng TLD hint. chardetng panics on a hint
/// with upper case, a period or non-ASCII, so only `[a-z0-9-]` labels with a letter pass;
/// punycode TLDs (`xn--fiqs8s`, .中国) are meaningful to it and pass too.
pub fn tld_hint(host: &str) -> Option<String> {
    let host = host.trim().trim_end_matches('.');
    if host.starts_with('[') || host.parse::<IpAddr>().is_ok() {
        return None;
    }
    let label = host.rsplit('.').next()?.to_ascii_lowercase();
    let allowed = label
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let has_letter = label.bytes().any(|b| b.is_ascii_lowercase());
    (allowed && has_letter).then_some(label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{BIG5, SHIFT_JIS, WINDOWS_1251};

    const ZH: &str =
        "深圳市军工电子有限公司，军用元器件授权代理商。我们为国防工业提供可靠的产品和服务。";
    const TW: &str = "台灣軍工電子 國防 授權代理。我們為國防工業提供可靠的產品與服務。";
    const RU: &str =
        "Официальный дистрибьютор, оборонной промышленности. Мы поставляем надёжные компоненты.";
    const JA: &str = "防衛産業向けの電子部品の正規代理店です。高品質な製品を提供します。";

    fn page(meta: &str, sentence: &str) -> String {
        let body = format!("<p>{sentence}</p>\n").repeat(6);
        format!(
            "<!DOCTYPE html><html><head>{meta}<title>t</title></head><body>{body}</body></html>"
        )
    }

    fn encode(encoding: &'static Encoding, text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(
            !unmappable,
            "test text must be representable in {}",
            encoding.name()
        );
        bytes.into_owned()
    }

    #[test]
    fn gbk_labelled_in_header() {
        let html = page("", ZH);
        let d = decode(
            &encode(GB18030, &html),
            Some("text/html; charset=gbk"),
            None,
        );
        assert_eq!(d.text, html);
        assert_eq!(
            (d.encoding, d.source, d.had_errors),
            ("gb18030", EncodingSource::Header, false)
        );
    }

    #[test]
    fn header_charset_quoted_and_case_insensitive() {
        let html = page("", ZH);
        let bytes = encode(GB18030, &html);
        for ct in [
            "text/html;charset=\"GB2312\"",
            "text/html; CHARSET = 'gbk' ",
            "text/html; foo=bar; Charset=GB_2312-80",
        ] {
            let d = decode(&bytes, Some(ct), None);
            assert_eq!(d.text, html, "{ct}");
            assert_eq!(
                (d.encoding, d.source),
                ("gb18030", EncodingSource::Header),
                "{ct}"
            );
        }
    }

    #[test]
    fn gbk_with_only_meta() {
        let html = page(r#"<meta charset="gb2312">"#, ZH);
        let d = decode(
            &encode(GB18030, &html),
            Some("text/html"),
            Some("example.com"),
        );
        assert_eq!(d.text, html);
        assert_eq!((d.encoding, d.source), ("gb18030", EncodingSource::Meta));
    }

    #[test]
    fn http_equiv_meta() {
        let html = page(
            r#"<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=GBK">"#,
            ZH,
        );
        let d = decode(&encode(GB18030, &html), None, None);
        assert_eq!(d.text, html);
        assert_eq!((d.encoding, d.source), ("gb18030", EncodingSource::Meta));
    }

    #[test]
    fn gbk_detected_without_label() {
        let html = page("", ZH);
        let d = decode(&encode(GB18030, &html), None, Some("example.cn"));
        assert_eq!(d.text, html);
        assert_eq!(
            (d.encoding, d.source, d.had_errors),
            ("gb18030", EncodingSource::Detected, false)
        );
    }

    #[test]
    fn big5_meta_and_detected() {
        let html = page(r#"<meta charset="big5">"#, TW);
        let d = decode(&encode(BIG5, &html), None, None);
        assert_eq!(d.text, html);
        assert_eq!((d.encoding, d.source), ("Big5", EncodingSource::Meta));

        let html = page("", TW);
        let d = decode(&encode(BIG5, &html), None, Some("example.tw"));
        assert_eq!(d.text, html);
        assert_eq!((d.encoding, d.source), ("Big5", EncodingSource::Detected));
    }

    #[test]
    fn windows_1251_header_and_detected() {
        let html = page("", RU);
        let bytes = encode(WINDOWS_1251, &html);
        let d = decode(&bytes, Some("text/html; charset=windows-1251"), None);
        assert_eq!(d.text, html);
        assert_eq!(
            (d.encoding, d.source),
            ("windows-1251", EncodingSource::Header)
        );

        let d = decode(&bytes, None, Some("example.ru"));
        assert_eq!(d.text, html);
        assert_eq!(
            (d.encoding, d.source),
            ("windows-1251", EncodingSource::Detected)
        );
    }

    #[test]
    fn shift_jis_meta() {
        let html = page(
            r#"<meta http-equiv="content-type" content="text/html;charset=Shift_JIS">"#,
            JA,
        );
        let d = decode(&encode(SHIFT_JIS, &html), None, None);
        assert_eq!(d.text, html);
        assert_eq!((d.encoding, d.source), ("Shift_JIS", EncodingSource::Meta));
    }

    #[test]
    fn utf8_bom_overrides_wrong_header() {
        let html = page("", RU);
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(html.as_bytes());
        let d = decode(&bytes, Some("text/html; charset=windows-1251"), None);
        assert_eq!(d.text, html);
        assert_eq!((d.encoding, d.source), ("UTF-8", EncodingSource::Bom));
    }

    #[test]
    fn utf16le_bom() {
        let html = page("", ZH);
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(html.encode_utf16().flat_map(u16::to_le_bytes));
        let d = decode(&bytes, Some("text/html; charset=utf-8"), None);
        assert_eq!(d.text, html);
        assert_eq!(
            (d.encoding, d.source, d.had_errors),
            ("UTF-16LE", EncodingSource::Bom, false)
        );
    }

    #[test]
    fn utf16be_bom() {
        let html = page("", RU);
        let mut bytes = vec![0xFE, 0xFF];
        bytes.extend(html.encode_utf16().flat_map(u16::to_be_bytes));
        let d = decode(&bytes, None, None);
        assert_eq!(d.text, html);
        assert_eq!((d.encoding, d.source), ("UTF-16BE", EncodingSource::Bom));
    }

    #[test]
    fn meta_utf16_means_utf8() {
        let html = page(r#"<meta charset="utf-16">"#, ZH);
        let d = decode(html.as_bytes(), None, None);
        assert_eq!(d.text, html);
        assert_eq!((d.encoding, d.source), ("UTF-8", EncodingSource::Meta));
    }

    #[test]
    fn unknown_labels_fall_through() {
        let html = page(
            r#"<meta charset="no-such-thing"><meta charset="windows-1251">"#,
            RU,
        );
        let bytes = encode(WINDOWS_1251, &html);
        let d = decode(&bytes, Some("text/html; charset=bogus"), None);
        assert_eq!(d.text, html);
        assert_eq!(
            (d.encoding, d.source),
            ("windows-1251", EncodingSource::Meta)
        );

        // "replacement" labels would decode to a single U+FFFD.
        let d = decode(
            &bytes,
            Some("text/html; charset=iso-2022-kr"),
            Some("example.ru"),
        );
        assert_eq!(d.text, html);
        assert_eq!(d.source, EncodingSource::Meta);
    }

    #[test]
    fn commented_out_meta_is_ignored() {
        let html = page(r#"<!-- <meta charset="big5"> --><meta charset="gbk">"#, ZH);
        let d = decode(&encode(GB18030, &html), None, None);
        assert_eq!(d.text, html);
        assert_eq!((d.encoding, d.source), ("gb18030", EncodingSource::Meta));
    }

    #[test]
    fn meta_beyond_first_kib_is_not_seen() {
        let filler = format!("<!-- {} -->", "x".repeat(1100));
        let html = page(&format!("{filler}<meta charset=\"windows-1251\">"), RU);
        let d = decode(&encode(WINDOWS_1251, &html), None, Some("example.ru"));
        assert_eq!(d.source, EncodingSource::Detected);
        assert_eq!(d.text, html);
    }

    #[test]
    fn gbk_under_utf8_header_falls_back_to_detection() {
        let html = page("", ZH);
        let d = decode(
            &encode(GB18030, &html),
            Some("text/html; charset=utf-8"),
            Some("example.cn"),
        );
        assert_eq!(d.text, html);
        assert_eq!(
            (d.encoding, d.source, d.had_errors),
            ("gb18030", EncodingSource::Detected, false)
        );
    }

    #[test]
    fn windows_1251_under_utf8_meta_falls_back_to_detection() {
        let html = page(r#"<meta charset="utf-8">"#, RU);
        let d = decode(&encode(WINDOWS_1251, &html), None, Some("example.ru"));
        assert_eq!(d.text, html);
        assert_eq!(
            (d.encoding, d.source),
            ("windows-1251", EncodingSource::Detected)
        );
    }

    #[test]
    fn damaged_utf8_stays_utf8() {
        let html = page("", ZH);
        let mut bytes = html.clone().into_bytes();
        bytes.splice(10..10, [0xFF, 0xC3]);
        let d = decode(
            &bytes,
            Some("text/html; charset=utf-8"),
            Some("example.com"),
        );
        assert_eq!(
            (d.encoding, d.source, d.had_errors),
            ("UTF-8", EncodingSource::Header, true)
        );
        assert!(d.text.contains(ZH));
    }

    #[test]
    fn invalid_utf8_under_utf8_header_does_not_panic() {
        let bytes: Vec<u8> = (0u8..=255).cycle().take(5000).collect();
        let d = decode(
            &bytes,
            Some("text/html; charset=utf-8"),
            Some("example.com"),
        );
        assert!(d.had_errors || d.source == EncodingSource::Detected);
        for garbage in [
            &b"\xFF\xFE"[..],
            b"\xFE",
            b"",
            b"\xEF\xBB",
            b"<meta charset=",
            b"<meta charset=\"\xFF\">",
        ] {
            let _ = decode(garbage, Some("text/html; charset=utf-8"), None);
            let _ = decode(garbage, Some(";;charset"), Some(""));
            let _ = decode(garbage, None, None);
        }
    }

    #[test]
    fn odd_hosts_do_not_panic() {
        let html = page("", ZH);
        let bytes = encode(GB18030, &html);
        for host in [
            "EXAMPLE.CN",
            "127.0.0.1",
            "xn--fiqs8s",
            "",
            ".",
            "example.cn.",
            "[::1]",
            "::1",
            "例子.中国",
            "exa_mple.c_n",
            "EXAMPLE.Cn",
        ] {
            let d = decode(&bytes, None, Some(host));
            assert_eq!(d.source, EncodingSource::Detected, "{host}");
        }
        let d = decode(&bytes, None, Some("EXAMPLE.CN"));
        assert_eq!(d.text, html);
    }

    #[test]
    fn tld_hints() {
        assert_eq!(tld_hint("EXAMPLE.CN").as_deref(), Some("cn"));
        assert_eq!(tld_hint("example.cn.").as_deref(), Some("cn"));
        assert_eq!(tld_hint("shop.xn--fiqs8s").as_deref(), Some("xn--fiqs8s"));
        assert_eq!(tld_hint("127.0.0.1"), None);
        assert_eq!(tld_hint("[::1]"), None);
        assert_eq!(tld_hint(""), None);
        assert_eq!(tld_hint("例子.中国"), None);
    }

    #[test]
    fn ascii_only_body_decodes() {
        let d = decode(
            b"<html><body>Hello</body></html>",
            None,
            Some("example.com"),
        );
        assert_eq!(d.text, "<html><body>Hello</body></html>");
        assert!(!d.had_errors);
        assert_eq!(d.source, EncodingSource::Detected);
    }
}
