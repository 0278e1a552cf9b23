//! The part of html5ever's tokenizer that decides where markup is: where a tag, comment or
//! raw-text element ends, and which attribute names a tag has. Where this and html5ever
//! disagreed, markup could hide from the depth count (see the fuzz regressions in `tests.rs`).

/// A tag found at a `<`.
pub(super) struct Tag {
    pub(super) name: String,
    pub(super) closing: bool,
    /// Byte offset just past the tag name.
    attrs_start: usize,
    /// Byte offset just past the tag's `>` (or where a comment ends).
    pub(super) end: usize,
}

impl Tag {
    /// Reads the tag starting at `start` (a `<`); `None` when it is not a tag (text `<`). A
    /// comment, doctype, processing instruction or unterminated tag is a nameless closing tag
    /// ending where html5ever ends it.
    pub(super) fn parse(html: &str, start: usize) -> Option<Tag> {
        let rest = &html[start + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            return Some(Tag::skipped(start + 4 + comment_end(comment)));
        }
        if rest.starts_with('!') || rest.starts_with('?') {
            let end = rest.find('>').map_or(html.len(), |p| start + 1 + p + 1);
            return Some(Tag::skipped(end));
        }
        let (closing, rest) = match rest.strip_prefix('/') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        match rest.as_bytes().first() {
            Some(b) if b.is_ascii_alphabetic() => {}
            // `</>` is nothing, and `</` before anything else but a letter a bogus comment.
            Some(_) if closing => {
                let end = rest.find('>').map_or(html.len(), |p| start + 2 + p + 1);
                return Some(Tag::skipped(end));
            }
            _ => return None,
        }
        // html5ever's tag name runs to whitespace, `/` or `>`; the names this guard knows are
        // all ASCII letters and digits, so any other character makes an unknown element.
        let name_len = rest
            .bytes()
            .take_while(|b| !matches!(b, b'\t' | b'\n' | b'\x0C' | b' ' | b'\r' | b'/' | b'>'))
            .count();
        let name = rest[..name_len].to_ascii_lowercase();
        let attrs_start = start + 1 + usize::from(closing) + name_len;
        // html5ever drops a tag that never ends, and the rest of the page with it: nothing
        // after it can be markup (and looking for a `>` from every later `<` is quadratic).
        let Some(close) = tag_end(html, attrs_start) else {
            return Some(Tag::skipped(html.len()));
        };
        Some(Tag {
            name,
            closing,
            attrs_start,
            end: close + 1,
        })
    }

    fn skipped(end: usize) -> Tag {
        Tag {
            name: String::new(),
            closing: true,
            attrs_start: end,
            end,
        }
    }

    /// The text between the tag name and the `>`.
    pub(super) fn attrs<'a>(&self, html: &'a str) -> &'a str {
        html.get(self.attrs_start..self.end.saturating_sub(1))
            .unwrap_or_default()
    }
}

/// Where a comment whose text starts at `text` ends, relative to it: html5ever ends it at
/// `-->`, at `--!>`, and at once for `<!-->` and `<!--->`.
fn comment_end(text: &str) -> usize {
    if text.starts_with('>') {
        return 1;
    }
    if text.starts_with("->") {
        return 2;
    }
    // The first `--` followed by `>` or `!>`: one pass, where looking for each ending on its
    // own would scan to the end of the page for `--!>`, which almost never comes, at every
    // comment.
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(p) = memchr::memmem::find(&bytes[from..], b"--").map(|p| from + p) {
        match &bytes[p + 2..] {
            [b'>', ..] => return p + 3,
            [b'!', b'>', ..] => return p + 4,
            _ => from = p + 1,
        }
    }
    text.len()
}

/// html5ever's tokenizer states between a tag name and its `>`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AttrState {
    BeforeName,
    Name,
    AfterName,
    BeforeValue,
    Quoted(u8),
    AfterQuoted,
    Unquoted,
    SelfClosing,
    /// The tag's `>`.
    End,
}

impl AttrState {
    /// The state after byte `b`: a quote only opens a quoted value right after `=`; elsewhere
    /// it is part of a name or of an unquoted value.
    fn next(self, b: u8) -> AttrState {
        let space = matches!(b, b'\t' | b'\n' | b'\x0C' | b' ' | b'\r');
        match (self, b) {
            (AttrState::End, _) => AttrState::End,
            (AttrState::Quoted(q), b) if b == q => AttrState::AfterQuoted,
            (AttrState::Quoted(q), _) => AttrState::Quoted(q),
            (_, b'>') => AttrState::End,
            (AttrState::BeforeValue, b'"' | b'\'') => AttrState::Quoted(b),
            (AttrState::BeforeValue, _) if space => AttrState::BeforeValue,
            (AttrState::BeforeValue, _) => AttrState::Unquoted,
            (AttrState::Unquoted, _) if space => AttrState::BeforeName,
            (AttrState::Unquoted, _) => AttrState::Unquoted,
            (AttrState::Name | AttrState::AfterName, b'=') => AttrState::BeforeValue,
            (_, b'/') => AttrState::SelfClosing,
            (AttrState::Name | AttrState::AfterName, _) if space => AttrState::AfterName,
            (AttrState::Name, _) => AttrState::Name,
            (_, _) if space => AttrState::BeforeName,
            // Anything else starts an attribute name, even `=` or a quote where a name may
            // start, or a character right after `/` or a quoted value.
            (_, _) => AttrState::Name,
        }
    }
}

/// The offset of the `>` that ends a tag whose attributes start at `from`, honouring quoted
/// attribute values as html5ever's tokenizer does.
fn tag_end(html: &str, from: usize) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut state = AttrState::BeforeName;
    let mut at = from;
    while let Some(&b) = bytes.get(at) {
        if let AttrState::Quoted(quote) = state {
            // Only its closing quote ends a quoted value: the bytes up to it change nothing,
            // and values (URLs, classes, inline styles) are most of a tag.
            at += memchr(quote, &bytes[at..])?;
            state = AttrState::AfterQuoted;
            at += 1;
            continue;
        }
        state = state.next(b);
        if state == AttrState::End {
            return Some(at);
        }
        at += 1;
    }
    None
}

/// Where the content of a raw-text element ends: its end tag, or the end of the document.
pub(super) fn raw_text_end(html: &str, from: usize, name: &str) -> usize {
    if name == "plaintext" {
        // Nothing ends it.
        return html.len();
    }
    let closing = format!("</{name}");
    let bytes = html.as_bytes();
    let mut at = from;
    while let Some(lt) = memchr(b'<', &bytes[at..]).map(|p| at + p) {
        if bytes[lt..]
            .get(..closing.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(closing.as_bytes()))
        {
            return lt;
        }
        at = lt + 1;
    }
    html.len()
}

/// The attribute names in a tag's attribute text, lower-cased, as html5ever's tokenizer reads
/// them.
pub(super) fn attribute_names(attrs: &str) -> impl Iterator<Item = String> + '_ {
    let mut names = Vec::new();
    let mut state = AttrState::BeforeName;
    let mut name_start = 0;
    for (i, &b) in attrs.as_bytes().iter().enumerate() {
        let next = state.next(b);
        if next == AttrState::Name && state != AttrState::Name {
            name_start = i;
        }
        if state == AttrState::Name && next != AttrState::Name {
            names.push(attrs[name_start..i].to_ascii_lowercase());
        }
        state = next;
    }
    if state == AttrState::Name {
        names.push(attrs[name_start..].to_ascii_lowercase());
    }
    names.into_iter()
}

/// The offset of the first `needle` in `haystack`.
pub(super) fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    memchr::memchr(needle, haystack)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string of up to seven of the bytes that steer the scan: skipping a quoted value
    /// at once ends the tag where reading it byte by byte does.
    #[test]
    fn skipping_quoted_values_ends_tags_where_every_byte_read_does() {
        fn byte_by_byte(html: &str) -> Option<usize> {
            let mut state = AttrState::BeforeName;
            for (at, &b) in html.as_bytes().iter().enumerate() {
                state = state.next(b);
                if state == AttrState::End {
                    return Some(at);
                }
            }
            None
        }
        const BYTES: &[u8] = b"a\"'= >/";
        let mut text = Vec::new();
        for len in 0..=7u32 {
            for mut n in 0..BYTES.len().pow(len) {
                text.clear();
                for _ in 0..len {
                    text.push(BYTES[n % BYTES.len()]);
                    n /= BYTES.len();
                }
                let html = std::str::from_utf8(&text).expect("ASCII");
                assert_eq!(tag_end(html, 0), byte_by_byte(html), "{html:?}");
            }
        }
    }
}
