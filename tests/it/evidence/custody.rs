//! The custody log and `verify`: a store edited by hand is caught, and says where.

use super::{crawled_twice, edit_record, run_ok};
use crate::support::*;

/// The crawl's summary names the custody head, and `verify --head` accepts it; a body flipped
/// by one byte and a capture record edited in the middle of the chain are both named.
#[tokio::test(flavor = "multi_thread")]
async fn verify_names_a_flipped_body_byte_and_an_edited_record() {
    let (ws, _server) = crawled_twice().await;
    let crawl = ws.run(&["crawl"]).await;
    let summary = stdout(&crawl);
    let head_line = summary
        .lines()
        .find(|line| line.starts_with("custody head: entry "))
        .unwrap_or_else(|| panic!("no custody head in the summary:\n{summary}"));
    let head = head_line.rsplit(' ').next().expect("a hash").to_string();
    assert_eq!(head.len(), 64, "{head_line}");
    let verified = run_ok(&ws, &["verify", "--head", &head]).await;
    assert!(
        stdout(&verified).contains(": no problem"),
        "{}",
        stdout(&verified)
    );
    assert!(stdout(&verified).contains(&head), "{}", stdout(&verified));

    // Damage the store as someone with the files could: through sled itself.
    let db = sled::open(ws.store()).expect("open the database");
    let bodies = db.open_tree("bodies").expect("bodies");
    let (digest, packed) = bodies.iter().next().expect("a body").expect("reads");
    let mut body = zstd::decode_all(&packed[..]).expect("zstd");
    body[10] ^= 0x01;
    bodies
        .insert(&digest, zstd::encode_all(&body[..], 3).expect("zstd"))
        .expect("write");
    let captures = db.open_tree("captures").expect("captures");
    let middle = captures.len() as u64 / 2;
    edit_record(&captures, middle, |json| {
        json.replacen("\"duration_ms\":", "\"duration_ms\":1", 1)
    });
    db.flush().expect("flush");
    drop((bodies, captures, db));

    let output = ws.run(&["verify"]).await;
    let shown = stdout(&output);
    assert_eq!(output.status.code(), Some(2), "{shown}");
    let digest = hex::encode(&digest);
    assert!(
        shown.contains(&format!(
            "PROBLEM body {digest}: its bytes no longer have the SHA-256"
        )),
        "{shown}"
    );
    assert!(
        shown.contains(&format!(
            "PROBLEM capture {middle}: edited after it was stored"
        )),
        "{shown}"
    );
    assert!(shown.contains("2 problems"), "{shown}");
}
