//! Delivery of new flags to the `[[notify]]` notifiers at the end of a crawl: a webhook
//! (`webhook`, signed by `sign`) or a command hook (`command`).
//!
//! A notifier is owed every flag the runs recorded as new since it was first seen, past the
//! marker of what it took last (see [`crate::store::NotifierState`]). Each run sends each notifier
//! what it is owed, in batches, retrying with backoff within the run; a batch taken moves the
//! marker, so nothing taken is sent again, and what still fails waits for the next run. A
//! receiver that took a batch but whose answer was lost gets it again: flags carry stable ids
//! for receivers to tell.
//!
//! Delivery is bounded in time, stops with the run, and never fails it: its outcome is reported
//! beside the run's.

mod command;
mod sign;
mod webhook;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::config::{Notifier, NotifierKind};
use crate::flags::Flag;
use crate::store::{FlagPosition, NotifierState, Store, StoreError};

pub use sign::{SIGNATURE_HEADER, signature};
pub use webhook::body as webhook_body;

/// At most this many flags go in one request or one run of a command: receivers often cap a
/// body at a megabyte.
const BATCH: usize = 100;
/// The longest a notifier may hold up the end of a crawl; what is not delivered by then waits
/// for the next run.
const DEADLINE: Duration = Duration::from_secs(5 * 60);
/// Waits between attempts double up to this.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// What one notifier's delivery came to in a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    /// The notifier's label: its id, or where it sends, without credentials.
    pub notifier: String,
    /// Flags delivered in this run.
    pub delivered: usize,
    /// Flags still waiting after it.
    pub waiting: usize,
    /// Attempts made in this run.
    pub attempts: u32,
    /// Why the last attempt failed, when flags still wait (or the store failed).
    pub error: Option<String>,
    /// When the failures began, if before this run.
    pub failing_since: Option<DateTime<Utc>>,
}

/// Sends every notifier the flags it is owed, all notifiers at once; `run` is the run just
/// recorded, where a notifier seen for the first time starts. A cancelled run sends nothing:
/// whoever stopped it wants it to end.
pub async fn deliver(
    notifiers: &[Notifier],
    store: Arc<Store>,
    run: u64,
    cancel: &CancellationToken,
) -> Vec<DeliveryReport> {
    let mut tasks = JoinSet::new();
    let mut reports = Vec::new();
    for (index, notifier) in notifiers.iter().enumerate() {
        let (state, owed) = match owed(&store, notifier, run) {
            Ok(found) => found,
            Err(e) => {
                let mut report = report(notifier, 0);
                report.error = Some(format!("the store: {e}"));
                reports.push((index, report));
                continue;
            }
        };
        if cancel.is_cancelled() || owed.is_empty() {
            reports.push((index, report(notifier, owed.len())));
            continue;
        }
        let (store, notifier, cancel) = (store.clone(), notifier.clone(), cancel.clone());
        tasks.spawn(async move {
            let report = send_all(&store, &notifier, state, owed, &cancel).await;
            (index, report)
        });
    }
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(indexed) => reports.push(indexed),
            Err(e) => tracing::error!("a delivery task failed: {e}"),
        }
    }
    reports.sort_by_key(|(index, _)| *index);
    reports.into_iter().map(|(_, report)| report).collect()
}

/// A flag owed to a notifier, with its place in the order of delivery.
struct Owed {
    position: FlagPosition,
    flag: Flag,
}

/// Where `notifier` stands (one seen for the first time starts at `run`) and the flags it is
/// owed, in order.
fn owed(
    store: &Store,
    notifier: &Notifier,
    run: u64,
) -> Result<(NotifierState, Vec<Owed>), StoreError> {
    let state = match store.notifier_state(&notifier.name)? {
        Some(state) => state,
        None => {
            let state = NotifierState::new(run);
            store.save_notifier_state(&notifier.name, &state)?;
            state
        }
    };
    let mut owed = Vec::new();
    for position in store.flags_raised_from(state.first_run)? {
        if state.is_done(&position) {
            continue;
        }
        match store.flag(&position.flag_id)? {
            Some(flag) => owed.push(Owed { position, flag }),
            None => tracing::warn!(
                "flag {} of run {} is owed to {} but is not stored",
                position.flag_id,
                position.run,
                notifier.label
            ),
        }
    }
    Ok((state, owed))
}

/// Sends `owed` in batches, each with its retries, recording each attempt; stops at the first
/// batch that still fails.
async fn send_all(
    store: &Store,
    notifier: &Notifier,
    mut state: NotifierState,
    owed: Vec<Owed>,
    cancel: &CancellationToken,
) -> DeliveryReport {
    let failing_before = state.failing_since;
    let deadline = Instant::now() + DEADLINE;
    let mut report = report(notifier, owed.len());
    for batch in owed.chunks(BATCH) {
        let flags: Vec<Flag> = batch.iter().map(|o| o.flag.clone()).collect();
        let last = &batch.last().expect("chunks are never empty").position;
        let mut wait = notifier.backoff;
        for attempt_number in 0..=notifier.retries {
            report.attempts += 1;
            let outcome = tokio::select! {
                biased;
                () = cancel.cancelled() => {
                    report.error = Some("the run was stopped before the receiver answered".into());
                    return report;
                }
                outcome = tokio::time::timeout_at(deadline, attempt(notifier, &flags)) => {
                    outcome.unwrap_or_else(|_| {
                        Err(format!("delivery took longer than {}", humantime::format_duration(DEADLINE)))
                    })
                }
            };
            let now = Utc::now();
            match &outcome {
                Ok(()) => state.delivered(last, now),
                Err(why) => state.failed(why, now),
            }
            if let Err(e) = store.save_notifier_state(&notifier.name, &state) {
                report.error = Some(format!("the store: {e}"));
                return report;
            }
            let why = match outcome {
                Ok(()) => {
                    report.delivered += batch.len();
                    report.waiting -= batch.len();
                    report.error = None;
                    break;
                }
                Err(why) => why,
            };
            let out_of_time = Instant::now() + wait >= deadline;
            if attempt_number == notifier.retries || out_of_time {
                tracing::warn!(
                    "notify {}: {} flags not delivered ({why}); they wait for the next run",
                    notifier.label,
                    report.waiting
                );
                report.error = Some(why);
                report.failing_since = failing_before;
                return report;
            }
            tracing::info!(
                "notify {}: delivery failed ({why}); again in {wait:?}",
                notifier.label
            );
            tokio::select! {
                () = cancel.cancelled() => {
                    report.error = Some(why);
                    return report;
                }
                () = tokio::time::sleep(wait) => {}
            }
            wait = (wait * 2).min(MAX_BACKOFF);
        }
    }
    report
}

/// One attempt at delivering `flags` to `notifier`.
async fn attempt(notifier: &Notifier, flags: &[Flag]) -> Result<(), String> {
    match &notifier.kind {
        NotifierKind::Webhook { url, secret } => {
            webhook::deliver(url, secret.as_ref(), flags, notifier.timeout).await
        }
        NotifierKind::Command { argv } => command::deliver(argv, flags, notifier.timeout).await,
    }
}

/// A report of nothing done yet, with `waiting` flags owed.
fn report(notifier: &Notifier, waiting: usize) -> DeliveryReport {
    DeliveryReport {
        notifier: notifier.label.clone(),
        delivered: 0,
        waiting,
        attempts: 0,
        error: None,
        failing_since: None,
    }
}
