//! A report to attach to a case file: one self-contained HTML document (`claimwatch report`) with
//! the cases, each flag with its claim before and after, reason and capture digests, and the
//! diffs, drawn by the review desk's own templates.
//!
//! The file asks for nothing from anywhere: its stylesheet is inside it, it has no script, and a
//! Content-Security-Policy in the document forbids everything but that stylesheet (named by its
//! digest), so even a browser opening it from a mail attachment loads nothing. Printed (or saved
//! as PDF) it reads on paper: diffs inline, one case a page, colours kept.

use base64::Engine;
use chrono::{DateTime, Utc};
use maud::html;
use sha2::{Digest, Sha256};

use crate::cases::cases;
use crate::claims::{ClaimsError, Matcher};
use crate::config::Config;
use crate::flags::filter::FlagFilter;
use crate::serve::load::case::case_view;
use crate::serve::pages::case::case_body;
use crate::serve::pages::{Mode, STYLESHEET, Style, case_item, document, when};
use crate::store::{Store, StoreError};

/// Why the report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Claims(#[from] ClaimsError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A report, ready to write.
#[derive(Debug, Clone)]
pub struct Report {
    pub html: String,
    pub cases: usize,
    pub flags: usize,
}

/// The cases whose flags meet `filter`, as one HTML document. `filters` describes the filter in
/// words for the report's head ("since 2026-11-01, target sinno").
pub fn report(
    store: &Store,
    config: &Config,
    filter: &FlagFilter,
    filters: &str,
    now: DateTime<Utc>,
) -> Result<Report, ReportError> {
    let matcher = Matcher::new(&config.manufacturers, &config.rules, &config.disabled_packs)?;
    let flags: Vec<_> = store
        .flags()?
        .into_iter()
        .filter(|f| filter.matches(f))
        .collect();
    let flag_count = flags.len();
    let cases = cases(store, flags)?;
    let mut views = Vec::with_capacity(cases.len());
    for case in &cases {
        views.push(case_view(store, &matcher, case.clone())?);
    }
    let header = html! {
        header.report-head {
            h1 { "claimwatch report" }
            dl {
                dt { "Made" } dd { (when(now)) }
                dt { "Flags" } dd { (if filters.is_empty() { "all" } else { filters }) }
                dt { "Cases" } dd { (cases.len()) " cases, " (flag_count) " flags" }
                dt { "Evidence" } dd {
                    "Each capture is named by its id and the SHA-256 of its body as received; "
                    code { "claimwatch show CAPTURE" } " and " code { "claimwatch verify" }
                    " check them against the store."
                }
            }
        }
    };
    let main = html! {
        @if cases.is_empty() {
            p.empty { "No flag matches." }
        } @else {
            section aria-labelledby="contents" {
                h2 #contents { "Cases" }
                ol.cases { @for case in &cases { (case_item(case, Mode::Report)) } }
            }
            @for view in &views { (case_body(view, Mode::Report)) }
        }
    };
    let policy = policy();
    let html = document("Report", Style::Inline { policy: &policy }, header, main);
    Ok(Report {
        html: html.into_string(),
        cases: cases.len(),
        flags: flag_count,
    })
}

/// Nothing but the inline stylesheet, named by its digest.
fn policy() -> String {
    let digest = Sha256::digest(STYLESHEET.as_bytes());
    let hash = base64::engine::general_purpose::STANDARD.encode(digest);
    format!("default-src 'none'; style-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'")
}
