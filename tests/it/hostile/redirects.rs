//! Redirect loops, long redirect chains, and redirects to cloud metadata addresses.

use std::sync::Arc;

use super::{Case, bound, hostile_site, page, report, status_column};
use crate::support::Served;
use crate::support::hostile::{Hostile, Plan, Route};
use claimwatch::store::Outcome;

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
