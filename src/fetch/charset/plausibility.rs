//! How plausible a decoded text is as human writing: the evidence that decides between two
//! candidate encodings when detection and its top-level-domain prior disagree.
//!
//! A wrong single-byte decode reads as letters of one script broken up by symbols, letters of
//! another script, capitals in the middle of words and C1 controls ("Ìû ïîñòàâëÿåì" is fine
//! Latin-1, but "Ђто", "О±ѕ" and "Ł825" are not); a wrong multi-byte decode adds replacement
//! characters. Each word with non-ASCII characters scores its length when it is well formed
//! and loses twice that when it is not, so the decode that makes more well-formed words wins.

/// Which writing system a letter belongs to, as far as this score cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Cyrillic,
    Greek,
    /// Han, kana, hangul and the rest of CJK: written without spaces, mixing freely.
    Cjk,
    Other,
}

fn script(c: char) -> Script {
    match c {
        'A'..='Z' | 'a'..='z' | '\u{C0}'..='\u{24F}' | '\u{1E00}'..='\u{1EFF}' => Script::Latin,
        '\u{400}'..='\u{52F}' => Script::Cyrillic,
        '\u{370}'..='\u{3FF}' => Script::Greek,
        c if crate::text::is_cjk(c) => Script::Cjk,
        _ => Script::Other,
    }
}

/// Punctuation that stands at the edges of well-formed words in every script: quotes,
/// brackets, dashes, ellipses, the CJK full stops and commas.
fn is_edge_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            c,
            '«' | '»'
                | '‘'
                | '’'
                | '‚'
                | '“'
                | '”'
                | '„'
                | '‹'
                | '›'
                | '–'
                | '—'
                | '…'
                | '·'
                | '•'
                | '¿'
                | '¡'
        )
        || is_cjk_punctuation(c)
}

/// The ideographic full stop, comma and brackets, and their full-width ASCII forms.
fn is_cjk_punctuation(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF01}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}')
}

/// The score of a decoded text; higher is more plausible. Each accented Latin letter that the
/// alphabet fitting the text best does not write costs a point: between two Latin decodes that
/// both make words, the one in a language wins.
pub fn plausibility(text: &str) -> i64 {
    words_score(text) - super::alphabets::misfits(text)
}

fn words_score(text: &str) -> i64 {
    // Words end at ASCII punctuation too: markup ("<title>Афиша</title>") and hyphens or
    // slashes that join words of two scripts in real text ("USB-кабель", "SMD/чип") are not
    // evidence either way. CJK text has no spaces: its full stops and commas end its words.
    text.split(|c: char| {
        c.is_whitespace()
            || c == '\u{A0}'
            || (c.is_ascii_punctuation() && c != '\'')
            || is_cjk_punctuation(c)
    })
    .filter(|w| !w.is_ascii())
    .map(word_score)
    .sum()
}

fn word_score(word: &str) -> i64 {
    let word = word.trim_matches(is_edge_punctuation);
    let mut non_ascii = 0i64;
    let mut odd = false;
    let mut penalty = 0i64;
    let mut letters: Option<Script> = None;
    let mut lower_seen = false;
    let mut letter_count = 0usize;
    // Symbols between letters anywhere in a word, not only next to them: "н•∞•§•у" (Japanese
    // read as Mac Cyrillic) alternates letters with runs of symbols.
    let last_letter = word
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_alphabetic())
        .map(|(i, _)| i);
    let before_last_letter = |at: usize| last_letter.is_some_and(|last| at < last);
    let mut chars = word.char_indices().peekable();
    let mut previous: Option<char> = None;
    while let Some((at, c)) = chars.next() {
        if !c.is_ascii() {
            non_ascii += 1;
        }
        match c {
            '\u{FFFD}' => penalty += 20,
            '\u{80}'..='\u{9F}' | '\u{E000}'..='\u{F8FF}' => penalty += 10,
            c if c.is_alphabetic() => {
                letter_count += 1;
                let s = script(c);
                // One CJK character between Latin letters ("gehöst" read as GBK: "geh鰎t").
                if s == Script::Cjk
                    && previous.is_some_and(|p| p.is_ascii_alphabetic())
                    && chars.peek().is_some_and(|(_, n)| n.is_ascii_alphabetic())
                {
                    odd = true;
                }
                if letters.is_some_and(|l| l != s && s != Script::Cjk && l != Script::Cjk) {
                    odd = true;
                }
                letters = Some(s);
                // "прОдукция": Latin has camel-case product names, Cyrillic does not, and
                // their capitals are ASCII ("BlanchardÕs" is Mac Roman's apostrophe).
                let next_lower = chars.peek().is_some_and(|(_, n)| n.is_lowercase());
                if c.is_uppercase()
                    && lower_seen
                    && (s != Script::Latin || !c.is_ascii() && next_lower)
                {
                    odd = true;
                }
                lower_seen |= c.is_lowercase();
            }
            // Vowel signs, tone marks and points (Thai, Hebrew, Arabic, Devanagari) belong to
            // the letters they sit on.
            c if unicode_normalization::char::is_combining_mark(c) => {}
            c if c.is_ascii_digit() => {}
            // An elided article starts a new word: "l'École", "d’État".
            '\'' | '’' => lower_seen = false,
            c if c.is_ascii() => {}
            c if is_edge_punctuation(c) => {
                // Punctuation inside a word between letters ("О±ѕ" has ±; "Ђ„то") is odd.
                if letter_count > 0 && before_last_letter(at) && !matches!(c, '·' | '‘' | '–' | '—')
                {
                    odd = true;
                }
            }
            _ => {
                // Symbols, currency signs, marks: fine before or after digits, odd next to
                // letters or between them.
                let next_letter = chars.peek().is_some_and(|(_, n)| n.is_alphabetic());
                let previous_letter = previous.is_some_and(char::is_alphabetic);
                if next_letter || previous_letter || letter_count > 0 && before_last_letter(at) {
                    odd = true;
                }
            }
        }
        previous = Some(c);
    }
    // No word of today's Russian, Ukrainian or Bulgarian ends in a hard sign; Hebrew read as
    // windows-1251 ends many in one (ת, tav, is its byte).
    if letters == Some(Script::Cyrillic) && letter_count > 1 && word.ends_with(['ъ', 'Ъ']) {
        odd = true;
    }
    // A lone non-ASCII letter against digits ("Ł825", "Ј2") is a currency sign or a symbol
    // decoded as a letter.
    if letter_count == 1
        && non_ascii == 1
        && word.chars().any(|c| c.is_ascii_digit())
        && word.chars().any(|c| c.is_alphabetic() && !c.is_ascii())
    {
        odd = true;
    }
    // Latin words are mostly ASCII letters with a few accented ones; "ïîñòàâëÿåì" is
    // Cyrillic read as Latin-1.
    let accented = word
        .chars()
        .filter(|c| c.is_alphabetic() && !c.is_ascii() && script(*c) == Script::Latin)
        .count();
    if letters == Some(Script::Latin) && letter_count >= 4 && accented * 2 > letter_count {
        odd = true;
    }
    let base = if odd { -2 * non_ascii } else { non_ascii };
    base - penalty
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_decodes_beat_wrong_ones() {
        let cases = [
            // Russian, and the same bytes read as Mac Cyrillic's wrong capitals.
            (
                "Мы поставляем Компоненты для ВПК",
                "Мы поставляем Љомпоненты для ‚ЏЉ",
            ),
            // Chinese, and GBK bytes read as windows-1251.
            ("深圳市军工电子有限公司", "ЙоЫЪКРѕь№¤µзЧУУРПЮ№«Лѕ"),
            // A pound sign, and the same byte read as a Polish or Cyrillic letter.
            ("win £825, for a £2 bet", "win Ł825, for a Ł2 bet"),
            ("Grüße aus München", "GrьЯe aus Mьnchen"),
            ("Мы поставляем USB-кабели", "Ìû ïîñòàâëÿåì USB-êàáåëè"),
            ("正常的文字", "正常的文\u{FFFD}"),
            // Japanese sentences run on without spaces, full stop to full stop; seven-bit
            // ISO-2022-JP read as ASCII scores nothing.
            ("代理店です。高品質な製品", "$BBeM}E9$G$9!#9bIJ<A"),
            // Eight bytes of EUC-JP katakana read as Mac Cyrillic.
            ("ログイン", "•н•∞•§•у"),
            // Mac Roman's apostrophe read as windows-1252.
            ("Blanchard’s", "BlanchardÕs"),
            // Hungarian read as windows-1252 (ő, ű), Turkish as windows-1252 (ğ, ı, ş).
            ("Az előadás győri műszaki", "Az elõadás gyõri mûszaki"),
            ("Türkçe ağaç ışık şehir", "Türkçe aðaç ýþýk þehir"),
            // Hebrew read as windows-1251: words end in a hard sign.
            ("שלום את הבית", "щмен аъ дбиъ"),
        ];
        for (right, wrong) in cases {
            assert!(
                plausibility(right) > plausibility(wrong),
                "{right:?} {} vs {wrong:?} {}",
                plausibility(right),
                plausibility(wrong)
            );
        }
    }

    #[test]
    fn elisions_and_spanish_marks_are_well_formed() {
        for word in ["l'École", "d’État", "dell'Università", "¿Qué?", "¡Sí!"] {
            assert!(plausibility(word) > 0, "{word}: {}", plausibility(word));
        }
    }

    #[test]
    fn ascii_text_scores_nothing() {
        assert_eq!(plausibility("Plain ASCII text, 42 times."), 0);
    }
}
