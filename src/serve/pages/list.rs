//! The case list: counts per review status, the filters (a plain GET form), a page of cases
//! newest first, and a pager with access keys (n, p).

use maud::{Markup, html};

use super::{Mode, Section, case_item, case_status_badge, desk_page, flag_type_label};
use crate::flags::filter::FLAG_TYPES;
use crate::serve::load::CaseList;
use crate::serve::query::ListQuery;

pub fn list_page(list: &CaseList, query: &ListQuery) -> Markup {
    let all: usize = list.counts.iter().map(|(_, n)| n).sum();
    let main = html! {
        div.list-head {
            h1 { "Cases" }
            p.lede {
                @if list.total == 1 { "1 case" } @else { (list.total) " cases" }
                @if !query.pairs.is_empty() { " match these filters" }
                ", newest first"
            }
        }
        nav.counts aria-label="Review status" {
            ul {
                li {
                    a href=(query.status_url(None))
                        aria-current=[query.status.is_none().then_some("true")] {
                        span.count-label { "all" } span.count { (all) }
                    }
                }
                @for (status, n) in &list.counts {
                    li {
                        a href=(query.status_url(Some(*status)))
                            aria-current=[(query.status == Some(*status)).then_some("true")] {
                            span.count-label { (case_status_badge(*status)) }
                            span.count { (n) }
                        }
                    }
                }
            }
        }
        (filters(list, query))
        @if list.cases.is_empty() {
            p.empty { "No case matches." @if !query.pairs.is_empty() { " " a href="/" { "Clear the filters" } } }
        } @else {
            ol.cases {
                @for case in &list.cases { (case_item(case, Mode::Desk { csrf: "" })) }
            }
        }
        (pager(list, query))
    };
    desk_page("Cases", Section::Cases, main)
}

fn filters(list: &CaseList, query: &ListQuery) -> Markup {
    let selected = |name: &str, value: &str| query.value(name) == value;
    html! {
        form.filters method="get" action="/" role="search" aria-label="Filter the cases" {
            label {
                span { "Target" }
                select name="target" {
                    option value="" { "any target" }
                    @for (id, name) in &list.targets {
                        option value=(id) selected[selected("target", id)] { (name) " (" (id) ")" }
                    }
                }
            }
            label {
                span { "Category" }
                select name="category" {
                    option value="" { "any category" }
                    @for category in &list.categories {
                        option value=(category) selected[selected("category", category)] { (category) }
                    }
                }
            }
            label {
                span { "Flag type" }
                select name="flag_type" {
                    option value="" { "any type" }
                    @for t in FLAG_TYPES {
                        option value=(t.as_str()) selected[selected("flag_type", t.as_str())] { (flag_type_label(t)) }
                    }
                }
            }
            label {
                span { "Scope" }
                select name="scope" {
                    option value="" { "site or page" }
                    option value="site" selected[selected("scope", "site")] { "site" }
                    option value="page" selected[selected("scope", "page")] { "page" }
                }
            }
            div.dates {
                label {
                    span { "Detected from" }
                    input type="date" name="since" value=(query.value("since"));
                }
                label {
                    span { "to" }
                    input type="date" name="until" value=(query.value("until"));
                }
            }
            @if let Some(status) = query.status {
                // The status is chosen with the counts above; the form keeps it.
                input type="hidden" name="status" value=(status.as_str());
            }
            div.filter-actions {
                button type="submit" { "Filter" }
                @if !query.pairs.is_empty() { a.button.secondary href="/" { "Clear" } }
            }
        }
    }
}

fn pager(list: &CaseList, query: &ListQuery) -> Markup {
    if list.pages <= 1 {
        return html! {};
    }
    html! {
        nav.pager aria-label="Pages" {
            @if list.page > 1 {
                a rel="prev" accesskey="p" href=(query.page_url(list.page - 1)) { "← Newer" }
            } @else {
                span.disabled aria-hidden="true" { "← Newer" }
            }
            span.page-of { "Page " (list.page) " of " (list.pages) }
            @if list.page < list.pages {
                a rel="next" accesskey="n" href=(query.page_url(list.page + 1)) { "Older →" }
            } @else {
                span.disabled aria-hidden="true" { "Older →" }
            }
        }
    }
}
