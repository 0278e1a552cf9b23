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

use std::io::Read;
use std::process::Output;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::support::hostile::{End, FOREVER, Hostile, Plan, Route, brotli_bomb, gzip_bomb, head};
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
        assert_eq!(words[1..5], ["3", "pages", "3", "ok"], "{healthy}");
        Crawl { output, took }
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

/// A 2xx whose body ran past `max_body`: kept, cut at exactly `max_body`, and said so.
fn assert_cut(capture: &CaptureRecord, row: &str) {
    assert_eq!(capture.outcome, Outcome::Ok, "{capture:?}");
    assert!(capture.truncated, "{capture:?}");
    assert_eq!(capture.size, Some(MAX_BODY), "{capture:?}");
    assert_eq!(
        capture.error.as_deref(),
        Some("body cut at max_body (1.0 MiB)"),
        "{capture:?}"
    );
    assert_eq!(status_column(row), "200 cut", "{row}");
    assert!(row.contains("body cut at max_body"), "{row}");
    assert!(
        capture.duration_ms < TIMEOUT.as_millis() as u64,
        "cut in {} ms: the body was not cut while it streamed",
        capture.duration_ms
    );
}

/// A fetch that timed out: failed, no body, and the reason says so.
fn assert_timed_out(capture: &CaptureRecord, row: &str) {
    assert_eq!(capture.outcome, Outcome::Failed, "{capture:?}");
    assert_eq!(capture.size, None, "{capture:?}");
    let error = capture.error.as_deref().unwrap_or_default();
    // One wording whichever timer fired first, reqwest's or the deadline around the fetch.
    let wording = format!("timed out after {TIMEOUT:?}");
    assert!(error.contains(&wording), "{capture:?}");
    assert_eq!(status_column(row), "failed", "{row}");
    assert!(row.contains(&wording), "{row}");
}

// --- Slow and silent servers ---

#[tokio::test(flavor = "multi_thread")]
async fn slow_loris_body_times_out_and_the_crawl_goes_on() {
    let prefix = "<html><body><p>";
    let plan = Plan::raw(html_head(prefix.len() as u64 + 1000) + prefix).repeating(
        "a",
        1000,
        Duration::from_secs(1),
    );
    let Recorded { case, capture, row } = one_page("slow-loris body", "/slow", plan, 1).await;
    assert_timed_out(&capture, &row);
    assert!(
        capture.duration_ms < TIMEOUT.as_millis() as u64 + 1000,
        "{capture:?}"
    );
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn headers_that_never_end_time_out() {
    let plan = Plan::raw("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
        .repeating(
            "X-Still-Going: yes\r\n",
            FOREVER,
            Duration::from_millis(100),
        )
        .ending(End::Hang);
    let Recorded { case, capture, row } = one_page("endless headers", "/headers", plan, 1).await;
    assert_timed_out(&capture, &row);
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn header_flood_is_refused_without_waiting_for_the_timeout() {
    let line = format!("X-Flood: {}\r\n", "a".repeat(1000));
    let plan = Plan::raw("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
        .repeating(line, FOREVER, Duration::ZERO)
        .ending(End::Hang);
    let Recorded { case, capture, row } = one_page("header flood", "/flood", plan, 1).await;
    assert_eq!(capture.outcome, Outcome::Failed, "{capture:?}");
    assert_eq!(capture.size, None, "{capture:?}");
    assert!(
        capture.duration_ms < TIMEOUT.as_millis() as u64 / 2,
        "a flood of headers is refused as it comes, not timed out: {capture:?}"
    );
    assert_eq!(status_column(&row), "failed", "{row}");
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn server_silent_after_the_request_times_out() {
    let Recorded { case, capture, row } =
        one_page("silent after request", "/silent", Plan::silence(), 1).await;
    assert_timed_out(&capture, &row);
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn stalled_tls_handshake_times_out_and_fails_only_that_target() {
    let tarpit = Hostile::tarpit("127.0.0.1").await;
    let seed = tarpit.https_url("/");
    let case = Case::seeded(tarpit, &seed, "").await;
    let crawl = case.crawl(&[], bound(2)).await;
    assert!(case.hostile.connections() >= 1, "never connected");
    let line = summary_line(&crawl.output, "hostile");
    assert!(line.contains("FAILED"), "{line}");
    assert!(line.contains("timed out"), "{line}");
    // robots.txt could not be read, so the site was left alone; the seed's record says why.
    let (capture, row) = case.recorded_url(&seed).await;
    report("stalled TLS handshake", &capture, &crawl);
    assert_eq!(capture.outcome, Outcome::Failed, "{capture:?}");
    let error = capture.error.as_deref().unwrap_or_default();
    assert!(
        error.contains("robots.txt unreachable") && error.contains("timed out after"),
        "{capture:?}"
    );
    assert_eq!(status_column(&row), "failed", "{row}");
}

// --- Bodies that break off ---

#[tokio::test(flavor = "multi_thread")]
async fn connection_reset_mid_body_is_a_failed_capture_without_a_body() {
    let half = format!("<html><body><p>{}", "a".repeat(50_000));
    let plan = Plan::raw(html_head(100_000) + &half).ending(End::Reset);
    let Recorded { case, capture, row } = one_page("reset mid-body", "/reset", plan, 1).await;
    assert_eq!(capture.outcome, Outcome::Failed, "{capture:?}");
    assert_eq!(capture.size, None, "half a body is not kept: {capture:?}");
    assert!(!capture.has_document, "{capture:?}");
    let error = capture.error.as_deref().unwrap_or_default();
    assert!(
        error.contains("body"),
        "the reason names the body: {capture:?}"
    );
    assert_eq!(status_column(&row), "failed", "{row}");
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn connection_closed_before_content_length_is_a_failed_capture() {
    let half = format!("<html><body><p>{}", "a".repeat(50_000));
    let plan = Plan::raw(html_head(100_000) + &half).ending(End::Close);
    let Recorded { case, capture, row } =
        one_page("closed before Content-Length", "/short", plan, 1).await;
    assert_eq!(capture.outcome, Outcome::Failed, "{capture:?}");
    assert_eq!(capture.size, None, "half a body is not kept: {capture:?}");
    let error = capture.error.as_deref().unwrap_or_default();
    assert!(
        error.contains("body"),
        "the reason names the body: {capture:?}"
    );
    assert_eq!(status_column(&row), "failed", "{row}");
    case.assert_went_on();
}

// --- Bodies far over max_body ---

/// 4 KiB of page text.
fn text_chunk() -> String {
    "<p>Far more text than anyone needs.</p>\n".repeat(100)
}

#[tokio::test(flavor = "multi_thread")]
async fn gigabyte_body_with_content_length_is_cut_at_max_body() {
    let chunk = text_chunk();
    let times = (1u64 << 30) / chunk.len() as u64;
    let prefix = "<html><body>";
    let length = prefix.len() as u64 + times * chunk.len() as u64;
    let plan = Plan::raw(html_head(length) + prefix).repeating(chunk, times, Duration::ZERO);
    let Recorded { case, capture, row } =
        one_page("1 GiB body with Content-Length", "/huge", plan, 1).await;
    assert_cut(&capture, &row);
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn endless_chunked_body_is_cut_at_max_body() {
    let chunk = text_chunk();
    let framed = format!("{:x}\r\n{chunk}\r\n", chunk.len());
    let plan = Plan::raw(head(
        200,
        &[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Transfer-Encoding", "chunked"),
        ],
    ))
    .repeating(framed, FOREVER, Duration::ZERO);
    let Recorded { case, capture, row } =
        one_page("endless chunked body", "/chunked", plan, 1).await;
    assert_cut(&capture, &row);
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn endless_close_delimited_body_is_cut_at_max_body() {
    let plan = Plan::raw(head(200, &[("Content-Type", "text/html; charset=utf-8")])).repeating(
        text_chunk(),
        FOREVER,
        Duration::ZERO,
    );
    let Recorded { case, capture, row } =
        one_page("endless close-delimited body", "/endless", plan, 1).await;
    assert_cut(&capture, &row);
    case.assert_went_on();
}

const BOMB_PREFIX: &[u8] = b"<html><body><p>";

fn bomb_plan(encoding: &str, body: Vec<u8>) -> Plan {
    Plan::reply(
        200,
        &[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Encoding", encoding),
        ],
        body,
    )
}

/// The stored body of a cut bomb: the prefix, then the fill, exactly `max_body` long.
fn assert_bomb_body(case: &Case, capture: &CaptureRecord) {
    let store = case.ws.open_store();
    let body = store
        .body(capture.sha256.as_deref().expect("body hashed"))
        .expect("read")
        .expect("body stored");
    assert_eq!(body.len() as u64, MAX_BODY);
    assert!(body.starts_with(BOMB_PREFIX));
    assert!(body[BOMB_PREFIX.len()..].iter().all(|&b| b == b'a'));
}

#[tokio::test(flavor = "multi_thread")]
async fn gzip_bomb_is_cut_at_max_body_after_decoding() {
    // 1 GiB of text in about 1 MiB of gzip.
    let bomb = gzip_bomb(BOMB_PREFIX, &[b'a'; 1 << 20], 1024);
    bomb_is_cut("gzip", "/bomb.gz", bomb).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn brotli_bomb_is_cut_at_max_body_after_decoding() {
    // 1 GiB of text in about a kilobyte of brotli.
    let bomb = brotli_bomb(BOMB_PREFIX, &[b'a'; 1 << 20], 64);
    bomb_is_cut("br", "/bomb.br", bomb).await;
}

/// Serves `bomb` with Content-Encoding `encoding` and checks it was cut at max_body.
async fn bomb_is_cut(encoding: &str, path: &str, bomb: Vec<u8>) {
    let compressed = bomb.len();
    let case = Case::new(hostile_site(path, bomb_plan(encoding, bomb)).await, "").await;
    let crawl = case.crawl(&[], bound(1)).await;
    let (capture, row) = case.recorded(path).await;
    report(
        &format!("{encoding} bomb (1 GiB in {compressed} bytes)"),
        &capture,
        &crawl,
    );
    assert_cut(&capture, &row);
    assert_bomb_body(&case, &capture);
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn gzip_label_on_a_plain_body_is_a_failed_capture() {
    let plan = Plan::reply(
        200,
        &[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Encoding", "gzip"),
        ],
        "<html><body><p>Not gzip at all</p></body></html>",
    );
    let Recorded { case, capture, row } =
        one_page("gzip label on a plain body", "/fake.gz", plan, 1).await;
    assert_eq!(capture.outcome, Outcome::Failed, "{capture:?}");
    assert_eq!(capture.size, None, "{capture:?}");
    let error = capture.error.as_deref().unwrap_or_default();
    assert!(error.contains("decoding"), "{capture:?}");
    assert_eq!(status_column(&row), "failed", "{row}");
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn sitemap_gzip_bomb_is_cut_and_still_read() {
    let prefix =
        b"<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
    let entry = "<url><loc>/listed.html</loc></url>\n";
    let fill = entry.repeat((1 << 20) / entry.len());
    let bomb = gzip_bomb(prefix, fill.as_bytes(), 1024);
    let sitemap = Plan::reply(
        200,
        &[
            ("Content-Type", "application/xml"),
            ("Content-Encoding", "gzip"),
        ],
        bomb,
    );
    let hostile = Hostile::fixed(vec![
        ("/sitemap.xml", sitemap),
        ("/", Plan::html(page(&["/after.html"], "Welcome"))),
        (
            "/listed.html",
            Plan::html(page(&[], "Listed in the sitemap")),
        ),
        ("/after.html", Plan::html(page(&[], "After the trap"))),
    ])
    .await;
    let case = Case::new(hostile, "").await;
    // Inflating and reading 10 MiB of sitemap is slow in a debug build.
    let crawl = case.crawl(&[], bound(5)).await;
    let (capture, _) = case.recorded("/listed.html").await;
    report("sitemap gzip bomb (1 GiB)", &capture, &crawl);
    assert_eq!(case.hostile.count("/sitemap.xml"), 1);
    assert_eq!(capture.outcome, Outcome::Ok, "{capture:?}");
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn sitemap_indexes_that_never_end_are_read_at_most_ten_times() {
    // Every sitemap is an index of itself and a hundred new sitemaps (absolute URLs, as the
    // protocol wants: the route learns its own address once the server is up).
    let origin = Arc::new(OnceLock::<String>::new());
    let own = origin.clone();
    let route: Route = Arc::new(move |path: &str| {
        if path == "/" {
            return Plan::html(page(&["/after.html"], "Welcome"));
        }
        if path == "/after.html" {
            return Plan::html(page(&[], "After the trap"));
        }
        let Some(stem) = path.strip_suffix(".xml") else {
            return Plan::not_found();
        };
        let origin = own.get().expect("the origin is set before the crawl");
        let entries: String = std::iter::once(path.to_string())
            .chain((0..100).map(|i| format!("{stem}/{i}.xml")))
            .map(|loc| format!("<sitemap><loc>{origin}{loc}</loc></sitemap>"))
            .collect();
        Plan::bytes(
            "application/xml",
            format!("<?xml version=\"1.0\"?><sitemapindex>{entries}</sitemapindex>"),
        )
    });
    let hostile = Hostile::start("127.0.0.1", route).await;
    origin.set(hostile.url("")).expect("the origin is set once");
    let case = Case::new(hostile, "").await;
    let crawl = case.crawl(&[], bound(1)).await;
    let sitemaps: Vec<String> = case
        .hostile
        .paths()
        .into_iter()
        .filter(|p| p.ends_with(".xml"))
        .collect();
    eprintln!(
        "[hostile] endless sitemap indexes: {} sitemaps read, crawl {:.1} s",
        sitemaps.len(),
        crawl.took.as_secs_f64()
    );
    assert!(sitemaps.len() <= 10, "{sitemaps:?}");
    case.assert_went_on();
}

/// The bombs inflate to exactly what they claim (checked on small ones: same construction).
#[test]
fn bombs_decode_to_their_prefix_and_fill() {
    let fill = b"0123456789abcdef".repeat(4096);
    let gzip = gzip_bomb(BOMB_PREFIX, &fill, 5);
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&gzip[..])
        .read_to_end(&mut decoded)
        .expect("a valid gzip member, CRC and length included");
    assert_eq!(decoded, [BOMB_PREFIX, &fill.repeat(5)].concat());

    let brotli = brotli_bomb(BOMB_PREFIX, &fill, 3);
    let mut decoded = Vec::new();
    brotli::Decompressor::new(&brotli[..], 4096)
        .read_to_end(&mut decoded)
        .expect("a valid brotli stream");
    assert_eq!(decoded, [BOMB_PREFIX, &fill.repeat(3 * 16)].concat());
}

// --- Redirects ---

#[tokio::test(flavor = "multi_thread")]
async fn redirect_loop_is_refused_after_ten_hops() {
    let hostile = Hostile::fixed(vec![
        ("/", Plan::html(page(&["/a", "/after.html"], "Welcome"))),
        ("/a", Plan::redirect("/b")),
        ("/b", Plan::redirect("/a")),
        ("/after.html", Plan::html(page(&[], "After the trap"))),
    ])
    .await;
    let case = Case::new(hostile, "").await;
    let crawl = case.crawl(&[], bound(1)).await;
    let (capture, row) = case.recorded("/a").await;
    report("redirect loop", &capture, &crawl);
    assert_eq!(capture.outcome, Outcome::Refused, "{capture:?}");
    assert_eq!(
        capture.error.as_deref(),
        Some("more than 10 redirects"),
        "{capture:?}"
    );
    assert_eq!(status_column(&row), "refused", "{row}");
    let hops = case.hostile.count("/a") + case.hostile.count("/b");
    assert!(hops <= 11, "{hops} requests in the loop");
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn fifty_hop_redirect_chain_is_refused_after_ten_hops() {
    let route: Route = Arc::new(|path: &str| {
        if path == "/" {
            return Plan::html(page(&["/hop/0", "/after.html"], "Welcome"));
        }
        if path == "/after.html" {
            return Plan::html(page(&[], "After the trap"));
        }
        match path
            .strip_prefix("/hop/")
            .and_then(|n| n.parse::<u32>().ok())
        {
            Some(n) if n < 50 => Plan::redirect(&format!("/hop/{}", n + 1)),
            Some(_) => Plan::html(page(&[], "the end of the chain")),
            None => Plan::not_found(),
        }
    });
    let case = Case::new(Hostile::start("127.0.0.1", route).await, "").await;
    let crawl = case.crawl(&[], bound(1)).await;
    let (capture, row) = case.recorded("/hop/0").await;
    report("50-hop redirect chain", &capture, &crawl);
    assert_eq!(capture.outcome, Outcome::Refused, "{capture:?}");
    assert_eq!(
        capture.error.as_deref(),
        Some("more than 10 redirects"),
        "{capture:?}"
    );
    assert_eq!(status_column(&row), "refused", "{row}");
    let hops: Vec<String> = case
        .hostile
        .paths()
        .into_iter()
        .filter(|p| p.starts_with("/hop/"))
        .collect();
    assert_eq!(hops.len(), 11, "/hop/0 and ten redirects: {hops:?}");
    assert_eq!(case.hostile.count("/hop/11"), 0);
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn redirect_to_cloud_metadata_is_refused_before_any_request() {
    let hostile = Hostile::fixed(vec![
        (
            "/",
            Plan::html(page(&["/meta", "/meta6", "/after.html"], "Welcome")),
        ),
        (
            "/meta",
            Plan::redirect("http://169.254.169.254/latest/meta-data/iam/security-credentials/"),
        ),
        (
            "/meta6",
            Plan::redirect("http://[::ffff:169.254.169.254]/latest/meta-data/"),
        ),
        ("/after.html", Plan::html(page(&[], "After the trap"))),
    ])
    .await;
    let case = Case::new(hostile, "").await;
    let crawl = case.crawl(&[], bound(2)).await;
    for path in ["/meta", "/meta6"] {
        let (capture, row) = case.recorded(path).await;
        report(&format!("redirect to metadata ({path})"), &capture, &crawl);
        assert_eq!(capture.outcome, Outcome::Refused, "{capture:?}");
        let error = capture.error.as_deref().unwrap_or_default();
        assert!(
            error.contains("refused to connect to 169.254.169.254"),
            "{capture:?}"
        );
        assert_eq!(status_column(&row), "refused", "{row}");
    }
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn redirect_to_a_name_resolving_to_metadata_is_refused() {
    let hostile = hostile_site(
        "/meta",
        Plan::redirect("http://metadata.evil.test/latest/meta-data/"),
    )
    .await;
    // The name is in scope, so only the address guard stands between the crawler and it.
    let case = Case::new(hostile, "allow_hosts = [\"metadata.evil.test\"]").await;
    let crawl = case
        .crawl(
            &["--resolve", "metadata.evil.test=169.254.169.254"],
            bound(1),
        )
        .await;
    let (capture, row) = case.recorded("/meta").await;
    report("redirect to a name resolving to metadata", &capture, &crawl);
    assert_eq!(capture.outcome, Outcome::Refused, "{capture:?}");
    let error = capture.error.as_deref().unwrap_or_default();
    assert!(
        error.contains("refused to connect to 169.254.169.254"),
        "{capture:?}"
    );
    assert_eq!(status_column(&row), "refused", "{row}");
    case.assert_went_on();
}

// --- Link traps and huge pages ---

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
    assert_eq!(words[1..3], ["50", "pages"], "{line}");
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
    let document = case
        .ws
        .open_store()
        .document(capture.id)
        .expect("read")
        .expect("document stored");
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
    let document = case
        .ws
        .open_store()
        .document(capture.id)
        .expect("read")
        .expect("document stored");
    assert!(
        document.blocks.iter().any(|b| b.text.contains(text)),
        "the text deep inside is kept: {:?}",
        document.blocks
    );
    case.assert_went_on();
}

// --- Text that is not what it says ---

#[tokio::test(flavor = "multi_thread")]
async fn invalid_utf8_under_a_utf8_label_keeps_the_valid_text() {
    let mut body = "<html><body><p>深圳市军工电子有限公司，军用元器件授权代理商。</p><p>bad: "
        .as_bytes()
        .to_vec();
    body.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28, 0xe4, 0xb8]);
    body.extend_from_slice("</p><p>我们为国防工业提供可靠的产品。</p></body></html>".as_bytes());
    let plan = Plan::bytes("text/html; charset=utf-8", body);
    let Recorded { case, capture, row } =
        one_page("invalid UTF-8 under charset=utf-8", "/broken", plan, 1).await;
    assert_eq!(capture.outcome, Outcome::Ok, "{capture:?}");
    assert_eq!(capture.encoding.as_deref(), Some("UTF-8"), "{capture:?}");
    assert_eq!(status_column(&row), "200", "{row}");
    let document = case
        .ws
        .open_store()
        .document(capture.id)
        .expect("read")
        .expect("document stored");
    let texts: Vec<&str> = document.blocks.iter().map(|b| b.text.as_str()).collect();
    assert!(
        texts.contains(&"深圳市军工电子有限公司，军用元器件授权代理商。"),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"我们为国防工业提供可靠的产品。"),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("bad:") && t.contains('\u{FFFD}')),
        "{texts:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn gbk_bytes_labelled_utf8_are_detected_as_gb18030() {
    let text = "深圳市军工电子有限公司，军用元器件授权代理商。我们为国防工业提供可靠的产品和服务。";
    let html = format!("<html><body><p>{text}</p><p>{text}</p></body></html>");
    let gbk = encoding_rs::GBK.encode(&html).0.into_owned();
    let plan = Plan::bytes("text/html; charset=utf-8", gbk);
    let case = Case::new(hostile_site("/gbk", plan).await, "").await;
    let crawl = case.crawl(&[], bound(1)).await;
    let (capture, _) = case.recorded("/gbk").await;
    report("GBK labelled utf-8", &capture, &crawl);
    assert_eq!(capture.outcome, Outcome::Ok, "{capture:?}");
    assert_eq!(capture.encoding.as_deref(), Some("gb18030"), "{capture:?}");
    let document = case
        .ws
        .open_store()
        .document(capture.id)
        .expect("read")
        .expect("document stored");
    assert!(
        document.blocks.iter().any(|b| b.text == text),
        "{:?}",
        document.blocks
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn latin1_label_on_cyrillic_bytes_is_obeyed_as_browsers_do() {
    // The header wins over the bytes, as in a browser: the page reads as mojibake, and the
    // capture says which encoding was used and where it came from.
    let text = "Официальный дистрибьютор для предприятий оборонной промышленности.";
    let html = format!("<html><body><p>{text}</p></body></html>");
    let cp1251 = encoding_rs::WINDOWS_1251.encode(&html).0.into_owned();
    let plan = Plan::bytes("text/html; charset=iso-8859-1", cp1251);
    let case = Case::new(hostile_site("/ru", plan).await, "").await;
    let crawl = case.crawl(&[], bound(1)).await;
    let (capture, _) = case.recorded("/ru").await;
    report("windows-1251 labelled iso-8859-1", &capture, &crawl);
    assert_eq!(capture.outcome, Outcome::Ok, "{capture:?}");
    assert_eq!(
        capture.encoding.as_deref(),
        Some("windows-1252"),
        "{capture:?}"
    );
    assert_eq!(
        capture.encoding_source,
        Some(claimwatch::store::EncodingSource::Header),
        "{capture:?}"
    );
}

/// Binary content under a text label: failed with that reason, and no document extracted.
fn assert_refused_as_binary(capture: &CaptureRecord, row: &str) {
    assert_eq!(capture.outcome, Outcome::Failed, "{capture:?}");
    assert_eq!(
        capture.error.as_deref(),
        Some("binary content served as text"),
        "{capture:?}"
    );
    assert!(!capture.has_document, "{capture:?}");
    assert_eq!(status_column(row), "failed", "{row}");
}

#[tokio::test(flavor = "multi_thread")]
async fn random_bytes_served_as_html_are_refused_as_binary() {
    let plan = Plan::bytes("text/html; charset=utf-8", noise(64 * 1024, 0x9e37_79b9));
    let Recorded { case, capture, row } =
        one_page("random bytes as text/html", "/noise", plan, 1).await;
    assert_refused_as_binary(&capture, &row);
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn png_served_as_html_is_refused_as_binary() {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0".to_vec();
    png.extend(noise(4096, 7));
    let plan = Plan::bytes("text/html", png);
    let Recorded { case, capture, row } = one_page("PNG as text/html", "/logo", plan, 1).await;
    assert_refused_as_binary(&capture, &row);
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn empty_200_body_is_a_failed_capture() {
    let plan = Plan::reply(200, &[("Content-Type", "text/html")], Vec::new());
    let Recorded { case, capture, row } =
        one_page("200 with an empty body", "/empty", plan, 1).await;
    assert_eq!(capture.outcome, Outcome::Failed, "{capture:?}");
    assert_eq!(capture.error.as_deref(), Some("empty body"), "{capture:?}");
    assert_eq!(status_column(&row), "failed", "{row}");
    assert!(row.contains("(empty body)"), "{row}");
    case.assert_went_on();
}

// --- robots.txt and throttling ---

#[tokio::test(flavor = "multi_thread")]
async fn robots_txt_of_20_mib_is_cut_and_its_rules_obeyed() {
    let lines: String = (0..1000)
        .map(|i| format!("Disallow: /x{i:06}/\n"))
        .collect();
    let rules = "User-agent: *\nDisallow: /secret\n";
    let times = (20 << 20) / lines.len() as u64;
    let length = rules.len() as u64 + times * lines.len() as u64;
    let robots = Plan::raw(
        head(
            200,
            &[
                ("Content-Type", "text/plain"),
                ("Content-Length", &length.to_string()),
            ],
        ) + rules,
    )
    .repeating(lines, times, Duration::ZERO);
    let hostile = Hostile::fixed(vec![
        ("/robots.txt", robots),
        (
            "/",
            Plan::html(page(&["/secret/plans.html", "/after.html"], "Welcome")),
        ),
        ("/secret/plans.html", Plan::html(page(&[], "secret"))),
        ("/after.html", Plan::html(page(&[], "After the trap"))),
    ])
    .await;
    let case = Case::new(hostile, "").await;
    let crawl = case.crawl(&[], bound(1)).await;
    let (capture, row) = case.recorded("/secret/plans.html").await;
    report("20 MiB robots.txt", &capture, &crawl);
    assert_eq!(
        case.hostile.count("/secret/plans.html"),
        0,
        "requested a disallowed path: {:?}",
        case.hostile.paths()
    );
    assert_eq!(capture.outcome, Outcome::RobotsBlocked, "{capture:?}");
    assert_eq!(status_column(&row), "robots", "{row}");
    assert_eq!(case.hostile.count("/robots.txt"), 1);
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn binary_robots_txt_is_read_as_no_rules() {
    let hostile = Hostile::fixed(vec![
        (
            "/robots.txt",
            Plan::bytes("text/plain", noise(256 * 1024, 42)),
        ),
        (
            "/",
            Plan::html(page(&["/page.html", "/after.html"], "Welcome")),
        ),
        ("/page.html", Plan::html(page(&[], "A page"))),
        ("/after.html", Plan::html(page(&[], "After the trap"))),
    ])
    .await;
    let case = Case::new(hostile, "").await;
    let crawl = case.crawl(&[], bound(1)).await;
    let (capture, _) = case.recorded("/page.html").await;
    report("binary robots.txt", &capture, &crawl);
    assert_eq!(capture.outcome, Outcome::Ok, "{capture:?}");
    let line = summary_line(&crawl.output, "hostile");
    assert!(!line.contains("FAILED"), "{line}");
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_after_a_day_is_capped_and_the_host_left_alone() {
    let throttled = Plan::reply(
        429,
        &[("Content-Type", "text/plain"), ("Retry-After", "86400")],
        "slow down",
    );
    let case = Case::new(hostile_site("/busy", throttled).await, "").await;
    let crawl = case.crawl(&[], Duration::from_secs(10)).await;
    let (capture, row) = case.recorded("/busy").await;
    report("429 with Retry-After: 86400", &capture, &crawl);
    assert_eq!(capture.outcome, Outcome::HttpStatus, "{capture:?}");
    assert_eq!(capture.status, Some(429), "{capture:?}");
    assert_eq!(status_column(&row), "429 http", "{row}");
    let hits = case.hostile.hits();
    let busy: Vec<_> = hits.iter().filter(|h| h.path == "/busy").collect();
    assert_eq!(
        busy.len(),
        2,
        "one try and one retry: {:?}",
        case.hostile.paths()
    );
    let gap = busy[1].at - busy[0].at;
    assert!(
        gap >= Duration::from_millis(900) && gap < Duration::from_secs(3),
        "retried {gap:?} after a day-long Retry-After capped at 1 s"
    );
    assert_eq!(
        case.hostile.count("/after.html"),
        0,
        "the host kept answering 429 and is left alone for this run"
    );
    assert!(
        stderr(&crawl.output).contains("kept answering 429/503"),
        "the run says why the host's other pages were skipped: {}",
        stderr(&crawl.output)
    );
}
