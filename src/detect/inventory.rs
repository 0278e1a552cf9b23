//! The claim inventory of a target: every claim its pages have made, where, since when, and
//! whether the page still makes it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::ClaimCache;
use crate::claims::{Claim, ClaimKey};
use crate::store::StoreError;

/// One claim on one page across its captures.
#[derive(Debug, Clone)]
pub struct InventoryEntry {
    pub url: String,
    /// The claim as it stood the last time it was seen.
    pub claim: Claim,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    /// Ids of the good captures it stood in, oldest first.
    pub captures: Vec<u64>,
    /// Still on the page in its latest good capture (and the page is not gone).
    pub current: bool,
}

/// Every claim of `target`, page by page (pages in URL order, claims in order first seen).
pub fn inventory(
    cache: &mut ClaimCache<'_>,
    target: &str,
) -> Result<Vec<InventoryEntry>, StoreError> {
    let store = cache.store;
    let mut entries = Vec::new();
    for page in store.pages(target)? {
        let mut by_key: BTreeMap<ClaimKey, usize> = BTreeMap::new();
        let mut page_entries: Vec<InventoryEntry> = Vec::new();
        let mut latest_good: Option<u64> = None;
        let mut gone = false;
        for capture in store.captures_for_url(&page.url)? {
            if capture.target != target {
                continue;
            }
            if capture.is_gone() {
                gone = true;
                continue;
            }
            if !capture.is_good() {
                continue;
            }
            gone = false;
            latest_good = Some(capture.id);
            for claim in cache.of(&capture)?.claims.iter() {
                let key = claim.key();
                match by_key.get(&key) {
                    Some(&i) => {
                        let entry = &mut page_entries[i];
                        entry.claim = claim.clone();
                        entry.last_seen = capture.captured_at;
                        entry.captures.push(capture.id);
                    }
                    None => {
                        by_key.insert(key, page_entries.len());
                        page_entries.push(InventoryEntry {
                            url: page.url.clone(),
                            claim: claim.clone(),
                            first_seen: capture.captured_at,
                            last_seen: capture.captured_at,
                            captures: vec![capture.id],
                            current: false,
                        });
                    }
                }
            }
        }
        for entry in &mut page_entries {
            entry.current = !gone && entry.captures.last() == latest_good.as_ref();
        }
        entries.extend(page_entries);
    }
    Ok(entries)
}
