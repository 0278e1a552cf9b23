//! `claimwatch claims [TARGET]`: the claim inventory, with first and last seen.

use std::io::Write;

use anyhow::{Result, bail};

use super::Cli;
use claimwatch::claims::Matcher;
use claimwatch::detect::ClaimCache;
use claimwatch::detect::inventory::inventory;
use claimwatch::exit::Exit;
use claimwatch::text::terminal_safe;

pub fn run(cli: &Cli, target: Option<&str>, all: bool) -> Result<Exit> {
    let config = cli.load_config()?;
    let store = cli.open_store()?;
    let matcher = Matcher::new(&config.manufacturers, &config.rules, &config.disabled_packs)?;
    let targets: Vec<_> = match target {
        Some(id) => {
            let Some(t) = config.targets.iter().find(|t| t.id == id) else {
                bail!("no target with id {id:?} in {}", config.path.display());
            };
            vec![t]
        }
        None => config.targets.iter().collect(),
    };
    let mut cache = ClaimCache::new(&store, &matcher);
    let mut out = std::io::stdout().lock();
    for target in targets {
        let entries = inventory(&mut cache, &target.id)?;
        let shown: Vec<_> = entries.iter().filter(|e| all || e.current).collect();
        let pages = shown
            .iter()
            .map(|e| e.url.as_str())
            .collect::<std::collections::HashSet<_>>()
            .len();
        writeln!(
            out,
            "{} — {}: {} {}claims on {} pages",
            target.id,
            terminal_safe(&target.name),
            shown.len(),
            if all { "" } else { "current " },
            pages
        )?;
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
            writeln!(
                out,
                "      first seen {}  last seen {}  in {} captures{}",
                entry.first_seen.format("%Y-%m-%dT%H:%M:%SZ"),
                entry.last_seen.format("%Y-%m-%dT%H:%M:%SZ"),
                entry.captures.len(),
                if entry.current {
                    ""
                } else {
                    "  (no longer on the page)"
                }
            )?;
        }
    }
    Ok(Exit::Ok)
}
