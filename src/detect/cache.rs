//! Claims per capture, computed once per detection from stored documents with the current rules,
//! so a rule added today compares old and new captures alike.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::site::{BlockMark, PageView};
use crate::claims::{ClaimKey, Matcher};
use crate::extract::Block;
use crate::store::{Store, StoreError};

/// First and last seen.
type SeenSpan = (DateTime<Utc>, DateTime<Utc>);

/// Claims per capture, computed once per detection.
pub struct ClaimCache<'a> {
    pub(super) store: &'a Store,
    pub(super) matcher: &'a Matcher,
    views: HashMap<u64, Arc<PageView>>,
    by_document: HashMap<String, Arc<PageView>>,
}

impl<'a> ClaimCache<'a> {
    pub fn new(store: &'a Store, matcher: &'a Matcher) -> ClaimCache<'a> {
        ClaimCache {
            store,
            matcher,
            views: HashMap::new(),
            by_document: HashMap::new(),
        }
    }

    /// The claims and block places of a stored capture (none when it has no document).
    /// Captures with the same document share one computation.
    pub fn of(&mut self, capture_id: u64) -> Result<Arc<PageView>, StoreError> {
        if let Some(view) = self.views.get(&capture_id) {
            return Ok(view.clone());
        }
        let record = self.store.capture(capture_id)?;
        let document_key = record.as_ref().and_then(|c| c.document_sha256.clone());
        if let Some(view) = document_key.as_ref().and_then(|k| self.by_document.get(k)) {
            let view = view.clone();
            self.views.insert(capture_id, view.clone());
            return Ok(view);
        }
        let document = match &record {
            Some(record) => self.store.document_of(record)?,
            None => None,
        };
        let view = Arc::new(document.map_or_else(PageView::default, |d| PageView {
            claims: self.matcher.claims(&d),
            blocks: d.blocks.iter().map(block_mark).collect(),
        }));
        if let Some(key) = document_key {
            self.by_document.insert(key, view.clone());
        }
        self.views.insert(capture_id, view.clone());
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
            if self.of(capture.id)?.claims.iter().any(|c| &c.key() == key) {
                let first = span.map_or(capture.captured_at, |s| s.0);
                span = Some((first, capture.captured_at));
            }
        }
        Ok(span)
    }
}

/// A block's place and a hash of its text (already whitespace-collapsed by extraction).
fn block_mark(block: &Block) -> BlockMark {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    block.text.hash(&mut hasher);
    BlockMark {
        section: block.region.section,
        text: hasher.finish(),
    }
}
