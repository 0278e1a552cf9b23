//! Sharing the store: while a crawl or the desk holds it, the other commands are carried out by
//! the holder with the output and exit code they have on their own; a second crawl is refused at
//! once; a holder that was killed leaves nothing that hangs or blocks the next command.

use std::path::PathBuf;
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::commands::crawled_site;
use crate::desk::{Desk, demo_workspace, get_ok};
use crate::support::hostile::{Hostile, Plan, head};
use crate::support::*;

/// Where a holder answers.
fn socket(ws: &Workspace) -> PathBuf {
    ws.store().join("claimwatch.sock")
}

/// `claimwatch --store store --targets TARGETS ARGS` run in the workspace's directory, as a
/// user there types it: the paths are relative, and the environment names neither.
async fn run_here(ws: &Workspace, targets: &str, args: &[&str]) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_claimwatch"));
    command
        .current_dir(ws.dir.path())
        .args(["--store", "store", "--targets", targets])
        .args(args)
        .env_remove("CLAIMWATCH_STORE")
        .env_remove("CLAIMWATCH_TARGETS")
        .env_remove("CLAIMWATCH_LOG")
        .kill_on_drop(true);
    tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .expect("claimwatch finished within 60 s")
        .expect("claimwatch ran")
}

/// Waits until a holder listens on the store's socket.
async fn wait_for_socket(ws: &Workspace) {
    for _ in 0..300 {
        if socket(ws).exists() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("nobody listens on {} after 30 s", socket(ws).display());
}

/// The flags the desk's API answers.
async fn api_flags(desk: &Desk) -> Vec<Value> {
    let text = get_ok(desk, "/api/flags")
        .await
        .text()
        .await
        .expect("a body");
    serde_json::from_str(&text).expect("a JSON array of flags")
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_while_the_desk_runs_answer_as_they_do_on_their_own() {
    let ws = demo_workspace().await;
    let commands: [&[&str]; 7] = [
        &["flags", "--format", "jsonl"],
        &["flags"],
        &["claims"],
        &["history", "sinno"],
        &["diff", "winninc"],
        &["verify"],
        &["flags", "--target", "nosuch"],
    ];
    let mut alone = Vec::new();
    for args in commands {
        alone.push(ws.run(args).await);
    }
    assert!(!stdout(&alone[0]).is_empty(), "the demo's store has flags");
    let desk = Desk::start(ws, &[]).await;
    assert!(
        socket(&desk.ws).exists(),
        "the desk answers on the store's socket"
    );
    for (args, alone) in commands.iter().zip(&alone) {
        let shared = desk.ws.run(args).await;
        assert_eq!(
            shared.status.code(),
            alone.status.code(),
            "{args:?}: {}",
            stderr(&shared)
        );
        assert_eq!(stdout(&shared), stdout(alone), "{args:?}");
        assert_eq!(stderr(&shared), stderr(alone), "{args:?}");
    }

    // Paths are the asker's, relative to where it was started, and named as it named them.
    let here = run_here(&desk.ws, "targets.toml", &["flags", "--format", "jsonl"]).await;
    assert_eq!(stdout(&here), stdout(&alone[0]), "{}", stderr(&here));
    let report = run_here(&desk.ws, "targets.toml", &["report", "--out", "case.html"]).await;
    assert_eq!(report.status.code(), Some(0), "{}", stderr(&report));
    assert!(
        stdout(&report).starts_with("wrote case.html: "),
        "{}",
        stdout(&report)
    );
    assert!(desk.ws.dir.path().join("case.html").is_file());
    let missing = run_here(&desk.ws, "nosuch.toml", &["claims"]).await;
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).starts_with("error: cannot read the watch-list nosuch.toml: "),
        "{}",
        stderr(&missing)
    );

    // A decision taken on the command line is the desk's at once.
    let flag = serde_json::from_str::<Value>(stdout(&alone[0]).lines().next().unwrap_or("{}"))
        .expect("a flag");
    let id = flag["flag_id"].as_str().expect("an id");
    let review = desk.ws.run(&["review", id, "--status", "dismissed"]).await;
    assert_eq!(review.status.code(), Some(0), "{}", stderr(&review));
    let reviewed = api_flags(&desk).await;
    let reviewed = reviewed
        .iter()
        .find(|f| f["flag_id"] == id)
        .expect("the flag");
    assert_eq!(reviewed["review"]["status"], "dismissed");

    let (ws, status) = desk.stop().await;
    assert!(status.success(), "{status:?}");
    assert!(!socket(&ws).exists(), "the socket goes with the desk");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crawl_while_the_desk_runs_is_carried_out_by_it_with_its_output_and_exit_code() {
    let (handler, version) = versioned(vec![(
        "/",
        vec![
            Reply::html("<p>We supply military and aerospace customers.</p>"),
            Reply::html("<p>We supply industrial customers.</p>"),
        ],
    )]);
    let server = Server::start("127.0.0.1", 0, handler)
        .await
        .expect("start the site");
    let ws = one_target(&server, "");
    crawl_ok(&ws).await;
    let desk = Desk::start(ws, &[]).await;

    version.store(1, Ordering::SeqCst);
    let output = desk.ws.run(&["crawl", "-v"]).await;
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}{}", stderr(&output));
    assert!(
        summary_line(&output, "site").contains(", 1 new flag"),
        "{out}"
    );
    assert!(
        out.contains("1 new flags:\n  HIGH   claim_removed"),
        "{out}"
    );
    let log = stderr(&output);
    assert!(
        log.lines().any(|l| l.contains(" INFO site 200 http://")),
        "the crawl's log comes back at the asker's verbosity:\n{log}"
    );

    // The desk sees the flag the crawl raised, and so do the commands it answers.
    let flags = api_flags(&desk).await;
    assert_eq!(flags.len(), 1, "{flags:#?}");
    assert_eq!(flags[0]["flag_type"], "claim_removed");
    assert_eq!(flags_json(&desk.ws).await, flags);

    let again = desk.ws.run(&["crawl"]).await;
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(stderr(&again), "", "no log without -v");
    let unknown = desk.ws.run(&["crawl", "--target", "nosuch"]).await;
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("no target \"nosuch\""),
        "{}",
        stderr(&unknown)
    );
    let second_desk = desk.ws.run(&["serve", "--addr", "127.0.0.1:0"]).await;
    assert_eq!(second_desk.status.code(), Some(2));
    assert!(
        stderr(&second_desk).contains("is in use by another claimwatch process"),
        "{}",
        stderr(&second_desk)
    );
    let (_ws, status) = desk.stop().await;
    assert!(status.success(), "{status:?}");
}

/// A site whose three pages each trickle in over three seconds while `slow` is set.
async fn slow_site(slow: Arc<AtomicBool>) -> Hostile {
    Hostile::start(
        "127.0.0.1",
        Arc::new(move |path: &str| {
            if path == "/robots.txt" {
                return Plan::not_found();
            }
            let page = format!(
                "<p>We supply military radios ({path}).</p><a href=\"/a\">a</a><a href=\"/b\">b</a>"
            );
            let plan =
                Plan::raw(head(200, &[("Content-Type", "text/html; charset=utf-8")]) + &page);
            if slow.load(Ordering::SeqCst) {
                plan.repeating("\n", 6, Duration::from_millis(500))
            } else {
                plan
            }
        }),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn during_a_slow_crawl_reads_are_answered_and_a_second_crawl_is_refused_at_once() {
    let slow = Arc::new(AtomicBool::new(false));
    let site = slow_site(slow.clone()).await;
    let ws = Workspace::new(&(fast_crawl("") + &target("site", &site.url("/"), "")));
    crawl_ok(&ws).await;
    let history_alone = ws.run(&["history", "site"]).await;

    slow.store(true, Ordering::SeqCst);
    let mut crawl = ws.spawn_crawl();
    let pid = crawl.id().expect("the crawl runs");
    wait_for_socket(&ws).await;

    let history = ws.run(&["history", "site"]).await;
    assert_eq!(history.status.code(), Some(0), "{}", stderr(&history));
    assert!(
        stdout(&history).starts_with(&stdout(&history_alone)),
        "the first run's captures, then whatever this one stored so far:\n{}",
        stdout(&history)
    );
    let flags = ws.run(&["flags", "--format", "jsonl"]).await;
    assert_eq!(flags.status.code(), Some(0), "{}", stderr(&flags));
    assert_eq!(stdout(&flags), "");

    let started = Instant::now();
    let second = ws.run(&["crawl"]).await;
    let refused_after = started.elapsed();
    assert_eq!(second.status.code(), Some(2), "{}", stdout(&second));
    let err = stderr(&second);
    assert!(
        err.contains(&format!(
            "is in use by another claimwatch process (pid {pid}, "
        )) && err.contains(" crawl\""),
        "the refusal names the crawl holding the store: {err}"
    );
    assert!(
        refused_after < Duration::from_secs(5),
        "refused after {refused_after:?}"
    );
    assert!(
        crawl.try_wait().expect("poll the crawl").is_none(),
        "the first crawl was still running while the others were answered"
    );

    let output = tokio::time::timeout(Duration::from_secs(90), crawl.wait_with_output())
        .await
        .expect("the slow crawl ended within 90 s")
        .expect("wait for the crawl");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        summary_line(&output, "site").contains("3 pages     3 ok"),
        "{}",
        stdout(&output)
    );
    assert!(!socket(&ws).exists(), "the socket goes with the crawl");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_socket_left_by_a_killed_holder_neither_hangs_nor_blocks_the_next_command() {
    let (_server, ws) = crawled_site().await;
    let claims_alone = ws.run(&["claims"]).await;
    let desk = Desk::start(ws, &[]).await;
    let ws = desk.kill().await;
    assert!(
        socket(&ws).exists(),
        "a killed holder leaves its socket behind"
    );

    let started = Instant::now();
    let claims = ws.run(&["claims"]).await;
    assert_eq!(claims.status.code(), Some(0), "{}", stderr(&claims));
    assert_eq!(stdout(&claims), stdout(&claims_alone));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );

    // The next holder replaces the socket, answers on it, and takes it away when it ends.
    let desk = Desk::start(ws, &[]).await;
    let claims = desk.ws.run(&["claims"]).await;
    assert_eq!(claims.status.code(), Some(0), "{}", stderr(&claims));
    assert_eq!(stdout(&claims), stdout(&claims_alone));
    let (ws, _) = desk.stop().await;
    assert!(!socket(&ws).exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crawl_carried_out_by_the_desk_stops_when_its_asker_is_stopped_or_killed() {
    let slow = Arc::new(AtomicBool::new(false));
    let site = slow_site(slow.clone()).await;
    let ws = Workspace::new(&(fast_crawl("") + &target("site", &site.url("/"), "")));
    crawl_ok(&ws).await;
    slow.store(true, Ordering::SeqCst);
    let desk = Desk::start(ws, &[]).await;

    let crawl = desk.ws.spawn_crawl();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    send_signal(&crawl, "TERM");
    let output = tokio::time::timeout(Duration::from_secs(30), crawl.wait_with_output())
        .await
        .expect("the crawl ended within 30 s of SIGTERM")
        .expect("wait for the crawl");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("interrupted by SIGTERM: the run is incomplete"),
        "{}",
        stdout(&output)
    );

    let mut crawl = desk.ws.spawn_crawl();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    crawl.start_kill().expect("SIGKILL the crawl");
    let _ = crawl.wait().await;
    // The desk stops the crawl it carried out for the dead asker and lets go of it: within
    // seconds, the next crawl is carried out rather than refused.
    slow.store(false, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let next = desk.ws.run(&["crawl"]).await;
        let busy = stderr(&next).contains("is in use by another claimwatch process");
        if next.status.code() == Some(2) && busy && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        assert_eq!(next.status.code(), Some(0), "{}", stderr(&next));
        break;
    }
    let (_ws, status) = desk.stop().await;
    assert!(status.success(), "{status:?}");
}
