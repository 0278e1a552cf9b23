//! The integrity check against stores damaged by hand, the way an editor of the files would.

use chrono::Utc;

use crate::flags::{Flag, FlagCapture, FlagTarget, FlagType, Review, Scope, Severity};
use crate::store::codec::{compress, to_json};
use crate::store::keys::id_key;
use crate::store::*;

fn capture(url: &str, body: &[u8]) -> NewCapture {
    NewCapture {
        head: CaptureHead {
            run_id: 1,
            target: "acme".to_string(),
            url: url.to_string(),
            final_url: url.to_string(),
            redirects: Vec::new(),
            captured_at: Utc::now(),
            duration_ms: 1,
            outcome: Outcome::Ok,
            status: Some(200),
            headers: Vec::new(),
            content_type: Some("text/html".to_string()),
            encoding: None,
            encoding_source: None,
            ip: None,
            evidence: None,
        },
        body: Some(body.to_vec()),
        truncated: false,
        error: None,
        depth: 0,
        document: None,
        same_document_as_before: None,
        body_sha256: None,
        links: None,
        view: None,
    }
}

fn flag(id: &str, after: &CaptureRecord) -> Flag {
    Flag {
        schema_version: 1,
        flag_id: id.to_string(),
        flag_type: FlagType::ClaimAdded,
        scope: Scope::Site,
        category: crate::claims::Category::Military,
        severity: Severity::Medium,
        target: FlagTarget {
            id: "acme".into(),
            name: "Acme".into(),
        },
        url: after.url.clone(),
        claim: None,
        before: None,
        after: FlagCapture {
            capture_id: after.id.to_string(),
            captured_at: after.captured_at,
            http_status: after.status,
            sha256: after.sha256.clone(),
        },
        first_seen: after.captured_at,
        last_seen: after.captured_at,
        detected_at: after.captured_at,
        reason: None,
        review: Review::unreviewed(),
    }
}

/// A store of three captures (two share a body) and a flag on the second, with its run.
fn filled() -> (tempfile::TempDir, Store, Vec<CaptureRecord>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("opens");
    store.begin_run().expect("a run");
    let records: Vec<CaptureRecord> = [
        ("http://a/1", "one"),
        ("http://a/2", "two"),
        ("http://a/3", "one"),
    ]
    .into_iter()
    .map(|(url, body)| {
        store
            .put_capture(capture(url, body.as_bytes()))
            .expect("stores")
            .record
    })
    .collect();
    assert!(store.insert_flag(&flag("f1", &records[1])).expect("stores"));
    (dir, store, records)
}

fn problems(store: &Store) -> Vec<String> {
    let report = store.check_integrity(None).expect("checks");
    report.problems.iter().map(ToString::to_string).collect()
}

#[test]
fn a_store_written_by_claimwatch_has_no_problem_and_a_head() {
    let (_dir, store, _) = filled();
    let report = store.check_integrity(None).expect("checks");
    assert_eq!(report.problems, Vec::new());
    assert_eq!(
        (report.captures, report.flags, report.custody_entries),
        (3, 1, 4)
    );
    assert_eq!(report.head, store.custody_head().expect("reads"));
    let head = report.head.expect("a head");
    assert!(
        store
            .check_integrity(Some(&head.hash))
            .expect("checks")
            .problems
            .is_empty()
    );
    let other = store.check_integrity(Some(GENESIS)).expect("checks");
    assert_eq!(other.problems.len(), 1, "{:?}", other.problems);
}

#[test]
fn a_review_is_logged_and_the_reviewed_flag_still_checks() {
    let (_dir, store, _) = filled();
    let mut review = Review::unreviewed();
    review.status = crate::flags::ReviewStatus::Confirmed;
    assert!(store.set_review("f1", review).expect("reviews"));
    let report = store.check_integrity(None).expect("checks");
    assert_eq!(report.problems, Vec::new());
    assert_eq!(report.custody_entries, 5);
}

#[test]
fn a_changed_body_an_edited_record_and_a_deleted_one_are_each_named() {
    let (_dir, store, records) = filled();
    let digest = records[1].sha256.clone().expect("a body");
    let raw = bodies::parse_hex(&digest).expect("hex");
    store
        .bodies
        .insert(raw, compress("body", b"twp").expect("packs"))
        .expect("writes");
    let mut edited = records[0].clone();
    edited.head.status = Some(201);
    store
        .captures
        .insert(id_key(1), to_json(&edited))
        .expect("writes");
    store.flags.remove("f1").expect("removes");
    let found = problems(&store);
    assert!(
        found
            .iter()
            .any(|p| p.starts_with(&format!("body {digest}:")) && p.contains("captures 2")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("capture 1: edited after it was stored")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("flag f1: is not stored, but custody entry 4")),
        "{found:#?}"
    );
    assert_eq!(found.len(), 3, "{found:#?}");
}

#[test]
fn an_edited_or_missing_custody_entry_breaks_the_chain_where_it_is() {
    let (_dir, store, _) = filled();
    let mut entry: CustodyEntry = serde_json::from_slice(
        &store
            .custody
            .get(id_key(2))
            .expect("reads")
            .expect("entry 2"),
    )
    .expect("decodes");
    entry.record_sha256 = GENESIS.to_string();
    store
        .custody
        .insert(id_key(2), to_json(&entry))
        .expect("writes");
    let found = problems(&store);
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("custody entry 2: edited")),
        "{found:#?}"
    );
    store.custody.remove(id_key(3)).expect("removes");
    let found = problems(&store);
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("custody entry 4: entries 3 to 3 are missing")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("capture 3: is not in the custody log")),
        "{found:#?}"
    );
}

#[test]
fn records_stored_before_the_log_are_adopted_at_the_next_writable_open() {
    let (dir, store, _) = filled();
    store.custody.clear().expect("clears");
    store.meta.remove(custody::HEAD_KEY).expect("removes");
    let report = store.check_integrity(None).expect("checks");
    assert!(
        report.not_logged_yet && report.problems.is_empty(),
        "{report:?}"
    );
    drop(store);
    let store = Store::open(dir.path()).expect("opens");
    let report = store.check_integrity(None).expect("checks");
    assert_eq!(
        (report.custody_entries, report.problems.len()),
        (4, 0),
        "{report:?}"
    );
    let first = store
        .custody_entries()
        .next()
        .expect("an entry")
        .expect("reads")
        .expect("decodes");
    assert!(first.adopted && first.kind == CustodyKind::Capture && first.id == "1");
}

#[test]
fn dangling_references_are_named() {
    let (_dir, store, records) = filled();
    let digest = records[1].sha256.clone().expect("a body");
    store
        .bodies
        .remove(bodies::parse_hex(&digest).expect("hex"))
        .expect("removes");
    let found = problems(&store);
    assert!(
        found.contains(&format!(
            "capture 2: names body {digest}, which is not stored"
        )),
        "{found:#?}"
    );
}
