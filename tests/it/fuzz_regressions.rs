//! Replays every input saved under tests/fuzz_regressions/<target>/ through the body of its
//! fuzz target (tests/fuzz_regressions/harness.rs, which fuzz/fuzz_targets/*.rs share), so CI
//! runs them without cargo-fuzz or nightly. That folder is the one place for saved inputs: the
//! seeds the fuzzers start from beside every input they found (`crash-*`, `slow-*`). To rerun a
//! fuzzer see fuzz/README.md.

#[allow(dead_code)]
#[path = "../fuzz_regressions/harness.rs"]
mod harness;

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Replaying one input must not take longer than this, even in a debug build on a loaded
/// machine: a hostile page must not stall the crawl.
const SLOW: Duration = Duration::from_secs(20);

fn replay(target: &str, run: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no saved inputs in {}", dir.display());
    for path in paths {
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let started = Instant::now();
        run(&data);
        let took = started.elapsed();
        assert!(took < SLOW, "{} took {took:?}", path.display());
    }
}

#[test]
fn extract_inputs() {
    replay("extract", harness::extract);
}

#[test]
fn charset_inputs() {
    replay("charset", harness::charset);
}

#[test]
fn robots_inputs() {
    replay("robots", harness::robots);
}

#[test]
fn claims_inputs() {
    replay("claims", harness::claims);
}
