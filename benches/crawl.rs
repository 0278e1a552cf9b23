//! Crawl throughput benchmark: how fast the real, release-built `claimwatch crawl` snapshots a
//! synthetic multi-site web, how much memory it takes, and how big the store grows.
//!
//! It builds `BENCH_PAGES` (default 3000) realistic HTML pages (8–15 KB each: nav, paragraphs,
//! lists, tables, some Chinese text, internal and external links), splits them across four sites
//! served by the demo server on 127.0.0.1 (one port each, so four targets crawl concurrently),
//! writes a `targets.toml` with a fast rate, and runs the binary twice against the unchanged
//! sites. For each run it prints wall time, pages, pages/s, the child's own peak RSS and CPU
//! time (from `wait4`), the store's size on disk and its [`StoreStats`]; then the single-thread
//! cost per page of the crawl's CPU stages, measured in-process on the same pages.
//!
//! It only reports: nothing is asserted about time. Run it with `cargo bench --bench crawl`.
//! Under `cargo test --benches` (no `--bench` argument) it does a quick smoke run of a few pages.

use std::fmt::Write as _;
use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use claimwatch::demo::server::{self, Site};
use claimwatch::store::{Store, StoreStats};
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;
use url::Url;

/// Sites (targets) the pages are split across.
const SITES: usize = 4;
/// Leaf pages under one section page.
const LEAVES_PER_SECTION: usize = 60;
const DEFAULT_PAGES: usize = 3000;
/// Pages of the smoke run under `cargo test`.
const SMOKE_PAGES: usize = 120;
/// Crawl runs against the unchanged sites.
const RUNS: usize = 2;
/// At most this many pages go through the in-process stage timing.
const STAGE_SAMPLE: usize = 1000;
const HTML: &str = "text/html; charset=utf-8";

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

/// Says which profile built the binary, from where cargo put it.
fn describe_build(binary: &Path, bench_mode: bool) -> String {
    let profile_dir = binary
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let optimized = profile_dir != "debug";
    let this = if cfg!(debug_assertions) {
        "debug assertions on"
    } else {
        "debug assertions off"
    };
    let mut text = format!(
        "built in target/{profile_dir}: {} (this bench: {this})",
        if optimized {
            "optimized"
        } else {
            "NOT optimized"
        }
    );
    if bench_mode && !optimized {
        text.push_str(" -- WARNING: numbers from a debug build mean little");
    }
    text
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

/// One measured crawl.
struct Measured {
    wall: Duration,
    /// The child's own peak resident set, from its `wait4` rusage.
    max_rss_kib: i64,
    user: Duration,
    sys: Duration,
    /// CPU time of this process (the four servers, mostly) during the crawl.
    servers: Duration,
    /// The summary's `total` line, as printed.
    summary_line: String,
    /// New bodies according to the summary (None if it could not be read).
    new_bodies: Option<u64>,
    /// Flags the run raised, from the summary's "N new flags:" line (exit code 1).
    new_flags: u64,
    /// Sum of the file sizes under the store directory.
    store_bytes: u64,
    /// Blocks actually allocated to those files.
    store_allocated: u64,
    stats: StoreStats,
}

/// Runs `claimwatch crawl` once as a child process and measures it.
fn crawl_once(
    binary: &Path,
    targets: &Path,
    store: &Path,
    dir: &Path,
    run: usize,
    limit: Duration,
) -> Result<Measured> {
    let stdout_path = dir.join(format!("run{run}.stdout"));
    let stderr_path = dir.join(format!("run{run}.stderr"));
    let stdout = File::create(&stdout_path).context("create the child's stdout file")?;
    let stderr = File::create(&stderr_path).context("create the child's stderr file")?;
    println!("run {run}: crawling...");
    let self_before = self_cpu()?;
    let started = Instant::now();
    let child = Command::new(binary)
        .arg("--targets")
        .arg(targets)
        .arg("--store")
        .arg(store)
        .arg("crawl")
        .env_remove("CLAIMWATCH_LOG")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .with_context(|| format!("start {}", binary.display()))?;
    let pid = libc::pid_t::try_from(child.id()).context("child pid out of range")?;
    // Reaped here by wait4, for this child's own rusage; `child` is never waited on (dropping a
    // Child does not wait).
    let (status, usage) = wait_with_rusage(pid, limit)?;
    let wall = started.elapsed();
    let servers = self_cpu()?.saturating_sub(self_before);
    drop(child);

    let out = std::fs::read_to_string(&stdout_path).context("read the child's stdout")?;
    let err = std::fs::read_to_string(&stderr_path).context("read the child's stderr")?;
    // 0: done, no new flag; 1: done, new flags raised (claims found on the pages); 2: failed.
    let exited = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    if !matches!(exited, Some(0 | 1)) {
        bail!("claimwatch crawl failed (wait status {status:#x})\nstdout:\n{out}\nstderr:\n{err}");
    }
    if !err.trim().is_empty() {
        println!("run {run}: the crawl logged on stderr:\n{}", tail(&err, 10));
    }
    let summary_line = out
        .lines()
        .rev()
        .find(|l| l.starts_with("total ("))
        .unwrap_or("(no total line in the summary)")
        .to_string();
    let new_bodies = number_before(&summary_line, "new");
    let new_flags = out
        .lines()
        .find_map(|l| l.strip_suffix(" new flags:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);

    // Measured before the store is opened here: opening may write.
    let (store_bytes, store_allocated) = dir_size(store)?;
    let stats = Store::open(store)
        .context("open the store after the crawl")?
        .stats()
        .context("read the store's stats")?;
    Ok(Measured {
        wall,
        max_rss_kib: usage.ru_maxrss,
        user: timeval(usage.ru_utime),
        sys: timeval(usage.ru_stime),
        servers,
        summary_line,
        new_bodies,
        new_flags,
        store_bytes,
        store_allocated,
        stats,
    })
}

/// Waits for `pid` (our child) and returns its wait status and its own rusage. Kills it after
/// `limit`, so the bench always ends.
fn wait_with_rusage(pid: libc::pid_t, limit: Duration) -> Result<(libc::c_int, libc::rusage)> {
    let started = Instant::now();
    let mut killed = false;
    loop {
        let mut status: libc::c_int = 0;
        // SAFETY: rusage is plain integers; all zeroes is a valid value.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: pid is our own child, not yet reaped; both pointers are to live locals.
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if reaped == pid {
            if killed {
                bail!("claimwatch crawl took longer than {limit:?}; killed");
            }
            return Ok((status, usage));
        }
        if reaped == -1 {
            let err = std::io::Error::last_os_error();
            if err.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(err).context("wait4 on the crawl");
        }
        if !killed && started.elapsed() > limit {
            // SAFETY: plain syscall on our own child, which has not been reaped yet.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// User + system CPU time of this whole process so far.
fn self_cpu() -> Result<Duration> {
    // SAFETY: rusage is plain integers; all zeroes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pointer is to a live local.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Err(std::io::Error::last_os_error()).context("getrusage");
    }
    Ok(timeval(usage.ru_utime) + timeval(usage.ru_stime))
}

fn timeval(t: libc::timeval) -> Duration {
    Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
        + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
}

/// Apparent and allocated bytes of every file under `dir`.
fn dir_size(dir: &Path) -> Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let (mut apparent, mut allocated) = (0, 0);
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).with_context(|| format!("list {}", next.display()))? {
            let entry = entry.with_context(|| format!("list {}", next.display()))?;
            let meta = entry
                .metadata()
                .with_context(|| format!("stat {}", entry.path().display()))?;
            if meta.is_dir() {
                pending.push(entry.path());
            } else {
                apparent += meta.len();
                allocated += meta.blocks() * 512;
            }
        }
    }
    Ok((apparent, allocated))
}

/// The number just before `word` in a summary line ("3000 new bodies").
fn number_before(line: &str, word: &str) -> Option<u64> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let at = tokens.iter().position(|t| *t == word)?;
    tokens.get(at.checked_sub(1)?)?.parse().ok()
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// Single-thread cost per page of the CPU stages a capture goes through, on the bench's own pages.
fn stage_costs(sites: &[SiteSpec], addrs: &[SocketAddr]) -> String {
    let mut sample: Vec<(Url, &[u8])> = Vec::new();
    'sites: for (spec, addr) in sites.iter().zip(addrs) {
        for (path, body) in &spec.pages {
            if sample.len() >= STAGE_SAMPLE {
                break 'sites;
            }
            if let Ok(url) = Url::parse(&format!("http://{addr}{path}")) {
                sample.push((url, body.as_slice()));
            }
        }
    }
    let n = sample.len().max(1) as f64;
    let per_page = |d: Duration| d.as_secs_f64() * 1000.0 / n;

    let started = Instant::now();
    let decoded: Vec<String> = sample
        .iter()
        .map(|(url, body)| {
            claimwatch::fetch::charset::decode(body, Some(HTML), url.host_str()).text
        })
        .collect();
    let decode = started.elapsed();

    let started = Instant::now();
    let documents: Vec<_> = sample
        .iter()
        .zip(&decoded)
        .map(|((url, _), text)| claimwatch::extract::extract(text, url))
        .collect();
    let extract = started.elapsed();

    let started = Instant::now();
    let mut document_bytes = 0;
    for document in &documents {
        let json = serde_json::to_vec(document).unwrap_or_default();
        document_bytes += zstd::bulk::compress(&json, 3).map_or(0, |z| z.len());
    }
    let document = started.elapsed();

    let started = Instant::now();
    let mut digests = 0u8;
    for (_, body) in &sample {
        digests ^= Sha256::digest(body)[0];
    }
    let sha = started.elapsed();

    let started = Instant::now();
    let mut packed = 0;
    for (_, body) in &sample {
        packed += zstd::bulk::compress(body, 3).map_or(0, |z| z.len());
    }
    let body = started.elapsed();
    std::hint::black_box(digests);

    // The store calls `zstd::bulk::compress`, which builds a fresh context per call; this is what a
    // reused one would cost.
    let started = Instant::now();
    if let Ok(mut compressor) = zstd::bulk::Compressor::new(3) {
        for (_, body) in &sample {
            std::hint::black_box(compressor.compress(body).map_or(0, |z| z.len()));
        }
    }
    let reused = started.elapsed();

    let raw: usize = sample.iter().map(|(_, b)| b.len()).sum();
    format!(
        "stages (in-process, 1 thread, {} pages): decode {:.3} ms/page, extract {:.3}, document json+zstd {:.3}, sha256 {:.3}, body zstd-3 {:.3} \
         (reused context: {:.3}); bodies {:.1}x smaller, documents {:.1} KiB/page compressed",
        sample.len(),
        per_page(decode),
        per_page(extract),
        per_page(document),
        per_page(sha),
        per_page(body),
        per_page(reused),
        raw as f64 / packed.max(1) as f64,
        document_bytes as f64 / n / 1024.0,
    )
}

/// One synthetic company site: an index, sections, and leaf pages.
struct SiteSpec {
    pages: Vec<(String, Vec<u8>)>,
    sections: usize,
}

impl SiteSpec {
    /// Site number `index` with `total` pages (robots.txt not counted).
    fn build(index: usize, total: usize) -> SiteSpec {
        let sections = (total - 1).div_ceil(LEAVES_PER_SECTION + 1).max(1);
        let leaves = total - 1 - sections;
        // Leaves per section: as even as possible.
        let counts: Vec<usize> = (0..sections)
            .map(|s| leaves / sections + usize::from(s < leaves % sections))
            .collect();
        let company = format!("Bench Site {} Electronics", index + 1);
        let mut rng = Rng::new(0x5eed_0000 + index as u64);
        let mut pages = Vec::with_capacity(total);

        let nav = nav_html(sections);
        let mut index_html = page_start(&company, &company, "Home", &nav, &mut rng);
        index_html.push_str("<h1>Welcome</h1>\n<ul class=\"sections\">\n");
        for (s, count) in counts.iter().enumerate() {
            let _ = writeln!(
                index_html,
                "<li><a href=\"{}\">{}</a>: {count} products. {}</li>",
                section_path(s),
                section_name(s),
                sentence(&mut rng),
            );
        }
        index_html.push_str("</ul>\n");
        pages.push(("/".to_string(), page_end(index_html, &mut rng)));

        for (s, &count) in counts.iter().enumerate() {
            let mut html = page_start(&section_name(s), &company, &section_name(s), &nav, &mut rng);
            let _ = writeln!(
                html,
                "<h1>{}</h1>\n<p>{}</p>\n<table class=\"products\">\n<tr><th>Part</th><th>Description</th><th>Stock</th></tr>",
                section_name(s),
                sentence(&mut rng)
            );
            for leaf in 0..count {
                let _ = writeln!(
                    html,
                    "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
                    leaf_path(s, leaf),
                    part_number(s, leaf),
                    phrase(&mut rng, 4),
                    rng.below(100_000),
                );
            }
            html.push_str("</table>\n");
            pages.push((section_path(s), page_end(html, &mut rng)));

            for leaf in 0..count {
                let mut related = Vec::new();
                for _ in 0..6 {
                    let other = rng.below(sections);
                    if counts[other] > 0 {
                        related.push((other, rng.below(counts[other])));
                    }
                }
                if leaf + 1 < count {
                    related.push((s, leaf + 1));
                }
                let html = leaf_html(&company, &nav, s, leaf, &related, &mut rng);
                pages.push((leaf_path(s, leaf), html));
            }
        }
        SiteSpec { pages, sections }
    }

    fn html_bytes(&self) -> usize {
        self.pages.iter().map(|(_, b)| b.len()).sum()
    }

    fn to_site(&self) -> Site {
        let mut site = Site::default();
        site.page(
            "/robots.txt",
            "text/plain",
            vec![Some(b"User-agent: *\nAllow: /\n".to_vec())],
        );
        for (path, body) in &self.pages {
            site.page(path, HTML, vec![Some(body.clone())]);
        }
        site
    }
}

fn section_path(s: usize) -> String {
    format!("/products/{s:02}/")
}

fn leaf_path(s: usize, leaf: usize) -> String {
    format!("/products/{s:02}/p{leaf:03}.html")
}

fn section_name(s: usize) -> String {
    let families = [
        "Microcontrollers",
        "Power Management ICs",
        "Memory",
        "Interface ICs",
        "Passive Components",
        "Connectors",
        "Sensors",
        "RF Modules",
        "Optoelectronics",
        "Discrete Semiconductors",
    ];
    format!(
        "{} {}",
        families[s % families.len()],
        s / families.len() + 1
    )
}

fn part_number(s: usize, leaf: usize) -> String {
    let prefixes = [
        "STM32F", "TPS", "MT29F", "MAX", "GRM", "LM", "ADXL", "CC", "ESP32-",
    ];
    format!(
        "{}{}{:03}-{}",
        prefixes[(s + leaf) % prefixes.len()],
        100 + s,
        leaf,
        ["Q", "T", "R"][leaf % 3]
    )
}

fn nav_html(sections: usize) -> String {
    let mut nav = String::from("<nav class=\"main\"><ul>\n<li><a href=\"/\">Home</a></li>\n");
    for s in 0..sections {
        let _ = writeln!(
            nav,
            "<li><a href=\"{}\">{}</a></li>",
            section_path(s),
            section_name(s)
        );
    }
    nav.push_str(
        "<li><a href=\"https://www.example.com/partners\">Partners</a></li>\n</ul></nav>\n",
    );
    nav
}

fn page_start(title: &str, company: &str, crumb: &str, nav: &str, rng: &mut Rng) -> String {
    let mut html = String::with_capacity(16 * 1024);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title} | {company}</title>\n\
         <meta name=\"description\" content=\"{}\">\n\
         <style>body{{font-family:sans-serif;margin:0}}nav ul{{list-style:none}}td{{padding:2px 6px}}</style>\n\
         <script>window.dataLayer=window.dataLayer||[];</script>\n</head>\n<body>\n\
         <header><a href=\"/\" class=\"logo\"><img src=\"/logo.png\" alt=\"{company} logo\"></a>\n{nav}</header>\n\
         <main>\n<p class=\"crumbs\"><a href=\"/\">Home</a> &gt; {crumb}</p>\n",
        sentence(rng),
    );
    html
}

/// Pads the page with paragraphs to 8–15 KB, then closes it.
fn page_end(mut html: String, rng: &mut Rng) -> Vec<u8> {
    let target = 8 * 1024 + rng.below(7 * 1024);
    while html.len() + 700 < target {
        let mut paragraph = String::new();
        for _ in 0..3 + rng.below(4) {
            paragraph.push_str(&sentence(rng));
            paragraph.push(' ');
        }
        let _ = writeln!(html, "<p>{}</p>", paragraph.trim_end());
    }
    html.push_str(
        "</main>\n<footer>\n<p>© 2024 版权所有 · <a href=\"mailto:sales@example.com\">sales@example.com</a> · \
         <a href=\"https://en.wikipedia.org/wiki/Integrated_circuit\">About ICs</a> · \
         <a href=\"https://www.example.com/privacy\">Privacy</a></p>\n\
         <p>地址：深圳市福田区华强北路 1001 号 电子科技大厦 18 楼 · 电话：+86 755 8888 0000</p>\n</footer>\n</body>\n</html>\n",
    );
    html.into_bytes()
}

fn leaf_html(
    company: &str,
    nav: &str,
    s: usize,
    leaf: usize,
    related: &[(usize, usize)],
    rng: &mut Rng,
) -> Vec<u8> {
    let part = part_number(s, leaf);
    let crumb = format!(
        "<a href=\"{}\">{}</a> &gt; {part}",
        section_path(s),
        section_name(s)
    );
    let mut html = page_start(&part, company, &crumb, nav, rng);
    let _ = writeln!(
        html,
        "<h1>{part} — {}</h1>\n<p>{}</p>\n<p lang=\"zh\">{}</p>",
        phrase(rng, 3),
        sentence(rng),
        chinese(rng, 4),
    );
    html.push_str("<h2>Features</h2>\n<ul>\n");
    for _ in 0..5 + rng.below(6) {
        let _ = writeln!(html, "<li>{}</li>", phrase(rng, 6));
    }
    html.push_str("</ul>\n<h2>Specifications</h2>\n<table class=\"specs\">\n<caption>Electrical characteristics</caption>\n");
    for _ in 0..8 + rng.below(12) {
        let _ = writeln!(
            html,
            "<tr><th>{}</th><td>{}.{} {}</td><td>{}</td></tr>",
            phrase(rng, 2),
            rng.below(100),
            rng.below(10),
            ["V", "mA", "MHz", "°C", "kΩ", "pF"][rng.below(6)],
            chinese(rng, 1),
        );
    }
    html.push_str("</table>\n<h2>Related parts</h2>\n<ul class=\"related\">\n");
    for &(rs, rl) in related {
        let _ = writeln!(
            html,
            "<li><a href=\"{}\" title=\"{}\">{}</a></li>",
            leaf_path(rs, rl),
            phrase(rng, 3),
            part_number(rs, rl),
        );
    }
    html.push_str("</ul>\n");
    let _ = writeln!(
        html,
        "<p><a href=\"https://www.example.com/datasheets/{part}.pdf\">Datasheet (PDF)</a> · \
         <a href=\"{}?utm_source=bench\">Back to {}</a></p>",
        section_path(s),
        section_name(s),
    );
    page_end(html, rng)
}

const WORDS: &[&str] = &[
    "original",
    "genuine",
    "stock",
    "authorized",
    "distributor",
    "quality",
    "guaranteed",
    "fast",
    "delivery",
    "worldwide",
    "shipping",
    "lead-free",
    "RoHS",
    "compliant",
    "package",
    "reel",
    "tape",
    "supply",
    "chain",
    "traceability",
    "certificate",
    "conformance",
    "manufacturer",
    "datasheet",
    "voltage",
    "current",
    "temperature",
    "range",
    "industrial",
    "automotive",
    "grade",
    "low",
    "power",
    "high",
    "speed",
    "precision",
    "reliable",
    "competitive",
    "price",
    "inventory",
    "warehouse",
    "Hong Kong",
    "Shenzhen",
    "franchised",
    "obsolete",
    "parts",
    "sourcing",
    "service",
    "inspection",
    "testing",
    "laboratory",
    "ISO 9001",
    "AS9120",
    "components",
    "semiconductors",
    "we",
    "offer",
    "the",
    "and",
    "for",
    "with",
    "our",
    "all",
    "are",
    "in",
    "of",
    "to",
];

const CHINESE: &[&str] = &[
    "原装正品",
    "现货供应",
    "授权代理商",
    "质量保证",
    "价格优势",
    "欢迎询价",
    "一站式采购服务",
    "集成电路",
    "电子元器件",
    "深圳华强北",
    "假一罚十",
    "全新原装",
    "支持验货",
    "工业级",
    "汽车级",
];

fn phrase(rng: &mut Rng, words: usize) -> String {
    let mut text = String::new();
    for i in 0..words {
        if i > 0 {
            text.push(' ');
        }
        text.push_str(WORDS[rng.below(WORDS.len())]);
    }
    text
}

fn chinese(rng: &mut Rng, phrases: usize) -> String {
    let mut text = String::new();
    for i in 0..phrases {
        if i > 0 {
            text.push('，');
        }
        text.push_str(CHINESE[rng.below(CHINESE.len())]);
    }
    text
}

fn sentence(rng: &mut Rng) -> String {
    let words = 8 + rng.below(12);
    let mut text = phrase(rng, words);
    if rng.below(4) == 0 {
        text.push('，');
        text.push_str(&chinese(rng, 2));
    }
    if let Some(first) = text.get(..1) {
        let upper = first.to_ascii_uppercase();
        text.replace_range(..1, &upper);
    }
    text.push('.');
    text
}

/// xorshift64*: deterministic pages without a dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
