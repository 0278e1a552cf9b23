//! How a target answered in one run, as a whole: a plain record kept with each run, so that a
//! target's health can be read back across runs (see `crate::detect::health`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::codec::{from_json, to_json};
use super::keys::{check_name, index_id, index_key, name_prefix};
use super::{Store, StoreError};

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

/// A target's health in one run, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthRecord {
    pub run: u64,
    pub at: DateTime<Utc>,
    pub health: SiteHealth,
}

impl Store {
    /// Records how `target` answered in `run`.
    pub fn put_health(&self, target: &str, record: &HealthRecord) -> Result<(), StoreError> {
        check_name("target", target)?;
        self.health
            .insert(index_key(target, record.run), to_json(record))?;
        Ok(())
    }

    /// The target's recent health, oldest first: every run back to (and including) the last one
    /// it answered in before its latest, which is all a health decision needs however long the
    /// history.
    pub fn recent_health(&self, target: &str) -> Result<Vec<HealthRecord>, StoreError> {
        let prefix = name_prefix(target);
        let mut recent = Vec::new();
        for entry in self.health.scan_prefix(&prefix).rev() {
            let (key, value) = entry?;
            index_id("health", &prefix, &key)?;
            let record: HealthRecord = from_json("health", &key, &value)?;
            let answered = record.health == SiteHealth::Up;
            recent.push(record);
            if answered && recent.len() > 1 {
                break;
            }
        }
        recent.reverse();
        Ok(recent)
    }
}
