//! A visible-text diff as HTML: one row per line, or per edited line with its new version, two
//! cells a row. The stylesheet sets the cells side by side on a wide screen and one under the
//! other (an inline diff) on a narrow one or on paper; removed text is marked － and orange,
//! added ＋ and blue, claims ◆, so no reader depends on telling colours apart.

use maud::{Markup, html};

use crate::diff::{DiffLine, LineKind, TextDiff};

/// The diff of one page.
pub fn diff_table(diff: &TextDiff, claims: &[String]) -> Markup {
    let lines = &diff.lines;
    html! {
        div.diff {
            div.diff-head aria-hidden="true" {
                div.cell { "before" } div.cell { "after" }
            }
            @for row in rows(lines) {
                @match row {
                    Row::Same(line) => div.row.same {
                        div.cell.l { (line_content(line, claims)) }
                        div.cell.r { (line_content(line, claims)) }
                    },
                    Row::Pair(old, new) => div.row.pair {
                        div.cell.l.del { (line_content(old, claims)) }
                        div.cell.r.ins { (line_content(new, claims)) }
                    },
                    Row::Removed(line) => div.row.del {
                        div.cell.l.del { (line_content(line, claims)) }
                        div.cell.r.empty {}
                    },
                    Row::Added(line) => div.row.ins {
                        div.cell.l.empty {}
                        div.cell.r.ins { (line_content(line, claims)) }
                    },
                    Row::Fold(hidden) => div.row.fold {
                        div.cell {
                            "⋯ " (hidden) @if hidden == 1 { " unchanged line" } @else { " unchanged lines" } " ⋯"
                        }
                    },
                }
            }
        }
    }
}

enum Row<'a> {
    Same(&'a DiffLine),
    Pair(&'a DiffLine, &'a DiffLine),
    Removed(&'a DiffLine),
    Added(&'a DiffLine),
    Fold(usize),
}

/// Lines into rows: a removed line cut into spans and the added line after it are one edited
/// line.
fn rows(lines: &[DiffLine]) -> Vec<Row<'_>> {
    let mut rows = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let row = match line.kind {
            LineKind::Same => Row::Same(line),
            LineKind::Fold { hidden } => Row::Fold(hidden),
            LineKind::Added => Row::Added(line),
            LineKind::Removed => match lines.get(i + 1) {
                Some(next)
                    if next.kind == LineKind::Added
                        && !line.spans.is_empty()
                        && !next.spans.is_empty() =>
                {
                    i += 1;
                    Row::Pair(line, next)
                }
                _ => Row::Removed(line),
            },
        };
        rows.push(row);
        i += 1;
    }
    rows
}

/// One line: its sign, the kind of block it is, its text with changed parts and claims marked.
pub fn line_content(line: &DiffLine, claims: &[String]) -> Markup {
    let (sign, said) = match line.kind {
        LineKind::Removed => ("－", "removed: "),
        LineKind::Added => ("＋", "added: "),
        _ => ("", ""),
    };
    let (label, body_start) = block_label(&line.text);
    html! {
        span.sign aria-hidden="true" { (sign) }
        @if !said.is_empty() { span.sr { (said) } }
        @if !label.is_empty() { span.kind { (label) } }
        span.text {
            @for piece in pieces(line, claims, body_start) {
                @if piece.claim && piece.changed {
                    mark.claim { span.chg { (piece.text) } }
                } @else if piece.claim {
                    mark.claim { (piece.text) }
                } @else if piece.changed {
                    span.chg { (piece.text) }
                } @else {
                    (piece.text)
                }
            }
        }
        @if line.claim { span.claim-tag { span aria-hidden="true" { "◆" } " claim" } }
    }
}

/// The block kind a diff line starts with ("p", "li", "alt", …), and where its text starts.
fn block_label(text: &str) -> (&str, usize) {
    match text.split_once(": ") {
        Some((label, _))
            if !label.is_empty()
                && label.len() <= 9
                && label.bytes().all(|b| b.is_ascii_lowercase()) =>
        {
            (label, label.len() + 2)
        }
        _ => ("", 0),
    }
}

/// A run of a line's text that is uniformly changed or not, claim or not.
#[derive(Debug, PartialEq, Eq)]
struct Piece<'a> {
    text: &'a str,
    changed: bool,
    claim: bool,
}

/// Cuts the line's text from `start` at every edge of a changed span and of a claim.
fn pieces<'a>(line: &'a DiffLine, claims: &[String], start: usize) -> Vec<Piece<'a>> {
    let text = line.text.as_str();
    let mut changed: Vec<(usize, usize)> = Vec::new();
    let mut at = 0;
    for span in &line.spans {
        let end = at + span.text.len();
        if span.changed {
            changed.push((at, end));
        }
        at = end;
    }
    let mut claimed: Vec<(usize, usize)> = Vec::new();
    for claim in claims.iter().filter(|c| !c.is_empty()) {
        let mut from = 0;
        while let Some(found) = text[from..].find(claim.as_str()) {
            let begin = from + found;
            claimed.push((begin, begin + claim.len()));
            from = begin + claim.len();
        }
    }
    let mut edges: Vec<usize> = vec![start, text.len()];
    for (a, b) in changed.iter().chain(&claimed) {
        edges.extend([*a, *b]);
    }
    edges.retain(|&e| e >= start && e <= text.len() && text.is_char_boundary(e));
    edges.sort_unstable();
    edges.dedup();
    let inside =
        |ranges: &[(usize, usize)], at: usize| ranges.iter().any(|(a, b)| *a <= at && at < *b);
    edges
        .windows(2)
        .map(|w| Piece {
            text: &text[w[0]..w[1]],
            changed: inside(&changed, w[0]),
            claim: inside(&claimed, w[0]),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::Span;

    #[test]
    fn a_line_is_cut_where_changes_and_claims_begin_and_end() {
        let line = DiffLine {
            kind: LineKind::Removed,
            text: "p: We sell to military buyers. Call us.".into(),
            claim: true,
            spans: vec![
                Span {
                    text: "p: We sell to ".into(),
                    changed: false,
                },
                Span {
                    text: "military".into(),
                    changed: true,
                },
                Span {
                    text: " buyers. Call us.".into(),
                    changed: false,
                },
            ],
        };
        let claims = vec!["We sell to military buyers.".to_string()];
        let got: Vec<(&str, bool, bool)> = pieces(&line, &claims, 3)
            .into_iter()
            .map(|p| (p.text, p.changed, p.claim))
            .collect();
        assert_eq!(
            got,
            [
                ("We sell to ", false, true),
                ("military", true, true),
                (" buyers.", false, true),
                (" Call us.", false, false),
            ]
        );
    }

    #[test]
    fn the_block_label_is_split_off_only_when_it_is_one() {
        assert_eq!(block_label("li: Radar: parts"), ("li", 4));
        assert_eq!(block_label("Note: nothing"), ("", 0));
    }

    #[test]
    fn edited_lines_share_a_row_and_unchanged_runs_fold() {
        let line = |kind, text: &str, spans: Vec<Span>| DiffLine {
            kind,
            text: text.into(),
            claim: false,
            spans,
        };
        let span = |text: &str, changed| Span {
            text: text.into(),
            changed,
        };
        let diff = TextDiff {
            changed: true,
            lines: vec![
                line(LineKind::Fold { hidden: 12 }, "", vec![]),
                line(
                    LineKind::Removed,
                    "p: a b",
                    vec![span("p: a ", false), span("b", true)],
                ),
                line(
                    LineKind::Added,
                    "p: a c",
                    vec![span("p: a ", false), span("c", true)],
                ),
                line(LineKind::Added, "p: new", vec![]),
            ],
        };
        let html = diff_table(&diff, &[]).into_string();
        assert!(html.contains("⋯ 12 unchanged lines ⋯"), "{html}");
        assert_eq!(html.matches("class=\"row pair\"").count(), 1, "{html}");
        assert_eq!(html.matches("class=\"row ins\"").count(), 1, "{html}");
    }

    #[test]
    fn crawled_markup_in_a_line_comes_out_as_text() {
        let line = DiffLine {
            kind: LineKind::Added,
            text: "p: <script>window.pwned=1</script>".into(),
            claim: false,
            spans: Vec::new(),
        };
        let html = line_content(&line, &[]).into_string();
        assert!(
            html.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;"),
            "{html}"
        );
        assert!(!html.contains("<script"), "{html}");
    }
}
