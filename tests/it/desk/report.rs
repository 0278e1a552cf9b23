//! `claimwatch report`: one HTML file with the cases, their diffs and capture digests, that
//! loads nothing from anywhere and prints.

use std::path::PathBuf;

use base64::Engine;
use scraper::{Html, Selector};
use sha2::{Digest, Sha256};

use super::webdriver::browser;
use super::*;

async fn report(ws: &Workspace, args: &[&str]) -> (String, String) {
    let out = ws.dir.path().join("report.html");
    let mut all = vec!["report", "--out", out.to_str().expect("a UTF-8 path")];
    all.extend_from_slice(args);
    let output = ws.run(&all).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    (
        std::fs::read_to_string(&out).expect("the report"),
        stdout(&output),
    )
}

/// Asserts the document asks for nothing outside itself: no script, no link, no image, every
/// href a fragment, and a policy allowing only its own stylesheet, named by its digest.
fn assert_self_contained(html: &str) {
    let document = Html::parse_document(html);
    let select = |s: &str| Selector::parse(s).expect("a selector");
    for forbidden in [
        "script", "link", "img", "iframe", "object", "embed", "form", "base",
    ] {
        assert_eq!(
            document.select(&select(forbidden)).count(),
            0,
            "<{forbidden}>"
        );
    }
    for element in document.select(&select("[href]")) {
        let href = element.value().attr("href").unwrap_or_default();
        assert!(href.starts_with('#'), "href {href:?} leaves the report");
    }
    for element in document.select(&select("*")) {
        for (name, _) in element.value().attrs() {
            assert!(
                !name.starts_with("on") && name != "style" && name != "src",
                "{name}"
            );
        }
    }
    let policy = document
        .select(&select("meta[http-equiv=Content-Security-Policy]"))
        .next()
        .and_then(|m| m.value().attr("content"))
        .expect("a policy in the document")
        .to_string();
    let style = document
        .select(&select("style"))
        .next()
        .map(|s| s.text().collect::<String>())
        .expect("the stylesheet, inline");
    let digest = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(style.as_bytes()));
    assert!(policy.starts_with("default-src 'none';"), "{policy}");
    assert!(
        policy.contains(&format!("style-src 'sha256-{digest}'")),
        "the policy names the stylesheet it holds: {policy}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_report_holds_the_cases_diffs_and_digests_and_loads_nothing() {
    let ws = demo_workspace().await;
    let flags = flags_json(&ws).await;
    let (html, said) = report(&ws, &[]).await;
    assert!(said.contains("4 cases"), "{said}");
    assert_self_contained(&html);
    for summary in [
        "Sinno took down its partner claims for Analog Devices and Texas Instruments: 2 sentences, 2 logos",
        "Winninc took down its military claims: 1 sentence",
    ] {
        assert!(html.contains(summary), "{summary}");
    }
    for flag in &flags {
        for side in ["before", "after"] {
            if let Some(sha) = flag[side]["sha256"].as_str() {
                assert!(
                    html.contains(sha),
                    "capture digest {sha} of {}",
                    flag["flag_id"]
                );
            }
        }
    }
    assert!(html.contains("class=\"diff\""), "the diffs");
    assert!(
        html.contains("深圳华强电子有限公司") && html.contains("军工"),
        "Chinese claims as they stood"
    );

    let (only, said) = report(&ws, &["--target", "winninc"]).await;
    assert!(said.contains("1 cases"), "{said}");
    assert!(only.contains("Winninc") && !only.contains("Sinno took down"));
    let (none, said) = report(&ws, &["--since", "2999-01-01"]).await;
    assert!(said.contains("0 cases"), "{said}");
    assert!(none.contains("No flag matches."));
    assert_self_contained(&none);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_report_prints_to_pdf() {
    let _turn = heavy_test_turn().await;
    let ws = demo_workspace().await;
    let (_, _) = report(&ws, &[]).await;
    let Some(browser) = browser(1366, 900).await else {
        return;
    };
    let path = ws.dir.path().join("report.html");
    browser
        .client
        .goto(&format!("file://{}", path.display()))
        .await
        .expect("open the report");
    let pdf = browser
        .client
        .print(fantoccini::wd::PrintConfiguration::default())
        .await
        .expect("print to PDF");
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    assert!(pdf.len() > 20_000, "{} bytes", pdf.len());
    if let Some(dir) = std::env::var_os("CLAIMWATCH_REPORT_PDF") {
        std::fs::write(PathBuf::from(dir), &pdf).expect("keep the PDF");
    }
    browser.close().await;
}
