//! Claims per capture, computed from stored documents with the current rules, so a rule added
//! today compares old and new captures alike; or read from the views the store keeps for those
//! rules (`Store::use_views_of`), so an unchanged page costs no matching.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::site::PageView;
use crate::claims::{ClaimKey, Matcher};
use crate::store::{CaptureRecord, Store, StoreError};

/// First and last seen.
type SeenSpan = (DateTime<Utc>, DateTime<Utc>);

/// Claims per capture, computed once per detection.
pub struct ClaimCache<'a> {
    pub(super) store: &'a Store,
    pub(super) matcher: &'a Matcher,
    views: HashMap<u64, Arc<PageView>>,
    by_document: HashMap<String, Arc<PageView>>,
    stored_views: StoredViews,
}

/// What the cache does with the views the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StoredViews {
    /// Kept for other rules: neither read nor written.
    Foreign,
    Read,
    /// Read, and views computed here are kept (a crawl's detection).
    ReadAndKeep,
}

impl<'a> ClaimCache<'a> {
    /// A cache that reads the store's views when they were made under `matcher`'s rules.
    pub fn new(store: &'a Store, matcher: &'a Matcher) -> ClaimCache<'a> {
        let ours = store.views_are_for(&matcher.fingerprint()).unwrap_or(false);
        ClaimCache {
            store,
            matcher,
            views: HashMap::new(),
            by_document: HashMap::new(),
            stored_views: if ours {
                StoredViews::Read
            } else {
                StoredViews::Foreign
            },
        }
    }

    /// A cache that also keeps the views it computes: for a crawl, which has made the store's
    /// views those of `matcher` (`Store::use_views_of`).
    pub fn keeping_views(store: &'a Store, matcher: &'a Matcher) -> ClaimCache<'a> {
        let mut cache = ClaimCache::new(store, matcher);
        if cache.stored_views == StoredViews::Read {
            cache.stored_views = StoredViews::ReadAndKeep;
        }
        cache
    }

    /// [`ClaimCache::of`] for a capture known by its id.
    pub fn of_id(&mut self, capture_id: u64) -> Result<Arc<PageView>, StoreError> {
        if let Some(view) = self.views.get(&capture_id) {
            return Ok(view.clone());
        }
        match self.store.capture(capture_id)? {
            Some(record) => self.of(&record),
            None => Ok(Arc::new(PageView::default())),
        }
    }

    /// The claims and block places of a stored capture (none when it has no document).
    /// Captures with the same document share one computation.
    pub fn of(&mut self, record: &CaptureRecord) -> Result<Arc<PageView>, StoreError> {
        if let Some(view) = self.views.get(&record.id) {
            return Ok(view.clone());
        }
        let document_key = record.document_sha256.clone();
        if let Some(view) = document_key.as_ref().and_then(|k| self.by_document.get(k)) {
            let view = view.clone();
            self.views.insert(record.id, view.clone());
            return Ok(view);
        }
        let stored = match (&document_key, self.stored_views) {
            (Some(key), StoredViews::Read | StoredViews::ReadAndKeep) => self.store.view(key)?,
            _ => None,
        };
        let view = match stored {
            Some(view) => Arc::new(view),
            None => {
                let document = self.store.document_of(record)?;
                let view =
                    document.map_or_else(PageView::default, |d| PageView::of(self.matcher, &d));
                if let (Some(key), StoredViews::ReadAndKeep) = (&document_key, self.stored_views) {
                    self.store.put_view(key, &view)?;
                }
                Arc::new(view)
            }
        };
        if let Some(key) = document_key {
            self.by_document.insert(key, view.clone());
        }
        self.views.insert(record.id, view.clone());
        Ok(view)
    }

    /// When a claim first and last stood on a page, over its good captures up to `up_to`.
    pub(super) fn seen_span(
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
            if self.of(&capture)?.claims.iter().any(|c| &c.key() == key) {
                let first = span.map_or(capture.captured_at, |s| s.0);
                span = Some((first, capture.captured_at));
            }
        }
        Ok(span)
    }
}
