//! `claimwatch history TARGET|URL`: the captures of a target or of one URL, oldest first.

use std::io::Write;

use anyhow::{Result, bail};

use super::Cli;
use claimwatch::config::human_size;
use claimwatch::crawl::canonical::canonical_str;
use claimwatch::exit::Exit;
use claimwatch::store::{CaptureRecord, Outcome};

pub fn run(cli: &Cli, what: &str) -> Result<Exit> {
    let store = cli.open_store()?;
    let mut captures = store.captures_for_target(what)?;
    if captures.is_empty()
        && let Some(url) = canonical_str(what)
    {
        captures = store.captures_for_url(url.as_str())?;
    }
    if captures.is_empty() {
        bail!(
            "no captures for {what:?} in {}: give a target id or a captured URL",
            store.path().display()
        );
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<20}  {:>8}  {:<14}  {:>10}  {:<64}  URL",
        "CAPTURED (UTC)", "ID", "STATUS", "SIZE", "SHA-256"
    )?;
    for capture in &captures {
        writeln!(out, "{}", row(capture))?;
    }
    Ok(Exit::Ok)
}

fn status(capture: &CaptureRecord) -> String {
    let code = capture.status.map(|s| s.to_string()).unwrap_or_default();
    match capture.outcome {
        Outcome::Ok if capture.truncated => format!("{code} cut"),
        Outcome::Ok => code,
        Outcome::HttpStatus => format!("{code} http"),
        Outcome::Failed => "failed".into(),
        Outcome::RobotsBlocked => "robots".into(),
        Outcome::Refused => "refused".into(),
        Outcome::Blocked => format!("{code} blocked"),
    }
}

fn row(capture: &CaptureRecord) -> String {
    let mut row = format!(
        "{:<20}  {:>8}  {:<14}  {:>10}  {:<64}  {}",
        capture.captured_at.format("%Y-%m-%dT%H:%M:%SZ"),
        capture.id,
        status(capture),
        capture.size.map(human_size).unwrap_or_else(|| "-".into()),
        capture.sha256.as_deref().unwrap_or("-"),
        capture.url,
    );
    if capture.final_url != capture.url {
        row.push_str(&format!(" -> {}", capture.final_url));
    }
    if let Some(error) = &capture.error {
        row.push_str(&format!("  ({error})"));
    }
    row
}
