//! The crawl of one target: seeds, pages known from earlier runs and sitemaps into the frontier,
//! then one page at a time: robots, politeness, fetch, capture, links.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::OnCapture;
use super::canonical::{canonical_str, canonicalize};
use super::capture::{Attempt, LastGood};
use super::frontier::Frontier;
use super::host::{Host, Hosts};
use super::robots::{MAX_ROBOTS_BYTES, Robots};
use super::scope::Scope;
use super::sitemap::{self, MAX_SITEMAP_BYTES};
use super::writer::{CaptureWriter, Receipt};
use crate::claims::{Matcher, PageView};
use crate::config::{CrawlSettings, Target, human_size};
use crate::fetch::{FetchError, FetchSettings, Fetcher, HttpClients, Response, Turn};
use crate::store::{
    CaptureRecord, NewCapture, PageRecord, PreparedCapture, Store, StoreError, TargetCounts,
};

/// At most this many sitemap files are read per target per run.
const MAX_SITEMAP_FILES: usize = 10;

/// robots.txt of every origin, fetched once per run whoever asks first.
#[derive(Debug, Default)]
pub struct RobotsCache {
    origins: Mutex<HashMap<String, Arc<OnceCell<Arc<Robots>>>>>,
}

impl RobotsCache {
    fn cell(&self, origin: &str) -> Arc<OnceCell<Arc<Robots>>> {
        let mut origins = self.origins.lock().unwrap_or_else(|p| p.into_inner());
        origins.entry(origin.to_string()).or_default().clone()
    }
}

/// Everything one target's crawl needs.
pub struct TargetCrawl {
    pub target: Target,
    pub store: Arc<Store>,
    /// Where captures go to be written; the store is read directly.
    pub writer: CaptureWriter,
    pub hosts: Arc<Hosts>,
    pub robots: Arc<RobotsCache>,
    /// The run's HTTP clients.
    pub clients: Arc<HttpClients>,
    pub run_id: u64,
    pub cancel: CancellationToken,
    pub on_capture: Option<OnCapture>,
    /// Permits for CPU-heavy work (decoding, parsing, extraction): one per core, shared by all
    /// targets, so the number of parsed pages held in memory at once follows the cores, not
    /// the number of targets.
    pub cpu: Arc<tokio::sync::Semaphore>,
    /// Set by the first capture the store could not write: the run stops there, since every
    /// later capture would be lost too (a full disk, a failing device).
    pub store_failure: Arc<std::sync::OnceLock<String>>,
    /// The run's claim rules, for the views of the pages read (`CrawlShared::matcher`).
    pub matcher: Option<Arc<Matcher>>,
}

/// The state of a crawl in progress.
struct Crawling<'a> {
    job: &'a TargetCrawl,
    settings: &'a CrawlSettings,
    fetcher: Fetcher,
    scope: Scope,
    frontier: Frontier,
    counts: TargetCounts,
    pages_before: Vec<PageRecord>,
    captures: Vec<CaptureRecord>,
    /// The writes of `captures`, answered once the writer has written them.
    receipts: Vec<Receipt>,
    /// URLs whose last capture before this run answered 404 or 410: not fetched again from
    /// history, and behind every live URL when a link leads to them.
    known_gone: HashSet<String>,
    /// Each page's last good capture before this run, by URL: a body received again is not
    /// read again.
    last_good: HashMap<String, LastGood>,
    /// The digest of the settings this crawl runs under, recorded on every capture.
    settings_sha256: std::sync::Arc<str>,
}

/// What one target's crawl produced, handed up to the run.
pub struct TargetOutcome {
    pub target: Target,
    pub counts: TargetCounts,
    /// The target's pages as the store knew them before this run.
    pub pages_before: Vec<PageRecord>,
    /// The captures this run stored.
    pub captures: Vec<CaptureRecord>,
}

impl TargetCrawl {
    pub async fn run(self) -> TargetOutcome {
        let settings = &self.target.settings;
        let mut counts = TargetCounts {
            target: self.target.id.clone(),
            ..TargetCounts::default()
        };
        let fetch_settings = FetchSettings {
            user_agent: settings.user_agent.clone(),
            timeout: settings.timeout,
            allow_private: self.target.private_allowed(),
        };
        let fetcher = match Fetcher::new(fetch_settings, &self.clients) {
            Ok(fetcher) => fetcher,
            Err(e) => {
                counts.error = Some(e.to_string());
                return TargetOutcome {
                    target: self.target,
                    counts,
                    pages_before: Vec::new(),
                    captures: Vec::new(),
                };
            }
        };
        let mut crawling = Crawling {
            job: &self,
            settings,
            fetcher,
            scope: Scope::for_target(&self.target),
            frontier: Frontier::new(settings.max_pages, settings.max_depth),
            counts,
            pages_before: Vec::new(),
            captures: Vec::new(),
            receipts: Vec::new(),
            known_gone: HashSet::new(),
            last_good: HashMap::new(),
            settings_sha256: self.target.settings_sha256().into(),
        };
        crawling.seed().await;
        crawling.crawl().await;
        crawling.settle().await;
        let Crawling {
            counts,
            pages_before,
            captures,
            ..
        } = crawling;
        TargetOutcome {
            target: self.target,
            counts,
            pages_before,
            captures,
        }
    }
}

impl Crawling<'_> {
    /// Seeds, then every page captured in an earlier run, then the sitemaps.
    async fn seed(&mut self) {
        for seed in &self.job.target.seeds {
            if let Some(url) = canonicalize(seed) {
                self.frontier.push_any_depth(url, 0);
            }
        }
        let id = &self.job.target.id;
        match self.job.store.pages(id) {
            Ok(pages) => {
                let mut known = 0;
                for page in &pages {
                    let Some(url) = canonical_str(&page.url).filter(|u| self.scope.wants(u)) else {
                        continue;
                    };
                    self.remember_last_good(page);
                    if self.was_gone(page) {
                        self.known_gone.insert(url.into());
                    } else if self.frontier.push_any_depth(url, page.depth) {
                        known += 1;
                    }
                }
                tracing::debug!(
                    "{id}: frontier seeded: {} seeds, {known} pages known from earlier runs, {} \
                     known gone (404/410: fetched again only when a link leads there and no live \
                     page wants the budget)",
                    self.job.target.seeds.len(),
                    self.known_gone.len()
                );
                self.pages_before = pages;
            }
            Err(e) => tracing::warn!("{id}: cannot read known pages: {e}"),
        }
        let mut origins: Vec<Url> = Vec::new();
        for seed in &self.job.target.seeds {
            if let Ok(origin) = seed.join("/")
                && !origins.contains(&origin)
            {
                origins.push(origin);
            }
        }
        for origin in origins {
            if self.job.cancel.is_cancelled() {
                return;
            }
            self.read_sitemaps(&origin).await;
        }
    }

    fn remember_last_good(&mut self, page: &PageRecord) {
        let Some(id) = page.last_good_capture else {
            return;
        };
        match self.job.store.capture(id) {
            Ok(Some(capture)) => {
                if let Some(last) = LastGood::of(&capture) {
                    self.last_good.insert(page.url.clone(), last);
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("{}: cannot read capture {id}: {e}", page.target),
        }
    }

    /// Whether the page's last capture answered 404 or 410.
    fn was_gone(&self, page: &PageRecord) -> bool {
        if page.last_good_capture == Some(page.last_capture) {
            return false;
        }
        match self.job.store.capture(page.last_capture) {
            Ok(capture) => capture.is_some_and(|c| c.is_gone()),
            Err(e) => {
                tracing::warn!(
                    "{}: cannot read capture {}: {e}",
                    page.target,
                    page.last_capture
                );
                false
            }
        }
    }

    /// Queues a link or a sitemap entry: behind every live URL if it is known gone.
    fn push_found(&mut self, url: Url, depth: u32) -> bool {
        if self.known_gone.contains(url.as_str()) {
            self.frontier.push_known_gone(url, depth)
        } else {
            self.frontier.push(url, depth)
        }
    }

    async fn read_sitemaps(&mut self, origin: &Url) {
        let robots = self.robots_for(origin).await;
        if matches!(*robots, Robots::DisallowAll { .. }) {
            return;
        }
        let mut queue: Vec<String> = robots.sitemaps().to_vec();
        if let Ok(default) = origin.join("/sitemap.xml") {
            let default = default.to_string();
            if !queue.contains(&default) {
                queue.push(default);
            }
        }
        let mut read = 0;
        while let Some(next) = queue.pop() {
            if read >= MAX_SITEMAP_FILES {
                break;
            }
            let Some(url) = canonical_str(&next).filter(|u| self.scope.host_in_scope(u)) else {
                continue;
            };
            if !robots.allowed(url.as_str()) {
                continue;
            }
            read += 1;
            let host = self.host(&url);
            let Some(Ok(response)) = self.polite_get(&host, &url, MAX_SITEMAP_BYTES).await else {
                continue;
            };
            if !(200..300).contains(&response.status) {
                continue;
            }
            let text = String::from_utf8_lossy(&response.body);
            let listed = sitemap::parse(&text);
            let (pages, more) = (listed.pages.len(), listed.sitemaps.len());
            queue.extend(listed.sitemaps);
            let mut queued = 0;
            for page in listed.pages {
                // Sitemaps should list absolute URLs; relative ones are read against the sitemap.
                let page = response.final_url.join(page.trim()).ok();
                if let Some(url) = page
                    .and_then(|p| canonicalize(&p))
                    .filter(|u| self.scope.wants(u))
                    && self.push_found(url, 1)
                {
                    queued += 1;
                }
            }
            tracing::debug!(
                "{}: sitemap {url}: {pages} pages ({queued} queued), {more} more sitemaps",
                self.job.target.id
            );
        }
    }

    async fn crawl(&mut self) {
        let id = self.job.target.id.clone();
        while let Some(pending) = self.frontier.pop() {
            if self.job.cancel.is_cancelled() {
                tracing::debug!("{id}: the run was stopped; {} left", pending.url);
                break;
            }
            let host = self.host(&pending.url);
            if host.gave_up() {
                tracing::debug!("{id}: {}: its host is left alone this run", pending.url);
                continue;
            }
            let attempt = Attempt {
                run_id: self.job.run_id,
                target: self.job.target.id.clone(),
                url: pending.url.clone(),
                depth: pending.depth,
                started_at: Utc::now(),
                settings_sha256: self.settings_sha256.clone(),
            };
            let robots = self.robots_for(&pending.url).await;
            if let Robots::DisallowAll { reason } = &*robots {
                tracing::debug!("{id}: {} not crawled: {reason}", pending.url);
                self.note_error(reason);
                // One record per seed says why the site was not crawled; the other pages were
                // never attempted and keep their last capture.
                if pending.depth == 0 {
                    self.store(attempt.not_crawled(reason)).await;
                }
                continue;
            }
            if !robots.allowed(pending.url.as_str()) {
                tracing::debug!("{id}: robots.txt disallows {}", pending.url);
                self.store(attempt.robots_blocked(None)).await;
                continue;
            }
            let started = Instant::now();
            let max_body = self.settings.max_body;
            let attempt = Attempt {
                started_at: Utc::now(),
                ..attempt
            };
            let found = match self.polite_get(&host, &pending.url, max_body).await {
                None => break,
                Some(Ok(response)) => {
                    let last_good = self.last_good.get(pending.url.as_str()).cloned();
                    let wants_links = !self.frontier.too_deep(pending.depth + 1);
                    let page = ReadPage {
                        last_good,
                        max_body,
                        wants_links,
                    };
                    self.read_and_store(attempt, response, page).await
                }
                Some(Err(e)) => {
                    let elapsed = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                    self.store(attempt.failed(&e, elapsed)).await
                }
            };
            // Links the frontier would refuse anyway (too deep, or seen) are not parsed: on an
            // unchanged site that is nearly all of them.
            let depth = pending.depth + 1;
            let links: Vec<Url> = if self.frontier.too_deep(depth) {
                Vec::new()
            } else {
                found
                    .iter()
                    .flatten()
                    .filter(|l| !self.frontier.has_seen(l))
                    .filter_map(|l| canonical_str(l))
                    .filter(|u| self.scope.wants(u))
                    .collect()
            };
            let found = links.len();
            let queued = links
                .into_iter()
                .map(|link| self.push_found(link, depth))
                .filter(|&queued| queued)
                .count();
            tracing::debug!(
                "{id}: {}: {found} links in scope, {queued} new in the frontier ({} waiting)",
                pending.url,
                self.frontier.queued()
            );
        }
        tracing::debug!(
            "{id}: frontier done: {} of max_pages {} taken, {} left waiting",
            self.frontier.taken(),
            self.settings.max_pages,
            self.frontier.queued()
        );
    }

    /// Waits for the host's turn and fetches, retrying 429/503 with back-off. `None` when the
    /// crawl was cancelled.
    async fn polite_get(
        &self,
        host: &Host,
        url: &Url,
        max_body: u64,
    ) -> Option<Result<Response, FetchError>> {
        let mut retries = 0;
        loop {
            let cancel = &self.job.cancel;
            tokio::select! {
                _ = cancel.cancelled() => return None,
                _ = host.wait_turn() => {}
            }
            let in_scope = |u: &Url| self.scope.host_in_scope(u);
            // A redirect hop is a request to the host it leads to, and waits for its turn.
            let wait_turn = |u: &Url| -> Turn {
                let host = self.host(u);
                Box::pin(async move { host.wait_turn().await })
            };
            let result = tokio::select! {
                _ = cancel.cancelled() => return None,
                result = self.fetcher.get(url, &in_scope, &wait_turn, max_body) => result,
            };
            let throttled = matches!(&result, Ok(r) if r.status == 429 || r.status == 503);
            if !throttled {
                return Some(result);
            }
            let wait = match &result {
                Ok(r) => r.retry_after,
                Err(_) => None,
            }
            .unwrap_or(Duration::from_secs(1 << retries.min(6)))
            .min(self.settings.max_retry_wait);
            tracing::debug!(
                "{}: {url} answered {}; backing off {wait:?} (retry {} of {})",
                self.job.target.id,
                result.as_ref().map_or(0, |r| r.status),
                retries + 1,
                self.settings.retries
            );
            host.back_off(wait);
            if retries >= self.settings.retries {
                // The host keeps refusing: leave it alone for the rest of this run.
                host.give_up();
                self.note_error_once(&format!(
                    "{} kept answering 429/503; its remaining pages wait for the next run",
                    url.host_str().unwrap_or("host")
                ));
                return Some(result);
            }
            retries += 1;
        }
    }

    fn host(&self, url: &Url) -> Arc<Host> {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        self.job
            .hosts
            .get(&host, self.settings.rate, self.settings.burst)
    }

    /// The robots.txt of `url`'s origin, fetched on first use.
    async fn robots_for(&self, url: &Url) -> Arc<Robots> {
        if !self.settings.respect_robots {
            return Arc::new(Robots::AllowAll);
        }
        let origin = url.origin().ascii_serialization();
        let cell = self.job.robots.cell(&origin);
        cell.get_or_init(|| async {
            let Ok(robots_url) = url.join("/robots.txt") else {
                return Arc::new(Robots::AllowAll);
            };
            let host = self.host(url);
            let robots = match self.polite_get(&host, &robots_url, MAX_ROBOTS_BYTES).await {
                None => Robots::DisallowAll {
                    reason: "interrupted".into(),
                },
                Some(Ok(response)) => Robots::from_response(response.status, &response.body),
                Some(Err(FetchError::OutOfScope(_) | FetchError::BadRedirect(_))) => {
                    Robots::AllowAll
                }
                Some(Err(e)) => Robots::DisallowAll {
                    reason: format!("{robots_url} unreachable: {e}"),
                },
            };
            tracing::debug!("{origin}: robots.txt: {}", robots.describe());
            if let Some(delay) = robots.crawl_delay(self.settings.max_crawl_delay) {
                tracing::debug!("{origin}: one request every {delay:?} at most (Crawl-delay)");
                host.set_min_interval(delay);
            }
            Arc::new(robots)
        })
        .await
        .clone()
    }

    fn note_error(&mut self, message: &str) {
        if self.counts.error.is_none() {
            self.counts.error = Some(message.to_string());
        }
    }

    fn note_error_once(&self, message: &str) {
        tracing::warn!(target = %self.job.target.id, "{message}");
    }

    /// Reads a response into a capture under a CPU permit and writes it, in one blocking task
    /// (decoding, parsing, zstd and sled are all sync): one hand-over between threads a page,
    /// not two. A page that answers with its last good body again (most of a re-crawl) is not
    /// read at all, and what is left, its record, is made here, without a hand-over (each
    /// hand-over wakes a thread). Returns the capture's links when the frontier wants them.
    async fn read_and_store(
        &mut self,
        attempt: Attempt,
        response: Response,
        page: ReadPage,
    ) -> Option<Vec<String>> {
        let ReadPage {
            last_good,
            max_body,
            wants_links,
        } = page;
        let fallback = attempt.clone();
        let store = self.job.store.clone();
        let id = self.job.target.id.clone();
        let matcher = self.job.matcher.clone();
        let answered_again = last_good
            .as_ref()
            .is_some_and(|last| last.is_answered_again_by(&response));
        let permit = if answered_again {
            None
        } else {
            Some(self.job.cpu.clone().acquire_owned().await)
        };
        let work = move || {
            let mut capture = attempt.responded(response, max_body, last_good.as_ref());
            // Claims are found here, beside the parse, while the document is at hand.
            if let (Some(matcher), Some(document)) = (&matcher, &capture.document) {
                capture.view = Some(PageView::of(matcher, document));
            }
            // A shared document's links are read from the store here, with its record, like an
            // extracted document's are found here; a page at the crawl's last depth
            // leads nowhere, so they are not read at all (on a re-crawl that is most pages).
            if wants_links && capture.links.is_none() {
                capture.links = kept_links(&store, &capture);
            }
            if capture.same_document_as_before.is_some() {
                tracing::debug!(
                    "{id}: {}: the body of its last good capture again: not read again",
                    capture.url
                );
            }
            let links = if wants_links {
                capture.links.clone()
            } else {
                None
            };
            let kind = (capture.outcome, capture.status);
            // Writing is mostly waiting on sled: other pages may be read meanwhile.
            drop(permit);
            (store.prepare_capture(capture), kind, links)
        };
        let written = if answered_again {
            Ok(work())
        } else {
            tokio::task::spawn_blocking(work).await
        };
        match written {
            Ok((prepared, (outcome, status), links)) => {
                self.counts.count(outcome, status);
                self.stored(prepared).await;
                links
            }
            Err(e) => {
                let reason = format!("reading the page failed: {e}");
                self.store(fallback.failed(&FetchError::Transport(reason), 0))
                    .await
            }
        }
    }

    /// Hands a capture to the writer (made ready on a blocking thread: sled and zstd are sync)
    /// and counts it. Returns its links.
    async fn store(&mut self, capture: NewCapture) -> Option<Vec<String>> {
        let store = self.job.store.clone();
        self.counts.count(capture.outcome, capture.status);
        let links = capture.links.clone();
        match tokio::task::spawn_blocking(move || store.prepare_capture(capture)).await {
            Ok(prepared) => self.stored(prepared).await,
            Err(e) => tracing::error!(target = %self.job.target.id, "store task failed: {e}"),
        }
        links
    }

    /// Hands a capture made ready to the writer and counts it, or stops the run when it could
    /// not be made ready.
    async fn stored(&mut self, prepared: Result<PreparedCapture, StoreError>) {
        match prepared {
            Ok(prepared) => {
                let record = prepared.record().clone();
                let receipt = self.job.writer.write(prepared).await;
                log_capture(&record);
                self.counts.bytes += record.size.unwrap_or(0);
                if let Some(on_capture) = &self.job.on_capture {
                    on_capture(&record);
                }
                self.captures.push(record);
                self.receipts.push(receipt);
            }
            Err(e) => self.store_failed(&e.to_string()),
        }
    }

    fn store_failed(&mut self, error: &str) {
        self.note_error(&format!("cannot store a capture: {error}"));
        super::stop_on_store_failure(&self.job.store_failure, &self.job.cancel, error);
    }

    /// Has the writer write this target's captures now, and waits for them: detection reads
    /// them from the store. Counts the new bodies; a failed write is the target's error.
    async fn settle(&mut self) {
        if self.receipts.is_empty() {
            return;
        }
        self.job.writer.flush().await;
        for receipt in std::mem::take(&mut self.receipts) {
            match receipt.written().await {
                Ok(true) => self.counts.new_bodies += 1,
                Ok(false) => {}
                Err(e) => {
                    self.store_failed(&e);
                    break;
                }
            }
        }
    }
}

/// `-v`: one line per page fetched, saying how it ended.
fn log_capture(record: &CaptureRecord) {
    let size = record.size.map_or_else(|| "-".to_string(), human_size);
    let status = record.status_word();
    match &record.error {
        Some(error) => tracing::info!("{} {status} {} {size} ({error})", record.target, record.url),
        None => tracing::info!("{} {status} {} {size}", record.target, record.url),
    }
}

/// The links kept with the stored document a capture shares with an earlier one (`None` for a
/// capture that shares none).
/// What reading a fetched page needs beside the attempt and the response.
struct ReadPage {
    /// The page's last good capture, whose body an unchanged answer repeats.
    last_good: Option<LastGood>,
    max_body: u64,
    /// Whether the frontier takes links from this page (it is above the crawl's last depth).
    wants_links: bool,
}

fn kept_links(store: &Store, capture: &NewCapture) -> Option<Vec<String>> {
    let digest = capture.same_document_as_before.as_ref()?;
    match store.document_links(digest) {
        Ok(links) => links,
        Err(e) => {
            tracing::warn!(
                "{}: cannot read the links of {}: {e}",
                capture.target,
                capture.url
            );
            None
        }
    }
}
