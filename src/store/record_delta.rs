//! Capture records stored small. A record is kept as its JSON, or, when an earlier record of the
//! same page reads almost the same, as a zstd frame with that record's JSON as its dictionary:
//! a re-crawl of an unchanged page differs from the page's earlier capture only in its run,
//! times, a few headers and the peer's port, so its record costs a few dozen bytes instead of a
//! kilobyte and more.
//!
//! The stored form (docs/contract.md, "The custody log"): a value starting with `{` is the
//! record's JSON; a value starting with byte 0x01 is followed by the 8-byte big-endian id of its
//! *base*, a capture record stored as JSON, then by one zstd frame whose raw-content dictionary
//! is that base's JSON. A base is never itself a delta, so reading any record takes at most one
//! more read. Records are never deleted, so a base outlives every record built on it.

use std::borrow::Cow;
use std::cell::RefCell;

use super::StoreError;
use super::keys::{id_key, show_key};

/// The first byte of a record stored as a delta (JSON starts with `{`).
const DELTA: u8 = 0x01;

/// The marker and the base's id.
const HEADER: usize = 1 + 8;

/// zstd level for records. Levels above 5 index the base with binary trees, which cost more than
/// the rest of an unchanged page's record; on real records level 3 makes deltas about 3 bytes
/// longer than level 9 (72 against 69 on average).
const LEVEL: i32 = 3;

/// The largest record a delta may say it decodes to: records are a few kilobytes; a larger
/// size is damage, not a record.
const MAX_RECORD: usize = 16 << 20;

// The decompression context is reused per thread; each frame loads its own base as the
// dictionary.
thread_local! {
    static DCTX: RefCell<zstd::zstd_safe::DCtx<'static>> = RefCell::new(zstd::zstd_safe::DCtx::create());
}

/// A record to build deltas on: its id and stored JSON.
pub(super) struct Base {
    pub id: u64,
    pub json: sled::IVec,
}

/// The base for the next record of a page whose last capture was `previous`: that capture, if it
/// is stored as JSON, else the base it was built on.
pub(super) fn base_for(captures: &sled::Tree, previous: u64) -> Result<Option<Base>, StoreError> {
    let Some(value) = captures.get(id_key(previous))? else {
        return Ok(None);
    };
    if !is_delta(&value) {
        return Ok(Some(Base {
            id: previous,
            json: value,
        }));
    }
    let Some(id) = base_id(&value) else {
        return Ok(None);
    };
    Ok(captures
        .get(id_key(id))?
        .filter(|json| !is_delta(json))
        .map(|json| Base { id, json }))
}

/// The value to store for a record: a delta on `base` when that is under half the JSON, else
/// the JSON itself (which then serves as the base of the page's next records).
pub(super) fn pack(json: &[u8], base: Option<&Base>) -> Result<Vec<u8>, StoreError> {
    let Some(base) = base else {
        return Ok(json.to_vec());
    };
    // A context per record: a prefix is borrowed, and a context kept per thread could only
    // borrow what lives forever. A new context's tables are sized for this record and its base.
    let mut cctx = zstd::zstd_safe::CCtx::try_create().ok_or_else(|| StoreError::Compress {
        what: "capture record",
        error: std::io::Error::other("zstd could not make a compression context"),
    })?;
    let mut compress = || {
        cctx.set_parameter(zstd::zstd_safe::CParameter::CompressionLevel(LEVEL))?;
        // Four bytes that make a delta decoded on a base changed since fail instead of
        // reading as some other record.
        cctx.set_parameter(zstd::zstd_safe::CParameter::ChecksumFlag(true))?;
        // The base as a prefix, which the decoder reads as the raw-content dictionary it
        // is: a dictionary loaded into a context is first made into a dictionary object
        // with tables sized for any input, which cost more than the record's compression.
        cctx.ref_prefix(&base.json)?;
        let mut packed = Vec::with_capacity(HEADER + zstd::zstd_safe::compress_bound(json.len()));
        packed.push(DELTA);
        packed.extend_from_slice(&base.id.to_be_bytes());
        let mut frame = Vec::with_capacity(zstd::zstd_safe::compress_bound(json.len()));
        cctx.compress2(&mut frame, json)?;
        packed.extend_from_slice(&frame);
        Ok::<_, usize>(packed)
    };
    let packed = compress().map_err(|code| StoreError::Compress {
        what: "capture record",
        error: std::io::Error::other(zstd::zstd_safe::get_error_name(code)),
    })?;
    if packed.len() * 2 < json.len() {
        Ok(packed)
    } else {
        Ok(json.to_vec())
    }
}

/// The record's JSON from its stored value (`key` names it in errors).
pub(super) fn unpack<'a>(
    captures: &sled::Tree,
    key: &[u8],
    value: &'a [u8],
) -> Result<Cow<'a, [u8]>, StoreError> {
    if !is_delta(value) {
        return Ok(Cow::Borrowed(value));
    }
    let damaged = |what: String| {
        StoreError::corrupt(format!("captures: value of key {}: {what}", show_key(key)))
    };
    let id = base_id(value).ok_or_else(|| damaged("a delta too short to name its base".into()))?;
    let base = captures
        .get(id_key(id))?
        .filter(|json| !is_delta(json))
        .ok_or_else(|| damaged(format!("its base, capture {id}, is not stored as JSON")))?;
    let frame = &value[HEADER..];
    let size = zstd::zstd_safe::get_frame_content_size(frame)
        .ok()
        .flatten()
        .filter(|&size| size <= MAX_RECORD as u64)
        .ok_or_else(|| damaged("not a zstd frame of a record's size".into()))?;
    let decompress = |dctx: &mut zstd::zstd_safe::DCtx<'static>| {
        dctx.load_dictionary(&base)?;
        let mut json = Vec::with_capacity(size as usize);
        dctx.decompress(&mut json, frame)?;
        Ok::<_, usize>(json)
    };
    DCTX.with(|dctx| decompress(&mut dctx.borrow_mut()))
        .map(Cow::Owned)
        .map_err(|code| {
            damaged(format!(
                "its delta does not decode on its base, capture {id} (changed since?): {}",
                zstd::zstd_safe::get_error_name(code)
            ))
        })
}

fn is_delta(value: &[u8]) -> bool {
    value.first() == Some(&DELTA)
}

fn base_id(value: &[u8]) -> Option<u64> {
    let bytes: [u8; 8] = value.get(1..HEADER)?.try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> sled::Tree {
        let db = sled::Config::new()
            .temporary(true)
            .open()
            .expect("a temporary database");
        db.open_tree("captures").expect("a tree")
    }

    fn record(id: u64, run: u64) -> Vec<u8> {
        format!(
            r#"{{"id":{id},"run_id":{run},"target":"acme","url":"https://acme.example/about","captured_at":"2026-12-0{run}T02:00:00Z","headers":[["date","Wed, 0{run} Dec 2026 02:00:00 GMT"],["server","nginx"],["content-type","text/html; charset=utf-8"]],"sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","tool":"claimwatch 0.1.0"}}"#
        )
        .into_bytes()
    }

    /// A tree holding `record(1, 1)` as capture 1, and that record.
    fn tree_with_a_base() -> (sled::Tree, Vec<u8>) {
        let captures = tree();
        let first = record(1, 1);
        captures
            .insert(id_key(1), first.as_slice())
            .expect("insert");
        (captures, first)
    }

    #[test]
    fn a_record_like_its_base_is_stored_as_a_small_delta_and_reads_back_whole() {
        let (captures, _) = tree_with_a_base();
        let base = base_for(&captures, 1).expect("reads").expect("a base");
        let second = record(2, 2);
        let packed = pack(&second, Some(&base)).expect("packs");
        assert_eq!(packed[0], DELTA);
        assert!(packed.len() * 4 < second.len(), "{} bytes", packed.len());
        captures
            .insert(id_key(2), packed.as_slice())
            .expect("insert");
        assert_eq!(
            unpack(&captures, &id_key(2), &packed).expect("unpacks"),
            second.as_slice()
        );
        // The next record builds on the same base, not on the delta.
        let again = base_for(&captures, 2).expect("reads").expect("a base");
        assert_eq!(again.id, 1);
    }

    #[test]
    fn a_delta_written_on_a_loaded_dictionary_by_an_earlier_build_still_reads() {
        let (captures, first) = tree_with_a_base();
        let second = record(2, 2);
        let mut cctx = zstd::zstd_safe::CCtx::create();
        cctx.set_parameter(zstd::zstd_safe::CParameter::CompressionLevel(9))
            .expect("a level");
        cctx.set_parameter(zstd::zstd_safe::CParameter::ChecksumFlag(true))
            .expect("a checksum");
        cctx.load_dictionary(&first).expect("a dictionary");
        let mut frame = Vec::with_capacity(4096);
        cctx.compress2(&mut frame, &second).expect("compresses");
        let mut packed = vec![DELTA];
        packed.extend_from_slice(&1u64.to_be_bytes());
        packed.extend_from_slice(&frame);
        assert_eq!(
            unpack(&captures, &id_key(2), &packed).expect("unpacks"),
            second.as_slice()
        );
    }

    #[test]
    fn a_record_unlike_its_base_is_stored_as_json() {
        let captures = tree();
        captures
            .insert(id_key(1), &b"{\"id\":1}"[..])
            .expect("insert");
        let base = base_for(&captures, 1).expect("reads").expect("a base");
        let other = record(2, 2);
        assert_eq!(pack(&other, Some(&base)).expect("packs"), other);
    }

    #[test]
    fn a_delta_whose_base_is_missing_or_changed_is_named_as_damage() {
        let captures = tree();
        captures.insert(id_key(1), record(1, 1)).expect("insert");
        let base = base_for(&captures, 1).expect("reads").expect("a base");
        let packed = pack(&record(2, 2), Some(&base)).expect("packs");
        captures.remove(id_key(1)).expect("remove");
        let error = unpack(&captures, &id_key(2), &packed).expect_err("no base");
        assert!(error.to_string().contains("capture 1"), "{error}");
        let error = unpack(&captures, &id_key(2), &packed[..5]).expect_err("cut");
        assert!(error.to_string().contains("too short"), "{error}");
        captures
            .insert(id_key(1), &b"{\"id\":1}"[..])
            .expect("insert");
        let error = unpack(&captures, &id_key(2), &packed).expect_err("another base");
        assert!(
            error
                .to_string()
                .contains("does not decode on its base, capture 1"),
            "{error}"
        );
    }
}
