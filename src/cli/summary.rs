//! What `crawl` prints when a run ends: one line per target, then the totals, then what each
//! `[[notify]]` notifier was sent, each line dated, so that a cron log tells when each target
//! started failing and why.
//!
//! ```text
//! 2026-11-28T02:00:41Z  winninc            12 pages    10 ok    1 gone    1 failed    0 blocked     3 new bodies   120.5 KiB  1 new flag
//! 2026-11-28T02:00:41Z  sinno               1 pages     0 ok    0 gone    1 failed    0 blocked     0 new bodies         0 B  FAILED: down: host unreachable: connection refused
//! 2026-11-28T02:00:41Z  total (2)          13 pages    10 ok    1 gone    2 failed    0 blocked     3 new bodies   120.5 KiB  run 17 in 41.2s, 1 new flag
//! 1 new flags:
//!   HIGH   claim_removed …
//! custody head: entry 5230 9f0c…
//! ```

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use chrono::{SecondsFormat, Utc};

use claimwatch::config::human_size;
use claimwatch::flags::show::one_line;
use claimwatch::notify::DeliveryReport;
use claimwatch::run::{RunReport, target_failed};
use claimwatch::store::{CustodyHead, SiteHealth, TargetCounts};

/// Writes the run's summary to `out`: the target lines, the totals, the new flags, the head of
/// the custody log (for the operator to keep elsewhere), and whether the run was cut short
/// (`stopped` says why).
pub fn write(
    out: &mut impl Write,
    report: &RunReport,
    elapsed: Duration,
    stopped: Option<String>,
    store: &Path,
    custody_head: Option<&CustodyHead>,
) -> io::Result<()> {
    let mut total = TargetCounts::default();
    for counts in &report.run.targets {
        let mut line = counts_line(&counts.target, counts);
        push_flags(&mut line, counts.new_flags.len());
        if let Some(why) = failure(counts, report.interrupted) {
            line.push_str(&format!("  FAILED: {why}"));
        }
        writeln!(out, "{line}")?;
        add(&mut total, counts);
    }
    let label = format!("total ({})", report.run.targets.len());
    let mut line = format!(
        "{}  run {} in {:.1}s",
        counts_line(&label, &total),
        report.run.id,
        elapsed.as_secs_f64()
    );
    push_flags(&mut line, report.new_flags.len());
    writeln!(out, "{line}")?;
    if !report.new_flags.is_empty() {
        writeln!(out, "{} new flags:", report.new_flags.len())?;
        for flag in &report.new_flags {
            writeln!(out, "  {}", one_line(flag))?;
        }
    }
    for line in report.delivery.iter().filter_map(delivery_line) {
        writeln!(out, "{}  {line}", now())?;
    }
    if let Some(head) = custody_head {
        writeln!(out, "custody head: entry {} {}", head.seq, head.hash)?;
    }
    if report.interrupted {
        writeln!(
            out,
            "{}: the run is incomplete; every capture made is stored and the store is flushed ({})",
            stopped.unwrap_or_else(|| "interrupted".into()),
            store.display()
        )?;
    }
    out.flush()
}

/// What a notifier was sent, when there was anything to send: "notify X: 3 flags delivered",
/// or why they wait.
fn delivery_line(d: &DeliveryReport) -> Option<String> {
    let name = &d.notifier;
    let waiting = match d.waiting {
        1 => "1 flag waits".to_string(),
        n => format!("{n} flags wait"),
    };
    match &d.error {
        None if d.delivered == 0 && d.waiting == 0 => None,
        None if d.waiting == 0 => Some(format!(
            "notify {name}: {} delivered",
            plural(d.delivered, "flag")
        )),
        None => Some(format!("notify {name}: {waiting} for the next run")),
        Some(why) => {
            let since = d
                .failing_since
                .map(|t| {
                    format!(
                        " (failing since {})",
                        t.to_rfc3339_opts(SecondsFormat::Secs, true)
                    )
                })
                .unwrap_or_default();
            Some(format!(
                "notify {name}: FAILED after {} ({why}); {} delivered, {waiting} for the next run{since}",
                plural(d.attempts as usize, "attempt"),
                d.delivered,
            ))
        }
    }
}

/// "1 flag", "3 flags".
fn plural(n: usize, what: &str) -> String {
    match n {
        1 => format!("1 {what}"),
        n => format!("{n} {what}s"),
    }
}

/// Now, as every line of the summary starts: UTC, whole seconds.
fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn counts_line(label: &str, c: &TargetCounts) -> String {
    format!(
        "{}  {label:<16} {:>5} pages {:>5} ok {:>4} gone {:>4} failed {:>4} blocked {:>5} new bodies {:>11}",
        now(),
        c.pages,
        c.ok,
        c.gone,
        c.failed,
        c.blocked,
        c.new_bodies,
        human_size(c.bytes),
    )
}

fn push_flags(line: &mut String, flags: usize) {
    match flags {
        0 => {}
        1 => line.push_str(", 1 new flag"),
        n => line.push_str(&format!(", {n} new flags")),
    }
}

fn add(total: &mut TargetCounts, counts: &TargetCounts) {
    total.pages += counts.pages;
    total.ok += counts.ok;
    total.gone += counts.gone;
    total.failed += counts.failed;
    total.blocked += counts.blocked;
    total.robots_blocked += counts.robots_blocked;
    total.new_bodies += counts.new_bodies;
    total.bytes += counts.bytes;
}

/// Why a target failed, in words: from its health when the site did not answer or only refused
/// us, else the error its crawl noted.
fn failure(counts: &TargetCounts, interrupted: bool) -> Option<String> {
    if !target_failed(counts) {
        return None;
    }
    Some(match (&counts.health, &counts.error) {
        (Some(health @ (SiteHealth::Down { .. } | SiteHealth::Blocked { .. })), _) => {
            health_words(health)
        }
        (_, Some(error)) => error.clone(),
        _ if interrupted && counts.pages == 0 => "not reached before the run stopped".into(),
        _ => "no page could be captured".into(),
    })
}

/// "down: host unreachable: connection refused", "blocked: HTTP 403".
pub(super) fn health_words(health: &SiteHealth) -> String {
    match health {
        SiteHealth::Down { cause, detail } => match innermost(detail) {
            "" => format!("down: {}", cause.describe()),
            why => format!("down: {}: {}", cause.describe(), lower_first(why)),
        },
        other => other.describe(),
    }
}

/// The last link of an error chain ("… tcp connect error: Connection refused (os error 111)"
/// gives "Connection refused"): what went wrong, without the layers that carried it.
fn innermost(chain: &str) -> &str {
    let last = chain.rsplit(": ").next().unwrap_or(chain).trim();
    match last.rfind(" (os error ") {
        Some(at) if last.ends_with(')') => &last[..at],
        _ => last,
    }
}

/// "Connection refused" reads "connection refused" after a colon; "HTTP 503" stays.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use claimwatch::store::DownCause;

    fn down(cause: DownCause, detail: &str) -> SiteHealth {
        SiteHealth::Down {
            cause,
            detail: detail.into(),
        }
    }

    #[test]
    fn a_failure_is_said_in_words_not_as_the_error_chain() {
        let refused = down(
            DownCause::Connection,
            "not crawled: http://127.0.0.1:9/robots.txt unreachable: error sending request for \
             url (http://127.0.0.1:9/robots.txt): client error (Connect): tcp connect error: \
             Connection refused (os error 111)",
        );
        assert_eq!(
            health_words(&refused),
            "down: host unreachable: connection refused"
        );
        assert_eq!(
            health_words(&down(DownCause::ServerError, "HTTP 500, 503")),
            "down: every page answered with a server error: HTTP 500, 503"
        );
        assert_eq!(
            health_words(&down(DownCause::Timeout, "")),
            "down: no answer before the timeout"
        );
        let blocked = SiteHealth::Blocked {
            detail: "HTTP 403".into(),
        };
        assert_eq!(health_words(&blocked), "blocked: HTTP 403");
    }

    #[test]
    fn a_notifier_line_says_what_was_delivered_and_what_waits() {
        let report = |delivered, waiting, attempts, error: Option<&str>| DeliveryReport {
            notifier: "desk".into(),
            delivered,
            waiting,
            attempts,
            error: error.map(str::to_owned),
            failing_since: None,
        };
        assert_eq!(delivery_line(&report(0, 0, 0, None)), None);
        assert_eq!(
            delivery_line(&report(1, 0, 1, None)).as_deref(),
            Some("notify desk: 1 flag delivered")
        );
        assert_eq!(
            delivery_line(&report(0, 3, 0, None)).as_deref(),
            Some("notify desk: 3 flags wait for the next run")
        );
        let mut failed = report(100, 1, 4, Some("the receiver answered HTTP 502"));
        assert_eq!(
            delivery_line(&failed).as_deref(),
            Some(
                "notify desk: FAILED after 4 attempts (the receiver answered HTTP 502); \
                 100 delivered, 1 flag waits for the next run"
            )
        );
        failed.failing_since = chrono::DateTime::parse_from_rfc3339("2026-11-27T02:00:41Z")
            .ok()
            .map(|t| t.to_utc());
        assert!(
            delivery_line(&failed).is_some_and(
                |l| l.ends_with("for the next run (failing since 2026-11-27T02:00:41Z)")
            )
        );
    }

    #[test]
    fn a_target_that_answered_is_not_failed() {
        let gone_only = TargetCounts {
            target: "t".into(),
            pages: 2,
            gone: 2,
            health: Some(SiteHealth::Up),
            ..TargetCounts::default()
        };
        assert_eq!(failure(&gone_only, false), None);
    }
}
