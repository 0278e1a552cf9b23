//! `claimwatch export warc|case`: evidence out of the store, as WARC files, or as the bundle an
//! investigator hands over for one change.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use chrono::{DateTime, Utc};

use super::Cli;
use super::session::Session;
use claimwatch::exit::Exit;
use claimwatch::export::case::{CaseOptions, export_case};
use claimwatch::export::prepare_dir;
use claimwatch::export::warc::{self, DEFAULT_MAX_SIZE, WarcOptions};

/// What to export.
#[derive(Debug, clap::Subcommand, serde::Serialize, serde::Deserialize)]
pub enum ExportCommand {
    /// Captures as WARC 1.1 files (one gzip member per record), and each flag as a metadata
    /// record naming its captures' records.
    Warc {
        /// The directory to write into (created if missing; must hold no files).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Only captures and flags of this target (repeatable).
        #[arg(long = "target", value_name = "ID")]
        target_ids: Vec<String>,
        /// Only captures made, and flags detected, at or after TIME: RFC 3339, a date
        /// (2026-11-01), or an age (7d).
        #[arg(long, value_name = "TIME", value_parser = super::parse_time_now)]
        since: Option<DateTime<Utc>>,
        /// Close a WARC file and begin the next once it reaches SIZE (e.g. 1GB, 100MiB).
        #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value_t = DEFAULT_MAX_SIZE)]
        max_size: u64,
    },
    /// What an investigator hands over for one change: the WARC of the captures involved, the
    /// flags as JSON, the before/after diff as one HTML page, and a SHA-256 manifest.
    Case {
        /// A case id (from the desk or the report) or a flag id.
        id: String,
        /// The directory to write into (created if missing; must hold no files).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

fn parse_size(text: &str) -> Result<u64, String> {
    claimwatch::config::parse_size(text, u64::MAX)
}

pub fn run(cli: &Cli, s: &mut Session, command: &ExportCommand) -> Result<Exit> {
    match command {
        ExportCommand::Warc {
            out,
            target_ids,
            since,
            max_size,
        } => warc_files(cli, s, out, target_ids, *since, *max_size),
        ExportCommand::Case { id, out } => case(cli, s, id, out),
    }
}

fn warc_files(
    cli: &Cli,
    s: &mut Session,
    shown: &Path,
    target_ids: &[String],
    since: Option<DateTime<Utc>>,
    max_size: u64,
) -> Result<Exit> {
    let store = s.reading_store(cli)?;
    super::target_ids::check_known(s.config(cli).ok().as_ref(), &store, target_ids)?;
    // Relative to where the command was started, whichever process carries it out.
    let out = &s.path(shown);
    prepare_dir(out)?;
    let now = Utc::now();
    let mut info = vec![(
        "description".to_string(),
        format!(
            "captures of the claimwatch store {}",
            store.path().display()
        ),
    )];
    if !target_ids.is_empty() {
        info.push(("selection-targets".into(), target_ids.join(", ")));
    }
    if let Some(since) = since {
        info.push(("selection-since".into(), warc::record::warc_date(since)));
    }
    if let Some(head) = store.custody_head()? {
        info.push(("custody-head".into(), format!("{} {}", head.seq, head.hash)));
    }
    let options = WarcOptions {
        prefix: format!("claimwatch-{}", now.format("%Y%m%d%H%M%S")),
        max_size,
        exported_at: now,
        info,
    };
    let in_selection = |target: &str, at: DateTime<Utc>| {
        (target_ids.is_empty() || target_ids.iter().any(|t| t == target))
            && since.is_none_or(|since| at >= since)
    };
    let captures = store.all_captures().filter(|capture| match capture {
        Ok(capture) => in_selection(&capture.target, capture.captured_at),
        Err(_) => true,
    });
    let flags: Vec<_> = store
        .flags()?
        .into_iter()
        .filter(|flag| in_selection(&flag.target.id, flag.detected_at))
        .collect();
    let exported = warc::export(&store, out, &options, captures, &flags)?;
    let stdout = &mut s.out;
    for file in &exported.files {
        writeln!(
            stdout,
            "{}  {}",
            file.sha256,
            shown.join(&file.name).display()
        )?;
    }
    writeln!(
        stdout,
        "wrote {} WARC files: {} captures ({} responses, {} revisits, {} requests), {} flags{}",
        exported.files.len(),
        exported.captures.len(),
        exported.responses,
        exported.revisits,
        exported.requests,
        exported.flags.len(),
        match exported.older_captures {
            0 => String::new(),
            n => format!(
                "; {n} captures were made before claimwatch kept requests, TLS and the tool: \
                 their metadata records say what is known"
            ),
        }
    )?;
    Ok(Exit::Ok)
}

fn case(cli: &Cli, s: &mut Session, id: &str, shown: &Path) -> Result<Exit> {
    let config = s.config(cli)?;
    let store = s.reading_store(cli)?;
    let out = &s.path(shown);
    let bundle = export_case(&store, &config, id, out, &CaseOptions { now: Utc::now() })?;
    let stdout = &mut s.out;
    for (name, sha256) in &bundle.files {
        writeln!(stdout, "{sha256}  {}", shown.join(name).display())?;
    }
    writeln!(
        stdout,
        "wrote case {} to {}: {} flags, {} captures; {} lists every file's SHA-256 \
         (`sha256sum -c` checks it)",
        bundle.case_id,
        shown.display(),
        bundle.flags,
        bundle.captures,
        bundle.manifest
    )?;
    Ok(Exit::Ok)
}
