//! The HTTP messages of a capture as WARC blocks: the request as sent and the response head as
//! received, rebuilt from the capture record.
//!
//! The store keeps the body decoded (transfer and content codings undone), so the response's
//! head is made to describe the bytes that follow it: `Content-Encoding` and
//! `Transfer-Encoding` are renamed `X-Claimwatch-Received-Content-Encoding` and
//! `X-Claimwatch-Received-Transfer-Encoding`, a `Content-Length` that no longer fits is renamed
//! the same way, and a `Content-Length` of the stored body is added. Every change is listed in
//! the notes, which the capture's metadata record carries. Captures made before claimwatch
//! kept the whole exchange have only the status code and the headers it kept then: their
//! status line is rebuilt from the code, and the notes say so.

use crate::store::CaptureRecord;

/// The prefix of a received header renamed because it no longer describes the stored body.
pub const RECEIVED_PREFIX: &str = "X-Claimwatch-Received-";

/// The request record's block, when the capture kept its request.
pub fn request_block(capture: &CaptureRecord) -> Option<Vec<u8>> {
    let evidence = capture.evidence.as_ref()?;
    let mut head = format!("{}\r\n", evidence.request_line);
    for (name, value) in &evidence.request_headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    Some(head.into_bytes())
}

/// The response's status line and headers, ending in the blank line, for a body of `body_len`
/// stored bytes; and what was changed from what was received, in words.
pub fn response_head(capture: &CaptureRecord, body_len: usize) -> (Vec<u8>, Vec<String>) {
    let mut notes = Vec::new();
    let status = capture.status.unwrap_or(0);
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|code| code.canonical_reason())
        .unwrap_or("");
    let (version, received) = match &capture.evidence {
        Some(evidence) => (
            evidence
                .http_version
                .clone()
                .unwrap_or_else(|| "HTTP/1.1".into()),
            evidence.response_headers.clone(),
        ),
        None => {
            notes.push(
                "status line rebuilt from the status code (HTTP/1.1 assumed); headers: only \
                 those claimwatch kept when this capture was made"
                    .to_string(),
            );
            ("HTTP/1.1".to_string(), capture.headers.clone())
        }
    };
    let mut head = format!("{version} {status} {reason}\r\n");
    let mut has_length = false;
    for (name, value) in &received {
        let lower = name.to_ascii_lowercase();
        let stale = match lower.as_str() {
            "content-encoding" | "transfer-encoding" => true,
            "content-length" => value.trim() != body_len.to_string(),
            _ => false,
        };
        if stale {
            notes.push(format!(
                "received {name}: {value} renamed {RECEIVED_PREFIX}{name}: the body is stored decoded"
            ));
            head.push_str(&format!("{RECEIVED_PREFIX}{name}: {value}\r\n"));
        } else {
            has_length |= lower == "content-length";
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    if !has_length {
        head.push_str(&format!("Content-Length: {body_len}\r\n"));
    }
    head.push_str("\r\n");
    (head.into_bytes(), notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{CaptureEvidence, CaptureHead, Outcome};

    fn record(evidence: Option<CaptureEvidence>) -> CaptureRecord {
        CaptureRecord {
            id: 7,
            head: CaptureHead {
                run_id: 1,
                target: "acme".into(),
                url: "http://a.example/x".into(),
                final_url: "http://a.example/x".into(),
                redirects: Vec::new(),
                captured_at: chrono::Utc::now(),
                duration_ms: 1,
                outcome: Outcome::Ok,
                status: Some(200),
                headers: vec![("content-type".into(), "text/html".into())],
                content_type: Some("text/html".into()),
                encoding: None,
                encoding_source: None,
                ip: Some("127.0.0.1".into()),
                evidence: evidence.map(Box::new),
            },
            sha256: None,
            size: Some(3),
            truncated: false,
            error: None,
            depth: 0,
            has_document: false,
            document_sha256: None,
        }
    }

    #[test]
    fn an_old_capture_gets_a_rebuilt_status_line_and_says_so() {
        let (head, notes) = response_head(&record(None), 3);
        assert_eq!(
            String::from_utf8(head).expect("ASCII"),
            "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\nContent-Length: 3\r\n\r\n"
        );
        assert_eq!(notes.len(), 1);
        assert_eq!(request_block(&record(None)), None);
    }

    #[test]
    fn headers_of_the_encoded_body_are_renamed() {
        let evidence = CaptureEvidence {
            request_line: "GET /x HTTP/1.1".into(),
            request_headers: vec![("host".into(), "a.example".into())],
            http_version: Some("HTTP/1.1".into()),
            response_headers: vec![
                ("content-type".into(), "text/html".into()),
                ("content-encoding".into(), "gzip".into()),
                ("content-length".into(), "31".into()),
            ],
            content_decoded: vec!["gzip".into()],
            transfer_decoded: Vec::new(),
            peer: Some("127.0.0.1:80".into()),
            tls: None,
            tool: "claimwatch 0.1.0".into(),
            settings_sha256: "0".repeat(64),
        };
        let capture = record(Some(evidence));
        let (head, notes) = response_head(&capture, 3);
        assert_eq!(
            String::from_utf8(head).expect("ASCII"),
            "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\n\
             X-Claimwatch-Received-content-encoding: gzip\r\n\
             X-Claimwatch-Received-content-length: 31\r\nContent-Length: 3\r\n\r\n"
        );
        assert_eq!(notes.len(), 2);
        assert_eq!(
            request_block(&capture).expect("kept"),
            b"GET /x HTTP/1.1\r\nhost: a.example\r\n\r\n"
        );
    }
}
