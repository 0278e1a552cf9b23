//! Writing a capture (one transaction over every tree it touches, its custody entry included)
//! and reading captures, documents and pages back through the indexes.

use chrono::Utc;
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;

use crate::extract::Document;

use super::codec::{compress, decompress, from_json, to_json};
use super::custody::{self, CustodyKind, Logged};
use super::keys::{check_name, id_key, index_id, index_key, name_prefix, page_key};
use super::{
    CaptureRecord, NewCapture, Outcome, PageRecord, Store, StoreError, bodies, record_delta,
};

type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

fn abort(err: StoreError) -> ConflictableTransactionError<StoreError> {
    ConflictableTransactionError::Abort(err)
}

/// What [`Store::put_capture`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct PutOutcome {
    /// The capture as stored, id and digest filled in.
    pub record: CaptureRecord,
    /// True when the body was not stored before: the page changed (or is new), byte for byte.
    pub new_body: bool,
}

impl Store {
    /// Stores a capture: its body (unless that exact body is already stored), its record, its
    /// document, both indexes and the page record, all or nothing.
    pub fn put_capture(&self, capture: NewCapture) -> Result<PutOutcome, StoreError> {
        check_name("target", &capture.target)?;
        check_name("url", &capture.url)?;
        let id = self.next_id()?;
        let digest = match (&capture.body, capture.body_sha256) {
            (Some(_), Some(known)) => Some(known),
            (body, _) => body.as_deref().map(bodies::digest),
        };

        // Compression is the slow part: do it before the transaction, whose closure sled may
        // run more than once, and skip it for a body already stored (the common case on a
        // re-crawl of an unchanged site).
        let packed_body = match (&capture.body, &digest) {
            (Some(body), Some(digest)) if !self.bodies.contains_key(digest)? => {
                Some(compress("body", body)?)
            }
            _ => None,
        };
        // Documents are content-addressed like bodies: a page whose text did not change (even if
        // its bytes did) stores no second copy.
        let document_json = capture.document.as_ref().map(to_json);
        let document_digest = document_json.as_deref().map(bodies::digest);
        let packed_document = match (&document_json, &document_digest) {
            (Some(json), Some(digest)) if !self.documents.contains_key(digest)? => {
                Some(compress("document", json)?)
            }
            _ => None,
        };

        let links_json = match (&capture.document, &packed_document, &capture.links) {
            (Some(_), Some(_), Some(links)) => Some(compress("links", &to_json(links))?),
            (Some(document), Some(_), None) => {
                Some(compress("links", &to_json(&link_urls(document)))?)
            }
            _ => None,
        };
        let mut record = capture_record(id, &capture, digest.map(hex::encode));
        record.document_sha256 = document_digest
            .map(hex::encode)
            .or_else(|| capture.same_document_as_before.clone());
        record.has_document = record.document_sha256.is_some();
        let record_json = to_json(&record);
        let key = id_key(id);
        let url_key = index_key(&capture.url, id);
        let target_key = index_key(&capture.target, id);
        let page_key = page_key(&capture.target, &capture.url);
        // The page's last capture is almost always the record this one reads most like.
        let base = match self.pages.get(&page_key)? {
            Some(stored) => {
                let page: PageRecord = from_json("pages", &page_key, &stored)?;
                record_delta::base_for(&self.captures, page.last_capture)?
            }
            None => None,
        };
        let stored_record = record_delta::pack(&record_json, base.as_ref())?;

        let capture_id = id.to_string();
        let logged = Logged::new(CustodyKind::Capture, &capture_id, &record_json);
        let logged_at = Utc::now();
        let trees = (
            &self.bodies,
            &self.captures,
            &self.documents,
            &self.links,
            &self.by_url,
            &self.by_target,
            &self.pages,
            &self.custody,
            &self.meta,
        );
        let new_body =
            trees
                .transaction(
                    |(
                        bodies,
                        captures,
                        documents,
                        links,
                        by_url,
                        by_target,
                        pages,
                        custody,
                        meta,
                    )|
                     -> TxResult<bool> {
                        let mut new_body = false;
                        if let (Some(body), Some(digest)) = (&capture.body, &digest)
                            && bodies.get(digest)?.is_none()
                        {
                            match &packed_body {
                                Some(packed) => bodies.insert(&digest[..], packed.as_slice())?,
                                // Present at the check above, so not compressed; gone now only if
                                // something deleted it, which the store never does. Cope anyway.
                                None => bodies
                                    .insert(&digest[..], compress("body", body).map_err(abort)?)?,
                            };
                            new_body = true;
                        }
                        captures.insert(&key[..], stored_record.as_slice())?;
                        if let (Some(json), Some(digest)) = (&document_json, &document_digest)
                            && documents.get(digest)?.is_none()
                        {
                            match &packed_document {
                                Some(packed) => documents.insert(&digest[..], packed.as_slice())?,
                                None => documents.insert(
                                    &digest[..],
                                    compress("document", json).map_err(abort)?,
                                )?,
                            };
                            if let Some(links_json) = &links_json {
                                links.insert(&digest[..], links_json.as_slice())?;
                            }
                        }
                        by_url.insert(url_key.as_slice(), &[][..])?;
                        by_target.insert(target_key.as_slice(), &[][..])?;
                        let page = match pages.get(&page_key)? {
                            Some(stored) => {
                                let page: PageRecord =
                                    from_json("pages", &page_key, &stored).map_err(abort)?;
                                updated_page(page, &record)
                            }
                            None => new_page(&record),
                        };
                        pages.insert(page_key.as_slice(), to_json(&page))?;
                        custody::append(custody, meta, logged, logged_at)?;
                        Ok(new_body)
                    },
                )
                .map_err(super::transaction_error)?;
        Ok(PutOutcome { record, new_body })
    }

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

fn capture_record(id: u64, capture: &NewCapture, sha256: Option<String>) -> CaptureRecord {
    CaptureRecord {
        id,
        head: capture.head.clone(),
        sha256,
        size: capture.body.as_ref().map(|body| body.len() as u64),
        truncated: capture.truncated,
        error: capture.error.clone(),
        depth: capture.depth,
        has_document: capture.document.is_some(),
        document_sha256: None,
    }
}

/// The URLs a document links to, kept beside it.
fn link_urls(document: &Document) -> Vec<&str> {
    document.links.iter().map(|l| l.url.as_str()).collect()
}

fn new_page(record: &CaptureRecord) -> PageRecord {
    PageRecord {
        target: record.target.clone(),
        url: record.url.clone(),
        first_seen: record.captured_at,
        last_capture: record.id,
        last_good_capture: (record.outcome == Outcome::Ok).then_some(record.id),
        depth: record.depth,
    }
}

fn updated_page(mut page: PageRecord, record: &CaptureRecord) -> PageRecord {
    page.last_capture = record.id;
    if record.outcome == Outcome::Ok {
        page.last_good_capture = Some(record.id);
    }
    page.depth = page.depth.min(record.depth);
    page
}
