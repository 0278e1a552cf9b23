//! `claimwatch demo`: the whole story offline. Built-in company sites are served on 127.0.0.1,
//! crawled into a temporary store, changed, and crawled again; then the key page's diff (as
//! `claimwatch diff` computes and colours it), one flag as tools get it, and the page's history.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use tokio_util::sync::CancellationToken;

use super::case_view::{most_severe_then_newest, write_cases};
use super::diff::{compare, pairs_to_show};
use super::session::{Output, Session};
use claimwatch::cases::cases;
use claimwatch::claims::Matcher;
use claimwatch::config::{Config, human_size};
use claimwatch::demo::server;
use claimwatch::demo::sites::companies;
use claimwatch::detect::ClaimCache;
use claimwatch::diff::render;
use claimwatch::exit::Exit;
use claimwatch::flags::Severity;
use claimwatch::run::{self, RunOptions};
use claimwatch::store::Store;

/// The demo's watch-list: one target per served site, and a manufacturer with its distributors.
fn targets_toml(served: &[(&str, &str, SocketAddr)]) -> String {
    let mut toml = String::from(
        "[crawl]\nrate = \"50/s\"\nburst = 5\nmax_pages = 50\ntimeout = \"5s\"\nuser_agent = \"claimwatch/0.1 (demo; +mailto:ops@example.org)\"\n",
    );
    for (id, name, addr) in served {
        toml.push_str(&format!(
            "\n[[target]]\nid = \"{id}\"\nname = \"{name}\"\nseeds = [\"http://{addr}/\"]\n"
        ));
    }
    // Analog Devices publishes its distributors; the demo's sites are not among them.
    toml.push_str(
        "\n[[manufacturer]]\nname = \"Analog Devices\"\naliases = [\"ADI\", \"亚德诺\"]\ndomains = [\"analog.com\"]\nauthorized = [\"digikey.com\", \"mouser.com\", \"arrow.com\"]\nsource = \"https://www.analog.com/en/support/distributors.html\"\n",
    );
    toml
}

/// The demo crawls its own sites into a temporary store and watch-list: a `--store` or
/// `--targets` given to it would be ignored, so it is refused (a demo must never write into a
/// real store). The same settings from the environment are left alone: they are meant for the
/// other commands.
pub fn refuse_store_options(matches: &clap::ArgMatches) -> Result<()> {
    for option in ["store", "targets"] {
        if matches.value_source(option) == Some(clap::parser::ValueSource::CommandLine) {
            anyhow::bail!(
                "the demo uses a temporary store and watch-list of its own and takes no --{option}; \
                 run `claimwatch demo` alone"
            );
        }
    }
    Ok(())
}

/// Runs the demo, printing as it goes.
pub fn run(s: &mut Session) -> Result<Exit> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let store = Arc::new(Store::open(&dir.path().join("store"))?);
    runtime.block_on(run_story(
        store.clone(),
        dir.path(),
        s.out.clone(),
        s.color(),
    ))?;
    Ok(Exit::Ok)
}

async fn run_story(store: Arc<Store>, dir: &Path, mut out: Output, color: bool) -> Result<()> {
    // Written, not printed: a closed pipe (`claimwatch demo | head`) is an error to return, not
    // a panic.
    let stop = CancellationToken::new();
    let mut served = Vec::new();
    let mut sites = Vec::new();
    for (id, name, site) in companies() {
        let site = Arc::new(site);
        let addr = server::start(
            site.clone(),
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            stop.clone(),
        )
        .await
        .context("cannot start a demo site on 127.0.0.1")?;
        writeln!(out, "serving {id:<10} at http://{addr}/")?;
        served.push((id, name, addr));
        sites.push(site);
    }
    let config_path = dir.join("targets.toml");
    let toml = targets_toml(&served);
    std::fs::write(&config_path, &toml).context("cannot write the demo targets.toml")?;
    let config = Config::parse(&toml, &config_path)?;

    let mut last_flags = Vec::new();
    for (round, label) in ["first crawl (September)", "second crawl (November)"]
        .iter()
        .enumerate()
    {
        for site in &sites {
            site.set_version(round);
        }
        writeln!(out, "\n== {label} ==")?;
        let started = Instant::now();
        let report = run::run(
            &config,
            store.clone(),
            RunOptions::default(),
            CancellationToken::new(),
        )
        .await?;
        for t in &report.run.targets {
            writeln!(
                out,
                "{:<10} {:>3} pages {:>3} ok {:>2} robots-blocked {:>2} new bodies {:>2} new flags",
                t.target,
                t.pages,
                t.ok,
                t.robots_blocked,
                t.new_bodies,
                t.new_flags.len()
            )?;
        }
        writeln!(
            out,
            "run {} took {:.2}s",
            report.run.id,
            started.elapsed().as_secs_f64()
        )?;
        if !report.new_flags.is_empty() {
            // As `claimwatch flags` shows them: the flags of each site grouped into its case.
            let mut cases = cases(&store, report.new_flags.clone())?;
            most_severe_then_newest(&mut cases);
            writeln!(out)?;
            write_cases(&mut out, &cases)?;
        }
        last_flags = report.new_flags;
    }

    let about = format!("http://{}/about.html", served[0].2);
    print_diff(&mut out, &store, &config, &about, color)?;
    if let Some(flag) = last_flags.iter().find(|f| f.severity == Severity::High) {
        writeln!(
            out,
            "\n== one flag as screening tools get it (claimwatch flags --format jsonl) =="
        )?;
        writeln!(out, "{}", serde_json::to_string(flag)?)?;
    }
    writeln!(out, "\n== history of {about} ==")?;
    for capture in store.captures_for_url(&about)? {
        writeln!(
            out,
            "{}  capture {:>4}  HTTP {}  {:>5} bytes  sha256 {}",
            capture.captured_at.format("%Y-%m-%dT%H:%M:%SZ"),
            capture.id,
            capture.status.unwrap_or(0),
            capture.size.unwrap_or(0),
            capture.sha256.as_deref().unwrap_or("-"),
        )?;
    }
    let stats = store.stats()?;
    writeln!(
        out,
        "\nstore: {} captures, {} distinct bodies ({} compressed), {} pages",
        stats.captures,
        stats.bodies,
        human_size(stats.body_bytes),
        stats.pages
    )?;
    stop.cancel();
    Ok(())
}

/// The story's key diff: the about page before and after "military, aerospace" went, compared
/// as `claimwatch diff` compares it.
fn print_diff(
    out: &mut impl Write,
    store: &Store,
    config: &Config,
    url: &str,
    color: bool,
) -> Result<()> {
    let Some((old, new)) = pairs_to_show(store, url, None, None)?.pop() else {
        return Ok(());
    };
    let matcher = Matcher::new(&config.manufacturers, &config.rules, &config.disabled_packs)?;
    let mut cache = ClaimCache::new(store, &matcher);
    let (diff, options) = compare(store, &mut cache, &old, &new, color)?;
    writeln!(out, "\n== claimwatch diff {url} ==")?;
    writeln!(
        out,
        "--- capture {} ({})",
        old.id,
        old.captured_at.format("%Y-%m-%dT%H:%M:%SZ")
    )?;
    writeln!(
        out,
        "+++ capture {} ({})",
        new.id,
        new.captured_at.format("%Y-%m-%dT%H:%M:%SZ")
    )?;
    write!(out, "{}", render(&diff, &options))?;
    Ok(())
}
