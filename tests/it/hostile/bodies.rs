//! Bodies that break off before their end, and bodies far over `max_body`: endless or huge,
//! plain or as compression bombs; and sitemaps that are bombs or never end.

use std::io::Read;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::{
    Case, MAX_BODY, Recorded, TIMEOUT, bound, hostile_site, html_head, one_page, page, report,
    status_column,
};
use crate::support::Served;
use crate::support::hostile::{End, FOREVER, Hostile, Plan, Route, brotli_bomb, gzip_bomb, head};
use claimwatch::store::{CaptureRecord, Outcome};

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
