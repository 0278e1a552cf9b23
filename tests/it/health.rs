//! Site health: a site that goes dark is flagged after `unreachable_after` runs, and again when
//! it comes back; a site that only blocks us, and a run in which no site answers, are not.

use serde_json::Value;

use crate::support::*;

fn page() -> Handler {
    routes(vec![
        (
            "/robots.txt",
            Reply::bytes("text/plain", b"User-agent: *\n".to_vec()),
        ),
        (
            "/",
            Reply::html("<p>We supply components for the defence industry.</p>"),
        ),
    ])
}

fn forbidden() -> Handler {
    std::sync::Arc::new(|_: &str| Reply::status(403))
}

async fn crawl(ws: &Workspace) -> (Option<i32>, Vec<Value>) {
    let output = ws.run(&["crawl"]).await;
    (output.status.code(), flags_json(ws).await)
}

fn health_flags<'a>(flags: &'a [Value], flag_type: &str, target: &str) -> Vec<&'a Value> {
    flags
        .iter()
        .filter(|f| f["flag_type"] == flag_type && f["target"]["id"] == target)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_that_goes_dark_for_two_runs_is_flagged_then_flagged_back() {
    let dark = Server::start("127.0.0.2", 0, page()).await.expect("server");
    let steady = Server::start("127.0.0.3", 0, page()).await.expect("server");
    let ws = Workspace::new(
        &(fast_crawl("")
            + &target("dark", &dark.url("/"), "")
            + &target("steady", &steady.url("/"), "")),
    );
    assert_eq!(crawl(&ws).await.0, Some(0), "baseline");
    let addr = go_dark(dark).await;

    let (code, flags) = crawl(&ws).await;
    assert_eq!(
        code,
        Some(0),
        "one failed run raises nothing yet: {flags:#?}"
    );
    assert!(health_flags(&flags, "site_unreachable", "dark").is_empty());

    let (code, flags) = crawl(&ws).await;
    assert_eq!(
        code,
        Some(1),
        "the second failed run in a row raises the flag"
    );
    let unreachable = health_flags(&flags, "site_unreachable", "dark");
    assert_eq!(unreachable.len(), 1, "{flags:#?}");
    let flag = unreachable[0];
    assert_eq!(flag["scope"], "site");
    assert_eq!(flag["severity"], "medium");
    assert_eq!(flag["category"], "health");
    assert!(flag["claim"].is_null(), "a site flag concerns no claim");
    assert_eq!(flag["url"], format!("http://{addr}/"));
    assert!(
        flag["before"]["sha256"].is_string(),
        "the last good capture: {flag:#}"
    );
    let reason = flag["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("no page answered in 2 runs in a row, since ")
            && reason.contains("host unreachable")
            && reason.to_lowercase().contains("connection refused"),
        "{reason}"
    );
    assert!(health_flags(&flags, "site_unreachable", "steady").is_empty());

    let (code, flags) = crawl(&ws).await;
    assert_eq!(code, Some(0), "still dark: flagged once per streak");
    assert_eq!(health_flags(&flags, "site_unreachable", "dark").len(), 1);

    let _back = Server::start("127.0.0.2", addr.port(), page())
        .await
        .expect("the site comes back on its old address");
    let (code, flags) = crawl(&ws).await;
    assert_eq!(code, Some(1));
    let back = health_flags(&flags, "site_back", "dark");
    assert_eq!(back.len(), 1, "{flags:#?}");
    assert_eq!(back[0]["severity"], "low");
    let reason = back[0]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("answers again after 3 failed runs in a row"),
        "{reason}"
    );
    assert!(
        flags.iter().all(|f| f["flag_type"] != "claim_removed"),
        "a site gone dark is no claim taken down: {flags:#?}"
    );

    let (code, _) = crawl(&ws).await;
    assert_eq!(code, Some(0), "back and steady: nothing new");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_that_only_blocks_us_is_no_takedown() {
    let open = Server::start("127.0.0.2", 0, page()).await.expect("server");
    let ws = Workspace::new(&(fast_crawl("") + &target("shy", &open.url("/"), "")));
    assert_eq!(crawl(&ws).await.0, Some(0));
    let port = go_dark(open).await.port();
    let _blocking = Server::start("127.0.0.2", port, forbidden())
        .await
        .expect("the site answers 403 from now on");
    for _ in 0..3 {
        let (_, flags) = crawl(&ws).await;
        assert!(
            flags
                .iter()
                .all(|f| f["flag_type"] != "site_unreachable" && f["flag_type"] != "claim_removed"),
            "{flags:#?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_in_which_no_site_answers_is_not_the_sites_going_dark() {
    let a = Server::start("127.0.0.2", 0, page()).await.expect("server");
    let b = Server::start("127.0.0.3", 0, page()).await.expect("server");
    let ws = Workspace::new(
        &(fast_crawl("") + &target("a", &a.url("/"), "") + &target("b", &b.url("/"), "")),
    );
    assert_eq!(crawl(&ws).await.0, Some(0));
    go_dark(a).await;
    go_dark(b).await;
    for _ in 0..3 {
        let (code, flags) = crawl(&ws).await;
        assert_eq!(code, Some(2), "every target failed");
        assert!(
            flags.iter().all(|f| f["flag_type"] != "site_unreachable"),
            "the crawler's own outage: {flags:#?}"
        );
    }
}
