//! The crawl's capture writer: captures from every target, gathered for a short moment and
//! written in one store transaction.
//!
//! sled writes out and syncs its log buffer twice for every transaction, however small, and on
//! an unchanged re-crawl that was most of what a page cost. So a page's capture is made ready
//! where it is read (`Store::prepare_capture`: its id given, its record final) and handed here;
//! the writer commits what arrived within [`LINGER`], or sooner when a batch is full or a target
//! ends and asks for its captures to be written ([`CaptureWriter::flush`]). The crawl goes on
//! meanwhile; detection reads a target's captures only after that flush.
//!
//! What this risks is no more than sled already does: it makes writes durable every 500 ms, so
//! a crash loses the last moment of captures either way, and never half of one (one batch is
//! one transaction). The first failed write fails every capture after it, and the crawl stops.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::store::{PreparedCapture, Store};

/// How long the first capture of a batch waits for others.
const LINGER: Duration = Duration::from_millis(50);
/// A batch holds at most this many captures... Larger batches save little more (the two syncs
/// are already shared by 32 pages) and cost memory: sled keeps what a transaction replaces
/// until it ends, and at 256 a batch a crawl of 1,000 sites peaked 50% higher.
const MAX_CAPTURES: usize = 32;
/// ...and at most about this many bytes of new bodies, documents and records.
const MAX_BYTES: usize = 8 << 20;
/// Captures that may wait for the batch being written: past this, a page waits for room, so
/// a writer slower than the crawl (a slow disk) holds the crawl back instead of piling up
/// captures in memory.
const QUEUE: usize = 2 * MAX_CAPTURES;

/// How a capture's write ended: whether its body was new to the store, or why it failed.
pub type Written = Result<bool, String>;

/// The promise of a capture's write.
pub struct Receipt(oneshot::Receiver<Written>);

impl Receipt {
    /// Waits for the batch holding the capture to be written.
    pub async fn written(self) -> Written {
        self.0
            .await
            .unwrap_or_else(|_| Err("the capture writer stopped before writing it".into()))
    }
}

enum Job {
    Write(Box<PreparedCapture>, oneshot::Sender<Written>),
    Flush(oneshot::Sender<()>),
}

/// Hands captures to the writing task. Dropping every clone lets that task end once it has
/// written what it holds ([`CaptureWriter::finish`] waits for it).
#[derive(Clone)]
pub struct CaptureWriter {
    jobs: mpsc::Sender<Job>,
}

/// The writing task, to wait for once every writer is dropped.
pub struct WriterTask(JoinHandle<()>);

impl WriterTask {
    pub async fn finished(self) {
        if let Err(e) = self.0.await {
            tracing::error!("the capture writer failed: {e}");
        }
    }
}

impl CaptureWriter {
    /// Starts the writing task on the current runtime. `failed` is called with the error of each
    /// batch whose write fails.
    pub fn start(
        store: Arc<Store>,
        failed: impl Fn(&str) + Send + Sync + 'static,
    ) -> (CaptureWriter, WriterTask) {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let task = tokio::spawn(write_batches(store, queue, Arc::new(failed)));
        (CaptureWriter { jobs }, WriterTask(task))
    }

    /// Queues a capture, waiting for room in the queue. The wait is async: a page's blocking
    /// thread never waits here, so the writer always finds one to write with.
    pub async fn write(&self, capture: PreparedCapture) -> Receipt {
        let (done, receipt) = oneshot::channel();
        if let Err(mpsc::error::SendError(Job::Write(_, done))) =
            self.jobs.send(Job::Write(Box::new(capture), done)).await
        {
            let _ = done.send(Err("the capture writer has stopped".into()));
        }
        Receipt(receipt)
    }

    /// Writes every capture queued so far, now, and waits until they are.
    pub async fn flush(&self) {
        let (done, flushed) = oneshot::channel();
        if self.jobs.send(Job::Flush(done)).await.is_ok() {
            let _ = flushed.await;
        }
    }
}

/// Gathers jobs into batches and writes each in one transaction, until every sender is gone.
async fn write_batches(
    store: Arc<Store>,
    mut queue: mpsc::Receiver<Job>,
    failed: Arc<dyn Fn(&str) + Send + Sync>,
) {
    // After a failed write every later one fails the same way: the disk is full or failing.
    let mut failure: Option<String> = None;
    while let Some(first) = queue.recv().await {
        let mut batch = Batch::default();
        batch.add(first);
        let deadline = Instant::now() + LINGER;
        while !batch.full() && batch.flushes.is_empty() {
            match tokio::time::timeout_at(deadline, queue.recv()).await {
                Ok(Some(job)) => batch.add(job),
                Ok(None) | Err(_) => break,
            }
        }
        failure = batch.write(&store, failure, &failed).await;
    }
}

#[derive(Default)]
struct Batch {
    captures: Vec<PreparedCapture>,
    receipts: Vec<oneshot::Sender<Written>>,
    bytes: usize,
    flushes: Vec<oneshot::Sender<()>>,
}

impl Batch {
    fn add(&mut self, job: Job) {
        match job {
            Job::Write(capture, receipt) => {
                self.bytes += capture.weight();
                self.captures.push(*capture);
                self.receipts.push(receipt);
            }
            Job::Flush(done) => self.flushes.push(done),
        }
    }

    fn full(&self) -> bool {
        self.captures.len() >= MAX_CAPTURES || self.bytes >= MAX_BYTES
    }

    /// Writes the batch (unless an earlier write failed), answers every receipt and flush, and
    /// returns the failure that stands after it.
    async fn write(
        self,
        store: &Arc<Store>,
        failure: Option<String>,
        failed: &Arc<dyn Fn(&str) + Send + Sync>,
    ) -> Option<String> {
        let Batch {
            captures,
            receipts,
            flushes,
            ..
        } = self;
        let written: Result<Vec<bool>, String> = match failure {
            Some(earlier) => Err(earlier),
            None if captures.is_empty() => Ok(Vec::new()),
            None => {
                let store = store.clone();
                match tokio::task::spawn_blocking(move || store.put_captures(&captures)).await {
                    Ok(Ok(new_bodies)) => Ok(new_bodies),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(e) => Err(format!("the store's write task failed: {e}")),
                }
            }
        };
        let failure = match &written {
            Ok(_) => None,
            Err(e) => Some(e.clone()),
        };
        if let (Some(e), false) = (&failure, receipts.is_empty()) {
            failed(e);
        }
        for (i, receipt) in receipts.into_iter().enumerate() {
            let answer = match &written {
                Ok(new_bodies) => Ok(new_bodies.get(i).copied().unwrap_or(false)),
                Err(e) => Err(e.clone()),
            };
            let _ = receipt.send(answer);
        }
        for done in flushes {
            let _ = done.send(());
        }
        failure
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use chrono::Utc;

    use super::*;
    use crate::crawl::capture::Attempt;

    fn prepared(store: &Store, page: usize) -> PreparedCapture {
        let attempt = Attempt {
            run_id: 1,
            target: "t".into(),
            url: url::Url::parse(&format!("https://a.test/{page}")).expect("a valid URL"),
            depth: 0,
            started_at: Utc::now(),
            settings_sha256: "0".into(),
        };
        store
            .prepare_capture(attempt.robots_blocked(None))
            .expect("prepares")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_capture_queued_is_written_by_the_flush_that_follows() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(Store::open(dir.path()).expect("opens"));
        let failures = Arc::new(AtomicUsize::new(0));
        let (writer, task) = CaptureWriter::start(store.clone(), {
            let failures = failures.clone();
            move |_: &str| {
                failures.fetch_add(1, Ordering::SeqCst);
            }
        });
        let mut receipts = Vec::new();
        for page in 0..40 {
            receipts.push(writer.write(prepared(&store, page)).await);
        }
        writer.flush().await;
        assert_eq!(
            store.stats().expect("stats").captures,
            40,
            "written once the flush returns, not LINGER later"
        );
        for receipt in receipts {
            assert_eq!(receipt.written().await, Ok(false));
        }
        drop(writer);
        task.finished().await;
        assert_eq!(failures.load(Ordering::SeqCst), 0);
        assert_eq!(
            store.check_integrity(None).expect("checks").custody_entries,
            40
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_capture_queued_alone_is_written_within_the_linger() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(Store::open(dir.path()).expect("opens"));
        let (writer, task) = CaptureWriter::start(store.clone(), |_: &str| {});
        let receipt = writer.write(prepared(&store, 1)).await;
        // No flush: the batch is written when its first capture has waited LINGER.
        let written = tokio::time::timeout(LINGER * 20, receipt.written()).await;
        assert_eq!(written, Ok(Ok(false)));
        assert_eq!(store.stats().expect("stats").captures, 1);
        drop(writer);
        task.finished().await;
    }
}
