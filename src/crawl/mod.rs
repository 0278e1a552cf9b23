//! One polite crawl of the watch-list: the only module that knows about tokio tasks.
//!
//! Targets are crawled concurrently (at most `concurrency` at once); inside a target, pages are
//! fetched one after another, each host paced by its own limiter, and parsed on blocking threads.

pub mod canonical;
pub mod capture;
pub mod challenge;
pub mod frontier;
pub mod host;
pub mod robots;
pub mod scope;
pub mod sitemap;
mod target;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use chrono::Utc;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::claims::{ClaimsError, Matcher};
use crate::config::{Config, Target};
use crate::detect::{TargetRun, detect_and_store};
use crate::flags::Flag;
use crate::store::{CaptureRecord, RunRecord, Store, StoreError, TargetCounts};
use host::{Hosts, slowest};
use target::{RobotsCache, TargetCrawl};

/// Called after each capture is stored (progress display).
pub type OnCapture = Arc<dyn Fn(&CaptureRecord) + Send + Sync>;

/// What a crawl run is asked to do beyond the config.
#[derive(Clone, Default)]
pub struct CrawlOptions {
    /// Crawl only these target ids (all when empty).
    pub only: Vec<String>,
    /// Host → addresses, consulted before DNS (`--resolve`).
    pub resolve: HashMap<String, Vec<IpAddr>>,
    pub on_capture: Option<OnCapture>,
}

/// Why a crawl could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    /// `--only` named a target that is not in the config.
    #[error("no target with id {0:?} in the config")]
    UnknownTarget(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A capture could not be written; the run stopped at once.
    #[error(
        "cannot write to the store at {}: {error}. The crawl stopped at the first failed write; \
         free space (or fix the disk) and run again. Captures stored before it are intact \
         (`claimwatch verify` checks them)",
        path.display()
    )]
    StoreFailed {
        path: std::path::PathBuf,
        error: String,
    },
    /// The claim rules could not be built.
    #[error(transparent)]
    Claims(#[from] ClaimsError),
}

/// The outcome of a run.
#[derive(Debug, Clone)]
pub struct CrawlReport {
    pub run: RunRecord,
    /// Flags this run raised, in the order targets finished.
    pub new_flags: Vec<Flag>,
    /// Stopped by Ctrl-C / SIGTERM before it finished.
    pub interrupted: bool,
}

impl CrawlReport {
    /// True when no target produced a single good capture.
    pub fn every_target_failed(&self) -> bool {
        !self.run.targets.is_empty() && self.run.targets.iter().all(target_failed)
    }
}

/// A target failed when it has an error or no good capture.
pub fn target_failed(counts: &TargetCounts) -> bool {
    counts.error.is_some() || counts.ok == 0
}

/// Crawls the targets of `config` (or those in `options.only`) once.
pub async fn run(
    config: &Config,
    store: Arc<Store>,
    options: CrawlOptions,
    cancel: CancellationToken,
) -> Result<CrawlReport, CrawlError> {
    let targets = selected_targets(config, &options.only)?;
    let matcher = Arc::new(Matcher::new(
        &config.manufacturers,
        &config.rules,
        &config.disabled_packs,
    )?);
    let mut run = store.begin_run()?;
    let hosts = Arc::new(Hosts::new(shared_host_rates(&targets)));
    let robots = Arc::new(RobotsCache::default());
    let resolve = Arc::new(options.resolve.clone());
    // Targets stop on a signal, or when the store fails; only the first is an interruption.
    let stop = cancel.child_token();
    let store_failure = Arc::new(std::sync::OnceLock::new());
    let permits = Arc::new(Semaphore::new(config.crawl.concurrency.max(1)));
    let cpu = Arc::new(Semaphore::new(
        std::thread::available_parallelism().map_or(2, |n| n.get()),
    ));

    let mut tasks = tokio::task::JoinSet::new();
    for (index, target) in targets.iter().enumerate() {
        let crawl = TargetCrawl {
            target: (*target).clone(),
            store: store.clone(),
            hosts: hosts.clone(),
            robots: robots.clone(),
            resolve: resolve.clone(),
            run_id: run.id,
            cancel: stop.clone(),
            on_capture: options.on_capture.clone(),
            cpu: cpu.clone(),
            store_failure: store_failure.clone(),
        };
        let permits = permits.clone();
        let matcher = matcher.clone();
        let store = store.clone();
        let target = (*target).clone();
        let cpu = cpu.clone();
        let store_failure_seen = store_failure.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let outcome = crawl.run().await;
            let cpu_permit = cpu.acquire_owned().await;
            // Detection runs even after an interrupt: the next run compares with these captures,
            // so a change they hold would otherwise never be flagged.
            let store_failed = store_failure_seen.get().is_some();
            let flags = tokio::task::spawn_blocking(move || {
                let _cpu_permit = cpu_permit;
                if store_failed {
                    // Nothing can be written: detection waits for the next run.
                    return (outcome.counts, Ok(Vec::new()));
                }
                let run = TargetRun {
                    target: &target,
                    pages_before: &outcome.pages_before,
                    captures: &outcome.captures,
                };
                let flags = detect_and_store(&store, &matcher, &run, Utc::now());
                (outcome.counts, flags)
            })
            .await;
            (index, flags)
        });
    }
    let mut counts: Vec<Option<TargetCounts>> = vec![None; targets.len()];
    let mut new_flags = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((index, Ok((mut target_counts, flags)))) => {
                match flags {
                    Ok(flags) => {
                        target_counts.new_flags = flags.iter().map(|f| f.flag_id.clone()).collect();
                        new_flags.extend(flags);
                    }
                    Err(e) => {
                        tracing::error!(target = %target_counts.target, "detection failed: {e}");
                        target_counts.error = Some(format!("detection failed: {e}"));
                    }
                }
                counts[index] = Some(target_counts);
            }
            Ok((_, Err(e))) => tracing::error!("a target's detection task failed: {e}"),
            Err(e) => tracing::error!("a target's crawl task failed: {e}"),
        }
    }
    run.targets = counts
        .into_iter()
        .zip(&targets)
        .map(|(c, t)| {
            c.unwrap_or_else(|| TargetCounts {
                target: t.id.clone(),
                error: Some("crawl task panicked".into()),
                ..TargetCounts::default()
            })
        })
        .collect();
    // Most severe first, then by target and page, so summaries read the same every time.
    new_flags.sort_by(|a, b| {
        (
            b.severity,
            &a.target.id,
            &a.url,
            a.flag_type.as_str(),
            &a.claim.text,
        )
            .cmp(&(
                a.severity,
                &b.target.id,
                &b.url,
                b.flag_type.as_str(),
                &b.claim.text,
            ))
    });
    run.finished_at = Some(Utc::now());
    run.completed = !cancel.is_cancelled();
    if let Some(error) = store_failure.get() {
        // Best effort: the store already failed once.
        let _ = store.save_run(&run).and_then(|()| store.flush());
        return Err(CrawlError::StoreFailed {
            path: store.path().to_path_buf(),
            error: error.clone(),
        });
    }
    store.save_run(&run)?;
    store.flush()?;
    Ok(CrawlReport {
        run,
        new_flags,
        interrupted: cancel.is_cancelled(),
    })
}

fn selected_targets<'a>(
    config: &'a Config,
    only: &[String],
) -> Result<Vec<&'a Target>, CrawlError> {
    if only.is_empty() {
        return Ok(config.targets.iter().collect());
    }
    only.iter()
        .map(|id| {
            config
                .targets
                .iter()
                .find(|t| &t.id == id)
                .ok_or_else(|| CrawlError::UnknownTarget(id.clone()))
        })
        .collect()
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
