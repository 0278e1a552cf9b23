//! Link traps that never end (a calendar, ever-deeper paths) and pages huge in links or depth.

use std::sync::Arc;
use std::time::Duration;

use super::{Case, MAX_DEPTH, MAX_PAGES, deep_page_keeps_its_text, page, report};
use crate::support::hostile::{Hostile, Plan, Route};
use crate::support::{Served, heavy_test_turn, summary_line};
use claimwatch::store::Outcome;

#[tokio::test(flavor = "multi_thread")]
async fn endless_calendar_stops_at_max_pages() {
    // Every month links the next month, the next year and the next day: no end, no repeats.
    let route: Route = Arc::new(|path: &str| {
        if path == "/" {
            return Plan::html(page(&["/calendar?n=0"], "Welcome"));
        }
        match path
            .strip_prefix("/calendar?n=")
            .and_then(|n| n.parse::<u64>().ok())
        {
            Some(n) => {
                let links: Vec<String> = [1, 12, 365]
                    .iter()
                    .map(|step| format!("/calendar?n={}", n + step))
                    .collect();
                let links: Vec<&str> = links.iter().map(String::as_str).collect();
                Plan::html(page(&links, &format!("Events in month {n}")))
            }
            None => Plan::not_found(),
        }
    });
    // Depth does not stop this one: only max_pages can.
    let case = Case::new(
        Hostile::start("127.0.0.1", route).await,
        "max_depth = 100000",
    )
    .await;
    let crawl = case.crawl(&[], Duration::from_secs(30)).await;
    let pages = case.hostile.pages_requested();
    let line = summary_line(&crawl.output, "hostile");
    eprintln!(
        "[hostile] calendar trap: {} pages requested, crawl {:.1} s; summary: {line}",
        pages.len(),
        crawl.took.as_secs_f64()
    );
    assert_eq!(pages.len(), MAX_PAGES, "{pages:?}");
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(words[2..4], ["50", "pages"], "{line}");
}

#[tokio::test(flavor = "multi_thread")]
async fn ever_deeper_paths_stop_at_max_depth() {
    // /x/ links x/ (so /x/x/), and so on forever; and /x/x/... links a fresh sibling too.
    let route: Route = Arc::new(|path: &str| {
        let deep = path.len() > 1 && path[1..].split_terminator('/').all(|s| s == "x");
        if path == "/" || deep {
            Plan::html(page(&["x/", "x/more.html"], "Deeper"))
        } else if path.ends_with("/more.html") {
            Plan::html(page(&["deeper/"], "More"))
        } else {
            Plan::not_found()
        }
    });
    let case = Case::new(Hostile::start("127.0.0.1", route).await, "").await;
    let crawl = case.crawl(&[], Duration::from_secs(30)).await;
    let pages = case.hostile.pages_requested();
    eprintln!(
        "[hostile] ever-deeper paths: {} pages requested, deepest {:?}, crawl {:.1} s",
        pages.len(),
        pages.iter().max_by_key(|p| p.len()),
        crawl.took.as_secs_f64()
    );
    for path in &pages {
        let depth = path.matches("x/").count();
        assert!(depth <= MAX_DEPTH, "{path} is deeper than max_depth");
    }
    assert!(
        pages.iter().any(|p| p.matches("x/").count() == MAX_DEPTH),
        "reached max_depth: {pages:?}"
    );
    assert!(pages.len() <= MAX_PAGES, "{pages:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn page_with_100k_links_is_extracted_quickly_and_bounded() {
    let _turn = heavy_test_turn().await;
    let links: String = (0..100_000)
        .map(|i| format!("<a href=\"/l/{i}\">{i}</a>\n"))
        .collect();
    let home = format!("<html><body><p>Links</p>{links}</body></html>");
    let size = home.len();
    let route: Route = Arc::new(move |path: &str| {
        if path == "/" {
            Plan::html(home.clone())
        } else if path.starts_with("/l/") {
            Plan::html(page(&[], "leaf"))
        } else {
            Plan::not_found()
        }
    });
    // The page is a few MiB: room for all of it.
    let case = Case::new(
        Hostile::start("127.0.0.1", route).await,
        "max_body = \"8MiB\"",
    )
    .await;
    let crawl = case.crawl(&[], Duration::from_secs(30)).await;
    let (capture, _) = case.recorded("/").await;
    report(&format!("100k links ({size} bytes)"), &capture, &crawl);
    assert_eq!(capture.outcome, Outcome::Ok, "{capture:?}");
    assert!(!capture.truncated, "{capture:?}");
    let document = case.document(&capture);
    assert!(
        document.links.len() <= claimwatch::extract::MAX_LINKS,
        "{} links kept",
        document.links.len()
    );
    assert!(!document.links.is_empty());
    let pages = case.hostile.pages_requested();
    assert_eq!(pages.len(), MAX_PAGES, "max_pages bounds the crawl");
}

#[tokio::test(flavor = "multi_thread")]
async fn html_nested_100k_deep_is_extracted_quickly() {
    let _turn = heavy_test_turn().await;
    let html = format!(
        "<html><body>{}<p>Deep inside the page</p>{}</body></html>",
        "<div>".repeat(100_000),
        "</div>".repeat(100_000)
    );
    deep_page_keeps_its_text("100k nested divs", "/deep", html, "Deep inside the page").await;
}
