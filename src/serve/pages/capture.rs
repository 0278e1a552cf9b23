//! A capture's page: what `claimwatch show` prints, its record's fields and its extracted text
//! block by block, claims marked. The crawled HTML itself is never shown, only text.

use maud::{Markup, html};

use super::target::outcome;
use super::{Section, crawled_url, desk_page, target_href};
use crate::show::CaptureView;

pub fn capture_page(view: &CaptureView) -> Markup {
    let record = &view.record;
    let main = html! {
        nav.crumbs aria-label="Breadcrumbs" {
            a href="/targets" { "Targets" } " › "
            a href=(target_href(&record.target)) { (record.target) } " › "
            span { "capture " (record.id) }
        }
        header.capture-head {
            h1 { "Capture " (record.id) " " (outcome(record)) }
            p { (crawled_url(&record.url)) }
        }
        section aria-labelledby="record-title" {
            h2 #record-title { "Record" }
            div.table-wrap {
                table.fields {
                    tbody {
                        @for (label, value) in &view.fields {
                            tr {
                                th scope="row" { (label) }
                                td {
                                    @if matches!(*label, "url" | "final url" | "redirect" | "sha256") {
                                        code.url { (value) }
                                    } @else {
                                        (value)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="text-title" {
            h2 #text-title { "Extracted text" }
            @if view.blocks.is_empty() {
                p.empty { "No extracted text: not a good HTML capture." }
            } @else {
                p.side-note {
                    span.claim-tag { span aria-hidden="true" { "◆" } " claim" } " marks blocks with claims; "
                    span.badge.plain { "template" } " marks navigation, header, footer and sidebars."
                }
                ol.blocks {
                    @for block in &view.blocks {
                        li.block.claim[!block.claims.is_empty()].template[block.boilerplate] {
                            span.kind { (block.kind) }
                            span.text { (block.text) }
                            @if block.boilerplate { span.badge.plain { "template" } }
                            @if !block.claims.is_empty() {
                                span.claim-tag { span aria-hidden="true" { "◆" } " claim (" (block.claims.join(", ")) ")" }
                            }
                        }
                    }
                }
            }
        }
    };
    desk_page(&format!("Capture {}", record.id), Section::Targets, main)
}
