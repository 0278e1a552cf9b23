//! `[[notify]]`: a crawl's new flags delivered to a webhook (signed, retried with backoff) and
//! to a command hook; a failed delivery waits for the next run; nothing is sent twice; and
//! delivery never changes the crawl's exit code.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::net::TcpListener;

use crate::support::*;

const SECRET: &str = "correct horse battery staple";

/// A webhook receiver that answers 500 to its first `failures` requests and 200 after, and
/// keeps every request it got.
struct Receiver {
    url: String,
    requests: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
}

#[derive(Clone)]
struct ReceiverState {
    requests: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    failures: Arc<AtomicUsize>,
}

async fn receive(
    State(state): State<ReceiverState>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    state
        .requests
        .lock()
        .expect("requests lock")
        .push((headers, body));
    let failed = state
        .failures
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    if failed.is_ok() {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

impl Receiver {
    async fn start(failures: Arc<AtomicUsize>) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the receiver");
        let url = format!("http://{}/hook", listener.local_addr().expect("an address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let state = ReceiverState {
            requests: requests.clone(),
            failures,
        };
        let app = Router::new().fallback(receive).with_state(state);
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, requests }
    }

    fn requests(&self) -> Vec<(HeaderMap, Bytes)> {
        self.requests.lock().expect("requests lock").clone()
    }

    /// The flag ids of the requests answered 200, which are the last of each run's attempts.
    fn ids_in(body: &Bytes) -> Vec<String> {
        let payload: Value = serde_json::from_slice(body).expect("a JSON body");
        assert_eq!(payload["schema_version"], 1);
        payload["flags"]
            .as_array()
            .expect("a list of flags")
            .iter()
            .map(|f| f["flag_id"].as_str().expect("an id").to_owned())
            .collect()
    }
}

/// Checks the signature the way a receiver does: `sha256=` and the hex HMAC-SHA256 of the raw
/// body under the shared secret, compared in constant time.
fn signed_by(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let Some(hex_mac) = headers
        .get("x-claimwatch-signature")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("sha256="))
    else {
        return false;
    };
    let Ok(mac) = hex::decode(hex_mac) else {
        return false;
    };
    let mut expected =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    expected.update(body);
    expected.verify_slice(&mac).is_ok()
}

/// A site whose every version removes the claims of the one before: each crawl after the first
/// raises new flags.
async fn changing_site() -> (Server, Arc<AtomicUsize>) {
    let page = |claim: &str| {
        Reply::html(format!(
            "<html><body><p>{claim}</p><p>Founded in 2001.</p></body></html>"
        ))
    };
    let (handler, version) = versioned(vec![(
        "/",
        vec![
            page("We supply military customers with rugged connectors."),
            page("Our defence electronics line serves naval radar programmes."),
            page("Aerospace qualified parts to MIL-STD-883 are our speciality."),
            page("Nothing to see here."),
        ],
    )]);
    let server = Server::start("127.0.0.1", 0, handler)
        .await
        .expect("server");
    (server, version)
}

fn watch_list(server: &Server, notify: &str) -> String {
    fast_crawl("") + &target("site", &server.url("/"), "") + "\n" + notify
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_gets_each_flag_once_signed_after_two_failures() {
    let (site, version) = changing_site().await;
    let failures = Arc::new(AtomicUsize::new(2));
    let receiver = Receiver::start(failures.clone()).await;
    let ws = Workspace::new(&watch_list(
        &site,
        &format!(
            "[[notify]]\nurl = \"{}\"\nsecret = \"{SECRET}\"\nretries = 3\nbackoff = \"50ms\"\n",
            receiver.url
        ),
    ));
    let plan = stdout(&ws.run(&["check"]).await);
    let label = receiver.url.trim_end_matches("hook").to_owned() + "…";
    assert!(
        plan.contains(&format!("new flags: POST {label}, signed")) && !plan.contains(SECRET),
        "{plan}"
    );
    assert_eq!(ws.run(&["crawl"]).await.status.code(), Some(0));
    assert!(
        receiver.requests().is_empty(),
        "a baseline raises nothing to send"
    );

    version.store(1, Ordering::SeqCst);
    let output = ws.run(&["crawl"]).await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let requests = receiver.requests();
    assert_eq!(requests.len(), 3, "two failures, then the delivery");
    let flags = flags_json(&ws).await;
    let raised: Vec<String> = flags
        .iter()
        .map(|f| f["flag_id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!raised.is_empty());
    for (headers, body) in &requests {
        assert!(
            signed_by(SECRET, headers, body),
            "the signature does not check: {headers:?}"
        );
        assert!(!signed_by("another secret", headers, body));
        assert_eq!(headers["content-type"], "application/json");
        let mut sent = Receiver::ids_in(body);
        sent.sort();
        let mut want = raised.clone();
        want.sort();
        assert_eq!(sent, want, "every attempt carries the run's flags");
    }
    let summary = stdout(&output);
    let delivered = match raised.len() {
        1 => "1 flag delivered".to_owned(),
        n => format!("{n} flags delivered"),
    };
    assert!(
        summary.contains(&format!("notify {label}: {delivered}")),
        "{summary}"
    );
    let said = summary + &stderr(&output);
    assert!(
        !said.contains(&receiver.url) && !said.contains(SECRET),
        "a webhook's path and its secret stay out of the output: {said}"
    );

    // Nothing new, nothing sent; new flags, only they.
    let output = ws.run(&["crawl"]).await;
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(receiver.requests().len(), 3);
    version.store(2, Ordering::SeqCst);
    assert_eq!(ws.run(&["crawl"]).await.status.code(), Some(1));
    let requests = receiver.requests();
    assert_eq!(requests.len(), 4);
    let accepted: Vec<String> = [&requests[2], &requests[3]]
        .iter()
        .flat_map(|(_, body)| Receiver::ids_in(body))
        .collect();
    let unique: std::collections::HashSet<&String> = accepted.iter().collect();
    assert_eq!(
        unique.len(),
        accepted.len(),
        "a flag delivered twice: {accepted:?}"
    );
    assert_eq!(
        accepted.len(),
        flags_json(&ws).await.len(),
        "every flag delivered"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_delivery_waits_for_the_next_run_and_never_fails_the_crawl() {
    let (site, version) = changing_site().await;
    let failures = Arc::new(AtomicUsize::new(usize::MAX));
    let receiver = Receiver::start(failures.clone()).await;
    let ws = Workspace::new(&watch_list(
        &site,
        &format!(
            "[[notify]]\nid = \"desk\"\nurl = \"{}\"\nretries = 1\nbackoff = \"10ms\"\n",
            receiver.url
        ),
    ));
    assert_eq!(ws.run(&["crawl"]).await.status.code(), Some(0));
    version.store(1, Ordering::SeqCst);
    let output = ws.run(&["crawl"]).await;
    assert_eq!(
        output.status.code(),
        Some(1),
        "the crawl's own exit code: {}",
        stderr(&output)
    );
    let summary = stdout(&output);
    assert!(
        summary.contains(
            "notify desk: FAILED after 2 attempts (the receiver answered HTTP 500); 0 delivered"
        ),
        "{summary}"
    );
    assert_eq!(receiver.requests().len(), 2);
    let waiting = Receiver::ids_in(&receiver.requests()[1].1);

    // Still down on the next run: the same flags are tried again, and the summary says since
    // when the notifier fails.
    let output = ws.run(&["crawl"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("notify desk: FAILED after 2 attempts")
            && stdout(&output).contains("for the next run (failing since 20"),
        "{}",
        stdout(&output)
    );
    assert_eq!(receiver.requests().len(), 4);
    assert_eq!(Receiver::ids_in(&receiver.requests()[3].1), waiting);

    // The receiver is back; a run with no new flag delivers what waited.
    failures.store(0, Ordering::SeqCst);
    let output = ws.run(&["crawl"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains(&format!(
            "notify desk: {} delivered",
            match waiting.len() {
                1 => "1 flag".to_owned(),
                n => format!("{n} flags"),
            }
        )),
        "{}",
        stdout(&output)
    );
    let requests = receiver.requests();
    assert_eq!(requests.len(), 5);
    assert_eq!(Receiver::ids_in(&requests[4].1), waiting);
    assert!(
        requests[4].0.get("x-claimwatch-signature").is_none(),
        "no secret, no signature"
    );
    let output = ws.run(&["crawl"]).await;
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(receiver.requests().len(), 5, "delivered once, sent once");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_command_hook_gets_new_flags_as_json_lines() {
    let (site, version) = changing_site().await;
    let ws = Workspace::new("");
    let inbox = ws.dir.path().join("inbox.jsonl");
    let runs = ws.dir.path().join("runs.log");
    let script = format!(
        "cat >> '{}' && echo ran >> '{}'",
        inbox.display(),
        runs.display()
    );
    ws.write_targets(&watch_list(
        &site,
        &format!("[[notify]]\ncommand = [\"sh\", \"-c\", \"{script}\"]\n"),
    ));
    assert_eq!(ws.run(&["crawl"]).await.status.code(), Some(0));
    assert!(!runs.exists(), "nothing to deliver, nothing run");
    version.store(1, Ordering::SeqCst);
    let output = ws.run(&["crawl"]).await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let delivered = std::fs::read_to_string(&inbox).expect("the hook wrote its input");
    let lines: Vec<Value> = delivered
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let by_id = |flags: &mut Vec<Value>| flags.sort_by_key(|f| f["flag_id"].to_string());
    let (mut lines, mut flags) = (lines, flags_json(&ws).await);
    by_id(&mut lines);
    by_id(&mut flags);
    assert_eq!(lines, flags, "the flags, in the record shape");
    assert!(stdout(&output).contains("delivered"), "{}", stdout(&output));
    assert_eq!(ws.run(&["crawl"]).await.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&runs)
            .expect("read")
            .lines()
            .count(),
        1
    );

    // A hook that fails is reported and tried again; the crawl's exit code is its own.
    ws.write_targets(&watch_list(
        &site,
        "[[notify]]\ncommand = [\"sh\", \"-c\", \"echo no disk >&2; exit 3\"]\nretries = 0\n",
    ));
    version.store(2, Ordering::SeqCst);
    let output = ws.run(&["crawl"]).await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let summary = stdout(&output);
    assert!(summary.contains("FAILED after 1 attempt ("), "{summary}");
    assert!(summary.contains("no disk"), "{summary}");
}

/// A receiver that takes the request and never answers must not hold a stopped run: SIGTERM
/// during delivery ends it at once, with its summary, and the flags wait.
#[tokio::test(flavor = "multi_thread")]
async fn a_stopped_run_does_not_wait_for_a_receiver_that_never_answers() {
    use crate::operation::{exits_in_time, start};
    use std::process::Stdio;

    let (site, version) = changing_site().await;
    let tarpit = hostile::Hostile::tarpit("127.0.0.1").await;
    let url = format!("http://{}/hook", tarpit.addr);
    let ws = Workspace::new(&watch_list(
        &site,
        &format!("[[notify]]\nid = \"stuck\"\nurl = \"{url}\"\ntimeout = \"60s\"\n"),
    ));
    assert_eq!(ws.run(&["crawl"]).await.status.code(), Some(0));
    version.store(1, Ordering::SeqCst);
    let mut child = start(&ws, &["crawl"], None, Stdio::piped(), Stdio::piped());
    let waiting_since = std::time::Instant::now();
    while tarpit.connections() == 0 {
        assert!(
            waiting_since.elapsed() < std::time::Duration::from_secs(60),
            "the webhook was never called"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    send_signal(&child, "TERM");
    let (code, took) = exits_in_time(&mut child, "SIGTERM during delivery").await;
    assert_eq!(code, Some(2), "after {took:?}");
    let output = child.wait_with_output().await.expect("the output");
    let summary = stdout(&output);
    assert!(
        summary.contains("notify stuck: FAILED after 1 attempt (the run was stopped before the receiver answered)")
            && summary.contains("interrupted by SIGTERM"),
        "the run ended on its own, with its summary: {summary}{}",
        stderr(&output)
    );
    let state = ws
        .open_store()
        .notifier_state("stuck")
        .expect("read")
        .expect("seen");
    assert_eq!(state.delivered_through, None, "nothing was taken");

    // The same notifier, now a command that takes them: the stopped run's flags come next run.
    let inbox = ws.dir.path().join("inbox.jsonl");
    ws.write_targets(&watch_list(
        &site,
        &format!(
            "[[notify]]\nid = \"stuck\"\ncommand = [\"sh\", \"-c\", \"cat > '{}'\"]\n",
            inbox.display()
        ),
    ));
    let output = ws.run(&["crawl"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let delivered = std::fs::read_to_string(&inbox).expect("the hook ran");
    assert_eq!(delivered.lines().count(), flags_json(&ws).await.len());
}
