//! Crawled text on a terminal: page text is hostile and must never drive the terminal.

/// Replaces control characters (ESC, CR, BEL, C1 controls …) with U+FFFD, so crawled text
/// printed to a terminal can't move the cursor, recolour, or retitle the window.
pub fn terminal_safe(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_neutralised() {
        assert_eq!(terminal_safe("a\x1b[31mb\rc"), "a\u{FFFD}[31mb\u{FFFD}c");
        assert_eq!(terminal_safe("军工 ok"), "军工 ok");
    }
}
