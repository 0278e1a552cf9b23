//! Writing captures: each made ready outside any transaction (digests, compression, the record
//! and its delta), then any number of them written in one transaction over every tree a capture
//! touches, custody entries included: all of a batch or none of it.
//!
//! Batches exist for cost: sled writes out and syncs its log buffer twice for every
//! transaction, whatever its size, and on an unchanged re-crawl that was most of what a page
//! cost. The crawl's writer (crawl::writer) gathers the captures of a short moment into one.

use chrono::Utc;
use sled::Transactional;
use sled::transaction::ConflictableTransactionError;

use super::codec::{compress, from_json, to_json};
use super::custody::{self, CustodyKind, Logged};
use super::keys::{check_name, id_key, index_key, page_key};
use super::{
    CaptureRecord, NewCapture, Outcome, PageRecord, Store, StoreError, bodies, record_delta, views,
};
use crate::extract::Document;

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

/// A capture ready to be written: its id given, its record final, its body and document
/// compressed when the store does not hold them yet.
#[derive(Debug)]
pub struct PreparedCapture {
    record: CaptureRecord,
    /// The record's JSON: what its custody entry hashes.
    record_json: Vec<u8>,
    /// The record as stored: that JSON, or a delta on the page's last record.
    stored_record: Vec<u8>,
    /// The body's digest and, when the store did not hold it, the body compressed.
    body: Option<([u8; 32], Option<Vec<u8>>)>,
    document: Option<([u8; 32], Option<PackedDocument>)>,
    /// The document's view under the run's rules, packed, keyed like the document.
    view: Option<([u8; 32], Vec<u8>)>,
    url_key: Vec<u8>,
    target_key: Vec<u8>,
    page_key: Vec<u8>,
}

/// A document new to the store and its links, compressed.
#[derive(Debug)]
struct PackedDocument {
    document: Vec<u8>,
    links: Vec<u8>,
}

impl PreparedCapture {
    /// The record as it will be stored.
    pub fn record(&self) -> &CaptureRecord {
        &self.record
    }

    /// Roughly the bytes this capture will add to a transaction: what a batch holds in memory.
    pub fn weight(&self) -> usize {
        let body = self.body.as_ref().and_then(|(_, packed)| packed.as_ref());
        let document = self
            .document
            .as_ref()
            .and_then(|(_, packed)| packed.as_ref());
        self.stored_record.len()
            + self.view.as_ref().map_or(0, |(_, packed)| packed.len())
            + body.map_or(0, Vec::len)
            + document.map_or(0, |d| d.document.len() + d.links.len())
    }
}

impl Store {
    /// Stores a capture: its body (unless that exact body is already stored), its record, its
    /// document, both indexes and the page record, all or nothing.
    pub fn put_capture(&self, capture: NewCapture) -> Result<PutOutcome, StoreError> {
        let prepared = self.prepare_capture(capture)?;
        let new_body = self.put_captures(std::slice::from_ref(&prepared))?;
        Ok(PutOutcome {
            record: prepared.record,
            new_body: new_body.first().copied().unwrap_or(false),
        })
    }

    /// Makes a capture ready to write: gives it its id and does the slow part (hashing,
    /// compression) here, outside the transaction, whose closure sled may run more than once.
    /// A body or document the store already holds is not compressed again (the common case on
    /// a re-crawl of an unchanged site).
    pub fn prepare_capture(&self, mut capture: NewCapture) -> Result<PreparedCapture, StoreError> {
        check_name("target", &capture.target)?;
        check_name("url", &capture.url)?;
        let id = self.next_id()?;
        // Packed first and let go: on a page dense with claims the view outweighs the document.
        let packed_view = capture
            .view
            .take()
            .map(|view| views::pack_view(&view))
            .transpose()?;
        let digest = match (&capture.body, capture.body_sha256) {
            (Some(_), Some(known)) => Some(known),
            (body, _) => body.as_deref().map(bodies::digest),
        };
        // A body that is its page's last good one again is stored already: looking it up would
        // read a node full of other bodies into sled's cache for nothing.
        let stored_before = capture.same_document_as_before.is_some();
        let body = match (&capture.body, digest) {
            (Some(body), Some(digest))
                if !stored_before && !self.bodies.contains_key(digest)? =>
            {
                Some((digest, Some(compress("body", body)?)))
            }
            (_, Some(digest)) => Some((digest, None)),
            _ => None,
        };
        // Documents are content-addressed like bodies: a page whose text did not change (even if
        // its bytes did) stores no second copy.
        let document = match &capture.document {
            Some(document) => {
                let json = to_json(document);
                let digest = bodies::digest(&json);
                let packed = if self.documents.contains_key(digest)? {
                    None
                } else {
                    Some(PackedDocument {
                        document: compress("document", &json)?,
                        links: compress("links", &links_json(document, capture.links.as_deref()))?,
                    })
                };
                Some((digest, packed))
            }
            None => None,
        };

        // Written whether or not the document is new: the views may have been dropped for
        // other rules since it was stored.
        let view = match (&document, packed_view) {
            (Some((digest, _)), Some(packed)) => Some((*digest, packed)),
            _ => None,
        };
        let mut record = capture_record(id, &capture, digest.map(hex::encode));
        record.document_sha256 = document
            .as_ref()
            .map(|(digest, _)| hex::encode(digest))
            .or_else(|| capture.same_document_as_before.clone());
        record.has_document = record.document_sha256.is_some();
        let record_json = to_json(&record);
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
        Ok(PreparedCapture {
            url_key: index_key(&capture.url, id),
            target_key: index_key(&capture.target, id),
            page_key,
            record,
            record_json,
            stored_record,
            body,
            document,
            view,
        })
    }

    /// Writes prepared captures in one transaction, in id order. Returns, for each capture in
    /// the order given, whether its body was new to the store.
    pub fn put_captures(&self, batch: &[PreparedCapture]) -> Result<Vec<bool>, StoreError> {
        let mut order: Vec<usize> = (0..batch.len()).collect();
        order.sort_by_key(|&i| batch[i].record.id);
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
            &self.views,
        );
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
                    views,
                )|
                 -> TxResult<Vec<bool>> {
                    let mut new_bodies = vec![false; batch.len()];
                    for &i in &order {
                        let capture = &batch[i];
                        let record = &capture.record;
                        // Only a body or document prepared as new is looked up here (another
                        // capture of the batch may have brought it): one prepared as stored is
                        // still there, since the store never removes one, and looking it up
                        // would read a node full of others into sled's cache.
                        if let Some((digest, Some(packed))) = &capture.body
                            && bodies.get(digest)?.is_none()
                        {
                            bodies.insert(&digest[..], packed.as_slice())?;
                            new_bodies[i] = true;
                        }
                        captures
                            .insert(&id_key(record.id)[..], capture.stored_record.as_slice())?;
                        if let Some((digest, Some(packed))) = &capture.document
                            && documents.get(digest)?.is_none()
                        {
                            documents.insert(&digest[..], packed.document.as_slice())?;
                            links.insert(&digest[..], packed.links.as_slice())?;
                        }
                        if let Some((digest, packed)) = &capture.view {
                            views.insert(&digest[..], packed.as_slice())?;
                        }
                        by_url.insert(capture.url_key.as_slice(), &[][..])?;
                        by_target.insert(capture.target_key.as_slice(), &[][..])?;
                        let page = match pages.get(&capture.page_key)? {
                            Some(stored) => {
                                let page: PageRecord =
                                    from_json("pages", &capture.page_key, &stored)
                                        .map_err(abort)?;
                                updated_page(page, record)
                            }
                            None => new_page(record),
                        };
                        pages.insert(capture.page_key.as_slice(), to_json(&page))?;
                        let capture_id = record.id.to_string();
                        let logged =
                            Logged::new(CustodyKind::Capture, &capture_id, &capture.record_json);
                        custody::append(custody, meta, logged, logged_at)?;
                    }
                    Ok(new_bodies)
                },
            )
            .map_err(|e| {
                if matches!(e, sled::transaction::TransactionError::Storage(_)) {
                    self.note_write_failed();
                }
                super::transaction_error(e)
            })
    }
}

/// The links kept beside a new document: as the crawl read them (canonical URLs), or as
/// extracted.
fn links_json(document: &Document, links: Option<&[String]>) -> Vec<u8> {
    match links {
        Some(links) => to_json(&links),
        None => to_json(
            &document
                .links
                .iter()
                .map(|l| l.url.as_str())
                .collect::<Vec<_>>(),
        ),
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
