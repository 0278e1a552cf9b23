//! One capture as an investigator inspects it: its record (addresses, status, headers, the
//! encoding it was read in and where that came from, the address connected to, digest, whether
//! the body was cut; what it kept for evidence: the request, the peer, TLS, the tool, the
//! settings; the id of its WARC record) and its extracted text block by block, claims marked.
//! `claimwatch show` prints it; the review UI's capture page renders the same data.

use crate::claims::Matcher;
use crate::export::warc::ids::{CaptureRole, capture_record_id};
use crate::extract::BlockKind;
use crate::store::{CaptureRecord, EncodingSource, Outcome, Store, StoreError};

/// One capture, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureView {
    pub record: CaptureRecord,
    /// (label, value) pairs of the record, in reading order; values are crawled text.
    pub fields: Vec<(&'static str, String)>,
    /// The extracted text; empty when the capture has no document.
    pub blocks: Vec<ShownBlock>,
}

/// One block of extracted text.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownBlock {
    /// "title", "h", "p", "li", "td", "meta", "alt", "title-attr".
    pub kind: &'static str,
    pub text: String,
    /// The rules of the claims found in this block ("military-en"), if any.
    pub claims: Vec<String>,
    /// Inside navigation, a header, a footer or a sidebar.
    pub boilerplate: bool,
}

/// The capture with this id, or `None` when the store holds no such capture.
pub fn capture(
    store: &Store,
    matcher: &Matcher,
    id: u64,
) -> Result<Option<CaptureView>, StoreError> {
    let Some(record) = store.capture(id)? else {
        return Ok(None);
    };
    let mut blocks = Vec::new();
    if let Some(document) = store.document_of(&record)? {
        let claims = matcher.claims(&document);
        for block in &document.blocks {
            let rules: Vec<String> = claims
                .iter()
                .filter(|c| block.text.contains(c.text.as_str()) && c.block == block.kind)
                .map(|c| c.rule.clone())
                .fold(Vec::new(), |mut rules, rule| {
                    if !rules.contains(&rule) {
                        rules.push(rule);
                    }
                    rules
                });
            blocks.push(ShownBlock {
                kind: kind_label(block.kind),
                text: block.text.clone(),
                claims: rules,
                boilerplate: block.region.boilerplate,
            });
        }
    }
    Ok(Some(CaptureView {
        fields: fields(&record),
        record,
        blocks,
    }))
}

fn fields(r: &CaptureRecord) -> Vec<(&'static str, String)> {
    let mut out = vec![
        ("capture", r.id.to_string()),
        ("target", r.target.clone()),
        ("run", r.run_id.to_string()),
        ("url", r.url.clone()),
    ];
    if r.final_url != r.url {
        out.push(("final url", r.final_url.clone()));
    }
    for (i, hop) in r.redirects.iter().enumerate() {
        out.push(("redirect", format!("{}. {hop}", i + 1)));
    }
    out.push((
        "captured at",
        r.captured_at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
    ));
    out.push(("took", format!("{} ms", r.duration_ms)));
    out.push(("outcome", outcome_label(r.outcome).to_string()));
    if let Some(status) = r.status {
        out.push(("http status", status.to_string()));
    }
    if let Some(ip) = &r.ip {
        out.push(("ip", ip.clone()));
    }
    if let Some(ct) = &r.content_type {
        out.push(("content type", ct.clone()));
    }
    if let Some(encoding) = &r.encoding {
        let from = r.encoding_source.map(source_label).unwrap_or("unknown");
        out.push(("encoding", format!("{encoding} (from {from})")));
    }
    if let Some(sha) = &r.sha256 {
        out.push(("sha256", sha.clone()));
    }
    if let Some(size) = r.size {
        out.push(("size", format!("{size} bytes")));
    }
    out.push((
        "body",
        if r.truncated {
            "cut at max_body".to_string()
        } else {
            "whole".to_string()
        },
    ));
    if let Some(error) = &r.error {
        out.push(("error", error.clone()));
    }
    for (name, value) in &r.headers {
        out.push(("header", format!("{name}: {value}")));
    }
    if let Some(evidence) = &r.evidence {
        out.push(("request", evidence.request_line.clone()));
        if let Some(peer) = &evidence.peer {
            out.push(("peer", peer.clone()));
        }
        if !evidence.content_decoded.is_empty() {
            out.push(("decoded", evidence.content_decoded.join(", ")));
        }
        if let Some(tls) = &evidence.tls {
            out.push(("tls subject", tls.subject.clone()));
            out.push(("tls issuer", tls.issuer.clone()));
            out.push((
                "tls valid",
                format!("{} to {}", tls.not_before, tls.not_after),
            ));
            out.push(("tls sha256", tls.leaf_sha256.clone()));
        }
        out.push(("tool", evidence.tool.clone()));
        out.push(("settings", format!("sha256 {}", evidence.settings_sha256)));
    }
    if r.status.is_some() {
        // The id its response (or revisit) record has in any WARC export.
        out.push(("warc record", capture_record_id(r, CaptureRole::Response)));
    }
    out
}

fn kind_label(kind: BlockKind) -> &'static str {
    match kind {
        BlockKind::Title => "title",
        BlockKind::Heading => "h",
        BlockKind::Text => "p",
        BlockKind::ListItem => "li",
        BlockKind::TableCell => "td",
        BlockKind::MetaDescription => "meta",
        BlockKind::Alt => "alt",
        BlockKind::TitleAttr => "title-attr",
    }
}

fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Ok => "ok",
        Outcome::HttpStatus => "http status",
        Outcome::Failed => "failed",
        Outcome::RobotsBlocked => "robots-blocked",
        Outcome::Refused => "refused",
        Outcome::Blocked => "blocked (challenge page)",
    }
}

fn source_label(source: EncodingSource) -> &'static str {
    match source {
        EncodingSource::Bom => "a byte order mark",
        EncodingSource::Header => "the Content-Type header",
        EncodingSource::Meta => "the page's <meta> charset",
        EncodingSource::Detected => "detection",
        EncodingSource::ValidUtf8 => "the bytes: valid UTF-8, whatever the page declared",
        EncodingSource::DeclarationContradicted => {
            "detection, over the declared charset, whose decode broke or read as less plausible \
             text"
        }
        EncodingSource::EvidenceOverDomain => {
            "detection against the domain's usual encoding: the text read at least as well, or \
             character frequencies chose between CJK encodings"
        }
    }
}
