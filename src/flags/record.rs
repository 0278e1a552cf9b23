//! The flag record, exactly as docs/contract.md fixes it: field names and nesting are a contract.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::claims::Category;

/// The record's schema version.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagType {
    ClaimRemoved,
    ClaimAdded,
    ClaimChanged,
    PartnerUnverified,
    /// A site that answered before failed as a whole for `unreachable_after` runs in a row.
    SiteUnreachable,
    /// A site flagged unreachable answers again.
    SiteBack,
}

impl FlagType {
    pub fn as_str(&self) -> &'static str {
        match self {
            FlagType::ClaimRemoved => "claim_removed",
            FlagType::ClaimAdded => "claim_added",
            FlagType::ClaimChanged => "claim_changed",
            FlagType::PartnerUnverified => "partner_unverified",
            FlagType::SiteUnreachable => "site_unreachable",
            FlagType::SiteBack => "site_back",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Site,
    Page,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagTarget {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Allowlist {
    Listed,
    NotListed,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagManufacturer {
    pub name: String,
    pub allowlist: Allowlist,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagClaim {
    pub text: String,
    pub lang: String,
    pub rule: String,
    pub terms: Vec<String>,
    pub manufacturer: Option<FlagManufacturer>,
}

/// A capture a flag stands on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagCapture {
    pub capture_id: String,
    pub captured_at: DateTime<Utc>,
    pub http_status: Option<u16>,
    pub sha256: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    Unreviewed,
    Confirmed,
    Dismissed,
    /// The claim is in a language the reviewer cannot read yet.
    NeedsTranslation,
}

impl ReviewStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            ReviewStatus::Unreviewed => "unreviewed",
            ReviewStatus::Confirmed => "confirmed",
            ReviewStatus::Dismissed => "dismissed",
            ReviewStatus::NeedsTranslation => "needs_translation",
        }
    }

    /// Every status, in the order a reviewer meets them.
    pub const ALL: [ReviewStatus; 4] = [
        ReviewStatus::Unreviewed,
        ReviewStatus::Confirmed,
        ReviewStatus::Dismissed,
        ReviewStatus::NeedsTranslation,
    ];
}

impl std::str::FromStr for ReviewStatus {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        ReviewStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| {
                format!("{text:?} is not a review status: use confirmed, dismissed, needs_translation or unreviewed")
            })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub status: ReviewStatus,
    pub note: Option<String>,
    /// When the status was last set by a reviewer; absent until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_at: Option<DateTime<Utc>>,
}

impl Review {
    /// The review of a flag nobody has looked at yet.
    pub fn unreviewed() -> Review {
        Review {
            status: ReviewStatus::Unreviewed,
            note: None,
            reviewed_at: None,
        }
    }
}

/// One flag (one JSON object a line with `--format jsonl`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub schema_version: u32,
    /// Stable across runs: the same change never gets two flags.
    pub flag_id: String,
    pub flag_type: FlagType,
    pub scope: Scope,
    pub category: Category,
    pub severity: Severity,
    pub target: FlagTarget,
    pub url: String,
    /// Null for flags about a whole site (`site_unreachable`, `site_back`): they concern no
    /// claim.
    pub claim: Option<FlagClaim>,
    /// Null for a claim first seen.
    pub before: Option<FlagCapture>,
    pub after: FlagCapture,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub detected_at: DateTime<Utc>,
    /// Why, in a sentence a person can check: which pages were compared, how alike a rewording
    /// is, which authorized list was consulted. Absent from flags stored before reasons existed.
    #[serde(default)]
    pub reason: Option<String>,
    pub review: Review,
}

impl Flag {
    /// The claim's text as it stood, or "" for a flag about a whole site.
    pub fn claim_text(&self) -> &str {
        self.claim.as_ref().map_or("", |c| c.text.as_str())
    }
}
