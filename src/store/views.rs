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

use crate::claims::{BlockMark, PageView};

use super::bodies::parse_hex;
use super::codec::{compress, decompress, from_json, to_json};
use super::keys::show_key;
use super::{Store, StoreError};

/// The first byte of a view stored packed: its block marks as fixed-width numbers, then its
/// claims. Views written before were one zstd frame of JSON, which starts with 0x28.
const PACKED_VIEW: u8 = 0x02;

/// A block mark's two big-endian u64s.
const MARK_BYTES: usize = 16;

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
            Some(packed) => unpack_view(&key, &packed).map(Some),
            None => Ok(None),
        }
    }

    /// Keeps the view of a document; the caller has made the views those of its matcher with
    /// [`Store::use_views_of`].
    pub fn put_view(&self, document_sha256: &str, view: &PageView) -> Result<(), StoreError> {
        let Some(key) = parse_hex(document_sha256) else {
            return Ok(());
        };
        self.views.insert(key, pack_view(view)?)?;
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

/// A view as the store keeps it: `PACKED_VIEW`, the number of block marks (u32, big-endian),
/// the marks, then the claims as a zstd frame of JSON, or nothing when there are none. Block
/// marks are hashes, which neither compress nor need parsing: a page of a thousand blocks read
/// as JSON cost more than the rest of its unchanged re-crawl's detection.
pub(super) fn pack_view(view: &PageView) -> Result<Vec<u8>, StoreError> {
    let count = u32::try_from(view.blocks.len()).map_err(|_| {
        StoreError::corrupt(format!(
            "a view of {} blocks is too many to keep",
            view.blocks.len()
        ))
    })?;
    let mut packed = Vec::with_capacity(1 + 4 + view.blocks.len() * MARK_BYTES);
    packed.push(PACKED_VIEW);
    packed.extend_from_slice(&count.to_be_bytes());
    for mark in &view.blocks {
        packed.extend_from_slice(&mark.section.to_be_bytes());
        packed.extend_from_slice(&mark.text.to_be_bytes());
    }
    if !view.claims.is_empty() {
        packed.extend_from_slice(&compress("view", &to_json(&view.claims))?);
    }
    Ok(packed)
}

/// A stored view, packed or (written by an earlier build) a zstd frame of JSON.
fn unpack_view(key: &[u8], packed: &[u8]) -> Result<PageView, StoreError> {
    let Some((&PACKED_VIEW, rest)) = packed.split_first() else {
        let json = decompress("views", key, packed)?;
        return from_json("views", key, &json);
    };
    let damaged =
        |what: &str| StoreError::corrupt(format!("views: value of key {}: {what}", show_key(key)));
    let (count, rest) = rest
        .split_first_chunk::<4>()
        .ok_or_else(|| damaged("too short to say how many blocks it holds"))?;
    let marks_len = usize::try_from(u32::from_be_bytes(*count))
        .ok()
        .and_then(|n| n.checked_mul(MARK_BYTES))
        .filter(|&len| len <= rest.len())
        .ok_or_else(|| damaged("shorter than the blocks it says it holds"))?;
    let (marks, claims) = rest.split_at(marks_len);
    let blocks = marks
        .chunks_exact(MARK_BYTES)
        .map(|mark| {
            let half = |at: usize| {
                let bytes: [u8; 8] = mark[at..at + 8]
                    .try_into()
                    .expect("chunks_exact gives marks of 16 bytes");
                u64::from_be_bytes(bytes)
            };
            BlockMark {
                section: half(0),
                text: half(8),
            }
        })
        .collect();
    let claims = if claims.is_empty() {
        Vec::new()
    } else {
        from_json("views", key, &decompress("views", key, claims)?)?
    };
    Ok(PageView { claims, blocks })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::Claim;
    use crate::extract::BlockKind;

    fn view(claims: Vec<Claim>) -> PageView {
        PageView {
            claims,
            blocks: (0..300)
                .map(|n| BlockMark {
                    section: n % 7,
                    text: n.wrapping_mul(0x9e37_79b9_7f4a_7c15),
                })
                .collect(),
        }
    }

    fn claim() -> Claim {
        Claim {
            rule: "military-en".into(),
            category: "military".into(),
            lang: "en".into(),
            terms: vec!["military".into()],
            text: "Supplier to military programmes.".into(),
            normalized: "supplier to military programmes".into(),
            block: BlockKind::Text,
            manufacturer: None,
            region: Default::default(),
        }
    }

    #[test]
    fn a_packed_view_reads_back_whole_with_and_without_claims() {
        for view in [view(Vec::new()), view(vec![claim()]), PageView::default()] {
            let packed = pack_view(&view).expect("packs");
            assert_eq!(packed[0], PACKED_VIEW);
            assert_eq!(unpack_view(b"k", &packed).expect("unpacks"), view);
        }
    }

    #[test]
    fn a_view_stored_as_json_by_an_earlier_build_still_reads() {
        let view = view(vec![claim()]);
        let earlier = compress("view", &to_json(&view)).expect("compresses");
        assert_eq!(unpack_view(b"k", &earlier).expect("unpacks"), view);
    }

    #[test]
    fn a_cut_packed_view_is_named_as_damage() {
        let packed = pack_view(&view(vec![claim()])).expect("packs");
        for cut in [3, 100] {
            let error = unpack_view(b"k", &packed[..cut]).expect_err("cut");
            assert!(error.to_string().contains("views"), "{error}");
        }
    }
}
