//! How an end tag changes html5ever's stack of open elements. An end tag html5ever ignores must
//! close nothing here either, or the depth it hides goes uncounted.

use super::stack::{Open, Stack};
use super::tags::{
    BUTTON_SCOPE, CLOSES_IN_SCOPE, FORMATTING, HEADINGS, LIST_SCOPE, SCOPE, TABLE_PARTS,
};

impl Stack {
    /// Follows an end tag.
    pub(super) fn end_tag(&mut self, name: &str) {
        if matches!(name, "br" | "p") && self.foreign() {
            // html5ever closes the SVG or MathML content, then reads the tag as HTML.
            self.leave_foreign();
        }
        if self.open.last().is_some_and(|e| e.foreign)
            && let Some(i) = self.foreign_end(name)
        {
            return self.pop_to(i);
        }
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
            "p" => self.in_scope("p", self.open.len(), BUTTON_SCOPE),
            "li" => self.in_scope("li", self.open.len(), LIST_SCOPE),
            "form" => {
                // html5ever takes the form element out of the stack, leaving what is above it.
                if let Some(i) = self.open_in_scope("form") {
                    let e = self.open.remove(i);
                    self.closed(e);
                }
                None
            }
            "template" if self.has("template") => {
                self.open.iter().rposition(|e| e.html("template"))
            }
            "template" => None,
            _ if HEADINGS.contains(&name) => {
                HEADINGS.iter().filter_map(|h| self.open_in_scope(h)).max()
            }
            _ if CLOSES_IN_SCOPE.contains(&name) => self.open_in_scope(name),
            _ if TABLE_PARTS.contains(&name) => self.in_table_scope(name),
            _ if FORMATTING.contains(&name) => self.end_formatting(name),
            _ => self.end_other(name),
        };
        if let Some(i) = close {
            self.pop_to(i);
        }
    }

    /// In SVG or MathML content, the end tag closes the topmost element of its name, looking
    /// down through foreign elements; at an HTML element the HTML rules apply.
    fn foreign_end(&self, name: &str) -> Option<usize> {
        for (i, e) in self.open.iter().enumerate().rev() {
            if !e.foreign {
                return None;
            }
            if e.name.eq_ignore_ascii_case(name) {
                return Some(i);
            }
        }
        None
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
            .any(|e| e.is_integration_point() || e.html_in(SCOPE))
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
}
