//! A guard against hostile nesting depth, applied before parsing.
//!
//! html5ever's tree builder is quadratic in nesting depth (40k nested divs take seconds, 200k
//! take minutes), so a page of a few hundred kilobytes could stall a crawl. Opening tags nested
//! deeper than [`MAX_NESTING`] are dropped together with their closing tags; the text inside is
//! kept, so claims deep in such a page are still seen.

use std::borrow::Cow;
use std::collections::HashMap;

/// Deeper than any real page (browsers' own limits on useful depth are in the hundreds).
pub const MAX_NESTING: usize = 256;

/// Elements that never have content.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen", "basefont", "frame",
];

/// Elements that an element of the same name closes: an unclosed run of them is siblings, not
/// nesting (a long list of `<li>` without `</li>` is not deep). `<a>` belongs here too: the
/// parser closes an open link before opening another.
const AUTO_CLOSED: &[&str] = &[
    "a", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot",
    "colgroup", "rp", "rt", "rb", "rtc", "caption",
];

/// Elements whose content is text up to their end tag: never scanned for tags.
const RAW_TEXT: &[&str] = &[
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
];

/// Returns the HTML with tags nested deeper than [`MAX_NESTING`] removed; borrows it unchanged
/// when it cannot be that deep.
pub fn limit_nesting(html: &str) -> Cow<'_, str> {
    limit_nesting_to(html, MAX_NESTING)
}

fn limit_nesting_to(html: &str, max_depth: usize) -> Cow<'_, str> {
    // Fewer tags than the limit cannot nest past it.
    if html.bytes().filter(|&b| b == b'<').count() <= max_depth {
        return Cow::Borrowed(html);
    }
    let bytes = html.as_bytes();
    let mut out = String::new();
    let mut copied_to = 0;
    // The open elements as the parser will see them, roughly: enough to know the depth.
    let mut open: Vec<String> = Vec::new();
    let mut dropped: HashMap<String, usize> = HashMap::new();
    let mut any_dropped = false;
    // Dropped elements not yet closed.
    let mut inside_dropped = 0usize;
    let mut i = 0;
    while let Some(offset) = memchr(b'<', &bytes[i..]) {
        let start = i + offset;
        let Some(tag) = Tag::parse(html, start) else {
            i = start + 1;
            continue;
        };
        i = tag.end;
        if tag.closing {
            match dropped.get_mut(&tag.name) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    inside_dropped = inside_dropped.saturating_sub(1);
                    out.push_str(&html[copied_to..start]);
                    copied_to = tag.end;
                }
                // An end tag closes its element and everything opened inside it; one that
                // matches nothing open is ignored, as the parser ignores it.
                _ => {
                    if let Some(at) = open.iter().rposition(|name| *name == tag.name) {
                        open.truncate(at);
                    }
                }
            }
            continue;
        }
        if RAW_TEXT.contains(&tag.name.as_str()) {
            i = raw_text_end(html, tag.end, &tag.name);
            continue;
        }
        if tag.self_closing || VOID.contains(&tag.name.as_str()) {
            continue;
        }
        // A second <li> (or <p>, <td>, <a>, …) closes the first: siblings, not nesting. Not
        // inside dropped elements, where the two are not siblings at all.
        if AUTO_CLOSED.contains(&tag.name.as_str())
            && inside_dropped == 0
            && open.last().is_some_and(|last| *last == tag.name)
        {
            open.pop();
        }
        // Links are what the frontier needs, and cannot deepen the tree (see AUTO_CLOSED): kept
        // past the limit, not counted.
        if open.len() >= max_depth && tag.name == "a" {
            continue;
        }
        if open.len() >= max_depth {
            *dropped.entry(tag.name).or_default() += 1;
            inside_dropped += 1;
            any_dropped = true;
            out.push_str(&html[copied_to..start]);
            copied_to = tag.end;
        } else {
            open.push(tag.name);
        }
    }
    if !any_dropped {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied_to..]);
    Cow::Owned(out)
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

/// A tag found at a `<`.
struct Tag {
    name: String,
    closing: bool,
    self_closing: bool,
    /// Byte offset just past the tag's `>` (or where a comment ends).
    end: usize,
}

impl Tag {
    /// Reads the tag starting at `start` (a `<`); `None` when it is not a tag (text `<`, or a
    /// comment/doctype, which are skipped through `end` by returning a nameless closing tag).
    fn parse(html: &str, start: usize) -> Option<Tag> {
        let rest = &html[start + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            let end = comment
                .find("-->")
                .map_or(html.len(), |p| start + 4 + p + 3);
            return Some(Tag::skipped(end));
        }
        if rest.starts_with('!') || rest.starts_with('?') {
            let end = rest.find('>').map_or(html.len(), |p| start + 1 + p + 1);
            return Some(Tag::skipped(end));
        }
        let (closing, rest) = match rest.strip_prefix('/') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let name_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b':')
            .count();
        if name_len == 0 || !rest.as_bytes()[0].is_ascii_alphabetic() {
            return None;
        }
        let name = rest[..name_len].to_ascii_lowercase();
        let after_name = start + 1 + usize::from(closing) + name_len;
        let close = tag_end(html, after_name)?;
        let self_closing = html[..close].ends_with('/');
        Some(Tag {
            name,
            closing,
            self_closing,
            end: close + 1,
        })
    }

    fn skipped(end: usize) -> Tag {
        Tag {
            name: String::new(),
            closing: true,
            self_closing: false,
            end,
        }
    }
}

/// The offset of the `>` that ends a tag whose attributes start at `from`, honouring quotes.
fn tag_end(html: &str, from: usize) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (offset, b) in html.as_bytes()[from..].iter().enumerate() {
        match (quote, *b) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(*b),
            (None, b'>') => return Some(from + offset),
            _ => {}
        }
    }
    None
}

/// Where the content of a raw-text element ends: its end tag, or the end of the document.
fn raw_text_end(html: &str, from: usize, name: &str) -> usize {
    let closing = format!("</{name}");
    let haystack = &html.as_bytes()[from..];
    haystack
        .windows(closing.len())
        .position(|w| w.eq_ignore_ascii_case(closing.as_bytes()))
        .map_or(html.len(), |p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shallow_pages_are_borrowed_unchanged() {
        let html = "<html><body><div><p>military</p></div></body></html>";
        assert!(matches!(limit_nesting(html), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_nesting_is_cut_and_text_kept() {
        let html = "<div>".repeat(10) + "军工 military" + &"</div>".repeat(10);
        let limited = limit_nesting_to(&html, 4);
        assert_eq!(
            limited,
            "<div>".repeat(4) + "军工 military" + &"</div>".repeat(4)
        );
    }

    #[test]
    fn void_auto_closed_raw_text_and_comments_do_not_count() {
        let html = "<ul>".to_string()
            + &"<li>item<br><img src=x>".repeat(20)
            + "<script>if (a < b) { '<div>'.repeat(9) }</script><!-- <div><div><div> --></ul>";
        assert!(matches!(limit_nesting_to(&html, 2), Cow::Borrowed(_)));
    }

    #[test]
    fn quoted_angle_brackets_stay_inside_their_tag() {
        let html = "<div title=\"a>b\"><div><div>x</div></div></div>";
        let limited = limit_nesting_to(html, 1);
        assert_eq!(limited, "<div title=\"a>b\">x</div>");
    }

    #[test]
    fn links_past_the_limit_are_kept() {
        let html = "<div>".repeat(6) + "<a href=/x>x</a>" + &"</div>".repeat(6);
        let limited = limit_nesting_to(&html, 2);
        assert_eq!(limited, "<div><div><a href=/x>x</a></div></div>");
    }

    #[test]
    fn closing_links_cannot_buy_back_depth() {
        let html = "<div>".repeat(10) + &"<a>x</a>".repeat(50) + &"<div>".repeat(10);
        let limited = limit_nesting_to(&html, 5);
        assert_eq!(limited.matches("<div>").count(), 5);
    }

    #[test]
    fn nested_lists_count_their_items() {
        let html = "<ul><li>".repeat(10) + "deep" + &"</li></ul>".repeat(10);
        let limited = limit_nesting_to(&html, 6);
        assert_eq!(limited.matches("<ul>").count(), 3);
        assert_eq!(limited.matches("<li>").count(), 3);
        let flat = "<ul>".to_string() + &"<li>item".repeat(100) + "</ul>";
        assert!(matches!(limit_nesting_to(&flat, 6), Cow::Borrowed(_)));
    }

    #[test]
    fn a_hundred_thousand_nested_divs_parse_quickly() {
        let html = "<div>".repeat(100_000) + "deep claim" + &"</div>".repeat(100_000);
        let limited = limit_nesting(&html);
        assert!(limited.len() < 10_000);
        let doc = super::super::extract(&html, &url::Url::parse("http://x/").expect("valid"));
        assert!(doc.blocks.iter().any(|b| b.text == "deep claim"));
    }
}
