//! `claimwatch flags --format ftm` with what the watch-list and the store know, and `--delta`:
//! only what the last crawl added, for incremental loads into yente or Aleph.

use std::collections::HashSet;
use std::io::Write;

use anyhow::Result;

use super::Cli;
use claimwatch::flags::Flag;
use claimwatch::flags::ftm::{self, Context};
use claimwatch::store::Store;

/// The ids of the flags the last crawl raised.
pub fn last_run_flags(store: &Store) -> Result<HashSet<String>> {
    let runs = store.runs()?;
    Ok(runs
        .last()
        .into_iter()
        .flat_map(|run| &run.targets)
        .flat_map(|counts| counts.new_flags.iter().cloned())
        .collect())
}

/// Writes `flags` as FtM entities; with `delta`, only those the last crawl's flags add.
pub fn write(
    cli: &Cli,
    store: &Store,
    flags: &[Flag],
    delta: bool,
    out: &mut dyn Write,
) -> Result<()> {
    // The companies carry what targets.toml says of them; a file that cannot be read costs
    // that, not the export of flags already raised.
    let targets = match cli.load_config() {
        Ok(config) => config.targets,
        Err(e) => {
            eprintln!("claimwatch: {e:#}; companies carry only what the flags hold");
            Vec::new()
        }
    };
    let context = Context {
        targets: &targets,
        evidence: store,
    };
    if delta {
        ftm::write_delta(flags, &last_run_flags(store)?, &context, out)?;
    } else {
        ftm::write(flags, &context, out)?;
    }
    Ok(())
}
