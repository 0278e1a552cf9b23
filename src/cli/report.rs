//! `claimwatch report --out FILE.html [--since TIME] [--target ID]`: one self-contained HTML
//! report of the cases, for a case file.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use super::Cli;
use claimwatch::exit::Exit;
use claimwatch::flags::filter::FlagFilter;
use claimwatch::report::report;

pub fn run(
    cli: &Cli,
    out: &Path,
    since: Option<DateTime<Utc>>,
    targets: &[String],
) -> Result<Exit> {
    let config = cli.load_config()?;
    let store = cli.existing_store()?;
    super::target_ids::check_known(Some(&config), &store, targets)?;
    let filter = FlagFilter {
        since,
        targets: targets.to_vec(),
        ..FlagFilter::default()
    };
    let mut said = Vec::new();
    if let Some(since) = since {
        said.push(format!(
            "detected since {}",
            since.format("%Y-%m-%d %H:%M UTC")
        ));
    }
    if !targets.is_empty() {
        said.push(format!("targets {}", targets.join(", ")));
    }
    let made = report(&store, &config, &filter, &said.join("; "), Utc::now())?;
    write_whole(out, made.html.as_bytes())?;
    println!(
        "wrote {}: {} cases, {} flags",
        out.display(),
        made.cases,
        made.flags
    );
    Ok(Exit::Ok)
}

/// Writes beside the destination and renames, so a reader never sees half a report.
fn write_whole(out: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match out.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.flush())
        .with_context(|| format!("cannot write {}", out.display()))?;
    file.persist(out)
        .with_context(|| format!("cannot write {}", out.display()))?;
    Ok(())
}
