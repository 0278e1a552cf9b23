//! One WARC 1.1 record: its named fields and its block, written as one gzip member, with the
//! digests readers check.
//!
//! `WARC-Block-Digest` and `WARC-Payload-Digest` carry SHA-256, the digest the store, the flags
//! and `claimwatch verify` use, so a flag's `sha256` is the payload digest of its capture's
//! record (in base32, as WARC digests are written; [`sha256_label`] gives both forms). WARC
//! allows each of those fields once per record, so SHA-1, which older tools (CDX indexes,
//! deduplication) expect, is given beside them in `WARC-Block-Digest-SHA1` and
//! `WARC-Payload-Digest-SHA1`, base32 as they expect it.

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use data_encoding::BASE32;
use flate2::Compression;
use flate2::write::GzEncoder;
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// The record types claimwatch writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordType {
    Warcinfo,
    Request,
    Response,
    Revisit,
    Metadata,
}

impl RecordType {
    pub fn as_str(&self) -> &'static str {
        match self {
            RecordType::Warcinfo => "warcinfo",
            RecordType::Request => "request",
            RecordType::Response => "response",
            RecordType::Revisit => "revisit",
            RecordType::Metadata => "metadata",
        }
    }
}

/// A record before it is written.
#[derive(Debug, Clone)]
pub struct Record {
    pub kind: RecordType,
    /// `<urn:uuid:…>`, angle brackets included.
    pub id: String,
    pub date: DateTime<Utc>,
    pub content_type: String,
    /// Named fields after the ones every record has, in the order written.
    pub fields: Vec<(String, String)>,
    pub block: Vec<u8>,
    /// Where the payload starts in the block (after the HTTP headers); `None` for records
    /// without a well-defined payload, which get no payload digest.
    pub payload_at: Option<usize>,
}

/// A record's digests, as its fields give them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digests {
    pub block_sha256: [u8; 32],
    pub payload_sha256: Option<[u8; 32]>,
}

impl Record {
    pub fn new(kind: RecordType, id: String, date: DateTime<Utc>, content_type: &str) -> Record {
        Record {
            kind,
            id,
            date,
            content_type: content_type.to_string(),
            fields: Vec::new(),
            block: Vec::new(),
            payload_at: None,
        }
    }

    /// Adds a named field.
    pub fn field(mut self, name: &str, value: impl Into<String>) -> Record {
        self.fields.push((name.to_string(), value.into()));
        self
    }

    /// The record as WARC bytes (header, block, the two line ends after it), and its digests.
    pub fn to_bytes(&self) -> (Vec<u8>, Digests) {
        let block_sha256: [u8; 32] = Sha256::digest(&self.block).into();
        let payload = self
            .payload_at
            .map(|at| &self.block[at.min(self.block.len())..]);
        let payload_sha256: Option<[u8; 32]> = payload.map(|p| Sha256::digest(p).into());
        let mut head = format!(
            "WARC/1.1\r\nWARC-Type: {}\r\nWARC-Record-ID: {}\r\nWARC-Date: {}\r\n",
            self.kind.as_str(),
            self.id,
            warc_date(self.date)
        );
        for (name, value) in &self.fields {
            head.push_str(&format!("{name}: {}\r\n", one_line(value)));
        }
        head.push_str(&format!(
            "WARC-Block-Digest: {}\r\n",
            sha256_label(&block_sha256)
        ));
        head.push_str(&format!(
            "WARC-Block-Digest-SHA1: {}\r\n",
            sha1_label(&self.block)
        ));
        // A revisit's payload is the original's: its digest field is set by the caller.
        if let (Some(payload), Some(digest), false) =
            (payload, &payload_sha256, self.kind == RecordType::Revisit)
        {
            head.push_str(&format!(
                "WARC-Payload-Digest: {}\r\n",
                sha256_label(digest)
            ));
            head.push_str(&format!(
                "WARC-Payload-Digest-SHA1: {}\r\n",
                sha1_label(payload)
            ));
        }
        head.push_str(&format!(
            "Content-Type: {}\r\nContent-Length: {}\r\n\r\n",
            self.content_type,
            self.block.len()
        ));
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.block);
        bytes.extend_from_slice(b"\r\n\r\n");
        (
            bytes,
            Digests {
                block_sha256,
                payload_sha256,
            },
        )
    }

    /// The record as one gzip member, so that readers can seek to it and tools can split
    /// files between records.
    pub fn to_gzip_member(&self) -> (Vec<u8>, Digests) {
        let (bytes, digests) = self.to_bytes();
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder
            .write_all(&bytes)
            .expect("writing to a Vec cannot fail");
        let member = encoder.finish().expect("writing to a Vec cannot fail");
        (member, digests)
    }
}

/// `sha256:` and the digest in base32, as WARC digests are written.
pub fn sha256_label(digest: &[u8; 32]) -> String {
    format!("sha256:{}", BASE32.encode(digest))
}

/// `sha1:` and the SHA-1 of `bytes` in base32.
pub fn sha1_label(bytes: &[u8]) -> String {
    format!("sha1:{}", BASE32.encode(&Sha1::digest(bytes)))
}

/// WARC-Date: UTC, with the fraction of a second when there is one (WARC 1.1 allows it).
pub fn warc_date(date: DateTime<Utc>) -> String {
    date.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A field value on one line: crawled text (a URL, a header) must not start a field of its own.
fn one_line(value: &str) -> String {
    value.replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-28T02:00:03.25Z")
            .expect("a valid literal")
            .with_timezone(&Utc)
    }

    #[test]
    fn a_record_has_its_fields_digests_and_block_in_order() {
        let mut record = Record::new(
            RecordType::Response,
            "<urn:uuid:x>".into(),
            date(),
            "application/http;msgtype=response",
        )
        .field("WARC-Target-URI", "http://a.example/\r\nX: y");
        record.block = b"HTTP/1.1 200 OK\r\n\r\nabc".to_vec();
        record.payload_at = Some(19);
        let (bytes, digests) = record.to_bytes();
        let text = String::from_utf8(bytes).expect("ASCII");
        assert!(text.starts_with(
            "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:x>\r\n\
             WARC-Date: 2026-11-28T02:00:03.250Z\r\nWARC-Target-URI: http://a.example/  X: y\r\n"
        ));
        // SHA-256 of "abc", base32.
        assert!(
            text.contains("WARC-Payload-Digest: sha256:XJ4BNP4PAHH6UQKBIDPF3LRCEOYAGYNDSYLXVHFUCD7WD4QACWWQ====\r\n"),
            "{text}"
        );
        assert!(
            text.contains("WARC-Payload-Digest-SHA1: sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5\r\n")
        );
        assert!(text.ends_with("Content-Length: 22\r\n\r\nHTTP/1.1 200 OK\r\n\r\nabc\r\n\r\n"));
        assert_eq!(digests.payload_sha256, Some(Sha256::digest(b"abc").into()));
    }

    #[test]
    fn a_gzip_member_holds_the_record() {
        let record = Record::new(
            RecordType::Metadata,
            "<urn:uuid:y>".into(),
            date(),
            "text/plain",
        );
        let (member, _) = record.to_gzip_member();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&member[..]), &mut text)
            .expect("decompresses");
        assert_eq!(text, record_text(&record));
    }

    fn record_text(record: &Record) -> String {
        String::from_utf8(record.to_bytes().0).expect("ASCII")
    }
}
