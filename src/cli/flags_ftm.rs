//! `claimwatch flags --format ftm` with what the watch-list and the store know, and `--delta`:
//! only what the last crawl added, for incremental loads into yente or Aleph.

use std::collections::HashSet;
use std::io::Write;

use anyhow::Result;

use claimwatch::config::Target;
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

/// Writes `flags` as FtM entities, companies with what `targets` say of them; with `delta`,
/// only those the last crawl's flags add.
pub fn write(
    targets: &[Target],
    store: &Store,
    flags: &[Flag],
    delta: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let context = Context {
        targets,
        evidence: store,
    };
    if delta {
        ftm::write_delta(flags, &last_run_flags(store)?, &context, out)?;
    } else {
        ftm::write(flags, &context, out)?;
    }
    Ok(())
}
