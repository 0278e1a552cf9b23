//! One target as its page shows it: its claims over time (a timeline), its runs and captures,
//! its site health and its cases.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::cases::Case;
use crate::claims::Matcher;
use crate::config::Config;
use crate::detect::ClaimCache;
use crate::detect::inventory::inventory;
use crate::flags::FlagType;
use crate::store::{CaptureRecord, HealthRecord, Outcome, Store, StoreError};

/// Captures listed on the page; `claimwatch history` has them all.
pub const CAPTURES_SHOWN: usize = 100;
/// Claims drawn on the timeline.
pub const BARS_SHOWN: usize = 300;

/// A target with everything its page shows.
#[derive(Debug, Clone)]
pub struct TargetView {
    pub id: String,
    pub name: String,
    /// The watch-list's entry, when the target is still on it.
    pub seeds: Vec<String>,
    pub country: Option<String>,
    pub tags: Vec<String>,
    /// Recent health, oldest first.
    pub health: Vec<HealthRecord>,
    /// Newest first.
    pub runs: Vec<RunRow>,
    /// The newest [`CAPTURES_SHOWN`] captures, newest first.
    pub captures: Vec<CaptureRecord>,
    pub capture_count: usize,
    pub timeline: Timeline,
    pub cases: Vec<Case>,
}

/// How one run went for the target, at a glance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunRow {
    pub run: u64,
    pub at: DateTime<Utc>,
    /// Good captures.
    pub good: usize,
    /// 404 and 410: the page is gone.
    pub gone: usize,
    /// Other HTTP errors, failed fetches.
    pub failed: usize,
    /// Challenge pages, robots.txt, the address guard.
    pub blocked: usize,
}

/// The target's claims from first seen to removed (or the last capture), with its flags as
/// marks.
#[derive(Debug, Clone)]
pub struct Timeline {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub bars: Vec<Bar>,
    /// Claims left out past [`BARS_SHOWN`].
    pub hidden: usize,
    /// Flags that concern no one claim (site health), drawn on a row of their own.
    pub site_marks: Vec<Mark>,
}

/// One claim on one page.
#[derive(Debug, Clone)]
pub struct Bar {
    pub url: String,
    pub text: String,
    /// BCP 47, "und" when unknown.
    pub lang: String,
    pub category: String,
    /// For a partner claim, the maker it names (a sentence naming two makers is two claims).
    pub maker: Option<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Still on the page.
    pub current: bool,
    pub marks: Vec<Mark>,
}

/// A flag on the timeline.
#[derive(Debug, Clone)]
pub struct Mark {
    pub at: DateTime<Utc>,
    pub flag_type: FlagType,
    pub case_id: String,
}

/// Reads the page of target `id` (its cases among `all_cases`); `None` when neither the
/// watch-list nor the store knows it.
pub fn target_view(
    store: &Store,
    matcher: &Matcher,
    config: &Config,
    all_cases: &[Case],
    id: &str,
    now: DateTime<Utc>,
) -> Result<Option<TargetView>, StoreError> {
    let entry = config.targets.iter().find(|t| t.id == id);
    let cases: Vec<Case> = all_cases
        .iter()
        .filter(|c| c.target_id == id)
        .cloned()
        .collect();
    let captures = store.captures_for_target(id)?;
    if entry.is_none() && cases.is_empty() && captures.is_empty() {
        return Ok(None);
    }
    let name = entry
        .map(|t| t.name.clone())
        .or_else(|| cases.first().map(|c| c.target_name.clone()))
        .unwrap_or_else(|| id.to_string());
    let timeline = timeline(store, matcher, id, &cases, &captures, now)?;
    Ok(Some(TargetView {
        id: id.to_string(),
        name,
        seeds: entry
            .map(|t| t.seeds.iter().map(|s| s.to_string()).collect())
            .unwrap_or_default(),
        country: entry.and_then(|t| t.country.clone()),
        tags: entry.map(|t| t.tags.clone()).unwrap_or_default(),
        health: store.recent_health(id)?,
        runs: runs(&captures),
        capture_count: captures.len(),
        captures: captures
            .iter()
            .rev()
            .take(CAPTURES_SHOWN)
            .cloned()
            .collect(),
        timeline,
        cases,
    }))
}

fn runs(captures: &[CaptureRecord]) -> Vec<RunRow> {
    let mut rows: BTreeMap<u64, RunRow> = BTreeMap::new();
    for capture in captures {
        let row = rows.entry(capture.run_id).or_insert_with(|| RunRow {
            run: capture.run_id,
            at: capture.captured_at,
            ..RunRow::default()
        });
        row.at = row.at.min(capture.captured_at);
        match capture.outcome {
            Outcome::Ok => row.good += 1,
            Outcome::HttpStatus if matches!(capture.status, Some(404 | 410)) => row.gone += 1,
            Outcome::HttpStatus | Outcome::Failed => row.failed += 1,
            Outcome::Blocked | Outcome::RobotsBlocked | Outcome::Refused => row.blocked += 1,
        }
    }
    rows.into_values().rev().collect()
}

fn timeline(
    store: &Store,
    matcher: &Matcher,
    target: &str,
    cases: &[Case],
    captures: &[CaptureRecord],
    now: DateTime<Utc>,
) -> Result<Timeline, StoreError> {
    let mut cache = ClaimCache::new(store, matcher);
    let entries = inventory(&mut cache, target)?;
    // The axis covers what the store saw: from the first capture to the last capture or flag.
    // Claims still on their page at the last capture run to its end.
    let start = captures.iter().map(|c| c.captured_at).min().unwrap_or(now);
    let end = captures
        .iter()
        .map(|c| c.captured_at)
        .chain(cases.iter().map(|c| c.detected_at))
        .max()
        .unwrap_or(now)
        .max(start);
    let mut bars: Vec<Bar> = entries
        .into_iter()
        .map(|e| Bar {
            url: e.url,
            lang: e.claim.lang.clone(),
            category: e.claim.category.as_str().to_string(),
            maker: e.claim.manufacturer.clone(),
            text: e.claim.text,
            from: e.first_seen,
            to: if e.current { end } else { e.last_seen },
            current: e.current,
            marks: Vec::new(),
        })
        .collect();
    let mut site_marks = Vec::new();
    for case in cases {
        for flag in &case.flags {
            let mark = Mark {
                at: flag.detected_at,
                flag_type: flag.flag_type,
                case_id: case.id.clone(),
            };
            let bar = flag.claim.as_ref().and_then(|claim| {
                let maker = claim.manufacturer.as_ref().map(|m| m.name.as_str());
                bars.iter_mut().find(|b| {
                    b.url == flag.url && b.text == claim.text && b.maker.as_deref() == maker
                })
            });
            match bar {
                Some(bar) => {
                    if flag.flag_type == FlagType::ClaimRemoved && !bar.current {
                        bar.to = bar.to.max(flag.detected_at);
                    }
                    bar.marks.push(mark);
                }
                None => site_marks.push(mark),
            }
        }
    }
    // Claims that changed first: the timeline is read for them.
    bars.sort_by_key(|b| (b.marks.is_empty(), b.current, b.from));
    let hidden = bars.len().saturating_sub(BARS_SHOWN);
    bars.truncate(BARS_SHOWN);
    Ok(Timeline {
        start,
        end,
        bars,
        hidden,
        site_marks,
    })
}
