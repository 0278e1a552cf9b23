//! The blocks of metadata records: for a capture, everything known of it that the HTTP
//! records cannot say (how it ended, how the body was decoded, the peer, TLS, the tool, the
//! settings, its custody entry), as `application/warc-fields`; for a flag, the flag record and
//! the WARC records of the captures it stands on, as JSON.

use serde_json::json;

use crate::flags::Flag;
use crate::store::{CaptureRecord, CustodyHead, EncodingSource};

/// Why a capture made before claimwatch kept the whole exchange lacks part of it.
const NOT_RECORDED: &str =
    "not recorded: the capture was made by a claimwatch that did not keep it";

/// A capture's metadata block: `name: value` lines. `notes` are what the response record
/// changed from what was received.
pub fn capture_fields(
    capture: &CaptureRecord,
    notes: &[String],
    custody: Option<&CustodyHead>,
) -> Vec<u8> {
    let mut lines: Vec<(&str, String)> = vec![
        ("capture-id", capture.id.to_string()),
        ("run", capture.run_id.to_string()),
        ("target", capture.target.clone()),
        ("url", capture.url.clone()),
    ];
    lines.extend(
        capture
            .redirects
            .iter()
            .map(|hop| ("redirect", hop.clone())),
    );
    lines.push(("captured-at", super::record::warc_date(capture.captured_at)));
    lines.push(("duration-ms", capture.duration_ms.to_string()));
    lines.push(("outcome", capture.status_word()));
    if let Some(error) = &capture.error {
        lines.push(("error", error.clone()));
    }
    if let Some(sha256) = &capture.sha256 {
        lines.push(("body-sha256", sha256.clone()));
    }
    if let Some(size) = capture.size {
        lines.push(("body-size", size.to_string()));
    }
    if capture.truncated {
        lines.push(("body-truncated", "cut at max_body".into()));
    }
    if let Some(encoding) = &capture.encoding {
        let from = capture.encoding_source.map_or("", source_words);
        lines.push(("text-encoding", format!("{encoding}{from}")));
    }
    match &capture.evidence {
        Some(evidence) => {
            lines.push((
                "body-decoding",
                decoding(&evidence.content_decoded, &evidence.transfer_decoded),
            ));
            let peer = evidence.peer.clone().or_else(|| capture.ip.clone());
            lines.extend(peer.map(|peer| ("peer", peer)));
            if let Some(tls) = &evidence.tls {
                lines.push((
                    "tls-protocol",
                    tls.protocol
                        .clone()
                        .unwrap_or_else(|| "not told by the HTTP library".into()),
                ));
                lines.push(("tls-subject", tls.subject.clone()));
                lines.push(("tls-issuer", tls.issuer.clone()));
                lines.push(("tls-not-before", tls.not_before.clone()));
                lines.push(("tls-not-after", tls.not_after.clone()));
                lines.push(("tls-leaf-sha256", tls.leaf_sha256.clone()));
            }
            lines.push(("tool", evidence.tool.clone()));
            lines.push(("settings-sha256", evidence.settings_sha256.clone()));
        }
        None if capture.status.is_some() => {
            lines.push(("request", NOT_RECORDED.into()));
            lines.push((
                "body-decoding",
                "as the HTTP client handed it: any content coding it undid is not recorded".into(),
            ));
            if let Some(ip) = &capture.ip {
                lines.push(("peer", format!("{ip} (port not recorded)")));
            }
            lines.push(("tls", NOT_RECORDED.into()));
            lines.push(("tool", NOT_RECORDED.into()));
        }
        None => {}
    }
    lines.extend(notes.iter().map(|note| ("note", note.clone())));
    if let Some(entry) = custody {
        lines.push(("custody-entry", format!("{} {}", entry.seq, entry.hash)));
    }
    let mut block = String::new();
    for (name, value) in lines {
        block.push_str(&format!("{name}: {}\r\n", value.replace(['\r', '\n'], " ")));
    }
    block.into_bytes()
}

/// How the stored body was decoded from what came over the wire.
fn decoding(content: &[String], transfer: &[String]) -> String {
    let mut said = Vec::new();
    if !transfer.is_empty() {
        said.push(format!("transfer codings removed: {}", transfer.join(", ")));
    }
    if !content.is_empty() {
        said.push(format!("content codings decoded: {}", content.join(", ")));
    }
    if said.is_empty() {
        "none: stored as received".into()
    } else {
        said.join("; ")
    }
}

fn source_words(source: EncodingSource) -> &'static str {
    match source {
        EncodingSource::Bom => " (from a byte order mark)",
        EncodingSource::Header => " (from the Content-Type header)",
        EncodingSource::Meta => " (from a meta charset)",
        EncodingSource::Detected => " (detected)",
        EncodingSource::ValidUtf8 => " (valid UTF-8)",
        EncodingSource::DeclarationContradicted => {
            " (detected: the declared charset misread the text)"
        }
        EncodingSource::EvidenceOverDomain => " (detected against the domain's prior)",
    }
}

/// One side of a flag (before, after) and the records of its capture.
#[derive(Debug, Clone)]
pub struct FlagSide {
    pub capture: CaptureRecord,
    /// The capture's main record (response, revisit, or its metadata when no response came).
    pub record_id: String,
    pub request_id: Option<String>,
}

/// A flag's metadata block: the flag record exactly as `flags --format jsonl` prints it, and
/// for each side the capture and the ids of its WARC records.
pub fn flag_json(
    flag: &Flag,
    before: Option<&FlagSide>,
    after: Option<&FlagSide>,
    custody: Option<&CustodyHead>,
) -> Vec<u8> {
    let side = |side: Option<&FlagSide>| {
        side.map(|s| {
            json!({
                "capture_id": s.capture.id.to_string(),
                "warc_record_id": s.record_id,
                "warc_request_record_id": s.request_id,
                "target_uri": s.capture.final_url,
            })
        })
    };
    let value = json!({
        "flag": flag,
        "before": side(before),
        "after": side(after),
        "custody_entry": custody.map(|c| json!({"seq": c.seq, "hash": c.hash})),
    });
    serde_json::to_vec_pretty(&value).expect("a JSON value always serialises")
}
