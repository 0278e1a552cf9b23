//! WARC record ids that an export can be re-made with: each is a version 8 UUID (RFC 9562)
//! taken from a SHA-256 of what the record is about, so exporting the same capture again, or
//! from a copy of the store, gives the same `WARC-Record-ID`, and a flag's metadata record can
//! name the records of captures exported earlier.
//!
//! The hashed text is `claimwatch warc record v1`, then one line each of the role
//! (`request`, `response`, `metadata`, `flag`) and what identifies the subject: for a capture
//! its id, its `captured_at` (RFC 3339, nanoseconds) and its URL; for a flag its id. A capture's
//! `response` id is the id of its response record, or of its revisit record when its body was
//! exported already: one capture, one main record.

use chrono::SecondsFormat;
use sha2::{Digest, Sha256};

use crate::store::CaptureRecord;

/// The records a capture can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureRole {
    Request,
    /// The response, or the revisit that stands for it.
    Response,
    Metadata,
}

impl CaptureRole {
    fn as_str(&self) -> &'static str {
        match self {
            CaptureRole::Request => "request",
            CaptureRole::Response => "response",
            CaptureRole::Metadata => "metadata",
        }
    }
}

/// The id of one of a capture's records: `<urn:uuid:…>`.
pub fn capture_record_id(capture: &CaptureRecord, role: CaptureRole) -> String {
    record_id(&[
        role.as_str(),
        &capture.id.to_string(),
        &capture
            .captured_at
            .to_rfc3339_opts(SecondsFormat::Nanos, true),
        &capture.url,
    ])
}

/// The id of a flag's metadata record.
pub fn flag_record_id(flag_id: &str) -> String {
    record_id(&["flag", flag_id])
}

/// The id of a warcinfo record: one per file, named by the file and the export's time.
pub fn warcinfo_record_id(file_name: &str, exported_at: &str) -> String {
    record_id(&["warcinfo", file_name, exported_at])
}

fn record_id(parts: &[&str]) -> String {
    let mut text = String::from("claimwatch warc record v1\n");
    for part in parts {
        text.push_str(part);
        text.push('\n');
    }
    let digest = Sha256::digest(text.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    format!("<urn:uuid:{}>", uuid::Uuid::new_v8(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_8_uuids_and_stable() {
        let id = flag_record_id("ce5f861b0edc2caa4e36a78f020ea13b");
        assert_eq!(id, flag_record_id("ce5f861b0edc2caa4e36a78f020ea13b"));
        assert_ne!(id, flag_record_id("other"));
        let uuid = id
            .trim_start_matches("<urn:uuid:")
            .trim_end_matches('>')
            .parse::<uuid::Uuid>()
            .expect("a UUID");
        assert_eq!(uuid.get_version_num(), 8);
    }
}
