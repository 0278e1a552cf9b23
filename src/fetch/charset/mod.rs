//! Bytes → text: BOM, then the Content-Type charset, then `<meta charset>` in the first KiB,
//! then detection (chardetng); the encoding used is recorded with the rule that chose it.
//!
//! A declaration and the top-level domain are hypotheses, not verdicts; the bytes are evidence:
//! - a declared UTF-8 that the bytes contradict (many Chinese and Russian sites serve GBK or
//!   windows-1251 under a default `charset=utf-8`) falls back to detection, unless the body is
//!   mostly valid UTF-8 with a few damaged sequences: guessing a legacy encoding for such a page
//!   would turn all of its text into mojibake, and every claim on it would look removed;
//! - a declared legacy charset loses to UTF-8 when the bytes are valid UTF-8 with non-ASCII text
//!   in them (a template's leftover `<meta charset=gb2312>`), and to detection when its decode
//!   has replacement characters that detection's has not, reads as less plausible text (Cyrillic
//!   or Chinese bytes under a server's default iso-8859-1, KOI8-R under windows-1251), or is one
//!   CJK encoding where detection finds another (Big5 under a `gb2312` label decodes without an
//!   error); a clean CJK decode of a few bytes stands against a single-byte rival, and a tie
//!   keeps the declaration;
//! - detection guesses with and without the domain's prior (chardetng drops encodings foreign
//!   to a `.ru` or `.tw` domain); when the two differ, the decode that reads as more plausible
//!   text wins (`plausibility`), and between two CJK encodings (Chinese, Japanese, Korean), or
//!   two decodes that read as well, the guess without the prior, which chardetng bases on
//!   character frequencies alone;
//! - detection knows no Mac Cyrillic, among Latin single-byte encodings windows-1252 is by far
//!   the most common, and detection reads Hungarian as windows-1252: each of Mac Cyrillic,
//!   windows-1252 and windows-1250 is tried against the guess and taken when it reads better.
//!   Between Latin decodes, which all make words, reading better means letters of one
//!   language's alphabet (`alphabets`).

use std::net::IpAddr;
use std::sync::LazyLock;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{
    BIG5, Encoding, GB18030, GBK, REPLACEMENT, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1250,
    WINDOWS_1252, X_MAC_CYRILLIC,
};
use regex::bytes::Regex;

mod alphabets;
mod plausibility;

/// Which rule chose the encoding a body was decoded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingSource {
    Bom,
    Header,
    Meta,
    /// Detection, with the domain's prior agreeing or absent.
    Detected,
    /// The bytes are valid UTF-8 with non-ASCII text, whatever the page declared.
    ValidUtf8,
    /// Detection overruled the declared charset: its decode had replacement characters, read
    /// as less plausible text, or was one CJK encoding where detection found another.
    DeclarationContradicted,
    /// Detection without the domain's prior won: its text read at least as well as with the
    /// prior, or both guesses were CJK encodings, between which character frequencies decide.
    EvidenceOverDomain,
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
                let (detected, _) = detect(body, host);
                decode_with(detected, body, EncodingSource::DeclarationContradicted)
            }
        }
        Some(_) if is_valid_utf8_text(body) => decode_with(UTF_8, body, EncodingSource::ValidUtf8),
        Some((encoding, source)) => {
            let decoded = decode_with(encoding, body, source);
            if !decoded.had_errors && !worth_doubting(encoding, &decoded.text) {
                return decoded;
            }
            let (detected, _) = detect(body, host);
            if detected == encoding {
                return decoded;
            }
            let other = decode_with(detected, body, EncodingSource::DeclarationContradicted);
            // A clean CJK decode has passed its encoding's multi-byte grammar, which a
            // single-byte reading of a few bytes (an 8-byte Japanese title read as Mac
            // Cyrillic) cannot outweigh, unless the CJK reading itself is implausible
            // (German umlauts under a gb2312 label: "geh鰎t").
            let decoded_score = scored(&decoded.text);
            let evidence_enough = !is_cjk_multi_byte(encoding)
                || decoded_score < 0
                || non_ascii_bytes(&body[..body.len().min(SCORE_BYTES)]) >= WEAK_EVIDENCE_BYTES;
            let take_other = !other.had_errors
                && (decoded.had_errors
                    || is_cjk_multi_byte(encoding) && is_cjk_multi_byte(detected)
                    || evidence_enough && scored(&other.text) > decoded_score);
            if take_other { other } else { decoded }
        }
        // Most pages that declare nothing are UTF-8, and chardetng, which reads every byte with
        // every candidate, would only confirm it: valid UTF-8 with non-ASCII text is UTF-8.
        None if is_valid_utf8_text(body) => decode_with(UTF_8, body, EncodingSource::Detected),
        None => {
            // ASCII reads the same in every candidate, so only the domain's default is left to
            // choose, and detection needs none of the bytes to choose it; unless it has escape
            // bytes, which may be ISO-2022-JP's (seven-bit Japanese).
            let evidence = if body.is_ascii() && !body.contains(&0x1B) {
                &[][..]
            } else {
                body
            };
            let (detected, source) = detect(evidence, host);
            decode_with(detected, body, source)
        }
    }
}

/// Whether a clean decode under a declared legacy charset still needs detection's opinion:
/// a CJK label (gb2312 on Big5 bytes) decodes another CJK encoding without an error, as rare
/// ideographs plausibility cannot fault, and a single-byte label (a server's default
/// iso-8859-1) decodes anything without an error, seven-bit ISO-2022-JP too, as ASCII with
/// escape characters. Only legacy-labelled pages with non-ASCII bytes or escapes pay for a
/// detection pass.
fn worth_doubting(encoding: &'static Encoding, text: &str) -> bool {
    is_cjk_multi_byte(encoding)
        || encoding.is_single_byte() && (!text.is_ascii() || text.contains('\u{1B}'))
}

/// The plausibility of the start of a decoded text, as much as detection scores.
fn scored(text: &str) -> i64 {
    plausibility::plausibility(&text[..text.floor_char_boundary(SCORE_BYTES)])
}

/// Valid UTF-8 with at least one multi-byte sequence: legacy encodings almost never produce
/// that by chance in text of any length.
fn is_valid_utf8_text(body: &[u8]) -> bool {
    !body.is_ascii() && std::str::from_utf8(body).is_ok()
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

/// Detection: chardetng's guess with and without the domain's prior, settled by the evidence.
fn detect(body: &[u8], host: Option<&str>) -> (&'static Encoding, EncodingSource) {
    let sample = &body[..body.len().min(DETECT_BYTES)];
    // Browsers deny ISO-2022-JP detection because its escapes can hide markup from filters;
    // nothing here renders a page, and Japanese mail-era pages still use it.
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Allow);
    detector.feed(sample, sample.len() == body.len());
    let guess = |tld: Option<&str>| {
        let guessed = detector.guess(tld.map(str::as_bytes), Utf8Detection::Allow);
        if guessed == GBK { GB18030 } else { guessed }
    };
    let scored = &sample[..sample.len().min(SCORE_BYTES)];
    let score = |encoding: &'static Encoding| {
        plausibility::plausibility(&encoding.decode_without_bom_handling(scored).0)
    };
    let generic = best_single_byte(guess(None), scored, &score);
    let tld = host.and_then(tld_hint);
    let hinted = match tld.as_deref() {
        Some(tld) => best_single_byte(guess(Some(tld)), scored, &score),
        None => generic,
    };
    // Between two CJK multi-byte encodings plausibility cannot choose (a wrong decode is still
    // a run of valid, if rare, ideographs), but chardetng's guess without the prior rests on
    // character frequencies alone. Otherwise a tie goes to the guess without the prior too: the
    // prior only removes the encodings foreign to the domain, and a page in Hebrew read as
    // Cyrillic under `.ru`, or in Hungarian as windows-1252, reads as cleanly as the truth.
    if hinted == generic {
        return (generic, EncodingSource::Detected);
    }
    let hinted_score = score(hinted);
    // Within a hundredth is a tie: one odd character in a long text is not evidence.
    if is_cjk_multi_byte(hinted) && is_cjk_multi_byte(generic)
        || score(generic) >= hinted_score - hinted_score.abs() / 100
    {
        (generic, EncodingSource::EvidenceOverDomain)
    } else {
        (hinted, EncodingSource::Detected)
    }
}

/// How many bytes of the sample plausibility reads: enough words to tell encodings apart.
const SCORE_BYTES: usize = 64 * 1024;

/// A single-byte guess, or Mac Cyrillic, windows-1252 or windows-1250 when they read better:
/// detection knows no Mac Cyrillic; among Latin encodings windows-1252 is by far the most
/// common, and detection reads Hungarian as windows-1252 (only ő and ű tell them apart, which
/// the alphabets in `plausibility` do), so both are worth a try when the guess is another
/// Latin encoding or a few bytes are all the evidence there is.
fn best_single_byte(
    guessed: &'static Encoding,
    sample: &[u8],
    score: &dyn Fn(&'static Encoding) -> i64,
) -> &'static Encoding {
    if !guessed.is_single_byte() {
        return guessed;
    }
    let latin_too = is_latin(guessed) || non_ascii_bytes(sample) < WEAK_EVIDENCE_BYTES;
    let guessed_score = score(guessed);
    // Mac Cyrillic must read clearly better than a guess of another script: Hebrew or Greek
    // read as Mac Cyrillic's capitals can score a point above the truth.
    let margin = |e: &'static Encoding| {
        if e == X_MAC_CYRILLIC && !is_cyrillic(guessed) {
            guessed_score.abs() / 8 + 2
        } else {
            0
        }
    };
    [X_MAC_CYRILLIC, WINDOWS_1252, WINDOWS_1250]
        .into_iter()
        .filter(|e| *e != guessed && (*e == X_MAC_CYRILLIC || latin_too))
        .map(|e| (score(e), e))
        .filter(|(s, e)| *s > guessed_score + margin(e))
        .max_by_key(|(s, _)| *s)
        .map_or(guessed, |(_, e)| e)
}

/// The multi-byte encodings of Chinese, Japanese and Korean.
fn is_cjk_multi_byte(encoding: &'static Encoding) -> bool {
    [
        GB18030,
        BIG5,
        encoding_rs::SHIFT_JIS,
        encoding_rs::EUC_JP,
        encoding_rs::EUC_KR,
        encoding_rs::ISO_2022_JP,
    ]
    .contains(&encoding)
}

/// Fewer non-ASCII bytes than this is weak evidence for any single-byte encoding.
const WEAK_EVIDENCE_BYTES: usize = 16;

fn non_ascii_bytes(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| !b.is_ascii()).count()
}

/// The single-byte encodings of Cyrillic.
fn is_cyrillic(encoding: &'static Encoding) -> bool {
    [
        encoding_rs::WINDOWS_1251,
        encoding_rs::KOI8_R,
        encoding_rs::KOI8_U,
        encoding_rs::ISO_8859_5,
        encoding_rs::IBM866,
    ]
    .contains(&encoding)
}

/// The single-byte encodings of Latin-script languages.
fn is_latin(encoding: &'static Encoding) -> bool {
    [
        encoding_rs::WINDOWS_1250,
        WINDOWS_1252,
        encoding_rs::WINDOWS_1254,
        encoding_rs::WINDOWS_1257,
        encoding_rs::WINDOWS_1258,
        encoding_rs::ISO_8859_2,
        encoding_rs::ISO_8859_3,
        encoding_rs::ISO_8859_4,
        encoding_rs::ISO_8859_10,
        encoding_rs::ISO_8859_13,
        encoding_rs::ISO_8859_14,
        encoding_rs::ISO_8859_15,
        encoding_rs::ISO_8859_16,
        encoding_rs::MACINTOSH,
    ]
    .contains(&encoding)
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
mod tests;
