//! `claimwatch diff TARGET|URL [--from CAPTURE] [--to CAPTURE]`: what changed in the visible
//! text between two good captures, claims highlighted.

use std::io::Write;

use anyhow::{Result, bail};

use super::Cli;
use super::session::Session;
use super::target_ids::check_target_or_url;
use claimwatch::claims::Matcher;
use claimwatch::crawl::canonical::canonical_str;
use claimwatch::detect::ClaimCache;
use claimwatch::diff::{DiffOptions, TextDiff, diff_lines, document_lines, render};
use claimwatch::exit::Exit;
use claimwatch::flags::show::{one_line, why_line};
use claimwatch::store::{CaptureRecord, Store};

pub fn run(
    cli: &Cli,
    s: &mut Session,
    what: &str,
    from: Option<u64>,
    to: Option<u64>,
) -> Result<Exit> {
    let config = s.config(cli)?;
    let store = s.reading_store(cli)?;
    check_target_or_url(Some(&config), &store, what)?;
    let matcher = Matcher::new(&config.manufacturers, &config.rules, &config.disabled_packs)?;
    let mut cache = ClaimCache::new(&store, &matcher);
    let color = s.color();

    let pairs = pairs_to_show(&store, what, from, to)?;
    let out = &mut s.out;
    if pairs.is_empty() {
        writeln!(
            out,
            "no page of {what} changed between its last two good captures"
        )?;
        return Ok(Exit::Ok);
    }
    let flags = store.flags()?;
    let several = pairs.len() > 1;
    for (old, new) in pairs {
        let (diff, options) = compare(&store, &mut cache, &old, &new, color)?;
        if several && !diff.changed {
            continue; // the bytes changed, the visible text did not
        }
        writeln!(
            out,
            "--- {}  capture {}  {}  sha256 {}",
            old.url,
            old.id,
            old.captured_at.format("%Y-%m-%dT%H:%M:%SZ"),
            old.sha256.as_deref().unwrap_or("-")
        )?;
        writeln!(
            out,
            "+++ {}  capture {}  {}  sha256 {}",
            new.url,
            new.id,
            new.captured_at.format("%Y-%m-%dT%H:%M:%SZ"),
            new.sha256.as_deref().unwrap_or("-")
        )?;
        write!(out, "{}", render(&diff, &options))?;
        let new_id = new.id.to_string();
        for flag in flags
            .iter()
            .filter(|f| f.url == new.url && f.after.capture_id == new_id)
        {
            writeln!(out, "flag: {}", one_line(flag))?;
            if let Some(why) = why_line(flag) {
                writeln!(out, "{why}")?;
            }
        }
        writeln!(out)?;
    }
    Ok(Exit::Ok)
}

/// The visible text of two captures compared line by line, the claims of both highlighted.
/// Returns the diff and the options [`render`] shows it with.
pub(super) fn compare(
    store: &Store,
    cache: &mut ClaimCache<'_>,
    old: &CaptureRecord,
    new: &CaptureRecord,
    color: bool,
) -> Result<(TextDiff, DiffOptions)> {
    let (Some(old_doc), Some(new_doc)) = (store.document_of(old)?, store.document_of(new)?) else {
        bail!(
            "captures {} and {} have no extracted text to compare",
            old.id,
            new.id
        );
    };
    let mut highlight: Vec<String> = Vec::new();
    for id in [old.id, new.id] {
        highlight.extend(cache.of_id(id)?.claims.iter().map(|c| c.text.clone()));
    }
    let options = DiffOptions {
        color,
        highlight,
        ..DiffOptions::default()
    };
    let diff = diff_lines(
        &document_lines(&old_doc),
        &document_lines(&new_doc),
        &options,
    );
    Ok((diff, options))
}

/// Which captures to compare: the ones named, or for a URL its last two good captures, or for a
/// target every page whose last two good captures differ.
pub(super) fn pairs_to_show(
    store: &Store,
    what: &str,
    from: Option<u64>,
    to: Option<u64>,
) -> Result<Vec<(CaptureRecord, CaptureRecord)>> {
    let by_target = store.captures_for_target(what)?;
    let urls: Vec<String> = if !by_target.is_empty() {
        let mut urls: Vec<String> = by_target.iter().map(|c| c.url.clone()).collect();
        urls.sort();
        urls.dedup();
        urls
    } else if let Some(url) = canonical_str(what) {
        vec![url.to_string()]
    } else {
        bail!("{what:?} is neither a target with captures nor a URL");
    };
    let single = urls.len() == 1;
    let mut pairs = Vec::new();
    for url in urls {
        let good: Vec<CaptureRecord> = store
            .captures_for_url(&url)?
            .into_iter()
            .filter(|c| c.is_good() && c.has_document)
            .filter(|c| by_target.is_empty() || c.target == what)
            .collect();
        let pick = |id: Option<u64>,
                    default: Option<&CaptureRecord>|
         -> Result<Option<CaptureRecord>> {
            match id {
                Some(id) => match good.iter().find(|c| c.id == id) {
                    Some(c) => Ok(Some(c.clone())),
                    None if single => bail!(
                        "capture {id} is not a good capture of {what}: see `claimwatch history {what}`"
                    ),
                    None => Ok(None),
                },
                None => Ok(default.cloned()),
            }
        };
        let new = pick(to, good.last())?;
        // By default, the latest capture whose text could differ: an unchanged re-capture is
        // not what anyone asks a diff for.
        let default_old = new.as_ref().and_then(|new| {
            let earlier: Vec<&CaptureRecord> = good.iter().filter(|c| c.id < new.id).collect();
            earlier
                .iter()
                .rev()
                .find(|c| c.sha256 != new.sha256)
                .or(earlier.last())
                .copied()
        });
        let old = pick(from, default_old)?;
        if let (Some(old), Some(new)) = (old, new)
            && (old.sha256 != new.sha256 || single)
        {
            pairs.push((old, new));
        }
    }
    Ok(pairs)
}
