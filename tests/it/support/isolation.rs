//! How the tests that load or measure the machine keep out of each other's way, now that every
//! area runs in one test binary: heavy tests take turns, and a test that measures its own child
//! process runs again in a process of its own.

use std::process::Stdio;

/// Taken for the whole run of a test that keeps a core busy for many seconds or needs the
/// crawler to keep pace with a clock (random kills, peak memory, full disk, 100k-deep and
/// 100k-link pages). Side by side these push each other past their bounds (the kills land
/// before anything is stored, a 100k-link page takes longer than its limit), so they take
/// turns, each beside light tests only.
pub async fn heavy_test_turn() -> tokio::sync::MutexGuard<'static, ()> {
    static HEAVY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    HEAVY.lock().await
}

/// Set in the environment of the process [`rerun_in_a_fresh_process`] starts.
const FRESH_PROCESS: &str = "CLAIMWATCH_TEST_FRESH_PROCESS";

/// Whether this process is the one [`rerun_in_a_fresh_process`] started.
pub fn in_a_fresh_process() -> bool {
    std::env::var_os(FRESH_PROCESS).is_some()
}

/// Runs the test `name` (as the harness names it: `area::test`) alone in a new process of this
/// test binary, and fails unless it ran there and passed.
///
/// For a test that reads a child's peak RSS from wait4: Linux counts into it the peak RSS of
/// the process that spawned the child (the child runs on that memory until it execs), and in
/// this binary the other tests raise that peak by hundreds of MiB.
pub async fn rerun_in_a_fresh_process(name: &str) {
    let binary = std::env::current_exe().expect("the test binary knows its own path");
    let output = tokio::process::Command::new(binary)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(FRESH_PROCESS, "1")
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .expect("the test binary runs again");
    let out = String::from_utf8_lossy(&output.stdout);
    println!("{out}{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success() && out.contains("test result: ok. 1 passed"),
        "{name} failed in a fresh process ({})",
        output.status
    );
}
