//! Key layouts of the sled trees.
//!
//! Ids are big-endian so sled's byte order is id order, which is the order captures and runs
//! were made in. Index keys are `name 0x00 id`: the NUL ends the name, so a scan for target
//! "a" stops before target "ab". Names holding a NUL are refused at write time for that reason.

use super::StoreError;

/// Key of a record addressed by id (captures, documents, runs).
pub(super) fn id_key(id: u64) -> [u8; 8] {
    id.to_be_bytes()
}

/// The id in an id key; `tree` names the tree for the error.
pub(super) fn id_from_key(tree: &str, key: &[u8]) -> Result<u64, StoreError> {
    <[u8; 8]>::try_from(key)
        .map(u64::from_be_bytes)
        .map_err(|_| StoreError::corrupt(format!("{tree}: key {} is not an id", hex::encode(key))))
}

/// `name 0x00`: the scan prefix of every index entry for `name`.
pub(super) fn name_prefix(name: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(name.len() + 9);
    key.extend_from_slice(name.as_bytes());
    key.push(0);
    key
}

/// `name 0x00 id`: one entry of the by_url or by_target index.
pub(super) fn index_key(name: &str, id: u64) -> Vec<u8> {
    let mut key = name_prefix(name);
    key.extend_from_slice(&id.to_be_bytes());
    key
}

/// The capture id of an index entry found by scanning `prefix`.
pub(super) fn index_id(tree: &str, prefix: &[u8], key: &[u8]) -> Result<u64, StoreError> {
    let rest = key.get(prefix.len()..).unwrap_or_default();
    id_from_key(tree, rest)
}

/// `target 0x00 url`: a page record.
pub(super) fn page_key(target: &str, url: &str) -> Vec<u8> {
    let mut key = name_prefix(target);
    key.extend_from_slice(url.as_bytes());
    key
}

/// Refuses a name that would break the `name 0x00` layout.
pub(super) fn check_name(field: &'static str, value: &str) -> Result<(), StoreError> {
    if value.contains('\0') {
        return Err(StoreError::NulInKey {
            field,
            value: value.to_string(),
        });
    }
    Ok(())
}

/// How an error names a key: an id as a number, text as text, anything else as hex.
pub(super) fn show_key(key: &[u8]) -> String {
    let printable = key.iter().all(|b| (0x20..0x7f).contains(b));
    if let (Ok(id), false) = (<[u8; 8]>::try_from(key), printable) {
        return format!("id {}", u64::from_be_bytes(id));
    }
    match std::str::from_utf8(key) {
        Ok(text) => format!("{text:?}"),
        Err(_) => hex::encode(key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_keys_sort_like_ids() {
        assert!(id_key(255) < id_key(256));
        assert!(index_key("a", 255) < index_key("a", 256));
        assert_eq!(id_from_key("t", &id_key(42)).expect("8 bytes"), 42);
    }

    #[test]
    fn a_prefix_name_does_not_own_a_longer_name() {
        assert!(!index_key("ab", 1).starts_with(&name_prefix("a")));
        assert!(index_key("a", 1).starts_with(&name_prefix("a")));
        assert!(!page_key("ab", "http://x/").starts_with(&name_prefix("a")));
    }

    #[test]
    fn malformed_keys_are_corrupt_not_panics() {
        assert!(matches!(
            id_from_key("captures", b"short"),
            Err(StoreError::Corrupt { .. })
        ));
        let prefix = name_prefix("a");
        assert!(index_id("by_target", &prefix, b"a").is_err());
        assert_eq!(
            index_id("by_target", &prefix, &index_key("a", 7)).expect("well-formed"),
            7
        );
    }

    #[test]
    fn keys_are_shown_readably() {
        assert_eq!(show_key(&id_key(7)), "id 7");
        assert_eq!(show_key(&page_key("a", "http://x/")), r#""a\0http://x/""#);
        assert_eq!(show_key(&[0xff; 4]), "ffffffff");
    }

    #[test]
    fn names_with_nul_are_refused() {
        assert!(check_name("target", "a\0b").is_err());
        assert!(check_name("target", "a-b").is_ok());
    }
}
