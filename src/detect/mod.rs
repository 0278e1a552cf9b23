//! Detection: after a target's crawl, what changed in what the site says, as flags with their
//! reasons (docs/contract.md "What is and is not a change").
//!
//! Three steps: [`site`] gathers every page's claims before and after the run from the store
//! ([`ClaimCache`]); [`decide`](mod@decide) decides what changed, by claim [`identity`] looked up through an
//! [`index`], telling main content from [`template`]; [`build`](mod@build) turns decisions into flag records.

pub mod build;
mod cache;
pub mod decide;
pub mod health;
pub mod health_flag;
pub mod identity;
pub mod index;
pub mod inventory;
pub mod site;
pub mod template;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::claims::{Category, Claim, KnownManufacturer, Matcher};
use crate::config::Target;
use crate::flags::{Flag, FlagTarget, FlagType, Scope};
use crate::store::{CaptureRecord, Outcome, PageRecord, Store, StoreError};
use build::{FlagParts, allowlist, build};
pub use cache::ClaimCache;
use decide::decide;
use site::{PageAfter, PageView, SitePage};

/// What one target's crawl left to compare.
pub struct TargetRun<'a> {
    pub target: &'a Target,
    /// The target's pages as they stood before this run.
    pub pages_before: &'a [PageRecord],
    /// The captures this run made for the target.
    pub captures: &'a [CaptureRecord],
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
    let (pages, captures) = site_pages(cache, run)?;

    let makers = cache.matcher.manufacturers();
    let maker_of = |claim: &Claim| {
        let name = claim.manufacturer.as_deref()?;
        let maker = makers.iter().find(|m| m.name == name)?;
        Some((maker, allowlist(maker, &hosts)))
    };
    let mut flags = Vec::new();
    // A site whose every page reads as before (the same document, or not fetched well) has no
    // change to decide; on an unchanged re-crawl that is every site.
    let decisions = if pages.iter().all(SitePage::reads_as_before) {
        Vec::new()
    } else {
        decide(&pages)
    };
    for decision in decisions {
        let url = pages[decision.page].url.as_str();
        let (before, after) = &captures[decision.page];
        let (Some(before), Some(after)) = (before, after) else {
            // Decisions are only made on pages captured well before and after.
            continue;
        };
        let (first_seen, last_seen) = match decision.flag_type {
            FlagType::ClaimRemoved => cache
                .seen_span(&target.id, url, &decision.claim.key(), before.id)?
                .unwrap_or((before.captured_at, before.captured_at)),
            _ => (after.captured_at, after.captured_at),
        };
        flags.push(build(FlagParts {
            flag_type: decision.flag_type,
            scope: decision.scope,
            target: flag_target.clone(),
            url,
            claim: &decision.claim,
            maker: maker_of(&decision.claim),
            before: Some(before),
            after,
            first_seen,
            last_seen,
            detected_at: now,
            reason: Some(decision.reason),
        }));
    }

    // Partner claims naming a maker whose authorized list is known and leaves the target out.
    let mut unverified_seen = HashSet::new();
    for (page, (_, after)) in pages.iter().zip(&captures) {
        let (PageAfter::Fetched(view), Some(capture)) = (&page.after, after) else {
            continue;
        };
        for claim in view.claims.iter() {
            let Some((maker, verdict)) = maker_of(claim) else {
                continue;
            };
            if claim.category != Category::Partner
                || verdict != crate::flags::Allowlist::NotListed
                || !unverified_seen.insert(maker.name.clone())
            {
                continue;
            }
            let (first, last) = cache
                .seen_span(&target.id, &page.url, &claim.key(), capture.id)?
                .unwrap_or((capture.captured_at, capture.captured_at));
            flags.push(build(FlagParts {
                flag_type: FlagType::PartnerUnverified,
                scope: Scope::Site,
                target: flag_target.clone(),
                url: &page.url,
                claim,
                maker: Some((maker, verdict)),
                before: None,
                after: capture,
                first_seen: first,
                last_seen: last,
                detected_at: now,
                reason: Some(unverified_reason(maker, &hosts)),
            }));
        }
    }
    tracing::debug!(
        "{}: detection: {}; {} flags",
        target.id,
        site::PagesCompared::of(&pages).describe(),
        flags.len()
    );
    Ok(flags)
}

/// The captures a page's decisions stand on: its last good one before the run, and this run's.
type PageCaptures = (Option<CaptureRecord>, Option<CaptureRecord>);

/// The target's pages before and after the run, with the captures behind each state.
fn site_pages(
    cache: &mut ClaimCache<'_>,
    run: &TargetRun<'_>,
) -> Result<(Vec<SitePage>, Vec<PageCaptures>), StoreError> {
    let before_good: BTreeMap<&str, u64> = run
        .pages_before
        .iter()
        .filter_map(|p| p.last_good_capture.map(|id| (p.url.as_str(), id)))
        .collect();
    // Pages captured since their last good capture: if that capture answered 404/410, the page
    // was gone before this run. It said nothing then, whatever its last good capture says, so
    // its old claims neither stand again nor are "removed" again every run it stays gone.
    let later: BTreeMap<&str, u64> = run
        .pages_before
        .iter()
        .filter(|p| {
            p.last_good_capture
                .is_some_and(|good| good != p.last_capture)
        })
        .map(|p| (p.url.as_str(), p.last_capture))
        .collect();
    // The last capture of each page in this run decides its state.
    let mut latest: BTreeMap<&str, &CaptureRecord> = BTreeMap::new();
    for capture in run.captures {
        latest.insert(capture.url.as_str(), capture);
    }
    let urls: BTreeSet<&str> = before_good.keys().chain(latest.keys()).copied().collect();
    let mut pages = Vec::with_capacity(urls.len());
    let mut captures = Vec::with_capacity(urls.len());
    let stored = |id: u64, url: &str| -> Result<CaptureRecord, StoreError> {
        cache
            .store
            .capture(id)?
            .ok_or_else(|| StoreError::corrupt(format!("page {url}: capture {id} is missing")))
    };
    for url in urls {
        let gone_before = match later.get(url) {
            Some(&id) => Some(stored(id, url)?).filter(CaptureRecord::is_gone),
            None => None,
        };
        let was_gone = gone_before.is_some();
        let before_capture = match (gone_before, before_good.get(url)) {
            (Some(gone), _) => Some(gone),
            (None, Some(&id)) => Some(stored(id, url)?),
            (None, None) => None,
        };
        let before = match &before_capture {
            Some(_) if was_gone => Some(Arc::new(PageView::default())),
            Some(capture) => Some(cache.of(capture)?),
            None => None,
        };
        let capture = latest.get(url).copied();
        let after = match capture {
            Some(c) if c.outcome == Outcome::Ok => PageAfter::Fetched(cache.of(c)?),
            Some(c) if c.is_gone() => PageAfter::Gone,
            // Not fetched well this run: as far as anyone knows, still gone.
            _ if was_gone => PageAfter::Gone,
            // Failed, blocked, refused, robots-blocked, 5xx, 429, or not reached: never a change.
            _ => PageAfter::Unchanged,
        };
        let after_capture = capture
            .filter(|c| c.outcome == Outcome::Ok || c.is_gone())
            .cloned();
        // A URL never captured well (a broken link, a missing sitemap) is no page of the site.
        if before.is_none() && !matches!(after, PageAfter::Fetched(_)) {
            continue;
        }
        pages.push(SitePage {
            url: url.to_string(),
            before,
            after,
        });
        captures.push((before_capture, after_capture));
    }
    Ok((pages, captures))
}

/// Why a partner claim is unverified: which list was consulted.
fn unverified_reason(maker: &KnownManufacturer, hosts: &[String]) -> String {
    let listed = maker.authorized.as_ref().map_or(0, Vec::len);
    let source = maker
        .source
        .as_deref()
        .map(|s| format!(", from {s}"))
        .unwrap_or_default();
    format!(
        "{}'s authorized list ({listed} {}{source}) does not hold {}",
        maker.name,
        site::plural(listed, "host", "hosts"),
        hosts.join(" or ")
    )
}

/// Detects one target's flags and stores them; returns those that were new.
pub fn detect_and_store(
    store: &Store,
    matcher: &Matcher,
    run: &TargetRun<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<Flag>, StoreError> {
    let mut cache = ClaimCache::keeping_views(store, matcher);
    let mut new = Vec::new();
    for flag in detect(&mut cache, run, now)? {
        if store.insert_flag(&flag)? {
            new.push(flag);
        }
    }
    Ok(new)
}
