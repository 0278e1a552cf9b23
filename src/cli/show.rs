//! `claimwatch show CAPTURE`: one capture's record and its extracted text, block by block.

use std::io::Write;

use anyhow::{Result, bail};

use super::Cli;
use super::session::Session;
use claimwatch::claims::Matcher;
use claimwatch::exit::Exit;
use claimwatch::show::capture;
use claimwatch::text::terminal_safe;

pub fn run(cli: &Cli, s: &mut Session, id: u64) -> Result<Exit> {
    let config = s.config(cli)?;
    let store = s.reading_store(cli)?;
    let matcher = Matcher::new(&config.manufacturers, &config.rules, &config.disabled_packs)?;
    let Some(view) = capture(&store, &matcher, id)? else {
        bail!(
            "no capture {id} in {}: `claimwatch history TARGET` lists a target's captures",
            store.path().display()
        );
    };
    let out = &mut s.out;
    for (label, value) in &view.fields {
        writeln!(out, "{label:<13} {}", terminal_safe(value))?;
    }
    if view.blocks.is_empty() {
        writeln!(out, "\nno extracted text (not a good HTML capture)")?;
        return Ok(Exit::Ok);
    }
    writeln!(
        out,
        "\ntext, block by block (◀ marks claims; [t] template: navigation, header, footer, sidebar):"
    )?;
    for block in &view.blocks {
        let place = if block.boilerplate { "[t] " } else { "" };
        let claims = if block.claims.is_empty() {
            String::new()
        } else {
            format!("  ◀ claim ({})", block.claims.join(", "))
        };
        writeln!(
            out,
            "  {place}{}: {}{claims}",
            block.kind,
            terminal_safe(&block.text)
        )?;
    }
    Ok(Exit::Ok)
}
