//! Scale benchmark: how claimwatch behaves as the watch-list grows.
//!
//! For each watch-list size (`SCALE_SITES`, default `1000,5000`) it serves that many small sites
//! (six linked pages of a few KB each, some with claims; see `sites`), each on its own loopback
//! address, writes a `targets.toml` with concurrency 50 and a fast rate, and runs the
//! release-built binary: `check`, a first crawl, and an unchanged re-crawl. For each it reports
//! wall time, the child's CPU time per page (from `wait4`) and peak RSS, and the store's bytes
//! on disk per capture (for the re-crawl, the store's growth over the captures it added: what
//! history costs when nothing changed). Then it times `check` on a generated watch-list of
//! `SCALE_CHECK_TARGETS` (default 100,000) targets. `SCALE_BINARY=/path/to/claimwatch` measures
//! another build (an earlier commit's) on the same sites.
//!
//! What should hold: peak memory bounded by what is crawled at once (concurrency), not by the
//! number of targets; CPU per page flat; `check` linear. The ratios of the largest size to the
//! smallest are printed; nothing is asserted. Run it with `cargo bench --bench scale`. Under
//! `cargo test --benches` (no `--bench` argument) it does a quick smoke run of a few sites.

#[path = "../crawl/filler.rs"]
mod filler;
#[path = "../crawl/measure.rs"]
#[allow(dead_code)]
mod measure;
mod sites;

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use claimwatch::demo::server;
use tokio_util::sync::CancellationToken;

use measure::{Measured, Waited, crawl_once, describe_build, wait_with_rusage};
use sites::PAGES_PER_SITE;

const DEFAULT_SITES: &[usize] = &[1000, 5000];
const SMOKE_SITES: &[usize] = &[20];
const DEFAULT_CHECK_TARGETS: usize = 100_000;
const SMOKE_CHECK_TARGETS: usize = 1_000;

/// One watch-list size, measured.
struct Row {
    sites: usize,
    check: Checked,
    first: Measured,
    again: Measured,
}

/// One `check`, measured.
struct Checked {
    wall: Duration,
    max_rss_kib: i64,
}

fn main() -> Result<()> {
    let bench_mode = std::env::args().any(|a| a == "--bench");
    let sizes = match std::env::var("SCALE_SITES") {
        Ok(text) => text
            .split(',')
            .map(|n| n.trim().parse::<usize>())
            .collect::<Result<Vec<_>, _>>()
            .ok()
            .filter(|sizes| !sizes.is_empty() && !sizes.contains(&0))
            .with_context(|| format!("SCALE_SITES={text:?} is not a list of site counts"))?,
        Err(_) if bench_mode => DEFAULT_SITES.to_vec(),
        Err(_) => SMOKE_SITES.to_vec(),
    };
    let check_targets = match std::env::var("SCALE_CHECK_TARGETS") {
        Ok(text) => text
            .trim()
            .parse::<usize>()
            .with_context(|| format!("SCALE_CHECK_TARGETS={text:?} is not a target count"))?,
        Err(_) if bench_mode => DEFAULT_CHECK_TARGETS,
        Err(_) => SMOKE_CHECK_TARGETS,
    };

    // Another build can be measured against this one's sites (a build of an earlier commit).
    let binary = std::env::var_os("SCALE_BINARY").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_claimwatch")),
        PathBuf::from,
    );
    println!("== claimwatch scale benchmark ==");
    println!("binary:  {}", binary.display());
    println!("         {}", describe_build(&binary, bench_mode));
    println!(
        "sites:   {} small sites of {PAGES_PER_SITE} pages each, one loopback address each; \
         concurrency 50, rate 1000/s burst 100 per host",
        sizes
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );

    let dir = tempfile::Builder::new()
        .prefix("claimwatch-scale-")
        .tempdir()
        .context("create the bench's temp dir")?;
    // The servers run on their own runtime's worker threads while this thread runs the child.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("start the servers' runtime")?;

    let mut rows = Vec::new();
    for &count in &sizes {
        let work = dir.path().join(format!("sites-{count}"));
        std::fs::create_dir_all(&work).context("create a work dir")?;
        rows.push(measure_sites(&runtime, &binary, &work, count)?);
        // Each size's store goes once measured: the disk may be small.
        std::fs::remove_dir_all(&work).context("remove a work dir")?;
    }
    runtime.shutdown_timeout(Duration::from_secs(2));

    let generated = dir.path().join("generated.toml");
    std::fs::write(&generated, sites::generated_targets_toml(check_targets))
        .context("write the generated targets.toml")?;
    println!("check:   {check_targets} generated targets...");
    let big = check(&binary, &generated)?;

    println!("\n{}", table(&rows));
    println!("{}", ratios(&rows));
    println!(
        "check of {check_targets} generated targets: {:.2} s, peak RSS {:.0} MiB (target: 100,000 in under 2 s)",
        big.wall.as_secs_f64(),
        big.max_rss_kib as f64 / 1024.0
    );
    dir.close().context("remove the bench's temp dir")?;
    Ok(())
}

/// Serves `count` sites, writes their watch-list, and measures `check`, a first crawl and an
/// unchanged re-crawl.
fn measure_sites(
    runtime: &tokio::runtime::Runtime,
    binary: &Path,
    work: &Path,
    count: usize,
) -> Result<Row> {
    println!("\n-- {count} sites --");
    let stop = CancellationToken::new();
    let started = Instant::now();
    let mut addrs: Vec<SocketAddr> = Vec::with_capacity(count);
    for index in 0..count {
        let ip = sites::address(index);
        let addr = runtime
            .block_on(server::start(
                Arc::new(sites::site(index)),
                SocketAddr::from((ip, 0)),
                stop.clone(),
            ))
            .with_context(|| {
                format!(
                    "serve site {} on {ip} (all of 127.0.0.0/8 should be loopback)",
                    index + 1
                )
            })?;
        addrs.push(addr);
    }
    println!(
        "served:  {count} sites on {} .. {} in {:.1} s",
        addrs[0].ip(),
        addrs[count - 1].ip(),
        started.elapsed().as_secs_f64()
    );
    let targets = work.join("targets.toml");
    std::fs::write(&targets, sites::targets_toml(&addrs)).context("write targets.toml")?;
    let checked = check(binary, &targets)?;
    println!("check:   {:.2} s", checked.wall.as_secs_f64());

    let store = work.join("store");
    let pages = count * PAGES_PER_SITE;
    let limit = Duration::from_secs(120) + Duration::from_millis(20) * pages as u32;
    let first = crawl_once(binary, &targets, &store, work, 1, limit)?;
    report_run(1, &first, None, pages);
    let again = crawl_once(binary, &targets, &store, work, 2, limit)?;
    report_run(2, &again, Some(&first), pages);
    stop.cancel();
    Ok(Row {
        sites: count,
        check: checked,
        first,
        again,
    })
}

/// The run's summary line, and a note when it did not capture every page served.
fn report_run(run: usize, m: &Measured, before: Option<&Measured>, pages: usize) {
    println!(
        "run {run} done: {} | child CPU {:.2} s user + {:.2} s sys | servers {:.2} s CPU",
        m.summary_line.trim(),
        m.user.as_secs_f64(),
        m.sys.as_secs_f64(),
        m.servers.as_secs_f64(),
    );
    let captured = m.stats.captures - before.map_or(0, |b| b.stats.captures);
    if captured != pages as u64 {
        println!("  note: {captured} captures this run, {pages} pages served");
    }
}

/// `claimwatch check` on `targets`, its output dropped.
fn check(binary: &Path, targets: &Path) -> Result<Checked> {
    let started = Instant::now();
    let child = Command::new(binary)
        .arg("--targets")
        .arg(targets)
        .arg("check")
        .env_remove("CLAIMWATCH_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("start {} check", binary.display()))?;
    let pid = libc::pid_t::try_from(child.id()).context("child pid out of range")?;
    let Waited {
        status,
        peak_rss_kib,
        ..
    } = wait_with_rusage(pid, Duration::from_secs(600))?;
    let wall = started.elapsed();
    drop(child);
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        bail!(
            "claimwatch check failed on {} (wait status {status:#x})",
            targets.display()
        );
    }
    Ok(Checked {
        wall,
        max_rss_kib: peak_rss_kib,
    })
}

/// One line per size and run: wall time, CPU per page, peak memory, store bytes per capture.
fn table(rows: &[Row]) -> String {
    let mut out = String::from("== results ==\n");
    let _ = writeln!(
        out,
        "{:>6} {:>7} {:>8}  {:<9} {:>7} {:>10} {:>9} {:>9} {:>10} {:>10}",
        "sites",
        "pages",
        "check s",
        "crawl",
        "wall s",
        "CPU ms/pg",
        "peak MiB",
        "store MiB",
        "B/capture",
        "new bodies"
    );
    for row in rows {
        for (label, m, before) in [
            ("first", &row.first, None),
            ("unchanged", &row.again, Some(&row.first)),
        ] {
            let captures = m.stats.captures - before.map_or(0, |b| b.stats.captures);
            let grown = m.store_bytes as f64 - before.map_or(0.0, |b| b.store_bytes as f64);
            let cpu = (m.user + m.sys).as_secs_f64();
            let _ = writeln!(
                out,
                "{:>6} {:>7} {:>8.2}  {label:<9} {:>7.2} {:>10.2} {:>9.0} {:>9.1} {:>10.0} {:>10}",
                row.sites,
                captures,
                row.check.wall.as_secs_f64(),
                m.wall.as_secs_f64(),
                1000.0 * cpu / captures.max(1) as f64,
                m.max_rss_kib as f64 / 1024.0,
                m.store_bytes as f64 / (1024.0 * 1024.0),
                grown / captures.max(1) as f64,
                m.new_bodies.map_or("?".to_string(), |n| n.to_string()),
            );
        }
    }
    out
}

/// The largest size against the smallest: what should stay near 1.
fn ratios(rows: &[Row]) -> String {
    let (Some(small), Some(large)) = (rows.first(), rows.last()) else {
        return String::new();
    };
    if rows.len() < 2 {
        return String::new();
    }
    let per_page = |m: &Measured, before: Option<&Measured>| {
        let captures = m.stats.captures - before.map_or(0, |b| b.stats.captures);
        (m.user + m.sys).as_secs_f64() / captures.max(1) as f64
    };
    let rss = |m: &Measured| m.max_rss_kib as f64;
    format!(
        "{} sites against {}: peak memory x{:.2} first crawl, x{:.2} re-crawl (target: within 1.2); \
         CPU per page x{:.2} first crawl, x{:.2} re-crawl (target: flat)",
        large.sites,
        small.sites,
        rss(&large.first) / rss(&small.first),
        rss(&large.again) / rss(&small.again),
        per_page(&large.first, None) / per_page(&small.first, None),
        per_page(&large.again, Some(&large.first)) / per_page(&small.again, Some(&small.first)),
    )
}
