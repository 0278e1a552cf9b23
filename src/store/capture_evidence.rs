//! What a capture keeps for evidence beyond what detection needs: the request as sent, the
//! response's status line and headers as received, how the body was decoded, the peer, TLS,
//! the tool and the settings in force. Captures made before claimwatch kept these have none;
//! what they do keep (status, the headers that mattered, the address) still exports.

use serde::{Deserialize, Serialize};

/// The evidence of one fetch (its last hop, after any redirects).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureEvidence {
    /// The request line as sent: `GET /about?x=1 HTTP/1.1`.
    pub request_line: String,
    /// The request headers as sent, in order.
    pub request_headers: Vec<(String, String)>,
    /// The response's HTTP version as received: `HTTP/1.1`, `HTTP/2.0`. `None` when no
    /// response came.
    pub http_version: Option<String>,
    /// Every response header as received, in order (names as the HTTP library gives them:
    /// lower-case).
    pub response_headers: Vec<(String, String)>,
    /// The content codings claimwatch decoded, in the order applied (`["gzip"]`); empty when
    /// the body came as it is stored.
    pub content_decoded: Vec<String>,
    /// The transfer codings removed by the HTTP library (`["chunked"]`).
    pub transfer_decoded: Vec<String>,
    /// The address and port connected to: `203.0.113.5:443`.
    pub peer: Option<String>,
    /// The TLS session, for an https URL.
    pub tls: Option<TlsDetails>,
    /// The tool and version that made the capture: `claimwatch 0.1.0`.
    pub tool: String,
    /// Hex SHA-256 of the settings the target was crawled with (`claimwatch check` prints the
    /// same digest beside each target's plan).
    pub settings_sha256: String,
}

/// The server's certificate as presented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsDetails {
    /// The TLS version negotiated, when the HTTP library tells it (`TLSv1.3`).
    pub protocol: Option<String>,
    /// The leaf certificate's subject and issuer, as RFC 4514 names.
    pub subject: String,
    pub issuer: String,
    /// Its validity, RFC 3339.
    pub not_before: String,
    pub not_after: String,
    /// Hex SHA-256 of the leaf certificate's DER bytes.
    pub leaf_sha256: String,
}
