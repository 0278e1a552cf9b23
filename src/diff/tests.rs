//! Diffs of English, Chinese and Russian lines: pairing, folding, rendering, deadlines.

use super::*;
use crate::extract::Block;

fn lines(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|t| t.to_string()).collect()
}

fn changed_texts(line: &DiffLine) -> Vec<&str> {
    line.spans
        .iter()
        .filter(|s| s.changed)
        .map(|s| s.text.as_str())
        .collect()
}

fn kinds(diff: &TextDiff) -> Vec<LineKind> {
    diff.lines.iter().map(|l| l.kind).collect()
}

/// Spans must rebuild the line exactly, or a renderer would show text that isn't there.
fn assert_spans_rebuild(diff: &TextDiff) {
    for line in diff.lines.iter().filter(|l| !l.spans.is_empty()) {
        let joined: String = line.spans.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(joined, line.text);
    }
}

#[test]
fn document_lines_label_blocks() {
    let doc = Document {
        blocks: vec![
            Block::new(BlockKind::Title, "Acme"),
            Block::new(BlockKind::ListItem, "Radar"),
            Block::new(BlockKind::TitleAttr, "NATO"),
        ],
        ..Document::default()
    };
    assert_eq!(
        document_lines(&doc),
        vec!["title: Acme", "li: Radar", "titleattr: NATO"]
    );
}

#[test]
fn identical_documents_fold_entirely() {
    let doc: Vec<String> = (0..30).map(|i| format!("p: line {i}")).collect();
    let diff = diff_lines(&doc, &doc, &DiffOptions::default());
    assert!(!diff.changed);
    assert_eq!(kinds(&diff), vec![LineKind::Fold { hidden: 30 }]);

    let empty = diff_lines(&[], &[], &DiffOptions::default());
    assert!(!empty.changed);
    assert!(empty.lines.is_empty());
}

#[test]
fn english_edit_is_paired_word_by_word() {
    let old = lines(&[
        "p: top distributor for industrial, military, aerospace, and consumer electronics",
    ]);
    let new = lines(&["p: top distributor for industrial and consumer electronics"]);
    let diff = diff_lines(&old, &new, &DiffOptions::default());
    assert!(diff.changed);
    assert_eq!(kinds(&diff), vec![LineKind::Removed, LineKind::Added]);
    assert_spans_rebuild(&diff);
    let removed = changed_texts(&diff.lines[0]);
    assert_eq!(removed.len(), 1, "{removed:?}");
    assert!(removed[0].contains("military, aerospace,"), "{removed:?}");
    assert!(!removed[0].contains("industrial"));
    assert!(!removed[0].contains("consumer"));
    assert!(changed_texts(&diff.lines[1]).is_empty());
}

#[test]
fn chinese_edit_is_paired_character_by_character() {
    let old = lines(&["p: 专业军工级元器件供应商"]);
    let new = lines(&["p: 专业工业级元器件供应商"]);
    let diff = diff_lines(&old, &new, &DiffOptions::default());
    assert_eq!(kinds(&diff), vec![LineKind::Removed, LineKind::Added]);
    assert_spans_rebuild(&diff);
    let removed = changed_texts(&diff.lines[0]).concat();
    assert!(removed.contains('军'), "{removed:?}");
    assert!(!removed.contains("专业"));
    assert!(!removed.contains("元器件"));
    let added = changed_texts(&diff.lines[1]).concat();
    assert!(!added.is_empty() && !added.contains("专业"), "{added:?}");
}

#[test]
fn tokens() {
    assert_eq!(
        tokenize("Top-tier 军工 supplier, ООО «Рога»"),
        vec![
            "Top", "-", "tier", " ", "军", "工", " ", "supplier", ",", " ", "ООО", " ", "«",
            "Рога", "»"
        ]
    );
    assert_eq!(
        tokenize("カタカナ한국"),
        vec!["カ", "タ", "カ", "ナ", "한", "국"]
    );
    assert_eq!(tokenize("cafe\u{301} x"), vec!["cafe\u{301}", " ", "x"]);
    assert!(tokenize("").is_empty());
}

#[test]
fn dissimilar_lines_are_not_paired() {
    let old = lines(&["p: We supply the armed forces of several nations"]);
    let new = lines(&["p: Our bakery opens at nine every morning"]);
    let diff = diff_lines(&old, &new, &DiffOptions::default());
    assert_eq!(kinds(&diff), vec![LineKind::Removed, LineKind::Added]);
    assert!(diff.lines.iter().all(|l| l.spans.is_empty()));
}

#[test]
fn pairs_keep_order_around_unpaired_lines() {
    let old = lines(&["p: certified defence supplier since 1990", "li: Radar"]);
    let new = lines(&[
        "h: New products",
        "p: certified supplier since 1990",
        "li: Radar systems",
    ]);
    let diff = diff_lines(&old, &new, &DiffOptions::default());
    let shown: Vec<(LineKind, &str, bool)> = diff
        .lines
        .iter()
        .map(|l| (l.kind, l.text.as_str(), !l.spans.is_empty()))
        .collect();
    assert_eq!(
        shown,
        vec![
            (LineKind::Added, "h: New products", false),
            (
                LineKind::Removed,
                "p: certified defence supplier since 1990",
                true
            ),
            (LineKind::Added, "p: certified supplier since 1990", true),
            (LineKind::Removed, "li: Radar", true),
            (LineKind::Added, "li: Radar systems", true),
        ]
    );
    assert_spans_rebuild(&diff);
}

#[test]
fn folding_keeps_context_around_a_change() {
    let old: Vec<String> = (0..50).map(|i| format!("p: line {i}")).collect();
    let mut new = old.clone();
    new[25] = "p: line 25 edited".into();
    let diff = diff_lines(&old, &new, &DiffOptions::default());
    assert_eq!(
        kinds(&diff),
        vec![
            LineKind::Fold { hidden: 23 },
            LineKind::Same,
            LineKind::Same,
            LineKind::Removed,
            LineKind::Added,
            LineKind::Same,
            LineKind::Same,
            LineKind::Fold { hidden: 22 },
        ]
    );
    assert_eq!(diff.lines[1].text, "p: line 23");
    assert_eq!(diff.lines[6].text, "p: line 27");

    // One inserted line: 2 + 1 + 2 shown between two folds.
    let mut new = old.clone();
    new.insert(25, "p: inserted".into());
    let diff = diff_lines(&old, &new, &DiffOptions::default());
    let shown = diff
        .lines
        .iter()
        .filter(|l| !matches!(l.kind, LineKind::Fold { .. }))
        .count();
    assert_eq!(shown, 5);
    assert_eq!(
        kinds(&diff)
            .iter()
            .filter(|k| matches!(k, LineKind::Fold { .. }))
            .count(),
        2
    );
}

#[test]
fn short_gaps_between_changes_are_not_folded() {
    let old: Vec<String> = (0..10).map(|i| format!("p: line {i}")).collect();
    let mut new = old.clone();
    new[2] = "p: line two".into();
    new[7] = "p: line seven".into();
    // Four unchanged lines between the changes: exactly 2 * context, so all shown.
    let diff = diff_lines(&old, &new, &DiffOptions::default());
    assert_eq!(
        kinds(&diff)
            .iter()
            .filter(|k| matches!(k, LineKind::Fold { .. }))
            .count(),
        0
    );
    let diff = diff_lines(
        &old,
        &new,
        &DiffOptions {
            context: 1,
            ..DiffOptions::default()
        },
    );
    assert!(diff.lines.contains(&DiffLine {
        kind: LineKind::Fold { hidden: 2 },
        text: String::new(),
        claim: false,
        spans: Vec::new(),
    }));
    // A fold would hide just one line here, so the line is shown instead.
    let diff = diff_lines(&old[..4], &new[..4], &DiffOptions::default());
    assert_eq!(
        kinds(&diff),
        vec![
            LineKind::Same,
            LineKind::Same,
            LineKind::Removed,
            LineKind::Added,
            LineKind::Same,
        ]
    );
    // ...but an unchanged page is always one fold.
    let diff = diff_lines(&old[..1], &old[..1], &DiffOptions::default());
    assert_eq!(kinds(&diff), vec![LineKind::Fold { hidden: 1 }]);
}

#[test]
fn plain_render_has_no_escape_codes() {
    let old = lines(&[
        "title: Acme",
        "p: top distributor for industrial, military, aerospace, and consumer electronics",
    ]);
    let new = lines(&[
        "title: Acme",
        "p: top distributor for industrial and consumer electronics",
    ]);
    let options = DiffOptions {
        highlight: vec!["MILITARY".into()],
        ..DiffOptions::default()
    };
    let text = render(&diff_lines(&old, &new, &options), &options);
    assert!(!text.contains('\x1b'));
    assert_eq!(
        text,
        "  title: Acme\n\
         - p: top distributor for industrial[-, military, aerospace,-] and consumer \
         electronics  ◀ claim\n\
         + p: top distributor for industrial and consumer electronics\n"
    );
}

#[test]
fn colour_render_marks_changes() {
    let old = lines(&["p: we serve military customers"]);
    let new = lines(&["p: we serve industrial customers"]);
    let options = DiffOptions {
        color: true,
        highlight: vec!["military".into()],
        ..DiffOptions::default()
    };
    let text = render(&diff_lines(&old, &new, &options), &options);
    assert!(text.contains("\x1b[31m- p: we serve \x1b[1;7mmilitary\x1b[22;27m customers"));
    assert!(text.contains("\x1b[32m+ p: we serve \x1b[1;7mindustrial\x1b[22;27m"));
    assert!(text.contains("\x1b[1;33m◀ claim"));
}

#[test]
fn hostile_text_cannot_drive_the_terminal() {
    let old = lines(&["p: safe"]);
    let new = lines(&["p: \x1b[31mred\x1b]0;title\x07 \u{9b}2J \u{202E}evil\r\x7f"]);
    for color in [false, true] {
        let options = DiffOptions {
            color,
            ..DiffOptions::default()
        };
        let text = render(&diff_lines(&old, &new, &options), &options);
        assert!(text.contains("␛[31mred␛]0;title␇"), "{text:?}");
        for bad in ['\u{9b}', '\u{202E}', '\r', '\x07', '\x7f'] {
            assert!(!text.contains(bad), "{bad:?} in {text:?}");
        }
        let escapes = text.matches('\x1b').count();
        let ours = if color {
            text.matches("\x1b[").count()
        } else {
            0
        };
        assert_eq!(escapes, ours);
    }
    let plain = render(
        &diff_lines(&old, &new, &DiffOptions::default()),
        &DiffOptions::default(),
    );
    assert!(!plain.contains('\x1b'));
    assert_eq!(plain.lines().count(), 2);
}

#[test]
fn claim_lines_are_marked() {
    let old = lines(&["p: About us", "p: Contact"]);
    let new = lines(&[
        "p: About us",
        "p: Authorised Military Distributor",
        "p: Contact",
        "p: Поставщик для ОБОРОННОЙ промышленности",
    ]);
    let options = DiffOptions {
        highlight: vec![
            "military distributor".into(),
            "оборонной".into(),
            String::new(),
        ],
        ..DiffOptions::default()
    };
    let diff = diff_lines(&old, &new, &options);
    let claims: Vec<(&str, bool)> = diff
        .lines
        .iter()
        .map(|l| (l.text.as_str(), l.claim))
        .collect();
    assert_eq!(
        claims,
        vec![
            ("p: About us", false),
            ("p: Authorised Military Distributor", true),
            ("p: Contact", false),
            ("p: Поставщик для ОБОРОННОЙ промышленности", true),
        ]
    );
    let text = render(&diff, &options);
    assert_eq!(text.matches("◀ claim").count(), 2);
}

#[test]
fn huge_disjoint_inputs_finish() {
    let old: Vec<String> = (0..20_000)
        .map(|i| format!("p: old paragraph {i} about radar"))
        .collect();
    let new: Vec<String> = (0..20_000)
        .map(|i| format!("li: new item {i} on sonar"))
        .collect();
    let diff = diff_lines(&old, &new, &DiffOptions::default());
    assert!(diff.changed);
    assert_eq!(diff.lines.len(), 40_000);
}

#[test]
fn adversarial_inputs_stop_at_the_deadline() {
    // Few distinct lines in different rhythms: many equal lines, no good alignment.
    let old: Vec<String> = (0..20_000).map(|i| format!("p: {}", i % 7)).collect();
    let new: Vec<String> = (0..20_000).map(|i| format!("p: {}", i % 11)).collect();
    let options = DiffOptions {
        deadline: Duration::from_millis(200),
        ..DiffOptions::default()
    };
    let diff = diff_lines(&old, &new, &options);
    assert!(diff.changed);
    // However coarse, the diff must still account for every line on both sides.
    let mut removed = 0;
    let mut added = 0;
    let mut same = 0;
    for line in &diff.lines {
        match line.kind {
            LineKind::Removed => removed += 1,
            LineKind::Added => added += 1,
            LineKind::Same => same += 1,
            LineKind::Fold { hidden } => same += hidden,
        }
    }
    assert_eq!(removed + same, old.len());
    assert_eq!(added + same, new.len());
}
