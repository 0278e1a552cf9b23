//! Crawl throughput benchmark: how fast the real, release-built `claimwatch crawl` snapshots a
//! synthetic multi-site web, how much memory it takes, and how big the store grows.
//!
//! It builds `BENCH_PAGES` (default 3000) realistic HTML pages (8–15 KB each: nav, paragraphs,
//! lists, tables, some Chinese text, internal and external links), splits them across four sites
//! served by the demo server on 127.0.0.1 (one port each, so four targets crawl concurrently),
//! writes a `targets.toml` with a fast rate, and runs the binary twice against the unchanged
//! sites. For each run it prints wall time, pages, pages/s, the child's own peak RSS (from its /proc
//! status) and CPU time (from `wait4`), the store's size on disk and its
//! [`StoreStats`](claimwatch::store::StoreStats); then the single-thread cost per page of the
//! crawl's CPU stages, measured in-process on the same pages.
//!
//! It only reports: nothing is asserted about time. Run it with `cargo bench --bench crawl`.
//! Under `cargo test --benches` (no `--bench` argument) it does a quick smoke run of a few pages.
//!
//! The sites are built in `site` (their text from `filler`); a crawl is measured in `measure`
//! and the CPU stages in `stages`; this file serves the sites, runs the crawls and reports.

mod filler;
mod measure;
mod site;
mod stages;

use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use claimwatch::demo::server;
use tokio_util::sync::CancellationToken;

use measure::{Measured, crawl_once, describe_build};
use site::SiteSpec;
use stages::stage_costs;

/// Sites (targets) the pages are split across.
const SITES: usize = 4;
const DEFAULT_PAGES: usize = 3000;
/// Pages of the smoke run under `cargo test`.
const SMOKE_PAGES: usize = 120;
/// Crawl runs against the unchanged sites.
const RUNS: usize = 2;

fn main() -> Result<()> {
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let pages = match std::env::var("BENCH_PAGES") {
        Ok(text) => text
            .trim()
            .parse::<usize>()
            .with_context(|| format!("BENCH_PAGES={text:?} is not a page count"))?,
        Err(_) if bench_mode => DEFAULT_PAGES,
        Err(_) => SMOKE_PAGES,
    };
    if pages < SITES * 2 {
        bail!("BENCH_PAGES must be at least {}", SITES * 2);
    }

    let binary = PathBuf::from(env!("CARGO_BIN_EXE_claimwatch"));
    println!("== claimwatch crawl benchmark ==");
    println!("binary:  {}", binary.display());
    println!("         {}", describe_build(&binary, bench_mode));

    let dir = tempfile::Builder::new()
        .prefix("claimwatch-bench-")
        .tempdir()
        .context("create the bench's temp dir")?;
    let sites: Vec<SiteSpec> = (0..SITES)
        .map(|i| SiteSpec::build(i, pages / SITES + usize::from(i < pages % SITES)))
        .collect();
    let html_bytes: usize = sites.iter().map(SiteSpec::html_bytes).sum();
    let (min, max) = sites
        .iter()
        .flat_map(|s| s.pages.iter().map(|(_, body)| body.len()))
        .fold((usize::MAX, 0), |(lo, hi), n| (lo.min(n), hi.max(n)));
    let sections: usize = sites.iter().map(|s| s.sections).sum();
    println!(
        "site:    {pages} pages on {SITES} sites ({sections} sections), {} of HTML, {:.1} KiB/page avg ({:.1}–{:.1} KiB)",
        mib(html_bytes as u64),
        html_bytes as f64 / pages as f64 / 1024.0,
        min as f64 / 1024.0,
        max as f64 / 1024.0,
    );

    // The servers run on their own runtime's worker threads while this thread runs the crawls.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("start the servers' runtime")?;
    let stop = CancellationToken::new();
    // The crawler paces by host name, port ignored: four sites on one IP would share a single
    // 1000/s limiter and the bench would measure the limiter. So each site gets its own loopback
    // address (127.0.0.1–127.0.0.4, all loopback on Linux) unless BENCH_SHARED_HOST=1.
    let shared_host = std::env::var("BENCH_SHARED_HOST").is_ok_and(|v| v == "1");
    let mut addrs = Vec::new();
    for (i, spec) in sites.iter().enumerate() {
        let site = Arc::new(spec.to_site());
        let own = Ipv4Addr::new(127, 0, 0, 1 + i as u8);
        let ip = if shared_host {
            Ipv4Addr::LOCALHOST
        } else {
            own
        };
        let started = runtime.block_on(server::start(
            site.clone(),
            SocketAddr::from((ip, 0)),
            stop.clone(),
        ));
        let addr = match started {
            Ok(addr) => addr,
            Err(e) if ip != Ipv4Addr::LOCALHOST => {
                println!("note:    cannot bind {ip} ({e}); this site shares 127.0.0.1");
                runtime
                    .block_on(server::start(
                        site,
                        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                        stop.clone(),
                    ))
                    .context("start a bench site on 127.0.0.1")?
            }
            Err(e) => return Err(e).context("start a bench site on 127.0.0.1"),
        };
        addrs.push(addr);
    }
    let served: Vec<String> = addrs.iter().map(|a| a.to_string()).collect();
    let mut hosts: Vec<_> = addrs.iter().map(SocketAddr::ip).collect();
    hosts.sort();
    hosts.dedup();
    println!(
        "served:  {} ({} host{}, one politeness limiter each)",
        served.join(", "),
        hosts.len(),
        if hosts.len() == 1 { "" } else { "s" }
    );

    let targets = dir.path().join("targets.toml");
    std::fs::write(&targets, targets_toml(&addrs)).context("write targets.toml")?;
    let store = dir.path().join("store");
    let limit = Duration::from_secs(120) + Duration::from_millis(50) * pages as u32;

    let mut results: Vec<Measured> = Vec::new();
    for run in 1..=RUNS {
        let measured = crawl_once(&binary, &targets, &store, dir.path(), run, limit)?;
        let before = results.last().map(|m| m.stats.captures).unwrap_or(0);
        println!(
            "run {run} done: {} | child CPU {:.2} s user + {:.2} s sys | servers {:.2} s CPU",
            measured.summary_line.trim(),
            measured.user.as_secs_f64(),
            measured.sys.as_secs_f64(),
            measured.servers.as_secs_f64(),
        );
        if measured.stats.captures - before != pages as u64 {
            println!(
                "  note: {} captures this run, {pages} pages served",
                measured.stats.captures - before
            );
        }
        results.push(measured);
    }

    stop.cancel();
    runtime.shutdown_timeout(Duration::from_secs(2));

    let stages = stage_costs(&sites, &addrs);

    println!();
    println!(
        "== results ({pages} pages, {SITES} sites on {} host{}, rate 1000/s burst 100 per host) ==",
        hosts.len(),
        if hosts.len() == 1 { "" } else { "s" }
    );
    let mut previous: Option<&Measured> = None;
    for (i, m) in results.iter().enumerate() {
        let crawled = m.stats.captures - previous.map_or(0, |p| p.stats.captures);
        let secs = m.wall.as_secs_f64();
        let mut line = format!(
            "run {}: {crawled} pages in {secs:.2} s = {:.0} pages/s, peak RSS {:.0} MiB, store {} on disk ({} bodies, {} compressed)",
            i + 1,
            crawled as f64 / secs,
            m.max_rss_kib as f64 / 1024.0,
            mib(m.store_bytes),
            m.stats.bodies,
            mib(m.stats.body_bytes),
        );
        if let Some(p) = previous {
            let unchanged = m.stats.bodies == p.stats.bodies
                && m.stats.body_bytes == p.stats.body_bytes
                && m.new_bodies == Some(0);
            let _ = write!(
                line,
                " (bodies unchanged: {})",
                if unchanged { "yes" } else { "no" }
            );
        }
        println!("{line}");
        let cpu = (m.user + m.sys).as_secs_f64();
        println!(
            "       child CPU {cpu:.2} s = {:.0}% of one core, {:.2} ms/page; store {} allocated; {} captures, {} documents in the store; {} new flags",
            100.0 * cpu / secs,
            1000.0 * cpu / crawled.max(1) as f64,
            mib(m.store_allocated),
            m.stats.captures,
            m.stats.documents,
            m.new_flags,
        );
        previous = Some(m);
    }
    println!("{stages}");

    dir.close().context("remove the bench's temp dir")?;
    Ok(())
}

fn targets_toml(addrs: &[SocketAddr]) -> String {
    let mut toml = String::from(
        "[crawl]\nrate = \"1000/s\"\nburst = 100\nmax_pages = 100000\nmax_depth = 5\ntimeout = \"10s\"\n",
    );
    for (i, addr) in addrs.iter().enumerate() {
        let _ = write!(
            toml,
            "\n[[target]]\nid = \"site{n}\"\nname = \"Bench Site {n} Electronics Co., Ltd\"\nseeds = [\"http://{addr}/\"]\n",
            n = i + 1
        );
    }
    toml
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}
