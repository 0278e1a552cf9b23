//! Site health: whether a target answered as a whole, and when a site that answered before goes
//! dark or comes back (docs/contract.md "Site health").
//!
//! A company site vanishing is often the strongest takedown signal there is, so a target that
//! answered before and now fails as a whole (its name no longer resolves, connections refused,
//! TLS failing, every page 5xx or timing out) for `unreachable_after` runs in a row raises
//! `site_unreachable`; the first run it answers again raises `site_back`. A site that answers
//! only to refuse us (challenge pages, 403 everywhere) is blocked: a state shown in the summary,
//! never a takedown flag.

use chrono::{DateTime, Utc};

use crate::store::{CaptureRecord, HealthRecord, Outcome, Store, StoreError};
pub use crate::store::{DownCause, SiteHealth};

/// One attempt of a run, as health sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// A page with content, or a 404/410.
    Answered,
    /// 5xx.
    ServerError(u16),
    /// 401, 403, 429, a challenge page, robots.txt or address-guard refusals.
    Refused(String),
    /// No response, with the failure's cause and its message.
    Failed(DownCause, String),
}

/// What one capture says about its site's health.
pub fn attempt_of(capture: &CaptureRecord) -> Attempt {
    let error = || capture.error.clone().unwrap_or_default();
    match (capture.outcome, capture.status) {
        (Outcome::Ok, _) => Attempt::Answered,
        (Outcome::HttpStatus, Some(status)) if status >= 500 => Attempt::ServerError(status),
        (Outcome::HttpStatus, Some(status @ (401 | 403 | 407 | 429 | 451))) => {
            Attempt::Refused(format!("HTTP {status}"))
        }
        (Outcome::HttpStatus, _) => Attempt::Answered,
        (Outcome::Failed, _) => Attempt::Failed(cause_of(&error()), concise(&error())),
        (Outcome::Blocked, _) => Attempt::Refused("challenge pages".into()),
        (Outcome::RobotsBlocked, _) => Attempt::Refused("robots.txt disallows us".into()),
        (Outcome::Refused, _) => Attempt::Refused(error()),
    }
}

/// A target's health in one run, and what it changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Assessment {
    /// `None` when the target made no request this run.
    pub health: Option<SiteHealth>,
    pub change: Option<HealthChange<DateTime<Utc>>>,
    /// The runs the decision looked at, oldest first (this run last).
    pub recent: Vec<HealthRecord>,
}

/// Records how `target` answered in `run` and says what that changes, given its history.
pub fn assess(
    store: &Store,
    target: &str,
    run: u64,
    at: DateTime<Utc>,
    health: &SiteHealth,
    unreachable_after: u32,
) -> Result<Assessment, StoreError> {
    store.put_health(
        target,
        &HealthRecord {
            run,
            at,
            health: health.clone(),
        },
    )?;
    let recent = store.recent_health(target)?;
    let history: Vec<RunHealth<DateTime<Utc>>> = recent
        .iter()
        .map(|r| RunHealth {
            run: r.run,
            at: r.at,
            health: r.health.clone(),
        })
        .collect();
    Ok(Assessment {
        health: Some(health.clone()),
        change: change(&history, unreachable_after as usize),
        recent,
    })
}

/// The health of a target from the attempts of one run; `None` when it made none (not crawled,
/// or interrupted before its first request).
pub fn health_of(attempts: &[Attempt]) -> Option<SiteHealth> {
    if attempts.is_empty() {
        return None;
    }
    if attempts.contains(&Attempt::Answered) {
        return Some(SiteHealth::Up);
    }
    let failures: Vec<(DownCause, &str)> = attempts
        .iter()
        .filter_map(|a| match a {
            Attempt::Failed(cause, message) => Some((*cause, message.as_str())),
            _ => None,
        })
        .collect();
    let server_errors: Vec<u16> = attempts
        .iter()
        .filter_map(|a| match a {
            Attempt::ServerError(status) => Some(*status),
            _ => None,
        })
        .collect();
    if failures.is_empty() && server_errors.is_empty() {
        let detail = attempts
            .iter()
            .find_map(|a| match a {
                Attempt::Refused(why) => Some(why.clone()),
                _ => None,
            })
            .unwrap_or_default();
        return Some(SiteHealth::Blocked { detail });
    }
    // The most telling cause: a name gone says more than the timeouts that follow.
    let order = [
        DownCause::Dns,
        DownCause::Tls,
        DownCause::Connection,
        DownCause::Timeout,
        DownCause::Other,
    ];
    if let Some((cause, message)) = order
        .iter()
        .find_map(|c| failures.iter().find(|(cause, _)| cause == c))
    {
        return Some(SiteHealth::Down {
            cause: *cause,
            detail: message.to_string(),
        });
    }
    let mut statuses = server_errors;
    statuses.sort_unstable();
    statuses.dedup();
    let statuses: Vec<String> = statuses.iter().map(u16::to_string).collect();
    Some(SiteHealth::Down {
        cause: DownCause::ServerError,
        detail: format!("HTTP {}", statuses.join(", ")),
    })
}

/// The innermost part of a transport error chain, which says what happened: "tcp connect
/// error: Connection refused" out of "not crawled: http://…/robots.txt unreachable: error
/// sending request for url (http://…): client error (Connect): tcp connect error: Connection
/// refused (os error 111)".
pub fn concise(message: &str) -> String {
    let inner = message.rsplit("): ").next().unwrap_or(message);
    let inner = match inner.rfind(" (os error ") {
        Some(i) if inner.ends_with(')') => &inner[..i],
        _ => inner,
    };
    inner.trim().to_string()
}

/// The cause of a transport failure, read from its message (reqwest, hyper and rustls name
/// them in their error chains).
pub fn cause_of(message: &str) -> DownCause {
    let m = message.to_ascii_lowercase();
    if m.contains("timed out") {
        DownCause::Timeout
    } else if m.contains("dns error")
        || m.contains("failed to lookup address")
        || m.contains("name or service not known")
        || m.contains("no such host")
        || m.contains("does not resolve")
        || m.contains("nodename nor servname")
    {
        DownCause::Dns
    } else if m.contains("certificate")
        || m.contains("tls")
        || m.contains("handshake")
        || m.contains("invalidcontenttype")
        || m.contains("ssl")
    {
        DownCause::Tls
    } else if m.contains("connection refused")
        || m.contains("connection reset")
        || m.contains("network is unreachable")
        || m.contains("no route to host")
        || m.contains("host is unreachable")
        || m.contains("error trying to connect")
        || m.contains("connection closed")
        || m.contains("broken pipe")
    {
        DownCause::Connection
    } else {
        DownCause::Other
    }
}

/// One run of a target in its history, oldest first.
#[derive(Debug, Clone)]
pub struct RunHealth<T> {
    pub run: u64,
    pub at: T,
    pub health: SiteHealth,
}

/// What the latest run's health means for the site, given the runs before it.
#[derive(Debug, Clone, PartialEq)]
pub enum HealthChange<T> {
    /// Down for exactly `unreachable_after` runs in a row, after answering before: the run the
    /// streak began and when.
    WentDark {
        since_run: u64,
        since: T,
        runs: usize,
    },
    /// Answers again after a streak long enough to have raised `site_unreachable`.
    CameBack { down_since: T, runs: usize },
}

/// Decides from a target's run history (oldest first, runs it was not crawled in left out) what
/// the last run changed. A target that never answered raises nothing: there is nothing to lose.
pub fn change<T: Clone>(
    history: &[RunHealth<T>],
    unreachable_after: usize,
) -> Option<HealthChange<T>> {
    let unreachable_after = unreachable_after.max(1);
    let (last, earlier) = history.split_last()?;
    // Blocked runs neither break a streak nor count in it: the site answered, only not to us.
    let streak_of = |runs: &[RunHealth<T>]| -> Vec<usize> {
        runs.iter()
            .enumerate()
            .rev()
            .filter(|(_, r)| !matches!(r.health, SiteHealth::Blocked { .. }))
            .take_while(|(_, r)| r.health.is_down())
            .map(|(i, _)| i)
            .collect()
    };
    let answered_before = |upto: usize| history[..upto].iter().any(|r| r.health == SiteHealth::Up);
    match &last.health {
        SiteHealth::Down { .. } => {
            let streak = streak_of(history);
            let first = *streak.last()?;
            (streak.len() == unreachable_after && answered_before(first)).then(|| {
                HealthChange::WentDark {
                    since_run: history[first].run,
                    since: history[first].at.clone(),
                    runs: streak.len(),
                }
            })
        }
        SiteHealth::Up => {
            let streak = streak_of(earlier);
            let first = *streak.last()?;
            (streak.len() >= unreachable_after && answered_before(first)).then(|| {
                HealthChange::CameBack {
                    down_since: history[first].at.clone(),
                    runs: streak.len(),
                }
            })
        }
        SiteHealth::Blocked { .. } => None,
    }
}

#[cfg(test)]
mod tests;
