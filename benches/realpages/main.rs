//! Real pages benchmark: what a crawl costs on pages nobody here wrote, beside the cost of
//! parsing and extracting them alone and beside urlwatch on the same pages.
//!
//! It serves the 130 saved pages of `../shared/corpora/pages/` (news, blogs, reference; 25.7 MB)
//! on loopback, as one target seeded with every page (depth 0, so only those pages), and runs
//! the release binary twice: a first crawl and an unchanged re-crawl. For each it reports the
//! child's CPU time per page (user + system, from `wait4`, and each apart), MB of HTML per
//! CPU-second and peak RSS. The parse-and-extract ceiling is the same pages decoded and
//! extracted in this process, single-threaded. When `urlwatch` is found
//! (`URLWATCH=/path/to/urlwatch`, or on PATH), it runs urlwatch 2.x with its `html2text` filter
//! on the same URLs twice and reports the same numbers. It does all of this `REALPAGES_ROUNDS`
//! times (3 unless set), each program once a round, and reports each row's median round: on a
//! shared machine one run can be a fifth off the next. `REALPAGES_BINARY=/path/to/claimwatch`
//! measures another build (an earlier commit's) on the same pages.
//!
//! Nothing is asserted. Run it with `cargo bench --bench realpages`; it says so and stops when
//! the corpus is not beside the checkout. With `REALPAGES_SERVE=/path/targets.toml` it only
//! serves the pages and writes their watch-list there, for a profiler to run the binary against.

#[path = "../crawl/measure.rs"]
#[allow(dead_code)]
mod measure;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use claimwatch::demo::server::{self, Site};
use tokio_util::sync::CancellationToken;

use measure::crawl_once;

fn main() -> Result<()> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/pages");
    let Ok(entries) = std::fs::read_dir(&corpus) else {
        println!(
            "SKIPPED: no corpus at {} (it sits beside the checkout in this workspace)",
            corpus.display()
        );
        return Ok(());
    };
    let mut pages: Vec<(String, Vec<u8>)> = entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            std::fs::read(e.path()).map(|body| (name, body))
        })
        .collect::<std::io::Result<_>>()
        .context("read the corpus")?;
    pages.sort();
    let bytes: usize = pages.iter().map(|(_, b)| b.len()).sum();
    let count = pages.len();
    println!("== claimwatch on real pages ==");
    println!(
        "pages:   {count} saved pages, {:.1} MB of HTML ({})",
        bytes as f64 / 1e6,
        corpus.display()
    );
    println!("commit:  {}", git_head());

    let ceiling = parse_and_extract(&pages);
    println!(
        "ceiling: decode + parse + extract in this process, one thread: {:.2} ms/page, {:.1} MB/s",
        ceiling.as_secs_f64() * 1000.0 / count as f64,
        bytes as f64 / 1e6 / ceiling.as_secs_f64()
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("start the server's runtime")?;
    let stop = CancellationToken::new();
    let mut site = Site::default();
    site.page(
        "/robots.txt",
        "text/plain",
        vec![Some(b"User-agent: *\n".to_vec())],
    );
    for (name, body) in &pages {
        site.page(&format!("/{name}"), "text/html", vec![Some(body.clone())]);
    }
    let addr = runtime.block_on(server::start(
        Arc::new(site),
        SocketAddr::from((Ipv4Addr::new(127, 0, 0, 9), 0)),
        stop.clone(),
    ))?;
    let urls: Vec<String> = pages
        .iter()
        .map(|(name, _)| format!("http://{addr}/{name}"))
        .collect();

    let dir = tempfile::Builder::new()
        .prefix("claimwatch-realpages-")
        .tempdir()
        .context("create the bench's temp dir")?;
    let targets = dir.path().join("targets.toml");
    let seeds: Vec<String> = urls.iter().map(|u| format!("\"{u}\"")).collect();
    std::fs::write(
        &targets,
        format!(
            "[crawl]\nrate = \"1000/s\"\nburst = 100\nmax_pages = {}\nmax_depth = 0\ntimeout = \"30s\"\n\n\
             [[target]]\nid = \"real\"\nname = \"Real pages\"\nseeds = [{}]\n",
            count + 10,
            seeds.join(", ")
        ),
    )
    .context("write targets.toml")?;
    if let Some(keep) = std::env::var_os("REALPAGES_SERVE") {
        // For profiling: the same pages and watch-list, served until this process is killed.
        std::fs::copy(&targets, &keep).context("copy targets.toml to REALPAGES_SERVE")?;
        println!(
            "serving at http://{addr}/ until killed; watch-list at {}",
            Path::new(&keep).display()
        );
        runtime.block_on(std::future::pending::<()>());
    }
    // Another build can be measured on the same pages (a build of an earlier commit).
    let binary = std::env::var_os("REALPAGES_BINARY").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_claimwatch")),
        PathBuf::from,
    );
    println!("binary:  {}", binary.display());
    let rounds = std::env::var("REALPAGES_ROUNDS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(DEFAULT_ROUNDS)
        .max(1);
    let urlwatch = urlwatch();
    let urls_file = dir.path().join("urls.yaml");
    if urlwatch.is_some() {
        let jobs: String = urls
            .iter()
            .map(|u| format!("url: {u}\nfilter:\n  - html2text\n---\n"))
            .collect();
        std::fs::write(&urls_file, jobs).context("write urlwatch's urls.yaml")?;
    }
    // Each round runs every program once, first run then re-run, so that all of them meet the
    // same moment of a shared machine; the medians are reported.
    let mut costs: [Vec<Cost>; 4] = Default::default();
    for round in 0..rounds {
        let store = dir.path().join(format!("store{round}"));
        for (run, runs) in costs[..2].iter_mut().enumerate() {
            let m = crawl_once(
                &binary,
                &targets,
                &store,
                dir.path(),
                round * 2 + run + 1,
                Duration::from_secs(600),
            )?;
            runs.push(Cost {
                user: m.user,
                sys: m.sys,
                wall: m.wall,
                rss_kib: m.max_rss_kib,
            });
        }
        if let Some(urlwatch) = &urlwatch {
            let cache = dir.path().join(format!("urlwatch-cache{round}.db"));
            for (run, runs) in costs[2..].iter_mut().enumerate() {
                let cost = run_urlwatch(urlwatch, dir.path(), &urls_file, &cache)
                    .with_context(|| format!("urlwatch run {}", run + 1))?;
                runs.push(cost);
            }
        }
    }
    println!(
        "\nmedian of {rounds} round(s); CPU is the child's user + system time (wait4)\n{:<34} {:>10} {:>8} {:>8} {:>10} {:>8} {:>9}",
        "", "CPU ms/pg", "user", "system", "MB/CPU-s", "wall s", "peak MiB"
    );
    let labels = [
        "claimwatch first crawl",
        "claimwatch unchanged re-crawl",
        "urlwatch first run",
        "urlwatch unchanged re-run",
    ];
    for (label, runs) in labels.iter().zip(&costs) {
        if let Some(cost) = median(runs) {
            report(label, cost, count, bytes);
        }
    }
    if urlwatch.is_none() {
        println!(
            "urlwatch: not found (set URLWATCH=/path/to/urlwatch, e.g. from `pip install urlwatch==2.29 html2text`)"
        );
    }
    stop.cancel();
    Ok(())
}

/// Rounds of each program when `REALPAGES_ROUNDS` does not say.
const DEFAULT_ROUNDS: usize = 3;

/// What one run of a program cost.
#[derive(Debug, Clone, Copy)]
struct Cost {
    user: Duration,
    sys: Duration,
    wall: Duration,
    rss_kib: i64,
}

/// The run of median CPU time.
fn median(runs: &[Cost]) -> Option<Cost> {
    let mut sorted = runs.to_vec();
    sorted.sort_by_key(|c| c.user + c.sys);
    sorted.get(sorted.len().saturating_sub(1) / 2).copied()
}

fn report(label: &str, cost: Cost, pages: usize, bytes: usize) {
    let per_page = |t: Duration| t.as_secs_f64() * 1000.0 / pages as f64;
    let cpu = cost.user + cost.sys;
    println!(
        "{label:<34} {:>10.2} {:>8.2} {:>8.2} {:>10.1} {:>8.2} {:>9.0}",
        per_page(cpu),
        per_page(cost.user),
        per_page(cost.sys),
        bytes as f64 / 1e6 / cpu.as_secs_f64().max(1e-9),
        cost.wall.as_secs_f64(),
        cost.rss_kib as f64 / 1024.0
    );
}

/// Decodes, parses and extracts every page, one after another; the best of three rounds.
fn parse_and_extract(pages: &[(String, Vec<u8>)]) -> Duration {
    let base = url::Url::parse("http://127.0.0.1/").expect("a valid literal URL");
    (0..3)
        .map(|_| {
            let started = Instant::now();
            for (_, body) in pages {
                let decoded = claimwatch::fetch::charset::decode(body, Some("text/html"), None);
                std::hint::black_box(claimwatch::extract::extract(&decoded.text, &base));
            }
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn urlwatch() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("URLWATCH") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("urlwatch"))
        .find(|candidate| candidate.is_file())
}

/// One urlwatch run as a child, with its job cache at `cache`: its CPU time (from `wait4`
/// through `time -f`), wall time and peak RSS.
fn run_urlwatch(urlwatch: &Path, dir: &Path, urls: &Path, cache: &Path) -> Result<Cost> {
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%U %S %M")
        .arg(urlwatch)
        .arg("--urls")
        .arg(urls)
        .arg("--config")
        .arg(dir.join("urlwatch.yaml"))
        .arg("--cache")
        .arg(cache)
        .arg("--hooks")
        .arg(dir.join("hooks.py"))
        .env("HOME", dir)
        .stdin(Stdio::null())
        .output()
        .context("run urlwatch under /usr/bin/time")?;
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    let fields: Vec<f64> = last
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    let [user, sys, rss] = fields[..] else {
        bail!("no timing from /usr/bin/time: {stderr}");
    };
    Ok(Cost {
        user: Duration::from_secs_f64(user),
        sys: Duration::from_secs_f64(sys),
        wall,
        rss_kib: rss as i64,
    })
}

fn git_head() -> String {
    Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}
