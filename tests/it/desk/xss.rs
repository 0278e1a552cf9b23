//! Hostile crawled content: claim text, titles, alt texts and URLs carrying `<script>`,
//! `onerror=` and `javascript:` payloads are shown as text, in the desk and in the report, and
//! a real browser runs none of them.

use super::http::assert_loads_nothing_foreign;
use super::webdriver::{Browser, browser};
use super::*;

/// What a page must not contain raw: the payloads as markup.
const RAW: [&str; 6] = [
    "<script>window.pwned",
    "<img src=x",
    "<svg onload",
    "href=\"javascript:",
    "src=\"http://127.0.0.1",
    "onerror=\"document",
];

/// The flags the hostile crawl raised carry the payloads; otherwise this test proves nothing.
async fn assert_payloads_reached_the_flags(ws: &Workspace) {
    let flags = flags_json(ws).await;
    let texts: Vec<String> = flags
        .iter()
        .map(|f| format!("{} {}", f["claim"]["text"], f["url"]))
        .collect();
    let all = texts.join("\n");
    for needle in [
        "<script>window.pwned=1</script>",
        "onerror=\\\"document.title='pwned'\\\"",
        "javascript:window.pwned",
        "%3Cscript%3E",
    ] {
        assert!(all.contains(needle), "no flag carries {needle}:\n{all}");
    }
}

/// The desk's pages about the hostile target: the list, its cases, the target, its captures.
async fn hostile_pages(desk: &Desk) -> Vec<String> {
    let mut paths = vec!["/".to_string(), "/targets/evil".to_string()];
    paths.extend(links_to(&page_text(desk, "/").await, "/cases/"));
    paths.extend(links_to(
        &page_text(desk, "/targets/evil").await,
        "/captures/",
    ));
    paths
}

/// Loads `url` and asserts no payload ran.
async fn assert_nothing_ran(browser: &Browser, url: &str) -> String {
    browser.client.goto(url).await.expect("open the page");
    let state = browser
        .eval("return [document.title, typeof window.pwned, document.scripts.length]")
        .await;
    assert_ne!(state[0], "pwned", "{url}: a payload set the title");
    assert_eq!(state[1], "undefined", "{url}: a payload set window.pwned");
    assert_eq!(state[2], 0, "{url}: the page has a script element");
    browser.text().await
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_text_is_shown_as_text_and_runs_nothing_in_the_desk_or_the_report() {
    let _turn = heavy_test_turn().await;
    let (ws, _site) = hostile_workspace().await;
    assert_payloads_reached_the_flags(&ws).await;
    let desk = Desk::start(ws, &[]).await;
    let paths = hostile_pages(&desk).await;
    assert!(paths.len() >= 5, "{paths:?}");
    let mut escaped_seen = false;
    for path in &paths {
        let html = page_text(&desk, path).await;
        for raw in RAW {
            assert!(!html.contains(raw), "{path} holds {raw:?} raw");
        }
        assert_loads_nothing_foreign(path, &html);
        escaped_seen |= html.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;");
    }
    assert!(escaped_seen, "the script payload is shown, escaped");

    let browser = browser(1366, 900).await;
    let mut shown = String::new();
    if let Some(browser) = &browser {
        for path in &paths {
            shown.push_str(&assert_nothing_ran(browser, &desk.url(path)).await);
        }
        for payload in PAYLOADS {
            assert!(
                shown.contains(payload),
                "{payload:?} is not visible as text"
            );
        }
    }
    let (ws, exit) = desk.stop().await;
    assert!(exit.success());

    let report = ws.dir.path().join("report.html");
    let output = ws
        .run(&["report", "--out", report.to_str().expect("a UTF-8 path")])
        .await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let html = std::fs::read_to_string(&report).expect("the report");
    for raw in RAW {
        assert!(!html.contains(raw), "the report holds {raw:?} raw");
    }
    assert!(html.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;"));
    if let Some(browser) = browser {
        let text = assert_nothing_ran(&browser, &format!("file://{}", report.display())).await;
        for payload in &PAYLOADS[..3] {
            assert!(
                text.contains(payload),
                "{payload:?} is not visible in the report"
            );
        }
        browser.close().await;
    }
}
