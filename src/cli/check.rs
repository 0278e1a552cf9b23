//! `claimwatch check`: validate targets.toml and print the plan.

use std::io::Write;

use anyhow::Result;

use super::Cli;
use claimwatch::exit::Exit;

pub fn run(cli: &Cli) -> Result<Exit> {
    let config = cli.load_config()?;
    write!(std::io::stdout(), "{}", config.describe_plan())?;
    Ok(Exit::Ok)
}
