//! Content addressing of bodies: SHA-256 of the raw body as received is both the evidence digest
//! (what flags and WARC records cite) and the key in the bodies tree, so an unchanged page stores
//! no second copy.

use sha2::{Digest, Sha256};

use super::codec::decompress;

/// SHA-256 of a body.
pub(super) fn digest(body: &[u8]) -> [u8; 32] {
    Sha256::digest(body).into()
}

/// The raw digest of a hex one; `None` when it is not 64 hex digits, since no such digest can
/// be stored.
pub(super) fn parse_hex(sha256_hex: &str) -> Option<[u8; 32]> {
    let mut raw = [0u8; 32];
    hex::decode_to_slice(sha256_hex, &mut raw).ok()?;
    Some(raw)
}

/// Whether a stored entry (digest key, compressed value) still holds the body its key names.
/// A value that no longer decompresses does not.
pub(super) fn entry_is_intact(key: &[u8], compressed: &[u8]) -> bool {
    match decompress("bodies", key, compressed) {
        Ok(body) => digest(&body).as_slice() == key,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::codec::compress;

    #[test]
    fn digest_is_sha256() {
        assert_eq!(
            hex::encode(digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn hex_digests_parse_both_cases_and_reject_junk() {
        let raw = digest(b"abc");
        assert_eq!(parse_hex(&hex::encode(raw)), Some(raw));
        assert_eq!(parse_hex(&hex::encode_upper(raw)), Some(raw));
        assert_eq!(parse_hex("abc"), None);
        assert_eq!(parse_hex(&"zz".repeat(32)), None);
    }

    #[test]
    fn intact_entries_are_told_from_damaged_ones() {
        let key = digest(b"body");
        let good = compress("body", b"body").expect("compresses");
        assert!(entry_is_intact(&key, &good));
        let other = compress("body", b"other").expect("compresses");
        assert!(!entry_is_intact(&key, &other));
        assert!(!entry_is_intact(&key, b"junk"));
    }
}
