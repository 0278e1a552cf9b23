//! A small loopback web server for built-in sites: the demo's, and the same one the tests and
//! benchmarks could use. Serves a fixed set of pages in one of two versions.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// One page: its content type and a body per version (the last one is served for any later
/// version; `None` means the page is gone: 404).
#[derive(Debug, Clone)]
pub struct Page {
    pub content_type: &'static str,
    pub versions: Vec<Option<Vec<u8>>>,
}

/// A site: path → page, and which version is being served.
#[derive(Debug, Default)]
pub struct Site {
    pub pages: HashMap<String, Page>,
    pub version: AtomicUsize,
}

impl Site {
    pub fn page(&mut self, path: &str, content_type: &'static str, versions: Vec<Option<Vec<u8>>>) {
        self.pages.insert(
            path.to_string(),
            Page {
                content_type,
                versions,
            },
        );
    }

    pub fn set_version(&self, version: usize) {
        self.version.store(version, Ordering::SeqCst);
    }
}

async fn serve_page(State(site): State<Arc<Site>>, uri: Uri) -> Response {
    let version = site.version.load(Ordering::SeqCst);
    let body = site.pages.get(uri.path()).and_then(|page| {
        let index = version.min(page.versions.len().saturating_sub(1));
        let body = page.versions.get(index).cloned().flatten()?;
        Some((page.content_type, body))
    });
    let mut response = match body {
        Some((content_type, body)) => {
            let mut response = Response::new(Body::from(body));
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            response
        }
        None => {
            let mut response = Response::new(Body::from("not found"));
            *response.status_mut() = StatusCode::NOT_FOUND;
            response
        }
    };
    response
        .headers_mut()
        .insert(header::SERVER, HeaderValue::from_static("claimwatch-demo"));
    response
}

/// Binds `addr` (port 0 for any) and serves `site` until `stop` is cancelled.
pub async fn start(
    site: Arc<Site>,
    addr: SocketAddr,
    stop: CancellationToken,
) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let app = Router::new().fallback(serve_page).with_state(site);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await;
    });
    Ok(bound)
}
