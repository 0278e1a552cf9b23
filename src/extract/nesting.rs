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

use std::borrow::Cow;
use std::collections::HashMap;

/// Deeper than any real page (browsers' own limits on useful depth are in the hundreds).
pub const MAX_NESTING: usize = 256;

/// Most formatting elements (`b`, `font`…) active at once. html5ever reopens every closed one
/// inside each new block, so each past a few multiplies the elements a page parses into (with
/// 255 of them, `<div><b id=N>x</div>` repeated over 3 MB parses into 40M elements in 12 s):
/// formatting tags past this are dropped, which costs no text. Links are not dropped; they
/// cannot pile up (see [`Stack::start_tag`]).
pub const MAX_FORMATTING: usize = 12;

/// html5ever scans its stack of open elements for most start tags, so a page costs it about
/// the sum of the depths at which its tags open: 100k `<ul><li>` kept [`MAX_NESTING`] deep
/// would still cost 50M steps. Past this many, tags open no deeper than [`CROWDED_NESTING`].
/// A real page of 5 MiB, 100k elements at an average depth of 40, stays under it.
pub const MAX_PARSE_WORK: usize = 8_000_000;

/// The depth limit once a page has used up [`MAX_PARSE_WORK`].
pub const CROWDED_NESTING: usize = 64;

/// Elements that never have content.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen", "basefont", "frame", "bgsound", "image",
];

/// Elements whose content is text up to their end tag (`noscript` too: html5ever parses with
/// scripting on): never scanned for tags.
const RAW_TEXT: &[&str] = &[
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "noscript",
    "plaintext",
];

/// html5ever's "special" elements: an end tag for an element further down the stack is ignored
/// when one of these is open above it.
const SPECIAL: &[&str] = &[
    "address",
    "applet",
    "area",
    "article",
    "aside",
    "base",
    "basefont",
    "bgsound",
    "blockquote",
    "body",
    "br",
    "button",
    "caption",
    "center",
    "col",
    "colgroup",
    "dd",
    "details",
    "dir",
    "div",
    "dl",
    "dt",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "iframe",
    "img",
    "input",
    "isindex",
    "li",
    "link",
    "listing",
    "main",
    "marquee",
    "menu",
    "meta",
    "nav",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "ol",
    "p",
    "param",
    "plaintext",
    "pre",
    "script",
    "section",
    "select",
    "source",
    "style",
    "summary",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "track",
    "ul",
    "wbr",
    "xmp",
];

/// Elements that end the default scope: an element below one of them is not "in scope".
const SCOPE: &[&str] = &[
    "applet", "caption", "html", "table", "td", "th", "marquee", "object", "select", "template",
];

/// Elements that put a marker on the list of active formatting elements.
const MARKERS: &[&str] = &[
    "applet", "caption", "marquee", "object", "td", "th", "template",
];

/// Formatting elements, which html5ever reopens ("reconstructs") after they were closed.
const FORMATTING: &[&str] = &[
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];

/// Start tags that close an open `p` first.
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "header",
    "hgroup",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "search",
    "section",
    "summary",
    "ul",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "listing",
    "li",
    "dd",
    "dt",
    "plaintext",
    "xmp",
];

/// End tags closing their element with what is open above it, when it is in scope.
const CLOSES_IN_SCOPE: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "button",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "header",
    "hgroup",
    "listing",
    "main",
    "menu",
    "nav",
    "ol",
    "pre",
    "search",
    "section",
    "select",
    "summary",
    "ul",
    "applet",
    "marquee",
    "object",
    "dd",
    "dt",
];

/// Start tags that leave SVG or MathML content (`font` only with some attributes).
const BREAKOUT: &[&str] = &[
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strong",
    "strike",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
    "var",
];

const HEADINGS: &[&str] = &["h1", "h2", "h3", "h4", "h5", "h6"];

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

/// An open element as html5ever would hold it.
struct Open {
    name: String,
    /// An SVG or MathML element.
    foreign: bool,
    /// Its entry in the list of active formatting elements, while it has one.
    formatting: Option<u64>,
}

impl Open {
    fn html(&self, name: &str) -> bool {
        !self.foreign && self.name == name
    }

    fn html_in(&self, names: &[&str]) -> bool {
        !self.foreign && names.contains(&self.name.as_str())
    }

    /// Whether an end tag for an element below this one is ignored: html5ever's special
    /// elements, and (erring towards keeping elements open) SVG and MathML integration points.
    fn blocks(&self) -> bool {
        if self.foreign {
            integration_point(&self.name)
        } else {
            SPECIAL.contains(&self.name.as_str())
        }
    }
}

/// An entry in the list of active formatting elements.
enum Formatting {
    Marker,
    Element {
        id: u64,
        name: String,
        /// The attributes as written, for the rule that keeps at most three identical entries.
        attrs: String,
        /// Whether the element is still open; html5ever reopens closed ones.
        open: bool,
    },
}

/// html5ever's stack of open elements and list of active formatting elements, followed
/// closely enough to bound the depth of the tree. html5ever may reopen every closed formatting
/// element at once, so those count towards the depth too. Where the rules are not followed
/// exactly, the stack keeps elements that html5ever would close (never the reverse), and it
/// never takes content to be HTML when html5ever might read it as SVG or MathML.
#[derive(Default)]
struct Stack {
    open: Vec<Open>,
    /// How many HTML elements of each name are open: most searches of the stack end here.
    names: HashMap<String, usize>,
    formatting: Vec<Formatting>,
    /// Formatting entries whose element is no longer open.
    closed_formatting: usize,
    /// How many SVG and MathML elements are open.
    foreign_open: usize,
    next_id: u64,
}

/// Scope boundaries: html5ever's default scope and its variants.
const BUTTON_SCOPE: &[&str] = &["button"];
const LIST_SCOPE: &[&str] = &["ol", "ul"];

impl Stack {
    fn depth(&self) -> usize {
        self.open.len() + self.closed_formatting
    }

    /// Whether html5ever may read the next start tag as SVG or MathML content.
    fn foreign(&self) -> bool {
        self.open
            .last()
            .is_some_and(|e| e.foreign && !integration_point(&e.name))
    }

    /// The index of the topmost HTML element named `name` among the first `len` open ones,
    /// when it is in scope: no default-scope boundary, element of `extra`, or integration
    /// point above it.
    fn in_scope(&self, name: &str, len: usize, extra: &[&str]) -> Option<usize> {
        if !self.has(name) {
            return None;
        }
        for (i, e) in self.open[..len].iter().enumerate().rev() {
            if e.html(name) {
                return Some(i);
            }
            if (e.foreign && integration_point(&e.name)) || e.html_in(SCOPE) || e.html_in(extra) {
                return None;
            }
        }
        None
    }

    /// The index of the topmost element named `name` in table scope.
    fn in_table_scope(&self, name: &str) -> Option<usize> {
        if !self.has(name) {
            return None;
        }
        for (i, e) in self.open.iter().enumerate().rev() {
            if e.html(name) {
                return Some(i);
            }
            if e.foreign || e.html_in(&["html", "table", "template"]) {
                return None;
            }
        }
        None
    }

    /// Whether an HTML element named `name` is open.
    fn has(&self, name: &str) -> bool {
        self.names.get(name).is_some_and(|&n| n > 0)
    }

    /// Closes the elements from index `at` up.
    fn pop_to(&mut self, at: usize) {
        while self.open.len() > at {
            let Some(e) = self.open.pop() else { break };
            self.closed(e);
        }
    }

    /// Pops the current element while it is one of `names` (html5ever's implied end tags).
    fn pop_while(&mut self, names: &[&str]) {
        while self.open.last().is_some_and(|e| e.html_in(names)) {
            self.pop_to(self.open.len() - 1);
        }
    }

    /// Pushes `e`, keeping the counts that stand in for searching the stack.
    fn opened(&mut self, e: Open) {
        if e.foreign {
            self.foreign_open += 1;
        } else {
            *self.names.entry(e.name.clone()).or_default() += 1;
        }
        self.open.push(e);
    }

    /// Bookkeeping for an element that left the stack: its counts, its formatting entry, and
    /// the entries a marker closes.
    fn closed(&mut self, e: Open) {
        if e.foreign {
            self.foreign_open -= 1;
        } else if let Some(n) = self.names.get_mut(&e.name) {
            *n -= 1;
        }
        if let Some(id) = e.formatting
            && let Some(Formatting::Element { open, .. }) = self
                .formatting
                .iter_mut()
                .rev()
                .find(|f| matches!(f, Formatting::Element { id: i, .. } if *i == id))
            && *open
        {
            *open = false;
            self.closed_formatting += 1;
        }
        if !e.foreign && MARKERS.contains(&e.name.as_str()) {
            // Closing a cell, caption, object… clears the formatting entries opened inside.
            while let Some(f) = self.formatting.pop() {
                match f {
                    Formatting::Marker => break,
                    Formatting::Element { open, .. } => {
                        if !open {
                            self.closed_formatting -= 1;
                        }
                    }
                }
            }
        }
    }

    fn remove_formatting(&mut self, at: usize) {
        if let Formatting::Element { open: false, .. } = self.formatting.remove(at) {
            self.closed_formatting -= 1;
        }
    }

    /// The formatting entries after the last marker: the ones html5ever may reopen at once.
    fn active_formatting(&self) -> usize {
        self.formatting
            .iter()
            .rev()
            .take_while(|f| !matches!(f, Formatting::Marker))
            .count()
    }

    /// The last formatting entry named `name` after the last marker: its index, id and
    /// whether its element is open.
    fn formatting_entry(&self, name: &str) -> Option<(usize, u64, bool)> {
        for (i, f) in self.formatting.iter().enumerate().rev() {
            match f {
                Formatting::Marker => return None,
                Formatting::Element {
                    id, name: n, open, ..
                } if n == name => {
                    return Some((i, *id, *open));
                }
                Formatting::Element { .. } => {}
            }
        }
        None
    }

    /// Follows an end tag.
    fn end_tag(&mut self, name: &str) {
        if matches!(name, "br" | "p") && self.foreign() {
            // html5ever closes the SVG or MathML content, then reads the tag as HTML.
            self.leave_foreign();
        }
        if self.open.last().is_some_and(|e| e.foreign) {
            // SVG or MathML content: the end tag closes the topmost element of its name,
            // looking down through foreign elements; at an HTML element the HTML rules apply.
            for i in (0..self.open.len()).rev() {
                let e = &self.open[i];
                if !e.foreign {
                    break;
                }
                if e.name.eq_ignore_ascii_case(name) {
                    return self.pop_to(i);
                }
            }
        }
        let len = self.open.len();
        let close = match name {
            // `</br>` is read as `<br>`.
            "br" => {
                self.reconstruct();
                None
            }
            "html" | "head" | "body" => None,
            "frameset" => self
                .open
                .last()
                .is_some_and(|e| e.html("frameset"))
                .then(|| self.open.len() - 1),
            "p" => self.in_scope("p", len, BUTTON_SCOPE),
            "li" => self.in_scope("li", len, LIST_SCOPE),
            "form" => {
                // html5ever takes the form element out of the stack, leaving what is above it.
                if let Some(i) = self.in_scope("form", len, &[]) {
                    let e = self.open.remove(i);
                    self.closed(e);
                }
                None
            }
            "template" if self.has("template") => {
                self.open.iter().rposition(|e| e.html("template"))
            }
            "template" => None,
            _ if HEADINGS.contains(&name) => HEADINGS
                .iter()
                .filter_map(|h| self.in_scope(h, len, &[]))
                .max(),
            _ if CLOSES_IN_SCOPE.contains(&name) => self.in_scope(name, len, &[]),
            "table" | "tbody" | "thead" | "tfoot" | "tr" | "td" | "th" | "caption" | "colgroup" => {
                self.in_table_scope(name)
            }
            _ if FORMATTING.contains(&name) => self.end_formatting(name),
            _ => self.end_other(name),
        };
        if let Some(i) = close {
            self.pop_to(i);
        }
    }

    /// html5ever's adoption agency, as far as the depth goes: a formatting element closes
    /// with what is open above it unless a special element is among that (then html5ever moves
    /// elements around and the depth stays as it is). Returns where to close.
    fn end_formatting(&mut self, name: &str) -> Option<usize> {
        if self
            .open
            .last()
            .is_some_and(|e| e.html(name) && e.formatting.is_none())
        {
            return Some(self.open.len() - 1);
        }
        let Some((entry, id, open)) = self.formatting_entry(name) else {
            return self.end_other(name);
        };
        if !open {
            self.remove_formatting(entry);
            return None;
        }
        let at = self.open.iter().rposition(|e| e.formatting == Some(id))?;
        // In scope: no boundary above it.
        if self.open[at + 1..]
            .iter()
            .any(|e| (e.foreign && integration_point(&e.name)) || e.html_in(SCOPE))
        {
            return None;
        }
        if self.open[at + 1..].iter().any(Open::blocks) {
            return None;
        }
        self.remove_formatting(entry);
        self.open[at].formatting = None;
        Some(at)
    }

    /// Any other end tag: closes the topmost HTML element of its name unless a special
    /// element stands above it.
    fn end_other(&self, name: &str) -> Option<usize> {
        if !self.has(name) {
            return None;
        }
        for (i, e) in self.open.iter().enumerate().rev() {
            if e.html(name) {
                return Some(i);
            }
            if e.blocks() {
                return None;
            }
        }
        None
    }

    /// Text between tags: html5ever reopens closed formatting elements around it, except in
    /// SVG or MathML content and for whitespace between table parts.
    fn text(&mut self, text: &str) {
        if self.foreign() {
            return;
        }
        if text.bytes().all(|b| b.is_ascii_whitespace())
            && self
                .table_mode()
                .is_some_and(|(_, part)| !matches!(part, "td" | "th" | "caption"))
        {
            return;
        }
        self.reconstruct();
    }

    /// `<xmp>`, whose content is skipped as raw text, first closes a `p` and reopens
    /// formatting elements.
    fn xmp(&mut self) {
        if let Some(i) = self.in_scope("p", self.open.len(), BUTTON_SCOPE) {
            self.pop_to(i);
        }
        self.reconstruct();
    }

    /// html5ever's reconstruction of the active formatting elements: the closed entries after
    /// the last marker or open entry are opened again, in order, as new elements.
    fn reconstruct(&mut self) {
        let mut from = self.formatting.len();
        while from > 0
            && matches!(
                self.formatting[from - 1],
                Formatting::Element { open: false, .. }
            )
        {
            from -= 1;
        }
        for k in from..self.formatting.len() {
            let Formatting::Element { id, name, open, .. } = &mut self.formatting[k] else {
                continue;
            };
            let clone = self.next_id;
            self.next_id += 1;
            *id = clone;
            *open = true;
            let name = name.clone();
            self.closed_formatting -= 1;
            self.opened(Open {
                name,
                foreign: false,
                formatting: Some(clone),
            });
        }
    }

    /// Closes SVG or MathML content down to an HTML element or an integration point.
    fn leave_foreign(&mut self) {
        let keep = self
            .open
            .iter()
            .rposition(|e| !e.foreign || integration_point(&e.name))
            .map_or(0, |i| i + 1);
        self.pop_to(keep);
    }

    /// Follows a start tag; false when it would open an element deeper than `max_depth`
    /// (links excepted): the tag is then to be dropped, and the stack is left as it was.
    fn start_tag(&mut self, tag: &Tag, html: &str, max_depth: usize) -> bool {
        let name = tag.name.as_str();
        if self.foreign() {
            let breaks_out = BREAKOUT.contains(&name)
                || (name == "font"
                    && attribute_names(tag.attrs(html))
                        .any(|a| matches!(a.as_str(), "color" | "face" | "size")));
            if !breaks_out {
                // A `/>` is not taken to close it: where this stack and html5ever's differ
                // about SVG, an element left open is the safe mistake.
                return self.push(tag, html, max_depth, true);
            }
            // html5ever closes the SVG or MathML content and reads the tag as HTML.
            self.leave_foreign();
        }
        if name == "input"
            && let Some(i) = self.in_scope("select", self.open.len(), &[])
        {
            // An input closes an open select.
            self.pop_to(i);
        }
        if matches!(name, "html" | "head" | "body") {
            return true;
        }
        if VOID.contains(&name) {
            if reconstructs(name) {
                self.reconstruct();
            }
            return true;
        }
        // What the tag closes first, found without changing the stack: a dropped tag closes
        // nothing.
        let mut len = self.open.len();
        // Elements html5ever opens before this one: a row and section for a bare cell.
        let mut implied_parents: &[&str] = &[];
        match name {
            "li" | "dd" | "dt" => {
                let closes: &[&str] = if name == "li" { &["li"] } else { &["dd", "dt"] };
                let open = closes.iter().any(|c| self.has(c));
                for (i, e) in self.open.iter().enumerate().rev() {
                    if e.html_in(closes) {
                        len = i;
                        break;
                    }
                    if !open || (e.blocks() && !e.html_in(&["address", "div", "p"])) {
                        break;
                    }
                }
            }
            "select" => {
                // A select inside a select closes it instead.
                if let Some(i) = self.in_scope("select", len, &[]) {
                    self.pop_to(i);
                    return true;
                }
            }
            "button" => {
                if let Some(i) = self.in_scope("button", len, &[]) {
                    len = i;
                }
            }
            "td" | "th" | "tr" | "tbody" | "thead" | "tfoot" | "caption" | "colgroup" | "table" => {
                // html5ever's table insertion modes, read off the innermost table part open.
                let Some((at, part)) = self.table_mode() else {
                    // Outside a table these tags are ignored (a table opens one).
                    if name != "table" {
                        return true;
                    }
                    return self.push_closing(tag, html, max_depth, len);
                };
                let table = self.open[..=at]
                    .iter()
                    .rposition(|e| e.html("table"))
                    .unwrap_or(at);
                len = match (name, part) {
                    // A table in a cell or caption nests; elsewhere it closes the open one.
                    ("table", "td" | "th" | "caption") => len,
                    ("table", _) => table,
                    ("td" | "th", "tr" | "tbody" | "thead" | "tfoot") => at + 1,
                    ("td" | "th", "td" | "th") => at,
                    ("tr", "tbody" | "thead" | "tfoot") => at + 1,
                    ("tr", "tr") => at,
                    ("tr", "td" | "th") => self.open[..at]
                        .iter()
                        .rposition(|e| e.html("tr"))
                        .unwrap_or(at),
                    _ => table + 1,
                };
                // html5ever opens a tbody (and a tr) around a row (or cell) put straight in a
                // table. Left out, a later `<tr>` would seem to close the row of an outer table
                // and the depth would be undercounted without bound.
                let parent = len.checked_sub(1).and_then(|i| self.open.get(i));
                implied_parents = match name {
                    "td" | "th" if parent.is_some_and(|e| e.html("table")) => &["tbody", "tr"],
                    "td" | "th"
                        if parent.is_some_and(|e| e.html_in(&["tbody", "thead", "tfoot"])) =>
                    {
                        &["tr"]
                    }
                    "tr" if parent.is_some_and(|e| e.html("table")) => &["tbody"],
                    _ => &[],
                };
            }
            "form" if self.has("form") && !self.has("template") => return true,
            _ => {}
        }
        if CLOSES_P.contains(&name)
            && let Some(i) = self.in_scope("p", len, BUTTON_SCOPE)
        {
            len = i;
        }
        if HEADINGS.contains(&name) && self.open[..len].last().is_some_and(|e| e.html_in(HEADINGS))
        {
            len -= 1;
        }
        // Links are never dropped: html5ever closes an open `<a>` before opening another, so
        // they cannot deepen the tree, and they are what the frontier needs.
        let keep = name == "a";
        if len + implied_parents.len() + self.closed_formatting + 1 > max_depth && !keep {
            return false;
        }
        if FORMATTING.contains(&name) && !keep && self.active_formatting() >= MAX_FORMATTING {
            return false;
        }
        self.pop_to(len);
        for &implied in implied_parents {
            self.opened(Open {
                name: implied.to_owned(),
                foreign: false,
                formatting: None,
            });
        }
        // html5ever's implied end tags before options and ruby text.
        let implied: &[&str] = &[
            "dd", "dt", "li", "option", "optgroup", "p", "rb", "rp", "rt", "rtc",
        ];
        match name {
            "option" | "optgroup" if self.in_scope("select", self.open.len(), &[]).is_some() => {
                let except = if name == "option" { "optgroup" } else { "" };
                let names: Vec<&str> = implied.iter().copied().filter(|n| *n != except).collect();
                self.pop_while(&names);
            }
            "option" | "optgroup" => self.pop_while(&["option"]),
            "rb" | "rtc" | "rp" | "rt" if self.in_scope("ruby", self.open.len(), &[]).is_some() => {
                let except = if matches!(name, "rp" | "rt") {
                    "rtc"
                } else {
                    ""
                };
                let names: Vec<&str> = implied.iter().copied().filter(|n| *n != except).collect();
                self.pop_while(&names);
            }
            "a" => {
                // html5ever's misnested-`a` handling: an open link is closed first.
                if let Some((entry, id, open)) = self.formatting_entry("a") {
                    if open
                        && let Some(at) = self.open.iter().rposition(|e| e.formatting == Some(id))
                    {
                        let mut e = self.open.remove(at);
                        e.formatting = None;
                        self.closed(e);
                    }
                    self.remove_formatting(entry);
                }
            }
            _ => {}
        }
        if reconstructs(name) {
            self.reconstruct();
        }
        let foreign = matches!(name, "svg" | "math");
        self.push(tag, html, usize::MAX, foreign)
    }

    /// Opens an element after closing the elements from `len` up, unless that is deeper than
    /// `max_depth`.
    fn push_closing(&mut self, tag: &Tag, html: &str, max_depth: usize, len: usize) -> bool {
        if len + self.closed_formatting + 1 > max_depth {
            return false;
        }
        self.pop_to(len);
        self.push(tag, html, usize::MAX, false)
    }

    /// The innermost open table part (`table`, a section, row, cell, caption or column group)
    /// when html5ever is in a table: its index and name.
    fn table_mode(&self) -> Option<(usize, &str)> {
        if !self.has("table") {
            return None;
        }
        for (i, e) in self.open.iter().enumerate().rev() {
            if e.foreign || e.html_in(&["html", "template"]) {
                return None;
            }
            if e.html_in(&[
                "table", "tbody", "thead", "tfoot", "tr", "td", "th", "caption", "colgroup",
            ]) {
                return Some((i, e.name.as_str()));
            }
        }
        None
    }

    /// Opens an element, unless that is deeper than `max_depth`.
    fn push(&mut self, tag: &Tag, html: &str, max_depth: usize, foreign: bool) -> bool {
        if self.depth() + 1 > max_depth {
            return false;
        }
        let name = tag.name.as_str();
        let mut formatting = None;
        if !foreign && FORMATTING.contains(&name) {
            let attrs = tag.attrs(html).trim().to_string();
            // At most three identical entries after the last marker: the earliest goes.
            let mut same = self
                .formatting
                .iter()
                .enumerate()
                .rev()
                .take_while(|(_, f)| !matches!(f, Formatting::Marker))
                .filter(|(_, f)| {
                    matches!(f, Formatting::Element { name: n, attrs: a, .. }
                        if n == name && *a == attrs)
                })
                .map(|(i, _)| i);
            if let (Some(_), Some(_), Some(earliest)) = (same.next(), same.next(), same.next()) {
                self.remove_formatting(earliest);
            }
            let id = self.next_id;
            self.next_id += 1;
            self.formatting.push(Formatting::Element {
                id,
                name: tag.name.clone(),
                attrs,
                open: true,
            });
            formatting = Some(id);
        }
        if !foreign && MARKERS.contains(&name) {
            self.formatting.push(Formatting::Marker);
        }
        self.opened(Open {
            name: tag.name.clone(),
            foreign,
            formatting,
        });
        true
    }
}

/// Whether html5ever reopens closed formatting elements before an HTML start tag: before
/// inline ones, not before blocks, table parts or what goes to the head.
fn reconstructs(name: &str) -> bool {
    // Besides the start tags that close a `p` (all but `xmp`, which reopens them after):
    // what goes to the head, table parts and a few blocks of their own.
    const ALSO_NOT: &[&str] = &[
        "html", "head", "body", "frameset", "base", "basefont", "bgsound", "link", "meta",
        "noframes", "script", "style", "template", "title", "form", "table", "param", "source",
        "track", "hr", "textarea", "iframe", "noembed", "noscript", "rb", "rtc", "rp", "rt",
        "caption", "col", "colgroup", "frame", "tbody", "td", "tfoot", "th", "thead", "tr",
    ];
    name == "xmp" || !(CLOSES_P.contains(&name) || ALSO_NOT.contains(&name))
}

/// SVG and MathML elements inside which start tags are HTML again (`annotation-xml` only with
/// an HTML encoding, but it is taken as one always: reading SVG as HTML errs towards depth).
fn integration_point(name: &str) -> bool {
    [
        "foreignobject",
        "desc",
        "title",
        "mi",
        "mo",
        "mn",
        "ms",
        "mtext",
        "annotation-xml",
    ]
    .iter()
    .any(|p| p.eq_ignore_ascii_case(name))
}

/// The attribute names in a tag's attribute text, lower-cased, as html5ever's tokenizer reads
/// them.
fn attribute_names(attrs: &str) -> impl Iterator<Item = String> + '_ {
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

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

/// A tag found at a `<`.
struct Tag {
    name: String,
    closing: bool,
    /// Byte offset just past the tag name.
    attrs_start: usize,
    /// Byte offset just past the tag's `>` (or where a comment ends).
    end: usize,
}

impl Tag {
    /// Reads the tag starting at `start` (a `<`); `None` when it is not a tag (text `<`). A
    /// comment, doctype, processing instruction or unterminated tag is a nameless closing tag
    /// ending where html5ever ends it.
    fn parse(html: &str, start: usize) -> Option<Tag> {
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
    fn attrs<'a>(&self, html: &'a str) -> &'a str {
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
    let close = text.find("-->").map(|p| p + 3);
    let bang = text.find("--!>").map(|p| p + 4);
    match (close, bang) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(text.len()),
    }
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
    let mut state = AttrState::BeforeName;
    for (offset, &b) in html.as_bytes()[from..].iter().enumerate() {
        state = state.next(b);
        if state == AttrState::End {
            return Some(from + offset);
        }
    }
    None
}

/// Where the content of a raw-text element ends: its end tag, or the end of the document.
fn raw_text_end(html: &str, from: usize, name: &str) -> usize {
    if name == "plaintext" {
        // Nothing ends it.
        return html.len();
    }
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

    /// How deep the elements of a page parse: `<html>` is 1, `<body>` 2.
    fn depth(html: &str) -> usize {
        let parsed = scraper::Html::parse_document(html);
        let mut deepest = 0;
        let mut stack = vec![(parsed.root_element(), 1)];
        while let Some((element, depth)) = stack.pop() {
            deepest = deepest.max(depth);
            stack.extend(
                element
                    .children()
                    .filter_map(scraper::ElementRef::wrap)
                    .map(|child| (child, depth + 1)),
            );
        }
        deepest
    }

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
        // The items of the dropped lists are kept: with their lists gone, each closes the one
        // before it, as siblings.
        assert_eq!(depth(&limited), 6 + 2);
        let flat = "<ul>".to_string() + &"<li>item".repeat(100) + "</ul>";
        assert!(matches!(limit_nesting_to(&flat, 6), Cow::Borrowed(_)));
    }

    /// A fuzzer input for the `extract` target (tests/fuzz_regressions/harness.rs): `\0R`
    /// then a unit repeated to 48 KiB.
    fn amplified(input: &[u8]) -> String {
        let unit = String::from_utf8_lossy(input.strip_prefix(b"\0R").expect("amplified"));
        unit.repeat((48 * 1024usize).div_ceil(unit.len()))
    }

    /// `unit` repeated to 24 KiB.
    fn repeat(unit: &str) -> String {
        unit.repeat(24 * 1024 / unit.len())
    }

    /// html5ever's tree for `html` once limited, at most a small multiple of the limit deep.
    fn assert_shallow(html: &str, what: &str) {
        let limited = limit_nesting(html);
        let d = depth(&limited);
        assert!(d <= MAX_NESTING + 8, "{what}: {d} deep");
    }

    /// Found by the fuzzer: `<ul><li>bold</b>` repeated. The `</b>` closes nothing, but the
    /// guard took it to close one element, so the lists nested unchecked: 3,000 repetitions
    /// (48 KiB) took 8 s to parse and 12,000 took 140 s.
    #[test]
    fn end_tags_that_close_nothing_do_not_hide_depth() {
        let input =
            include_bytes!("../../tests/fuzz_regressions/extract/crash-ignored-end-tag-3340a0d1");
        assert_shallow(&amplified(input), "<ul><li>bold</b>");
    }

    /// Found by the fuzzer: `<taer>><<ttd>cell` repeated. Cutting `<ttd>` out of `<<ttd>cell`
    /// left `<cell`, a tag the guard had read as text, and the page parsed 3,000 deep.
    #[test]
    fn a_dropped_tag_does_not_join_text_into_a_tag() {
        let input = include_bytes!(
            "../../tests/fuzz_regressions/extract/crash-cut-joins-text-into-tag-b8f0564e"
        );
        assert_shallow(&amplified(input), "<taer>><<ttd>cell");
        let html = "<div>".repeat(3) + "<<div>cell</div>";
        assert_eq!(limit_nesting_to(&html, 3), "<div>".repeat(3) + "&lt;cell");
    }

    /// Found by the fuzzer: a list page ending in `<tr><td>cell`, repeated. Outside a table
    /// html5ever ignores `<tr>` and `<td>`, but the guard opened them, and each later `<td>`
    /// then closed the lists above the phantom row for the guard only: 1,300 deep.
    #[test]
    fn table_parts_outside_a_table_close_nothing() {
        let input =
            include_bytes!("../../tests/fuzz_regressions/extract/crash-phantom-table-row-c0f21003");
        assert_shallow(&amplified(input), "list page with a stray row");
        assert_shallow(
            &repeat("<table><table></table><span><tr>"),
            "table in a table",
        );
    }

    /// Found by the fuzzer (a slow unit): `t<t_<ceh` repeated has no `>`, and the guard
    /// looked for one from every `<`: quadratic, 3 s for 48 KiB under the fuzzer, hours for
    /// megabytes. html5ever drops a tag that never ends with the rest of the page.
    #[test]
    fn an_unterminated_tag_ends_the_scan() {
        let input = include_bytes!(
            "../../tests/fuzz_regressions/extract/slow-unit-unterminated-tags-da12c1d0"
        );
        let html = amplified(input).repeat(20);
        let started = std::time::Instant::now();
        assert!(matches!(limit_nesting(&html), Cow::Borrowed(_)));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    /// Markup that html5ever nests but that the guard once missed or took to be closed, each
    /// repeated: the ways past a count of tags, and the way past its first fix.
    #[test]
    fn every_way_html5ever_nests_is_counted() {
        let cases = [
            // `/>` closes nothing in HTML.
            ("self-closing", repeat("<div/>")),
            // `<!-->` is a whole comment.
            ("abrupt comment", repeat("<!--><div>") + "-->"),
            // A quote outside an attribute value quotes nothing.
            (
                "stray quote",
                "<div a'>".to_string() + &repeat("<div>") + "'>",
            ),
            // An end tag does not close past an object, a table or another special element.
            (
                "end tag behind object",
                repeat("<span><object></span></object>"),
            ),
            ("end tag behind table", repeat("<div><table></div></table>")),
            ("end tag behind div", repeat("<b><div></b>")),
            // Elements whose end tag may be omitted still nest where no sibling closes them.
            ("list items", repeat("<li><dd>")),
            // A cell put straight in a table opens a row and a section first; uncounted, the
            // next `<tr>` seemed to close a row of the outer table (found by the fuzzer).
            (
                "bare cell in nested table",
                repeat("<table><td><foo><tr><th>M"),
            ),
            (
                "bare row in nested table",
                repeat("<table><tr><foo><tr><td>M"),
            ),
            ("optgroup", repeat("<optgroup>")),
            ("ruby text", repeat("<rt>")),
            // Elements the guard took to be open that html5ever had closed or ignored.
            ("input in select", repeat("<select><input><span></select>")),
            ("end of line in svg", repeat("<svg></br><x></svg>")),
            ("nested form", repeat("<form><form></form><span></form>")),
            // In SVG, links nest and `<style>` holds markup.
            ("svg links", "<svg>".to_string() + &repeat("<a>")),
            ("svg style", "<svg><style>".to_string() + &repeat("<g>")),
            // html5ever reopens a closed formatting element around the text after it, and the
            // reopened one stays open.
            ("reopened inline", repeat("<span><b></span>x")),
            // html5ever reopens closed formatting elements inside every block.
            (
                "reopened formatting",
                (0..2_000)
                    .map(|i| format!("<div><b id={i}>x</div>"))
                    .collect(),
            ),
        ];
        for (what, html) in cases {
            assert_shallow(&html, what);
        }
    }

    /// Reopened formatting elements multiply what a page parses into even when shallow.
    #[test]
    fn formatting_elements_are_capped() {
        let html: String = (0..1_000)
            .map(|i| format!("<p><font id={i}>x</p>"))
            .collect();
        let limited = limit_nesting(&html);
        assert_eq!(limited.matches("<font").count(), MAX_FORMATTING);
        assert_eq!(limited.matches('x').count(), 1_000);
        // Identical ones count once per three, as html5ever keeps three of them.
        let same = "<p><font color=red>x</p>".repeat(1_000);
        assert!(matches!(limit_nesting(&same), Cow::Borrowed(_)));
    }

    #[test]
    fn a_hundred_thousand_nested_list_items_stay_within_the_parse_work() {
        // Every kept `<li>` opens MAX_NESTING deep and makes html5ever scan that deep: 100k of
        // them took 6 s to parse in a debug build before the work budget.
        let html = "<ul><li>".repeat(100_000) + "deep claim";
        let limited = limit_nesting(&html);
        let kept = limited.matches("<li>").count();
        assert!(
            kept * MAX_NESTING <= 2 * MAX_PARSE_WORK,
            "{kept} list items kept"
        );
        assert!(limited.ends_with("deep claim"));
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
