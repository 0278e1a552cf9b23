//! `claimwatch targets import`: adds the listed entities that have a website to targets.toml,
//! showing the change as a diff, or writing it with `--write`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::Cli;
use super::session::Session;
use claimwatch::exit::Exit;
use claimwatch::import::{self, ImportPlan, ListFormat, ListedEntity};

/// What `claimwatch targets` does.
#[derive(Debug, clap::Subcommand, serde::Serialize, serde::Deserialize)]
pub enum TargetsCommand {
    /// Adds the entities of a sanctions or screening list that have a website as targets:
    /// prints the change to targets.toml as a diff, or makes it with --write. Existing targets
    /// are never changed; an entity already watched (same website host or list reference) is
    /// not added again.
    Import {
        /// The list's format: FollowTheMoney JSON lines (OpenSanctions) or the Consolidated
        /// Screening List CSV.
        #[arg(long = "from", value_enum)]
        from: ListFormat,
        /// The list file.
        file: PathBuf,
        /// Write targets.toml (atomically) instead of printing the diff.
        #[arg(long)]
        write: bool,
    },
}

pub fn run(cli: &Cli, s: &mut Session, command: &TargetsCommand) -> Result<Exit> {
    match command {
        TargetsCommand::Import { from, file, write } => import(cli, s, *from, file, *write),
    }
}

fn import(
    cli: &Cli,
    s: &mut Session,
    format: ListFormat,
    file: &Path,
    write: bool,
) -> Result<Exit> {
    let list = import::read(format, file)?;
    let old_text = match std::fs::read_to_string(&cli.targets) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read {}", cli.targets.display()));
        }
    };
    let plan = import::plan(&old_text, &cli.targets, list, format)?;
    report(&mut s.err, &plan, file, format).context("cannot write the summary")?;
    if plan.added.is_empty() {
        return Ok(Exit::Ok);
    }
    if write {
        write_atomically(&cli.targets, &old_text, &plan.new_text)?;
        writeln!(
            s.err,
            "wrote {} new {} to {}",
            plan.added.len(),
            if plan.added.len() == 1 {
                "target"
            } else {
                "targets"
            },
            cli.targets.display()
        )?;
    } else {
        let label = cli.targets.display().to_string();
        let out = &mut s.out;
        out.write_all(import::unified_diff(&plan.old_text, &plan.new_text, &label).as_bytes())
            .context("cannot write the diff")?;
        out.flush().context("cannot write the diff")?;
    }
    Ok(Exit::Ok)
}

/// The summary, on stderr so that stdout is the diff alone (for `patch`, or a review).
fn report(
    err: &mut dyn Write,
    plan: &ImportPlan,
    file: &Path,
    format: ListFormat,
) -> std::io::Result<()> {
    let parties = plan.added.len() + plan.present.len() + plan.without_website.len();
    writeln!(
        err,
        "{}: {parties} listed parties ({}), {} with a website, {} without; {} other records",
        file.display(),
        format.label(),
        plan.added.len() + plan.present.len(),
        plan.without_website.len(),
        plan.other_records,
    )?;
    writeln!(err, "{} new targets", plan.added.len())?;
    for added in &plan.added {
        writeln!(err, "  + {}  {}", added.id, added.entity.name)?;
    }
    if !plan.present.is_empty() {
        writeln!(err, "{} already watched", plan.present.len())?;
        for p in &plan.present {
            writeln!(err, "  = {}  {} ({})", p.target_id, p.entity.name, p.why)?;
        }
    }
    if !plan.without_website.is_empty() {
        writeln!(
            err,
            "{} without a website, not added",
            plan.without_website.len()
        )?;
        for e in &plan.without_website {
            writeln!(err, "  - {}", without_website(e))?;
        }
    }
    Ok(())
}

/// "Northwind Parts Trading Ltd (Company NK-NoSite; email domain northwind-parts.example)".
fn without_website(e: &ListedEntity) -> String {
    let mut line = format!("{} ({} {}", e.name, e.kind, e.source_id);
    if !e.email_domains.is_empty() {
        line.push_str(&format!("; email domain {}", e.email_domains.join(", ")));
    }
    line.push(')');
    line
}

/// Replaces `path` with `new_text` by renaming a finished file over it, so that a crawl never
/// reads half a watch-list; refuses if the file changed since it was read.
fn write_atomically(path: &Path, old_text: &str, new_text: &str) -> Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    temp.write_all(new_text.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", temp.path().display()))?;
    if let Ok(meta) = std::fs::metadata(path) {
        // The temporary file is private (0600); the watch-list keeps the mode it had.
        std::fs::set_permissions(temp.path(), meta.permissions())
            .with_context(|| format!("cannot set the mode of {}", temp.path().display()))?;
    }
    let now = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    if now != old_text {
        bail!(
            "{} changed while the import ran; nothing was written: run it again",
            path.display()
        );
    }
    temp.persist(path)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}
