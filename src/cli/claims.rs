//! `claimwatch claims [--target ID…]`: the claim inventory, with first and last seen.
//!
//! The claims of a site that no longer answers are not shown as current: what it said when it
//! was last seen is all anyone knows, and since when it has been dark is part of the story.

use std::io::Write;

use anyhow::Result;
use chrono::{DateTime, Utc};

use super::Cli;
use super::session::Session;
use super::summary::health_words;
use super::target_ids::check_known;
use claimwatch::claims::Matcher;
use claimwatch::detect::ClaimCache;
use claimwatch::detect::inventory::inventory;
use claimwatch::exit::Exit;
use claimwatch::store::{SiteHealth, Store};
use claimwatch::text::terminal_safe;

pub fn run(cli: &Cli, s: &mut Session, ids: &[String], all: bool) -> Result<Exit> {
    let config = s.config(cli)?;
    let store = s.reading_store(cli)?;
    check_known(Some(&config), &store, ids)?;
    let matcher = Matcher::new(&config.manufacturers, &config.rules, &config.disabled_packs)?;
    // (id, name): every target of the watch-list, or those asked for (a target taken off the
    // list is shown by its id).
    let targets: Vec<(String, String)> = if ids.is_empty() {
        config
            .targets
            .iter()
            .map(|t| (t.id.clone(), t.name.clone()))
            .collect()
    } else {
        ids.iter()
            .map(|id| {
                let name = config.targets.iter().find(|t| &t.id == id);
                (
                    id.clone(),
                    name.map_or_else(|| id.clone(), |t| t.name.clone()),
                )
            })
            .collect()
    };
    let mut cache = ClaimCache::new(&store, &matcher);
    let out = &mut s.out;
    for (id, name) in targets {
        let entries = inventory(&mut cache, &id)?;
        let dark = unreachable_since(&store, &id)?;
        let shown: Vec<_> = entries.iter().filter(|e| all || e.current).collect();
        let pages = shown
            .iter()
            .map(|e| e.url.as_str())
            .collect::<std::collections::HashSet<_>>()
            .len();
        let (before, after) = match (&dark, all) {
            (_, true) => ("", ""),
            (Some(_), false) => ("", " last seen"),
            (None, false) => ("current ", ""),
        };
        write!(
            out,
            "{id} — {}: {} {before}claims{after} on {pages} pages",
            terminal_safe(&name),
            shown.len()
        )?;
        match &dark {
            Some((since, health)) => writeln!(
                out,
                "; site unreachable since {} ({})",
                since.format("%Y-%m-%dT%H:%M:%SZ"),
                health_words(health)
            )?,
            None => writeln!(out)?,
        }
        for entry in shown {
            let claim = &entry.claim;
            let maker = claim
                .manufacturer
                .as_deref()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default();
            writeln!(
                out,
                "  {:<8} {:<16} {:<7} {:<16} {}{}",
                claim.category,
                claim.rule,
                claim.lang,
                serde_json::to_value(claim.block)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                entry.url,
                maker
            )?;
            writeln!(out, "      \"{}\"", terminal_safe(&claim.text))?;
            let (dark_since, state) = match (&dark, entry.current) {
                (_, false) => (String::new(), "  (no longer on the page)"),
                (Some((since, _)), true) => (
                    format!(
                        ", site unreachable since {}",
                        since.format("%Y-%m-%dT%H:%M:%SZ")
                    ),
                    "",
                ),
                (None, true) => (String::new(), ""),
            };
            writeln!(
                out,
                "      first seen {}  last seen {}{dark_since}  in {} captures{state}",
                entry.first_seen.format("%Y-%m-%dT%H:%M:%SZ"),
                entry.last_seen.format("%Y-%m-%dT%H:%M:%SZ"),
                entry.captures.len(),
            )?;
        }
    }
    Ok(Exit::Ok)
}

/// When the target's site went dark, and how it fails now, if its latest run found it down.
/// Runs in which it only refused us neither start nor end the streak.
fn unreachable_since(store: &Store, target: &str) -> Result<Option<(DateTime<Utc>, SiteHealth)>> {
    let recent = store.recent_health(target)?;
    let Some(latest) = recent.last().filter(|r| r.health.is_down()) else {
        return Ok(None);
    };
    let since = recent
        .iter()
        .rev()
        .take_while(|r| r.health != SiteHealth::Up)
        .filter(|r| r.health.is_down())
        .last()
        .map_or(latest.at, |r| r.at);
    Ok(Some((since, latest.health.clone())))
}
