//! The memory bound stated in the README, measured on the real binary: peak RSS of a crawl of
//! pages as big as max_body, several targets at once, stays under
//! cores × 50 × max_body + concurrency × 4 × max_body + 100 MiB.
//!
//! The crawl is measured from a process of this test binary that runs nothing else: wait4's peak
//! RSS of a child includes the peak of the process that spawned it.

use std::process::Command;

use crate::support::*;

/// A dense page of about `size` bytes: many small elements, links, images with alt text.
fn dense_page(size: usize) -> String {
    let mut html = String::from("<html><body>");
    let mut i = 0;
    while html.len() < size - 200 {
        html.push_str(&format!(
            "<div class='c{}'><p>Item {i} military aerospace 军工 оборонной <a href='/p{}.html'>link {i}</a></p><img src='/i{i}.png' alt='Texas Instruments partner {i}'></div>\n",
            i % 7,
            i % 20
        ));
        i += 1;
    }
    html.push_str("</body></html>");
    html
}

/// Runs the binary to completion and returns its exit code and peak RSS in bytes. It is reaped
/// with wait4 (not `Child::wait`), which also reports the child's own resource use.
#[allow(clippy::zombie_processes)]
fn run_measured(ws: &Workspace) -> (i32, u64) {
    let child = Command::new(env!("CARGO_BIN_EXE_claimwatch"))
        .arg("crawl")
        .env("CLAIMWATCH_TARGETS", ws.targets())
        .env("CLAIMWATCH_STORE", ws.store())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("claimwatch starts");
    let pid = i32::try_from(child.id()).expect("pids fit in i32");
    let mut status = 0;
    // SAFETY: rusage is plain old data that wait4 fills in; pid is our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 reaped the crawl");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    // Linux reports ru_maxrss in KiB.
    (code, u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024)
}

#[tokio::test(flavor = "multi_thread")]
async fn peak_memory_of_a_crawl_of_max_body_pages_stays_within_the_stated_bound() {
    if !in_a_fresh_process() {
        let _turn = heavy_test_turn().await;
        return rerun_in_a_fresh_process(
            "memory::peak_memory_of_a_crawl_of_max_body_pages_stays_within_the_stated_bound",
        )
        .await;
    }
    const MAX_BODY: u64 = 1024 * 1024;
    const TARGETS: usize = 4;
    const PAGES: usize = 4;
    let page = dense_page(MAX_BODY as usize);
    let ips = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"];
    let handlers: Vec<Handler> = ips
        .iter()
        .map(|_| {
            let mut list: Vec<(String, Reply)> = vec![("/".to_string(), Reply::html(page.clone()))];
            for p in 0..20 {
                list.push((format!("/p{p}.html"), Reply::html(page.clone())));
            }
            let handler: Handler = std::sync::Arc::new(move |path: &str| {
                list.iter()
                    .find(|(p, _)| p == path)
                    .map(|(_, r)| r.clone())
                    .unwrap_or_else(Reply::not_found)
            });
            handler
        })
        .collect();
    let servers = Server::start_many(&ips, handlers).await;
    let mut toml = format!(
        "[crawl]\nrate = \"100/s\"\nburst = 10\nmax_pages = {PAGES}\nmax_body = \"1MiB\"\nconcurrency = {TARGETS}\n"
    );
    for (i, server) in servers.iter().enumerate() {
        toml += &target(&format!("t{i}"), &server.url("/"), "");
    }
    let ws = Workspace::new(&toml);
    let (code, peak) = tokio::task::spawn_blocking(move || {
        let measured = run_measured(&ws);
        drop(ws);
        measured
    })
    .await
    .expect("the measuring thread finished");
    assert_eq!(code, 0);
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    // The README's bound.
    let bound = cores * 50 * MAX_BODY + TARGETS as u64 * 4 * MAX_BODY + 100 * 1024 * 1024;
    println!(
        "peak RSS {} MiB, bound {} MiB ({cores} cores, {TARGETS} targets of {PAGES} pages of 1 MiB)",
        peak / (1024 * 1024),
        bound / (1024 * 1024)
    );
    assert!(peak > 0, "wait4 reported no memory use");
    assert!(
        peak <= bound,
        "peak RSS {} MiB is over the stated bound of {} MiB",
        peak / (1024 * 1024),
        bound / (1024 * 1024)
    );
}
