//! Readable text diffs between two captures, for people.
//!
//! A page becomes one line per text block ([`document_lines`]); two such line lists are diffed
//! line by line ([`diff_lines`]), long unchanged runs are folded, and a removed line that was
//! merely edited is paired with its new version so the edited words stand out. The result is
//! plain data ([`TextDiff`]) that the terminal ([`render`]), the web UI or a report can show.
//!
//! Page text is hostile: [`render`] never lets it reach the terminal as control characters.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use aho_corasick::AhoCorasick;
use serde::{Deserialize, Serialize};
use similar::{Algorithm, DiffTag, capture_diff_slices_deadline};

use crate::extract::{BlockKind, Document};
use crate::text::{is_cjk, is_combining_mark, push_terminal_safe};

/// How to diff and how to show the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffOptions {
    /// ANSI colours in [`render`]; without them the output has no escape codes at all.
    pub color: bool,
    /// Unchanged lines kept on each side of a change.
    pub context: usize,
    /// Claim sentences or terms: a line containing one of them (compared lower-cased) is marked
    /// as a claim.
    pub highlight: Vec<String>,
    /// Time budget for the whole diff. Past it the line diff may be coarser and edited lines are
    /// no longer paired, but the diff is still complete and correct.
    pub deadline: Duration,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            color: false,
            context: 2,
            highlight: Vec::new(),
            deadline: Duration::from_secs(2),
        }
    }
}

/// The lines to show for a diff of two captures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextDiff {
    pub lines: Vec<DiffLine>,
    /// Whether anything differs; an unchanged page is one fold line.
    pub changed: bool,
}

/// One line to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub kind: LineKind,
    /// The line's text (empty for a fold).
    pub text: String,
    /// The line contains one of [`DiffOptions::highlight`].
    pub claim: bool,
    /// For a removed or added line paired with an edited version on the other side: the whole
    /// text cut into the parts that changed and those that did not. Empty otherwise.
    pub spans: Vec<Span>,
}

/// What a [`DiffLine`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Same,
    Removed,
    Added,
    /// Unchanged lines left out.
    Fold {
        hidden: usize,
    },
}

/// A piece of a paired line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub text: String,
    /// This piece is not on the other side of the pair.
    pub changed: bool,
}

/// One line per block, prefixed with a short label for the kind of block, text as is.
pub fn document_lines(doc: &Document) -> Vec<String> {
    doc.blocks
        .iter()
        .map(|block| {
            let label = match block.kind {
                BlockKind::Title => "title",
                BlockKind::Heading => "h",
                BlockKind::Text => "p",
                BlockKind::ListItem => "li",
                BlockKind::TableCell => "td",
                BlockKind::MetaDescription => "meta",
                BlockKind::Alt => "alt",
                BlockKind::TitleAttr => "titleattr",
            };
            format!("{label}: {}", block.text)
        })
        .collect()
}

/// How far ahead among the added lines a removed line looks for its edited version. Bounded so
/// a rewritten page with thousands of changed lines costs linear, not quadratic, work.
const PAIR_WINDOW: usize = 8;

/// Diffs two line lists: folds unchanged runs, pairs edited lines and marks their changed parts.
pub fn diff_lines(old: &[String], new: &[String], options: &DiffOptions) -> TextDiff {
    let deadline = Instant::now().checked_add(options.deadline);
    let claims = Claims::new(&options.highlight);
    let ops = capture_diff_slices_deadline(Algorithm::Myers, old, new, deadline);

    // Similar may report a change as delete then insert (or the reverse); pairing needs each
    // changed region whole, so merge adjacent changes.
    let mut regions: Vec<Region> = Vec::new();
    for op in &ops {
        let (tag, o, n) = op.as_tag_tuple();
        match (tag, regions.last_mut()) {
            (DiffTag::Equal, _) => regions.push(Region::Same(o)),
            (_, Some(Region::Changed(po, pn))) => {
                po.end = o.end;
                pn.end = n.end;
            }
            _ => regions.push(Region::Changed(o, n)),
        }
    }

    let mut out = Out {
        lines: Vec::new(),
        claims: &claims,
    };
    let last = regions.len().saturating_sub(1);
    for (i, region) in regions.iter().enumerate() {
        match region {
            Region::Same(range) => {
                // No context is owed to a side of the run that has no change.
                let head = if i == 0 { 0 } else { options.context };
                let tail = if i == last { 0 } else { options.context };
                out.unchanged(&old[range.clone()], head, tail);
            }
            Region::Changed(o, n) => out.changed(&old[o.clone()], &new[n.clone()], deadline),
        }
    }
    TextDiff {
        changed: regions.iter().any(|r| matches!(r, Region::Changed(..))),
        lines: out.lines,
    }
}

enum Region {
    Same(std::ops::Range<usize>),
    Changed(std::ops::Range<usize>, std::ops::Range<usize>),
}

struct Out<'a> {
    lines: Vec<DiffLine>,
    claims: &'a Claims,
}

impl Out<'_> {
    fn push(&mut self, kind: LineKind, text: &str, spans: Vec<Span>) {
        self.lines.push(DiffLine {
            kind,
            text: text.to_owned(),
            claim: self.claims.matches(text),
            spans,
        });
    }

    fn unchanged(&mut self, run: &[String], head: usize, tail: usize) {
        // A fold line in place of one line hides nothing, except that an unchanged page
        // (no context owed on either side) should always read as one fold.
        let whole = head == 0 && tail == 0;
        if run.len() <= head + tail || (run.len() == head + tail + 1 && !whole) {
            run.iter()
                .for_each(|l| self.push(LineKind::Same, l, Vec::new()));
            return;
        }
        run[..head]
            .iter()
            .for_each(|l| self.push(LineKind::Same, l, Vec::new()));
        self.lines.push(DiffLine {
            kind: LineKind::Fold {
                hidden: run.len() - head - tail,
            },
            text: String::new(),
            claim: false,
            spans: Vec::new(),
        });
        run[run.len() - tail..]
            .iter()
            .for_each(|l| self.push(LineKind::Same, l, Vec::new()));
    }

    /// Pairs removed and added lines greedily in order, then emits them so each pair sits
    /// together and both sides keep their order.
    fn changed(&mut self, removed: &[String], added: &[String], deadline: Option<Instant>) {
        let removed_tokens: Vec<Tokens> = removed.iter().map(|l| Tokens::new(l)).collect();
        let added_tokens: Vec<Tokens> = added.iter().map(|l| Tokens::new(l)).collect();
        let mut pairs = Vec::new();
        let mut next_added = 0;
        'removed: for (i, old) in removed_tokens.iter().enumerate() {
            let window = next_added..added.len().min(next_added + PAIR_WINDOW);
            for j in window {
                if past(deadline) {
                    break 'removed;
                }
                if let Some(spans) = inline_diff(old, &added_tokens[j], deadline) {
                    pairs.push((i, j, spans));
                    next_added = j + 1;
                    break;
                }
            }
        }

        let (mut r, mut a) = (0, 0);
        for (i, j, (old_spans, new_spans)) in pairs {
            removed[r..i]
                .iter()
                .for_each(|l| self.push(LineKind::Removed, l, Vec::new()));
            added[a..j]
                .iter()
                .for_each(|l| self.push(LineKind::Added, l, Vec::new()));
            self.push(LineKind::Removed, &removed[i], old_spans);
            self.push(LineKind::Added, &added[j], new_spans);
            (r, a) = (i + 1, j + 1);
        }
        removed[r..]
            .iter()
            .for_each(|l| self.push(LineKind::Removed, l, Vec::new()));
        added[a..]
            .iter()
            .for_each(|l| self.push(LineKind::Added, l, Vec::new()));
    }
}

fn past(deadline: Option<Instant>) -> bool {
    deadline.is_some_and(|d| Instant::now() > d)
}

/// Lower-cased substring matching of the highlight terms.
struct Claims {
    /// None when there are no terms, or too many for one automaton (then `terms` is scanned).
    automaton: Option<AhoCorasick>,
    terms: Vec<String>,
}

impl Claims {
    fn new(highlight: &[String]) -> Self {
        // An empty term would match every line.
        let terms: Vec<String> = highlight
            .iter()
            .map(|h| h.to_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        let automaton = if terms.is_empty() {
            None
        } else {
            AhoCorasick::new(&terms).ok()
        };
        Claims { automaton, terms }
    }

    fn matches(&self, line: &str) -> bool {
        if self.terms.is_empty() {
            return false;
        }
        let line = line.to_lowercase();
        match &self.automaton {
            Some(automaton) => automaton.is_match(&line),
            None => self.terms.iter().any(|t| line.contains(t.as_str())),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// [`is_cjk`]: no spaces between words, so each character stands alone.
    Cjk,
    /// Letters, digits and the marks on them.
    Word,
    Space,
    /// Punctuation and symbols, one character each.
    Other,
}

fn class(c: char) -> Class {
    if is_cjk(c) {
        Class::Cjk
    } else if c.is_alphanumeric() || is_combining_mark(c) {
        Class::Word
    } else if c.is_whitespace() {
        Class::Space
    } else {
        Class::Other
    }
}

/// Words and whitespace runs as tokens; CJK characters and punctuation one per token. The
/// tokens concatenate back to the input.
fn tokenize(s: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut start = 0;
    let mut previous = None;
    for (i, c) in s.char_indices() {
        let class = class(c);
        let joins = previous == Some(class) && matches!(class, Class::Word | Class::Space);
        if !joins && i > start {
            tokens.push(&s[start..i]);
            start = i;
        }
        previous = Some(class);
    }
    if start < s.len() {
        tokens.push(&s[start..]);
    }
    tokens
}

/// Whitespace counts for nothing in similarity: otherwise any two sentences share half their
/// tokens.
fn significant(token: &str) -> bool {
    !token.chars().all(char::is_whitespace)
}

/// A line's tokens, and its significant ones sorted: the multiset overlap of two sorted lists
/// bounds how similar the lines can be, cheaply enough to rule out most candidate pairs
/// without diffing them.
struct Tokens<'a> {
    all: Vec<&'a str>,
    sorted: Vec<&'a str>,
}

impl<'a> Tokens<'a> {
    fn new(line: &'a str) -> Self {
        let all = tokenize(line);
        let mut sorted: Vec<&str> = all.iter().copied().filter(|t| significant(t)).collect();
        sorted.sort_unstable();
        Tokens { all, sorted }
    }

    fn overlap(&self, other: &Tokens<'_>) -> usize {
        let (mut i, mut j, mut common) = (0, 0, 0);
        while let (Some(a), Some(b)) = (self.sorted.get(i), other.sorted.get(j)) {
            match a.cmp(b) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => (i, j, common) = (i + 1, j + 1, common + 1),
            }
        }
        common
    }
}

/// Similarity 2 * matched / total above 0.3, in integers.
fn similar_enough(matched: usize, total: usize) -> bool {
    total == 0 || 20 * matched > 3 * total
}

/// The changed parts of an edited line, if the two lines are similar enough (ratio > 0.3) to
/// be one line edited rather than one removed and another added.
fn inline_diff(
    old: &Tokens<'_>,
    new: &Tokens<'_>,
    deadline: Option<Instant>,
) -> Option<(Vec<Span>, Vec<Span>)> {
    let total = old.sorted.len() + new.sorted.len();
    if !similar_enough(old.overlap(new), total) {
        return None;
    }
    let (old, new) = (&old.all[..], &new.all[..]);
    let ops = capture_diff_slices_deadline(Algorithm::Myers, old, new, deadline);
    let mut matched = 0;
    let (mut old_spans, mut new_spans) = (Vec::new(), Vec::new());
    for op in &ops {
        let (tag, o, n) = op.as_tag_tuple();
        let changed = tag != DiffTag::Equal;
        if !changed {
            matched += old[o.clone()].iter().filter(|t| significant(t)).count();
        }
        old[o]
            .iter()
            .for_each(|t| push_span(&mut old_spans, t, changed));
        new[n]
            .iter()
            .for_each(|t| push_span(&mut new_spans, t, changed));
    }
    if !similar_enough(matched, total) {
        return None;
    }
    Some((tidy(old_spans), tidy(new_spans)))
}

fn push_span(spans: &mut Vec<Span>, text: &str, changed: bool) {
    match spans.last_mut() {
        Some(last) if last.changed == changed => last.text.push_str(text),
        _ => spans.push(Span {
            text: text.to_owned(),
            changed,
        }),
    }
}

/// Folds a space or comma left unchanged between two changes into them, so a reader sees
/// "[, military, aerospace,]" rather than "[,] [military, aerospace,]".
fn tidy(spans: Vec<Span>) -> Vec<Span> {
    let len = spans.len();
    let mut out = Vec::with_capacity(len);
    for (k, span) in spans.into_iter().enumerate() {
        // Merged spans alternate, so an unchanged one not at either end sits between changes.
        let between = !span.changed && k > 0 && k + 1 < len;
        let changed = span.changed || (between && !span.text.chars().any(char::is_alphanumeric));
        push_span(&mut out, &span.text, changed);
    }
    out
}

/// Terminal text for a diff: one line each, "  " same, "- " removed, "+ " added, claims marked
/// "◀ claim" at the end. Without colour, changed parts of paired lines are shown git-style as
/// `[-removed-]` and `{+added+}`.
pub fn render(diff: &TextDiff, options: &DiffOptions) -> String {
    const RESET: &str = "\x1b[0m";
    let mut out = String::new();
    for line in &diff.lines {
        let (sign, colour, open, close) = match line.kind {
            LineKind::Fold { hidden } => {
                let noun = if hidden == 1 { "line" } else { "lines" };
                let text = format!("  … {hidden} unchanged {noun} …");
                if options.color {
                    let _ = writeln!(out, "\x1b[2m{text}{RESET}");
                } else {
                    let _ = writeln!(out, "{text}");
                }
                continue;
            }
            LineKind::Same => ("  ", "", "", ""),
            LineKind::Removed => ("- ", "\x1b[31m", "[-", "-]"),
            LineKind::Added => ("+ ", "\x1b[32m", "{+", "+}"),
        };
        if options.color {
            out.push_str(colour);
        }
        out.push_str(sign);
        if line.spans.is_empty() {
            push_terminal_safe(&mut out, &line.text);
        }
        for span in &line.spans {
            match (span.changed, options.color) {
                (false, _) => push_terminal_safe(&mut out, &span.text),
                (true, true) => {
                    out.push_str("\x1b[1;7m");
                    push_terminal_safe(&mut out, &span.text);
                    out.push_str("\x1b[22;27m");
                }
                (true, false) => {
                    out.push_str(open);
                    push_terminal_safe(&mut out, &span.text);
                    out.push_str(close);
                }
            }
        }
        if options.color && !colour.is_empty() {
            out.push_str(RESET);
        }
        if line.claim {
            if options.color {
                let _ = write!(out, "  \x1b[1;33m◀ claim{RESET}");
            } else {
                out.push_str("  ◀ claim");
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests;
