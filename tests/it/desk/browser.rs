//! The desk in a real browser: an investigator goes through the list by keyboard, confirms a
//! case with a note, and the decision is in `claimwatch flags`; the pages at desktop and phone
//! widths, photographed.

use std::path::PathBuf;
use std::time::Duration;

use fantoccini::Locator;
use fantoccini::key::Key;

use super::webdriver::{Browser, browser};
use super::*;

/// Presses Tab until a case link has the focus; fails after `limit` presses.
async fn tab_to_first_case(browser: &Browser, limit: usize) {
    for _ in 0..limit {
        let focused = browser
            .eval("return document.activeElement && document.activeElement.className")
            .await;
        if focused.as_str() == Some("case-link") {
            return;
        }
        browser
            .client
            .active_element()
            .await
            .expect("an active element")
            .send_keys(&Key::Tab.to_string())
            .await
            .expect("press Tab");
    }
    panic!("no case link took the focus after {limit} presses of Tab");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_investigator_confirms_a_case_with_a_note_and_flags_shows_it() {
    let _turn = heavy_test_turn().await;
    let Some(browser) = browser(1366, 900).await else {
        return;
    };
    let desk = Desk::start(demo_workspace().await, &[]).await;
    let c = &browser.client;
    c.goto(&desk.url("/")).await.expect("open the list");
    assert_eq!(c.title().await.expect("a title"), "Cases · claimwatch");

    // Through the list by keyboard: the filters, then the first case, opened with Enter.
    tab_to_first_case(&browser, 40).await;
    c.active_element()
        .await
        .expect("the focused case")
        .send_keys(&Key::Enter.to_string())
        .await
        .expect("press Enter");
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("article.case-page"))
        .await
        .expect("the case page opened");
    let case_url = c.current_url().await.expect("a URL").path().to_string();
    assert!(case_url.starts_with("/cases/"), "{case_url}");
    let flag_ids: Vec<String> = {
        let mut ids = Vec::new();
        for article in c
            .find_all(Locator::Css("article.flag"))
            .await
            .expect("flags")
        {
            let id = article
                .attr("id")
                .await
                .expect("an id")
                .expect("flags have ids");
            ids.push(id.trim_start_matches("flag-").to_string());
        }
        ids
    };
    assert!(!flag_ids.is_empty());

    let note = "Checked with the maker: not an authorized distributor. 已核实";
    c.find(Locator::Css(
        ".review-case input[name=status][value=confirmed]",
    ))
    .await
    .expect("the confirmed choice")
    .click()
    .await
    .expect("choose confirmed");
    c.find(Locator::Css(".review-case textarea[name=note]"))
        .await
        .expect("the note")
        .send_keys(note)
        .await
        .expect("type the note");
    c.find(Locator::Css(".review-case button[type=submit]"))
        .await
        .expect("the button")
        .click()
        .await
        .expect("record");
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(".notice"))
        .await
        .expect("the decision was recorded");
    let status = c
        .find(Locator::Css(".case-facts .badge.status"))
        .await
        .expect("the case's status")
        .text()
        .await
        .expect("its text");
    assert!(status.contains("confirmed"), "{status}");
    browser.close().await;

    let (ws, exit) = desk.stop().await;
    assert!(exit.success(), "{exit}");
    let flags = flags_json(&ws).await;
    for id in &flag_ids {
        let flag = flags
            .iter()
            .find(|f| f["flag_id"] == id.as_str())
            .unwrap_or_else(|| panic!("flag {id} in flags --format jsonl"));
        assert_eq!(flag["review"]["status"], "confirmed", "{flag:#}");
        assert_eq!(flag["review"]["note"], note, "{flag:#}");
        assert!(flag["review"]["reviewed_at"].is_string(), "{flag:#}");
    }
    let others = flags
        .iter()
        .filter(|f| !flag_ids.iter().any(|id| f["flag_id"] == id.as_str()));
    assert!(
        others
            .into_iter()
            .all(|f| f["review"]["status"] == "unreviewed")
    );
}

/// Where to write the screenshots: `CLAIMWATCH_SCREENSHOTS=docs/screenshots` refreshes the
/// README's; without it they are taken and checked, not kept.
fn screenshot_dir() -> Option<PathBuf> {
    std::env::var_os("CLAIMWATCH_SCREENSHOTS").map(PathBuf::from)
}

#[tokio::test(flavor = "multi_thread")]
async fn screenshots_of_the_list_a_case_and_a_timeline_at_desktop_and_phone_widths() {
    let _turn = heavy_test_turn().await;
    let desk = Desk::start(demo_workspace().await, &[]).await;
    let list = page_text(&desk, "/?target=sinno").await;
    let case = links_to(&list, "/cases/")
        .into_iter()
        .next()
        .expect("a sinno case");
    let shots = [
        ("cases", "/".to_string()),
        ("case", case),
        ("timeline", "/targets/sinno".to_string()),
    ];
    for (device, width, height) in [("desktop", 1366, 900), ("phone", 390, 844)] {
        let Some(browser) = browser(width, height).await else {
            return;
        };
        for (name, path) in &shots {
            browser
                .client
                .goto(&desk.url(path))
                .await
                .expect("open the page");
            let png = browser.client.screenshot().await.expect("a screenshot");
            assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}: not a PNG");
            assert!(png.len() > 10_000, "{name}: an empty picture");
            if let Some(dir) = screenshot_dir() {
                std::fs::create_dir_all(&dir).expect("create the screenshot directory");
                std::fs::write(dir.join(format!("{name}-{device}.png")), &png)
                    .expect("write a screenshot");
            }
        }
        browser.close().await;
    }
    desk.stop().await;
}
