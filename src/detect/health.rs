//! Site health: whether a target answered as a whole, and when a site that answered before goes
//! dark or comes back (docs/contract.md "Site health").
//!
//! A company site vanishing is often the strongest takedown signal there is, so a target that
//! answered before and now fails as a whole (its name no longer resolves, connections refused,
//! TLS failing, every page 5xx or timing out) for `unreachable_after` runs in a row raises
//! `site_unreachable`; the first run it answers again raises `site_back`. A site that answers
//! only to refuse us (challenge pages, 403 everywhere) is blocked: a state shown in the summary,
//! never a takedown flag.

use serde::{Deserialize, Serialize};

/// How a target answered in one run, as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SiteHealth {
    /// Some page answered with content, or with 404/410 (the site answers; the page is gone).
    Up,
    /// Every answer refused us: challenge pages, 401/403, robots.txt or the address guard.
    Blocked { detail: String },
    /// Nothing answered: see the cause.
    Down { cause: DownCause, detail: String },
}

/// Why a site did not answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DownCause {
    /// The host name no longer resolves.
    Dns,
    /// Connections were refused or reset, or the host could not be reached.
    Connection,
    /// The TLS handshake failed (certificate expired, wrong name, no TLS).
    Tls,
    /// No answer within the timeout.
    Timeout,
    /// Every page answered 5xx.
    ServerError,
    /// Some other failure of every request.
    Other,
}

impl DownCause {
    /// In words, for cron logs and reasons: "host unreachable: connection refused".
    pub fn describe(&self) -> &'static str {
        match self {
            DownCause::Dns => "the host name does not resolve",
            DownCause::Connection => "host unreachable",
            DownCause::Tls => "TLS handshake failed",
            DownCause::Timeout => "no answer before the timeout",
            DownCause::ServerError => "every page answered with a server error",
            DownCause::Other => "every request failed",
        }
    }
}

impl SiteHealth {
    pub fn is_down(&self) -> bool {
        matches!(self, SiteHealth::Down { .. })
    }

    /// One line for a summary: "up", "blocked: 403 on every page", "down: host unreachable:
    /// connection refused".
    pub fn describe(&self) -> String {
        match self {
            SiteHealth::Up => "up".into(),
            SiteHealth::Blocked { detail } => format!("blocked: {detail}"),
            SiteHealth::Down { cause, detail } if detail.is_empty() => {
                format!("down: {}", cause.describe())
            }
            SiteHealth::Down { cause, detail } => format!("down: {}: {detail}", cause.describe()),
        }
    }
}

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

/// The health of a target from the attempts of one run; `None` when it made none (not crawled,
/// or interrupted before its first request).
pub fn health_of(attempts: &[Attempt]) -> Option<SiteHealth> {
    if attempts.is_empty() {
        return None;
    }
    if attempts.iter().any(|a| *a == Attempt::Answered) {
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
