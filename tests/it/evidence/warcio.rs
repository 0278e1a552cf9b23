//! warcio (Webrecorder's WARC library, from PyPI), the independent reader the exports are
//! checked with. `.ci/run` installs it into a virtual environment at target/ci-venv; set
//! `CLAIMWATCH_WARCIO` to another `warcio` executable (its directory must hold the `python`
//! it runs on), or `CLAIMWATCH_SKIP_WARCIO=1` to skip the tests that need it.

use std::path::{Path, PathBuf};
use std::process::Command;

const SKIP: &str = "CLAIMWATCH_SKIP_WARCIO";

/// The warcio executable, or `None` when the tests that need it are to be skipped; panics,
/// saying how to install it, when it is missing and not skipped.
pub fn warcio() -> Option<PathBuf> {
    if std::env::var_os(SKIP).is_some_and(|v| v == "1") {
        eprintln!("{SKIP}=1: skipping a test that reads WARC files with warcio");
        return None;
    }
    let path = std::env::var_os("CLAIMWATCH_WARCIO")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-venv/bin/warcio"));
    assert!(
        path.is_file(),
        "warcio is not installed at {}: install it with `python3 -m venv target/ci-venv && \
         target/ci-venv/bin/pip install warcio` (as .ci/run does), point CLAIMWATCH_WARCIO at \
         a warcio executable, or set {SKIP}=1 to skip these tests",
        path.display()
    );
    Some(path)
}

/// Runs warcio with `args`; returns its stdout, asserting it succeeded.
pub fn run(warcio: &Path, args: &[&str]) -> String {
    let output = Command::new(warcio)
        .args(args)
        .output()
        .expect("run warcio");
    assert!(
        output.status.success(),
        "warcio {args:?} failed: {} {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Reads every record of `files` with warcio's ArchiveIterator (digests checked as it reads)
/// and returns one JSON object a record: its type, id, target URI, named fields, the SHA-256
/// and SHA-1 of its payload as warcio sees it (hex), whether warcio's digest check passed,
/// and, for metadata records, the block.
pub fn records(warcio: &Path, files: &[PathBuf]) -> Vec<serde_json::Value> {
    const SCRIPT: &str = r#"
import hashlib, json, sys
from warcio.archiveiterator import ArchiveIterator
for name in sys.argv[1:]:
    with open(name, 'rb') as stream:
        iterator = ArchiveIterator(stream, check_digests=True)
        for record in iterator:
            raw = record.raw_stream.read()
            offset = iterator.get_record_offset()
            sha256, sha1 = hashlib.sha256(raw).hexdigest(), hashlib.sha1(raw).hexdigest()
            iterator.read_to_end()
            fields = {k: v for k, v in record.rec_headers.headers}
            print(json.dumps({
                "file": name.rsplit('/', 1)[-1], "offset": offset,
                "type": record.rec_type, "id": fields.get("WARC-Record-ID"),
                "uri": fields.get("WARC-Target-URI"), "fields": fields,
                "payload_sha256": sha256, "payload_sha1": sha1,
                "http_status": record.http_headers.get_statuscode() if record.http_headers else None,
                "digest_passed": record.digest_checker.passed,
                "block": raw.decode('utf-8', 'replace') if record.rec_type in ('metadata', 'warcinfo') else None,
            }))
"#;
    let python = warcio.with_file_name("python");
    let output = Command::new(&python)
        .arg("-c")
        .arg(SCRIPT)
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", python.display()));
    assert!(
        output.status.success(),
        "reading the WARC files with warcio failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
        .collect()
}

/// The `.warc.gz` files in `dir`, by name.
pub fn warc_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read the export directory")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.to_string_lossy().ends_with(".warc.gz"))
        .collect();
    files.sort();
    files
}
