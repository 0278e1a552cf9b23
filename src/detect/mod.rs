//! Detection: after a target's crawl, compare each page's new capture with its last good one,
//! and the site's claims before and after, and say what changed as flags (SPEC.md "What is and
//! is not a change").
//!
//! Claims are recomputed from stored documents with the current rules, so a rule added today
//! compares old and new captures alike instead of flagging everything it newly finds.

pub mod build;
pub mod compare;
pub mod inventory;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::claims::{Claim, ClaimKey, Matcher};
use crate::config::Target;
use crate::flags::{Flag, FlagTarget, FlagType, Scope};
use crate::store::{CaptureRecord, Outcome, PageRecord, Store, StoreError};
use build::{FlagParts, allowlist, build};
use compare::compare;

/// What one target's crawl left to compare.
pub struct TargetRun<'a> {
    pub target: &'a Target,
    /// The target's pages as they stood before this run.
    pub pages_before: &'a [PageRecord],
    /// The captures this run made for the target.
    pub captures: &'a [CaptureRecord],
}

/// First and last seen.
type SeenSpan = (DateTime<Utc>, DateTime<Utc>);

/// Claims per capture, computed once per detection.
pub struct ClaimCache<'a> {
    store: &'a Store,
    matcher: &'a Matcher,
    claims: HashMap<u64, Arc<Vec<Claim>>>,
    by_document: HashMap<String, Arc<Vec<Claim>>>,
}

impl<'a> ClaimCache<'a> {
    pub fn new(store: &'a Store, matcher: &'a Matcher) -> ClaimCache<'a> {
        ClaimCache {
            store,
            matcher,
            claims: HashMap::new(),
            by_document: HashMap::new(),
        }
    }

    /// The claims of a stored capture (none when it has no document). Captures with the same
    /// document share one computation.
    pub fn of(&mut self, capture_id: u64) -> Result<Arc<Vec<Claim>>, StoreError> {
        if let Some(claims) = self.claims.get(&capture_id) {
            return Ok(claims.clone());
        }
        let record = self.store.capture(capture_id)?;
        let document_key = record.as_ref().and_then(|c| c.document_sha256.clone());
        if let Some(claims) = document_key.as_ref().and_then(|k| self.by_document.get(k)) {
            let claims = claims.clone();
            self.claims.insert(capture_id, claims.clone());
            return Ok(claims);
        }
        let document = match &record {
            Some(record) => self.store.document_of(record)?,
            None => None,
        };
        let claims = Arc::new(document.map_or_else(Vec::new, |d| self.matcher.claims(&d)));
        if let Some(key) = document_key {
            self.by_document.insert(key, claims.clone());
        }
        self.claims.insert(capture_id, claims.clone());
        Ok(claims)
    }

    /// When a claim first and last stood on a page, over its good captures up to `up_to`.
    fn seen_span(
        &mut self,
        target: &str,
        url: &str,
        key: &ClaimKey,
        up_to: u64,
    ) -> Result<Option<SeenSpan>, StoreError> {
        let mut span: Option<SeenSpan> = None;
        for capture in self.store.captures_for_url(url)? {
            if capture.target != target || !capture.is_good() || capture.id > up_to {
                continue;
            }
            if self.of(capture.id)?.iter().any(|c| &c.key() == key) {
                let first = span.map_or(capture.captured_at, |s| s.0);
                span = Some((first, capture.captured_at));
            }
        }
        Ok(span)
    }
}

/// A page's state after this run, for the claims it now holds.
enum After {
    Good(CaptureRecord),
    /// 404 or 410: the page is gone, and its claims with it.
    Gone(CaptureRecord),
}

impl After {
    fn capture(&self) -> &CaptureRecord {
        match self {
            After::Good(c) | After::Gone(c) => c,
        }
    }
}

/// Finds the flags of one target's run. Flags are returned, not stored.
pub fn detect(
    cache: &mut ClaimCache<'_>,
    run: &TargetRun<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<Flag>, StoreError> {
    let target = run.target;
    let flag_target = FlagTarget {
        id: target.id.clone(),
        name: target.name.clone(),
    };
    let hosts: Vec<String> = target
        .seeds
        .iter()
        .filter_map(|s| s.host_str().map(str::to_ascii_lowercase))
        .collect();

    let before_good: BTreeMap<&str, u64> = run
        .pages_before
        .iter()
        .filter_map(|p| p.last_good_capture.map(|id| (p.url.as_str(), id)))
        .collect();
    // The last capture of each page in this run decides its state.
    let mut latest: BTreeMap<&str, &CaptureRecord> = BTreeMap::new();
    for capture in run.captures {
        latest.insert(capture.url.as_str(), capture);
    }
    let mut after: BTreeMap<&str, After> = BTreeMap::new();
    for (url, capture) in &latest {
        let state = match capture.outcome {
            Outcome::Ok => After::Good((*capture).clone()),
            Outcome::HttpStatus if matches!(capture.status, Some(404 | 410)) => {
                After::Gone((*capture).clone())
            }
            // Failed, blocked, refused, robots-blocked, 5xx, 429: never a change.
            _ => continue,
        };
        after.insert(url, state);
    }

    let mut site_before: HashSet<ClaimKey> = HashSet::new();
    for id in before_good.values() {
        site_before.extend(cache.of(*id)?.iter().map(Claim::key));
    }
    let mut site_after: HashSet<ClaimKey> = HashSet::new();
    let urls: HashSet<&str> = before_good.keys().chain(after.keys()).copied().collect();
    for url in &urls {
        match after.get(url) {
            Some(After::Good(capture)) => {
                site_after.extend(cache.of(capture.id)?.iter().map(Claim::key))
            }
            Some(After::Gone(_)) => {}
            None => {
                if let Some(id) = before_good.get(url) {
                    site_after.extend(cache.of(*id)?.iter().map(Claim::key));
                }
            }
        }
    }

    // Page deltas, then moves: a claim removed from one page and added to another in the same
    // run moved; the site still says it, so neither side is a change.
    let mut deltas = Vec::new();
    for (url, state) in &after {
        let Some(before_id) = before_good.get(url) else {
            continue; // first good capture: the baseline
        };
        let old = cache.of(*before_id)?;
        let new = match state {
            After::Good(capture) => cache.of(capture.id)?,
            After::Gone(_) => Arc::new(Vec::new()),
        };
        let before = cache.store.capture(*before_id)?.ok_or_else(|| {
            StoreError::corrupt(format!("page {url}: capture {before_id} is missing"))
        })?;
        deltas.push((*url, before, state, compare(&old, &new)));
    }
    let removed_anywhere: HashMap<ClaimKey, &str> = deltas
        .iter()
        .flat_map(|(url, _, _, d)| d.removed.iter().map(move |c| (c.key(), *url)))
        .collect();
    let added_anywhere: HashMap<ClaimKey, &str> = deltas
        .iter()
        .flat_map(|(url, _, _, d)| d.added.iter().map(move |c| (c.key(), *url)))
        .collect();
    let moved = |key: &ClaimKey, url: &str| {
        let elsewhere = |map: &HashMap<ClaimKey, &str>| map.get(key).is_some_and(|u| *u != url);
        elsewhere(&removed_anywhere) || elsewhere(&added_anywhere)
    };

    let makers = cache.matcher.manufacturers();
    let maker_of = |claim: &Claim| {
        let name = claim.manufacturer.as_deref()?;
        let maker = makers.iter().find(|m| m.name == name)?;
        Some((maker, allowlist(maker, &hosts)))
    };
    let mut flags = Vec::new();
    for (url, before, state, delta) in &deltas {
        let after_capture = state.capture();
        let page_flag = |flag_type, scope, claim: &Claim, (first_seen, last_seen)| {
            build(FlagParts {
                flag_type,
                scope,
                target: flag_target.clone(),
                url,
                claim,
                maker: maker_of(claim),
                before: Some(before),
                after: after_capture,
                first_seen,
                last_seen,
                detected_at: now,
            })
        };
        let at = (after_capture.captured_at, after_capture.captured_at);
        for claim in &delta.removed {
            let key = claim.key();
            if moved(&key, url) {
                continue;
            }
            let scope = if site_after.contains(&key) {
                Scope::Page
            } else {
                Scope::Site
            };
            let span = cache
                .seen_span(&target.id, url, &key, before.id)?
                .unwrap_or((before.captured_at, before.captured_at));
            flags.push(page_flag(FlagType::ClaimRemoved, scope, claim, span));
        }
        for claim in &delta.added {
            let key = claim.key();
            if moved(&key, url) {
                continue;
            }
            let scope = if site_before.contains(&key) {
                Scope::Page
            } else {
                Scope::Site
            };
            flags.push(page_flag(FlagType::ClaimAdded, scope, claim, at));
        }
        for (_, claim) in &delta.changed {
            flags.push(page_flag(FlagType::ClaimChanged, Scope::Page, claim, at));
        }
    }

    // Partner claims naming a maker whose authorized list is known and leaves the target out.
    let mut unverified_seen = HashSet::new();
    for (url, state) in &after {
        let After::Good(capture) = state else {
            continue;
        };
        for claim in cache.of(capture.id)?.iter() {
            let Some((maker, verdict)) = maker_of(claim) else {
                continue;
            };
            if claim.category != "partner"
                || verdict != crate::flags::Allowlist::NotListed
                || !unverified_seen.insert(maker.name.clone())
            {
                continue;
            }
            let (first, last) = cache
                .seen_span(&target.id, url, &claim.key(), capture.id)?
                .unwrap_or((capture.captured_at, capture.captured_at));
            flags.push(build(FlagParts {
                flag_type: FlagType::PartnerUnverified,
                scope: Scope::Site,
                target: flag_target.clone(),
                url,
                claim,
                maker: Some((maker, verdict)),
                before: None,
                after: capture,
                first_seen: first,
                last_seen: last,
                detected_at: now,
            }));
        }
    }
    Ok(flags)
}

/// Detects one target's flags and stores them; returns those that were new.
pub fn detect_and_store(
    store: &Store,
    matcher: &Matcher,
    run: &TargetRun<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<Flag>, StoreError> {
    let mut cache = ClaimCache::new(store, matcher);
    let mut new = Vec::new();
    for flag in detect(&mut cache, run, now)? {
        if store.insert_flag(&flag)? {
            new.push(flag);
        }
    }
    Ok(new)
}
