//! `claimwatch export warc`: captures as WARC 1.1 files (ISO 28500:2017) that any WARC tool
//! reads, with their digests, and flags as metadata records that name the captures they stand
//! on.
//!
//! Per capture that got a response: a `request` record (when the capture kept its request), a
//! `response` record whose payload is the stored body, or a `revisit` record (profile
//! identical-payload-digest) when a capture exported before in the same export had the same
//! body, and a `metadata` record with what the HTTP records cannot say. A capture that got no
//! response (failed, refused, robots.txt) has its metadata record only. Per flag: a `metadata`
//! record with the flag and the record ids of its captures. Record ids are derived, not drawn
//! ([`ids`]), so an export made again names the same records.
//!
//! - [`record`]: one record, its digests, its gzip member.
//! - [`writer`]: files that rotate at a size limit, each opened by a `warcinfo` record.
//! - [`http`]: a capture's request and response head rebuilt from its record.
//! - [`metadata`]: the blocks of metadata records.
//! - [`ids`]: record ids.

pub mod http;
pub mod ids;
pub mod metadata;
pub mod record;
pub mod writer;

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};

use crate::flags::Flag;
use crate::store::{CaptureRecord, CustodyHead, CustodyKind, Store};
use ids::{CaptureRole, capture_record_id, flag_record_id};
use metadata::FlagSide;
use record::{Record, RecordType, sha256_label};
use writer::WarcWriter;
pub use writer::{Location, WrittenFile};

use super::ExportError;

/// The default size at which a WARC file is closed and the next begun: 1 GB, as the WARC
/// standard's annex recommends.
pub const DEFAULT_MAX_SIZE: u64 = 1_000_000_000;

/// The profile of a revisit record whose payload is identical to an earlier response's.
const IDENTICAL_PAYLOAD: &str = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";

/// What to write and where.
#[derive(Debug, Clone)]
pub struct WarcOptions {
    /// File names start with this (`claimwatch-20261128T020000Z`).
    pub prefix: String,
    pub max_size: u64,
    pub exported_at: DateTime<Utc>,
    /// Extra lines for each file's warcinfo record (`selection: target acme`).
    pub info: Vec<(String, String)>,
}

/// The records written for one capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureRecords {
    pub request: Option<(String, Location)>,
    /// The response or revisit, with its type; `None` when no response came.
    pub main: Option<(RecordType, String, Location)>,
    pub metadata: (String, Location),
}

/// What an export wrote.
#[derive(Debug, Clone, Default)]
pub struct Exported {
    pub files: Vec<WrittenFile>,
    pub captures: HashMap<u64, CaptureRecords>,
    /// Flag id → its metadata record.
    pub flags: HashMap<String, (String, Location)>,
    pub responses: u64,
    pub revisits: u64,
    pub requests: u64,
    /// Captures made before claimwatch kept requests, TLS and the tool: exported with what
    /// they have.
    pub older_captures: u64,
}

/// A body already exported as a response: what a revisit of it refers to.
struct Original {
    record_id: String,
    uri: String,
    date: DateTime<Utc>,
    sha1: String,
}

/// Writes `captures` and then `flags` as WARC files into `dir`.
pub fn export(
    store: &Store,
    dir: &Path,
    options: &WarcOptions,
    captures: impl IntoIterator<Item = Result<CaptureRecord, crate::store::StoreError>>,
    flags: &[Flag],
) -> Result<Exported, ExportError> {
    let custody = custody_entries(store)?;
    let mut exporter = Exporter {
        store,
        writer: WarcWriter::new(
            dir,
            &options.prefix,
            options.max_size,
            options.exported_at,
            options.info.clone(),
        ),
        originals: HashMap::new(),
        custody,
        exported: Exported::default(),
    };
    for capture in captures {
        exporter.capture(&capture?)?;
    }
    for flag in flags {
        exporter.flag(flag)?;
    }
    let Exporter {
        writer,
        mut exported,
        ..
    } = exporter;
    exported.files = writer.finish()?;
    Ok(exported)
}

/// Each capture's and each flag's newest custody entry, keyed by kind and id.
fn custody_entries(
    store: &Store,
) -> Result<HashMap<(&'static str, String), CustodyHead>, ExportError> {
    let mut entries = HashMap::new();
    for item in store.custody_entries() {
        // A damaged entry is `verify`'s to report; the export names what it can.
        if let Ok(entry) = item? {
            let kind = match entry.kind {
                CustodyKind::Capture => "capture",
                CustodyKind::Flag | CustodyKind::Review => "flag",
            };
            entries.insert(
                (kind, entry.id),
                CustodyHead {
                    seq: entry.seq,
                    hash: entry.hash,
                },
            );
        }
    }
    Ok(entries)
}

struct Exporter<'a> {
    store: &'a Store,
    writer: WarcWriter,
    /// Body SHA-256 → the response that carried it.
    originals: HashMap<String, Original>,
    custody: HashMap<(&'static str, String), CustodyHead>,
    exported: Exported,
}

impl Exporter<'_> {
    fn capture(&mut self, capture: &CaptureRecord) -> Result<(), ExportError> {
        if self.exported.captures.contains_key(&capture.id) {
            return Ok(());
        }
        let main_id = capture_record_id(capture, CaptureRole::Response);
        let mut notes = Vec::new();
        let mut main = None;
        let body = match (&capture.status, &capture.sha256) {
            (Some(_), Some(sha256)) => self.store.body(sha256)?,
            _ => None,
        };
        if capture.status.is_some() && capture.sha256.is_some() && body.is_none() {
            notes.push("the body is missing from the store (`claimwatch verify` says more)".into());
        }
        if let (Some(body), Some(sha256)) = (body, &capture.sha256) {
            let (head, head_notes) = http::response_head(capture, body.len());
            notes.extend(head_notes);
            let record = match self.originals.get(sha256) {
                Some(original) => self.revisit(capture, &main_id, head, original, sha256),
                None => {
                    let mut record = self.http_record(capture, RecordType::Response, &main_id);
                    record.payload_at = Some(head.len());
                    record.block = head;
                    record.block.extend_from_slice(&body);
                    self.originals.insert(
                        sha256.clone(),
                        Original {
                            record_id: main_id.clone(),
                            uri: capture.final_url.clone(),
                            date: capture.captured_at,
                            sha1: record::sha1_label(&body),
                        },
                    );
                    record
                }
            };
            let kind = record.kind;
            let location = self.writer.write(&record)?;
            match kind {
                RecordType::Revisit => self.exported.revisits += 1,
                _ => self.exported.responses += 1,
            }
            main = Some((kind, main_id.clone(), location));
        }
        let request = match http::request_block(capture) {
            Some(block) if main.is_some() => {
                let id = capture_record_id(capture, CaptureRole::Request);
                let mut record = self.http_record(capture, RecordType::Request, &id);
                record.content_type = "application/http;msgtype=request".into();
                record = record.field("WARC-Concurrent-To", main_id.as_str());
                record.block = block;
                let location = self.writer.write(&record)?;
                self.exported.requests += 1;
                Some((id, location))
            }
            _ => None,
        };
        if capture.evidence.is_none() && capture.status.is_some() {
            self.exported.older_captures += 1;
        }
        let metadata_id = capture_record_id(capture, CaptureRole::Metadata);
        let custody = self.custody.get(&("capture", capture.id.to_string()));
        let mut record = Record::new(
            RecordType::Metadata,
            metadata_id.clone(),
            capture.captured_at,
            "application/warc-fields",
        )
        .field("WARC-Target-URI", capture.url.as_str());
        if main.is_some() {
            record = record.field("WARC-Concurrent-To", main_id.as_str());
        }
        record.block = metadata::capture_fields(capture, &notes, custody);
        let location = self.writer.write(&record)?;
        self.exported.captures.insert(
            capture.id,
            CaptureRecords {
                request,
                main,
                metadata: (metadata_id, location),
            },
        );
        Ok(())
    }

    /// A request or response record's common fields.
    fn http_record(&self, capture: &CaptureRecord, kind: RecordType, id: &str) -> Record {
        let mut record = Record::new(
            kind,
            id.to_string(),
            capture.captured_at,
            "application/http;msgtype=response",
        )
        .field("WARC-Target-URI", capture.final_url.as_str());
        if let Some(ip) = &capture.ip {
            record = record.field("WARC-IP-Address", ip.as_str());
        }
        if kind == RecordType::Response && capture.truncated {
            record = record.field("WARC-Truncated", "length");
        }
        record
    }

    /// A body exported before: the response head only, pointing at the record that carries
    /// the payload.
    fn revisit(
        &self,
        capture: &CaptureRecord,
        id: &str,
        head: Vec<u8>,
        original: &Original,
        sha256: &str,
    ) -> Record {
        let mut raw = [0u8; 32];
        let payload = match hex::decode_to_slice(sha256, &mut raw) {
            Ok(()) => sha256_label(&raw),
            Err(_) => format!("sha256:{sha256}"),
        };
        let mut record = self
            .http_record(capture, RecordType::Revisit, id)
            .field("WARC-Profile", IDENTICAL_PAYLOAD)
            .field("WARC-Refers-To", original.record_id.as_str())
            .field("WARC-Refers-To-Target-URI", original.uri.as_str())
            .field("WARC-Refers-To-Date", record::warc_date(original.date))
            .field("WARC-Payload-Digest", payload)
            .field("WARC-Payload-Digest-SHA1", original.sha1.as_str());
        if capture.truncated {
            record = record.field("WARC-Truncated", "length");
        }
        record.block = head;
        record
    }

    fn flag(&mut self, flag: &Flag) -> Result<(), ExportError> {
        let before = self.side(flag.before.as_ref().map(|c| c.capture_id.as_str()))?;
        let after = self.side(Some(flag.after.capture_id.as_str()))?;
        let id = flag_record_id(&flag.flag_id);
        let mut record = Record::new(
            RecordType::Metadata,
            id.clone(),
            flag.detected_at,
            "application/json",
        )
        .field("WARC-Target-URI", flag.url.as_str());
        if let Some(after) = &after {
            record = record.field("WARC-Refers-To", after.record_id.as_str());
        }
        let custody = self.custody.get(&("flag", flag.flag_id.clone()));
        record.block = metadata::flag_json(flag, before.as_ref(), after.as_ref(), custody);
        let location = self.writer.write(&record)?;
        self.exported
            .flags
            .insert(flag.flag_id.clone(), (id, location));
        Ok(())
    }

    /// A flag's capture and the ids of its main and request records (derived, whether or not
    /// this export holds them).
    fn side(&self, capture_id: Option<&str>) -> Result<Option<FlagSide>, ExportError> {
        let Some(capture) = capture_id.and_then(|id| id.parse::<u64>().ok()) else {
            return Ok(None);
        };
        let Some(capture) = self.store.capture(capture)? else {
            return Ok(None);
        };
        let role = if capture.status.is_some() {
            CaptureRole::Response
        } else {
            CaptureRole::Metadata
        };
        let record_id = capture_record_id(&capture, role);
        let request_id = capture
            .evidence
            .is_some()
            .then(|| capture_record_id(&capture, CaptureRole::Request));
        Ok(Some(FlagSide {
            capture,
            record_id,
            request_id,
        }))
    }
}
