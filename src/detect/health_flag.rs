//! The flags of site health: `site_unreachable` when a site that answered before has failed as
//! a whole for `unreachable_after` runs in a row, `site_back` when it answers again.

use chrono::{DateTime, SecondsFormat, Utc};

use super::TargetRun;
use super::build::{flag_capture, flag_id, whole_seconds};
use super::health::{HealthChange, SiteHealth, assess, attempt_of, health_of};
use crate::claims::Category;
use crate::config::Target;
use crate::flags::{Flag, FlagTarget, FlagType, Review, SCHEMA_VERSION, Scope, Severity};
use crate::store::{CaptureRecord, HealthRecord, Store, StoreError};

/// What a health flag stands on.
pub struct HealthFlagParts<'a> {
    pub target: &'a Target,
    pub change: &'a HealthChange<DateTime<Utc>>,
    /// The runs the decision looked at, oldest first.
    pub recent: &'a [HealthRecord],
    pub run: u64,
    /// The site's last good capture before this run, if any.
    pub last_good: Option<&'a CaptureRecord>,
    /// This run's capture of the site's first seed (or its first capture).
    pub now: &'a CaptureRecord,
    pub detected_at: DateTime<Utc>,
}

/// The flag a health change raises.
pub fn health_flag(parts: HealthFlagParts<'_>) -> Flag {
    let target = parts.target;
    let url = target
        .seeds
        .first()
        .map_or_else(|| parts.now.url.clone(), |s| s.to_string());
    let (flag_type, severity, id_part, first_seen, reason) = match parts.change {
        HealthChange::WentDark {
            since_run,
            since,
            runs,
        } => (
            FlagType::SiteUnreachable,
            Severity::Medium,
            since_run.to_string(),
            *since,
            format!(
                "no page answered in {runs} {} in a row, since {}: {}",
                if *runs == 1 { "run" } else { "runs" },
                rfc3339(*since),
                causes(parts.recent)
            ),
        ),
        HealthChange::CameBack { down_since, runs } => (
            FlagType::SiteBack,
            Severity::Low,
            parts.run.to_string(),
            *down_since,
            format!(
                "answers again after {runs} failed {} in a row, down since {}",
                if *runs == 1 { "run" } else { "runs" },
                rfc3339(*down_since)
            ),
        ),
    };
    Flag {
        schema_version: SCHEMA_VERSION,
        flag_id: flag_id(&[flag_type.as_str(), &target.id, &id_part]),
        flag_type,
        scope: Scope::Site,
        category: Category::Health,
        severity,
        target: FlagTarget {
            id: target.id.clone(),
            name: target.name.clone(),
        },
        url,
        claim: None,
        before: parts.last_good.map(flag_capture),
        after: flag_capture(parts.now),
        first_seen: whole_seconds(first_seen),
        last_seen: whole_seconds(parts.detected_at),
        detected_at: whole_seconds(parts.detected_at),
        reason: Some(reason),
        review: Review::unreviewed(),
    }
}

/// The errors seen in the failed runs, each once, most recent last: "host unreachable:
/// connection refused (os error 111)".
fn causes(recent: &[HealthRecord]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for record in recent {
        if let SiteHealth::Down { .. } = record.health {
            let text = record.health.describe();
            let text = text.strip_prefix("down: ").unwrap_or(&text).to_string();
            if !seen.contains(&text) {
                seen.push(text);
            }
        }
    }
    seen.join("; ")
}

fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// What one target's run says about its site, kept until every target of the run is done.
#[derive(Debug, Clone)]
pub struct SiteSnapshot {
    pub health: SiteHealth,
    /// This run's capture of the site's first seed, or its last capture: its id only, since
    /// every target's snapshot is held until the whole run is done and few raise a flag.
    pub latest: u64,
    /// The site's last good capture before this run.
    pub last_good: Option<u64>,
}

/// The site's health in this run; `None` when the target made no request.
pub fn snapshot(run: &TargetRun<'_>) -> Option<SiteSnapshot> {
    let attempts: Vec<_> = run.captures.iter().map(attempt_of).collect();
    Some(SiteSnapshot {
        health: health_of(&attempts)?,
        latest: seed_capture(run)?.id,
        last_good: run
            .pages_before
            .iter()
            .filter_map(|p| p.last_good_capture)
            .max(),
    })
}

/// Whether a run's failures are more likely the crawler's than the sites': two or more sites
/// crawled and not one answered. Such a run is left out of every site's health history, so a
/// lost network cannot make every site on the watch-list "gone dark".
pub fn is_crawler_outage(snapshots: &[&SiteSnapshot]) -> bool {
    snapshots.len() >= 2 && snapshots.iter().all(|s| s.health.is_down())
}

/// Records the site's health in this run and stores the flag a change raises; returns it when
/// it is new.
pub fn record_site_health(
    store: &Store,
    target: &Target,
    site: &SiteSnapshot,
    run_id: u64,
    now: DateTime<Utc>,
) -> Result<Option<Flag>, StoreError> {
    let assessment = assess(
        store,
        &target.id,
        run_id,
        now,
        &site.health,
        target.settings.unreachable_after,
    )?;
    let Some(change) = &assessment.change else {
        return Ok(None);
    };
    let last_good = match site.last_good {
        Some(id) => store.capture(id)?,
        None => None,
    };
    // Written earlier in this run: missing means the store lost it.
    let latest = store.capture(site.latest)?.ok_or_else(|| {
        StoreError::corrupt(format!("capture {} of this run is missing", site.latest))
    })?;
    let flag = health_flag(HealthFlagParts {
        target,
        change,
        recent: &assessment.recent,
        run: run_id,
        last_good: last_good.as_ref(),
        now: &latest,
        detected_at: now,
    });
    Ok(store.insert_flag(&flag)?.then_some(flag))
}

/// This run's capture of the target's first seed, or its last capture.
fn seed_capture<'a>(run: &'a TargetRun<'_>) -> Option<&'a CaptureRecord> {
    let seed = run.target.seeds.first().map(|s| s.as_str());
    run.captures
        .iter()
        .rev()
        .find(|c| Some(c.url.as_str()) == seed)
        .or(run.captures.last())
}
