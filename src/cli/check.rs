//! `claimwatch check`: validate targets.toml and print the plan.

use anyhow::Result;

use super::Cli;
use claimwatch::exit::Exit;

pub fn run(cli: &Cli) -> Result<Exit> {
    let config = cli.load_config()?;
    print!("{}", config.describe_plan());
    Ok(Exit::Ok)
}
