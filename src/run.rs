//! One run of the watch-list: crawl every selected target, detect each target's changes as soon
//! as its crawl ends, record the run, deliver its flags to the notifiers, and hand back the
//! flags it raised.
//!
//! The one place a crawl is strung together with detection, so every caller (the `crawl`
//! command, the demo) gets the same run.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use chrono::Utc;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::claims::{ClaimsError, Matcher};
use crate::config::{Config, Target};
use crate::crawl::{self, CrawlOptions, CrawlShared, TargetOutcome};
use crate::detect::health_flag::{SiteSnapshot, is_crawler_outage, record_site_health, snapshot};
use crate::detect::{TargetRun, detect_and_store};
use crate::flags::Flag;
use crate::notify::{self, DeliveryReport};
use crate::store::{RunRecord, Store, StoreError, TargetCounts};

/// What a run is asked to do beyond the config.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Crawl only these target ids (all when empty).
    pub only: Vec<String>,
    pub crawl: CrawlOptions,
}

/// Why a run could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// `--target` named a target that is not in the config.
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
    StoreFailed { path: PathBuf, error: String },
    /// The claim rules could not be built.
    #[error(transparent)]
    Claims(#[from] ClaimsError),
}

/// The outcome of a run.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub run: RunRecord,
    /// Flags this run raised, most severe first.
    pub new_flags: Vec<Flag>,
    /// Stopped by Ctrl-C / SIGTERM before it finished.
    pub interrupted: bool,
    /// What each `[[notify]]` notifier was sent; a failure here never fails the run.
    pub delivery: Vec<DeliveryReport>,
}

impl RunReport {
    /// True when every target failed (see [`target_failed`]).
    pub fn every_target_failed(&self) -> bool {
        !self.run.targets.is_empty() && self.run.targets.iter().all(target_failed)
    }
}

/// A target failed when it has an error, or no page answered: none fetched well, none found
/// gone (a 404 is the site answering).
pub fn target_failed(counts: &TargetCounts) -> bool {
    counts.error.is_some() || counts.ok + counts.gone == 0
}

/// A target's counts, the flags its detection raised, and what the run says of its site.
type Detected = (TargetCounts, Vec<Flag>, Option<SiteSnapshot>);

/// Crawls the targets of `config` (or those in `options.only`) once, detects, records the run.
pub async fn run(
    config: &Config,
    store: Arc<Store>,
    options: RunOptions,
    cancel: CancellationToken,
) -> Result<RunReport, RunError> {
    let targets = selected_targets(config, &options.only)?;
    let matcher = Arc::new(Matcher::new(
        &config.manufacturers,
        &config.rules,
        &config.disabled_packs,
    )?);
    store.use_views_of(&matcher.fingerprint())?;
    let mut run = store.begin_run()?;
    let shared = CrawlShared {
        run_id: run.id,
        concurrency: config.crawl.concurrency,
        cpu: Arc::new(Semaphore::new(
            std::thread::available_parallelism().map_or(2, |n| n.get()),
        )),
        store_failure: Arc::new(OnceLock::new()),
        matcher: Some(matcher.clone()),
    };
    let detection = {
        let store = store.clone();
        let shared = shared.clone();
        move |outcome| detect_target(store.clone(), matcher.clone(), shared.clone(), outcome)
    };
    let detected = crawl::crawl(&targets, &store, &shared, options.crawl, &cancel, detection).await;

    let mut new_flags = Vec::new();
    let mut sites = Vec::new();
    run.targets = detected
        .into_iter()
        .zip(&targets)
        .enumerate()
        .map(|(index, (detected, target))| match detected.flatten() {
            Some((counts, flags, site)) => {
                new_flags.extend(flags);
                sites.push((index, *target, site));
                counts
            }
            None => TargetCounts {
                target: target.id.clone(),
                error: Some("crawl task panicked".into()),
                ..TargetCounts::default()
            },
        })
        .collect();
    if shared.store_failure.get().is_none() {
        new_flags.extend(site_health(&store, run.id, &sites, &mut run.targets));
    }
    most_severe_first(&mut new_flags);
    run.finished_at = Some(Utc::now());
    run.completed = !cancel.is_cancelled();
    if let Some(error) = shared.store_failure.get() {
        // Nothing more is written: after a failed write sled may wait forever for its log.
        // The run stays as begun (unfinished, like a run that crashed), its captures as stored.
        store.note_write_failed();
        return Err(RunError::StoreFailed {
            path: store.path().to_path_buf(),
            error: error.clone(),
        });
    }
    store.save_run(&run)?;
    store.flush()?;
    let delivery = notify::deliver(&config.notify, store.clone(), run.id, &cancel).await;
    if !delivery.is_empty() {
        store.flush()?;
    }
    Ok(RunReport {
        run,
        new_flags,
        interrupted: cancel.is_cancelled(),
        delivery,
    })
}

/// Detects the changes in one target's captures on a blocking thread, under a CPU permit.
///
/// Detection runs even after an interrupt: the next run compares with these captures, so a
/// change they hold would otherwise never be flagged. `None` when the detection task failed.
async fn detect_target(
    store: Arc<Store>,
    matcher: Arc<Matcher>,
    shared: CrawlShared,
    outcome: TargetOutcome,
) -> Option<Detected> {
    let cpu_permit = shared.cpu.acquire_owned().await;
    let store_failed = shared.store_failure.get().is_some();
    let detected = tokio::task::spawn_blocking(move || {
        let _cpu_permit = cpu_permit;
        let mut counts = outcome.counts;
        if store_failed {
            // Nothing can be written: detection waits for the next run.
            return (counts, Vec::new(), None);
        }
        let run = TargetRun {
            target: &outcome.target,
            pages_before: &outcome.pages_before,
            captures: &outcome.captures,
        };
        let site = snapshot(&run);
        counts.health = site.as_ref().map(|s| s.health.clone());
        let flags = match detect_and_store(&store, &matcher, &run, Utc::now()) {
            Ok(flags) => flags,
            Err(e) => {
                tracing::error!(target = %counts.target, "detection failed: {e}");
                counts.error = Some(format!("detection failed: {e}"));
                Vec::new()
            }
        };
        counts.new_flags = flags.iter().map(|f| f.flag_id.clone()).collect();
        (counts, flags, site)
    })
    .await;
    match detected {
        Ok(detected) => Some(detected),
        Err(e) => {
            tracing::error!("a target's detection task failed: {e}");
            None
        }
    }
}

/// Records every site's health in this run, once all are done (a run in which no site answered
/// is the crawler's outage, not theirs: see [`is_crawler_outage`]), and returns the health
/// flags raised, noting each with its target's counts.
fn site_health(
    store: &Store,
    run_id: u64,
    sites: &[(usize, &Target, Option<SiteSnapshot>)],
    counts: &mut [TargetCounts],
) -> Vec<Flag> {
    let snapshots: Vec<&SiteSnapshot> = sites.iter().filter_map(|(_, _, s)| s.as_ref()).collect();
    if is_crawler_outage(&snapshots) {
        tracing::warn!(
            "no site answered in this run: taken for an outage on this side, not recorded as \
             the sites' health"
        );
        return Vec::new();
    }
    let mut flags = Vec::new();
    for (index, target, site) in sites {
        let Some(site) = site else { continue };
        match record_site_health(store, target, site, run_id, Utc::now()) {
            Ok(Some(flag)) => {
                if let Some(c) = counts.get_mut(*index) {
                    c.new_flags.push(flag.flag_id.clone());
                }
                flags.push(flag);
            }
            Ok(None) => {}
            Err(e) => tracing::error!(target = %target.id, "cannot record site health: {e}"),
        }
    }
    flags
}

/// Most severe first, then by target and page, so summaries read the same every time.
fn most_severe_first(flags: &mut [Flag]) {
    flags.sort_by(|a, b| {
        (
            b.severity,
            &a.target.id,
            &a.url,
            a.flag_type.as_str(),
            a.claim_text(),
        )
            .cmp(&(
                a.severity,
                &b.target.id,
                &b.url,
                b.flag_type.as_str(),
                b.claim_text(),
            ))
    });
}

fn selected_targets<'a>(config: &'a Config, only: &[String]) -> Result<Vec<&'a Target>, RunError> {
    if only.is_empty() {
        return Ok(config.targets.iter().collect());
    }
    only.iter()
        .map(|id| {
            config
                .targets
                .iter()
                .find(|t| &t.id == id)
                .ok_or_else(|| RunError::UnknownTarget(id.clone()))
        })
        .collect()
}
