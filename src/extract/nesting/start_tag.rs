//! How a start tag changes html5ever's stack of open elements, in the order html5ever takes
//! its steps: leave SVG or MathML content, close what the tag closes, open what html5ever
//! opens around it, then the element itself. Where it goes is worked out before the stack
//! changes, so that a tag dropped for being too deep closes nothing.

use super::MAX_FORMATTING;
use super::stack::{Open, Stack};
use super::tags::{
    BREAKOUT, BUTTON_SCOPE, CLOSES_P, FORMATTING, HEADINGS, IMPLIED_END, TABLE_PARTS, VOID,
    reconstructs,
};
use super::tokenizer::{Tag, attribute_names};

/// Where a start tag's element goes.
struct Placement {
    /// The stack is cut back to this many elements: the ones above are closed by the tag.
    len: usize,
    /// Elements html5ever opens before this one: a row and section for a bare cell.
    implied_parents: &'static [&'static str],
}

impl Placement {
    fn at(len: usize) -> Placement {
        Placement {
            len,
            implied_parents: &[],
        }
    }
}

impl Stack {
    /// Follows a start tag; false when it would open an element deeper than `max_depth`
    /// (links excepted): the tag is then to be dropped, and the stack is left as it was.
    pub(super) fn start_tag(&mut self, tag: &Tag, html: &str, max_depth: usize) -> bool {
        let name = tag.name.as_str();
        if self.foreign() {
            if !breaks_out_of_foreign(tag, html) {
                // A `/>` is not taken to close it: where this stack and html5ever's differ
                // about SVG, an element left open is the safe mistake.
                return self.push(tag, html, max_depth, true);
            }
            // html5ever closes the SVG or MathML content and reads the tag as HTML.
            self.leave_foreign();
        }
        if self.close_select(name) {
            return true;
        }
        if VOID.contains(&name) {
            if reconstructs(name) {
                self.reconstruct();
            }
            return true;
        }
        let Some(placement) = self.placement(name) else {
            return true;
        };
        if !self.fits(name, &placement, max_depth) {
            return false;
        }
        self.open_at(tag, html, placement)
    }

    /// `<xmp>`, whose content is skipped as raw text, first closes a `p` and reopens
    /// formatting elements.
    pub(super) fn xmp(&mut self) {
        if let Some(i) = self.in_scope("p", self.open.len(), BUTTON_SCOPE) {
            self.pop_to(i);
        }
        self.reconstruct();
    }

    /// An input or a select inside a select closes it; a select then opens nothing. Returns
    /// whether the tag is done with.
    fn close_select(&mut self, name: &str) -> bool {
        if !matches!(name, "input" | "select") {
            return false;
        }
        let Some(i) = self.open_in_scope("select") else {
            return false;
        };
        self.pop_to(i);
        name == "select"
    }

    /// Where the element goes, found without changing the stack; None when html5ever ignores
    /// the tag.
    fn placement(&self, name: &str) -> Option<Placement> {
        let mut placement = match name {
            // html5ever gives their attributes to the elements it already has.
            "html" | "head" | "body" => return None,
            "form" if self.has("form") && !self.has("template") => return None,
            "li" | "dd" | "dt" => Placement::at(self.list_item_len(name)),
            "button" => Placement::at(self.open_in_scope("button").unwrap_or(self.open.len())),
            _ if TABLE_PARTS.contains(&name) => self.table_part_placement(name)?,
            _ => Placement::at(self.open.len()),
        };
        placement.len = self.close_paragraph_and_heading(name, placement.len);
        Some(placement)
    }

    /// Where a list item goes: it closes an open item of its kind (`li`, or `dd` and `dt`)
    /// unless a special element other than `address`, `div` or `p` stands between them.
    fn list_item_len(&self, name: &str) -> usize {
        let closes: &[&str] = if name == "li" { &["li"] } else { &["dd", "dt"] };
        let open = closes.iter().any(|c| self.has(c));
        for (i, e) in self.open.iter().enumerate().rev() {
            if e.html_in(closes) {
                return i;
            }
            if !open || (e.blocks() && !e.html_in(&["address", "div", "p"])) {
                break;
            }
        }
        self.open.len()
    }

    /// Where a table part goes, by html5ever's table insertion modes read off the innermost
    /// table part open. Outside a table html5ever ignores them all but `<table>`.
    fn table_part_placement(&self, name: &str) -> Option<Placement> {
        let Some((at, part)) = self.table_mode() else {
            return (name == "table").then(|| Placement::at(self.open.len()));
        };
        let table = self.open[..=at]
            .iter()
            .rposition(|e| e.html("table"))
            .unwrap_or(at);
        let len = match (name, part) {
            // A table in a cell or caption nests; elsewhere it closes the open one.
            ("table", "td" | "th" | "caption") => self.open.len(),
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
        // html5ever opens a tbody (and a tr) around a row (or cell) put straight in a table.
        // Left out, a later `<tr>` would seem to close the row of an outer table and the depth
        // would be undercounted without bound.
        let parent = len.checked_sub(1).and_then(|i| self.open.get(i));
        let implied_parents: &'static [&'static str] = match name {
            "td" | "th" if parent.is_some_and(|e| e.html("table")) => &["tbody", "tr"],
            "td" | "th" if parent.is_some_and(|e| e.html_in(&["tbody", "thead", "tfoot"])) => {
                &["tr"]
            }
            "tr" if parent.is_some_and(|e| e.html("table")) => &["tbody"],
            _ => &[],
        };
        Some(Placement {
            len,
            implied_parents,
        })
    }

    /// `len` cut back further by what the tag closes besides its own kind: a block closes an
    /// open `p`, and a heading a heading right below where it goes.
    fn close_paragraph_and_heading(&self, name: &str, mut len: usize) -> usize {
        if CLOSES_P.contains(&name)
            && let Some(i) = self.in_scope("p", len, BUTTON_SCOPE)
        {
            len = i;
        }
        if HEADINGS.contains(&name) && self.open[..len].last().is_some_and(|e| e.html_in(HEADINGS))
        {
            len -= 1;
        }
        len
    }

    /// Whether the element, with what html5ever opens around it and may reopen, stays within
    /// `max_depth`, and a formatting element within [`MAX_FORMATTING`]. Links are never
    /// dropped: html5ever closes an open `<a>` before opening another, so they cannot deepen
    /// the tree, and they are what the frontier needs.
    fn fits(&self, name: &str, placement: &Placement, max_depth: usize) -> bool {
        if name == "a" {
            return true;
        }
        let depth = placement.len + placement.implied_parents.len() + self.closed_formatting + 1;
        depth <= max_depth
            && !(FORMATTING.contains(&name) && self.active_formatting() >= MAX_FORMATTING)
    }

    /// Opens the element where `placement` puts it, after what html5ever does on the way.
    fn open_at(&mut self, tag: &Tag, html: &str, placement: Placement) -> bool {
        let name = tag.name.as_str();
        self.pop_to(placement.len);
        for &implied in placement.implied_parents {
            self.opened(Open::plain(implied));
        }
        self.close_implied(name);
        if reconstructs(name) {
            self.reconstruct();
        }
        let foreign = matches!(name, "svg" | "math");
        self.push(tag, html, usize::MAX, foreign)
    }

    /// What html5ever closes right before the element: options and ruby text by its implied
    /// end tags, and an open link before a new one.
    fn close_implied(&mut self, name: &str) {
        match name {
            "option" | "optgroup" if self.open_in_scope("select").is_some() => {
                self.pop_implied_except(if name == "option" { "optgroup" } else { "" });
            }
            "option" | "optgroup" => self.pop_while(&["option"]),
            "rb" | "rtc" | "rp" | "rt" if self.open_in_scope("ruby").is_some() => {
                self.pop_implied_except(if matches!(name, "rp" | "rt") {
                    "rtc"
                } else {
                    ""
                });
            }
            "a" => self.close_open_link(),
            _ => {}
        }
    }

    /// html5ever's implied end tags, leaving `except` open.
    fn pop_implied_except(&mut self, except: &str) {
        let names: Vec<&str> = IMPLIED_END
            .iter()
            .copied()
            .filter(|n| *n != except)
            .collect();
        self.pop_while(&names);
    }

    /// html5ever's misnested-`a` handling: an open link is closed first.
    fn close_open_link(&mut self) {
        let Some((entry, id, open)) = self.formatting_entry("a") else {
            return;
        };
        if open && let Some(at) = self.open.iter().rposition(|e| e.formatting == Some(id)) {
            let mut e = self.open.remove(at);
            e.formatting = None;
            self.closed(e);
        }
        self.remove_formatting(entry);
    }
}

/// Whether html5ever leaves SVG or MathML content for this start tag and reads it as HTML
/// (`font` only with a colour, face or size).
fn breaks_out_of_foreign(tag: &Tag, html: &str) -> bool {
    let name = tag.name.as_str();
    BREAKOUT.contains(&name)
        || (name == "font"
            && attribute_names(tag.attrs(html))
                .any(|a| matches!(a.as_str(), "color" | "face" | "size")))
}
