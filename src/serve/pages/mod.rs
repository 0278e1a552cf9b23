//! The desk's HTML, written with maud, which escapes every value put into a template: crawled
//! text can only ever come out as text. The pieces here (page frame, badges, times, case rows)
//! are shared by the pages and by the report.
//!
//! Links go only to the desk's own paths. Crawled URLs are shown as text, never as links: a
//! click would tell the watched company who is looking (address, browser, when), and an
//! investigator who means to visit a site should do it deliberately, from a browser set up for
//! it, by copying the address.

pub mod capture;
pub mod case;
pub mod diff;
pub mod list;
pub mod target;

use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::load::CaseStatus;
use crate::cases::Case;
use crate::flags::{FlagType, ReviewStatus, Severity};

/// The one stylesheet, served at [`STYLESHEET_PATH`] and inlined into reports.
pub const STYLESHEET: &str = include_str!("../style.css");
pub const STYLESHEET_PATH: &str = "/style.css";

/// Where a page is going: the desk (links to its pages, review forms) or a report file (one
/// document, nothing to post to, links only within it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode<'a> {
    /// The desk; its forms carry this secret.
    Desk {
        csrf: &'a str,
    },
    Report,
}

impl Mode<'_> {
    pub fn is_desk(&self) -> bool {
        matches!(self, Mode::Desk { .. })
    }
}

/// The desk's sections, for the navigation bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Cases,
    Targets,
}

/// A desk page: the frame, the navigation bar and `main`.
pub fn desk_page(title: &str, section: Section, main: Markup) -> Markup {
    let current = |s: Section| if s == section { Some("page") } else { None };
    let header = html! {
        header.bar {
            a.brand href="/" { span.brand-mark aria-hidden="true" { "◆" } " claimwatch" }
            nav aria-label="Sections" {
                a href="/" aria-current=[current(Section::Cases)] { "Cases" }
                a href="/targets" aria-current=[current(Section::Targets)] { "Targets" }
            }
        }
    };
    document(title, Style::Linked, header, main)
}

/// How a document gets its stylesheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style<'a> {
    /// Linked from the desk, whose responses carry the policy as a header.
    Linked,
    /// In the page itself (a report file), under this policy given in a `<meta>`.
    Inline { policy: &'a str },
}

/// A whole HTML document.
pub fn document(title: &str, style: Style<'_>, header: Markup, main: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " · claimwatch" }
                @match style {
                    Style::Inline { policy } => {
                        meta http-equiv="Content-Security-Policy" content=(policy);
                        // The stylesheet is this crate's own text, not crawled content.
                        style { (PreEscaped(STYLESHEET)) }
                    }
                    Style::Linked => link rel="stylesheet" href=(STYLESHEET_PATH);,
                }
            }
            body {
                a.skip href="#main" { "Skip to content" }
                (header)
                main #main { (main) }
            }
        }
    }
}

/// A page that only says something: an error, a refusal.
pub fn message_page(title: &str, message: &str) -> Markup {
    desk_page(
        title,
        Section::Cases,
        html! {
            h1 { (title) }
            p.message { (message) }
            p { a href="/" { "Back to the cases" } }
        },
    )
}

/// A time as people read it, with the exact time for machines.
pub fn when(time: DateTime<Utc>) -> Markup {
    html! {
        time datetime=(time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)) {
            (time.format("%Y-%m-%d %H:%M UTC"))
        }
    }
}

/// A case's review status, as a shape and a word (never colour alone).
pub fn case_status_badge(status: CaseStatus) -> Markup {
    let (glyph, label) = match status {
        CaseStatus::All(s) => (review_glyph(s), review_label(s)),
        CaseStatus::Mixed => ("◐", "partly reviewed"),
    };
    html! {
        span class={ "badge status st-" (status.as_str()) } {
            span.glyph aria-hidden="true" { (glyph) } " " (label)
        }
    }
}

pub fn review_badge(status: ReviewStatus) -> Markup {
    case_status_badge(CaseStatus::All(status))
}

pub fn review_glyph(status: ReviewStatus) -> &'static str {
    match status {
        ReviewStatus::Unreviewed => "○",
        ReviewStatus::Confirmed => "✔",
        ReviewStatus::Dismissed => "⊘",
        ReviewStatus::NeedsTranslation => "文",
    }
}

pub fn review_label(status: ReviewStatus) -> &'static str {
    match status {
        ReviewStatus::Unreviewed => "unreviewed",
        ReviewStatus::Confirmed => "confirmed",
        ReviewStatus::Dismissed => "dismissed",
        ReviewStatus::NeedsTranslation => "needs translation",
    }
}

pub fn severity_badge(severity: Severity) -> Markup {
    let (class, label, bars) = match severity {
        Severity::High => ("sev-high", "high", "▮▮▮"),
        Severity::Medium => ("sev-medium", "medium", "▮▮▯"),
        Severity::Low => ("sev-low", "low", "▮▯▯"),
    };
    html! {
        span class={ "badge sev " (class) } {
            span.glyph aria-hidden="true" { (bars) } " " (label)
        }
    }
}

/// A flag type as a sign and words: "－ claim removed".
pub fn flag_type_badge(flag_type: FlagType) -> Markup {
    html! {
        span class={ "badge type t-" (flag_type.as_str()) } {
            span.glyph aria-hidden="true" { (flag_type_glyph(flag_type)) } " " (flag_type_label(flag_type))
        }
    }
}

pub fn flag_type_glyph(flag_type: FlagType) -> &'static str {
    match flag_type {
        FlagType::ClaimRemoved => "－",
        FlagType::ClaimAdded => "＋",
        FlagType::ClaimChanged => "～",
        FlagType::PartnerUnverified => "？",
        FlagType::SiteUnreachable => "✕",
        FlagType::SiteBack => "↺",
    }
}

pub fn flag_type_label(flag_type: FlagType) -> &'static str {
    match flag_type {
        FlagType::ClaimRemoved => "claim removed",
        FlagType::ClaimAdded => "claim added",
        FlagType::ClaimChanged => "claim reworded",
        FlagType::PartnerUnverified => "partner unverified",
        FlagType::SiteUnreachable => "site unreachable",
        FlagType::SiteBack => "site back",
    }
}

/// The `lang` attribute for text in a claim's language ("und" says nothing).
pub fn lang_attr(lang: &str) -> Option<&str> {
    (!lang.is_empty() && lang != "und").then_some(lang)
}

/// The path of a case's page.
pub fn case_href(id: &str) -> String {
    format!("/cases/{id}")
}

/// The path of a target's page.
pub fn target_href(id: &str) -> String {
    format!(
        "/targets/{}",
        url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
    )
}

/// The path of a capture's page.
pub fn capture_href(id: u64) -> String {
    format!("/captures/{id}")
}

/// One case in a list: a link to its page with its status, severity, target, summary and time.
pub fn case_item(case: &Case, mode: Mode<'_>) -> Markup {
    let href = match mode {
        Mode::Desk { .. } => case_href(&case.id),
        Mode::Report => format!("#case-{}", case.id),
    };
    let mut categories: Vec<&str> = case.flags.iter().map(|f| f.category.as_str()).collect();
    categories.sort_unstable();
    categories.dedup();
    let n = case.flags.len();
    html! {
        li class={ "case sev-" (severity_word(case.severity)) } {
            a.case-link href=(href) {
                span.case-top {
                    (case_status_badge(CaseStatus::of(case)))
                    (severity_badge(case.severity))
                    span.case-target { (case.target_name) }
                }
                span.case-summary { (case.summary) }
                span.case-meta {
                    (when(case.detected_at))
                    " · " (n) @if n == 1 { " flag" } @else { " flags" }
                    " · " (categories.join(", "))
                    @if case.run > 0 { " · run " (case.run) }
                }
            }
        }
    }
}

pub fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
    }
}

/// A crawled URL: text that can be selected and copied, never a link.
pub fn crawled_url(url: &str) -> Markup {
    html! { code.url { (url) } }
}
