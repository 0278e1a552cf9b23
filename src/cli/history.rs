//! `claimwatch history TARGET|URL`: the captures of a target or of one URL, oldest first.

use std::io::Write;

use anyhow::{Result, bail};

use super::Cli;
use super::session::Session;
use super::target_ids::check_target_or_url;
use claimwatch::config::human_size;
use claimwatch::crawl::canonical::canonical_str;
use claimwatch::exit::Exit;
use claimwatch::store::CaptureRecord;

pub fn run(cli: &Cli, s: &mut Session, what: &str) -> Result<Exit> {
    let store = s.reading_store(cli)?;
    check_target_or_url(s.config(cli).ok().as_ref(), &store, what)?;
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
    let out = &mut s.out;
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

fn row(capture: &CaptureRecord) -> String {
    let mut row = format!(
        "{:<20}  {:>8}  {:<14}  {:>10}  {:<64}  {}",
        capture.captured_at.format("%Y-%m-%dT%H:%M:%SZ"),
        capture.id,
        capture.status_word(),
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
