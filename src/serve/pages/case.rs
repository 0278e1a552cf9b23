//! A case's page: what happened, the decision on the whole case, each flag with its claim before
//! and after, its reason and captures and a decision of its own, and the diff of each page.
//! The report shows the same, without forms.

use maud::{Markup, html};

use super::diff::{diff_table, line_content};
use super::{
    Mode, Section, capture_href, case_status_badge, crawled_url, desk_page, flag_type_badge,
    lang_attr, review_badge, review_glyph, review_label, severity_badge, target_href, when,
};
use crate::diff::DiffLine;
use crate::flags::{Allowlist, Flag, FlagType, ReviewStatus};
use crate::serve::load::CaseStatus;
use crate::serve::load::case::{CaseView, FlagView, PageChange};
use crate::store::CaptureRecord;

/// The desk's case page.
pub fn case_page(view: &CaseView, csrf: &str, saved: bool) -> Markup {
    let case = &view.case;
    let main = html! {
        @if saved { p.notice role="status" { "✔ Decision recorded." } }
        nav.crumbs aria-label="Breadcrumbs" {
            a href="/" { "Cases" } " › "
            a href=(target_href(&case.target_id)) { (case.target_name) } " › "
            span { "case " (short(&case.id)) }
        }
        (case_body(view, Mode::Desk { csrf }))
    };
    desk_page(&case.summary, Section::Cases, main)
}

/// The case's head, its flags and its diffs; `mode` decides links and forms.
pub fn case_body(view: &CaseView, mode: Mode<'_>) -> Markup {
    let case = &view.case;
    let n = case.flags.len();
    html! {
        article.case-page id={ "case-" (case.id) } {
            header.case-head {
                h1 { (case.summary) }
                p.case-facts {
                    (case_status_badge(CaseStatus::of(case)))
                    (severity_badge(case.severity))
                    span {
                        @if mode.is_desk() {
                            a href=(target_href(&case.target_id)) { (case.target_name) }
                        } @else {
                            (case.target_name)
                        }
                        " (" (case.target_id) ")"
                    }
                    span { "detected " (when(case.detected_at)) }
                    @if case.run > 0 { span { "run " (case.run) } }
                    span { (n) @if n == 1 { " flag" } @else { " flags" } }
                    span { "case id " code { (case.id) } }
                }
            }
            section.flags aria-labelledby={ "flags-" (case.id) } {
                h2 id={ "flags-" (case.id) } { "Flags" }
                @for flag in &view.flags { (flag_article(flag, view, mode)) }
            }
            // After the evidence in reading order; beside it, and kept in view, on a wide screen.
            @if let Mode::Desk { csrf } = mode {
                (case_review_form(view, csrf))
            }
            @if !view.pages.is_empty() {
                section.changes aria-labelledby={ "changes-" (case.id) } {
                    h2 id={ "changes-" (case.id) } { "What changed in the visible text" }
                    @for (i, page) in view.pages.iter().enumerate() {
                        (page_article(page, &page_anchor(&case.id, i), mode))
                    }
                }
            }
        }
    }
}

fn page_anchor(case_id: &str, index: usize) -> String {
    format!("page-{}-{index}", short(case_id))
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

fn case_review_form(view: &CaseView, csrf: &str) -> Markup {
    let case = &view.case;
    let current = case.status();
    let note = common_note(view);
    html! {
        aside.review-case #review aria-labelledby="review-title" {
            h2 #review-title { "Decision on the whole case" }
            form method="post" action={ "/cases/" (case.id) "/review" } {
                input type="hidden" name="csrf" value=(csrf);
                fieldset.statuses {
                    legend {
                        @if case.flags.len() == 1 { "Status for its one flag" }
                        @else { "Status for all " (case.flags.len()) " flags" }
                    }
                    @for status in ReviewStatus::ALL {
                        label.status-choice {
                            input type="radio" name="status" value=(status.as_str())
                                checked[current == Some(status)] required;
                            span class={ "badge status st-" (status.as_str()) } {
                                span.glyph aria-hidden="true" { (review_glyph(status)) } " " (review_label(status))
                            }
                        }
                    }
                }
                label.note {
                    span { "Note" }
                    textarea name="note" rows="3" maxlength="10000"
                        placeholder="Why: what you checked, what the maker said…" { (note) }
                }
                button type="submit" { "Record for the case" }
            }
        }
    }
}

/// The note the flags share, if they do.
fn common_note(view: &CaseView) -> String {
    let mut notes = view.case.flags.iter().map(|f| f.review.note.as_deref());
    let first = notes.next().flatten();
    if notes.all(|n| n == first) {
        first.unwrap_or_default().to_string()
    } else {
        String::new()
    }
}

fn flag_article(view: &FlagView, case: &CaseView, mode: Mode<'_>) -> Markup {
    let flag = &view.flag;
    html! {
        article.flag id={ "flag-" (flag.flag_id) } {
            header.flag-head {
                (flag_type_badge(flag.flag_type))
                (severity_badge(flag.severity))
                span.badge.plain { (flag.category.as_str()) }
                span.badge.plain { (scope_word(flag)) " scope" }
                (review_badge(flag.review.status))
            }
            @if flag.claim.is_some() { (claim_pair(view, case)) }
            dl.facts {
                dt { "Page" } dd { (crawled_url(&flag.url)) }
                @if let Some(reason) = &flag.reason { dt { "Why" } dd.reason { (reason) } }
                @if let Some(claim) = &flag.claim {
                    dt { "Rule" } dd { code { (claim.rule) } " · terms: " (claim.terms.join(", ")) }
                    @if let Some(maker) = &claim.manufacturer {
                        dt { "Maker" }
                        dd {
                            (maker.name) " · authorized list: " (allowlist_words(maker.allowlist))
                            @if let Some(source) = &maker.source { " · source " (crawled_url(source)) }
                        }
                    }
                    dt { "Seen" } dd { "first " (when(flag.first_seen)) " · last " (when(flag.last_seen)) }
                }
                dt { "Before" } dd { (capture_facts(view.before.as_ref(), flag.before.is_some(), mode)) }
                dt { "After" } dd { (capture_facts(view.after.as_ref(), true, mode)) }
                @if let Some(page) = view.page {
                    dt { "Diff" } dd { a href={ "#" (page_anchor(&case.case.id, page)) } { "the page's text, before and after" } }
                }
                dt { "Flag id" } dd { code { (flag.flag_id) } }
                @if let Some(note) = &flag.review.note { dt { "Note" } dd.note-text { (note) } }
                @if let Some(at) = flag.review.reviewed_at { dt { "Reviewed" } dd { (when(at)) } }
            }
            @if let Mode::Desk { csrf } = mode { (flag_review_form(flag, csrf)) }
        }
    }
}

fn scope_word(flag: &Flag) -> &'static str {
    match flag.scope {
        crate::flags::Scope::Site => "site",
        crate::flags::Scope::Page => "page",
    }
}

fn allowlist_words(allowlist: Allowlist) -> &'static str {
    match allowlist {
        Allowlist::Listed => "lists this site",
        Allowlist::NotListed => "does not list this site",
        Allowlist::Unknown => "unknown",
    }
}

/// The claim as the page had it before and after.
fn claim_pair(view: &FlagView, case: &CaseView) -> Markup {
    let flag = &view.flag;
    let claim_text = flag.claim_text();
    let lang = flag.claim.as_ref().and_then(|c| lang_attr(&c.lang));
    let claims: Vec<String> = vec![claim_text.to_string()];
    let page_claims = view
        .page
        .and_then(|i| case.pages.get(i))
        .map_or(&claims, |p| &p.claims);
    let gone_page = view
        .after
        .as_ref()
        .is_some_and(|a| matches!(a.status, Some(404 | 410)));
    let (before, after): (Side<'_>, Side<'_>) = match flag.flag_type {
        FlagType::ClaimRemoved => (
            side_line(view.before_line.as_ref(), claim_text),
            match &view.after_line {
                Some(line) => Side::Line(line),
                None if gone_page => Side::Note("the page is gone"),
                None if flag.scope == crate::flags::Scope::Site => {
                    Side::Note("on no page of the site")
                }
                None => Side::Note("no longer in the page's main content"),
            },
        ),
        FlagType::ClaimAdded => (
            match &view.before_line {
                Some(line) => Side::Line(line),
                None => Side::Note("not on the site"),
            },
            side_line(view.after_line.as_ref(), claim_text),
        ),
        FlagType::ClaimChanged => (
            match &view.before_line {
                Some(line) => Side::Line(line),
                None => Side::Note("the earlier wording is in the diff below"),
            },
            side_line(view.after_line.as_ref(), claim_text),
        ),
        _ => (Side::Note("—"), Side::Text(claim_text)),
    };
    html! {
        div.claim-pair {
            div.side.before { h3 { "Before" } (side(&before, page_claims, lang)) }
            div.side.after { h3 { "After" } (side(&after, page_claims, lang)) }
        }
    }
}

enum Side<'a> {
    Line(&'a DiffLine),
    Text(&'a str),
    Note(&'static str),
}

fn side_line<'a>(line: Option<&'a DiffLine>, text: &'a str) -> Side<'a> {
    line.map_or(Side::Text(text), Side::Line)
}

fn side(side: &Side<'_>, claims: &[String], lang: Option<&str>) -> Markup {
    match side {
        Side::Line(line) => {
            let class = match line.kind {
                crate::diff::LineKind::Removed => "line del",
                crate::diff::LineKind::Added => "line ins",
                _ => "line",
            };
            html! { p class=(class) lang=[lang] { (line_content(line, claims)) } }
        }
        Side::Text(text) => html! { p.line lang=[lang] { mark.claim { (text) } } },
        Side::Note(note) => html! { p.side-note { (note) } },
    }
}

/// A capture's id, time, HTTP status and digest.
fn capture_facts(capture: Option<&CaptureRecord>, expected: bool, mode: Mode<'_>) -> Markup {
    let Some(c) = capture else {
        return html! {
            @if expected { "the capture is no longer in the store" } @else { "none: first seen in the capture after" }
        };
    };
    html! {
        span.capture-facts {
            @if mode.is_desk() {
                a href=(capture_href(c.id)) { "capture " (c.id) }
            } @else {
                "capture " (c.id)
            }
            " · " (when(c.captured_at))
            " · HTTP " (c.status.map_or("—".to_string(), |s| s.to_string()))
            @if !c.is_good() { " · " (format!("{:?}", c.outcome).to_lowercase()) }
            br;
            span.sha { "SHA-256 " code { (c.sha256.as_deref().unwrap_or("—")) } }
        }
    }
}

fn flag_review_form(flag: &Flag, csrf: &str) -> Markup {
    html! {
        form.review-flag method="post" action={ "/flags/" (flag.flag_id) "/review" } {
            input type="hidden" name="csrf" value=(csrf);
            label {
                span { "This flag" }
                select name="status" {
                    @for status in ReviewStatus::ALL {
                        option value=(status.as_str()) selected[flag.review.status == status] {
                            (review_glyph(status)) " " (review_label(status))
                        }
                    }
                }
            }
            label.grow {
                span { "Note" }
                input type="text" name="note" maxlength="10000"
                    value=(flag.review.note.as_deref().unwrap_or_default());
            }
            button type="submit" { "Record" }
        }
    }
}

fn page_article(page: &PageChange, anchor: &str, mode: Mode<'_>) -> Markup {
    html! {
        article.page-change id=(anchor) {
            h3 { (crawled_url(&page.url)) }
            div.capture-pair {
                div { span.side-label { "before" } (capture_facts(Some(&page.before), true, mode)) }
                div { span.side-label { "after" } (capture_facts(Some(&page.after), true, mode)) }
            }
            @match &page.diff {
                Some(diff) if diff.changed => (diff_table(diff, &page.claims)),
                Some(_) => p.side-note { "The visible text did not change." },
                None => p.side-note { "No extracted text to compare: one of the captures is not a good HTML page." },
            }
        }
    }
}
