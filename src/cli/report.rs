//! `claimwatch report --out FILE.html [--since TIME] [--target ID]`: one self-contained HTML
//! report of the cases, for a case file.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use super::Cli;
use super::session::Session;
use claimwatch::exit::Exit;
use claimwatch::flags::filter::FlagFilter;
use claimwatch::report::report;

pub fn run(
    cli: &Cli,
    s: &mut Session,
    out: &Path,
    since: Option<DateTime<Utc>>,
    targets: &[String],
) -> Result<Exit> {
    let config = s.config(cli)?;
    let store = s.reading_store(cli)?;
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
    write_whole(&s.path(out), out, made.html.as_bytes())?;
    writeln!(
        s.out,
        "wrote {}: {} cases, {} flags",
        out.display(),
        made.cases,
        made.flags
    )?;
    Ok(Exit::Ok)
}

/// Writes beside the destination and renames, so a reader never sees half a report. `shown` is
/// the destination as the user named it.
fn write_whole(out: &Path, shown: &Path, bytes: &[u8]) -> Result<()> {
    let parent = |path: &'_ Path| match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    let mut file = tempfile::NamedTempFile::new_in(parent(out))
        .with_context(|| format!("cannot write in {}", parent(shown).display()))?;
    file.write_all(bytes)
        .and_then(|()| file.flush())
        .with_context(|| format!("cannot write {}", shown.display()))?;
    file.persist(out)
        .with_context(|| format!("cannot write {}", shown.display()))?;
    Ok(())
}
