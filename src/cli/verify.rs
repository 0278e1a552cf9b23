//! `claimwatch verify`: re-hash every stored body and report any that does not match.

use std::io::Write;

use anyhow::Result;

use super::Cli;
use super::session::Session;
use claimwatch::exit::Exit;

pub fn run(cli: &Cli, s: &mut Session) -> Result<Exit> {
    let store = s.existing_store(cli)?;
    let stats = store.stats()?;
    let bad = store.verify_bodies()?;
    let out = &mut s.out;
    for digest in &bad {
        writeln!(out, "MISMATCH body {digest}")?;
    }
    writeln!(
        out,
        "{} bodies checked, {} mismatched ({} captures)",
        stats.bodies,
        bad.len(),
        stats.captures
    )?;
    Ok(if bad.is_empty() {
        Exit::Ok
    } else {
        Exit::Failed
    })
}
