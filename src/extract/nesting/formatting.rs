//! html5ever's list of active formatting elements: the `b`, `font`, `a`… it reopens
//! ("reconstructs") after they were closed, so that each closed one still counts towards the
//! depth of the tree.

use super::stack::{Open, Stack};

/// An entry in the list of active formatting elements.
pub(super) enum Formatting {
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

impl Stack {
    /// Adds an entry for a formatting element being opened and returns its id. At most three
    /// identical entries stay after the last marker: the earliest goes.
    pub(super) fn add_formatting(&mut self, name: &str, attrs: &str) -> u64 {
        let mut same = self
            .formatting
            .iter()
            .enumerate()
            .rev()
            .take_while(|(_, f)| !matches!(f, Formatting::Marker))
            .filter(|(_, f)| {
                matches!(f, Formatting::Element { name: n, attrs: a, .. }
                    if n == name && a == attrs)
            })
            .map(|(i, _)| i);
        if let (Some(_), Some(_), Some(earliest)) = (same.next(), same.next(), same.next()) {
            self.remove_formatting(earliest);
        }
        let id = self.next_id;
        self.next_id += 1;
        self.formatting.push(Formatting::Element {
            id,
            name: name.to_owned(),
            attrs: attrs.to_owned(),
            open: true,
        });
        id
    }

    /// The element of entry `id` left the stack: the entry stays, to be reopened.
    pub(super) fn formatting_closed(&mut self, id: u64) {
        if let Some(Formatting::Element { open, .. }) = self
            .formatting
            .iter_mut()
            .rev()
            .find(|f| matches!(f, Formatting::Element { id: i, .. } if *i == id))
            && *open
        {
            *open = false;
            self.closed_formatting += 1;
        }
    }

    /// Removes the entries up to and including the last marker.
    pub(super) fn clear_to_marker(&mut self) {
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

    pub(super) fn remove_formatting(&mut self, at: usize) {
        if let Formatting::Element { open: false, .. } = self.formatting.remove(at) {
            self.closed_formatting -= 1;
        }
    }

    /// The formatting entries after the last marker: the ones html5ever may reopen at once.
    pub(super) fn active_formatting(&self) -> usize {
        self.formatting
            .iter()
            .rev()
            .take_while(|f| !matches!(f, Formatting::Marker))
            .count()
    }

    /// The last formatting entry named `name` after the last marker: its index, id and
    /// whether its element is open.
    pub(super) fn formatting_entry(&self, name: &str) -> Option<(usize, u64, bool)> {
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

    /// html5ever's reconstruction of the active formatting elements: the closed entries after
    /// the last marker or open entry are opened again, in order, as new elements.
    pub(super) fn reconstruct(&mut self) {
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
}
