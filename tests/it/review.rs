//! The investigator's commands: `show` a capture, `review` a flag or a case.

use std::sync::atomic::Ordering;

use serde_json::Value;

use crate::support::*;

const WINDOWS_1251_PAGE: &str = "<html><head><meta charset=\"windows-1251\"><title>Радиокомп</title></head><body><nav><a href=\"/\">Главная</a></nav><p>Мы поставляем компоненты для предприятий оборонной промышленности.</p><p>Компания основана в 2005 году.</p></body></html>";

pub(crate) async fn two_versions() -> (Workspace, Server) {
    let partner = "<p>Sinno is a cooperative partner of Texas Instruments and Analog Devices.</p>\
                   <img src=\"/ti.png\" alt=\"Texas Instruments\">";
    let (handler, version) = versioned(vec![
        (
            "/",
            vec![
                Reply::html(format!("<h2>Our partners</h2>{partner}")),
                Reply::html("<h2>Our partners</h2><p>We work with many suppliers.</p>"),
            ],
        ),
        (
            "/ru.html",
            vec![Reply::bytes(
                "text/html",
                encoding_rs::WINDOWS_1251
                    .encode(WINDOWS_1251_PAGE)
                    .0
                    .into_owned(),
            )],
        ),
    ]);
    let server = Server::start("127.0.0.1", 0, handler)
        .await
        .expect("server");
    let ws = Workspace::new(
        &(fast_crawl("") + &target("sinno", &server.url("/"), "") + "\n").replace(
            "seeds = [",
            &format!("seeds = [\"{}\", ", server.url("/ru.html")),
        ),
    );
    assert_eq!(ws.run(&["crawl"]).await.status.code(), Some(0));
    version.store(1, Ordering::SeqCst);
    assert_eq!(ws.run(&["crawl"]).await.status.code(), Some(1));
    (ws, server)
}

#[tokio::test(flavor = "multi_thread")]
async fn show_prints_the_record_its_encoding_and_the_text_claims_were_found_in() {
    let (ws, server) = two_versions().await;
    let history = stdout(&ws.run(&["history", &server.url("/ru.html")]).await);
    let id = history
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().nth(1))
        .expect("a capture id in the history")
        .to_string();
    let output = ws.run(&["show", &id]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let shown = stdout(&output);
    for expected in [
        format!("capture       {id}"),
        format!("url           {}", server.url("/ru.html")),
        "encoding      windows-1251 (from the page's <meta> charset)".to_string(),
        "http status   200".to_string(),
        "ip            127.0.0.1".to_string(),
        "sha256        ".to_string(),
        "body          whole".to_string(),
        "p: Мы поставляем компоненты для предприятий оборонной промышленности.  ◀ claim (military-ru)"
            .to_string(),
        "[t] p: Главная".to_string(),
    ] {
        assert!(shown.contains(&expected), "missing {expected:?} in:\n{shown}");
    }
    let missing = ws.run(&["show", "999999"]).await;
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("no capture 999999"),
        "{}",
        stderr(&missing)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_review_is_stored_shown_and_kept_across_crawls() {
    let (ws, _server) = two_versions().await;
    let flags = flags_json(&ws).await;
    let removed: Vec<&Value> = flags
        .iter()
        .filter(|f| f["flag_type"] == "claim_removed")
        .collect();
    assert!(removed.len() >= 2, "{flags:#?}");
    let id = removed[0]["flag_id"].as_str().expect("an id");
    let output = ws
        .run(&[
            "review",
            id,
            "--status",
            "confirmed",
            "--note",
            "AD denies it",
        ])
        .await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    assert_eq!(ws.run(&["crawl"]).await.status.code(), Some(0));
    let flags = flags_json(&ws).await;
    let reviewed = flags
        .iter()
        .find(|f| f["flag_id"] == id)
        .expect("still there");
    assert_eq!(reviewed["review"]["status"], "confirmed");
    assert_eq!(reviewed["review"]["note"], "AD denies it");
    assert!(
        reviewed["review"]["reviewed_at"].is_string(),
        "{reviewed:#}"
    );
    let others = flags.iter().filter(|f| f["flag_id"] != id);
    assert!(
        others
            .into_iter()
            .all(|f| f["review"]["status"] == "unreviewed")
    );

    let bad = ws.run(&["review", id, "--status", "maybe"]).await;
    assert_eq!(bad.status.code(), Some(2));
    let unknown = ws
        .run(&["review", "nosuchflag", "--status", "dismissed"])
        .await;
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("no flag or case \"nosuchflag\""));
}
