//! Reading captures, documents and pages back through the indexes (capture_write writes them).

use crate::extract::Document;

use super::codec::{decompress, from_json};
use super::keys::{id_key, index_id, name_prefix, page_key};
use super::{CaptureRecord, PageRecord, Store, StoreError, bodies, record_delta};

impl Store {
    /// The capture with this id.
    pub fn capture(&self, id: u64) -> Result<Option<CaptureRecord>, StoreError> {
        let key = id_key(id);
        match self.captures.get(key)? {
            Some(value) => self.capture_from(&key, &value).map(Some),
            None => Ok(None),
        }
    }

    /// A capture record from its stored value.
    pub(super) fn capture_from(
        &self,
        key: &[u8],
        value: &[u8],
    ) -> Result<CaptureRecord, StoreError> {
        from_json("captures", key, &self.capture_json(key, value)?)
    }

    /// A capture record's JSON from its stored value: the JSON its custody entry hashed.
    pub(super) fn capture_json<'a>(
        &self,
        key: &[u8],
        value: &'a [u8],
    ) -> Result<std::borrow::Cow<'a, [u8]>, StoreError> {
        record_delta::unpack(&self.captures, key, value)
    }

    /// Every capture, oldest first, read as it is iterated.
    pub fn all_captures(&self) -> impl Iterator<Item = Result<CaptureRecord, StoreError>> + '_ {
        self.captures.iter().map(|entry| {
            let (key, value) = entry?;
            self.capture_from(&key, &value)
        })
    }

    /// The document extracted from this capture, if it had one.
    pub fn document(&self, capture_id: u64) -> Result<Option<Document>, StoreError> {
        match self.capture(capture_id)? {
            Some(record) => self.document_of(&record),
            None => Ok(None),
        }
    }

    /// [`Store::document`] for a capture record already read.
    pub fn document_of(&self, record: &CaptureRecord) -> Result<Option<Document>, StoreError> {
        let capture_id = record.id;
        let key = match &record.document_sha256 {
            Some(digest) => match bodies::parse_hex(digest) {
                Some(raw) => raw.to_vec(),
                None => {
                    return Err(StoreError::corrupt(format!(
                        "captures: capture {capture_id} names document {digest:?}, not a SHA-256"
                    )));
                }
            },
            None => id_key(capture_id).to_vec(),
        };
        self.stored_document(&key)
    }

    /// The document stored under `key`: its digest, or for the oldest stores a capture id.
    pub(super) fn stored_document(&self, key: &[u8]) -> Result<Option<Document>, StoreError> {
        match self.documents.get(key)? {
            Some(packed) => {
                let json = decompress("documents", key, &packed)?;
                from_json("documents", key, &json).map(Some)
            }
            None => Ok(None),
        }
    }

    /// Every capture of this URL, oldest first, whatever target it was captured for.
    pub fn captures_for_url(&self, url: &str) -> Result<Vec<CaptureRecord>, StoreError> {
        self.indexed_captures(&self.by_url, "by_url", url)
    }

    /// Every capture made for this target, oldest first.
    pub fn captures_for_target(&self, target: &str) -> Result<Vec<CaptureRecord>, StoreError> {
        self.indexed_captures(&self.by_target, "by_target", target)
    }

    /// Whether any capture was made for this target.
    pub fn has_target(&self, target: &str) -> Result<bool, StoreError> {
        Ok(self
            .by_target
            .scan_prefix(name_prefix(target))
            .keys()
            .next()
            .transpose()?
            .is_some())
    }

    fn indexed_captures(
        &self,
        index: &sled::Tree,
        index_name: &str,
        name: &str,
    ) -> Result<Vec<CaptureRecord>, StoreError> {
        let prefix = name_prefix(name);
        let mut records = Vec::new();
        for key in index.scan_prefix(&prefix).keys() {
            let id = index_id(index_name, &prefix, &key?)?;
            // Index and record are written in one transaction: a dangling entry is damage.
            let record = self.capture(id)?.ok_or_else(|| {
                StoreError::corrupt(format!(
                    "{index_name}: entry for {name:?} names capture {id}, which is not stored"
                ))
            })?;
            records.push(record);
        }
        Ok(records)
    }

    /// What the store knows about this URL of this target.
    pub fn page(&self, target: &str, url: &str) -> Result<Option<PageRecord>, StoreError> {
        let key = page_key(target, url);
        match self.pages.get(&key)? {
            Some(value) => from_json("pages", &key, &value).map(Some),
            None => Ok(None),
        }
    }

    /// Every URL ever captured for this target, in URL byte order.
    pub fn pages(&self, target: &str) -> Result<Vec<PageRecord>, StoreError> {
        self.pages
            .scan_prefix(name_prefix(target))
            .map(|entry| {
                let (key, value) = entry?;
                from_json("pages", &key, &value)
            })
            .collect()
    }
}
