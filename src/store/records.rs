//! The records kept in the store. Plain data, serialised as JSON inside sled values.

use std::ops::{Deref, DerefMut};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::SiteHealth;
use super::capture_evidence::CaptureEvidence;

use crate::claims::PageView;
use crate::extract::Document;

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

/// Where the encoding a body was read in came from. The store keeps its own copy of the decoder's
/// answer because these names are part of every stored record: the decoder may rename its
/// cases, stored records must not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncodingSource {
    /// A byte order mark.
    Bom,
    /// The Content-Type header's charset.
    Header,
    /// A `<meta charset>` near the top of the page.
    Meta,
    /// Guessed from the bytes.
    Detected,
    /// The bytes are valid UTF-8 with non-ASCII text, whatever the page declared.
    ValidUtf8,
    /// Detection overruled the declared charset: its decode had replacement characters, read
    /// as less plausible text, or was one CJK encoding where detection found another.
    DeclarationContradicted,
    /// Guessed from the bytes against the domain's prior: that read at least as well, or
    /// character frequencies chose between CJK encodings.
    EvidenceOverDomain,
}

/// What a capture is before its body: which run and target it was for, what was asked, where it
/// led, and what the response said about itself. Shared by the capture the crawler hands over
/// ([`NewCapture`]) and the record the store keeps ([`CaptureRecord`]), which both deref to it;
/// a field added here is filled by the crawler and stored, in this position of the record's JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptureHead {
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
    /// The request and response as exchanged, for evidence; absent in captures made before
    /// claimwatch kept them, and in those that made no request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Box<CaptureEvidence>>,
}

/// A capture as it is handed to the store, body included.
#[derive(Debug, Clone)]
pub struct NewCapture {
    pub head: CaptureHead,
    /// The raw body as received (after content-encoding), possibly cut at max_body.
    pub body: Option<Vec<u8>>,
    pub truncated: bool,
    pub error: Option<String>,
    pub depth: u32,
    pub document: Option<Document>,
    /// The stored document this capture holds instead of a new one: its body is byte for byte
    /// that of an earlier capture, so extraction would give the same document (hex SHA-256).
    pub same_document_as_before: Option<String>,
    /// SHA-256 of `body`, when the crawl already computed it.
    pub body_sha256: Option<[u8; 32]>,
    /// The document's links as the crawl reads them (canonical URLs), kept beside a new
    /// document; when `None`, its links as extracted.
    pub links: Option<Vec<String>>,
    /// The document's claims and block places under the run's rules, when the crawl found
    /// them where it parsed the page: kept beside the document in the same transaction, so
    /// detection reads the view, not the document, back (`views.rs`).
    pub view: Option<PageView>,
}

/// A stored capture: everything but the body and the document, which live in their own trees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptureRecord {
    pub id: u64,
    /// Flattened, so the record's JSON is what it was before there was a head. `truncated`,
    /// `error` and `depth` stay out of the head (in both captures) for the same reason: stored
    /// records have them after the body's digest and size.
    #[serde(flatten)]
    pub head: CaptureHead,
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

// Deref rather than `capture.head.url` everywhere: the head is part of the capture, not a thing
// callers hold on its own, and readers of a capture should not care where the line falls.
impl Deref for NewCapture {
    type Target = CaptureHead;

    fn deref(&self) -> &CaptureHead {
        &self.head
    }
}

impl DerefMut for NewCapture {
    fn deref_mut(&mut self) -> &mut CaptureHead {
        &mut self.head
    }
}

impl Deref for CaptureRecord {
    type Target = CaptureHead;

    fn deref(&self) -> &CaptureHead {
        &self.head
    }
}

impl CaptureRecord {
    /// A good capture: one whose claims count.
    pub fn is_good(&self) -> bool {
        self.outcome == Outcome::Ok
    }

    /// The page answered 404 or 410: it is gone.
    pub fn is_gone(&self) -> bool {
        self.outcome == Outcome::HttpStatus && matches!(self.status, Some(404 | 410))
    }

    /// How the fetch ended, in a word or two: "200", "200 cut", "404 http", "failed",
    /// "robots", "refused", "403 blocked".
    pub fn status_word(&self) -> String {
        let code = self.status.map(|s| s.to_string()).unwrap_or_default();
        match self.outcome {
            Outcome::Ok if self.truncated => format!("{code} cut"),
            Outcome::Ok => code,
            Outcome::HttpStatus => format!("{code} http"),
            Outcome::Failed => "failed".into(),
            Outcome::RobotsBlocked => "robots".into(),
            Outcome::Refused => "refused".into(),
            Outcome::Blocked => format!("{code} blocked"),
        }
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
    /// Fetch attempts: every page the crawl tried, however it ended.
    pub pages: u64,
    pub ok: u64,
    /// Pages that answered 404 or 410: the site answered, the page is gone.
    #[serde(default)]
    pub gone: u64,
    /// No usable answer: transport failures, 5xx, other 4xx, empty or undecodable bodies.
    pub failed: u64,
    /// Pages we were not let in or may not fetch: robots.txt, challenge pages, 401/403/429,
    /// refusals of the address guard. Robots-blocked ones are also counted on their own.
    #[serde(default)]
    pub blocked: u64,
    pub robots_blocked: u64,
    pub new_bodies: u64,
    pub bytes: u64,
    /// Why the whole target failed, if it did (e.g. robots.txt unreachable, seeds refused).
    pub error: Option<String>,
    /// Ids of the flags this run raised for the target.
    #[serde(default)]
    pub new_flags: Vec<String>,
    /// How the site answered as a whole; `None` when it made no request (or in runs recorded
    /// before health was).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<SiteHealth>,
}

impl TargetCounts {
    /// Counts one fetch attempt by how it ended. Its kinds are those site health tells apart
    /// (`crate::detect::health::attempt_of`), so a summary's counts and its health agree.
    pub fn count(&mut self, outcome: Outcome, status: Option<u16>) {
        self.pages += 1;
        match (outcome, status) {
            (Outcome::Ok, _) => self.ok += 1,
            (Outcome::HttpStatus, Some(404 | 410)) => self.gone += 1,
            (Outcome::RobotsBlocked, _) => {
                self.blocked += 1;
                self.robots_blocked += 1;
            }
            (Outcome::Blocked | Outcome::Refused, _)
            | (Outcome::HttpStatus, Some(401 | 403 | 407 | 429 | 451)) => self.blocked += 1,
            _ => self.failed += 1,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::codec::{from_json, to_json};

    /// Records as `put_capture` wrote them: one with every field set, one robots.txt refusal with
    /// most of them empty. Stores already on disk hold these bytes, so the record's shape in
    /// Rust may change but its JSON may not.
    const STORED: [&str; 2] = [
        r#"{"id":1,"run_id":1,"target":"acme","url":"https://acme.example/about","final_url":"https://www.acme.example/about/","redirects":["https://www.acme.example/about","https://www.acme.example/about/"],"captured_at":"2026-11-28T02:00:00Z","duration_ms":12,"outcome":"ok","status":200,"headers":[["content-type","text/html"],["server","nginx"]],"content_type":"text/html; charset=windows-1251","encoding":"windows-1251","encoding_source":"meta","ip":"127.0.0.1","sha256":"f64bedc9aafd846eca22722e888becbbc0d3f3dfcda3c889fc9ea769b5b2743e","size":18,"truncated":true,"error":"body cut at max_body (10 MiB)","depth":2,"has_document":true,"document_sha256":"b1ea9618fe737c94dbbabc806de89c0c95745b71ccdcd6434f783817575197ed"}"#,
        r#"{"id":2,"run_id":1,"target":"acme","url":"https://acme.example/private","final_url":"https://acme.example/private","redirects":[],"captured_at":"2026-11-28T02:00:00Z","duration_ms":0,"outcome":"robots_blocked","status":null,"headers":[],"content_type":null,"encoding":null,"encoding_source":null,"ip":null,"sha256":null,"size":null,"truncated":false,"error":"disallowed by robots.txt","depth":1,"has_document":false,"document_sha256":null}"#,
    ];

    #[test]
    fn stored_capture_records_read_back_and_encode_to_the_same_bytes() {
        for stored in STORED {
            let record: CaptureRecord =
                from_json("captures", b"k", stored.as_bytes()).expect("decodes");
            assert_eq!(
                String::from_utf8(to_json(&record)).expect("JSON is UTF-8"),
                stored
            );
        }
    }

    #[test]
    fn a_record_from_before_content_addressed_documents_reads_without_a_digest() {
        let legacy = STORED[1].replace(r#","document_sha256":null"#, "");
        let record: CaptureRecord =
            from_json("captures", b"k", legacy.as_bytes()).expect("decodes");
        assert_eq!(record.document_sha256, None);
        assert_eq!(record.error.as_deref(), Some("disallowed by robots.txt"));
    }
}
