//! The review desk: a web UI where investigators go through cases, read what changed, and record
//! their decisions, with a JSON API for tools (`claimwatch serve`).
//!
//! Everything is rendered on the server, with templates that escape by construction (maud), and
//! the pages carry no JavaScript at all, so a Content-Security-Policy without any script source
//! holds on every response. Crawled HTML is never rendered: pages show extracted text, escaped,
//! and crawled URLs only as text, so the investigator's browser never contacts a watched site.
//!
//! - [`security`]: the token, the Host check, cross-site refusals and the headers every response
//!   carries.
//! - [`query`]: the URL parameters of the list and the API.
//! - [`load`]: what a page shows, read from the store (plain data).
//! - [`pages`]: HTML for that data, shared with the report (`crate::report`).
//! - [`routes`] and [`api`]: the handlers.

pub mod api;
pub mod load;
pub mod pages;
pub mod query;
pub mod routes;
pub mod security;
pub mod svg;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use tokio::net::TcpListener;

use chrono::{SubsecRound, Utc};

use crate::cases::{Case, cases};
use crate::claims::{ClaimsError, Matcher};
use crate::config::Config;
use crate::flags::{Review, ReviewStatus};
use crate::store::{Store, StoreError};
use routes::AppState;
use security::Guard;

/// Why the desk could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A desk reachable from other machines without a token would hand the store to anyone on
    /// the network.
    #[error(
        "{0} is not a loopback address: reaching the desk from other machines needs --token \
         (every request must then carry it)"
    )]
    TokenRequired(SocketAddr),
    #[error("the token must not be empty")]
    EmptyToken,
    #[error("cannot generate the desk's secret: {0}")]
    Secret(String),
    #[error(transparent)]
    Claims(#[from] ClaimsError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the desk's listener failed: {0}")]
    Io(#[from] std::io::Error),
}

/// How the desk is reached.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// When set, every request must carry it (`Authorization: Bearer`, or the cookie that
    /// visiting `/?token=…` once sets). Required for a non-loopback address.
    pub token: Option<String>,
}

/// What the desk reads and writes: the store, and the watch-list with its claim rules (to name
/// targets and to mark claims in captures).
pub struct Desk {
    pub store: Arc<Store>,
    pub config: Config,
    pub matcher: Matcher,
    /// Every case, as of a version of the store's flags: grouping thousands of flags into
    /// cases reads every flag and its capture, too slow to do on every page.
    cases: Mutex<Option<(u64, Arc<Vec<Case>>)>>,
}

impl Desk {
    pub fn new(store: Arc<Store>, config: Config) -> Result<Desk, ServeError> {
        let matcher = Matcher::new(&config.manufacturers, &config.rules, &config.disabled_packs)?;
        Ok(Desk {
            store,
            config,
            matcher,
            cases: Mutex::new(None),
        })
    }

    /// Every case, newest first, computed again only when the flags changed.
    pub fn cases(&self) -> Result<Arc<Vec<Case>>, StoreError> {
        // Held while computing, so that requests arriving meanwhile wait for this result
        // rather than each computing their own.
        let mut cached = self.cases.lock().unwrap_or_else(|e| e.into_inner());
        let version = self.store.flags_version();
        if let Some((seen, cases)) = cached.as_ref()
            && *seen == version
        {
            return Ok(cases.clone());
        }
        let fresh = Arc::new(cases(&self.store, self.store.flags()?)?);
        *cached = Some((version, fresh.clone()));
        Ok(fresh)
    }

    /// Records a decision on these flags, stamped now, and flushes it to disk. Returns how
    /// many of them exist.
    pub fn review(
        &self,
        flag_ids: &[String],
        status: ReviewStatus,
        note: Option<String>,
    ) -> Result<usize, StoreError> {
        let review = Review {
            status,
            note,
            reviewed_at: Some(Utc::now().trunc_subsecs(0)),
        };
        let mut done = 0;
        for id in flag_ids {
            if self.store.set_review(id, review.clone())? {
                done += 1;
            }
        }
        self.store.flush()?;
        Ok(done)
    }
}

/// Longest note a review may carry, in characters.
pub const MAX_NOTE: usize = 10_000;

/// A reviewer's note as given: blank means none; too long is refused.
pub fn review_note(text: &str) -> Result<Option<String>, String> {
    let text = text.trim();
    if text.chars().count() > MAX_NOTE {
        return Err(format!("a note may hold at most {MAX_NOTE} characters"));
    }
    Ok((!text.is_empty()).then(|| text.to_string()))
}

/// Serves the desk on `listener` until `shutdown` completes, then finishes the requests in hand
/// and returns. Refuses a non-loopback listener without a token.
pub async fn serve(
    listener: TcpListener,
    desk: Desk,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let app = app(desk, &options, listener.local_addr()?)?;
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// The desk's routes behind its guard, for a listener bound to `addr`.
pub fn app(desk: Desk, options: &ServeOptions, addr: SocketAddr) -> Result<Router, ServeError> {
    let guard = Arc::new(Guard::new(options.token.clone(), addr)?);
    let state = AppState {
        desk: Arc::new(desk),
        guard: guard.clone(),
    };
    Ok(routes::router()
        .merge(api::router())
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(guard, security::guard)))
}
