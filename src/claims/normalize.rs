//! Normalisation and sentence splitting for Latin, Cyrillic and CJK text.
//!
//! A claim's identity is its normalised text, so normalisation decides what counts as "the same
//! claim": width, case, punctuation and whitespace differences must vanish, letters and digits of
//! every script must stay.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use crate::text::{is_combining_mark, is_invisible};
// The crate's one CJK set, also where the fuzz targets have long found it.
pub use crate::text::is_cjk;

/// NFKC (full-width → half-width), case folding, whitespace and punctuation runs collapsed.
///
/// Every run of characters that are neither letters, digits nor combining marks (whitespace,
/// punctuation, symbols, controls) becomes one ASCII space; the result is trimmed. A run of
/// whitespace alone next to a CJK character is dropped instead, since Chinese text spaces
/// words only for looks. Invisible characters are dropped without leaving a space, because
/// they split words that a reader sees whole. What counts as each of these is
/// [`crate::text`]'s rule, the same that extraction and the diff follow.
pub fn normalize(text: &str) -> String {
    let mut kept = String::with_capacity(text.len());
    normalize_kept_into(text, &mut kept);
    let mut out = String::with_capacity(kept.len());
    lowercase_into(&kept, &mut out);
    out
}

/// [`normalize`] without the case folding, into a reused buffer: short all-capital aliases
/// ("TI", "ST") are only names when written in capitals.
pub(crate) fn normalize_kept_into(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        normalize_ascii_into(text, out);
    } else {
        normalize_unicode_into(text, out);
    }
}

/// The rule above for ASCII text, most blocks of most pages: words of letters and digits,
/// one space between them; nothing in ASCII is invisible, a combining mark, CJK or changed by
/// NFKC.
fn normalize_ascii_into(text: &str, out: &mut String) {
    for word in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
}

fn normalize_unicode_into(text: &str, out: &mut String) {
    // The separator run before the next kept character: none, whitespace only, or punctuation.
    let mut gap = Gap::None;
    let mut last: Option<char> = None;
    let mut push = |c: char| {
        // ASCII needs neither the invisible nor the combining-mark table.
        let kept = if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else if is_invisible(c) {
            return;
        } else {
            is_alphanumeric(c) || is_combining_mark(c)
        };
        if !kept {
            gap = if c.is_whitespace() && gap != Gap::Punctuation {
                Gap::Space
            } else {
                Gap::Punctuation
            };
            return;
        }
        if let Some(before) = last {
            // Chinese puts no spaces between words, so a space next to a CJK character is
            // typesetting or markup ("<b>军工</b> 企业", "使用 TI 芯片"), not a word break.
            let cosmetic = gap == Gap::Space && (is_cjk(before) || is_cjk(c));
            if gap != Gap::None && !cosmetic {
                out.push(' ');
            }
        }
        gap = Gap::None;
        last = Some(c);
        out.push(c);
    };
    if is_nfkc_fast(text) {
        text.chars().for_each(&mut push);
    } else {
        text.nfkc().for_each(&mut push);
    }
}

// Pages hold up to 100k blocks and the Unicode table lookups below dominate the cost of
// matching them, so the scripts this crate mostly reads (ASCII, Cyrillic, CJK) get answers
// from ranges; the tests check those ranges against the tables.

/// Whether `text` is already NFKC, so the decomposition can be skipped: most text on most
/// pages is.
fn is_nfkc_fast(text: &str) -> bool {
    text.chars().all(is_nfkc_range) || is_nfkc_quick(text.chars()) == IsNormalized::Yes
}

/// Characters that NFKC leaves alone whatever surrounds them: with ASCII, Cyrillic and the
/// common ideographs, the dashes and curly quotes of English text.
fn is_nfkc_range(c: char) -> bool {
    matches!(c, '\0'..='\u{9F}' | '\u{400}'..='\u{482}' | '\u{48A}'..='\u{52F}' | '\u{2013}'..='\u{2014}' | '\u{2018}'..='\u{201D}' | '\u{4E00}'..='\u{9FFF}')
}

fn is_alphanumeric(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || (!c.is_ascii()
            && (matches!(c, '\u{400}'..='\u{481}' | '\u{4E00}'..='\u{9FFF}')
                || c.is_alphanumeric()))
}

/// Appends `c` lower-cased to `out`.
fn push_lowercase(c: char, out: &mut String) {
    match c {
        'A'..='Z' | '\u{410}'..='\u{42F}' => out.push(char::from_u32(c as u32 + 0x20).unwrap_or(c)),
        '\u{400}'..='\u{40F}' => out.push(char::from_u32(c as u32 + 0x50).unwrap_or(c)),
        '\0'..='\u{7F}' | '\u{430}'..='\u{45F}' | '\u{4E00}'..='\u{9FFF}' => out.push(c),
        _ => out.extend(c.to_lowercase()),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Gap {
    None,
    Space,
    Punctuation,
}

/// Lower-cases `kept` (an output of [`normalize_kept_into`]) into `out`.
pub(crate) fn lowercase_into(kept: &str, out: &mut String) {
    out.clear();
    if kept.is_ascii() {
        out.push_str(kept);
        out.make_ascii_lowercase();
    } else {
        kept.chars().for_each(|c| push_lowercase(c, out));
    }
}

/// The sentence as written but NFKC: for regexes that need the punctuation normalisation
/// removes (the "/883" suffix, "5962-" drawing numbers).
pub(crate) fn nfkc(text: &str) -> std::borrow::Cow<'_, str> {
    if is_nfkc_fast(text) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.nfkc().collect())
    }
}

/// Whether `c` may stand next to a Latin or Cyrillic term without making it part of a longer
/// word: anything but a letter or digit, or a CJK character.
pub(crate) fn is_boundary(c: char) -> bool {
    !c.is_alphanumeric() || is_cjk(c)
}

/// Whether `text[start..end]` stands as a word of its own (see [`is_boundary`]).
pub(crate) fn is_word_at(text: &str, start: usize, end: usize) -> bool {
    boundary_before(text, start) && boundary_after(text, end)
}

/// Whether a word may start at byte `i` of `text`.
pub(crate) fn boundary_before(text: &str, i: usize) -> bool {
    text.get(..i)
        .and_then(|s| s.chars().next_back())
        .is_none_or(is_boundary)
}

/// Whether a word may end at byte `i` of `text`.
pub(crate) fn boundary_after(text: &str, i: usize) -> bool {
    text.get(i..)
        .and_then(|s| s.chars().next())
        .is_none_or(is_boundary)
}

/// Splits a block of text into sentences (., !, ?, ; and 。！？； and their full-width forms).
///
/// ASCII terminators end a sentence only when followed by whitespace or the end, so "3.3V",
/// "MIL-STD-883" and "www.ti.com" stay whole; a "." after a common abbreviation ("Co.", "Ltd.",
/// "e.g.") or a single letter does not end one. CJK terminators need no following space.
/// Terminators stay with their sentence; sentences are trimmed and never empty.
pub fn sentences(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Every terminator starts with one of these bytes (。 is E3 80 82, the full-width forms
        // EF BC xx): skipping the others without decoding keeps long pages cheap. They are
        // ASCII or UTF-8 lead bytes, so `i` is on a character boundary when they match.
        if !matches!(bytes[i], b'.' | b'!' | b'?' | b';' | 0xE3 | 0xEF) {
            i += 1;
            continue;
        }
        let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        let at = i;
        i += c.len_utf8();
        let cjk = is_cjk_terminator(c);
        if !cjk && !is_ascii_terminator(c) {
            continue;
        }
        // Swallow "?!", "...", and closing quotes or brackets after the terminator.
        for d in text[i..].chars() {
            if is_cjk_terminator(d) || is_ascii_terminator(d) || is_closer(d) {
                i += d.len_utf8();
            } else {
                break;
            }
        }
        if !cjk {
            let spaced = text[i..].chars().next().is_none_or(char::is_whitespace);
            let lone_dot = c == '.' && i == at + 1;
            if !spaced || (lone_dot && is_abbreviation(&text[start..at])) {
                continue;
            }
        }
        push_trimmed(&mut out, &text[start..i]);
        start = i;
    }
    push_trimmed(&mut out, &text[start..]);
    out
}

fn push_trimmed<'a>(out: &mut Vec<&'a str>, s: &'a str) {
    let s = s.trim();
    if !s.is_empty() {
        out.push(s);
    }
}

fn is_ascii_terminator(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | ';')
}

fn is_cjk_terminator(c: char) -> bool {
    matches!(
        c,
        '。' | '！' | '？' | '；' | '．' | '｡' | '\u{FE52}' | '\u{FE56}' | '\u{FE57}'
    )
}

fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | ')' | ']' | '}' | '»' | '”' | '’' | '」' | '』' | '）' | '》' | '〉' | '】'
    )
}

/// Abbreviations that end in "." without ending a sentence. Company suffixes matter most: a
/// distributor's name ("… Co., Ltd.") is often the subject of the claim that follows.
const ABBREVIATIONS: &[&str] = &[
    "co", "ltd", "inc", "corp", "no", "nos", "mr", "mrs", "ms", "dr", "vs", "approx", "tel", "fig",
    "ref", "ул", "им", "стр",
];

/// Whether the word just before a "." makes it an abbreviation's dot.
fn is_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(char::is_whitespace)
        .next()
        .unwrap_or_default()
        .trim_start_matches(|c: char| !c.is_alphanumeric());
    // Single letters, dotted or not: "J. Smith", "U.S. Army", "e.g. this", "т.е. то", "г. Москва".
    if !word.is_empty()
        && word.split('.').all(|part| {
            let mut letters = part.chars();
            letters.next().is_some_and(char::is_alphabetic) && letters.next().is_none()
        })
    {
        return true;
    }
    if word.is_ascii() {
        ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(word))
    } else {
        let word = word.to_lowercase();
        ABBREVIATIONS.contains(&word.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::collapse_whitespace;

    #[test]
    fn normalises_width_case_and_punctuation() {
        assert_eq!(normalize("ＭＩＬ－ＳＴＤ－８８３"), "mil std 883");
        assert_eq!(normalize("Military-Grade  parts!"), "military grade parts");
        assert_eq!(normalize("军工，航天。"), "军工 航天");
        assert_eq!(normalize("  «Оборонный»  — заказ…  "), "оборонный заказ");
        assert_eq!(
            normalize("「軍用」『國防』（七專）《GJB》·—…、"),
            "軍用 國防 七專 gjb"
        );
        assert_eq!(
            normalize("a_b/c.d,e;f:g!h?i(j)[k]\"l'm&n"),
            "a b c d e f g h i j k l m n"
        );
        assert_eq!(normalize("3.3V © 2024 ® $5 +/- 10%"), "3 3v 2024 5 10");
        // NFKC spells the trade mark sign out.
        assert_eq!(normalize("Acme™"), "acmetm");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize(" \t\n!!! "), "");
    }

    #[test]
    fn drops_zero_width_characters() {
        assert_eq!(
            normalize("mil\u{200B}itary\u{FEFF} grade"),
            "military grade"
        );
        assert_eq!(normalize("mili\u{00AD}tary"), "military");
        assert_eq!(collapse_whitespace(" a \u{200B} b\n\tc "), "a b c");
    }

    #[test]
    fn spaces_next_to_cjk_are_cosmetic() {
        assert_eq!(normalize("我们是 军工 企业"), "我们是军工企业");
        assert_eq!(normalize("使用 TI 芯片"), normalize("使用TI芯片"));
        assert_eq!(normalize("使用TI芯片"), "使用ti芯片");
        assert_eq!(normalize("军工, 航天"), "军工 航天");
        assert_eq!(normalize("军工 ， 航天"), "军工 航天");
        assert_eq!(normalize("military 军工"), "military军工");
    }

    #[test]
    fn keeps_letters_and_digits_of_all_scripts() {
        assert_eq!(normalize("ВОЕННАЯ Приёмка 5"), "военная приёмка 5");
        assert_eq!(
            normalize("Ｔｅｘａｓ　Ｉｎｓｔｒｕｍｅｎｔｓ"),
            "texas instruments"
        );
        assert_eq!(normalize("café ①"), "café 1");
        let mut kept = String::new();
        normalize_kept_into("ＴＩ－Logo", &mut kept);
        assert_eq!(kept, "TI Logo");
    }

    #[test]
    fn splits_english() {
        assert_eq!(
            sentences("We are ISO certified. We serve military, aerospace customers! Call us."),
            [
                "We are ISO certified.",
                "We serve military, aerospace customers!",
                "Call us."
            ]
        );
        assert_eq!(
            sentences(
                "Is it MIL-STD-883? Yes; 3.3V parts (e.g. LM358) too... Really?! \"Yes.\" Ok"
            ),
            [
                "Is it MIL-STD-883?",
                "Yes;",
                "3.3V parts (e.g. LM358) too...",
                "Really?!",
                "\"Yes.\"",
                "Ok"
            ]
        );
    }

    #[test]
    fn keeps_abbreviations_whole() {
        assert_eq!(
            sentences("Winninc Electronics Co., Ltd. is a distributor. See www.ti.com now."),
            [
                "Winninc Electronics Co., Ltd. is a distributor.",
                "See www.ti.com now."
            ]
        );
        assert_eq!(
            sentences("Founded by J. Smith in the U.S. in 1999. Tel. 123. No. 5 Road."),
            [
                "Founded by J. Smith in the U.S. in 1999.",
                "Tel. 123.",
                "No. 5 Road."
            ]
        );
    }

    #[test]
    fn splits_chinese() {
        assert_eq!(
            sentences("我们是军工企业。服务航天客户！欢迎合作；"),
            ["我们是军工企业。", "服务航天客户！", "欢迎合作；"]
        );
        assert_eq!(
            sentences("「我們是軍工企業。」真的？是的．好"),
            ["「我們是軍工企業。」", "真的？", "是的．", "好"]
        );
    }

    #[test]
    fn splits_russian() {
        assert_eq!(
            sentences(
                "Мы поставляем компоненты для оборонной промышленности. Работаем с 1995 г. Звоните!"
            ),
            [
                "Мы поставляем компоненты для оборонной промышленности.",
                "Работаем с 1995 г. Звоните!"
            ]
        );
        assert_eq!(
            sentences("т.е. военная приёмка; т.д."),
            ["т.е. военная приёмка;", "т.д."]
        );
    }

    #[test]
    fn text_without_terminators_is_one_sentence() {
        assert_eq!(sentences("  Our partners  "), ["Our partners"]);
        assert!(sentences("  ").is_empty());
        assert!(sentences("").is_empty());
        assert_eq!(sentences("No terminator here"), ["No terminator here"]);
    }

    #[test]
    fn fast_paths_agree_with_the_unicode_tables() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if is_nfkc_range(c) {
                let alone = is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes;
                let after_letter = is_nfkc_quick(['a', c].into_iter()) == IsNormalized::Yes;
                assert!(alone && after_letter, "{c:?} U+{:04X}", c as u32);
            }
            assert_eq!(
                is_alphanumeric(c),
                c.is_alphanumeric(),
                "U+{:04X}",
                c as u32
            );
            let mut fast = String::new();
            push_lowercase(c, &mut fast);
            assert_eq!(
                fast,
                c.to_lowercase().collect::<String>(),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn ascii_text_is_normalised_as_the_unicode_path_normalises_it() {
        // Every pair of ASCII characters, and runs of separators at either end and between.
        let ascii: Vec<char> = (0u8..0x80).map(char::from).collect();
        let mut texts: Vec<String> = ascii
            .iter()
            .flat_map(|a| ascii.iter().map(move |b| format!("{a}x{b}{a}Y 9{b}")))
            .collect();
        texts.extend(
            [
                "",
                " ",
                "  Authorized distributor -- of TI, ADI & ST.  ",
                "\t\nmil-spec\r\n(MIL-STD-883)\u{7f}",
                "a",
                "...",
            ]
            .map(String::from),
        );
        let (mut fast, mut general) = (String::new(), String::new());
        for text in &texts {
            normalize_kept_into(text, &mut fast);
            general.clear();
            normalize_unicode_into(text, &mut general);
            assert_eq!(fast, general, "{text:?}");
        }
    }

    #[test]
    fn word_boundaries() {
        assert!(is_word_at("ti logo", 0, 2));
        assert!(!is_word_at("optimization", 3, 5));
        assert!(is_word_at("ti代理", 0, 2));
        assert!(is_word_at("代理ti", 6, 8));
    }
}
