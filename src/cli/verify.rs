//! `claimwatch verify [--head HASH]`: checks the whole store (bodies and documents re-hashed,
//! every reference, the custody log) and prints each problem; exits 2 if there is any.

use std::io::Write;

use anyhow::Result;

use super::Cli;
use super::session::Session;
use claimwatch::exit::Exit;

pub fn run(cli: &Cli, s: &mut Session, recorded_head: Option<&str>) -> Result<Exit> {
    let store = s.reading_store(cli)?;
    let report = store.check_integrity(recorded_head)?;
    let out = &mut s.out;
    for problem in &report.problems {
        writeln!(out, "PROBLEM {problem}")?;
    }
    writeln!(
        out,
        "checked {} bodies, {} documents, {} captures, {} flags, {} custody entries: {}",
        report.bodies,
        report.documents,
        report.captures,
        report.flags,
        report.custody_entries,
        match report.problems.len() {
            0 => "no problem".to_string(),
            1 => "1 problem".to_string(),
            n => format!("{n} problems"),
        }
    )?;
    match (&report.head, report.not_logged_yet) {
        (Some(head), _) => writeln!(out, "custody head: entry {} {}", head.seq, head.hash)?,
        (None, true) => writeln!(
            out,
            "custody log: none yet (the store was written before claimwatch kept one; its next \
             crawl enters every record)"
        )?,
        (None, false) => writeln!(out, "custody log: empty (nothing stored yet)")?,
    }
    Ok(if report.problems.is_empty() {
        Exit::Ok
    } else {
        Exit::Failed
    })
}
