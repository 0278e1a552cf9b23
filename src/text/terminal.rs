//! Crawled text on a terminal: page text is hostile and must never drive the terminal.

/// Appends page text with everything that could drive a terminal made visible: C0 controls and
/// DEL as their Control Pictures (ESC becomes ␛), C1 controls (U+009B is a one-byte CSI) and
/// bidi overrides (which reorder what the reader sees) as U+FFFD.
pub fn push_terminal_safe(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\0'..='\x1f' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}')),
            '\x7f' => out.push('\u{2421}'),
            '\u{80}'..='\u{9f}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {
                out.push('\u{FFFD}')
            }
            _ => out.push(c),
        }
    }
}

/// [`push_terminal_safe`] into a new string.
pub fn terminal_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_terminal_safe(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_neutralised() {
        assert_eq!(terminal_safe("a\x1b[31mb\rc"), "a\u{241b}[31mb\u{240d}c");
        assert_eq!(
            terminal_safe("\u{9b}31m \u{202e}x"),
            "\u{FFFD}31m \u{FFFD}x"
        );
        assert_eq!(terminal_safe("军工 ok"), "军工 ok");
    }
}
