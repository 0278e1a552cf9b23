//! `claimwatch flags`: the flags, for people (default) or for tools (jsonl, csv, ftm).

use std::io::Write;

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};

use super::Cli;
use super::target_ids::check_known;
use claimwatch::exit::Exit;
use claimwatch::flags::Flag;
use claimwatch::flags::export::{self, Format};
use claimwatch::flags::show::{one_line, why_line};

/// Filters of `claimwatch flags`.
#[derive(Debug, Clone, Default, clap::Args)]
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
    /// Output format for tools; without it, one readable line a flag.
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

pub fn run(cli: &Cli, args: &FlagsArgs) -> Result<Exit> {
    // `--new` marks what it prints, so it needs a store it may write; reading alone does not.
    let store = if args.new {
        cli.existing_store()?
    } else {
        cli.reading_store()?
    };
    if !args.target_ids.is_empty() {
        // The watch-list only helps to name the targets: flags are read without it.
        let config = cli.load_config().ok();
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
    let mut out = std::io::stdout().lock();
    match args.format {
        Some(Format::Ftm) => {
            super::flags_ftm::write(cli, &store, &flags, args.delta, &mut out)?;
            Ok(())
        }
        Some(format) => export::write(format, &flags, &mut out),
        None => most_severe_then_newest(&mut flags)
            .iter()
            .try_for_each(|f| {
                writeln!(
                    out,
                    "{}  {}",
                    f.detected_at.format("%Y-%m-%dT%H:%M:%SZ"),
                    one_line(f)
                )?;
                match why_line(f) {
                    Some(why) => writeln!(out, "{why}"),
                    None => Ok(()),
                }
            }),
    }
    .context("cannot write the flags")?;
    out.flush().context("cannot write the flags")?;
    if args.new {
        let ids: Vec<&str> = flags.iter().map(|f| f.flag_id.as_str()).collect();
        store.mark_printed(&ids)?;
    }
    Ok(Exit::Ok)
}

/// Readable flags: the most severe first, and among equals the newest, so the flags that matter
/// most are at the top of a long list. Tools (`--format`) get the store's order.
fn most_severe_then_newest(flags: &mut [Flag]) -> &[Flag] {
    flags.sort_by(|a, b| {
        (b.severity, b.detected_at, &a.flag_id).cmp(&(a.severity, a.detected_at, &b.flag_id))
    });
    flags
}
