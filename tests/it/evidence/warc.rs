//! `export warc` and `export case` on a real crawl, read back by warcio.

use std::collections::HashMap;

use data_encoding::BASE32;
use serde_json::Value;

use super::warcio::{self, records, warc_files};
use super::{crawled_twice, run_ok};
use crate::support::*;

/// The hex of a WARC digest field (`sha256:BASE32`).
fn hex_of(label: &str) -> String {
    let (_, value) = label.split_once(':').expect("algorithm:value");
    hex::encode(BASE32.decode(value.as_bytes()).expect("base32"))
}

fn of_type<'a>(records: &'a [Value], kind: &str) -> Vec<&'a Value> {
    records.iter().filter(|r| r["type"] == kind).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crawl_exported_as_warc_passes_warcio_and_its_digests_are_the_stores() {
    let Some(warcio) = warcio::warcio() else {
        return;
    };
    let (ws, server) = crawled_twice().await;
    let out = ws.dir.path().join("warc");
    let output = run_ok(
        &ws,
        &["export", "warc", "--out", out.to_str().expect("UTF-8")],
    )
    .await;
    let files = warc_files(&out);
    assert_eq!(files.len(), 1, "{}", stdout(&output));
    let file = files[0].to_str().expect("UTF-8");

    // warcio's own checker and indexer read every record.
    let checked = warcio::run(&warcio, &["check", "-v", file]);
    assert!(checked.contains("digest pass"), "{checked}");
    let index = warcio::run(
        &warcio,
        &[
            "index",
            "-f",
            "warc-type,warc-target-uri,warc-payload-digest",
            file,
        ],
    );
    let indexed: Vec<Value> = index
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON lines"))
        .collect();
    assert_eq!(indexed[0]["warc-type"], "warcinfo");

    let records = records(&warcio, &files);
    assert_eq!(records.len(), indexed.len());
    for record in &records {
        assert_ne!(record["digest_passed"], false, "{record}");
    }
    let responses = of_type(&records, "response");
    let revisits = of_type(&records, "revisit");
    // First crawl: about, products, news; second: about again (changed) → response; products
    // and news unchanged → revisits.
    assert_eq!(responses.len(), 4, "{records:#?}");
    assert_eq!(revisits.len(), 2, "{records:#?}");
    let history = ws.open_store();
    let captures: Vec<_> = history.captures_for_target("acme").expect("captures");
    drop(history);
    let by_digest: HashMap<String, &Value> = responses
        .iter()
        .map(|r| (r["payload_sha256"].as_str().expect("hex").to_string(), *r))
        .collect();
    for capture in captures.iter().filter(|c| c.sha256.is_some()) {
        let sha256 = capture.sha256.as_deref().expect("filtered");
        let response = by_digest.get(sha256).unwrap_or_else(|| {
            panic!("no response carries capture {}'s body {sha256}", capture.id)
        });
        assert_eq!(
            hex_of(
                response["fields"]["WARC-Payload-Digest"]
                    .as_str()
                    .expect("set")
            ),
            sha256
        );
        assert_eq!(
            hex_of(
                response["fields"]["WARC-Payload-Digest-SHA1"]
                    .as_str()
                    .expect("set")
            ),
            response["payload_sha1"].as_str().expect("hex")
        );
        assert_eq!(response["fields"]["WARC-IP-Address"], "127.0.0.1");
    }
    for revisit in &revisits {
        let refers = revisit["fields"]["WARC-Refers-To"]
            .as_str()
            .expect("refers");
        let original = responses
            .iter()
            .find(|r| r["id"] == refers)
            .expect("a revisit refers to a response of the export");
        assert_eq!(
            revisit["fields"]["WARC-Payload-Digest"],
            original["fields"]["WARC-Payload-Digest"]
        );
        assert_eq!(
            revisit["fields"]["WARC-Profile"],
            "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
        );
    }
    // Every response and revisit has the request that was sent, concurrent to it.
    let requests = of_type(&records, "request");
    assert_eq!(requests.len(), responses.len() + revisits.len());
    for request in &requests {
        let to = &request["fields"]["WARC-Concurrent-To"];
        assert!(records.iter().any(|r| r["id"] == *to), "{request}");
    }
    // The gzip-encoded page is stored decoded, and its records say so: the received
    // Content-Encoding renamed, the decoding in its metadata with the peer, tool and settings.
    let news = responses
        .iter()
        .find(|r| r["uri"] == server.url("/news.html"))
        .expect("the news page");
    assert_eq!(news["http_status"], "200");
    let news_metadata = of_type(&records, "metadata")
        .into_iter()
        .find(|r| r["fields"]["WARC-Concurrent-To"] == news["id"])
        .expect("the news page's metadata");
    let fields = news_metadata["block"].as_str().expect("text");
    let check = stdout(&run_ok(&ws, &["check"]).await);
    let settings = check
        .lines()
        .find_map(|l| l.trim().strip_prefix("settings:  sha256 "))
        .expect("check prints the settings digest");
    for expected in [
        "body-decoding: content codings decoded: gzip".to_string(),
        format!("peer: {}", server.addr),
        format!("tool: claimwatch {}", env!("CARGO_PKG_VERSION")),
        format!("settings-sha256: {settings}"),
        "note: received content-encoding: gzip renamed X-Claimwatch-Received-content-encoding"
            .to_string(),
        "custody-entry: ".to_string(),
    ] {
        assert!(
            fields.contains(&expected),
            "{expected:?} missing from:\n{fields}"
        );
    }
    let capture_id = fields
        .lines()
        .find_map(|l| l.strip_prefix("capture-id: "))
        .expect("the capture's id");
    let shown = stdout(&run_ok(&ws, &["show", capture_id]).await);
    let warc_line = format!("warc record   {}", news["id"].as_str().expect("an id"));
    assert!(
        shown.contains(&warc_line),
        "{warc_line:?} missing from:\n{shown}"
    );
    assert!(shown.contains("decoded       gzip"), "{shown}");
    let news_request = requests
        .iter()
        .find(|r| r["fields"]["WARC-Concurrent-To"] == news["id"])
        .expect("the news page's request");
    assert_eq!(news_request["uri"], server.url("/news.html"));

    // One metadata record per capture, and one per flag, naming the captures' records.
    let flags = flags_json(&ws).await;
    assert_eq!(flags.len(), 1, "{flags:#?}");
    let flag = &flags[0];
    let flag_record = of_type(&records, "metadata")
        .into_iter()
        .find(|r| r["fields"]["Content-Type"] == "application/json")
        .expect("the flag's metadata record");
    let block: Value =
        serde_json::from_str(flag_record["block"].as_str().expect("text")).expect("JSON");
    assert_eq!(block["flag"], *flag);
    for side in ["before", "after"] {
        let id = block[side]["warc_record_id"].as_str().expect("an id");
        let named = records
            .iter()
            .find(|r| r["id"] == id)
            .expect("in the export");
        assert_eq!(named["type"], "response", "{side}: {named}");
        assert_eq!(
            named["payload_sha256"], flag[side]["sha256"],
            "{side}: the flag's digest is its record's payload's"
        );
    }
    assert_eq!(
        flag_record["fields"]["WARC-Refers-To"],
        block["after"]["warc_record_id"]
    );

    // Exported again, the records have the same ids.
    let again = ws.dir.path().join("again");
    run_ok(
        &ws,
        &["export", "warc", "--out", again.to_str().expect("UTF-8")],
    )
    .await;
    let ids = |records: &[Value]| -> Vec<Value> {
        records
            .iter()
            .filter(|r| r["type"] != "warcinfo")
            .map(|r| r["id"].clone())
            .collect()
    };
    assert_eq!(
        ids(&records),
        ids(&warcio::records(&warcio, &warc_files(&again)))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn files_rotate_at_the_size_limit_and_each_opens_with_a_warcinfo() {
    let Some(warcio) = warcio::warcio() else {
        return;
    };
    let (ws, _server) = crawled_twice().await;
    let out = ws.dir.path().join("warc");
    run_ok(
        &ws,
        &[
            "export",
            "warc",
            "--out",
            out.to_str().expect("UTF-8"),
            "--max-size",
            "1KiB",
            "--target",
            "acme",
        ],
    )
    .await;
    let files = warc_files(&out);
    assert!(files.len() > 5, "{files:?}");
    for file in &files {
        let records = warcio::records(&warcio, std::slice::from_ref(file));
        assert_eq!(records[0]["type"], "warcinfo", "{file:?}");
        assert!(
            records.len() == 2,
            "{file:?}: a record a file at this size: {records:#?}"
        );
        let name = file.file_name().expect("a name").to_str().expect("UTF-8");
        assert_eq!(records[0]["fields"]["WARC-Filename"], name);
        warcio::run(&warcio, &["check", file.to_str().expect("UTF-8")]);
    }
    // Nothing since tomorrow: only... no files at all.
    let none = ws.dir.path().join("none");
    let output = run_ok(
        &ws,
        &[
            "export",
            "warc",
            "--out",
            none.to_str().expect("UTF-8"),
            "--since",
            "2999-01-01",
        ],
    )
    .await;
    assert!(
        stdout(&output).contains("wrote 0 WARC files"),
        "{}",
        stdout(&output)
    );
    // A capture made before claimwatch kept the exchange still exports, and says what it lacks.
    let db = sled::open(ws.store()).expect("open the database");
    let captures = db.open_tree("captures").expect("captures");
    super::edit_record(&captures, 1, |json| {
        let mut old: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        old.as_object_mut().expect("an object").remove("evidence");
        serde_json::to_string(&old).expect("JSON")
    });
    db.flush().expect("flush");
    drop((captures, db));
    let older = ws.dir.path().join("older");
    let output = run_ok(
        &ws,
        &["export", "warc", "--out", older.to_str().expect("UTF-8")],
    )
    .await;
    assert!(
        stdout(&output).contains("1 captures were made before"),
        "{}",
        stdout(&output)
    );
    let files = warc_files(&older);
    warcio::run(&warcio, &["check", files[0].to_str().expect("UTF-8")]);
    let records = warcio::records(&warcio, &files);
    let metadata = records
        .iter()
        .find(|r| {
            r["type"] == "metadata"
                && r["block"]
                    .as_str()
                    .is_some_and(|b| b.starts_with("capture-id: 1\r\n"))
        })
        .expect("capture 1's metadata");
    let block = metadata["block"].as_str().expect("text");
    assert!(block.contains("request: not recorded"), "{block}");
    assert!(
        block.contains("note: status line rebuilt from the status code"),
        "{block}"
    );
    let requests = records.iter().filter(|r| r["type"] == "request").count();
    let mains = records
        .iter()
        .filter(|r| r["type"] == "response" || r["type"] == "revisit")
        .count();
    assert_eq!(requests + 1, mains, "capture 1 has no request record");

    // An export never mixes with files already there.
    let refused = ws
        .run(&["export", "warc", "--out", out.to_str().expect("UTF-8")])
        .await;
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("is not empty"),
        "{}",
        stderr(&refused)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_case_bundle_holds_the_warc_the_flags_the_diff_and_a_manifest_that_checks() {
    let Some(warcio) = warcio::warcio() else {
        return;
    };
    let (ws, _server) = crawled_twice().await;
    let flags = flags_json(&ws).await;
    let flag_id = flags[0]["flag_id"].as_str().expect("an id").to_string();
    let out = ws.dir.path().join("case");
    let output = run_ok(
        &ws,
        &[
            "export",
            "case",
            &flag_id,
            "--out",
            out.to_str().expect("UTF-8"),
        ],
    )
    .await;
    let listed = stdout(&output);

    let manifest = std::fs::read_to_string(out.join("manifest-sha256.txt")).expect("a manifest");
    let checked = std::process::Command::new("sha256sum")
        .arg("-c")
        .arg("manifest-sha256.txt")
        .current_dir(&out)
        .output()
        .expect("run sha256sum");
    assert!(
        checked.status.success(),
        "{manifest}\n{}",
        String::from_utf8_lossy(&checked.stdout)
    );
    let names: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.split("  ").nth(1))
        .collect();
    for name in ["diff.html", "flags.jsonl", "records.json"] {
        assert!(names.contains(&name), "{name} missing from {manifest}");
    }
    assert_eq!(
        names.len(),
        std::fs::read_dir(&out).expect("read").count() - 1,
        "{manifest}"
    );
    assert!(listed.contains("manifest-sha256.txt"), "{listed}");

    let jsonl = std::fs::read_to_string(out.join("flags.jsonl")).expect("flags");
    assert_eq!(
        serde_json::from_str::<Value>(jsonl.trim()).expect("JSON"),
        flags[0]
    );
    let html = std::fs::read_to_string(out.join("diff.html")).expect("the diff");
    assert!(
        html.contains("military, aerospace,"),
        "the diff shows the removed words"
    );
    assert!(!html.contains("<script"), "self-contained and inert");
    assert!(html.contains("Content-Security-Policy"));

    let nowhere = ws.dir.path().join("nowhere");
    let unknown = ws
        .run(&[
            "export",
            "case",
            "nosuch",
            "--out",
            nowhere.to_str().expect("UTF-8"),
        ])
        .await;
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("no flag or case \"nosuch\""),
        "{}",
        stderr(&unknown)
    );
    assert!(
        !nowhere.exists(),
        "an unknown id leaves no directory behind"
    );

    let files = warc_files(&out);
    let records = warcio::records(&warcio, &files);
    for file in &files {
        warcio::run(&warcio, &["check", file.to_str().expect("UTF-8")]);
    }
    // Just the two captures the flag stands on (one response each, no revisit), their
    // metadata, and the flag's.
    assert_eq!(of_type(&records, "response").len(), 2, "{records:#?}");
    assert_eq!(of_type(&records, "revisit").len(), 0);
    let index: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("records.json")).expect("records.json"),
    )
    .expect("JSON");
    let entry = &index["flags"][0];
    assert_eq!(entry["flag_id"], flag_id.as_str());
    for side in ["before", "after"] {
        let main = &entry[side]["records"]["main"];
        let record = records
            .iter()
            .find(|r| r["id"] == main["record_id"])
            .unwrap_or_else(|| panic!("{side}: {main} not in the WARC"));
        assert_eq!(record["file"], main["file"]);
        assert_eq!(record["offset"], main["offset"]);
        assert_eq!(record["payload_sha256"], flags[0][side]["sha256"]);
    }
}
