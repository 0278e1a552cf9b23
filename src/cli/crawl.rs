//! `claimwatch crawl`: one run, with a progress bar on a terminal and a dated summary (one line
//! per target, then the totals) for cron logs.
//!
//! A run stopped by a signal or by output it could not write (see [`super::shutdown`]) still
//! flushes the store and exits 2.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use super::session::Session;
use super::share::{self, Role};
use super::shutdown::StopReason;
use super::{Cli, logging, summary};
use claimwatch::crawl::{CrawlOptions, OnCapture};
use claimwatch::exit::Exit;
use claimwatch::run::{self, RunOptions, RunReport};

pub fn run(cli: &Cli, s: &mut Session, only: &[String]) -> Result<Exit> {
    let config = s.config(cli)?;
    super::target_ids::check_in_config(&config, only)?;
    let store = s.create_store(cli)?;
    if s.stop.reason().is_some() {
        // Stopped while the store was opening: no run is begun, so none is left unfinished.
        return Ok(stopped_before_the_run(s));
    }
    // While it crawls, this process answers the others that need the store (a crawl carried out
    // for another process is answered for by the process that carries it out).
    let sharing = match s.is_forwarded() {
        false => share::hold(&store, Role::Crawl, &s.stop),
        true => None,
    };
    let runtime = logging::runtime().context("cannot start the async runtime")?;
    let started = Instant::now();
    let progress = progress_bar(s);
    let options = RunOptions {
        only: only.to_vec(),
        crawl: CrawlOptions {
            resolve: cli.resolve_map(),
            on_capture: progress.clone().map(|bar| {
                Arc::new(move |record: &claimwatch::store::CaptureRecord| {
                    bar.inc(1);
                    bar.set_message(format!("{} {}", record.target, record.url));
                }) as OnCapture
            }),
        },
    };
    let report = runtime.block_on(run::run(&config, store.shared(), options, s.stop.token()))?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    runtime.shutdown_timeout(Duration::from_secs(1));
    let stopped = s.stop.reason().map(|r| r.describe());
    let custody_head = store.custody_head()?;
    let printed = summary::write(
        &mut s.out,
        &report,
        started.elapsed(),
        stopped,
        store.path(),
        custody_head.as_ref(),
    );
    drop(sharing);
    if let Err(error) = printed {
        // The run is stored; only its report is lost, and cron must hear that it was.
        s.stop.request(StopReason::OutputFailed {
            stream: "stdout".into(),
            error: error.to_string(),
        });
        let _ = writeln!(
            s.err,
            "claimwatch: the summary could not be written to stdout ({error}); run {} is stored",
            report.run.id
        );
        return Ok(Exit::Failed);
    }
    Ok(exit_code(s, &report))
}

/// What the run means to cron.
fn exit_code(s: &Session, report: &RunReport) -> Exit {
    if report.interrupted || report.every_target_failed() || s.stop.reason().is_some() {
        Exit::Failed
    } else if !report.new_flags.is_empty() {
        Exit::NewFlags
    } else {
        Exit::Ok
    }
}

fn stopped_before_the_run(s: &mut Session) -> Exit {
    if let Some(reason) = s.stop.reason() {
        let _ = writeln!(
            s.err,
            "claimwatch: {} before the run began; nothing was crawled",
            reason.describe()
        );
    }
    Exit::Failed
}

/// A spinner on a terminal of this process's own; none for a crawl carried out for another
/// process, whose terminal this process cannot draw on.
fn progress_bar(s: &Session) -> Option<ProgressBar> {
    if !s.err.is_terminal() || s.is_forwarded() {
        return None;
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {pos} pages  {elapsed}  {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    Some(bar)
}
