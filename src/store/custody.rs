//! The custody log: every capture, flag and review the store keeps, appended to a hash chain
//! in the same transaction that stores it, so that a record deleted or edited afterwards, or an
//! entry of the log itself, shows (`claimwatch verify`).
//!
//! Each entry names one record (kind and id), carries the SHA-256 of the record's stored bytes
//! and the hash of the entry before it, and is hashed itself over a fixed text form
//! ([`CustodyEntry::hash_text`], documented in docs/contract.md so that anyone can re-check a
//! chain). The hash of the newest entry, the *head*, is printed at the end of every crawl: an
//! operator who keeps it elsewhere can later prove that the chain up to it is unchanged, since a
//! rewritten chain has other hashes (`claimwatch verify --head HASH`).
//!
//! Records stored before the store had a log enter it, marked `adopted`, at the next crawl:
//! from then on they are as protected as the rest, but the log cannot say anything of their
//! life before.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sled::Transactional;
use sled::transaction::TransactionalTree;

use super::codec::{from_json, to_json};
use super::keys::id_key;
use super::{Store, StoreError};

/// The meta key of the head: the newest entry's number and hash.
pub(super) const HEAD_KEY: &[u8] = b"custody_head";

/// What the first entry names as the one before it.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What kind of record an entry logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustodyKind {
    /// A capture record, as stored (its body is covered through the digest it names).
    Capture,
    /// A flag, as first stored.
    Flag,
    /// A flag as a review left it: the flag record with its new review.
    Review,
}

impl CustodyKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            CustodyKind::Capture => "capture",
            CustodyKind::Flag => "flag",
            CustodyKind::Review => "review",
        }
    }

    /// The record the entry is about: a review is about a flag.
    pub fn record(&self) -> &'static str {
        match self {
            CustodyKind::Capture => "capture",
            CustodyKind::Flag | CustodyKind::Review => "flag",
        }
    }
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyEntry {
    /// 1, 2, 3…: the entry's place in the chain, and its key.
    pub seq: u64,
    /// When it was appended.
    pub at: DateTime<Utc>,
    pub kind: CustodyKind,
    /// The capture id or flag id.
    pub id: String,
    /// Hex SHA-256 of the record's bytes as stored.
    pub record_sha256: String,
    /// The record was stored before the log existed, and entered it later.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub adopted: bool,
    /// The hash of the entry before ([`GENESIS`] for the first).
    pub prev: String,
    /// Hex SHA-256 of [`CustodyEntry::hash_text`].
    pub hash: String,
}

/// The newest entry: what an operator records to check the chain against later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyHead {
    pub seq: u64,
    pub hash: String,
}

impl CustodyEntry {
    /// The text an entry's hash is taken over: one `name value` line per field, in this order,
    /// each ending in a line feed.
    pub fn hash_text(&self) -> String {
        format!(
            "claimwatch custody v1\nseq {}\nat {}\nkind {}\nid {}\nrecord {}\nadopted {}\nprev {}\n",
            self.seq,
            self.at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            self.kind.as_str(),
            self.id,
            self.record_sha256,
            self.adopted,
            self.prev
        )
    }

    /// Hex SHA-256 of [`CustodyEntry::hash_text`]: what `hash` must be.
    pub fn computed_hash(&self) -> String {
        hex::encode(Sha256::digest(self.hash_text().as_bytes()))
    }

    /// The entry that follows `head` (none: the first), its hash filled in.
    fn after(head: Option<&CustodyHead>, logged: Logged<'_>, at: DateTime<Utc>) -> CustodyEntry {
        let mut entry = CustodyEntry {
            seq: head.map_or(1, |h| h.seq + 1),
            at,
            kind: logged.kind,
            id: logged.id.to_string(),
            record_sha256: hex::encode(Sha256::digest(logged.bytes)),
            adopted: logged.adopted,
            prev: head.map_or_else(|| GENESIS.to_string(), |h| h.hash.clone()),
            hash: String::new(),
        };
        entry.hash = entry.computed_hash();
        entry
    }

    fn head(&self) -> CustodyHead {
        CustodyHead {
            seq: self.seq,
            hash: self.hash.clone(),
        }
    }
}

/// A record to log: what it is and its bytes as stored.
#[derive(Debug, Clone, Copy)]
pub(super) struct Logged<'a> {
    pub kind: CustodyKind,
    pub id: &'a str,
    pub bytes: &'a [u8],
    pub adopted: bool,
}

impl<'a> Logged<'a> {
    pub fn new(kind: CustodyKind, id: &'a str, bytes: &'a [u8]) -> Logged<'a> {
        Logged {
            kind,
            id,
            bytes,
            adopted: false,
        }
    }
}

/// Appends an entry inside a transaction over the custody and meta trees: the record it logs
/// is written in the same one, so neither is ever stored without the other.
pub(super) fn append(
    custody: &TransactionalTree,
    meta: &TransactionalTree,
    logged: Logged<'_>,
    at: DateTime<Utc>,
) -> Result<(), sled::transaction::ConflictableTransactionError<StoreError>> {
    let head = match meta.get(HEAD_KEY)? {
        Some(bytes) => Some(
            from_json::<CustodyHead>("meta", HEAD_KEY, &bytes)
                .map_err(sled::transaction::ConflictableTransactionError::Abort)?,
        ),
        None => None,
    };
    let entry = CustodyEntry::after(head.as_ref(), logged, at);
    custody.insert(&id_key(entry.seq)[..], to_json(&entry))?;
    meta.insert(HEAD_KEY, to_json(&entry.head()))?;
    Ok(())
}

impl Store {
    /// The newest entry of the custody log; `None` until the store logs anything.
    pub fn custody_head(&self) -> Result<Option<CustodyHead>, StoreError> {
        match self.meta.get(HEAD_KEY)? {
            Some(bytes) => from_json("meta", HEAD_KEY, &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Every entry of the log, oldest first. A value that does not decode is returned as its
    /// key and the error, for `verify` to report.
    pub fn custody_entries(
        &self,
    ) -> impl Iterator<Item = Result<Result<CustodyEntry, (Vec<u8>, StoreError)>, StoreError>> + '_
    {
        self.custody.iter().map(|item| {
            let (key, value) = item?;
            Ok(from_json::<CustodyEntry>("custody", &key, &value).map_err(|e| (key.to_vec(), e)))
        })
    }

    /// Enters every capture and flag stored before the store had a custody log, in id order,
    /// marked adopted. Does nothing once the log has begun (or while the store is empty).
    /// Returns how many records it entered. Run by every open that may write, before anything
    /// is written, so that the log's first entries are the oldest records.
    pub(super) fn adopt_into_custody(&self) -> Result<u64, StoreError> {
        if self.custody_head()?.is_some() {
            return Ok(0);
        }
        let at = Utc::now();
        let mut head: Option<CustodyHead> = None;
        let mut entries = Vec::new();
        let mut push = |kind, id: &str, bytes: &[u8]| {
            let logged = Logged {
                kind,
                id,
                bytes,
                adopted: true,
            };
            let entry = CustodyEntry::after(head.as_ref(), logged, at);
            head = Some(entry.head());
            entries.push(entry);
        };
        for item in self.captures.iter() {
            let (key, value) = item?;
            let id = super::keys::id_from_key("captures", &key)?;
            let json = self.capture_json(&key, &value)?;
            push(CustodyKind::Capture, &id.to_string(), &json);
        }
        for item in self.flags.iter() {
            let (key, value) = item?;
            push(CustodyKind::Flag, &String::from_utf8_lossy(&key), &value);
        }
        let Some(head) = head else {
            return Ok(0);
        };
        // One transaction: a log is either not begun or holds every record adopted.
        (&self.custody, &self.meta)
            .transaction(|(custody, meta)| {
                for entry in &entries {
                    custody.insert(&id_key(entry.seq)[..], to_json(entry))?;
                }
                meta.insert(HEAD_KEY, to_json(&head))?;
                Ok::<(), sled::transaction::ConflictableTransactionError<StoreError>>(())
            })
            .map_err(super::transaction_error)?;
        Ok(entries.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-28T02:00:00.5Z")
            .expect("a valid literal")
            .with_timezone(&Utc)
    }

    #[test]
    fn the_hash_is_taken_over_the_documented_text() {
        let first = CustodyEntry::after(None, Logged::new(CustodyKind::Capture, "1", b"{}"), at());
        assert_eq!(
            first.hash_text(),
            "claimwatch custody v1\nseq 1\nat 2026-11-28T02:00:00.500Z\nkind capture\nid 1\n\
             record 44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\n\
             adopted false\nprev 0000000000000000000000000000000000000000000000000000000000000000\n"
        );
        assert_eq!(first.hash, first.computed_hash());
        let second = CustodyEntry::after(
            Some(&first.head()),
            Logged::new(CustodyKind::Flag, "f", b"x"),
            at(),
        );
        assert_eq!((second.seq, second.prev.as_str()), (2, first.hash.as_str()));
    }

    #[test]
    fn any_edit_of_an_entry_changes_its_hash() {
        let entry = CustodyEntry::after(None, Logged::new(CustodyKind::Capture, "1", b"{}"), at());
        let mut edited = entry.clone();
        edited.id = "2".into();
        assert_ne!(edited.computed_hash(), entry.hash);
        let mut edited = entry.clone();
        edited.adopted = true;
        assert_ne!(edited.computed_hash(), entry.hash);
    }

    #[test]
    fn entries_keep_their_json_shape() {
        let entry = CustodyEntry::after(None, Logged::new(CustodyKind::Review, "f", b"{}"), at());
        let json = String::from_utf8(to_json(&entry)).expect("JSON is UTF-8");
        assert!(
            json.starts_with(r#"{"seq":1,"at":"2026-11-28T02:00:00.500Z","kind":"review","id":"f","record_sha256":"#),
            "{json}"
        );
        assert!(!json.contains("adopted"), "{json}");
    }
}
