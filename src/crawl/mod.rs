//! One polite crawl of the watch-list: the only module that knows about tokio tasks.
//!
//! Targets are crawled concurrently (at most `concurrency` at once); inside a target, pages are
//! fetched one after another, each host paced by its own limiter, and parsed on blocking threads.
//! Each target's captures are handed up as its crawl ends; what they mean is for the run to say.

pub mod canonical;
pub mod capture;
pub mod challenge;
pub mod frontier;
pub mod host;
pub mod robots;
pub mod scope;
pub mod sitemap;
mod target;
mod writer;

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::claims::Matcher;
use crate::config::Target;
use crate::fetch::HttpClients;
use crate::store::{CaptureRecord, Store};
use host::{Hosts, slowest};
use target::{RobotsCache, TargetCrawl};
use writer::CaptureWriter;

pub use target::TargetOutcome;

/// Called after each capture is stored (progress display).
pub type OnCapture = Arc<dyn Fn(&CaptureRecord) + Send + Sync>;

/// What a crawl is asked to do beyond its targets.
#[derive(Clone, Default)]
pub struct CrawlOptions {
    /// Host → addresses, consulted before DNS (`--resolve`).
    pub resolve: HashMap<String, Vec<IpAddr>>,
    pub on_capture: Option<OnCapture>,
}

/// What a crawl shares with the run around it.
#[derive(Clone)]
pub struct CrawlShared {
    /// The run the captures belong to.
    pub run_id: u64,
    /// Targets crawled at once.
    pub concurrency: usize,
    /// Permits for CPU-heavy work, one per core: pages are parsed under them, and the run does
    /// its own CPU work under the same ones, so the pages held in memory follow the cores.
    pub cpu: Arc<Semaphore>,
    /// The first capture the store could not write. The crawl sets it and stops every target,
    /// since every later capture would be lost too (a full disk, a failing device).
    pub store_failure: Arc<OnceLock<String>>,
    /// The run's claim rules: a page read this run has its view (claims and block places)
    /// found where it is parsed, and kept with its capture, so detection reads that view
    /// instead of reading the document back and matching it. The store's views must be this
    /// matcher's (`Store::use_views_of`). Without one, detection finds the views itself.
    pub matcher: Option<Arc<Matcher>>,
}

/// Crawls `targets`, at most `shared.concurrency` at once, until done or `cancel`led.
///
/// Each target's outcome goes to `finished` as soon as its crawl ends, inside the target's own
/// task and still holding its concurrency permit, so what the run does with it counts against
/// the same limit. Returns what `finished` returned, in the order of `targets`; `None` where a
/// target's task failed.
pub async fn crawl<T, F, Fut>(
    targets: &[&Target],
    store: &Arc<Store>,
    shared: &CrawlShared,
    options: CrawlOptions,
    cancel: &CancellationToken,
    finished: F,
) -> Vec<Option<T>>
where
    F: Fn(TargetOutcome) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let hosts = Arc::new(Hosts::new(shared_host_rates(targets)));
    let robots = Arc::new(RobotsCache::default());
    let resolve = Arc::new(options.resolve);
    let mut clients = Arc::new(HttpClients::new(resolve.clone()));
    let renew_every = clients_renewed_every(shared.concurrency);
    // Targets stop on a signal, or when the store fails; only the first is an interruption.
    let stop = cancel.child_token();
    let permits = Arc::new(Semaphore::new(shared.concurrency.max(1)));
    let finished = Arc::new(finished);
    let (writer, writer_task) = CaptureWriter::start(store.clone(), {
        let store_failure = shared.store_failure.clone();
        let stop = stop.clone();
        move |error: &str| stop_on_store_failure(&store_failure, &stop, error)
    });

    let mut tasks = tokio::task::JoinSet::new();
    let mut results: Vec<Option<T>> = std::iter::repeat_with(|| None)
        .take(targets.len())
        .collect();
    for (index, target) in targets.iter().enumerate() {
        // A task is made only when a slot is free, so memory follows the targets crawled at
        // once, not the length of the watch-list. After a stop the rest still get their task: it
        // ends at once, with the outcome an interrupted target reports.
        let permit = permits
            .clone()
            .acquire_owned()
            .await
            .expect("the permits are never closed");
        while let Some(joined) = tasks.try_join_next() {
            store_result(&mut results, joined);
        }
        if index > 0 && index % renew_every == 0 {
            // A client keeps idle connections to every host it reached: a fresh one lets those
            // of finished targets go, while the running targets keep the old one they hold.
            clients = Arc::new(clients.renewed());
        }
        let crawl = TargetCrawl {
            target: (*target).clone(),
            store: store.clone(),
            writer: writer.clone(),
            hosts: hosts.clone(),
            robots: robots.clone(),
            clients: clients.clone(),
            run_id: shared.run_id,
            cancel: stop.clone(),
            on_capture: options.on_capture.clone(),
            cpu: shared.cpu.clone(),
            store_failure: shared.store_failure.clone(),
            matcher: shared.matcher.clone(),
        };
        let finished = finished.clone();
        tasks.spawn(async move {
            let _permit = permit;
            let outcome = crawl.run().await;
            (index, finished(outcome).await)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        store_result(&mut results, joined);
    }
    drop(writer);
    writer_task.finished().await;
    results
}

/// Records the run's first store failure and stops every target: every later capture would be
/// lost too (a full disk, a failing device).
fn stop_on_store_failure(failure: &OnceLock<String>, stop: &CancellationToken, error: &str) {
    if failure.set(error.to_string()).is_ok() {
        stop.cancel();
    }
}

/// Puts a finished target's result in its place.
fn store_result<T>(results: &mut [Option<T>], joined: Result<(usize, T), tokio::task::JoinError>) {
    match joined {
        Ok((index, result)) => results[index] = Some(result),
        Err(e) => tracing::error!("a target's crawl task failed: {e}"),
    }
}

/// After how many targets the HTTP clients are renewed: rarely enough that connections are
/// reused across a run's targets sharing hosts, often enough that idle connections to finished
/// targets do not pile up with the watch-list.
fn clients_renewed_every(concurrency: usize) -> usize {
    (concurrency.max(1) * 4).max(64)
}

/// Several targets may share a host: it gets the slowest of their rates.
fn shared_host_rates(targets: &[&Target]) -> HashMap<String, (crate::config::Rate, u32)> {
    let mut rates = HashMap::new();
    for target in targets {
        for seed in &target.seeds {
            if let Some(host) = seed.host_str() {
                let host = host.to_ascii_lowercase();
                let merged = slowest(
                    rates.get(&host).copied(),
                    target.settings.rate,
                    target.settings.burst,
                );
                rates.insert(host, merged);
            }
        }
    }
    rates
}
