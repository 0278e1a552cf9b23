//! `claimwatch crawl`: one run, with a progress bar on a terminal and a dated summary (one line
//! per target, then the totals) for cron logs.
//!
//! A run stopped by a signal or by output it could not write (see [`super::shutdown`]) still
//! flushes the store and exits 2.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use super::shutdown::{self, StopReason};
use super::{Cli, summary};
use claimwatch::crawl::{CrawlOptions, OnCapture};
use claimwatch::exit::Exit;
use claimwatch::run::{self, RunOptions, RunReport};

pub fn run(cli: &Cli, only: &[String]) -> Result<Exit> {
    let config = cli.load_config()?;
    super::target_ids::check_in_config(&config, only)?;
    let store = Arc::new(cli.create_store()?);
    if shutdown::reason().is_some() {
        // Stopped while the store was opening: no run is begun, so none is left unfinished.
        return Ok(stopped_before_the_run());
    }
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let started = Instant::now();
    let progress = progress_bar();
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
    let report = runtime.block_on(run::run(&config, store.clone(), options, shutdown::token()))?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    runtime.shutdown_timeout(Duration::from_secs(1));
    let stopped = shutdown::reason().map(StopReason::describe);
    let printed = summary::write(
        &mut std::io::stdout().lock(),
        &report,
        started.elapsed(),
        stopped,
        store.path(),
    );
    if let Err(error) = printed {
        // The run is stored; only its report is lost, and cron must hear that it was.
        shutdown::request(StopReason::OutputFailed {
            stream: "stdout",
            error: error.to_string(),
        });
        let _ = writeln!(
            std::io::stderr(),
            "claimwatch: the summary could not be written to stdout ({error}); run {} is stored",
            report.run.id
        );
        return Ok(Exit::Failed);
    }
    Ok(exit_code(&report))
}

/// What the run means to cron.
pub fn exit_code(report: &RunReport) -> Exit {
    if report.interrupted || report.every_target_failed() || shutdown::reason().is_some() {
        Exit::Failed
    } else if !report.new_flags.is_empty() {
        Exit::NewFlags
    } else {
        Exit::Ok
    }
}

fn stopped_before_the_run() -> Exit {
    if let Some(reason) = shutdown::reason() {
        let _ = writeln!(
            std::io::stderr(),
            "claimwatch: {} before the run began; nothing was crawled",
            reason.describe()
        );
    }
    Exit::Failed
}

fn progress_bar() -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
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
