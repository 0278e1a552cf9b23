//! Value encodings: JSON for records, zstd for bodies and documents.
//!
//! Every decode names the tree and key it read, so a damaged store reports where the damage is
//! instead of panicking.

use serde::{Serialize, de::DeserializeOwned};

use super::StoreError;
use super::keys::show_key;

/// zstd level for bodies and documents: level 3 is zstd's default, fast enough to keep up with a
/// crawl and several times smaller than raw HTML.
const ZSTD_LEVEL: i32 = 3;

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

pub(super) fn compress(what: &'static str, bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
    zstd::bulk::compress(bytes, ZSTD_LEVEL).map_err(|error| StoreError::Compress { what, error })
}

pub(super) fn decompress(tree: &str, key: &[u8], bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
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
