//! Turning one fetch result into a capture record: decide the outcome, decode the body, extract
//! the document. Plain sync CPU work, run on a blocking thread, except for a page that answers
//! with its last good body, which is not read and is recorded where it arrived.

use chrono::{DateTime, Utc};
use url::Url;

use super::canonical::canonical_str;
use super::challenge;
use crate::config::human_size;
use crate::extract::extract;
use crate::fetch::charset::{self, decode};
use crate::fetch::{Exchange, FetchError, Response};
use crate::store::{
    CaptureEvidence, CaptureHead, CaptureRecord, EncodingSource, NewCapture, Outcome, TlsDetails,
};

/// What the crawler knew about the request when it made it.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub run_id: u64,
    pub target: String,
    pub url: Url,
    pub depth: u32,
    pub started_at: DateTime<Utc>,
    /// The digest of the target's settings (`config::Target::settings_sha256`).
    pub settings_sha256: std::sync::Arc<str>,
}

impl Attempt {
    fn capture(&self, outcome: Outcome) -> NewCapture {
        NewCapture {
            head: CaptureHead {
                run_id: self.run_id,
                target: self.target.clone(),
                url: self.url.to_string(),
                final_url: self.url.to_string(),
                redirects: Vec::new(),
                captured_at: self.started_at,
                duration_ms: 0,
                outcome,
                status: None,
                headers: Vec::new(),
                content_type: None,
                encoding: None,
                encoding_source: None,
                ip: None,
                evidence: None,
            },
            body: None,
            truncated: false,
            error: None,
            depth: self.depth,
            document: None,
            same_document_as_before: None,
            body_sha256: None,
            links: None,
            view: None,
        }
    }

    /// A URL robots.txt disallows: recorded, never requested.
    pub fn robots_blocked(&self, reason: Option<&str>) -> NewCapture {
        let mut capture = self.capture(Outcome::RobotsBlocked);
        capture.error = Some(reason.unwrap_or("disallowed by robots.txt").to_string());
        capture
    }

    /// A page not requested because its site could not be crawled at all (robots.txt
    /// unreachable): recorded so the failure shows in the page's history.
    pub fn not_crawled(&self, reason: &str) -> NewCapture {
        let mut capture = self.capture(Outcome::Failed);
        capture.error = Some(format!("not crawled: {reason}"));
        capture
    }

    /// A request that produced no response.
    pub fn failed(&self, error: &FetchError, elapsed_ms: u64) -> NewCapture {
        let outcome = if error.is_refusal() {
            Outcome::Refused
        } else {
            Outcome::Failed
        };
        let mut capture = self.capture(outcome);
        capture.error = Some(error.to_string());
        capture.duration_ms = elapsed_ms;
        capture
    }

    /// A response: decoded and extracted when it is a good HTML page, unless its body is the
    /// one the page's last good capture had (`last_good`), whose document it then shares.
    pub fn responded(
        &self,
        response: Response,
        max_body: u64,
        last_good: Option<&LastGood>,
    ) -> NewCapture {
        let mut capture = self.capture(Outcome::HttpStatus);
        capture.final_url = response.final_url.to_string();
        capture.redirects = response.redirects.iter().map(Url::to_string).collect();
        capture.duration_ms = u64::try_from(response.elapsed.as_millis()).unwrap_or(u64::MAX);
        capture.status = Some(response.status);
        capture.headers = response.headers;
        capture.content_type = response.content_type;
        capture.ip = response.ip.map(|ip| ip.to_string());
        capture.truncated = response.truncated;
        capture.evidence = Some(Box::new(self.evidence(&response.exchange)));
        if response.truncated {
            capture.error = Some(format!("body cut at max_body ({})", human_size(max_body)));
        }
        if (200..300).contains(&response.status) {
            capture.outcome = Outcome::Ok;
            let sha256 = response.body_sha256;
            capture.body_sha256 = Some(sha256);
            match last_good.filter(|last| last.is_same_page(&capture, &sha256)) {
                Some(last) => {
                    capture.encoding = last.encoding.clone();
                    capture.encoding_source = last.encoding_source;
                    capture.same_document_as_before = last.document_sha256.clone();
                }
                None => classify_body(&mut capture, &response.body, &response.final_url),
            }
        }
        capture.body = Some(response.body);
        capture
    }
}

impl Attempt {
    /// The exchange as the capture keeps it for evidence.
    fn evidence(&self, exchange: &Exchange) -> CaptureEvidence {
        CaptureEvidence {
            request_line: exchange.request_line.clone(),
            request_headers: exchange.request_headers.clone(),
            http_version: Some(exchange.http_version.clone()),
            response_headers: exchange.response_headers.clone(),
            content_decoded: exchange.content_decoded.clone(),
            transfer_decoded: exchange.transfer_decoded.clone(),
            peer: exchange.peer.map(|peer| peer.to_string()),
            tls: exchange.certificate.as_ref().map(|cert| TlsDetails {
                // The HTTP library tells the certificate, not the protocol version.
                protocol: None,
                subject: cert.subject.clone(),
                issuer: cert.issuer.clone(),
                not_before: cert.not_before.clone(),
                not_after: cert.not_after.clone(),
                leaf_sha256: cert.sha256.clone(),
            }),
            tool: format!("claimwatch {}", env!("CARGO_PKG_VERSION")),
            settings_sha256: self.settings_sha256.to_string(),
        }
    }
}

/// What the crawl keeps of a page's last good capture: enough to know a body it gets again,
/// and what reading that body gave.
#[derive(Debug, Clone)]
pub struct LastGood {
    sha256: [u8; 32],
    content_type: Option<String>,
    encoding: Option<String>,
    encoding_source: Option<EncodingSource>,
    document_sha256: Option<String>,
}

impl LastGood {
    /// `None` for a capture that was not good or whose body was cut.
    pub fn of(record: &CaptureRecord) -> Option<LastGood> {
        if !record.is_good() || record.truncated {
            return None;
        }
        let mut sha256 = [0u8; 32];
        hex::decode_to_slice(record.sha256.as_deref()?, &mut sha256).ok()?;
        Some(LastGood {
            sha256,
            content_type: record.content_type.clone(),
            encoding: record.encoding.clone(),
            encoding_source: record.encoding_source,
            document_sha256: record.document_sha256.clone(),
        })
    }

    /// Whether a good response is this page again, byte for byte and read the same way: the
    /// same body under the same Content-Type (whose charset decides the decoding), and no
    /// challenge marked in its headers (a challenge page's body may be the real page's).
    fn is_same_page(&self, capture: &NewCapture, sha256: &[u8; 32]) -> bool {
        self.is_same(
            sha256,
            capture.truncated,
            &capture.content_type,
            &capture.headers,
        )
    }

    /// Whether `response` will be read as this page again ([`Attempt::responded`] then
    /// neither decodes nor parses it): a 2xx answer with the same body, whole, under the same
    /// Content-Type, and no challenge marked in its headers.
    pub fn is_answered_again_by(&self, response: &Response) -> bool {
        (200..300).contains(&response.status)
            && self.is_same(
                &response.body_sha256,
                response.truncated,
                &response.content_type,
                &response.headers,
            )
    }

    fn is_same(
        &self,
        sha256: &[u8; 32],
        truncated: bool,
        content_type: &Option<String>,
        headers: &[(String, String)],
    ) -> bool {
        &self.sha256 == sha256
            && !truncated
            && &self.content_type == content_type
            && challenge::by_headers(headers).is_none()
    }
}

/// Decides whether a 2xx body is a usable page, and if it is HTML extracts it.
fn classify_body(capture: &mut NewCapture, body: &[u8], final_url: &Url) {
    if body.iter().all(u8::is_ascii_whitespace) {
        capture.outcome = Outcome::Failed;
        capture.error = Some("empty body".to_string());
        return;
    }
    let kind = body_kind(capture.content_type.as_deref(), body);
    if kind == BodyKind::Other {
        return;
    }
    if looks_binary(body) {
        capture.outcome = Outcome::Failed;
        capture.error = Some("binary content served as text".to_string());
        return;
    }
    let decoded = decode(body, capture.content_type.as_deref(), final_url.host_str());
    capture.encoding = Some(decoded.encoding.to_string());
    capture.encoding_source = Some(recorded_source(decoded.source));
    if let Some(why) = challenge::detect(&capture.headers, &decoded.text) {
        capture.outcome = Outcome::Blocked;
        capture.error = Some(format!("blocked: {why}"));
        return;
    }
    if kind == BodyKind::Html {
        let document = extract(&decoded.text, final_url);
        capture.links = Some(
            document
                .links
                .iter()
                .filter_map(|l| canonical_str(&l.url))
                .map(String::from)
                .collect(),
        );
        capture.document = Some(document);
    }
}

/// The decoder's answer in the store's terms.
fn recorded_source(source: charset::EncodingSource) -> EncodingSource {
    match source {
        charset::EncodingSource::Bom => EncodingSource::Bom,
        charset::EncodingSource::Header => EncodingSource::Header,
        charset::EncodingSource::Meta => EncodingSource::Meta,
        charset::EncodingSource::Detected => EncodingSource::Detected,
        charset::EncodingSource::ValidUtf8 => EncodingSource::ValidUtf8,
        charset::EncodingSource::DeclarationContradicted => EncodingSource::DeclarationContradicted,
        charset::EncodingSource::EvidenceOverDomain => EncodingSource::EvidenceOverDomain,
    }
}

#[derive(Debug, PartialEq, Eq)]
enum BodyKind {
    Html,
    Text,
    Other,
}

fn body_kind(content_type: Option<&str>, body: &[u8]) -> BodyKind {
    let mime = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    match mime.as_deref() {
        Some("text/html" | "application/xhtml+xml") => BodyKind::Html,
        Some(m) if m.starts_with("text/") => BodyKind::Text,
        // No type: sniff like a browser would for markup.
        None | Some("") | Some("application/octet-stream") => {
            let head = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
            if head.trim_start().starts_with('<') && head.contains("<html") {
                BodyKind::Html
            } else {
                BodyKind::Other
            }
        }
        _ => BodyKind::Other,
    }
}

/// Text never holds NUL bytes (UTF-16 does, but it starts with a BOM).
fn looks_binary(body: &[u8]) -> bool {
    let head = &body[..body.len().min(8192)];
    let has_utf16_bom = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    !has_utf16_bom && head.contains(&0)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sha2::{Digest, Sha256};

    use super::*;
    use crate::fetch::Exchange;

    const PAGE: &[u8] = b"<p>Supplier to military programmes</p>";

    fn last_good() -> LastGood {
        LastGood {
            sha256: Sha256::digest(PAGE).into(),
            content_type: Some("text/html; charset=utf-8".into()),
            encoding: Some("UTF-8".into()),
            encoding_source: Some(EncodingSource::Header),
            document_sha256: Some("d0c".into()),
        }
    }

    fn response(body: &[u8]) -> Response {
        Response {
            final_url: Url::parse("http://shop.example/about").expect("a valid literal"),
            redirects: Vec::new(),
            status: 200,
            headers: Vec::new(),
            content_type: Some("text/html; charset=utf-8".into()),
            ip: None,
            body: body.to_vec(),
            body_sha256: Sha256::digest(body).into(),
            truncated: false,
            retry_after: None,
            elapsed: Duration::ZERO,
            exchange: Exchange {
                request_line: "GET /about HTTP/1.1".into(),
                request_headers: Vec::new(),
                http_version: "HTTP/1.1".into(),
                response_headers: Vec::new(),
                content_decoded: Vec::new(),
                transfer_decoded: Vec::new(),
                peer: None,
                certificate: None,
            },
        }
    }

    // A page taken for its last good body is recorded on the task that received it, without
    // being read: anything that would read it otherwise must not pass.
    #[test]
    fn only_the_last_good_body_under_the_same_type_and_no_challenge_is_answered_again() {
        let last = last_good();
        assert!(last.is_answered_again_by(&response(PAGE)));
        let mut changed = vec![
            response(b"<p>Supplier to civil programmes</p>"),
            response(PAGE),
            response(PAGE),
            response(PAGE),
            response(PAGE),
        ];
        changed[1].content_type = Some("text/html; charset=windows-1251".into());
        changed[2].truncated = true;
        changed[3].headers = vec![("cf-mitigated".into(), "challenge".into())];
        changed[4].status = 404;
        for response in changed {
            assert!(
                !last.is_answered_again_by(&response),
                "{:?} {:?} {} {:?}",
                response.content_type,
                response.headers,
                response.status,
                response.truncated
            );
        }
    }
}
