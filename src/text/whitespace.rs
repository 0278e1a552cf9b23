//! Whitespace, and the characters that are not there at all.
//!
//! Whitespace is Unicode's White_Space property ([`char::is_whitespace`]): ASCII spaces and
//! line breaks, NBSP (U+00A0), the ideographic space (U+3000), the typographic spaces
//! (U+2000–U+200A), line and paragraph separators. A run of it is one word break.
//!
//! Invisible characters ([`is_invisible`]) are format characters that draw nothing: the soft
//! hyphen, zero-width space and joiners, the Mongolian vowel separator, the word joiner and
//! invisible operators, the byte order mark, and every direction control (marks, embeddings,
//! overrides, isolates). They are dropped without leaving a space, because a page uses them
//! inside words that a reader sees whole ("mil\u{200B}itary"). The set is the fuller of the
//! two that extraction and claims once kept apart (extraction dropped only four of these), with
//! the direction isolates added beside the embeddings: extraction and claims drop the same
//! characters, so a claim's text is the text of its block. Dropping the joiners costs emoji and
//! a few scripts how they are drawn, never what they say.

/// Collapses every run of whitespace to one ASCII space, trims, and drops invisible
/// characters: a block of page text, or a claim, as a reader sees it.
pub fn collapse_whitespace(text: &str) -> String {
    // Sized at the first visible character: the whitespace between a page's blocks is
    // collapsed too, and comes out empty.
    let mut out = String::new();
    let mut space = false;
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        // The next piece: a whitespace character, an invisible one, or visible text. A run of
        // visible ASCII is one piece: most page text is ASCII, and a character at a time was
        // most of what extraction spent here.
        let (len, piece) = if is_ascii_whitespace(b) {
            (1, Piece::Space)
        } else if b.is_ascii() {
            let run = bytes[at..]
                .iter()
                .position(|&b| !b.is_ascii() || is_ascii_whitespace(b))
                .unwrap_or(bytes.len() - at);
            (run, Piece::Visible)
        } else {
            let Some(c) = text[at..].chars().next() else {
                break;
            };
            let piece = if c.is_whitespace() {
                Piece::Space
            } else if is_invisible(c) {
                Piece::Invisible
            } else {
                Piece::Visible
            };
            (c.len_utf8(), piece)
        };
        match piece {
            Piece::Space => space = !out.is_empty(),
            Piece::Invisible => {}
            Piece::Visible => {
                if out.is_empty() {
                    out.reserve(text.len() - at);
                } else if space {
                    out.push(' ');
                }
                space = false;
                out.push_str(&text[at..at + len]);
            }
        }
        at += len;
    }
    out
}

/// What a piece of text is to [`collapse_whitespace`].
enum Piece {
    Space,
    Invisible,
    Visible,
}

/// The ASCII characters of Unicode's White_Space: tab, line feed, vertical tab, form feed,
/// carriage return and space (not the separators U+001C–U+001F).
fn is_ascii_whitespace(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// Format characters that draw nothing (see the module doc).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ASCII runs copied whole give what a character at a time gives.
    #[test]
    fn ascii_runs_collapse_as_characters_do() {
        fn by_character(text: &str) -> String {
            let mut out = String::new();
            let mut space = false;
            for c in text.chars() {
                if c.is_whitespace() {
                    space = !out.is_empty();
                } else if !is_invisible(c) {
                    if space {
                        out.push(' ');
                        space = false;
                    }
                    out.push(c);
                }
            }
            out
        }
        for b in 0..=127u8 {
            assert_eq!(is_ascii_whitespace(b), char::from(b).is_whitespace(), "{b}");
        }
        let pieces = [
            "a", "bc", " ", "\t", "\n", "\u{0B}", "\u{0C}", "\r", "\u{1C}", "\u{1F}", "\u{85}",
            "\u{A0}", "\u{AD}", "é", "军工", "\u{200B}", "\u{3000}", "x.y",
        ];
        for first in pieces {
            for second in pieces {
                for third in pieces {
                    let text = format!("{first}{second}{third}{first}");
                    assert_eq!(collapse_whitespace(&text), by_character(&text), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn unicode_spaces_are_one_space() {
        assert_eq!(
            collapse_whitespace(" a\u{00A0}\u{00A0}b\u{3000}c\u{2003}d\r\n\te\u{2028}f "),
            "a b c d e f"
        );
        assert_eq!(collapse_whitespace(" \u{3000}\u{00A0}\u{2009} "), "");
        assert_eq!(collapse_whitespace(""), "");
    }

    #[test]
    fn invisible_characters_leave_no_space() {
        for c in [
            '\u{00AD}', '\u{061C}', '\u{180E}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{200E}',
            '\u{200F}', '\u{202A}', '\u{202E}', '\u{2060}', '\u{2064}', '\u{2066}', '\u{2069}',
            '\u{FEFF}',
        ] {
            assert!(is_invisible(c), "U+{:04X}", c as u32);
            assert!(!c.is_whitespace(), "U+{:04X}", c as u32);
            assert_eq!(
                collapse_whitespace(&format!("mil{c}itary {c} x")),
                "military x"
            );
        }
    }

    #[test]
    fn visible_characters_stay() {
        for c in ['a', 'я', '军', '-', '\u{00A9}', '\u{0301}', '\u{FE0F}'] {
            assert!(!is_invisible(c), "U+{:04X}", c as u32);
        }
        assert_eq!(collapse_whitespace("军工，航天"), "军工，航天");
    }
}
