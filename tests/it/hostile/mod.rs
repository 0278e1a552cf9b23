//! Hostile servers, end to end: the real binary against a raw-TCP server that misbehaves on
//! purpose (slow-loris bodies, endless headers, resets, bodies and compression bombs far over
//! `max_body`, redirect loops and chains, redirects to cloud metadata, link traps, huge pages,
//! lying charsets, binary bodies, huge and binary robots.txt, a day-long Retry-After, stalled
//! TLS).
//!
//! Every case crawls two targets, the hostile site and a healthy one on another address, with
//! small bounds, and checks that the crawl ends within its bounds, that the healthy site is
//! crawled as usual (and the run exits 0), and that the hostile page's capture says what went
//! wrong. A watched company may be hostile: a cron job that hangs, crashes or fills the disk is
//! worse than none.
//!
//! The cases are grouped by kind in the submodules; what every case shares (the two sites, the
//! crawl and its checks, the readings of what was recorded) is here.

mod bodies;
mod mislabelled;
mod redirects;
mod robots_and_throttling;
mod slow;
mod traps;

use std::process::Output;
use std::time::{Duration, Instant};

use crate::support::hostile::{Hostile, Plan, head};
use crate::support::*;
use claimwatch::store::{CaptureRecord, Outcome};

/// Small bounds so every case is quick.
const CRAWL: &str = "[crawl]
rate = \"100/s\"
burst = 10
timeout = \"2s\"
max_body = \"1MiB\"
max_pages = 50
max_depth = 5
retries = 1
max_retry_wait = \"1s\"
";
const TIMEOUT: Duration = Duration::from_secs(2);
const MAX_BODY: u64 = 1024 * 1024;
const MAX_PAGES: usize = 50;
const MAX_DEPTH: usize = 5;

/// A crawl that may block on at most `pages` hostile requests ends within this.
fn bound(pages: u32) -> Duration {
    TIMEOUT * pages + Duration::from_secs(10)
}

fn page(links: &[&str], text: &str) -> String {
    let links: String = links
        .iter()
        .map(|l| format!("<a href=\"{l}\">{l}</a> "))
        .collect();
    format!("<html><head><title>t</title></head><body><p>{text}</p>{links}</body></html>")
}

/// The hostile site: a home page linking `path` then `/after.html`, and `plan` at `path`.
async fn hostile_site(path: &str, plan: Plan) -> Hostile {
    Hostile::fixed(vec![
        ("/", Plan::html(page(&[path, "/after.html"], "Welcome"))),
        (path, plan),
        ("/after.html", Plan::html(page(&[], "After the trap"))),
    ])
    .await
}

/// A healthy site on another loopback address (so it is another host to politeness).
async fn healthy_site() -> Server {
    Server::start(
        "127.0.0.2",
        0,
        routes(vec![
            (
                "/",
                Reply::html(page(&["/a.html", "/b.html"], "Healthy home")),
            ),
            ("/a.html", Reply::html(page(&[], "Products"))),
            ("/b.html", Reply::html(page(&[], "Contact"))),
        ]),
    )
    .await
    .expect("start the healthy site")
}

/// Deterministic noise.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

/// One hostile case: the hostile server, the healthy site and a workspace crawling both.
struct Case {
    hostile: Hostile,
    healthy: Server,
    ws: Workspace,
}

/// A finished crawl.
struct Crawl {
    output: Output,
    took: Duration,
}

impl Case {
    /// The hostile target is seeded at the hostile server's root; `extra` goes in its block.
    async fn new(hostile: Hostile, extra: &str) -> Case {
        let seed = hostile.url("/");
        Case::seeded(hostile, &seed, extra).await
    }

    async fn seeded(hostile: Hostile, seed: &str, extra: &str) -> Case {
        let healthy = healthy_site().await;
        let ws = Workspace::new(
            &(CRAWL.to_string()
                + &target("hostile", seed, extra)
                + &target("healthy", &healthy.url("/"), "")),
        );
        Case {
            hostile,
            healthy,
            ws,
        }
    }

    /// Runs `claimwatch crawl ARGS` and checks what every case must hold: it ended within
    /// `within`, exited 0 (the healthy target succeeded), and crawled the healthy site as usual.
    async fn crawl(&self, args: &[&str], within: Duration) -> Crawl {
        let started = Instant::now();
        let mut all = vec!["crawl"];
        all.extend_from_slice(args);
        let output = self.ws.run(&all).await;
        let took = started.elapsed();
        assert!(
            took < within,
            "the crawl took {took:?}, more than {within:?}: {}",
            stdout(&output)
        );
        assert_eq!(
            output.status.code(),
            Some(0),
            "one healthy target is enough: {} {}",
            stdout(&output),
            stderr(&output)
        );
        let mut pages = self.healthy.pages_requested();
        pages.sort();
        assert_eq!(pages, ["/", "/a.html", "/b.html"], "the healthy site");
        let healthy = summary_line(&output, "healthy");
        assert!(!healthy.contains("FAILED"), "{healthy}");
        let words: Vec<&str> = healthy.split_whitespace().collect();
        assert_eq!(words[2..6], ["3", "pages", "3", "ok"], "{healthy}");
        Crawl { output, took }
    }

    /// The document extracted from `capture`, which must have one.
    fn document(&self, capture: &CaptureRecord) -> claimwatch::extract::Document {
        self.ws
            .open_store()
            .document(capture.id)
            .expect("read")
            .expect("document stored")
    }

    /// The last capture of the hostile server's `path`, and its `history` row.
    async fn recorded(&self, path: &str) -> (CaptureRecord, String) {
        self.recorded_url(&self.hostile.url(path)).await
    }

    async fn recorded_url(&self, url: &str) -> (CaptureRecord, String) {
        let capture = {
            let store = self.ws.open_store();
            store
                .captures_for_url(url)
                .expect("read captures")
                .pop()
                .unwrap_or_else(|| panic!("no capture of {url}"))
        };
        let output = self.ws.run(&["history", url]).await;
        assert_eq!(
            output.status.code(),
            Some(0),
            "history {url}: {}",
            stderr(&output)
        );
        let row = stdout(&output)
            .lines()
            .last()
            .unwrap_or_default()
            .to_string();
        (capture, row)
    }

    /// The crawl went on past the hostile page.
    fn assert_went_on(&self) {
        assert_eq!(
            self.hostile.count("/after.html"),
            1,
            "the page after the hostile one: {:?}",
            self.hostile.paths()
        );
    }
}

/// One hostile page crawled beside the healthy site, and what was recorded of it.
struct Recorded {
    case: Case,
    capture: CaptureRecord,
    row: String,
}

/// Serves `plan` at `path` on the hostile site, crawls it within [`bound`]`(pages)`, and
/// reports the capture of `path` under `label`.
async fn one_page(label: &str, path: &str, plan: Plan, pages: u32) -> Recorded {
    let case = Case::new(hostile_site(path, plan).await, "").await;
    let crawl = case.crawl(&[], bound(pages)).await;
    let (capture, row) = case.recorded(path).await;
    report(label, &capture, &crawl);
    Recorded { case, capture, row }
}

/// The STATUS column of a history row ("200", "200 cut", "failed", "refused", ...).
fn status_column(row: &str) -> String {
    // CAPTURED  ID  STATUS (one or two words)  SIZE ...
    let words: Vec<&str> = row.split_whitespace().collect();
    match words.get(3) {
        Some(&w) if w == "cut" || w == "http" || w == "blocked" => format!("{} {w}", words[2]),
        _ => words.get(2).copied().unwrap_or_default().to_string(),
    }
}

/// What the crawler did, for the suite's report (`--nocapture` shows it).
fn report(case: &str, capture: &CaptureRecord, crawl: &Crawl) {
    eprintln!(
        "[hostile] {case}: {:?} status {:?} error {:?} size {:?} truncated {} fetch {} ms, crawl {:.1} s\n[hostile]     {}",
        capture.outcome,
        capture.status,
        capture.error,
        capture.size,
        capture.truncated,
        capture.duration_ms,
        crawl.took.as_secs_f64(),
        summary_line(&crawl.output, "hostile")
    );
}

fn html_head(length: u64) -> String {
    head(
        200,
        &[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", &length.to_string()),
        ],
    )
}

/// Serves the deeply nested `html` at `path` and checks it was extracted within the bound of a
/// page (a debug build on a loaded machine takes a few seconds), `text` kept.
pub(crate) async fn deep_page_keeps_its_text(label: &str, path: &str, html: String, text: &str) {
    let size = html.len();
    let case = Case::new(
        hostile_site(path, Plan::html(html)).await,
        "max_body = \"4MiB\"",
    )
    .await;
    let crawl = case.crawl(&[], Duration::from_secs(10)).await;
    let (capture, _) = case.recorded(path).await;
    report(&format!("{label} ({size} bytes)"), &capture, &crawl);
    assert_eq!(capture.outcome, Outcome::Ok, "{capture:?}");
    let document = case.document(&capture);
    assert!(
        document.blocks.iter().any(|b| b.text.contains(text)),
        "the text deep inside is kept: {:?}",
        document.blocks
    );
    case.assert_went_on();
}
