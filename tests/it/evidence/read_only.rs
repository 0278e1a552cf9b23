//! A read-only copy of a store (an evidence copy) is read by every command that only reads,
//! and not one byte of it changes; commands that write refuse it.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::crawled_twice;
use crate::support::*;

/// Every file under `dir` and the SHA-256 of its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read a store directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read a store file");
                files.insert(path, hex::encode(Sha256::digest(&bytes)));
            }
        }
    }
    files
}

fn chmod_tree(dir: &Path, writable: bool) {
    let status = std::process::Command::new("chmod")
        .args(["-R", if writable { "u+w" } else { "a-w" }])
        .arg(dir)
        .status()
        .expect("run chmod");
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn every_read_command_works_on_a_read_only_copy_and_leaves_it_as_it_was() {
    let (ws, server) = crawled_twice().await;
    let copy = ws.dir.path().join("evidence-copy");
    let copied = std::process::Command::new("cp")
        .arg("-a")
        .arg(ws.store())
        .arg(&copy)
        .status()
        .expect("run cp");
    assert!(copied.success());
    chmod_tree(&copy, false);
    assert_eq!(
        std::fs::metadata(&copy).expect("stat").permissions().mode() & 0o222,
        0
    );
    // Root ignores permission bits; the bytes are what must not change, whoever runs this.
    let before = snapshot(&copy);
    let flag_id = flags_json(&ws).await[0]["flag_id"]
        .as_str()
        .expect("an id")
        .to_string();
    let out = ws.dir.path().join("out");
    let store = copy.to_str().expect("UTF-8").to_string();
    let path = |name: &str| out.join(name).to_str().expect("UTF-8").to_string();
    let about = server.url("/");
    let reads: Vec<Vec<String>> = vec![
        vec!["flags".into()],
        vec!["flags".into(), "--format".into(), "jsonl".into()],
        vec!["claims".into(), "--all".into()],
        vec!["history".into(), "acme".into()],
        vec!["diff".into(), about.clone()],
        vec!["show".into(), "1".into()],
        vec!["verify".into()],
        vec!["report".into(), "--out".into(), path("report.html")],
        vec!["export".into(), "warc".into(), "--out".into(), path("warc")],
        vec![
            "export".into(),
            "case".into(),
            flag_id.clone(),
            "--out".into(),
            path("case"),
        ],
    ];
    std::fs::create_dir(&out).expect("mkdir");
    for args in &reads {
        let mut full = vec!["--store", store.as_str()];
        full.extend(args.iter().map(String::as_str));
        let output = ws.run(&full).await;
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?} on a read-only store: {} {}",
            stdout(&output),
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("is read-only: reading a copy of it"),
            "{args:?} should say it reads a copy: {}",
            stderr(&output)
        );
        assert_eq!(
            snapshot(&copy),
            before,
            "{args:?} changed the read-only store"
        );
    }
    for args in [
        vec!["review", flag_id.as_str(), "--status", "confirmed"],
        vec!["flags", "--new"],
        vec!["crawl"],
    ] {
        let mut full = vec!["--store", store.as_str()];
        full.extend(&args);
        let output = ws.run(&full).await;
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("is read-only (no write permission)"),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(
            snapshot(&copy),
            before,
            "{args:?} changed the read-only store"
        );
    }
    chmod_tree(&copy, true);
}
