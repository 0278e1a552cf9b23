//! Reading a long watch-list in pieces.
//!
//! toml builds a tree of every table, key and value with its span before serde sees any of it:
//! about 3 KB a target, 340 MB for a watch-list of 100,000 targets, which then stayed the
//! crawl's high-water mark. A watch-list of more than [`PIECE`] targets is therefore read as its
//! other tables, then its targets [`PIECE`] at a time, each piece parsed and checked alone so
//! that only its tree and the checked targets are held. A piece is a run of targets cut out of
//! the file, read with the line it starts on; the other tables are read from a copy of the file
//! with the targets blanked, so that their spans still point into it.
//!
//! Splitting follows toml's own lexer (a `[[target]]` inside a string or a value is not a
//! header). A piece is only a shortcut: whenever anything in the pieces is wrong, or they could
//! mean something else together than the file does, the file is read whole as before, so a
//! broken file gets the same message either way.

use std::collections::HashMap;
use std::ops::Range;

use toml_parser::lexer::TokenKind;

use super::raw::RawFile;
use super::source::Source;
use super::{Config, ConfigError, Target};

/// Targets parsed at once; a file with no more is read whole.
pub(super) const PIECE: usize = 4_096;

/// Reads and checks the watch-list, in pieces when it is long.
pub(super) fn read(source: &Source<'_>, require_targets: bool) -> Result<Config, ConfigError> {
    read_in_pieces_of(source, require_targets, PIECE)
}

pub(super) fn read_in_pieces_of(
    source: &Source<'_>,
    require_targets: bool,
    piece: usize,
) -> Result<Config, ConfigError> {
    if let Some(sections) = sections(source.text)
        && targets(&sections) > piece
        && let Some(config) = read_pieces(source, &sections, piece)
    {
        return Ok(config);
    }
    let raw: RawFile = toml::from_str(source.text).map_err(|e| source.syntax(&e))?;
    source.config(&raw, require_targets)
}

/// What a top-level section of the file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Whatever comes before the first header.
    Preamble,
    /// A `[[target]]`.
    Target,
    /// A table under the target before it (`[target.x]`, `[[target.x]]`).
    TargetPart,
    /// Any other table.
    Other,
}

/// A section: its kind and its bytes, from its header to the next one.
#[derive(Debug, Clone, Copy)]
pub(super) struct Section {
    pub(super) kind: Kind,
    start: usize,
    end: usize,
}

fn targets(sections: &[Section]) -> usize {
    sections.iter().filter(|s| s.kind == Kind::Target).count()
}

/// The file's sections in order, or `None` when a header name is quoted (which this does not
/// follow). A target's subtable away from its target is left to [`runs`].
pub(super) fn sections(text: &str) -> Option<Vec<Section>> {
    let mut starts = vec![(Kind::Preamble, 0)];
    let mut line_start = true;
    let mut in_value = false;
    // Brackets and braces open inside the current value (arrays and inline tables may span
    // lines, and a line inside one may start with `[`).
    let mut depth = 0usize;
    for token in toml_parser::Source::new(text).lex() {
        match token.kind() {
            TokenKind::Newline => {
                if depth == 0 {
                    in_value = false;
                    line_start = true;
                }
            }
            TokenKind::Whitespace | TokenKind::Comment => {}
            TokenKind::LeftSquareBracket if line_start && !in_value => {
                let start = token.span().start();
                starts.push((header_kind(&text[start..])?, start));
                line_start = false;
            }
            TokenKind::Equals => {
                in_value = true;
                line_start = false;
            }
            TokenKind::LeftSquareBracket | TokenKind::LeftCurlyBracket if in_value => {
                depth += 1;
            }
            TokenKind::RightSquareBracket | TokenKind::RightCurlyBracket if in_value => {
                depth = depth.saturating_sub(1);
            }
            _ => line_start = false,
        }
    }
    let ends = starts
        .iter()
        .skip(1)
        .map(|&(_, next)| next)
        .chain([text.len()]);
    Some(
        starts
            .iter()
            .zip(ends)
            .map(|(&(kind, start), end)| Section { kind, start, end })
            .collect(),
    )
}

/// The kind of the section whose header starts `rest`; `None` for a quoted name, which this
/// does not follow.
fn header_kind(rest: &str) -> Option<Kind> {
    let line = rest.split('\n').next().unwrap_or(rest);
    let array = line.starts_with("[[");
    let name_start = if array { 2 } else { 1 };
    let name_end = line[name_start..].find(']')? + name_start;
    let name: String = line[name_start..name_end]
        .chars()
        .filter(|c| !matches!(c, ' ' | '\t'))
        .collect();
    if name.contains(['"', '\'']) {
        return None;
    }
    Some(match name.split('.').next() {
        Some("target") if array && name == "target" => Kind::Target,
        Some("target") => Kind::TargetPart,
        _ => Kind::Other,
    })
}

/// The file read as its other tables, then its targets piece by piece; `None` when anything
/// in it is wrong or its other tables hold targets of their own.
pub(super) fn read_pieces(
    source: &Source<'_>,
    sections: &[Section],
    piece: usize,
) -> Option<Config> {
    let is_target = |s: &Section| matches!(s.kind, Kind::Target | Kind::TargetPart);
    let rest: RawFile = toml::from_str(&keep(source.text, sections, |s| !is_target(s))?).ok()?;
    if !rest.target.is_empty() {
        return None;
    }
    let runs = runs(sections, piece)?;
    let targets = |crawl: &_| {
        let mut targets: Vec<Target> = Vec::new();
        let mut ids = HashMap::new();
        for run in runs {
            // Any error here only sends the file to be read whole, which reports its own.
            let Some(piece) = source.piece(run) else {
                return Err(source.invalid_line(1, "target", "cannot cut a piece"));
            };
            let read: RawFile = toml::from_str(piece.text).map_err(|e| piece.syntax(&e))?;
            for target in &read.target {
                targets.push(piece.target(target, crawl, &mut ids)?);
            }
        }
        Ok::<_, ConfigError>(targets)
    };
    source.config_with_targets(&rest, targets).ok()
}

/// The byte ranges of the pieces: runs of targets with their subtables and nothing between
/// them, of at most `piece` targets each. `None` when a target's subtable stands away from it
/// (after another table), which a piece cannot carry.
fn runs(sections: &[Section], piece: usize) -> Option<Vec<Range<usize>>> {
    let mut runs: Vec<Range<usize>> = Vec::new();
    let mut in_run = 0;
    for s in sections {
        match s.kind {
            Kind::Target if in_run > 0 && in_run < piece => {
                runs.last_mut()?.end = s.end;
                in_run += 1;
            }
            Kind::Target => {
                runs.push(s.start..s.end);
                in_run = 1;
            }
            Kind::TargetPart if in_run > 0 => runs.last_mut()?.end = s.end,
            Kind::TargetPart => return None,
            Kind::Preamble | Kind::Other => in_run = 0,
        }
    }
    Some(runs)
}

/// The text up to the end of the last of `sections`, with the sections `wanted` keeps and every
/// other byte a space: spans in it are spans in the file. `None` only if a section did not
/// start and end between characters, which the lexer's tokens always do.
fn keep(text: &str, sections: &[Section], wanted: impl Fn(&Section) -> bool) -> Option<String> {
    let end = sections.last().map_or(0, |s| s.end);
    let mut out: Vec<u8> = Vec::with_capacity(end);
    for section in sections.iter().filter(|s| wanted(s)) {
        out.resize(section.start, b' ');
        out.extend_from_slice(text.as_bytes().get(section.start..section.end)?);
    }
    out.resize(end, b' ');
    String::from_utf8(out).ok()
}
