//! The records kept in the store. Plain data, serialised as JSON inside sled values.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::extract::Document;
use crate::fetch::charset::EncodingSource;

/// How one fetch attempt ended. Only `Ok` captures are "good": the others never count as a
/// change on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A 2xx response with a body we kept whole (or cut at max_body: see `truncated`).
    Ok,
    /// The server answered with a non-2xx status (after redirects).
    HttpStatus,
    /// No usable response: DNS, connect, TLS, timeout, reset, decode failure.
    Failed,
    /// robots.txt disallows the URL: no request was made.
    RobotsBlocked,
    /// Refused before or during the request: a private or metadata address, a redirect out of
    /// scope, too many redirects.
    Refused,
    /// An anti-bot or challenge page.
    Blocked,
}

/// A capture as it is handed to the store, body included.
#[derive(Debug, Clone)]
pub struct NewCapture {
    pub run_id: u64,
    pub target: String,
    /// The canonical URL the frontier asked for.
    pub url: String,
    /// Where the last redirect hop landed (same as `url` when there was none).
    pub final_url: String,
    pub redirects: Vec<String>,
    pub captured_at: DateTime<Utc>,
    pub duration_ms: u64,
    pub outcome: Outcome,
    pub status: Option<u16>,
    /// Headers that matter for evidence and for detection, lower-case names.
    pub headers: Vec<(String, String)>,
    pub content_type: Option<String>,
    pub encoding: Option<String>,
    pub encoding_source: Option<EncodingSource>,
    /// The address actually connected to.
    pub ip: Option<String>,
    /// The raw body as received (after content-encoding), possibly cut at max_body.
    pub body: Option<Vec<u8>>,
    pub truncated: bool,
    pub error: Option<String>,
    pub depth: u32,
    pub document: Option<Document>,
}

/// A stored capture: everything but the body and the document, which live in their own trees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptureRecord {
    pub id: u64,
    pub run_id: u64,
    pub target: String,
    pub url: String,
    pub final_url: String,
    pub redirects: Vec<String>,
    pub captured_at: DateTime<Utc>,
    pub duration_ms: u64,
    pub outcome: Outcome,
    pub status: Option<u16>,
    pub headers: Vec<(String, String)>,
    pub content_type: Option<String>,
    pub encoding: Option<String>,
    pub encoding_source: Option<EncodingSource>,
    pub ip: Option<String>,
    /// Hex SHA-256 of the body as received, if there was one.
    pub sha256: Option<String>,
    /// Body length in bytes.
    pub size: Option<u64>,
    pub truncated: bool,
    pub error: Option<String>,
    pub depth: u32,
    pub has_document: bool,
    /// Hex SHA-256 of the extracted document's JSON: documents are stored once per digest, so an
    /// unchanged page adds no second copy of its text either. `None` in records written before
    /// documents were content-addressed (those are keyed by capture id).
    #[serde(default)]
    pub document_sha256: Option<String>,
}

impl CaptureRecord {
    /// A good capture: one whose claims count.
    pub fn is_good(&self) -> bool {
        self.outcome == Outcome::Ok
    }
}

/// What the store knows about one URL of a target across runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageRecord {
    pub target: String,
    pub url: String,
    pub first_seen: DateTime<Utc>,
    pub last_capture: u64,
    pub last_good_capture: Option<u64>,
    /// The shallowest depth it was found at.
    pub depth: u32,
}

/// Per-target counts of one run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TargetCounts {
    pub target: String,
    pub pages: u64,
    pub ok: u64,
    pub failed: u64,
    pub robots_blocked: u64,
    pub new_bodies: u64,
    pub bytes: u64,
    /// Why the whole target failed, if it did (e.g. robots.txt unreachable, seeds refused).
    pub error: Option<String>,
    /// Ids of the flags this run raised for the target.
    #[serde(default)]
    pub new_flags: Vec<String>,
}

/// One `crawl` run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub id: u64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// False when the run was interrupted before it finished.
    pub completed: bool,
    pub targets: Vec<TargetCounts>,
}

/// Sizes, for `history` and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoreStats {
    pub captures: u64,
    pub bodies: u64,
    /// Compressed bytes of all bodies.
    pub body_bytes: u64,
    pub documents: u64,
    pub runs: u64,
    pub pages: u64,
}
