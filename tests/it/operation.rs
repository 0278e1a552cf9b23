//! Unattended operation, end to end: whatever happens to the output or however the process is
//! told to stop, `crawl` ends within seconds, with the store flushed and its lock released, and
//! the next run starts. A crawl that cannot write its output (a closed pipe, a full disk under
//! the log) stops and exits 2; SIGTERM ends a run within the grace period even when the run is
//! blocked.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, Instant};

use crate::crash::site;
use crate::support::*;

/// How long a stopped run may take to end: the binary's grace period (10 s) and room for a
/// loaded machine.
const ENDS_WITHIN: Duration = Duration::from_secs(20);

/// A workspace crawling a 400-page site at 200/s (about 2 s of crawling), and its server.
pub(crate) async fn long_crawl() -> (Server, Workspace) {
    let server = Server::start("127.0.0.1", 0, site(11, Arc::new(AtomicUsize::new(0))))
        .await
        .expect("start the test server");
    let ws = Workspace::new(&site_at_200_per_second(&server, 1000));
    (server, ws)
}

/// Waits for `child` to exit, failing the test if it takes longer than [`ENDS_WITHIN`].
pub(crate) async fn exits_in_time(
    child: &mut tokio::process::Child,
    context: &str,
) -> (Option<i32>, Duration) {
    let started = Instant::now();
    let status = tokio::time::timeout(ENDS_WITHIN, child.wait())
        .await
        .unwrap_or_else(|_| panic!("{context}: claimwatch still running after {ENDS_WITHIN:?}"))
        .expect("wait for claimwatch");
    (status.code(), started.elapsed())
}

/// `claimwatch ARGS` started with stdin closed and the given stdout and stderr; `log` is the
/// `CLAIMWATCH_LOG` filter, if any.
pub(crate) fn start(
    ws: &Workspace,
    args: &[&str],
    log: Option<&str>,
    stdout: impl Into<Stdio>,
    stderr: impl Into<Stdio>,
) -> tokio::process::Child {
    let mut command = ws.command(args);
    if let Some(filter) = log {
        command.env("CLAIMWATCH_LOG", filter);
    }
    command
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("start claimwatch")
}

/// Everything a child's pipe holds until it closes.
async fn read_all(pipe: Option<impl tokio::io::AsyncRead + Unpin>) -> String {
    let mut text = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut pipe.expect("the stream is piped"), &mut text)
        .await
        .expect("read the child's output");
    text
}

/// The store is free again: it opens here (the lock is released), and a whole crawl runs.
pub(crate) async fn next_crawl_runs(ws: &Workspace, context: &str) {
    drop(
        claimwatch::store::Store::open(&ws.store())
            .unwrap_or_else(|e| panic!("{context}: the store does not open after the run: {e}")),
    );
    let output = ws.run(&["crawl"]).await;
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{context}: the next crawl failed: {} {}",
        stdout(&output),
        stderr(&output)
    );
}

/// stdout is written only when the run ends; its reader leaving mid-crawl stops the crawl then,
/// not hours later.
#[tokio::test(flavor = "multi_thread")]
async fn a_stdout_closed_mid_crawl_stops_the_crawl_with_exit_2() {
    let (server, ws) = long_crawl().await;
    let mut child = start(&ws, &["crawl"], None, Stdio::piped(), Stdio::piped());
    let deadline = Instant::now() + ENDS_WITHIN;
    while server.pages_requested().len() < 20 {
        assert!(Instant::now() < deadline, "the crawl never got going");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    drop(child.stdout.take());
    let closed_at = server.pages_requested().len();
    let stderr_pipe = child.stderr.take();
    let (code, took) = exits_in_time(&mut child, "stdout closed").await;
    let err = read_all(stderr_pipe).await;
    assert_eq!(code, Some(2), "exit code after {took:?}; stderr: {err}");
    assert!(
        err.contains("stdout"),
        "stderr should say stdout failed: {err}"
    );
    let requested = server.pages_requested().len();
    assert!(
        requested < 200,
        "the crawl went on after stdout closed: {closed_at} pages requested then, {requested} \
         in all, of 401"
    );
    println!("stdout closed after {closed_at} pages; {requested} requested; exit {took:?} later");
    next_crawl_runs(&ws, "stdout closed").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_under_the_log_ends_the_crawl_with_exit_2_and_says_why() {
    let (_server, ws) = long_crawl().await;
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full");
    let mut child = start(&ws, &["crawl", "-v"], None, Stdio::piped(), full);
    let stdout_pipe = child.stdout.take();
    let (code, took) = exits_in_time(&mut child, "stderr on /dev/full").await;
    let out = read_all(stdout_pipe).await;
    assert_eq!(code, Some(2), "exit code after {took:?}: {out}");
    assert!(
        out.contains("stderr could not be written") && out.contains("the run is incomplete"),
        "the summary should say the log failed and the run stopped: {out}"
    );
    next_crawl_runs(&ws, "stderr on /dev/full").await;
}

/// A run whose log blocks (stderr a pipe nobody reads) cannot flush or finish on its own; the
/// signal still ends it within the grace period.
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_ends_a_crawl_blocked_writing_its_log() {
    let (_server, ws) = long_crawl().await;
    let mut child = start(
        &ws,
        &["crawl"],
        Some("debug"),
        Stdio::null(),
        Stdio::piped(),
    );
    // Held, never read: the pipe fills and every log write blocks.
    let _unread = child.stderr.take();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        child.try_wait().expect("poll claimwatch").is_none(),
        "the crawl should be blocked on its log, not finished"
    );
    send_signal(&child, "TERM");
    let (code, took) = exits_in_time(&mut child, "SIGTERM while blocked").await;
    assert_eq!(code, Some(2), "exit code {took:?} after SIGTERM");
    println!("blocked crawl ended {took:?} after SIGTERM");
    next_crawl_runs(&ws, "SIGTERM while blocked").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_at_random_moments_ends_every_run_within_seconds() {
    let _turn = heavy_test_turn().await;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_nanos() as u64;
    println!("signal seed {seed}");
    let mut rng = Rng(seed);
    let (_server, ws) = long_crawl().await;
    let mut stopped = 0;
    for round in 1..=8 {
        let delay = Duration::from_millis(rng.between(100, 3000));
        let context = format!("seed {seed}, round {round}, SIGTERM after {delay:?}");
        let mut child = start(&ws, &["crawl"], None, Stdio::null(), Stdio::null());
        tokio::time::sleep(delay).await;
        let finished = child.try_wait().expect("poll claimwatch");
        let (code, took) = match finished {
            Some(status) => (status.code(), Duration::ZERO),
            None => {
                send_signal(&child, "TERM");
                exits_in_time(&mut child, &context).await
            }
        };
        let expected: &[i32] = if finished.is_some() {
            &[0, 1]
        } else {
            &[0, 1, 2]
        };
        assert!(
            code.is_some_and(|c| expected.contains(&c)),
            "{context}: exit {code:?} after {took:?}"
        );
        if code == Some(2) {
            stopped += 1;
        }
        println!("round {round}: SIGTERM after {delay:?}: exit {code:?}, {took:?} later");
        drop(
            claimwatch::store::Store::open(&ws.store())
                .unwrap_or_else(|e| panic!("{context}: the store does not open: {e}")),
        );
    }
    assert!(
        stopped >= 4,
        "seed {seed}: only {stopped} of 8 runs were stopped mid-run"
    );
    next_crawl_runs(&ws, &format!("seed {seed}, after the signals")).await;
}
