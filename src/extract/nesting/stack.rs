//! html5ever's stack of open elements, followed closely enough to bound the depth of the tree.
//!
//! This file holds the stack itself and the questions asked of it (scope, table mode); how
//! start and end tags change it is in `start_tag.rs` and `end_tag.rs`, and the list of active
//! formatting elements it carries in `formatting.rs`.

use std::collections::HashMap;

use super::formatting::Formatting;
use super::tags::{
    FORMATTING, MARKERS, SCOPE, SPECIAL, TABLE_PARTS, TABLE_SCOPE, integration_point,
};
use super::tokenizer::Tag;

/// An open element as html5ever would hold it.
pub(super) struct Open {
    pub(super) name: String,
    /// An SVG or MathML element.
    pub(super) foreign: bool,
    /// Its entry in the list of active formatting elements, while it has one.
    pub(super) formatting: Option<u64>,
}

impl Open {
    /// An HTML element that no formatting entry stands for.
    pub(super) fn plain(name: &str) -> Open {
        Open {
            name: name.to_owned(),
            foreign: false,
            formatting: None,
        }
    }

    pub(super) fn html(&self, name: &str) -> bool {
        !self.foreign && self.name == name
    }

    pub(super) fn html_in(&self, names: &[&str]) -> bool {
        !self.foreign && names.contains(&self.name.as_str())
    }

    /// Whether an end tag for an element below this one is ignored: html5ever's special
    /// elements, and (erring towards keeping elements open) SVG and MathML integration points.
    pub(super) fn blocks(&self) -> bool {
        if self.foreign {
            integration_point(&self.name)
        } else {
            SPECIAL.contains(&self.name.as_str())
        }
    }

    /// An SVG or MathML element inside which start tags are HTML again.
    pub(super) fn is_integration_point(&self) -> bool {
        self.foreign && integration_point(&self.name)
    }
}

/// html5ever's stack of open elements and list of active formatting elements, followed
/// closely enough to bound the depth of the tree. html5ever may reopen every closed formatting
/// element at once, so those count towards the depth too. Where the rules are not followed
/// exactly, the stack keeps elements that html5ever would close (never the reverse), and it
/// never takes content to be HTML when html5ever might read it as SVG or MathML.
#[derive(Default)]
pub(super) struct Stack {
    pub(super) open: Vec<Open>,
    /// How many HTML elements of each name are open: most searches of the stack end here.
    /// Asked at almost every tag, so it hashes with foldhash (seeded per process, as names
    /// come from the page) rather than SipHash, which was a fifth of this guard's cost.
    names: HashMap<String, usize, foldhash::fast::RandomState>,
    pub(super) formatting: Vec<Formatting>,
    /// Formatting entries whose element is no longer open.
    pub(super) closed_formatting: usize,
    /// How many SVG and MathML elements are open.
    pub(super) foreign_open: usize,
    pub(super) next_id: u64,
}

impl Stack {
    /// The depth of the tree html5ever holds: what is open, and what it may reopen at once.
    pub(super) fn depth(&self) -> usize {
        self.open.len() + self.closed_formatting
    }

    /// Whether html5ever may read the next start tag as SVG or MathML content.
    pub(super) fn foreign(&self) -> bool {
        self.open
            .last()
            .is_some_and(|e| e.foreign && !integration_point(&e.name))
    }

    /// The index of the topmost HTML element named `name` among the first `len` open ones,
    /// when it is in scope: no default-scope boundary, element of `extra`, or integration
    /// point above it.
    pub(super) fn in_scope(&self, name: &str, len: usize, extra: &[&str]) -> Option<usize> {
        if !self.has(name) {
            return None;
        }
        for (i, e) in self.open[..len].iter().enumerate().rev() {
            if e.html(name) {
                return Some(i);
            }
            if e.is_integration_point() || e.html_in(SCOPE) || e.html_in(extra) {
                return None;
            }
        }
        None
    }

    /// [`Stack::in_scope`] over the whole stack with the default boundaries.
    pub(super) fn open_in_scope(&self, name: &str) -> Option<usize> {
        self.in_scope(name, self.open.len(), &[])
    }

    /// The index of the topmost element named `name` in table scope.
    pub(super) fn in_table_scope(&self, name: &str) -> Option<usize> {
        if !self.has(name) {
            return None;
        }
        for (i, e) in self.open.iter().enumerate().rev() {
            if e.html(name) {
                return Some(i);
            }
            if e.foreign || e.html_in(TABLE_SCOPE) {
                return None;
            }
        }
        None
    }

    /// The innermost open table part (`table`, a section, row, cell, caption or column group)
    /// when html5ever is in a table: its index and name.
    pub(super) fn table_mode(&self) -> Option<(usize, &str)> {
        if !self.has("table") {
            return None;
        }
        for (i, e) in self.open.iter().enumerate().rev() {
            if e.foreign || e.html_in(&["html", "template"]) {
                return None;
            }
            if e.html_in(TABLE_PARTS) {
                return Some((i, e.name.as_str()));
            }
        }
        None
    }

    /// Whether an HTML element named `name` is open.
    pub(super) fn has(&self, name: &str) -> bool {
        self.names.get(name).is_some_and(|&n| n > 0)
    }

    /// Closes the elements from index `at` up.
    pub(super) fn pop_to(&mut self, at: usize) {
        while self.open.len() > at {
            let Some(e) = self.open.pop() else { break };
            self.closed(e);
        }
    }

    /// Pops the current element while it is one of `names` (html5ever's implied end tags).
    pub(super) fn pop_while(&mut self, names: &[&str]) {
        while self.open.last().is_some_and(|e| e.html_in(names)) {
            self.pop_to(self.open.len() - 1);
        }
    }

    /// Pushes `e`, keeping the counts that stand in for searching the stack.
    pub(super) fn opened(&mut self, e: Open) {
        if e.foreign {
            self.foreign_open += 1;
        } else {
            // The name is copied only the first time an element of that name opens.
            match self.names.get_mut(&e.name) {
                Some(n) => *n += 1,
                None => {
                    self.names.insert(e.name.clone(), 1);
                }
            }
        }
        self.open.push(e);
    }

    /// Bookkeeping for an element that left the stack: its counts, its formatting entry, and
    /// the entries a marker closes.
    pub(super) fn closed(&mut self, e: Open) {
        if e.foreign {
            self.foreign_open -= 1;
        } else if let Some(n) = self.names.get_mut(&e.name) {
            *n -= 1;
        }
        if let Some(id) = e.formatting {
            self.formatting_closed(id);
        }
        if !e.foreign && MARKERS.contains(&e.name.as_str()) {
            // Closing a cell, caption, object… clears the formatting entries opened inside.
            self.clear_to_marker();
        }
    }

    /// Text between tags: html5ever reopens closed formatting elements around it, except in
    /// SVG or MathML content and for whitespace between table parts.
    pub(super) fn text(&mut self, text: &str) {
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

    /// Closes SVG or MathML content down to an HTML element or an integration point.
    pub(super) fn leave_foreign(&mut self) {
        let keep = self
            .open
            .iter()
            .rposition(|e| !e.foreign || integration_point(&e.name))
            .map_or(0, |i| i + 1);
        self.pop_to(keep);
    }

    /// Opens an element, unless that is deeper than `max_depth`.
    pub(super) fn push(&mut self, tag: &Tag, html: &str, max_depth: usize, foreign: bool) -> bool {
        if self.depth() + 1 > max_depth {
            return false;
        }
        let name = tag.name.as_str();
        let formatting = (!foreign && FORMATTING.contains(&name))
            .then(|| self.add_formatting(&tag.name, tag.attrs(html).trim()));
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
