//! A body received again is not read again: its capture shares the document and claims of the
//! last good capture with the same bytes, and everything downstream behaves as if it were read.

use std::sync::atomic::Ordering;

use crate::support::*;

const ABOUT_V1: &str = "<html><body><p>We are an authorized distributor of Texas Instruments \
    for military and aerospace customers.</p><a href=\"/news.html\">news</a></body></html>";
const ABOUT_V2: &str = "<html><body><p>We distribute industrial parts.</p>\
    <a href=\"/news.html\">news</a></body></html>";
const NEWS: &str = "<html><body><p>Our new catalogue is out.</p></body></html>";

/// A site of an about page with claims and a news page that never change, and its watch-list.
async fn about_and_news() -> (Server, Workspace) {
    let server = serve(vec![
        ("/", Reply::html(ABOUT_V1)),
        ("/news.html", Reply::html(NEWS)),
    ])
    .await;
    let ws = one_target(&server, "");
    (server, ws)
}

/// The document digest and encoding of every capture of `url`, oldest first.
fn documents_of(ws: &Workspace, url: &str) -> Vec<(Option<String>, Option<String>)> {
    let store = ws.open_store();
    store
        .captures_for_url(url)
        .expect("read captures")
        .into_iter()
        .map(|c| (c.document_sha256.clone(), c.encoding.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unchanged_body_is_not_read_again_and_keeps_its_claims() {
    let (server, ws) = about_and_news().await;
    crawl_ok(&ws).await;
    let claims_before = stdout(&ws.run(&["claims", "--target", "site"]).await);
    assert!(
        claims_before.contains("Texas Instruments"),
        "{claims_before}"
    );

    crawl_ok(&ws).await;
    let again = ws.run(&["crawl", "-vv"]).await;
    let log = stderr(&again);
    assert_eq!(again.status.code(), Some(0), "{log}");
    for page in ["/", "/news.html"] {
        assert!(
            log.lines()
                .any(|l| l.contains(&server.url(page)) && l.contains("not read again")),
            "{page} was read again:\n{log}"
        );
    }
    let about = documents_of(&ws, &server.url("/"));
    assert_eq!(about.len(), 3, "{about:?}");
    assert!(about[0].0.is_some(), "{about:?}");
    assert!(
        about.iter().all(|c| c == &about[0]),
        "every capture of an unchanged body holds the first one's document and encoding: {about:?}"
    );
    let claims_after = stdout(&ws.run(&["claims", "--target", "site"]).await);
    let quoted = |listing: &str| -> Vec<String> {
        listing
            .lines()
            .filter(|l| !l.contains("first seen"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(quoted(&claims_before), quoted(&claims_after));
    assert!(claims_after.contains("in 3 captures"), "{claims_after}");
    assert!(flags_json(&ws).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_after_unchanged_runs_is_read_and_flagged() {
    let (handler, version) = versioned(vec![
        (
            "/",
            vec![
                Reply::html(ABOUT_V1),
                Reply::html(ABOUT_V1),
                Reply::html(ABOUT_V2),
            ],
        ),
        ("/news.html", vec![Reply::html(NEWS)]),
    ]);
    let server = Server::start("127.0.0.1", 0, handler)
        .await
        .expect("server");
    let ws = one_target(&server, "");
    crawl_ok(&ws).await;
    version.store(1, Ordering::SeqCst);
    crawl_ok(&ws).await;
    version.store(2, Ordering::SeqCst);
    let changed = ws.run(&["crawl", "-vv"]).await;
    assert_eq!(changed.status.code(), Some(1), "{}", stderr(&changed));
    let log = stderr(&changed);
    assert!(
        !log.lines()
            .any(|l| l.contains(&format!("{}:", server.url("/"))) && l.contains("not read again")),
        "the changed page was not read:\n{log}"
    );
    let flags = flags_json(&ws).await;
    let removed: Vec<_> = flags
        .iter()
        .filter(|f| f["flag_type"] == "claim_removed")
        .collect();
    assert!(
        removed.iter().any(|f| f["claim"]["text"]
            .as_str()
            .unwrap_or("")
            .contains("Texas Instruments")),
        "{flags:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_bytes_under_another_declared_charset_are_read_again() {
    // "Hőmérséklet-érzékelő" in iso-8859-2 reads as "Hõmérséklet-érzékelõ" in windows-1252, and
    // both read as Latin text, so each declaration stands: the declared charset decides the
    // text, so the same bytes under another one are another page.
    let (text, _, _) = encoding_rs::ISO_8859_2
        .encode("<html><body><p>Hőmérséklet-érzékelő katonai alkalmazásokhoz</p></body></html>");
    let body = text.into_owned();
    let (handler, version) = versioned(vec![(
        "/",
        vec![
            Reply::bytes("text/html; charset=iso-8859-2", body.clone()),
            Reply::bytes("text/html; charset=windows-1252", body),
        ],
    )]);
    let server = Server::start("127.0.0.1", 0, handler)
        .await
        .expect("server");
    let ws = one_target(&server, "");
    crawl_ok(&ws).await;
    version.store(1, Ordering::SeqCst);
    ws.run(&["crawl"]).await;
    let captures = documents_of(&ws, &server.url("/"));
    assert_eq!(captures.len(), 2, "{captures:?}");
    assert_eq!(captures[0].1.as_deref(), Some("ISO-8859-2"));
    assert_eq!(captures[1].1.as_deref(), Some("windows-1252"));
    assert_ne!(
        captures[0].0, captures[1].0,
        "the document was reused: {captures:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gone_page_linked_from_an_unchanged_page_is_still_tried() {
    // The links of an unchanged page come from the store: a page they lead to that was gone is
    // still fetched again (behind live pages) and noticed when it is back.
    let (handler, version) = versioned(vec![
        ("/", vec![Reply::html(ABOUT_V2)]),
        ("/news.html", vec![Reply::not_found(), Reply::html(NEWS)]),
    ]);
    let server = Server::start("127.0.0.1", 0, handler)
        .await
        .expect("server");
    let ws = one_target(&server, "");
    crawl_ok(&ws).await;
    version.store(1, Ordering::SeqCst);
    let log = stderr(&ws.run(&["crawl", "-vv"]).await);
    assert!(
        log.lines()
            .any(|l| l.contains(&server.url("/")) && l.contains("not read again")),
        "{log}"
    );
    let news = documents_of(&ws, &server.url("/news.html"));
    assert_eq!(news.len(), 2, "the gone page was not tried again: {news:?}");
    assert!(news[1].0.is_some(), "{news:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rule_added_between_runs_finds_its_claims_on_unchanged_pages() {
    // Claims kept for unchanged pages were found under the old rules: new rules must not be
    // answered from them.
    let server = serve(vec![
        ("/", Reply::html(ABOUT_V2)),
        ("/news.html", Reply::html(NEWS)),
    ])
    .await;
    let ws = one_target(&server, "");
    crawl_ok(&ws).await;
    let listed = stdout(&ws.run(&["claims", "--target", "site"]).await);
    assert!(!listed.contains("catalogue"), "{listed}");
    let with_rule = std::fs::read_to_string(ws.targets()).expect("read targets.toml")
        + "\n[[rule]]\nid = \"catalogue\"\ncategory = \"product\"\nterms = [\"catalogue\"]\n";
    ws.write_targets(&with_rule);
    let log = stderr(&ws.run(&["crawl", "-vv"]).await);
    assert!(log.contains("not read again"), "{log}");
    let listed = stdout(&ws.run(&["claims", "--target", "site"]).await);
    assert!(
        listed.contains("Our new catalogue is out."),
        "the new rule's claim is missing:\n{listed}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unchanged_capture_record_is_stored_small_and_reads_back_whole() {
    // A re-crawl of an unchanged page used to add its whole record (request and response
    // headers, TLS, digests: over a kilobyte) again. It is now a delta on the page's first
    // record, and every command reads it as it was written.
    let (server, ws) = about_and_news().await;
    for _ in 0..3 {
        crawl_ok(&ws).await;
    }
    let records: Vec<(u64, usize, Vec<u8>)> = {
        let db = sled::open(ws.store()).expect("open the database");
        let captures = db.open_tree("captures").expect("captures");
        captures
            .iter()
            .map(|entry| {
                let (key, value) = entry.expect("reads");
                let id = u64::from_be_bytes(key.as_ref().try_into().expect("an id"));
                (id, value.len(), value.to_vec())
            })
            .collect()
    };
    let plain: Vec<_> = records.iter().filter(|r| r.2[0] == b'{').collect();
    let deltas: Vec<_> = records.iter().filter(|r| r.2[0] == 0x01).collect();
    assert_eq!(
        (plain.len(), deltas.len()),
        (2, 4),
        "one record of JSON per page, then deltas"
    );
    let smallest_plain = plain.iter().map(|r| r.1).min().expect("a plain record");
    for (id, size, _) in &deltas {
        assert!(
            size * 4 < smallest_plain,
            "capture {id}: {size} bytes against {smallest_plain} for a whole record"
        );
    }
    let store = ws.open_store();
    for (id, _, _) in &deltas {
        let record = store.capture(*id).expect("reads").expect("stored");
        assert_eq!(record.id, *id);
        assert!(record.evidence.is_some(), "capture {id} lost its evidence");
    }
    drop(store);
    let shown = ws.run(&["show", &deltas[3].0.to_string()]).await;
    assert_eq!(shown.status.code(), Some(0), "{}", stderr(&shown));
    assert!(stdout(&shown).contains(&server.url("/")) || stdout(&shown).contains("news.html"));
    let verified = ws.run(&["verify"]).await;
    assert_eq!(verified.status.code(), Some(0), "{}", stdout(&verified));
    assert!(
        stdout(&verified).contains(": no problem"),
        "{}",
        stdout(&verified)
    );
}
