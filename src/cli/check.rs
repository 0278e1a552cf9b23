//! `claimwatch check`: validate targets.toml and print the plan.

use std::io::Write;

use anyhow::Result;

use super::Cli;
use super::session::Session;
use claimwatch::exit::Exit;

pub fn run(cli: &Cli, s: &mut Session) -> Result<Exit> {
    let config = s.config(cli)?;
    // Buffered: stdout would write each target's lines as they come.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, &mut s.out);
    config.write_plan(|part| out.write_all(part.as_bytes()))?;
    out.flush()?;
    Ok(Exit::Ok)
}
