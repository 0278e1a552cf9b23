//! HTTPS against a loopback server with a certificate made for the test: a certificate no trusted
//! root vouches for is refused, one under a root the system trusts (`SSL_CERT_FILE`) is accepted
//! and its leaf kept with the capture. The trust roots are read when the first certificate is
//! checked, not when the run's HTTP clients are built.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;

use claimwatch::store::Outcome;

use crate::support::*;

const PAGE: &str = "<html><body><p>We are an authorized distributor of Analog Devices.</p>\
    </body></html>";

/// A certificate authority and a leaf for 127.0.0.1 signed by it.
struct Certificates {
    ca_pem: String,
    leaf: rcgen::CertifiedKey<rcgen::KeyPair>,
    ca_der: Vec<u8>,
}

fn certificates() -> Certificates {
    let ca_key = rcgen::KeyPair::generate().expect("make the CA's key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "claimwatch test root");
    let ca = ca_params.self_signed(&ca_key).expect("self-sign the CA");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = rcgen::KeyPair::generate().expect("make the leaf's key");
    let mut leaf_params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).expect("leaf parameters");
    leaf_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "shop.example");
    let leaf = leaf_params
        .signed_by(&leaf_key, &issuer)
        .expect("sign the leaf");
    Certificates {
        ca_pem: ca.pem(),
        ca_der: ca.der().to_vec(),
        leaf: rcgen::CertifiedKey {
            cert: leaf,
            signing_key: leaf_key,
        },
    }
}

/// An HTTPS server on 127.0.0.1 that answers every request with `PAGE` (robots.txt: 404), on a
/// thread of its own; returns its port.
fn serve_https(certificates: &Certificates) -> u16 {
    let chain = vec![
        certificates.leaf.cert.der().clone(),
        rustls::pki_types::CertificateDer::from(certificates.ca_der.clone()),
    ];
    let key =
        rustls::pki_types::PrivateKeyDer::try_from(certificates.leaf.signing_key.serialize_der())
            .expect("the leaf's key in PKCS#8");
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("default TLS versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("the leaf and its key"),
    );
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the HTTPS server");
    let port = listener.local_addr().expect("its address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                let Ok(connection) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(connection, stream);
                let mut request_line = String::new();
                let mut reader = BufReader::new(&mut tls);
                if reader.read_line(&mut request_line).is_err() {
                    return; // a refused handshake ends here
                }
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let (status, body) = if request_line.contains("/robots.txt") {
                    ("404 Not Found", "")
                } else {
                    ("200 OK", PAGE)
                };
                let reply = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\
                     Connection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(reply.as_bytes());
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    port
}

/// A workspace watching the HTTPS site at `port`, with a CA file beside it.
fn workspace(port: u16, certificates: &Certificates) -> (Workspace, std::path::PathBuf) {
    let seed = format!("https://127.0.0.1:{port}/");
    let ws = Workspace::new(&format!(
        "{}{}",
        fast_crawl(""),
        target("shop", &seed, "allow_private = true\nmax_pages = 1")
    ));
    let ca_file = ws.dir.path().join("root.pem");
    std::fs::write(&ca_file, &certificates.ca_pem).expect("write the CA file");
    (ws, ca_file)
}

/// `claimwatch crawl` trusting the roots in `ca_file`, or the system's own when `None`.
async fn crawl_trusting(ws: &Workspace, ca_file: Option<&std::path::Path>) -> std::process::Output {
    let mut command = ws.command(&["crawl"]);
    command
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR");
    if let Some(ca_file) = ca_file {
        command.env("SSL_CERT_FILE", ca_file);
    }
    command.output().await.expect("run claimwatch crawl")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_no_trusted_root_vouches_for_is_refused() {
    let certificates = certificates();
    let port = serve_https(&certificates);
    let (ws, _) = workspace(port, &certificates);
    // The system's own roots: none of them vouches for the test root.
    let output = crawl_trusting(&ws, None).await;
    let store = ws.open_store();
    let url = format!("https://127.0.0.1:{port}/");
    let captures = store.captures_for_url(&url).expect("read captures");
    assert_eq!(captures.len(), 1, "{captures:?}\n{}", stderr(&output));
    assert_eq!(captures[0].outcome, Outcome::Failed, "{captures:?}");
    assert_eq!(
        captures[0].size, None,
        "no body of an unverified site is kept"
    );
    let error = captures[0]
        .error
        .as_deref()
        .unwrap_or_default()
        .to_lowercase();
    assert!(error.contains("certificate"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_under_a_trusted_root_is_accepted_and_kept_with_the_capture() {
    let certificates = certificates();
    let port = serve_https(&certificates);
    let (ws, ca_file) = workspace(port, &certificates);
    let output = crawl_trusting(&ws, Some(&ca_file)).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    {
        // The store is read here and let go before `claims` opens it.
        let store = ws.open_store();
        let url = format!("https://127.0.0.1:{port}/");
        let captures = store.captures_for_url(&url).expect("read captures");
        assert_eq!(captures.len(), 1, "{captures:?}");
        assert_eq!(captures[0].status, Some(200), "{captures:?}");
        let tls = captures[0]
            .evidence
            .as_ref()
            .and_then(|e| e.tls.as_ref())
            .expect("the certificate is kept with the capture");
        assert!(tls.subject.contains("shop.example"), "{tls:?}");
        assert!(tls.issuer.contains("claimwatch test root"), "{tls:?}");
    }
    let listed = ws.run(&["claims", "--target", "shop"]).await;
    let claims = stdout(&listed);
    assert!(
        claims.contains("Analog Devices"),
        "{claims}{}",
        stderr(&listed)
    );
}
