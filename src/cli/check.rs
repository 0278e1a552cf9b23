//! `claimwatch check`: validate targets.toml and print the plan.

use std::io::Write;

use anyhow::Result;

use super::Cli;
use super::session::Session;
use claimwatch::exit::Exit;

pub fn run(cli: &Cli, s: &mut Session) -> Result<Exit> {
    let config = s.config(cli)?;
    write!(s.out, "{}", config.describe_plan())?;
    Ok(Exit::Ok)
}
