//! Normalisation and sentence splitting for Latin, Cyrillic and CJK text.

/// NFKC (full-width → half-width), case folding, whitespace and punctuation runs collapsed.
pub fn normalize(_text: &str) -> String {
    todo!()
}

/// Splits a block of text into sentences (., !, ?, ; and 。！？； and their full-width forms).
pub fn sentences(_text: &str) -> Vec<&str> {
    todo!()
}
