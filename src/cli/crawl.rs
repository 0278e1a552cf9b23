//! `claimwatch crawl`: one run, with a progress bar on a terminal and a short summary otherwise
//! (cron mails stay short).

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use tokio_util::sync::CancellationToken;

use super::Cli;
use claimwatch::config::human_size;
use claimwatch::crawl::{CrawlOptions, OnCapture};
use claimwatch::exit::Exit;
use claimwatch::flags::show::one_line;
use claimwatch::notify::DeliveryReport;
use claimwatch::run::{self, RunOptions, RunReport, target_failed};
use claimwatch::store::{Store, TargetCounts};

pub fn run(cli: &Cli, only: &[String]) -> Result<Exit> {
    let config = cli.load_config()?;
    let store = Arc::new(cli.open_store()?);
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
    let report = runtime.block_on(async {
        let cancel = CancellationToken::new();
        tokio::spawn(cancel_on_signal(cancel.clone()));
        run::run(&config, store.clone(), options, cancel).await
    })?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    print_summary(&report, started.elapsed(), &store)?;
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(exit_code(&report))
}

/// What the run means to cron.
pub fn exit_code(report: &RunReport) -> Exit {
    if report.interrupted || report.every_target_failed() {
        Exit::Failed
    } else if !report.new_flags.is_empty() {
        Exit::NewFlags
    } else {
        Exit::Ok
    }
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

/// Ctrl-C or SIGTERM: stop taking new pages, finish the one in hand, flush.
async fn cancel_on_signal(cancel: CancellationToken) {
    let interrupted = async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        _ = term.recv() => {}
                    }
                }
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    };
    interrupted.await;
    eprintln!("claimwatch: interrupted; stopping and flushing the store");
    cancel.cancel();
}

fn counts_line(label: &str, c: &TargetCounts) -> String {
    format!(
        "{label:<16} {:>5} pages {:>5} ok {:>4} failed {:>4} robots-blocked {:>5} new bodies {:>10}",
        c.pages,
        c.ok,
        c.failed,
        c.robots_blocked,
        c.new_bodies,
        human_size(c.bytes),
    )
}

fn print_summary(report: &RunReport, elapsed: Duration, store: &Store) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let mut total = TargetCounts::default();
    for counts in &report.run.targets {
        let mut line = counts_line(&counts.target, counts);
        if let Some(error) = &counts.error {
            line.push_str(&format!("  FAILED: {error}"));
        } else if target_failed(counts) {
            line.push_str("  FAILED: no page could be captured");
        }
        writeln!(out, "{line}")?;
        total.pages += counts.pages;
        total.ok += counts.ok;
        total.failed += counts.failed;
        total.robots_blocked += counts.robots_blocked;
        total.new_bodies += counts.new_bodies;
        total.bytes += counts.bytes;
    }
    let label = format!("total ({})", report.run.targets.len());
    writeln!(
        out,
        "{}  in {:.1}s, run {}",
        counts_line(&label, &total),
        elapsed.as_secs_f64(),
        report.run.id
    )?;
    if !report.new_flags.is_empty() {
        writeln!(out, "{} new flags:", report.new_flags.len())?;
        for flag in &report.new_flags {
            writeln!(out, "  {}", one_line(flag))?;
        }
    }
    for line in report.delivery.iter().filter_map(delivery_line) {
        writeln!(out, "{line}")?;
    }
    if report.interrupted {
        writeln!(
            out,
            "interrupted: the run is incomplete; every capture made is stored and the store is flushed ({})",
            store.path().display()
        )?;
    }
    Ok(())
}

/// What a notifier was sent, when there was anything to send: "notify X: 3 flags delivered",
/// or why they wait.
fn delivery_line(d: &DeliveryReport) -> Option<String> {
    let flags = |n: usize| {
        if n == 1 {
            "1 flag".to_string()
        } else {
            format!("{n} flags")
        }
    };
    match &d.error {
        None if d.delivered == 0 && d.waiting == 0 => None,
        None if d.waiting == 0 => Some(format!(
            "notify {}: {} delivered",
            d.notifier,
            flags(d.delivered)
        )),
        None => Some(format!(
            "notify {}: {} wait for the next run",
            d.notifier,
            flags(d.waiting)
        )),
        Some(why) => Some(format!(
            "notify {}: FAILED after {} attempts ({why}); {} delivered, {} wait for the next run",
            d.notifier,
            d.attempts,
            d.delivered,
            flags(d.waiting)
        )),
    }
}
