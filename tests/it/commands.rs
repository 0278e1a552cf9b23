//! The commands around a crawl, end to end: what `crawl` says in a cron log at each verbosity,
//! and the commands that read a store refusing to guess (a missing store, an unknown target),
//! with one spelling of the target filter everywhere.

use serde_json::json;

use crate::support::*;
use claimwatch::flags::Flag;

/// A one-page site carrying a military claim, and a workspace crawling it once.
pub(crate) async fn crawled_site() -> (Server, Workspace) {
    let server = serve(vec![(
        "/",
        Reply::html("<p>We supply military and aerospace customers.</p>"),
    )])
    .await;
    let ws = one_target(&server, "");
    crawl_ok(&ws).await;
    (server, ws)
}

/// The commands that take a target id, each given `id`.
pub(crate) fn commands_naming(id: &str) -> Vec<Vec<String>> {
    [
        vec!["crawl", "--target", id],
        vec!["flags", "--target", id],
        vec!["claims", "--target", id],
        vec!["claims", id],
        vec!["history", id],
        vec!["diff", id],
    ]
    .into_iter()
    .map(|args| args.into_iter().map(str::to_string).collect())
    .collect()
}

/// Runs `claimwatch ARGS`, returning its exit code and stderr.
pub(crate) async fn run_args(ws: &Workspace, args: &[String]) -> (Option<i32>, String) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = ws.run(&args).await;
    (output.status.code(), stderr(&output))
}

#[tokio::test(flavor = "multi_thread")]
async fn every_command_filters_by_target_with_the_same_option() {
    let (_server, ws) = crawled_site().await;
    for args in commands_naming("site") {
        let (code, err) = run_args(&ws, &args).await;
        assert!(matches!(code, Some(0 | 1)), "{args:?}: {code:?} {err}");
    }
    let output = ws.run(&["claims", "--target", "site"]).await;
    assert!(stdout(&output).contains("military"), "{}", stdout(&output));
}

#[tokio::test(flavor = "multi_thread")]
async fn verbose_shows_each_page_and_very_verbose_the_crawls_decisions() {
    let (_server, ws) = crawled_site().await;
    let quiet = ws.run(&["crawl"]).await;
    assert_eq!(stderr(&quiet), "", "no log without -v");
    let verbose = stderr(&ws.run(&["crawl", "-v"]).await);
    assert!(
        verbose
            .lines()
            .any(|l| l.contains(" INFO site 200 http://")),
        "-v logs each page with its status and URL:\n{verbose}"
    );
    assert!(!verbose.contains("DEBUG"), "{verbose}");
    let debug = stderr(&ws.run(&["crawl", "-vv"]).await);
    for decision in [
        "frontier seeded",
        "robots.txt: ",
        "frontier done",
        "detection: ",
    ] {
        assert!(debug.contains(decision), "-vv logs {decision:?}:\n{debug}");
    }
    assert!(
        !debug.to_lowercase().contains("sled") && !debug.contains("hyper"),
        "-vv shows claimwatch's decisions, not its libraries' internals:\n{debug}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_line_of_the_summary_is_dated_and_a_dead_host_is_said_in_words() {
    let (server, ws) = crawled_site().await;
    ws.write_targets(
        &(fast_crawl("")
            + &target("site", &server.url("/"), "")
            + &target("dead", "http://127.0.0.1:9/", "")),
    );
    let output = ws.run(&["crawl"]).await;
    let out = stdout(&output);
    for line in out.lines().take(3) {
        let time = line.split_whitespace().next().unwrap_or_default();
        assert!(
            chrono::DateTime::parse_from_rfc3339(time).is_ok() && time.ends_with('Z'),
            "a summary line starts with its UTC time: {line}"
        );
    }
    let dead = summary_line(&output, "dead");
    assert!(
        dead.contains("FAILED: down: host unreachable: connection refused"),
        "{dead}"
    );
    let total = out.lines().nth(2).unwrap_or_default();
    assert!(
        total.contains("total (2)") && total.contains("run 2"),
        "{out}"
    );
}

/// A flag of target `site`, of `severity`, detected at `time`, with `id`.
fn flag(id: &str, severity: &str, time: &str) -> Flag {
    flag_of("site", id, severity, time)
}

/// A flag of `target` (its name "`target` Co."), of `severity`, detected at `time`, with `id`,
/// standing on capture 1.
pub(crate) fn flag_of(target: &str, id: &str, severity: &str, time: &str) -> Flag {
    let capture =
        json!({"capture_id": "1", "captured_at": time, "http_status": 200, "sha256": null});
    serde_json::from_value(json!({
        "schema_version": 1, "flag_id": id, "flag_type": "claim_added", "scope": "site",
        "category": "military", "severity": severity,
        "target": {"id": target, "name": format!("{target} Co.")}, "url": "http://site.example/",
        "claim": {"text": format!("claim {id}"), "lang": "en", "rule": "military-en",
                  "terms": ["military"], "manufacturer": null},
        "before": null, "after": capture, "first_seen": time, "last_seen": time,
        "detected_at": time, "reason": "a test flag",
        "review": {"status": "unreviewed", "note": null}
    }))
    .expect("a valid flag record")
}

/// Stores flags of mixed severities and times; returns their ids in the order people should
/// read them: most severe first, newest first among equals.
pub(crate) fn store_mixed_flags(ws: &Workspace) -> Vec<&'static str> {
    let store = ws.open_store();
    for (id, severity, time) in [
        ("low-new", "low", "2026-11-28T02:00:00Z"),
        ("high-old", "high", "2026-09-01T02:00:00Z"),
        ("medium", "medium", "2026-10-01T02:00:00Z"),
        ("high-new", "high", "2026-11-28T02:00:00Z"),
    ] {
        store
            .insert_flag(&flag(id, severity, time))
            .expect("store a flag");
    }
    vec!["high-new", "high-old", "medium", "low-new"]
}
