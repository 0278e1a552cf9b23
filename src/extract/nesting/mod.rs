//! A guard against hostile nesting depth, applied before parsing.
//!
//! html5ever's tree builder is quadratic in nesting depth (40k nested divs take seconds, 200k
//! take minutes), so a page of a few hundred kilobytes could stall a crawl. Opening tags nested
//! deeper than [`MAX_NESTING`] are dropped together with their closing tags; the text inside is
//! kept, so claims deep in such a page are still seen.
//!
//! The depth is html5ever's own, estimated by following its stack of open elements: which end
//! tags it obeys (an end tag is ignored when a table, an `object` or another special element
//! stands between it and its element), which start tags close open ones (`<li>` closes an open
//! `li`, `<div>` an open `p`), and formatting elements (`b`, `font`…) that it reopens after they
//! were closed. The estimate errs high: a page it cannot follow loses some markup, never the
//! bound. Its tokenizer is followed too, so that no markup hides from the count: comments,
//! quoted attributes and unterminated tags end where html5ever ends them, `/>` closes nothing
//! (in SVG it may, but an element left open is the safe mistake), and the text around a
//! dropped tag cannot join into a new one.
//!
//! [`limit_nesting`] here scans the page; `tokenizer` finds where its tags end, `tags` holds
//! html5ever's tables of element names, and `stack` with `start_tag`, `end_tag` and
//! `formatting` follows html5ever's tree builder.

mod end_tag;
mod formatting;
mod stack;
mod start_tag;
mod tags;
#[cfg(test)]
mod tests;
mod tokenizer;

use std::borrow::Cow;
use std::collections::HashMap;

use stack::Stack;
use tags::RAW_TEXT;
use tokenizer::{Tag, memchr, raw_text_end};

/// Deeper than any real page (browsers' own limits on useful depth are in the hundreds).
pub const MAX_NESTING: usize = 256;

/// Most formatting elements (`b`, `font`…) active at once. html5ever reopens every closed one
/// inside each new block, so each past a few multiplies the elements a page parses into (with
/// 255 of them, `<div><b id=N>x</div>` repeated over 3 MB parses into 40M elements in 12 s):
/// formatting tags past this are dropped, which costs no text. Links are not dropped: html5ever
/// closes an open `<a>` before opening another, so they cannot pile up.
pub const MAX_FORMATTING: usize = 12;

/// html5ever scans its stack of open elements for most start tags, so a page costs it about
/// the sum of the depths at which its tags open: 100k `<ul><li>` kept [`MAX_NESTING`] deep
/// would still cost 50M steps. Past this many, tags open no deeper than [`CROWDED_NESTING`].
/// A real page of 5 MiB, 100k elements at an average depth of 40, stays under it.
pub const MAX_PARSE_WORK: usize = 8_000_000;

/// The depth limit once a page has used up [`MAX_PARSE_WORK`].
pub const CROWDED_NESTING: usize = 64;

/// Returns the HTML with tags nested deeper than [`MAX_NESTING`] removed; borrows it unchanged
/// when it cannot be that deep.
pub fn limit_nesting(html: &str) -> Cow<'_, str> {
    limit_nesting_to(html, MAX_NESTING)
}

fn limit_nesting_to(html: &str, max_depth: usize) -> Cow<'_, str> {
    // Fewer tags than the limit cannot nest past it. Counting stops past the limit: a real
    // page has thousands of tags, and counting them all cost a tenth of this scan.
    if memchr::memchr_iter(b'<', html.as_bytes())
        .nth(max_depth)
        .is_none()
    {
        return Cow::Borrowed(html);
    }
    let bytes = html.as_bytes();
    let mut out = String::new();
    let mut copied_to = 0;
    let mut open = Stack::default();
    let mut dropped: HashMap<String, usize> = HashMap::new();
    let mut any_dropped = false;
    // html5ever's work so far, in elements scanned (see MAX_PARSE_WORK).
    let mut work = 0usize;
    let mut i = 0;
    // Where the text since the last tag starts.
    let mut text = 0;
    while let Some(offset) = memchr(b'<', &bytes[i..]) {
        let start = i + offset;
        let Some(tag) = Tag::parse(html, start) else {
            i = start + 1;
            continue;
        };
        i = tag.end;
        if start > text {
            open.text(&html[text..start]);
        }
        text = tag.end;
        if tag.name.is_empty() {
            continue;
        }
        if tag.closing {
            match dropped.get_mut(&tag.name) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    cut(&mut out, &html[copied_to..start]);
                    copied_to = tag.end;
                }
                _ => open.end_tag(&tag.name),
            }
            continue;
        }
        // Raw text only where html5ever reads HTML for sure: in SVG, `<style>` has markup, and
        // in a frameset `<script>` is ignored.
        if open.foreign_open == 0
            && (!open.has("frameset") || tag.name == "noframes")
            && RAW_TEXT.contains(&tag.name.as_str())
        {
            if tag.name == "xmp" {
                open.xmp();
            }
            i = raw_text_end(html, tag.end, &tag.name);
            text = i;
            continue;
        }
        let limit = if work > MAX_PARSE_WORK {
            max_depth.min(CROWDED_NESTING)
        } else {
            max_depth
        };
        if open.start_tag(&tag, html, limit) {
            work += open.depth();
        } else {
            *dropped.entry(tag.name).or_default() += 1;
            any_dropped = true;
            cut(&mut out, &html[copied_to..start]);
            copied_to = tag.end;
        }
    }
    if !any_dropped {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied_to..]);
    Cow::Owned(out)
}

/// Appends the text before a dropped tag. A `<` right before the tag is escaped: once the tag
/// is gone it would open a tag with the text after it (`<<b>cell` would become `<cell`).
fn cut(out: &mut String, before: &str) {
    out.push_str(before);
    if out.ends_with('<') {
        out.pop();
        out.push_str("&lt;");
    }
}
