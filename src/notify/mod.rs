//! Delivery of new flags to the `[[notify]]` notifiers at the end of a crawl: a webhook
//! (`webhook`, signed by `sign`) or a command hook (`command`).
//!
//! Every flag a run raises is queued for every notifier in the store; each run then sends each
//! notifier what waits for it, retrying with backoff within the run, and records the outcome.
//! What still fails waits for the next run; what was delivered is never sent again (short of a
//! receiver that took a delivery and lost its answer, which the next run sends again: flags
//! carry stable ids for receivers to tell). Delivery is bounded in time and never fails the
//! run: its outcome is reported beside it.

mod command;
mod sign;
mod webhook;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::config::{Notifier, NotifierKind};
use crate::flags::Flag;
use crate::store::{Store, StoreError};

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
    pub notifier: String,
    /// Flags delivered in this run.
    pub delivered: usize,
    /// Flags still waiting after it.
    pub waiting: usize,
    /// Attempts made in this run.
    pub attempts: u32,
    /// Why the last attempt failed, when flags still wait (or the store failed).
    pub error: Option<String>,
}

/// Queues `new_flags` for every notifier and, when `send` (a run that was not interrupted),
/// delivers what waits for each, all notifiers at once.
pub async fn deliver(
    notifiers: &[Notifier],
    store: Arc<Store>,
    new_flags: &[Flag],
    send: bool,
) -> Vec<DeliveryReport> {
    let ids: Vec<&str> = new_flags.iter().map(|f| f.flag_id.as_str()).collect();
    let mut tasks = JoinSet::new();
    let mut reports = Vec::new();
    for (index, notifier) in notifiers.iter().enumerate() {
        let waiting = match queue_and_load(&store, &notifier.name, &ids) {
            Ok(waiting) => waiting,
            Err(e) => {
                let why = format!("the store: {e}");
                reports.push((index, report(notifier, 0, 0, 0, Some(why))));
                continue;
            }
        };
        if !send || waiting.is_empty() {
            reports.push((index, report(notifier, 0, waiting.len(), 0, None)));
            continue;
        }
        let (store, notifier) = (store.clone(), notifier.clone());
        tasks.spawn(async move { (index, send_all(&store, &notifier, waiting).await) });
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

/// Queues `new` for `notifier` and loads every flag waiting for it, oldest first.
fn queue_and_load(store: &Store, notifier: &str, new: &[&str]) -> Result<Vec<Flag>, StoreError> {
    store.queue_deliveries(notifier, new, Utc::now())?;
    let mut flags = Vec::new();
    for (flag_id, _) in store.pending_deliveries(notifier)? {
        match store.flag(&flag_id)? {
            Some(flag) => flags.push(flag),
            None => tracing::warn!("flag {flag_id} waits for {notifier} but is not stored"),
        }
    }
    flags.sort_by(|a, b| (a.detected_at, &a.flag_id).cmp(&(b.detected_at, &b.flag_id)));
    Ok(flags)
}

/// Sends `flags` in batches, each with retries; stops at the first batch that still fails.
async fn send_all(store: &Store, notifier: &Notifier, flags: Vec<Flag>) -> DeliveryReport {
    let deadline = Instant::now() + DEADLINE;
    let (mut delivered, mut attempts) = (0, 0);
    for batch in flags.chunks(BATCH) {
        let ids: Vec<&str> = batch.iter().map(|f| f.flag_id.as_str()).collect();
        let mut wait = notifier.backoff;
        let error = loop {
            attempts += 1;
            let outcome = match tokio::time::timeout_at(deadline, attempt(notifier, batch)).await {
                Ok(outcome) => outcome,
                Err(_) => Err(format!("delivery took longer than {DEADLINE:?}")),
            };
            let recorded = store.record_delivery(
                &notifier.name,
                &ids,
                outcome.as_ref().map(|_| ()).map_err(String::as_str),
                Utc::now(),
            );
            if let Err(e) = recorded {
                break Some(format!("the store: {e}"));
            }
            let Err(why) = outcome else { break None };
            let retries_left = attempts <= notifier.retries;
            if !retries_left || Instant::now() + wait >= deadline {
                break Some(why);
            }
            tracing::info!(notifier = %notifier.name, "delivery failed ({why}); again in {wait:?}");
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(MAX_BACKOFF);
        };
        match error {
            None => delivered += batch.len(),
            Some(why) => {
                let waiting = flags.len() - delivered;
                return report(notifier, delivered, waiting, attempts, Some(why));
            }
        }
    }
    report(notifier, delivered, 0, attempts, None)
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

fn report(
    notifier: &Notifier,
    delivered: usize,
    waiting: usize,
    attempts: u32,
    error: Option<String>,
) -> DeliveryReport {
    DeliveryReport {
        notifier: notifier.name.clone(),
        delivered,
        waiting,
        attempts,
        error,
    }
}
