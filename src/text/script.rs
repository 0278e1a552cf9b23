//! Which characters belong to which kind of writing, where it changes how text is cut up.
//!
//! [`is_cjk`]: Han, kana, bopomofo and Hangul, the scripts whose text is matched and diffed
//! by characters rather than by space-separated words. A term matches inside a run of them
//! and a Latin term may touch them ("TI代理"); a space next to one is typesetting, not a
//! word break; the diff compares them one by one. The set is the fuller of the two that
//! claims and the diff once kept apart: every Han block (unified ideographs, extensions A
//! onwards, compatibility ideographs, radicals, 々〆〇 and the Hangzhou numerals), kana with
//! its half-width forms, extensions and supplements, bopomofo, and Hangul (jamo and their
//! extensions, compatibility jamo, syllables, half-width forms). CJK punctuation and the
//! full-width forms of ASCII are not in it: punctuation is a word boundary and a token of its
//! own in either use already, and "ＴＩ" is a Latin word in wide letters (NFKC makes it "TI").
//!
//! [`is_combining_mark`]: Unicode's marks (General Category M), which belong to the letter
//! before them. Both copies this replaces listed only the Latin, Cyrillic and kana ranges;
//! the whole category keeps words of other scripts whole too (a Devanagari virama, a Thai
//! tone mark). Variation selectors are marks to Unicode but are left out: they follow
//! symbols ("✔\u{FE0F}") as often as letters, and a claim must not keep one as a word of
//! its own.

/// Han, kana, bopomofo and Hangul (see the module doc).
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{11FF}'     // Hangul jamo
        | '\u{2E80}'..='\u{2FDF}'   // CJK and Kangxi radicals
        | '\u{3005}'..='\u{3007}'   // 々〆〇
        | '\u{3021}'..='\u{3029}'   // Hangzhou numerals
        | '\u{3031}'..='\u{3035}'   // kana repeat marks
        | '\u{3038}'..='\u{303C}'   // Hangzhou numerals 10 to 30, 〻, 〼
        | '\u{3040}'..='\u{30FF}'   // hiragana, katakana
        | '\u{3100}'..='\u{312F}'   // bopomofo
        | '\u{3130}'..='\u{318F}'   // Hangul compatibility jamo
        | '\u{31A0}'..='\u{31BF}'   // bopomofo extended
        | '\u{31F0}'..='\u{31FF}'   // katakana phonetic extensions
        | '\u{3400}'..='\u{4DBF}'   // Han extension A
        | '\u{4E00}'..='\u{9FFF}'   // Han
        | '\u{A960}'..='\u{A97F}'   // Hangul jamo extended A
        | '\u{AC00}'..='\u{D7FF}'   // Hangul syllables, jamo extended B
        | '\u{F900}'..='\u{FAFF}'   // Han compatibility ideographs
        | '\u{FF66}'..='\u{FFDC}'   // half-width katakana and Hangul
        | '\u{1AFF0}'..='\u{1B16F}' // kana extended B, supplement, extended A, small kana
        | '\u{20000}'..='\u{3FFFF}' // Han extensions B onwards, compatibility supplement
    )
}

/// A combining mark other than a variation selector (see the module doc).
pub fn is_combining_mark(c: char) -> bool {
    // No mark comes before U+0300: most characters of most pages are answered here.
    c >= '\u{0300}'
        && unicode_normalization::char::is_combining_mark(c)
        && !is_variation_selector(c)
}

fn is_variation_selector(c: char) -> bool {
    matches!(
        c,
        '\u{180B}'..='\u{180D}' | '\u{180F}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_covers_han_kana_bopomofo_and_hangul() {
        let han = "一龥㐀\u{20000}\u{2A700}\u{30000}豈\u{2F800}⺀⼀々〆〇〡〸〻";
        let kana = "あゔアヺㇰｦｱﾝ\u{1B000}\u{1B132}\u{1AFF0}ゝヽ〱";
        let bopomofo = "ㄅㄯㆠ";
        let hangul = "한ᄀᇿㄱꥠힰퟻﾡￜ";
        for c in [han, kana, bopomofo, hangul].concat().chars() {
            assert!(is_cjk(c), "{c} U+{:04X}", c as u32);
        }
    }

    #[test]
    fn cjk_leaves_out_other_scripts_punctuation_and_wide_ascii() {
        let others = "aZ09éжЯ\u{0301}";
        let punctuation = "\u{3000}、。「」『』〈〉【】〜，．！？：；（）｡｢､";
        let wide_ascii = "ＡＺａｚ０９＄";
        for c in [others, punctuation, wide_ascii].concat().chars() {
            assert!(!is_cjk(c), "{c} U+{:04X}", c as u32);
        }
    }

    /// The ranges both copies of the CJK set held stay in the one set.
    #[test]
    fn cjk_keeps_every_range_it_had() {
        let old = [
            (0x1100, 0x11FF),
            (0x2E80, 0x2FDF),
            (0x3005, 0x3007),
            (0x3040, 0x30FF),
            (0x3130, 0x318F),
            (0x31F0, 0x31FF),
            (0x3400, 0x4DBF),
            (0x4E00, 0x9FFF),
            (0xA960, 0xA97F),
            (0xAC00, 0xD7FF),
            (0xF900, 0xFAFF),
            (0xFF66, 0xFFDC),
            (0x20000, 0x3FFFF),
        ];
        for (from, to) in old {
            for c in (from..=to).filter_map(char::from_u32) {
                assert!(is_cjk(c), "U+{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn marks_of_every_script_combine() {
        // Latin, Cyrillic, kana voicing, enclosing keycap, Devanagari nukta and virama, Thai
        // tone mark, Hebrew point, ideographic tone mark.
        for c in [
            '\u{0301}', '\u{0483}', '\u{3099}', '\u{20E3}', '\u{093C}', '\u{094D}', '\u{0E48}',
            '\u{05B4}', '\u{302A}', '\u{FE20}', '\u{1DC0}', '\u{1AB0}',
        ] {
            assert!(is_combining_mark(c), "U+{:04X}", c as u32);
        }
        // The ranges both copies listed stay marks wherever Unicode assigns one.
        for (from, to) in [
            (0x0300, 0x036F),
            (0x0483, 0x0489),
            (0x1DC0, 0x1DFF),
            (0x20D0, 0x20F0),
            (0x3099, 0x309A),
            (0xFE20, 0xFE2F),
        ] {
            for c in (from..=to).filter_map(char::from_u32) {
                assert!(is_combining_mark(c), "U+{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn variation_selectors_and_non_marks_do_not_combine() {
        for c in [
            '\u{FE00}',
            '\u{FE0F}',
            '\u{E0100}',
            '\u{E01EF}',
            '\u{180B}',
            '\u{180F}',
            'a',
            ' ',
            '-',
            '军',
            '\u{00B4}',
            '\u{02C6}',
        ] {
            assert!(!is_combining_mark(c), "U+{:04X}", c as u32);
        }
    }
}
