//! The desk with thousands of flags: a store holding 1,500 runs' worth of cases (4,500 flags on
//! 20 targets) still answers the list, its filters, its last page and the API quickly, and a
//! page of the list holds one page of cases, not all of them.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use claimwatch::store::{CaptureHead, NewCapture, Outcome, Store};
use serde_json::json;

use super::*;

const RUNS: u64 = 1_500;
const FLAGS_PER_RUN: u64 = 3;
const TARGETS: u64 = 20;

/// Writes one capture per run and three flags standing on it, as detection would have.
fn fill(store: &Store) {
    let start: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().expect("a time");
    for run in 1..=RUNS {
        let target = format!("t{}", run % TARGETS);
        let url = format!("http://{target}.example/page{}.html", run % 7);
        let at = start + chrono::Duration::hours(run as i64);
        let capture = store
            .put_capture(NewCapture {
                head: CaptureHead {
                    run_id: run,
                    target: target.clone(),
                    url: url.clone(),
                    final_url: url.clone(),
                    redirects: Vec::new(),
                    captured_at: at,
                    duration_ms: 5,
                    outcome: Outcome::Ok,
                    status: Some(200),
                    headers: Vec::new(),
                    content_type: Some("text/html".into()),
                    encoding: Some("utf-8".into()),
                    encoding_source: None,
                    ip: Some("127.0.0.1".into()),
                    evidence: None,
                },
                body: Some(format!("<p>run {run}</p>").into_bytes()),
                truncated: false,
                error: None,
                depth: 0,
                document: None,
                same_document_as_before: None,
                body_sha256: None,
                links: None,
                view: None,
            })
            .expect("store a capture")
            .record;
        for n in 0..FLAGS_PER_RUN {
            let flag = json!({
                "schema_version": 1, "flag_id": format!("f{run}x{n}"),
                "flag_type": if n == 0 { "claim_added" } else { "claim_removed" },
                "scope": "site", "category": if n == 2 { "partner" } else { "military" },
                "severity": "high", "target": {"id": target, "name": format!("{target} Co.")},
                "url": url,
                "claim": {"text": format!("Claim {n} of run {run}: military supplier"), "lang": "en",
                          "rule": "military-en", "terms": ["military"], "manufacturer": null},
                "before": null,
                "after": {"capture_id": capture.id.to_string(), "captured_at": at,
                          "http_status": 200, "sha256": capture.sha256},
                "first_seen": at, "last_seen": at, "detected_at": at,
                "reason": "made up for the scale test",
                "review": {"status": "unreviewed", "note": null}
            });
            let flag = serde_json::from_value(flag).expect("a flag record");
            store.insert_flag(&flag).expect("store a flag");
        }
    }
}

/// GETs `path` and returns the body and how long it took.
async fn timed(desk: &Desk, path: &str) -> (String, Duration) {
    let started = Instant::now();
    let body = page_text(desk, path).await;
    (body, started.elapsed())
}

#[tokio::test(flavor = "multi_thread")]
async fn thousands_of_flags_list_filter_and_page_quickly() {
    let mut toml = fast_crawl("");
    for t in 0..TARGETS {
        toml.push_str(&target(
            &format!("t{t}"),
            &format!("http://t{t}.example/"),
            "",
        ));
    }
    let ws = Workspace::new(&toml);
    tokio::task::block_in_place(|| fill(&ws.open_store()));
    let desk = Desk::start(ws, &[]).await;
    // The first request warms the process's caches; then each must answer well within a
    // reviewer's patience, on a debug build of a busy machine.
    timed(&desk, "/").await;
    let bound = Duration::from_secs(1);
    let mut slowest = Duration::ZERO;
    for path in [
        "/",
        "/?page=30",
        "/?target=t3&flag_type=claim_removed&category=partner",
        "/?status=unreviewed&since=2026-02-01&until=2026-02-10",
        "/targets",
        "/api/flags?target=t5",
    ] {
        let (body, took) = timed(&desk, path).await;
        println!("{path}: {took:?}, {} bytes", body.len());
        slowest = slowest.max(took);
        if path == "/" || path == "/?page=30" {
            let rows = body.matches("class=\"case-link\"").count();
            assert_eq!(rows, 50, "{path}: one page of cases");
            assert!(body.contains("Page "), "{path}: a pager");
            assert!(body.contains("accesskey=\"n\"") || path.contains("page=30"));
            assert!(body.contains("accesskey=\"p\"") || path == "/");
        }
    }
    let (all, _) = timed(&desk, "/api/flags").await;
    let flags: Vec<serde_json::Value> = serde_json::from_str(&all).expect("JSON");
    assert_eq!(flags.len() as u64, RUNS * FLAGS_PER_RUN);
    let (list, _) = timed(&desk, "/").await;
    assert!(
        list.contains(&format!("<span class=\"count\">{RUNS}</span>")),
        "all cases counted"
    );
    let case = links_to(&list, "/cases/")
        .into_iter()
        .next()
        .expect("a case");
    let (_, took) = timed(&desk, &case).await;
    slowest = slowest.max(took);
    assert!(slowest < bound, "slowest answer {slowest:?}");
    desk.stop().await;
}
