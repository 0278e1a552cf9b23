//! The log on stderr: what each verbosity shows, and a writer that can never fail or panic.
//!
//! tracing's own stderr writer reports a failed write with `eprintln!`, which panics when stderr
//! is closed; a panic inside sled's logging left its log buffer unsealed and the final flush
//! waiting for it for ever. Here a failed write is swallowed, and it stops the run: a cron job
//! whose log cannot be written (a closed pipe, a full disk) should not go on crawling unseen.
//!
//! A process that holds the store may carry out commands for others (see `super::share`). Their
//! log lines belong on the stderr of the process that asked, at its verbosity: the threads of
//! such a command are marked ([`enter_job`], and [`runtime`] for the runtimes it starts), and
//! the lines logged on them go to that command's stderr only.

use std::cell::RefCell;
use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tracing::level_filters::LevelFilter;
use tracing::subscriber::Interest;
use tracing::{Metadata, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Filter, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

use super::session::Output;
use super::shutdown::{Stop, StopReason};

/// The filter of each `-v` count: claimwatch's own lines only. What other crates log is about
/// their internals (sled repeats a full disk a dozen times, html5ever warns of every misnested
/// table); what matters of it reaches the log through claimwatch's own errors. `-vvv` shows every
/// crate's debug output.
fn default_filter(verbose: u8) -> &'static str {
    match verbose {
        0 => "claimwatch=warn",
        1 => "claimwatch=info",
        2 => "claimwatch=debug",
        _ => "claimwatch=trace,debug",
    }
}

/// `CLAIMWATCH_LOG` (a tracing filter) if it is one, else the filter of `verbose`.
fn filter(log: Option<&str>, verbose: u8) -> EnvFilter {
    log.and_then(|text| EnvFilter::try_new(text).ok())
        .unwrap_or_else(|| EnvFilter::new(default_filter(verbose)))
}

/// Sends log lines to stderr: `-v` info, `-vv` debug; `CLAIMWATCH_LOG` (a tracing filter)
/// overrides the verbosity. `carries_jobs`: this process may carry out commands for others, whose
/// lines go to them instead.
pub fn init(verbose: u8, carries_jobs: bool) {
    let log = std::env::var("CLAIMWATCH_LOG").ok();
    let own = filter(log.as_deref(), verbose);
    let ansi = io::stderr().is_terminal();
    if !carries_jobs {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(own)
            .with_writer(LogSink::Stderr)
            .log_internal_errors(false)
            .with_ansi(ansi)
            .with_target(false)
            .try_init();
        return;
    }
    let _ = tracing_subscriber::registry()
        .with(
            layer()
                .with_writer(LogSink::Stderr)
                .with_ansi(ansi)
                .with_filter(Route::Own(Box::new(own))),
        )
        .with(
            layer()
                .with_writer(LogSink::Job)
                .with_ansi(false)
                .with_filter(Route::Job { ansi: false }),
        )
        .with(
            layer()
                .with_writer(LogSink::Job)
                .with_ansi(true)
                .with_filter(Route::Job { ansi: true }),
        )
        .try_init();
}

/// A layer writing lines as the log always has: no target, errors of its own unsaid.
fn layer<S: Subscriber + for<'a> LookupSpan<'a>>() -> tracing_subscriber::fmt::Layer<S> {
    tracing_subscriber::fmt::layer()
        .log_internal_errors(false)
        .with_target(false)
}

/// Set once a write to stderr failed: later lines are dropped without trying.
static STDERR_FAILED: AtomicBool = AtomicBool::new(false);

/// Where a layer writes its lines; never returns an error. A line that cannot be written stops
/// what it was logged for: the process when its own stderr fails, a job when the stderr of the
/// process it works for does.
#[derive(Debug, Clone, Copy)]
enum LogSink {
    /// This process's stderr.
    Stderr,
    /// The stderr of the job of the thread the line is logged on.
    Job,
}

impl<'a> MakeWriter<'a> for LogSink {
    type Writer = LogSink;

    fn make_writer(&'a self) -> LogSink {
        *self
    }
}

impl Write for LogSink {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        match self {
            LogSink::Stderr => {
                if !STDERR_FAILED.load(Ordering::Relaxed)
                    && let Err(error) = io::stderr().lock().write_all(line)
                    && !STDERR_FAILED.swap(true, Ordering::Relaxed)
                {
                    Stop::process().request(stderr_failed(&error));
                }
            }
            LogSink::Job => with_job(|job| {
                if let Some(job) = job
                    && let Err(error) = job.err.clone().write_all(line)
                {
                    job.stop.request(stderr_failed(&error));
                }
            }),
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn stderr_failed(error: &io::Error) -> StopReason {
    StopReason::OutputFailed {
        stream: "stderr".into(),
        error: error.to_string(),
    }
}

/// The most verbose level a job under way may log at, for each job under way. What no filter
/// could let through is skipped where it is logged, before any filter is asked: html5ever alone
/// logs every token at trace level.
static JOB_LEVELS: Mutex<Vec<LevelFilter>> = Mutex::new(Vec::new());

/// Records that a job logging up to `level` began (`true`) or ended, and has every callsite and
/// the `log` crate's bridge learn the most verbose level now wanted.
fn job_level(level: LevelFilter, began: bool) {
    {
        let mut levels = JOB_LEVELS.lock().unwrap_or_else(|e| e.into_inner());
        if began {
            levels.push(level);
        } else if let Some(at) = levels.iter().position(|l| *l == level) {
            levels.swap_remove(at);
        }
    }
    tracing::callsite::rebuild_interest_cache();
    log::set_max_level(match LevelFilter::current() {
        LevelFilter::TRACE => log::LevelFilter::Trace,
        LevelFilter::DEBUG => log::LevelFilter::Debug,
        LevelFilter::INFO => log::LevelFilter::Info,
        LevelFilter::WARN => log::LevelFilter::Warn,
        LevelFilter::ERROR => log::LevelFilter::Error,
        _ => log::LevelFilter::Off,
    });
}

/// The most verbose level of the jobs under way.
fn jobs_level() -> LevelFilter {
    let levels = JOB_LEVELS.lock().unwrap_or_else(|e| e.into_inner());
    levels.iter().copied().max().unwrap_or(LevelFilter::OFF)
}

/// Where the log lines of a command carried out for another process go, and which.
pub struct JobLog {
    filter: EnvFilter,
    ansi: bool,
    err: Output,
    stop: Arc<Stop>,
}

impl JobLog {
    /// Lines `log` (the asker's `CLAIMWATCH_LOG`) or `verbose` selects, written to `err`; a
    /// failed write stops the command through `stop`.
    pub fn new(log: Option<&str>, verbose: u8, err: Output, stop: Arc<Stop>) -> JobLog {
        JobLog {
            filter: filter(log, verbose),
            ansi: err.is_terminal(),
            err,
            stop,
        }
    }

    /// Lets through what this job's filter wants, until the guard is dropped. (A guard rather
    /// than the job's drop: threads keep the job in thread-locals, whose destructors must not
    /// call into tracing.)
    pub fn wanted(&self) -> Wanted {
        let level = level_of(&self.filter);
        job_level(level, true);
        Wanted(level)
    }
}

/// See [`JobLog::wanted`].
pub struct Wanted(LevelFilter);

impl Drop for Wanted {
    fn drop(&mut self) {
        job_level(self.0, false);
    }
}

fn level_of(filter: &EnvFilter) -> LevelFilter {
    filter.max_level_hint().unwrap_or(LevelFilter::TRACE)
}

thread_local! {
    /// The command this thread works for, if it works for another process's.
    static JOB: RefCell<Option<Arc<JobLog>>> = const { RefCell::new(None) };
}

/// Sends this thread's log lines to `job`.
pub fn enter_job(job: Arc<JobLog>) {
    JOB.with(|current| *current.borrow_mut() = Some(job));
}

/// Calls `f` with this thread's job, if any. (None too while the thread is being torn down.)
fn with_job<R>(f: impl FnOnce(Option<&JobLog>) -> R) -> R {
    let job = JOB
        .try_with(|current| current.borrow().clone())
        .ok()
        .flatten();
    f(job.as_deref())
}

/// Threads for blocking work (reading pages, sled, DNS lookups).
const BLOCKING_THREADS: usize = 16;

/// A multi-threaded runtime whose threads log where the calling thread logs.
pub fn runtime() -> io::Result<tokio::runtime::Runtime> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all();
    // Blocking threads read and write pages, one per target crawled at once by default (512 at
    // most): each keeps its own compression contexts and allocator arena. A few per core keep
    // the disk and the cores busy; the rest of the pages wait their turn in the queue.
    builder.max_blocking_threads(BLOCKING_THREADS);
    if let Some(job) = JOB.with(|current| current.borrow().clone()) {
        builder.on_thread_start(move || enter_job(job.clone()));
    }
    builder.build()
}

/// Which lines a layer writes: the process's own (on threads of no job), or those of jobs whose
/// stderr is a terminal (`ansi`) or is not.
enum Route {
    Own(Box<EnvFilter>),
    Job { ansi: bool },
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Filter<S> for Route {
    fn enabled(&self, meta: &Metadata<'_>, cx: &Context<'_, S>) -> bool {
        with_job(|job| match (self, job) {
            (Route::Own(filter), None) => <EnvFilter as Filter<S>>::enabled(filter, meta, cx),
            (Route::Job { ansi }, Some(job)) => {
                job.ansi == *ansi && <EnvFilter as Filter<S>>::enabled(&job.filter, meta, cx)
            }
            _ => false,
        })
    }

    fn callsite_enabled(&self, meta: &'static Metadata<'static>) -> Interest {
        if let Route::Own(filter) = self {
            // Registered for its span directives; the answer depends on the thread.
            let _ = <EnvFilter as Filter<S>>::callsite_enabled(filter, meta);
        }
        Interest::sometimes()
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        match self {
            Route::Own(filter) => Some(level_of(filter)),
            Route::Job { .. } => Some(jobs_level()),
        }
    }

    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        cx: Context<'_, S>,
    ) {
        if let Route::Own(filter) = self {
            <EnvFilter as Filter<S>>::on_new_span(filter, attrs, id, cx);
        }
    }

    fn on_enter(&self, id: &tracing::span::Id, cx: Context<'_, S>) {
        if let Route::Own(filter) = self {
            <EnvFilter as Filter<S>>::on_enter(filter, id, cx);
        }
    }

    fn on_exit(&self, id: &tracing::span::Id, cx: Context<'_, S>) {
        if let Route::Own(filter) = self {
            <EnvFilter as Filter<S>>::on_exit(filter, id, cx);
        }
    }

    fn on_close(&self, id: tracing::span::Id, cx: Context<'_, S>) {
        if let Route::Own(filter) = self {
            <EnvFilter as Filter<S>>::on_close(filter, id, cx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_verbosity_is_a_valid_filter_and_only_the_last_shows_other_crates() {
        for verbose in 0..=3 {
            let filter = default_filter(verbose);
            EnvFilter::try_new(filter).expect("a valid filter");
            assert_eq!(filter.contains(','), verbose == 3, "{filter}");
        }
    }
}
