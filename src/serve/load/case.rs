//! One case as its page shows it: each flag with its two captures and its claim's line before and
//! after, and the visible-text diff of every page the case is about.

use crate::cases::Case;
use crate::claims::Matcher;
use crate::detect::ClaimCache;
use crate::diff::{DiffLine, DiffOptions, LineKind, TextDiff, diff_lines, document_lines};
use crate::flags::{Flag, FlagType};
use crate::store::{CaptureRecord, Store, StoreError};

/// A case with everything its page shows.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub case: Case,
    pub flags: Vec<FlagView>,
    /// One per pair of captures the flags stand on, in the order the flags first name them.
    pub pages: Vec<PageChange>,
}

/// A flag with its captures.
#[derive(Debug, Clone)]
pub struct FlagView {
    pub flag: Flag,
    pub before: Option<CaptureRecord>,
    pub after: Option<CaptureRecord>,
    /// The claim's line as the page had it before and after, when the diff shows it changing.
    pub before_line: Option<DiffLine>,
    pub after_line: Option<DiffLine>,
    /// Index into [`CaseView::pages`] of the diff this flag stands on.
    pub page: Option<usize>,
}

/// What changed in the visible text of one page between two captures.
#[derive(Debug, Clone)]
pub struct PageChange {
    pub url: String,
    pub before: CaptureRecord,
    pub after: CaptureRecord,
    /// `None` when a capture has no extracted text (a failed fetch, a page gone).
    pub diff: Option<TextDiff>,
    /// The claims of both captures, to mark inside lines.
    pub claims: Vec<String>,
}

/// Reads what `case`'s page shows.
pub fn case_view(store: &Store, matcher: &Matcher, case: Case) -> Result<CaseView, StoreError> {
    let mut cache = ClaimCache::new(store, matcher);
    let mut pages: Vec<PageChange> = Vec::new();
    let mut flags = Vec::new();
    for flag in &case.flags {
        let before = capture(store, flag.before.as_ref().map(|c| c.capture_id.as_str()))?;
        let after = capture(store, Some(&flag.after.capture_id))?;
        let mut view = FlagView {
            flag: flag.clone(),
            before: before.clone(),
            after: after.clone(),
            before_line: None,
            after_line: None,
            page: None,
        };
        if let (Some(before), Some(after)) = (before, after) {
            let index = match pages
                .iter()
                .position(|p| p.before.id == before.id && p.after.id == after.id)
            {
                Some(index) => index,
                None => {
                    pages.push(page_change(store, &mut cache, &flag.url, before, after)?);
                    pages.len() - 1
                }
            };
            view.page = Some(index);
            if let Some(diff) = &pages[index].diff {
                (view.before_line, view.after_line) = claim_lines(diff, flag);
            }
        }
        flags.push(view);
    }
    Ok(CaseView { case, flags, pages })
}

fn capture(store: &Store, id: Option<&str>) -> Result<Option<CaptureRecord>, StoreError> {
    match id.and_then(|id| id.parse::<u64>().ok()) {
        Some(id) => store.capture(id),
        None => Ok(None),
    }
}

fn page_change(
    store: &Store,
    cache: &mut ClaimCache<'_>,
    url: &str,
    before: CaptureRecord,
    after: CaptureRecord,
) -> Result<PageChange, StoreError> {
    let mut claims: Vec<String> = Vec::new();
    for id in [before.id, after.id] {
        claims.extend(cache.of_id(id)?.claims.iter().map(|c| c.text.clone()));
    }
    claims.sort();
    claims.dedup();
    let diff = match (store.document_of(&before)?, store.document_of(&after)?) {
        (Some(old), Some(new)) => Some(diff_lines(
            &document_lines(&old),
            &document_lines(&new),
            &DiffOptions {
                highlight: claims.clone(),
                ..DiffOptions::default()
            },
        )),
        _ => None,
    };
    Ok(PageChange {
        url: url.to_string(),
        before,
        after,
        diff,
        claims,
    })
}

/// The lines that hold the flag's claim on either side of the diff: for a removal, the removed
/// line and (if the line was edited rather than dropped) its new version; for an addition or a
/// rewording, the added line and the version it replaced.
fn claim_lines(diff: &TextDiff, flag: &Flag) -> (Option<DiffLine>, Option<DiffLine>) {
    let text = flag.claim_text();
    if text.is_empty() {
        return (None, None);
    }
    let (side, other) = match flag.flag_type {
        FlagType::ClaimRemoved => (LineKind::Removed, LineKind::Added),
        FlagType::ClaimAdded | FlagType::ClaimChanged => (LineKind::Added, LineKind::Removed),
        _ => return (None, None),
    };
    let Some(at) = diff
        .lines
        .iter()
        .position(|l| l.kind == side && l.text.contains(text))
    else {
        return (None, None);
    };
    let line = diff.lines[at].clone();
    // Paired lines come removed first, added next, both cut into spans.
    let partner = if side == LineKind::Removed {
        diff.lines.get(at + 1)
    } else {
        at.checked_sub(1).and_then(|i| diff.lines.get(i))
    }
    .filter(|p| p.kind == other && !p.spans.is_empty() && !line.spans.is_empty())
    .cloned();
    match side {
        LineKind::Removed => (Some(line), partner),
        _ => (partner, Some(line)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::Span;

    fn line(kind: LineKind, text: &str, spans: &[(&str, bool)]) -> DiffLine {
        DiffLine {
            kind,
            text: text.into(),
            claim: false,
            spans: spans
                .iter()
                .map(|(t, c)| Span {
                    text: (*t).into(),
                    changed: *c,
                })
                .collect(),
        }
    }

    fn flag(flag_type: FlagType, text: &str) -> Flag {
        let json = serde_json::json!({
            "schema_version": 1, "flag_id": "f", "flag_type": flag_type, "scope": "site",
            "category": "military", "severity": "high",
            "target": {"id": "t", "name": "T"}, "url": "http://t.example/",
            "claim": {"text": text, "lang": "en", "rule": "military-en", "terms": [],
                      "manufacturer": null},
            "before": null,
            "after": {"capture_id": "2", "captured_at": "2026-11-28T02:00:00Z",
                      "http_status": 200, "sha256": null},
            "first_seen": "2026-11-28T02:00:00Z", "last_seen": "2026-11-28T02:00:00Z",
            "detected_at": "2026-11-28T02:00:00Z", "reason": null,
            "review": {"status": "unreviewed", "note": null}
        });
        serde_json::from_value(json).expect("a flag")
    }

    #[test]
    fn an_edited_line_shows_both_versions_and_a_dropped_one_only_its_old_self() {
        let diff = TextDiff {
            changed: true,
            lines: vec![
                line(LineKind::Same, "h: About", &[]),
                line(
                    LineKind::Removed,
                    "p: We serve military, aerospace and industry.",
                    &[("p: We serve ", false), ("military, aerospace and ", true)],
                ),
                line(
                    LineKind::Added,
                    "p: We serve industry.",
                    &[("p: We serve ", false), ("industry.", false)],
                ),
                line(LineKind::Removed, "li: Defence programs since 1999", &[]),
            ],
        };
        let (before, after) = claim_lines(
            &diff,
            &flag(
                FlagType::ClaimRemoved,
                "We serve military, aerospace and industry.",
            ),
        );
        assert_eq!(before.map(|l| l.kind), Some(LineKind::Removed));
        assert_eq!(
            after.map(|l| l.text),
            Some("p: We serve industry.".to_string())
        );
        let (before, after) = claim_lines(
            &diff,
            &flag(FlagType::ClaimRemoved, "Defence programs since 1999"),
        );
        assert!(before.is_some());
        assert!(after.is_none());
        let (before, after) = claim_lines(&diff, &flag(FlagType::ClaimAdded, "We serve industry."));
        assert!(before.is_some() && after.is_some());
    }
}
