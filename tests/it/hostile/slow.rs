//! Servers that are slow or silent: a slow-loris body, headers that never end or flood, a
//! silence after the request, a TLS handshake that stalls.

use std::time::Duration;

use super::{Case, Recorded, TIMEOUT, bound, html_head, one_page, report, status_column};
use crate::support::hostile::{End, FOREVER, Hostile, Plan};
use crate::support::summary_line;
use claimwatch::store::{CaptureRecord, Outcome};

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
