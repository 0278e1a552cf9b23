//! warcio (Webrecorder's WARC library, from PyPI), the independent reader the exports are
//! checked with. `.ci/run` installs it into the repository's `.venv-ci` and names it in
//! `CLAIMWATCH_WARCIO`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// How to make the environment these tests need, at the repository's root.
const INSTALL: &str = "python3 -m venv .venv-ci && .venv-ci/bin/pip install 'warcio==1.8.1'";

/// The warcio executable: `CLAIMWATCH_WARCIO`, else the repository's `.venv-ci` (its
/// directory must hold the `python` it runs on). Without either, under CI (`CI` set) the test
/// fails saying how to install it; elsewhere it is skipped with a notice that `cargo test`'s
/// capture does not swallow.
pub fn warcio() -> Option<PathBuf> {
    let named = std::env::var_os("CLAIMWATCH_WARCIO").map(PathBuf::from);
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-ci/bin/warcio");
    let path = match named {
        Some(path) => path,
        None if beside.exists() => beside,
        None if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false") => panic!(
            "CI: no warcio to read the WARC exports back with. Install it at the repository's \
             root with\n  {INSTALL}\nor name a warcio executable in CLAIMWATCH_WARCIO"
        ),
        None => {
            // Straight to the process's stderr: libtest captures what eprintln! writes.
            let _ = writeln!(
                std::io::stderr(),
                "\n*** SKIPPED: the WARC checks of tests/it/evidence/ need warcio.\n*** Install \
                 it at the repository's root with\n***   {INSTALL}\n*** (or name one in \
                 CLAIMWATCH_WARCIO); under CI they fail instead.\n"
            );
            return None;
        }
    };
    assert!(
        path.is_file(),
        "CLAIMWATCH_WARCIO names {}, which is no file: install warcio with\n  {INSTALL}",
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
