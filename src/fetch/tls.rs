//! The TLS settings of a run: one rustls configuration shared by every HTTP client of the run,
//! whose trust roots are loaded from the system the first time a certificate is checked.
//!
//! Left to itself, the HTTP library reads and parses every certificate file of the system's
//! trust store each time a client is built: a few milliseconds and a few hundred file
//! operations per client, paid again whenever clients are renewed, and paid by runs that reach
//! no HTTPS site at all. Verification itself is the platform verifier's, unchanged.

use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use super::FetchError;

/// The TLS configuration for the clients of one run: TLS 1.2 and 1.3, HTTP/2 or HTTP/1.1 by
/// ALPN (as the HTTP library offers when it builds its own), and the system's trust roots,
/// loaded once, when first needed.
pub fn client_config() -> Result<rustls::ClientConfig, FetchError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| FetchError::Transport(format!("cannot set up TLS: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(RootsWhenNeeded {
            provider,
            verifier: OnceLock::new(),
        }))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The platform verifier, made (and the system's roots read) on the first certificate to
/// check. Handshake signatures need no roots and are checked as the platform verifier checks
/// them, with the provider's algorithms.
#[derive(Debug)]
struct RootsWhenNeeded {
    provider: Arc<CryptoProvider>,
    verifier: OnceLock<Result<rustls_platform_verifier::Verifier, rustls::Error>>,
}

impl RootsWhenNeeded {
    fn verifier(&self) -> Result<&rustls_platform_verifier::Verifier, rustls::Error> {
        self.verifier
            .get_or_init(|| rustls_platform_verifier::Verifier::new(self.provider.clone()))
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl ServerCertVerifier for RootsWhenNeeded {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.verifier()?.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_roots_are_not_read_until_a_certificate_is_checked() {
        let config = client_config().expect("the default provider supports the default versions");
        assert_eq!(
            config.alpn_protocols,
            [b"h2".to_vec(), b"http/1.1".to_vec()]
        );
        let verifier = RootsWhenNeeded {
            provider: Arc::new(rustls::crypto::aws_lc_rs::default_provider()),
            verifier: OnceLock::new(),
        };
        assert!(!verifier.supported_verify_schemes().is_empty());
        assert!(verifier.verifier.get().is_none());
    }
}
