//! Value encodings: JSON for records, zstd for bodies and documents.
//!
//! Every decode names the tree and key it read, so a damaged store reports where the damage is
//! instead of panicking.

use std::cell::RefCell;

use serde::{Serialize, de::DeserializeOwned};

use super::StoreError;
use super::keys::show_key;

/// zstd level for bodies and documents: level 1, zstd's fastest regular level, costs half the
/// CPU of the default (3) on real pages and keeps HTML several times smaller; each body is
/// stored once, so the few per cent more it takes are paid once per change.
const ZSTD_LEVEL: i32 = 1;

pub(super) fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value)
        .expect("store records and documents hold only strings, numbers and string-keyed structs")
}

pub(super) fn from_json<T: DeserializeOwned>(
    tree: &str,
    key: &[u8],
    bytes: &[u8],
) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|err| {
        StoreError::corrupt(format!("{tree}: value of key {}: {err}", show_key(key)))
    })
}

// One compression and one decompression context per thread, made once: a zstd context holds
// megabytes of tables, and making one per body costs more than compressing a small page.
thread_local! {
    static COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { RefCell::new(None) };
}

/// The most a stored frame may say it decompresses to for the reused context to take it; a
/// larger (or damaged) size goes through the streaming decoder, which grows as it reads.
const MAX_BULK_DECOMPRESS: u64 = 256 << 20;

pub(super) fn compress(what: &'static str, bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
    COMPRESSOR.with(|slot| {
        let mut slot = slot.borrow_mut();
        let mut compressor = match slot.take() {
            Some(compressor) => compressor,
            None => zstd::bulk::Compressor::new(ZSTD_LEVEL)
                .map_err(|error| StoreError::Compress { what, error })?,
        };
        let packed = compressor.compress(bytes);
        *slot = Some(compressor);
        packed.map_err(|error| StoreError::Compress { what, error })
    })
}

pub(super) fn decompress(tree: &str, key: &[u8], bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
    let size = zstd::zstd_safe::get_frame_content_size(bytes)
        .ok()
        .flatten()
        .filter(|&n| n <= MAX_BULK_DECOMPRESS);
    if let Some(size) = size {
        let unpacked = DECOMPRESSOR.with(|slot| {
            let mut slot = slot.borrow_mut();
            let mut decompressor = match slot.take() {
                Some(decompressor) => decompressor,
                None => zstd::bulk::Decompressor::new().ok()?,
            };
            let unpacked = decompressor.decompress(bytes, size as usize).ok();
            *slot = Some(decompressor);
            unpacked
        });
        if let Some(unpacked) = unpacked {
            return Ok(unpacked);
        }
    }
    zstd::stream::decode_all(bytes).map_err(|err| {
        StoreError::corrupt(format!(
            "{tree}: value of key {} does not decompress: {err}",
            show_key(key)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_round_trips() {
        let text = b"<html>claim</html>".repeat(100);
        let packed = compress("body", &text).expect("compresses");
        assert!(packed.len() < text.len());
        assert_eq!(
            decompress("bodies", b"k", &packed).expect("decompresses"),
            text
        );
    }

    #[test]
    fn garbage_is_corrupt_and_names_tree_and_key() {
        let err = decompress("bodies", b"k", b"not zstd").expect_err("garbage");
        assert!(err.to_string().contains("bodies"), "{err}");
        let err = from_json::<u64>("runs", &1u64.to_be_bytes(), b"{").expect_err("garbage");
        let message = err.to_string();
        assert!(
            message.contains("runs") && message.contains("id 1"),
            "{message}"
        );
    }
}
