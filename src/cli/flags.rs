//! `claimwatch flags`: the flags, for people as cases (default) or for tools one a line (jsonl,
//! csv, ftm).

use std::io::Write;

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};

use super::Cli;
use super::case_view::{most_severe_then_newest, write_cases};
use super::session::Session;
use super::target_ids::check_known;
use claimwatch::cases::cases;
use claimwatch::exit::Exit;
use claimwatch::flags::export::{self, Format};

/// Filters of `claimwatch flags`.
#[derive(Debug, Clone, Default, clap::Args, serde::Serialize, serde::Deserialize)]
pub struct FlagsArgs {
    /// Only flags not yet printed by an earlier `flags --new`; marks them printed.
    #[arg(long)]
    pub new: bool,
    /// Only flags detected at or after TIME: RFC 3339, a date (2026-11-01), or an age (7d, 12h).
    #[arg(long, value_name = "TIME", value_parser = parse_since)]
    pub since: Option<DateTime<Utc>>,
    /// Only flags of this target (repeatable).
    #[arg(long = "target", value_name = "ID")]
    pub target_ids: Vec<String>,
    /// Output format for tools, one flag a line; without it, the flags grouped into cases.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Only what the last crawl added: its flags; with --format ftm, the entities they add to
    /// those of earlier flags (for incremental loads).
    #[arg(long)]
    pub delta: bool,
}

fn parse_since(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists on every date")
            .and_utc());
    }
    if let Ok(age) = humantime::parse_duration(text) {
        let age = chrono::Duration::from_std(age).map_err(|e| e.to_string())?;
        return Ok(Utc::now() - age);
    }
    Err(format!(
        "{text:?} is not a time: use RFC 3339 (2026-11-28T02:00:00Z), a date (2026-11-28) or an age (7d)"
    ))
}

pub fn run(cli: &Cli, s: &mut Session, args: &FlagsArgs) -> Result<Exit> {
    // `--new` marks what it prints, so it needs a store it may write; reading alone does not.
    let store = if args.new {
        s.existing_store(cli)?
    } else {
        s.reading_store(cli)?
    };
    if !args.target_ids.is_empty() {
        // The watch-list only helps to name the targets: flags are read without it.
        let config = s.config(cli).ok();
        check_known(config.as_ref(), &store, &args.target_ids)?;
    }
    // FtM's delta needs the earlier flags too, to leave out what they already brought.
    let last_run = if args.delta && args.format != Some(Format::Ftm) {
        Some(super::flags_ftm::last_run_flags(&store)?)
    } else {
        None
    };
    let mut flags = Vec::new();
    for flag in store.flags()? {
        if args.since.is_some_and(|since| flag.detected_at < since) {
            continue;
        }
        if !args.target_ids.is_empty() && !args.target_ids.contains(&flag.target.id) {
            continue;
        }
        if args.new && store.was_printed(&flag.flag_id)? {
            continue;
        }
        if last_run
            .as_ref()
            .is_some_and(|ids| !ids.contains(&flag.flag_id))
        {
            continue;
        }
        flags.push(flag);
    }
    let ids: Vec<String> = flags.iter().map(|f| f.flag_id.clone()).collect();
    // FtM companies carry what targets.toml says of them; a file that cannot be read costs
    // that, not the export of flags already raised.
    let ftm_targets = match (args.format, s.config(cli)) {
        (Some(Format::Ftm), Ok(config)) => config.targets,
        (Some(Format::Ftm), Err(e)) => {
            writeln!(
                s.err,
                "claimwatch: {e:#}; companies carry only what the flags hold"
            )?;
            Vec::new()
        }
        _ => Vec::new(),
    };
    let out = &mut s.out;
    match args.format {
        Some(Format::Ftm) => {
            super::flags_ftm::write(&ftm_targets, &store, &flags, args.delta, out)?;
            Ok(())
        }
        Some(format) => export::write(format, &flags, out),
        None => {
            let mut cases = cases(&store, flags)?;
            most_severe_then_newest(&mut cases);
            write_cases(out, &cases)
        }
    }
    .context("cannot write the flags")?;
    out.flush().context("cannot write the flags")?;
    if args.new {
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        store.mark_printed(&ids)?;
    }
    Ok(Exit::Ok)
}
