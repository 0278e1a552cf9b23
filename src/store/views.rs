//! What is derived from a document, kept beside it so that a page whose body did not change
//! costs no work on the next run: its links (for the crawl's frontier) and its claims under one
//! rule set (for detection).
//!
//! Views are a cache of the matcher's output for one [`Matcher::fingerprint`]: the store keeps
//! the views of the fingerprint the last crawl used, and drops them all when a crawl comes with
//! another (new rules, new manufacturers, a new build). Readers with another fingerprint
//! compute their own and write nothing.
//!
//! [`Matcher::fingerprint`]: crate::claims::Matcher::fingerprint

use crate::claims::PageView;

use super::bodies::parse_hex;
use super::codec::{compress, decompress, from_json, to_json};
use super::{Store, StoreError};

/// The meta key holding the fingerprint the stored views were computed under.
const VIEWS_FINGERPRINT_KEY: &[u8] = b"views_fingerprint";

impl Store {
    /// Makes the stored views those of `fingerprint`: kept when they already are, dropped
    /// otherwise. Called by a crawl before it stores any.
    pub fn use_views_of(&self, fingerprint: &[u8; 32]) -> Result<(), StoreError> {
        if self.views_are_for(fingerprint)? {
            return Ok(());
        }
        self.views.clear()?;
        self.meta.insert(VIEWS_FINGERPRINT_KEY, &fingerprint[..])?;
        Ok(())
    }

    /// Whether the stored views were computed under `fingerprint`.
    pub fn views_are_for(&self, fingerprint: &[u8; 32]) -> Result<bool, StoreError> {
        Ok(self
            .meta
            .get(VIEWS_FINGERPRINT_KEY)?
            .is_some_and(|stored| stored.as_ref() == fingerprint))
    }

    /// The stored view of a document (by its hex SHA-256), if one was kept.
    pub fn view(&self, document_sha256: &str) -> Result<Option<PageView>, StoreError> {
        let Some(key) = parse_hex(document_sha256) else {
            return Ok(None);
        };
        match self.views.get(key)? {
            Some(packed) => {
                let json = decompress("views", &key, &packed)?;
                from_json("views", &key, &json).map(Some)
            }
            None => Ok(None),
        }
    }

    /// Keeps the view of a document; the caller has made the views those of its matcher with
    /// [`Store::use_views_of`].
    pub fn put_view(&self, document_sha256: &str, view: &PageView) -> Result<(), StoreError> {
        let Some(key) = parse_hex(document_sha256) else {
            return Ok(());
        };
        self.views.insert(key, compress("view", &to_json(view))?)?;
        Ok(())
    }

    /// The links of a stored document (by its hex SHA-256), as extraction found them: absolute
    /// http(s) URLs in document order. `None` when no such document is stored.
    pub fn document_links(&self, document_sha256: &str) -> Result<Option<Vec<String>>, StoreError> {
        let Some(key) = parse_hex(document_sha256) else {
            return Ok(None);
        };
        if let Some(packed) = self.links.get(key)? {
            let json = decompress("links", &key, &packed)?;
            return from_json("links", &key, &json).map(Some);
        }
        // A document stored before links were kept beside it: read it whole, once.
        let Some(document) = self.stored_document(&key)? else {
            return Ok(None);
        };
        let links: Vec<String> = document.links.into_iter().map(|l| l.url).collect();
        self.links
            .insert(key, compress("links", &to_json(&links))?)?;
        Ok(Some(links))
    }
}
