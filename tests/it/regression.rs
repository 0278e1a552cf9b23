//! Regressions: one test per bug found in the field, each named for what broke.
//!
//! The rule: every bug fixed gets a test here, named for what broke, with a doc comment saying
//! how the bug showed. The test borrows the helpers of the area it belongs to rather than
//! copying them. A fuzzer's find also keeps its input under tests/fuzz_regressions/<target>/,
//! which `fuzz_regressions` replays; the finds so far are unit tests beside the nesting guard
//! they broke.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::commands::{commands_naming, crawled_site, run_args, store_mixed_flags};
use crate::config_errors::{check_names_line_and_problem, target_with};
use crate::crash::{check_store, site};
use crate::disk::{crawl_into_a_full_disk, plain_stderr, says_disk_full};

use crate::hostile::deep_page_keeps_its_text;
use crate::operation::{exits_in_time, long_crawl, next_crawl_runs, start};
use crate::politeness::{
    an_unreachable_and_a_healthy_target, history, page, robots_txt, status_word,
};
use crate::support::*;

/// The request right after robots.txt went out at once, whatever Crawl-delay said: the delay
/// took effect only from the next request the host's limiter handed out.
#[tokio::test(flavor = "multi_thread")]
async fn robots_crawl_delay_also_spaces_the_request_after_robots_txt() {
    let server = serve(vec![
        ("/robots.txt", robots_txt("User-agent: *\nCrawl-delay: 1\n")),
        ("/", page(&[], "home")),
    ])
    .await;
    let ws = one_target(&server, "");
    crawl_ok(&ws).await;
    let hits = server.hits();
    assert!(hits.len() >= 2, "{:?}", server.paths());
    assert_eq!(hits[0].path, "/robots.txt");
    let gap = hits[1].at - hits[0].at;
    assert!(
        gap >= Duration::from_millis(900),
        "{} requested {gap:?} after a robots.txt asking for Crawl-delay: 1",
        hits[1].path
    );
}

/// A site that could not be reached left nothing in its history, so nothing said why it had no
/// pages.
#[tokio::test(flavor = "multi_thread")]
async fn unreachable_targets_seed_has_a_failed_capture() {
    let (_server, down_seed, ws) = an_unreachable_and_a_healthy_target().await;
    crawl_ok(&ws).await;
    let rows = history(&ws, "down").await;
    assert!(
        rows.iter()
            .any(|r| r.contains(&down_seed) && status_word(r) == "failed"),
        "the seed's failed fetch is recorded: {rows:?}"
    );
}

/// 100k nested `<ul><li>` took 15 to 30 s to extract: list items were not counted as depth,
/// since their end tag may be omitted.
#[tokio::test(flavor = "multi_thread")]
async fn lists_nested_100k_deep_are_extracted_quickly() {
    let _turn = heavy_test_turn().await;
    // `li` may omit its end tag, but nested in `ul` it still deepens html5ever's stack, which
    // the parser scans for every block start tag: the nesting guard must count it.
    let html = format!(
        "<html><body>{}<p>Deep inside the list</p></body></html>",
        "<ul><li>".repeat(100_000)
    );
    deep_page_keeps_its_text("100k nested lists", "/lists", html, "Deep inside the list").await;
}

/// sled 0.34.7 writes a snapshot during every open that finds new log entries, as
/// `snap.<lsn>.generating`, renamed to `snap.<lsn>` once written and synced. A SIGKILL in between
/// (found by `crash::sigkill_at_random_moments_never_loses_or_half_writes_a_capture`: "Read
/// corrupted data at file offset None" at the next open) leaves the file half-written, and sled
/// took it for the newest snapshot and refused every later open. This puts such a file in place
/// deterministically, as the kill left it: empty (killed right after creating it) or whole but
/// for its trailing CRC (killed before the last write).
#[tokio::test(flavor = "multi_thread")]
async fn a_snapshot_left_half_written_by_a_kill_does_not_stop_the_store_opening() {
    let server = Server::start("127.0.0.1", 0, site(7, Arc::new(AtomicUsize::new(0))))
        .await
        .expect("start the test server");
    let ws = Workspace::new(&site_at_200_per_second(&server, 20));
    crawl_ok(&ws).await;
    let mut committed = BTreeMap::new();
    // This open replays the crawl's log and writes the store's first snapshot.
    check_store(&ws.store(), &mut committed, "after the crawl");
    assert!(committed.len() >= 20, "{} captures", committed.len());

    for (variant, cut) in [("empty", None), ("without its CRC", Some(4))] {
        // New log entries since the snapshot, so the next open writes a newer one: that is the
        // one a kill leaves unfinished.
        crawl_ok(&ws).await;
        let (lsn, newest) = snapshots(&ws.store())
            .pop()
            .expect("the store has a snapshot");
        let bytes = std::fs::read(&newest).expect("read the snapshot");
        let unfinished = match cut {
            None => Vec::new(),
            Some(cut) => bytes[..bytes.len() - cut].to_vec(),
        };
        let name = format!("snap.{:016X}.generating", lsn + 1);
        std::fs::write(ws.store().join(&name), unfinished).expect("write the snapshot");
        let context = format!("a {variant} {name}");
        check_store(&ws.store(), &mut committed, &context);
        assert!(
            !ws.store().join(&name).exists(),
            "{context}: the unfinished snapshot is left in place"
        );
    }
    let verify = ws.run(&["verify"]).await;
    assert_eq!(verify.status.code(), Some(0), "{}", stderr(&verify));
}

/// The `snap.<lsn>` files of a sled store, newest last, with their lsn.
fn snapshots(store: &Path) -> Vec<(u64, PathBuf)> {
    let mut found: Vec<(u64, PathBuf)> = std::fs::read_dir(store)
        .expect("list the store")
        .map(|entry| entry.expect("list the store").path())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?;
            let lsn = u64::from_str_radix(name.strip_prefix("snap.")?, 16).ok()?;
            Some((lsn, path))
        })
        .collect();
    found.sort();
    found
}

/// On a full disk the crawl went on fetching every page after the store had failed.
#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_stops_the_crawl_soon() {
    let _turn = heavy_test_turn().await;
    let run = crawl_into_a_full_disk().await;
    // sled writes while it opens: a store on a full disk does not open at all.
    run.tmpfs.resize("64m");
    let kept = {
        let store = run.ws.open_store();
        store.stats().expect("stats").captures as usize
    };
    let requested = run.server.pages_requested().len();
    // Captures are written in batches of at most 50 ms (at this site's 200 pages a second, about
    // 10 pages), and a batch whose write fails is lost whole: the crawl stops right after it, so
    // past the last kept capture come one batch and a handful of requests in flight, no more.
    assert!(
        requested <= kept + 15,
        "the crawl went on after the store failed: {requested} pages requested, {kept} stored"
    );
}

/// On a full disk the failure was logged once per page, in colour even into a pipe, and without
/// naming the store.
#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_is_reported_once_with_the_store_path() {
    let _turn = heavy_test_turn().await;
    let run = crawl_into_a_full_disk().await;
    let err = plain_stderr(&run.output);
    let raw = stderr(&run.output);
    assert!(
        !raw.contains('\u{1b}'),
        "stderr is not a terminal: no colour codes:\n{raw}"
    );
    let full_lines = err.lines().filter(|l| says_disk_full(l)).count();
    assert!(
        (1..=3).contains(&full_lines),
        "the full disk should be reported once, not {full_lines} times:\n{err}"
    );
    let store = run.ws.store().display().to_string();
    assert!(
        err.lines().any(|l| says_disk_full(l) && l.contains(&store)),
        "the report should name the store {store}:\n{err}"
    );
}

/// `[[crawl]]` where `[crawl]` belongs was reported as "invalid type: map, expected a string",
/// with no hint of which table.
#[tokio::test(flavor = "multi_thread")]
async fn crawl_written_as_an_array_of_tables_is_named_in_the_error() {
    let text = "[[crawl]]\nrate = \"1/s\"\n".to_string() + &target_with("");
    if let Err(failure) = check_names_line_and_problem(&text, 1, &["crawl"]).await {
        panic!("[crawl] written as an array: {failure}");
    }
}

/// `CLAIMWATCH_LOG=debug claimwatch crawl --only X 2>&1 >/dev/null | head -10` hung for good:
/// once `head` left, a log write panicked a tokio worker inside sled ("failed printing to
/// stderr: Broken pipe"), sled's final flush waited for ever, SIGTERM was ignored, and the
/// store stayed locked, so every later cron run exited 2.
#[tokio::test(flavor = "multi_thread")]
async fn debug_log_piped_to_head_ends_the_crawl_instead_of_hanging_it() {
    let (_server, ws) = long_crawl().await;
    let mut child = start(
        &ws,
        &["crawl", "--only", "site"],
        Some("debug"),
        Stdio::null(),
        Stdio::piped(),
    );
    let mut lines = BufReader::new(child.stderr.take().expect("stderr is piped")).lines();
    for _ in 0..10 {
        lines
            .next_line()
            .await
            .expect("read stderr")
            .expect("ten lines of debug log");
    }
    drop(lines);
    let (code, took) = exits_in_time(&mut child, "stderr closed after ten lines").await;
    assert_eq!(code, Some(2), "exit code after {took:?}");
    next_crawl_runs(&ws, "stderr closed after ten lines").await;
}

/// A page that answered 404 raised its claim's removal again on every run it stayed gone: its
/// last good capture stood for it before each run, so the claim was removed anew, under a new
/// flag id, and cron mailed the same takedown every night.
#[tokio::test(flavor = "multi_thread")]
async fn a_page_that_stays_gone_raises_its_claim_removed_once() {
    let (handler, version) = versioned(vec![
        ("/", vec![page(&["/about.html"], "home")]),
        (
            "/about.html",
            vec![
                page(&[], "We supply military and aerospace customers."),
                Reply::not_found(),
                Reply::not_found(),
                Reply::not_found(),
                page(&[], "We supply military and aerospace customers."),
            ],
        ),
    ]);
    let server = Server::start("127.0.0.1", 0, handler)
        .await
        .expect("start the test server");
    let ws = one_target(&server, "");
    // Exit codes of the runs: the page's baseline, gone, still gone twice, back.
    let mut codes = Vec::new();
    for v in 0..5 {
        version.store(v, std::sync::atomic::Ordering::SeqCst);
        codes.push(ws.run(&["crawl"]).await.status.code());
    }
    assert_eq!(codes, [Some(0), Some(1), Some(0), Some(0), Some(1)]);
    let types: Vec<String> = flags_json(&ws)
        .await
        .iter()
        .map(|f| f["flag_type"].as_str().unwrap_or_default().to_string())
        .collect();
    let removed = types.iter().filter(|t| *t == "claim_removed").count();
    let added = types.iter().filter(|t| *t == "claim_added").count();
    assert_eq!(
        (removed, added),
        (1, 1),
        "removed once when it went, added when it came back: {types:?}"
    );
}

/// A site with more dead links than `max_pages` had its budget spent on them run after run: the
/// pages of every earlier capture were fetched again first, 404s included, so its live pages
/// beyond the budget were never reached.
#[tokio::test(flavor = "multi_thread")]
async fn links_to_gone_pages_do_not_eat_max_pages_run_after_run() {
    let live = ["/", "/a.html", "/b.html", "/c.html"];
    let server = serve(vec![
        (
            "/",
            page(
                &[
                    "/dead1.html",
                    "/dead2.html",
                    "/dead3.html",
                    "/a.html",
                    "/b.html",
                    "/c.html",
                ],
                "home",
            ),
        ),
        ("/a.html", page(&[], "a")),
        ("/b.html", page(&[], "b")),
        ("/c.html", page(&[], "c")),
    ])
    .await;
    let ws = one_target(&server, "max_pages = 5");
    crawl_ok(&ws).await;
    let first = server.pages_requested();
    assert!(
        first.contains(&"/dead3.html".to_string()),
        "the first run follows the links in order: {first:?}"
    );
    for run in 2..=3 {
        let before = server.pages_requested().len();
        crawl_ok(&ws).await;
        let this_run = server.pages_requested()[before..].to_vec();
        for page in live {
            assert!(
                this_run.contains(&page.to_string()),
                "run {run}: live page {page} not fetched: {this_run:?}"
            );
        }
        assert_eq!(this_run.len(), 5, "run {run}: {this_run:?}");
    }
}

/// A wrong `--store` (or the wrong working directory) silently created an empty store: `flags`
/// printed nothing and exited 0, `verify` said "0 bodies checked, 0 mismatched".
#[tokio::test(flavor = "multi_thread")]
async fn a_mistyped_store_is_refused_instead_of_read_as_empty() {
    let (_server, ws) = crawled_site().await;
    let missing = ws.dir.path().join("stroe");
    let store = missing.display().to_string();
    for args in [
        vec!["flags"],
        vec!["claims"],
        vec!["history", "site"],
        vec!["diff", "site"],
        vec!["verify"],
        vec!["show", "1"],
        vec!["review", "abc", "--status", "confirmed"],
    ] {
        let mut full = vec!["--store", store.as_str()];
        full.extend(&args);
        let output = ws.run(&full).await;
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(&format!("no store at {store}")) && err.contains("claimwatch crawl"),
            "{args:?} should name the path and how to create a store: {err}"
        );
        assert!(!missing.exists(), "{args:?} created {store}");
    }
}

/// `flags --target nosuch` printed nothing and exited 0, like a target with no flags; `crawl
/// --target` was refused with a suggestion of `--targets`, the watch-list file.
#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_target_is_an_error_instead_of_no_flags() {
    let (_server, ws) = crawled_site().await;
    for args in commands_naming("nosuch") {
        let (code, err) = run_args(&ws, &args).await;
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(
            err.contains("no target \"nosuch\"") && err.contains("the targets are: site"),
            "{args:?} should list the known targets: {err}"
        );
        assert!(!err.contains("--targets"), "{args:?}: {err}");
    }
    for args in commands_naming("stie") {
        let (code, err) = run_args(&ws, &args).await;
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains("did you mean \"site\"?"), "{args:?}: {err}");
    }
}

/// A missing targets.toml printed its cause twice ("No such file or directory (os error 2): No
/// such file or directory (os error 2)").
#[tokio::test(flavor = "multi_thread")]
async fn a_missing_targets_file_names_its_cause_once() {
    let ws = Workspace::new("");
    std::fs::remove_file(ws.targets()).expect("remove targets.toml");
    let output = ws.run(&["check"]).await;
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
    assert!(err.contains("--targets"), "says how to give one: {err}");
}

/// `demo --store DIR` was accepted and ignored: the demo always uses a temporary store.
#[tokio::test(flavor = "multi_thread")]
async fn demo_refuses_the_store_it_used_to_ignore() {
    let ws = Workspace::new("");
    let dir = ws.dir.path().join("demo-store");
    let output = ws
        .run(&["demo", "--store", dir.to_str().expect("a UTF-8 path")])
        .await;
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("temporary store") && err.contains("--store"),
        "{err}"
    );
    assert!(!dir.exists());
}

/// Readable flags carried no date and came in id order, a high-severity removal among the low
/// ones wherever its hash put it. (They now stand in their case, in the same order.)
#[tokio::test(flavor = "multi_thread")]
async fn readable_flags_show_their_time_and_come_most_severe_first() {
    let (_server, ws) = crawled_site().await;
    let expected = store_mixed_flags(&ws);
    let output = ws.run(&["flags"]).await;
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().filter(|l| l.contains(" id ")).collect();
    let ids: Vec<&str> = lines
        .iter()
        .map(|l| l.rsplit(" id ").next().unwrap_or_default())
        .collect();
    assert_eq!(ids, expected, "{out}");
    assert!(
        lines[0].starts_with("    2026-11-28T02:00:00Z  HIGH"),
        "{out}"
    );
}

/// `rate = "10/min"` was refused while `"1 / s"` was accepted.
#[tokio::test(flavor = "multi_thread")]
async fn a_rate_per_min_is_accepted_like_per_s() {
    for rate in ["10/min", "1 / s", "2/second", "30 / minutes", "100/hour"] {
        let ws = Workspace::new(&target(
            "site",
            "http://127.0.0.1:9/",
            &format!("rate = \"{rate}\""),
        ));
        let output = ws.run(&["check"]).await;
        assert_eq!(output.status.code(), Some(0), "{rate}: {}", stderr(&output));
    }
}

/// After a site stopped answering, `claims` still listed its claims as current, as if it had
/// just been read.
#[tokio::test(flavor = "multi_thread")]
async fn claims_of_a_site_gone_dark_are_not_shown_as_current() {
    let claim = || Reply::html("<p>We supply military and aerospace customers.</p>");
    let dark = Server::start("127.0.0.2", 0, routes(vec![("/", claim())]))
        .await
        .expect("server");
    let steady = Server::start("127.0.0.3", 0, routes(vec![("/", claim())]))
        .await
        .expect("server");
    let ws = Workspace::new(
        &(fast_crawl("")
            + &target("dark", &dark.url("/"), "")
            + &target("steady", &steady.url("/"), "")),
    );
    crawl_ok(&ws).await;
    go_dark(dark).await;
    crawl_ok(&ws).await;
    let out = stdout(&ws.run(&["claims"]).await);
    let dark_header = out
        .lines()
        .find(|l| l.starts_with("dark "))
        .unwrap_or_else(|| panic!("no header for dark: {out}"));
    assert!(
        dark_header.contains("1 claims last seen on 1 pages")
            && dark_header.contains("site unreachable since ")
            && dark_header.contains("down: host unreachable: connection refused"),
        "{out}"
    );
    assert!(!dark_header.contains("current"), "{out}");
    let steady_header = out
        .lines()
        .find(|l| l.starts_with("steady "))
        .unwrap_or_default();
    assert!(steady_header.contains("1 current claims"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("last seen ") && l.contains(", site unreachable since ")),
        "each claim of the dark site says so: {out}"
    );
}
