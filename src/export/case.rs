//! `claimwatch export case`: what an investigator hands over for one change, in one directory.
//!
//! | file | holds |
//! |---|---|
//! | `case-ID-00000.warc.gz` (and on) | the captures the flags stand on, and the flags, as WARC (see [`super::warc`]) |
//! | `flags.jsonl` | the flags, exactly as `claimwatch flags --format jsonl` prints them |
//! | `records.json` | for each flag, its captures and where their WARC records are: record ids, file, offset |
//! | `diff.html` | the case as `claimwatch report` draws it: each flag's claim before and after, and the visible-text diff of each page; self-contained |
//! | `manifest-sha256.txt` | the SHA-256 of every other file, as `sha256sum -c` checks it |

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::ExportError;
use super::manifest::{file_sha256, manifest_text};
use super::warc::{self, CaptureRecords, DEFAULT_MAX_SIZE, Location, WarcOptions};
use crate::cases::cases;
use crate::config::Config;
use crate::flags::Flag;
use crate::flags::export::write_jsonl;
use crate::report::report_of;
use crate::store::Store;

/// The manifest's file name.
pub const MANIFEST: &str = "manifest-sha256.txt";

/// How to make the bundle.
#[derive(Debug, Clone)]
pub struct CaseOptions {
    pub now: DateTime<Utc>,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct CaseBundle {
    /// The case the flags belong to.
    pub case_id: String,
    /// Every file but the manifest, with its hex SHA-256, by name.
    pub files: Vec<(String, String)>,
    pub flags: usize,
    pub captures: usize,
    pub manifest: String,
}

/// Writes the bundle of the case or flag `id` into `out`, a new or empty directory (made once
/// the id is found).
pub fn export_case(
    store: &Store,
    config: &Config,
    id: &str,
    out: &Path,
    options: &CaseOptions,
) -> Result<CaseBundle, ExportError> {
    let all = store.flags()?;
    let flags: Vec<Flag> = match all.iter().find(|flag| flag.flag_id == id) {
        Some(flag) => vec![flag.clone()],
        None => cases(store, all)?
            .into_iter()
            .find(|case| case.id == id)
            .map(|case| case.flags)
            .ok_or_else(|| ExportError::UnknownCase(id.to_string()))?,
    };
    let case = cases(store, flags.clone())?
        .into_iter()
        .next()
        .ok_or_else(|| ExportError::UnknownCase(id.to_string()))?;
    super::prepare_dir(out)?;
    let mut capture_ids: Vec<u64> = flags
        .iter()
        .flat_map(|flag| flag.before.iter().chain(std::iter::once(&flag.after)))
        .filter_map(|capture| capture.capture_id.parse().ok())
        .collect();
    capture_ids.sort_unstable();
    capture_ids.dedup();
    let captures = capture_ids
        .iter()
        .filter_map(|id| store.capture(*id).transpose())
        .collect::<Vec<_>>();

    let short: String = id.chars().take(12).collect();
    let mut info = vec![
        (
            "description".to_string(),
            format!("case bundle of {} ({})", case.summary, case.id),
        ),
        ("case".to_string(), case.id.clone()),
    ];
    if let Some(head) = store.custody_head()? {
        info.push(("custody-head".into(), format!("{} {}", head.seq, head.hash)));
    }
    let warc_options = WarcOptions {
        prefix: format!("case-{short}"),
        max_size: DEFAULT_MAX_SIZE,
        exported_at: options.now,
        info,
    };
    let exported = warc::export(store, out, &warc_options, captures, &flags)?;
    let mut files: Vec<(String, String)> = exported
        .files
        .iter()
        .map(|file| (file.name.clone(), file.sha256.clone()))
        .collect();

    let mut jsonl = Vec::new();
    write_jsonl(&flags, &mut jsonl).map_err(ExportError::io(&out.join("flags.jsonl")))?;
    write_new(out, "flags.jsonl", &jsonl, &mut files)?;

    let records: Vec<_> = flags
        .iter()
        .map(|flag| {
            let side = |capture_id: &str| {
                let records = capture_id
                    .parse::<u64>()
                    .ok()
                    .and_then(|id| exported.captures.get(&id));
                json!({"capture_id": capture_id, "records": records.map(records_json)})
            };
            json!({
                "flag_id": flag.flag_id,
                "metadata_record": exported.flags.get(&flag.flag_id).map(|(id, at)| located(id, at)),
                "before": flag.before.as_ref().map(|c| side(&c.capture_id)),
                "after": side(&flag.after.capture_id),
            })
        })
        .collect();
    let records = serde_json::to_vec_pretty(&json!({"case": case.id, "flags": records}))
        .expect("a JSON value always serialises");
    write_new(out, "records.json", &records, &mut files)?;

    let what = if flags.len() == 1 && flags[0].flag_id == id {
        format!("flag {id} of case {}", case.id)
    } else {
        format!("case {}", case.id)
    };
    let report = report_of(store, config, flags.clone(), &what, options.now)?;
    write_new(out, "diff.html", report.html.as_bytes(), &mut files)?;

    files.sort();
    let manifest = manifest_text(&files);
    let mut ignored = Vec::new();
    write_new(out, MANIFEST, manifest.as_bytes(), &mut ignored)?;
    Ok(CaseBundle {
        case_id: case.id,
        files,
        flags: flags.len(),
        captures: capture_ids.len(),
        manifest: MANIFEST.to_string(),
    })
}

/// A capture's records as `records.json` lists them.
fn records_json(records: &CaptureRecords) -> serde_json::Value {
    json!({
        "request": records.request.as_ref().map(|(id, at)| located(id, at)),
        "main": records.main.as_ref().map(|(kind, id, at)| {
            let mut value = located(id, at);
            value["type"] = json!(kind.as_str());
            value
        }),
        "metadata": located(&records.metadata.0, &records.metadata.1),
    })
}

fn located(id: &str, at: &Location) -> serde_json::Value {
    json!({"record_id": id, "file": at.file, "offset": at.offset})
}

/// Writes a new file (never over an existing one) and notes its digest.
fn write_new(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    files: &mut Vec<(String, String)>,
) -> Result<(), ExportError> {
    let path = dir.join(name);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(ExportError::io(&path))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(ExportError::io(&path))?;
    files.push((name.to_string(), file_sha256(&path)?));
    Ok(())
}
