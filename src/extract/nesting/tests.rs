//! The nesting guard against html5ever: depths measured on the trees it parses, and the
//! pages the fuzzer found that once got past the guard.

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

/// Quoted values are skipped to their closing quote at once; the quote that closes must be
/// the one that opened, and a value that never closes ends the scan, as in html5ever.
#[test]
fn quoted_values_end_at_their_own_quote() {
    let html = "<div title='a\">b' class=\"c'>d\"><div><div>x</div></div></div>";
    let limited = limit_nesting_to(html, 1);
    assert_eq!(limited, "<div title='a\">b' class=\"c'>d\">x</div>");
    let unclosed = "<div><div><div title=\"never closed><div><div>".to_string() + &"x".repeat(300);
    assert!(matches!(limit_nesting_to(&unclosed, 2), Cow::Borrowed(_)));
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
        include_bytes!("../../../tests/fuzz_regressions/extract/crash-ignored-end-tag-3340a0d1");
    assert_shallow(&amplified(input), "<ul><li>bold</b>");
}

/// Found by the fuzzer: `<taer>><<ttd>cell` repeated. Cutting `<ttd>` out of `<<ttd>cell`
/// left `<cell`, a tag the guard had read as text, and the page parsed 3,000 deep.
#[test]
fn a_dropped_tag_does_not_join_text_into_a_tag() {
    let input = include_bytes!(
        "../../../tests/fuzz_regressions/extract/crash-cut-joins-text-into-tag-b8f0564e"
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
        include_bytes!("../../../tests/fuzz_regressions/extract/crash-phantom-table-row-c0f21003");
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
        "../../../tests/fuzz_regressions/extract/slow-unit-unterminated-tags-da12c1d0"
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
