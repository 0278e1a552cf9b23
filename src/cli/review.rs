//! `claimwatch review FLAG|CASE --status … [--note TEXT]`: records an investigator's decision on
//! a flag, or on every flag of a case.

use std::io::Write;

use anyhow::{Result, bail};
use chrono::Utc;

use super::Cli;
use super::session::Session;
use claimwatch::cases::cases;
use claimwatch::exit::Exit;
use claimwatch::flags::{Review, ReviewStatus};

pub fn run(
    cli: &Cli,
    s: &mut Session,
    id: &str,
    status: ReviewStatus,
    note: Option<&str>,
) -> Result<Exit> {
    let store = s.existing_store(cli)?;
    let flags = store.flags()?;
    let ids: Vec<String> = if flags.iter().any(|f| f.flag_id == id) {
        vec![id.to_string()]
    } else {
        match cases(&store, flags)?.into_iter().find(|c| c.id == id) {
            Some(case) => case.flags.into_iter().map(|f| f.flag_id).collect(),
            None => bail!(
                "no flag or case {id:?} in {}: `claimwatch flags` lists them with their ids",
                store.path().display()
            ),
        }
    };
    let review = Review {
        status,
        note: note.map(str::to_string),
        reviewed_at: Some(chrono::SubsecRound::trunc_subsecs(Utc::now(), 0)),
    };
    let out = &mut s.out;
    for flag_id in &ids {
        store.set_review(flag_id, review.clone())?;
        writeln!(out, "flag {flag_id}: {}", status.as_str())?;
    }
    store.flush()?;
    Ok(Exit::Ok)
}
