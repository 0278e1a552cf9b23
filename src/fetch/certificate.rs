//! The server's leaf certificate as evidence: who it names, who vouched for it, when it is
//! valid, and the SHA-256 of its DER bytes (what `openssl x509 -fingerprint -sha256` prints).

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, X509Certificate};

/// What a TLS peer's leaf certificate says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// RFC 4514 names.
    pub subject: String,
    pub issuer: String,
    /// RFC 3339.
    pub not_before: String,
    pub not_after: String,
    /// Hex SHA-256 of the DER bytes.
    pub sha256: String,
}

/// Reads a DER certificate; a certificate that does not parse still has its digest.
pub fn certificate(der: &[u8]) -> Certificate {
    let sha256 = hex::encode(Sha256::digest(der));
    match X509Certificate::from_der(der) {
        Ok((_, parsed)) => {
            let validity = parsed.validity();
            Certificate {
                subject: parsed.subject().to_string(),
                issuer: parsed.issuer().to_string(),
                not_before: rfc3339(validity.not_before.timestamp()),
                not_after: rfc3339(validity.not_after.timestamp()),
                sha256,
            }
        }
        Err(e) => Certificate {
            subject: format!("unreadable certificate: {e}"),
            issuer: String::new(),
            not_before: String::new(),
            not_after: String::new(),
            sha256,
        },
    }
}

fn rfc3339(seconds: i64) -> String {
    DateTime::<Utc>::from_timestamp(seconds, 0)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_else(|| format!("{seconds} seconds since 1970"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-signed certificate made for this test: `openssl req -x509 -newkey ec
    /// -pkeyopt ec_paramgen_curve:P-256 -subj "/CN=shop.example/O=Example Shop" -days 30
    /// -outform der`.
    const DER: &[u8] = include_bytes!("testdata/leaf.der");

    #[test]
    fn a_certificate_gives_its_names_validity_and_digest() {
        let cert = certificate(DER);
        assert_eq!(cert.subject, "CN=shop.example, O=Example Shop");
        assert_eq!(cert.issuer, cert.subject, "self-signed");
        assert!(cert.not_before < cert.not_after, "{cert:?}");
        assert!(cert.not_after.ends_with('Z'));
        assert_eq!(cert.sha256, hex::encode(Sha256::digest(DER)));
    }

    #[test]
    fn junk_still_has_a_digest() {
        let cert = certificate(b"not a certificate");
        assert!(cert.subject.starts_with("unreadable certificate"));
        assert_eq!(cert.sha256.len(), 64);
    }
}
