//! Checking a whole store (`claimwatch verify`): every body and document re-hashed against the
//! digest it is stored under; every capture, document, index entry, page, flag and run pointing
//! at something that exists; and every capture and flag as the custody log recorded it.
//!
//! Nothing found is an error of the check itself: a record that does not decode is reported
//! like any other problem, and the check goes on. Claims are not stored on their own: they are
//! read from the documents, which are checked.
//!
//! The check may run while a crawl writes (carried out by the process holding the store): it
//! checks the store as it stood when it began, the custody log up to the head it read first and
//! the captures it read, and leaves what was written since to the next check.

use std::collections::{HashMap, HashSet};
use std::fmt;

use sha2::{Digest, Sha256};

use super::codec::{decompress, from_json};
use super::custody::{CustodyEntry, CustodyHead, GENESIS};
use super::keys::{id_from_key, show_key};
use super::{CaptureRecord, PageRecord, RunRecord, Store, StoreError, bodies};
use crate::flags::{Flag, FlagCapture};

/// One thing wrong, about one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What is wrong: "body 3fa…", "capture 17", "flag 9c0…", "custody entry 12".
    pub subject: String,
    pub detail: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.subject, self.detail)
    }
}

/// What [`Store::check_integrity`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntegrityReport {
    pub problems: Vec<Problem>,
    pub bodies: u64,
    pub documents: u64,
    pub captures: u64,
    pub flags: u64,
    pub custody_entries: u64,
    /// The newest entry of the custody log, as its entries give it.
    pub head: Option<CustodyHead>,
    /// The store holds records but has no custody log yet: it was written by a claimwatch
    /// before the log, and its next crawl starts one.
    pub not_logged_yet: bool,
}

/// What is known of a stored capture, for the checks that point at it.
struct Known {
    target: String,
    url: String,
    sha256: Option<String>,
}

/// The record each custody subject was last logged with: (entry, digest).
type Logged = HashMap<(&'static str, String), (u64, String)>;

impl Store {
    /// Checks the whole store. `recorded_head`, a head hash kept elsewhere, must be an entry
    /// of the custody log: a rewritten chain no longer holds it.
    pub fn check_integrity(
        &self,
        recorded_head: Option<&str>,
    ) -> Result<IntegrityReport, StoreError> {
        let mut report = IntegrityReport::default();
        let mut problems = Problems::default();
        let start = self.custody_head()?;
        let damaged = self.check_bodies(&mut report, &mut problems)?;
        self.check_documents(&mut report, &mut problems)?;
        let runs = self.run_ids(&mut problems)?;
        let mut record_digests: Vec<(&'static str, String, String)> = Vec::new();
        let captures =
            self.check_captures(&mut report, &mut problems, &runs.0, &mut record_digests)?;
        // Captures stored after the scan above are the next check's: references to them are
        // not dangling.
        let newest = captures.keys().max().copied().unwrap_or(0);
        for (digest, ids) in damaged {
            let users: Vec<String> = captures
                .iter()
                .filter(|(_, known)| known.sha256.as_deref() == Some(digest.as_str()))
                .map(|(id, _)| id.to_string())
                .collect();
            let detail = match users.as_slice() {
                [] => ids,
                users => format!("{ids} (the body of captures {})", users.join(", ")),
            };
            problems.add(format!("body {digest}"), detail);
        }
        self.check_indexes(&mut problems, &captures, newest)?;
        let flag_ids = self.check_flags(
            &mut report,
            &mut problems,
            &captures,
            newest,
            &mut record_digests,
        )?;
        for (run, flag) in runs.1 {
            if !flag_ids.contains(&flag) {
                problems.add(
                    format!("run {run}"),
                    format!("names flag {flag} among its new flags, which is not stored"),
                );
            }
        }
        let logged = self.check_chain(&mut report, &mut problems, recorded_head, start.as_ref())?;
        if report.custody_entries == 0 {
            report.not_logged_yet = !record_digests.is_empty();
        } else {
            let until = start.as_ref().map_or(0, |head| head.seq);
            check_against_log(&mut problems, &logged, &record_digests, until);
        }
        report.problems = problems.0;
        Ok(report)
    }

    /// Re-hashes every body; returns the damaged ones, digest → what is wrong.
    fn check_bodies(
        &self,
        report: &mut IntegrityReport,
        problems: &mut Problems,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut damaged = Vec::new();
        for entry in self.bodies.iter() {
            let (key, value) = entry?;
            report.bodies += 1;
            if key.len() != 32 {
                problems.add(
                    format!("bodies entry {}", show_key(&key)),
                    "is not keyed by a SHA-256",
                );
                continue;
            }
            let what = match decompress("bodies", &key, &value) {
                Ok(body) if bodies::digest(&body).as_slice() == key.as_ref() => continue,
                Ok(_) => "its bytes no longer have the SHA-256 they are stored under".to_string(),
                Err(e) => format!("does not decompress ({e})"),
            };
            damaged.push((hex::encode(&key), what));
        }
        Ok(damaged)
    }

    /// Re-hashes every content-addressed document and reads every one keyed by its capture.
    fn check_documents(
        &self,
        report: &mut IntegrityReport,
        problems: &mut Problems,
    ) -> Result<(), StoreError> {
        for entry in self.documents.iter() {
            let (key, value) = entry?;
            report.documents += 1;
            let json = match decompress("documents", &key, &value) {
                Ok(json) => json,
                Err(e) => {
                    problems.add(format!("document {}", show_key(&key)), e.to_string());
                    continue;
                }
            };
            if key.len() == 32 && bodies::digest(&json).as_slice() != key.as_ref() {
                problems.add(
                    format!("document {}", hex::encode(&key)),
                    "its text no longer has the SHA-256 it is stored under",
                );
            } else if let Err(e) = from_json::<crate::extract::Document>("documents", &key, &json) {
                problems.add(format!("document {}", show_key(&key)), e.to_string());
            }
        }
        Ok(())
    }

    /// The ids of the stored runs, and the flags each says it raised.
    #[allow(clippy::type_complexity)]
    fn run_ids(
        &self,
        problems: &mut Problems,
    ) -> Result<(HashSet<u64>, Vec<(u64, String)>), StoreError> {
        let mut ids = HashSet::new();
        let mut raised = Vec::new();
        for entry in self.runs.iter() {
            let (key, value) = entry?;
            match from_json::<RunRecord>("runs", &key, &value) {
                Ok(run) => {
                    ids.insert(run.id);
                    for counts in run.targets {
                        raised.extend(counts.new_flags.into_iter().map(|f| (run.id, f)));
                    }
                }
                Err(e) => problems.add(format!("run {}", show_key(&key)), e.to_string()),
            }
        }
        Ok((ids, raised))
    }

    fn check_captures(
        &self,
        report: &mut IntegrityReport,
        problems: &mut Problems,
        runs: &HashSet<u64>,
        digests: &mut Vec<(&'static str, String, String)>,
    ) -> Result<HashMap<u64, Known>, StoreError> {
        let mut known = HashMap::new();
        for entry in self.captures.iter() {
            let (key, value) = entry?;
            report.captures += 1;
            let read = self.capture_json(&key, &value).and_then(|json| {
                let record = from_json::<CaptureRecord>("captures", &key, &json)?;
                Ok((json, record))
            });
            let (json, record) = match read {
                Ok(read) => read,
                Err(e) => {
                    problems.add(format!("capture {}", show_key(&key)), e.to_string());
                    continue;
                }
            };
            let subject = format!("capture {}", record.id);
            let id = id_from_key("captures", &key).unwrap_or(0);
            digests.push((
                "capture",
                id.to_string(),
                hex::encode(Sha256::digest(&json)),
            ));
            if id != record.id {
                problems.add(&subject, format!("is stored under id {id}"));
            }
            if !runs.contains(&record.run_id) {
                problems.add(
                    &subject,
                    format!("names run {}, which is not stored", record.run_id),
                );
            }
            if let Some(sha256) = &record.sha256 {
                let stored = match bodies::parse_hex(sha256) {
                    Some(raw) => self.bodies.contains_key(raw)?,
                    None => false,
                };
                if !stored {
                    problems.add(
                        &subject,
                        format!("names body {sha256}, which is not stored"),
                    );
                }
            }
            let document_key = match &record.document_sha256 {
                Some(digest) => bodies::parse_hex(digest).map(|raw| raw.to_vec()),
                None if record.has_document => Some(super::keys::id_key(record.id).to_vec()),
                None => None,
            };
            let document_stored = match &document_key {
                Some(key) => self.documents.contains_key(key)?,
                None => false,
            };
            if (record.has_document || record.document_sha256.is_some()) && !document_stored {
                problems.add(&subject, "names a document that is not stored");
            }
            known.insert(
                record.id,
                Known {
                    target: record.target.clone(),
                    url: record.url.clone(),
                    sha256: record.sha256.clone(),
                },
            );
        }
        Ok(known)
    }

    /// The by_url and by_target indexes and the page records point at stored captures of
    /// their own URL and target.
    fn check_indexes(
        &self,
        problems: &mut Problems,
        captures: &HashMap<u64, Known>,
        newest: u64,
    ) -> Result<(), StoreError> {
        for (tree, index, field) in [
            (&self.by_url, "by_url", "url"),
            (&self.by_target, "by_target", "target"),
        ] {
            for entry in tree.iter().keys() {
                let key = entry?;
                let Some(split) = key.len().checked_sub(9).filter(|&at| key[at] == 0) else {
                    problems.add(format!("{index} entry {}", show_key(&key)), "is malformed");
                    continue;
                };
                let name = String::from_utf8_lossy(&key[..split]);
                let id = id_from_key(index, &key[split + 1..])?;
                if id > newest {
                    continue;
                }
                let matches = captures.get(&id).map(|known| match field {
                    "url" => known.url == name,
                    _ => known.target == name,
                });
                match matches {
                    None => problems.add(
                        format!("{index} entry {name:?}"),
                        format!("names capture {id}, which is not stored"),
                    ),
                    Some(false) => problems.add(
                        format!("{index} entry {name:?}"),
                        format!("names capture {id}, whose {field} is another"),
                    ),
                    Some(true) => {}
                }
            }
        }
        for entry in self.pages.iter() {
            let (key, value) = entry?;
            let page = match from_json::<PageRecord>("pages", &key, &value) {
                Ok(page) => page,
                Err(e) => {
                    problems.add(format!("page {}", show_key(&key)), e.to_string());
                    continue;
                }
            };
            for id in std::iter::once(page.last_capture).chain(page.last_good_capture) {
                if id <= newest && !captures.contains_key(&id) {
                    problems.add(
                        format!("page {} of {}", page.url, page.target),
                        format!("names capture {id}, which is not stored"),
                    );
                }
            }
        }
        Ok(())
    }

    /// Every flag stands on stored captures whose digests it repeats. Returns the flag ids.
    fn check_flags(
        &self,
        report: &mut IntegrityReport,
        problems: &mut Problems,
        captures: &HashMap<u64, Known>,
        newest: u64,
        digests: &mut Vec<(&'static str, String, String)>,
    ) -> Result<HashSet<String>, StoreError> {
        let mut ids = HashSet::new();
        for entry in self.flags.iter() {
            let (key, value) = entry?;
            report.flags += 1;
            let key_text = String::from_utf8_lossy(&key).into_owned();
            digests.push((
                "flag",
                key_text.clone(),
                hex::encode(Sha256::digest(&value)),
            ));
            let flag = match from_json::<Flag>("flags", &key, &value) {
                Ok(flag) => flag,
                Err(e) => {
                    problems.add(format!("flag {key_text}"), e.to_string());
                    continue;
                }
            };
            let subject = format!("flag {}", flag.flag_id);
            if flag.flag_id != key_text {
                problems.add(&subject, format!("is stored under id {key_text}"));
            }
            let sides = [
                ("before", flag.before.as_ref()),
                ("after", Some(&flag.after)),
            ];
            for (side, capture) in sides {
                if let Some(detail) = capture.and_then(|c| stands_on(c, captures, newest)) {
                    problems.add(&subject, format!("{side}: {detail}"));
                }
            }
            ids.insert(flag.flag_id);
        }
        Ok(ids)
    }

    /// Walks the custody log: numbers without gaps, each entry's hash over its contents and
    /// naming the one before; the head in meta is the last entry. Returns what each record was
    /// last logged with.
    fn check_chain(
        &self,
        report: &mut IntegrityReport,
        problems: &mut Problems,
        recorded_head: Option<&str>,
        start: Option<&CustodyHead>,
    ) -> Result<Logged, StoreError> {
        let mut logged = Logged::new();
        let mut previous: Option<CustodyEntry> = None;
        let mut recorded_found = false;
        // Whether the head the check began with is an entry (`None`: not met).
        let mut start_found: Option<bool> = None;
        for item in self.custody_entries() {
            let entry = match item? {
                Ok(entry) => entry,
                Err((key, e)) => {
                    problems.add(format!("custody entry {}", show_key(&key)), e.to_string());
                    continue;
                }
            };
            report.custody_entries += 1;
            let subject = format!("custody entry {}", entry.seq);
            let expected = previous.as_ref().map_or(1, |p| p.seq + 1);
            if entry.seq > expected {
                problems.add(
                    &subject,
                    format!(
                        "entries {expected} to {} are missing (deleted)",
                        entry.seq - 1
                    ),
                );
            }
            let prev_hash = previous.as_ref().map_or(GENESIS, |p| p.hash.as_str());
            if entry.computed_hash() != entry.hash {
                problems.add(
                    &subject,
                    format!(
                        "edited: its hash does not match its contents ({} {})",
                        entry.kind.as_str(),
                        entry.id
                    ),
                );
            } else if entry.prev != prev_hash && entry.seq == expected {
                problems.add(
                    &subject,
                    format!(
                        "does not follow entry {}: the chain is broken there",
                        expected - 1
                    ),
                );
            }
            recorded_found |= recorded_head == Some(entry.hash.as_str());
            if start.is_some_and(|head| head.seq == entry.seq) {
                start_found = Some(entry.hash == start.map_or("", |head| head.hash.as_str()));
            }
            logged.insert(
                (entry.kind.record(), entry.id.clone()),
                (entry.seq, entry.record_sha256.clone()),
            );
            previous = Some(entry);
        }
        let last = previous.map(|entry| CustodyHead {
            seq: entry.seq,
            hash: entry.hash,
        });
        // Entries appended while the check ran follow the head it began with; that head must
        // be an entry, and the one the chain reached then.
        if let Some(head) = start
            && start_found != Some(true)
        {
            problems.add(
                "custody log",
                format!(
                    "the head kept in the store is entry {} ({}) but the chain's entry {} is \
                     {}: entries were removed or rewritten outside claimwatch",
                    head.seq,
                    head.hash,
                    head.seq,
                    if start_found.is_some() {
                        "another"
                    } else {
                        "missing"
                    }
                ),
            );
        }
        if let Some(hash) = recorded_head
            && !recorded_found
        {
            problems.add(
                "custody log",
                format!(
                    "holds no entry with the head {hash} recorded earlier: the chain was \
                     rewritten since (or the head is from another store)"
                ),
            );
        }
        report.head = last;
        Ok(logged)
    }
}

/// Whether a flag's capture is stored and has the digest the flag repeats; `Some(why)` if not.
fn stands_on(capture: &FlagCapture, captures: &HashMap<u64, Known>, newest: u64) -> Option<String> {
    let id = capture.capture_id.parse::<u64>().ok();
    if id.is_some_and(|id| id > newest) {
        return None;
    }
    let Some(known) = id.and_then(|id| captures.get(&id)) else {
        return Some(format!(
            "names capture {}, which is not stored",
            capture.capture_id
        ));
    };
    (capture.sha256.is_some() && capture.sha256 != known.sha256).then(|| {
        format!(
            "capture {} has SHA-256 {}, the flag says {}",
            capture.capture_id,
            known.sha256.as_deref().unwrap_or("none"),
            capture.sha256.as_deref().unwrap_or("none")
        )
    })
}

/// Every record is in the log as it is stored now, and every record the log names is stored.
fn check_against_log(
    problems: &mut Problems,
    logged: &Logged,
    records: &[(&'static str, String, String)],
    until: u64,
) {
    let mut seen = HashSet::new();
    for (kind, id, digest) in records {
        seen.insert((*kind, id.as_str()));
        let subject = format!("{kind} {id}");
        match logged.get(&(*kind, id.clone())) {
            None => problems.add(
                subject,
                "is not in the custody log (stored outside claimwatch)",
            ),
            // Logged again after the check began (a review): read before that, and the next
            // check's to compare.
            Some((seq, _)) if *seq > until => {}
            Some((seq, then)) if then != digest => problems.add(
                subject,
                format!(
                    "edited after it was stored: its record's SHA-256 is {digest}, custody entry \
                     {seq} logged {then}"
                ),
            ),
            Some(_) => {}
        }
    }
    let mut missing: Vec<_> = logged
        .iter()
        .filter(|((kind, id), (seq, _))| *seq <= until && !seen.contains(&(*kind, id.as_str())))
        .collect();
    missing.sort_by_key(|(_, (seq, _))| *seq);
    for ((kind, id), (seq, _)) in missing {
        problems.add(
            format!("{kind} {id}"),
            format!("is not stored, but custody entry {seq} logged it: it was deleted"),
        );
    }
}

#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, subject: impl Into<String>, detail: impl Into<String>) {
        self.0.push(Problem {
            subject: subject.into(),
            detail: detail.into(),
        });
    }
}

#[cfg(test)]
mod tests;
