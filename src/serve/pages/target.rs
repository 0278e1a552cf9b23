//! A target's page: its claims over time, its site health, its runs and captures at a glance,
//! and its cases; and the page listing every target.

use maud::{Markup, html};

use super::{
    Mode, Section, capture_href, case_item, crawled_url, desk_page, lang_attr, target_href, when,
};
use crate::flags::FlagType;
use crate::flags::filter::FLAG_TYPES;
use crate::serve::load::TargetSummary;
use crate::serve::load::target::{Bar, CAPTURES_SHOWN, TargetView, Timeline};
use crate::serve::svg;
use crate::store::{CaptureRecord, HealthRecord, Outcome, SiteHealth};

pub fn target_page(view: &TargetView) -> Markup {
    let main = html! {
        nav.crumbs aria-label="Breadcrumbs" { a href="/targets" { "Targets" } " › " span { (view.id) } }
        header.target-head {
            h1 { (view.name) }
            p.case-facts {
                span { "id " code { (view.id) } }
                @if let Some(country) = &view.country { span { (country) } }
                @for tag in &view.tags { span.badge.plain { (tag) } }
                @if let Some(latest) = view.health.last() { (health_badge(&latest.health)) }
            }
            @if !view.seeds.is_empty() {
                p.seeds { "Seeds: " @for seed in &view.seeds { (crawled_url(seed)) " " } }
            }
        }
        section aria-labelledby="timeline-title" {
            h2 #timeline-title { "Claims over time" }
            (timeline(&view.timeline, true))
        }
        section aria-labelledby="health-title" {
            h2 #health-title { "Site health" }
            (health_list(&view.health))
        }
        section aria-labelledby="runs-title" {
            h2 #runs-title { "Runs" }
            (runs_table(view))
        }
        section aria-labelledby="cases-title" {
            h2 #cases-title { "Cases" }
            @if view.cases.is_empty() {
                p.empty { "No flags raised for this target yet." }
            } @else {
                ol.cases { @for case in &view.cases { (case_item(case, Mode::Desk { csrf: "" })) } }
            }
        }
        section aria-labelledby="captures-title" {
            h2 #captures-title { "Captures" }
            (captures_table(view))
        }
    };
    desk_page(&view.name, Section::Targets, main)
}

/// The claims drawn on a time axis, with a legend; `link` makes marks links to their cases.
pub fn timeline(tl: &Timeline, link: bool) -> Markup {
    if tl.bars.is_empty() && tl.site_marks.is_empty() {
        return html! { p.empty { "No claims found on this site so far." } };
    }
    html! {
        div.timeline {
            ul.legend aria-label="Legend" {
                li { svg.sample width="28" height="10" aria-hidden="true" { rect width="28" height="10" rx="2" class="span current" {} } " still on the site" }
                li { svg.sample width="28" height="10" aria-hidden="true" { rect width="28" height="10" rx="2" class="span gone" {} } " gone" }
                @for t in FLAG_TYPES.iter().filter(|t| used(tl, **t)) {
                    li { (svg::mark_sample(*t)) " " (super::flag_type_label(*t)) }
                }
            }
            div.tl-row.tl-axis { div.tl-label {} (svg::axis(tl.start, tl.end)) }
            @let (main, brief): (Vec<&Bar>, Vec<&Bar>) =
                tl.bars.iter().partition(|b| b.current || !b.marks.is_empty());
            ol.tl-bars {
                @for bar in &main { (bar_row(bar, tl, link)) }
                @if !tl.site_marks.is_empty() {
                    li.tl-row {
                        div.tl-label { span.tl-text { "The whole site" } span.tl-page { "health, and flags on claims not drawn" } }
                        (svg::marks_row(&tl.site_marks, tl.start, tl.end, link))
                    }
                }
            }
            @if !brief.is_empty() {
                // Claims that came and went without a flag: rotating boxes, mostly. Kept, folded.
                details.tl-more {
                    summary { (brief.len()) " more claims that came and went without a flag (rotation)" }
                    ol.tl-bars { @for bar in &brief { (bar_row(bar, tl, link)) } }
                }
            }
            @if tl.hidden > 0 { p.side-note { (tl.hidden) " more claims without flags are not drawn." } }
        }
    }
}

fn bar_row(bar: &Bar, tl: &Timeline, link: bool) -> Markup {
    html! {
        li.tl-row {
            div.tl-label {
                span.tl-text lang=[lang_attr(&bar.lang)] { (bar.text) }
                span.tl-page {
                    (bar.category)
                    @if let Some(maker) = &bar.maker { " · " (maker) }
                    " · " (crawled_url(&bar.url))
                }
            }
            (svg::bar(bar, tl.start, tl.end, link))
        }
    }
}

fn used(tl: &Timeline, flag_type: FlagType) -> bool {
    tl.bars
        .iter()
        .flat_map(|b| &b.marks)
        .chain(&tl.site_marks)
        .any(|m| m.flag_type == flag_type)
}

fn health_badge(health: &SiteHealth) -> Markup {
    let (class, glyph, word) = match health {
        SiteHealth::Up => ("up", "●", "up"),
        SiteHealth::Blocked { .. } => ("blocked", "⊘", "blocked"),
        SiteHealth::Down { .. } => ("down", "✕", "down"),
    };
    html! { span class={ "badge health h-" (class) } { span.glyph aria-hidden="true" { (glyph) } " " (word) } }
}

fn health_list(records: &[HealthRecord]) -> Markup {
    if records.is_empty() {
        return html! { p.empty { "Not crawled yet." } };
    }
    html! {
        ol.health-list reversed {
            @for record in records.iter().rev() {
                li {
                    (health_badge(&record.health))
                    " run " (record.run) " · " (when(record.at))
                    @if record.health != SiteHealth::Up { " · " span.detail { (record.health.describe()) } }
                }
            }
        }
    }
}

fn runs_table(view: &TargetView) -> Markup {
    if view.runs.is_empty() {
        return html! { p.empty { "No runs yet." } };
    }
    html! {
        div.table-wrap {
            table.runs {
                thead { tr {
                    th scope="col" { "Run" } th scope="col" { "Started" } th scope="col" { "Captures" }
                    th scope="col" .num { "✓ good" } th scope="col" .num { "∅ gone" }
                    th scope="col" .num { "✕ failed" } th scope="col" .num { "⊘ blocked" }
                } }
                tbody {
                    @for row in &view.runs {
                        tr {
                            td { (row.run) } td { (when(row.at)) } td.strip-cell { (svg::run_strip(row)) }
                            td.num { (row.good) } td.num { (row.gone) } td.num { (row.failed) } td.num { (row.blocked) }
                        }
                    }
                }
            }
        }
    }
}

/// A capture's outcome as a shape and a word.
pub fn outcome(capture: &CaptureRecord) -> Markup {
    let status = capture.status.map(|s| s.to_string()).unwrap_or_default();
    let (class, glyph, word) = match capture.outcome {
        Outcome::Ok if capture.truncated => ("good", "✓", format!("{status} cut")),
        Outcome::Ok => ("good", "✓", status),
        Outcome::HttpStatus if matches!(capture.status, Some(404 | 410)) => {
            ("gone", "∅", format!("{status} gone"))
        }
        Outcome::HttpStatus => ("failed", "✕", format!("{status} http")),
        Outcome::Failed => ("failed", "✕", "failed".into()),
        Outcome::RobotsBlocked => ("blocked", "⊘", "robots".into()),
        Outcome::Refused => ("blocked", "⊘", "refused".into()),
        Outcome::Blocked => ("blocked", "⊘", format!("{status} challenge")),
    };
    html! { span class={ "badge outcome o-" (class) } { span.glyph aria-hidden="true" { (glyph) } " " (word) } }
}

fn captures_table(view: &TargetView) -> Markup {
    if view.captures.is_empty() {
        return html! { p.empty { "No captures yet." } };
    }
    html! {
        @if view.capture_count > CAPTURES_SHOWN {
            p.side-note { "The newest " (CAPTURES_SHOWN) " of " (view.capture_count) " captures; "
                code { "claimwatch history " (view.id) } " lists them all." }
        }
        div.table-wrap {
            table.captures {
                thead { tr {
                    th scope="col" { "Capture" } th scope="col" { "When" } th scope="col" { "Outcome" }
                    th scope="col" { "SHA-256" } th scope="col" { "URL" }
                } }
                tbody {
                    @for c in &view.captures {
                        tr {
                            td { a href=(capture_href(c.id)) { (c.id) } }
                            td { (when(c.captured_at)) }
                            td { (outcome(c)) }
                            td { code.sha-short title=(c.sha256.as_deref().unwrap_or("")) { (c.sha256.as_deref().map_or("—", |s| s.get(..12).unwrap_or(s))) } }
                            td { (crawled_url(&c.url)) }
                        }
                    }
                }
            }
        }
    }
}

/// Every target with its health and cases.
pub fn targets_page(targets: &[TargetSummary]) -> Markup {
    let main = html! {
        h1 { "Targets" }
        @if targets.is_empty() {
            p.empty { "The watch-list is empty." }
        } @else {
            div.table-wrap {
                table.targets {
                    thead { tr {
                        th scope="col" { "Target" } th scope="col" { "Health" }
                        th scope="col" .num { "Cases" } th scope="col" .num { "Open" }
                    } }
                    tbody {
                        @for t in targets {
                            tr {
                                td { a href=(target_href(&t.id)) { (t.name) } " " code { (t.id) } }
                                td {
                                    @match &t.health {
                                        Some(h) => { (health_badge(&h.health)) " " (when(h.at)) },
                                        None => "not crawled",
                                    }
                                }
                                td.num { (t.cases) }
                                td.num { (t.open) }
                            }
                        }
                    }
                }
            }
        }
    };
    desk_page("Targets", Section::Targets, main)
}
