//! Tests of the whole store against a real sled database in a temporary directory.

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::extract::{Block, BlockKind, Document};

fn at(minutes: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T02:00:00Z")
        .expect("a valid literal")
        .with_timezone(&Utc)
        + Duration::minutes(minutes)
}

fn capture(target: &str, url: &str, body: &[u8], outcome: Outcome) -> NewCapture {
    NewCapture {
        head: CaptureHead {
            run_id: 1,
            target: target.to_string(),
            url: url.to_string(),
            final_url: url.to_string(),
            redirects: Vec::new(),
            captured_at: at(0),
            duration_ms: 12,
            outcome,
            status: Some(200),
            headers: vec![("content-type".to_string(), "text/html".to_string())],
            content_type: Some("text/html".to_string()),
            encoding: Some("UTF-8".to_string()),
            encoding_source: None,
            ip: Some("127.0.0.1".to_string()),
            evidence: None,
        },
        body: Some(body.to_vec()),
        truncated: false,
        error: None,
        depth: 1,
        document: None,
        same_document_as_before: None,
        body_sha256: None,
        links: None,
        view: None,
    }
}

fn document() -> Document {
    Document {
        title: Some("About".to_string()),
        lang: Some("en".to_string()),
        blocks: vec![Block::new(
            BlockKind::Text,
            "Top distributor for military and aerospace",
        )],
        links: Vec::new(),
        images: Vec::new(),
    }
}

fn ids(records: &[CaptureRecord]) -> Vec<u64> {
    records.iter().map(|record| record.id).collect()
}

#[test]
fn open_creates_the_store_and_its_lock_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested").join("store");
    let store = Store::open(&path).expect("opens");
    assert_eq!(store.path(), path);
    assert!(path.join(lock::LOCK_FILE).is_file());
    assert_eq!(store.stats().expect("stats"), StoreStats::default());
}

#[test]
fn a_second_open_is_refused_naming_this_process() {
    let dir = tempfile::tempdir().expect("tempdir");
    let _first = Store::open(dir.path()).expect("opens");
    let err = Store::open(dir.path())
        .err()
        .expect("second open must fail");
    let message = err.to_string();
    assert!(matches!(err, StoreError::Held { .. }), "{message}");
    assert!(
        message.contains(&format!("pid {},", std::process::id())),
        "{message}"
    );
    assert!(message.contains("use another --store"), "{message}");
}

#[test]
fn identical_bodies_are_stored_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    let body = b"<html>same</html>";
    let first = store
        .put_capture(capture("t", "http://x/", body, Outcome::Ok))
        .expect("first");
    let second = store
        .put_capture(capture("t", "http://x/", body, Outcome::Ok))
        .expect("second");
    assert!(first.new_body);
    assert!(!second.new_body);
    assert_ne!(first.record.id, second.record.id);
    assert_eq!(first.record.sha256, second.record.sha256);
    assert_eq!(first.record.size, Some(body.len() as u64));
    let stats = store.stats().expect("stats");
    assert_eq!((stats.captures, stats.bodies), (2, 1));
    assert!(stats.body_bytes > 0);

    let third = store
        .put_capture(capture(
            "t",
            "http://x/",
            b"<html>changed</html>",
            Outcome::Ok,
        ))
        .expect("third");
    assert!(third.new_body);
    assert_eq!(store.stats().expect("stats").bodies, 2);
}

#[test]
fn bodies_and_documents_round_trip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    let body = "<html>军工 военный</html>".repeat(50).into_bytes();
    let mut new = capture("t", "http://x/", &body, Outcome::Ok);
    new.document = Some(document());
    let put = store.put_capture(new).expect("put");
    let sha = put.record.sha256.clone().expect("body has a digest");
    assert_eq!(sha, hex::encode(bodies::digest(&body)));
    assert!(put.record.has_document);
    assert_eq!(store.body(&sha).expect("read").as_ref(), Some(&body));
    assert_eq!(store.body(&sha.to_uppercase()).expect("read"), Some(body));
    assert_eq!(store.body(&"0".repeat(64)).expect("read"), None);
    assert_eq!(store.body("not a digest").expect("read"), None);
    assert_eq!(
        store.document(put.record.id).expect("read"),
        Some(document())
    );
    assert_eq!(
        store.capture(put.record.id).expect("read"),
        Some(put.record)
    );
    assert_eq!(store.capture(999_999).expect("read"), None);
}

#[test]
fn a_view_found_by_the_crawl_is_kept_with_its_capture() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    let matcher = crate::claims::Matcher::new(&[], &[], &[]).expect("built-in packs compile");
    store.use_views_of(&matcher.fingerprint()).expect("views");
    let view = crate::claims::PageView::of(&matcher, &document());
    assert!(!view.claims.is_empty(), "the document holds a claim");
    let mut new = capture("t", "http://x/", b"<p>Top distributor</p>", Outcome::Ok);
    new.document = Some(document());
    new.view = Some(view.clone());
    let put = store.put_capture(new.clone()).expect("put");
    let digest = put.record.document_sha256.expect("a document digest");
    assert_eq!(store.view(&digest).expect("reads"), Some(view.clone()));
    // The same document captured again keeps its view, even after the views were dropped.
    store.views.clear().expect("clears");
    new.body = Some(b"<p>Top distributor</p> ".to_vec());
    store.put_capture(new).expect("put");
    assert_eq!(store.view(&digest).expect("reads"), Some(view));
}

#[test]
fn a_capture_without_body_or_document_stores_neither() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    let mut new = capture("t", "http://x/", b"", Outcome::Failed);
    new.body = None;
    new.error = Some("connection refused".to_string());
    let put = store.put_capture(new).expect("put");
    assert!(!put.new_body);
    assert_eq!(
        (put.record.sha256.as_deref(), put.record.size),
        (None, None)
    );
    assert!(!put.record.has_document);
    assert_eq!(store.document(put.record.id).expect("read"), None);
    let stats = store.stats().expect("stats");
    assert_eq!((stats.captures, stats.bodies, stats.documents), (1, 0, 0));
}

#[test]
fn indexes_keep_order_and_do_not_mix_prefixes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    let put = |target: &str, url: &str| {
        store
            .put_capture(capture(target, url, url.as_bytes(), Outcome::Ok))
            .expect("put")
            .record
            .id
    };
    let a1 = put("a", "http://x/a");
    let ab1 = put("ab", "http://x/ab");
    let a2 = put("a", "http://x/ab");
    let a3 = put("a", "http://x/a");

    assert_eq!(
        ids(&store.captures_for_target("a").expect("a")),
        [a1, a2, a3]
    );
    assert_eq!(ids(&store.captures_for_target("ab").expect("ab")), [ab1]);
    assert!(store.captures_for_target("").expect("empty").is_empty());
    assert_eq!(
        ids(&store.captures_for_url("http://x/a").expect("url a")),
        [a1, a3]
    );
    assert_eq!(
        ids(&store.captures_for_url("http://x/ab").expect("url ab")),
        [ab1, a2]
    );
    assert!(
        store
            .captures_for_url("http://x/")
            .expect("none")
            .is_empty()
    );

    let urls = |target| -> Vec<String> {
        store
            .pages(target)
            .expect("pages")
            .into_iter()
            .map(|page| page.url)
            .collect()
    };
    assert_eq!(urls("a"), ["http://x/a", "http://x/ab"]);
    assert_eq!(urls("ab"), ["http://x/ab"]);
}

#[test]
fn names_with_nul_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    let err = store
        .put_capture(capture("a\0b", "http://x/", b"x", Outcome::Ok))
        .expect_err("NUL in target");
    assert!(
        matches!(
            err,
            StoreError::NulInKey {
                field: "target",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(store.stats().expect("stats"), StoreStats::default());
}

#[test]
fn page_records_track_first_seen_last_good_and_depth() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    let mut first = capture("t", "http://x/p", b"v1", Outcome::Ok);
    first.depth = 2;
    let first = store.put_capture(first).expect("first").record;

    let mut failed = capture("t", "http://x/p", b"", Outcome::HttpStatus);
    failed.captured_at = at(60);
    failed.status = Some(503);
    failed.depth = 3;
    let failed = store.put_capture(failed).expect("failed").record;

    let page = store
        .page("t", "http://x/p")
        .expect("read")
        .expect("page exists");
    assert_eq!(page.first_seen, at(0));
    assert_eq!(page.last_capture, failed.id);
    assert_eq!(page.last_good_capture, Some(first.id));
    assert_eq!(page.depth, 2);

    let mut good = capture("t", "http://x/p", b"v2", Outcome::Ok);
    good.captured_at = at(120);
    good.depth = 1;
    let good = store.put_capture(good).expect("good").record;
    let page = store
        .page("t", "http://x/p")
        .expect("read")
        .expect("page exists");
    assert_eq!(page.first_seen, at(0));
    assert_eq!(
        (page.last_capture, page.last_good_capture),
        (good.id, Some(good.id))
    );
    assert_eq!(page.depth, 1);

    let blocked = store
        .put_capture(capture(
            "t",
            "http://x/robots-only",
            b"",
            Outcome::RobotsBlocked,
        ))
        .expect("blocked")
        .record;
    let page = store
        .page("t", "http://x/robots-only")
        .expect("read")
        .expect("page exists");
    assert_eq!(
        (page.last_capture, page.last_good_capture),
        (blocked.id, None)
    );
    assert_eq!(store.pages("t").expect("pages").len(), 2);
    assert_eq!(store.page("t", "http://x/none").expect("read"), None);
}

#[test]
fn runs_round_trip_oldest_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    let mut first = store.begin_run().expect("begin");
    assert!(first.id > 0);
    assert!(!first.completed && first.finished_at.is_none());
    let second = store.begin_run().expect("begin");
    first.completed = true;
    first.finished_at = Some(Utc::now());
    first.targets.push(TargetCounts {
        target: "t".to_string(),
        pages: 3,
        ok: 2,
        failed: 1,
        ..TargetCounts::default()
    });
    store.save_run(&first).expect("save");
    assert_eq!(store.runs().expect("runs"), [first, second]);
}

#[test]
fn everything_survives_a_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (run, put) = {
        let store = Store::open(dir.path()).expect("opens");
        let run = store.begin_run().expect("begin");
        let mut new = capture("t", "http://x/", b"kept", Outcome::Ok);
        new.run_id = run.id;
        new.document = Some(document());
        (run, store.put_capture(new).expect("put"))
    };
    let store = Store::open(dir.path()).expect("reopens once the first is dropped");
    assert_eq!(store.runs().expect("runs"), std::slice::from_ref(&run));
    assert_eq!(
        store.capture(put.record.id).expect("read"),
        Some(put.record.clone())
    );
    assert_eq!(
        store.document(put.record.id).expect("read"),
        Some(document())
    );
    let sha = put.record.sha256.as_deref().expect("digest");
    assert_eq!(
        store.body(sha).expect("read").as_deref(),
        Some(&b"kept"[..])
    );
    assert_eq!(
        ids(&store.captures_for_target("t").expect("t")),
        [put.record.id]
    );
    let next = store.begin_run().expect("begin");
    assert!(next.id > run.id, "ids keep rising across reopens");
}

#[test]
fn verify_finds_nothing_on_a_good_store_and_flags_a_damaged_body() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    for body in [&b"one"[..], b"two", b"one"] {
        store
            .put_capture(capture("t", "http://x/", body, Outcome::Ok))
            .expect("put");
    }
    assert_eq!(store.verify_bodies().expect("verify"), Vec::<String>::new());

    // Damage one body behind the store's back.
    let key = bodies::digest(b"two");
    let wrong = codec::compress("body", b"tampered").expect("compresses");
    store.bodies.insert(key, wrong).expect("insert");
    assert_eq!(store.verify_bodies().expect("verify"), [hex::encode(key)]);
}

#[test]
fn damaged_records_are_reported_as_corrupt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    let put = store
        .put_capture(capture("t", "http://x/", b"b", Outcome::Ok))
        .expect("put");
    store
        .captures
        .insert(keys::id_key(put.record.id), &b"{not json"[..])
        .expect("insert");
    let err = store.capture(put.record.id).expect_err("corrupt");
    let message = err.to_string();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{message}");
    assert!(
        message.contains("captures") && message.contains(&format!("id {}", put.record.id)),
        "{message}"
    );
    assert!(store.captures_for_target("t").is_err());
}

#[test]
fn a_store_of_another_schema_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = Store::open(dir.path()).expect("opens");
        let meta = store.db.open_tree("meta").expect("meta");
        meta.insert(SCHEMA_KEY, "2").expect("insert");
    }
    let err = Store::open(dir.path())
        .err()
        .expect("schema 2 must be refused");
    assert!(matches!(err, StoreError::Schema { .. }), "{err}");
}

#[test]
fn concurrent_writers_of_one_body_store_it_once() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Store>();

    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    let outcomes: Vec<PutOutcome> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let store = &store;
                scope.spawn(move || {
                    store
                        .put_capture(capture("t", &format!("http://x/{i}"), b"same", Outcome::Ok))
                        .expect("put")
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("writer thread"))
            .collect()
    });
    assert_eq!(
        outcomes.iter().filter(|outcome| outcome.new_body).count(),
        1
    );
    let stats = store.stats().expect("stats");
    assert_eq!((stats.captures, stats.bodies, stats.pages), (8, 1, 8));
}

#[test]
fn a_database_held_without_our_lock_file_is_still_reported_as_held() {
    let dir = tempfile::tempdir().expect("tempdir");
    let _foreign = sled::open(dir.path()).expect("sled opens");
    let err = Store::open(dir.path())
        .err()
        .expect("sled's own lock must refuse");
    assert!(matches!(err, StoreError::Held { .. }), "{err}");
}

#[test]
fn identical_documents_are_stored_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    // Different bytes (a counter changed), same extracted text.
    let mut first = capture("t", "http://x/", b"<p>visitors 1</p>", Outcome::Ok);
    first.document = Some(document());
    let mut second = capture("t", "http://x/", b"<p>visitors 2</p>", Outcome::Ok);
    second.document = Some(document());
    let first = store.put_capture(first).expect("put");
    let second = store.put_capture(second).expect("put");
    assert_eq!(first.record.document_sha256, second.record.document_sha256);
    let stats = store.stats().expect("stats");
    assert_eq!((stats.bodies, stats.documents), (2, 1));
    for id in [first.record.id, second.record.id] {
        assert_eq!(store.document(id).expect("read"), Some(document()));
    }
}

#[test]
fn run_numbers_count_runs_not_the_captures_between_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    let first = store.begin_run().expect("run");
    for _ in 0..5 {
        store
            .put_capture(capture("t", "http://x/", b"<p>x</p>", Outcome::Ok))
            .expect("capture");
    }
    let second = store.begin_run().expect("run");
    assert_eq!((first.id, second.id), (1, 2));
}

#[test]
fn a_store_whose_runs_were_numbered_by_the_capture_counter_goes_on_after_its_last_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    let mut old = store.begin_run().expect("run");
    old.id = 302;
    store.save_run(&old).expect("save");
    store
        .meta
        .remove(NEXT_RUN_KEY)
        .expect("forget the run counter");
    assert_eq!(store.begin_run().expect("run").id, 303);
}

/// A good capture of `url` for target "t", made ready to write.
fn prepared(store: &Store, url: &str, body: &[u8]) -> PreparedCapture {
    store
        .prepare_capture(capture("t", url, body, Outcome::Ok))
        .expect("prepares")
}

#[test]
fn a_batch_of_captures_is_written_in_id_order_with_one_custody_entry_each() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    let first = prepared(&store, "https://a.test/", b"v1");
    let second = prepared(&store, "https://a.test/", b"v2");
    let other = prepared(&store, "https://a.test/b", b"v1");
    let (first_id, second_id) = (first.record().id, second.record().id);
    // Handed over out of order: the batch still writes the page's captures oldest first.
    let new_bodies = store
        .put_captures(&[second, other, first])
        .expect("writes the batch");
    assert_eq!(
        new_bodies,
        vec![true, false, true],
        "answers in the order given; v1 is new for the older capture of the two that hold it"
    );
    let page = store
        .page("t", "https://a.test/")
        .expect("reads")
        .expect("the page is stored");
    assert_eq!(
        page.last_capture, second_id,
        "the page names its newest capture"
    );
    assert_eq!(
        ids(&store.captures_for_url("https://a.test/").expect("reads")),
        vec![first_id, second_id]
    );
    assert_eq!(store.stats().expect("stats").bodies, 2);
    let report = store.check_integrity(None).expect("checks");
    assert_eq!(report.custody_entries, 3, "one custody entry per capture");
    assert_eq!(report.captures, 3);
}

#[test]
fn a_capture_prepared_before_its_body_was_written_by_another_stores_the_body_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    let one = prepared(&store, "https://a.test/1", b"same");
    let two = prepared(&store, "https://a.test/2", b"same");
    assert_eq!(store.put_captures(&[one]).expect("writes"), vec![true]);
    assert_eq!(
        store.put_captures(&[two]).expect("writes"),
        vec![false],
        "the body was stored by the first batch"
    );
    assert_eq!(store.stats().expect("stats").bodies, 1);
    assert!(store.verify_bodies().expect("verifies").is_empty());
}
