//! A robots.txt huge or binary, and a host asking for a day-long pause.

use std::time::Duration;

use super::{Case, bound, hostile_site, noise, page, report, status_column};
use crate::support::hostile::{Hostile, Plan, head};
use crate::support::{Served, stderr, summary_line};
use claimwatch::store::Outcome;

#[tokio::test(flavor = "multi_thread")]
async fn robots_txt_of_20_mib_is_cut_and_its_rules_obeyed() {
    let lines: String = (0..1000)
        .map(|i| format!("Disallow: /x{i:06}/\n"))
        .collect();
    let rules = "User-agent: *\nDisallow: /secret\n";
    let times = (20 << 20) / lines.len() as u64;
    let length = rules.len() as u64 + times * lines.len() as u64;
    let robots = Plan::raw(
        head(
            200,
            &[
                ("Content-Type", "text/plain"),
                ("Content-Length", &length.to_string()),
            ],
        ) + rules,
    )
    .repeating(lines, times, Duration::ZERO);
    let hostile = Hostile::fixed(vec![
        ("/robots.txt", robots),
        (
            "/",
            Plan::html(page(&["/secret/plans.html", "/after.html"], "Welcome")),
        ),
        ("/secret/plans.html", Plan::html(page(&[], "secret"))),
        ("/after.html", Plan::html(page(&[], "After the trap"))),
    ])
    .await;
    let case = Case::new(hostile, "").await;
    let crawl = case.crawl(&[], bound(1)).await;
    let (capture, row) = case.recorded("/secret/plans.html").await;
    report("20 MiB robots.txt", &capture, &crawl);
    assert_eq!(
        case.hostile.count("/secret/plans.html"),
        0,
        "requested a disallowed path: {:?}",
        case.hostile.paths()
    );
    assert_eq!(capture.outcome, Outcome::RobotsBlocked, "{capture:?}");
    assert_eq!(status_column(&row), "robots", "{row}");
    assert_eq!(case.hostile.count("/robots.txt"), 1);
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn binary_robots_txt_is_read_as_no_rules() {
    let hostile = Hostile::fixed(vec![
        (
            "/robots.txt",
            Plan::bytes("text/plain", noise(256 * 1024, 42)),
        ),
        (
            "/",
            Plan::html(page(&["/page.html", "/after.html"], "Welcome")),
        ),
        ("/page.html", Plan::html(page(&[], "A page"))),
        ("/after.html", Plan::html(page(&[], "After the trap"))),
    ])
    .await;
    let case = Case::new(hostile, "").await;
    let crawl = case.crawl(&[], bound(1)).await;
    let (capture, _) = case.recorded("/page.html").await;
    report("binary robots.txt", &capture, &crawl);
    assert_eq!(capture.outcome, Outcome::Ok, "{capture:?}");
    let line = summary_line(&crawl.output, "hostile");
    assert!(!line.contains("FAILED"), "{line}");
    case.assert_went_on();
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_after_a_day_is_capped_and_the_host_left_alone() {
    let throttled = Plan::reply(
        429,
        &[("Content-Type", "text/plain"), ("Retry-After", "86400")],
        "slow down",
    );
    let case = Case::new(hostile_site("/busy", throttled).await, "").await;
    let crawl = case.crawl(&[], Duration::from_secs(10)).await;
    let (capture, row) = case.recorded("/busy").await;
    report("429 with Retry-After: 86400", &capture, &crawl);
    assert_eq!(capture.outcome, Outcome::HttpStatus, "{capture:?}");
    assert_eq!(capture.status, Some(429), "{capture:?}");
    assert_eq!(status_column(&row), "429 http", "{row}");
    let hits = case.hostile.hits();
    let busy: Vec<_> = hits.iter().filter(|h| h.path == "/busy").collect();
    assert_eq!(
        busy.len(),
        2,
        "one try and one retry: {:?}",
        case.hostile.paths()
    );
    let gap = busy[1].at - busy[0].at;
    assert!(
        gap >= Duration::from_millis(900) && gap < Duration::from_secs(3),
        "retried {gap:?} after a day-long Retry-After capped at 1 s"
    );
    assert_eq!(
        case.hostile.count("/after.html"),
        0,
        "the host kept answering 429 and is left alone for this run"
    );
    assert!(
        stderr(&crawl.output).contains("kept answering 429/503"),
        "the run says why the host's other pages were skipped: {}",
        stderr(&crawl.output)
    );
}
