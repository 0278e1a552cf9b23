//! A small loopback web server for built-in sites: the demo's, and the same one the benchmarks
//! use. Serves a fixed set of pages in one of several versions; a page can also be drawn anew on
//! every visit, as real sites draw their featured products and news boxes.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Draws a page's body for (version, visit number); `None` means the page is gone: 404.
pub type Draw = Arc<dyn Fn(usize, u64) -> Option<Vec<u8>> + Send + Sync>;

/// One page: its content type and how its body is drawn.
#[derive(Clone)]
pub struct Page {
    pub content_type: &'static str,
    pub draw: Draw,
}

/// A site: path → page, which version is being served, and how many pages it served.
#[derive(Default)]
pub struct Site {
    pub pages: HashMap<String, Page>,
    pub version: AtomicUsize,
    visits: AtomicU64,
}

impl Site {
    /// A page with one body per version (the last one is served for any later version; `None`
    /// means the page is gone: 404).
    pub fn page(&mut self, path: &str, content_type: &'static str, versions: Vec<Option<Vec<u8>>>) {
        self.drawn(path, content_type, move |version, _| {
            versions
                .get(version.min(versions.len().saturating_sub(1)))
                .cloned()
                .flatten()
        });
    }

    /// A page drawn anew on every visit.
    pub fn drawn(
        &mut self,
        path: &str,
        content_type: &'static str,
        draw: impl Fn(usize, u64) -> Option<Vec<u8>> + Send + Sync + 'static,
    ) {
        self.pages.insert(
            path.to_string(),
            Page {
                content_type,
                draw: Arc::new(draw),
            },
        );
    }

    pub fn set_version(&self, version: usize) {
        self.version.store(version, Ordering::SeqCst);
    }
}

async fn serve_page(State(site): State<Arc<Site>>, uri: Uri) -> Response {
    let version = site.version.load(Ordering::SeqCst);
    let visit = site.visits.fetch_add(1, Ordering::Relaxed);
    let body = site
        .pages
        .get(uri.path())
        .and_then(|page| Some((page.content_type, (page.draw)(version, visit)?)));
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
