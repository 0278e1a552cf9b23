//! Read-only stores: an evidence copy (`chmod -R a-w`), a store on a read-only mount, or one
//! whose files belong to someone else, read without writing a byte of it.
//!
//! sled cannot open a database read-only: every open takes a lock on its `db` file, may write a
//! snapshot, and claimwatch's own lock file records who holds the store. So a store that must
//! not be written is copied, file by file, into a temporary directory and the copy is opened;
//! the copy is removed when the store is dropped. Commands that only read take this way; those
//! that write (crawl, review, serve, `flags --new`) refuse a read-only store instead of
//! recording what would vanish with the copy.
//!
//! A store counts as read-only when its directory or its `db` file has no write permission bit
//! at all, or when a file cannot be created in its directory. The bits count even where they do
//! not stop the writer (root ignores them): whoever took them away meant the store to stay as
//! it is.

use std::fs::{self, Permissions};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::lock::LOCK_FILE;
use super::{SLED_DATA_FILE, StoreError};

/// Whether the store at `path` must not be written (see the module's doc). Any other failure to
/// create a file (a full disk) says nothing about permission: such a store is still read in
/// place, as it always was.
pub(super) fn is_read_only(path: &Path) -> Result<bool, StoreError> {
    let io = StoreError::io(path);
    let no_write_bits = |permissions: Permissions| permissions.mode() & 0o222 == 0;
    if no_write_bits(fs::metadata(path).map_err(io)?.permissions()) {
        return Ok(true);
    }
    let data = path.join(SLED_DATA_FILE);
    if let Ok(metadata) = fs::metadata(&data)
        && no_write_bits(metadata.permissions())
    {
        return Ok(true);
    }
    // An unnamed temporary file (O_TMPFILE): it leaves no name behind in the store.
    match tempfile::tempfile_in(path) {
        Ok(_) => Ok(false),
        Err(error) => Ok(matches!(
            error.kind(),
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
        )),
    }
}

/// Copies the store at `from` into a new temporary directory (under `TMPDIR`), leaving out the
/// lock file, and makes the copy writable. Returns the directory and the bytes copied.
pub(super) fn copy_to_temp(from: &Path) -> Result<(tempfile::TempDir, u64), StoreError> {
    let dir = tempfile::Builder::new()
        .prefix("claimwatch-read-only-")
        .tempdir()
        .map_err(StoreError::io(&std::env::temp_dir()))?;
    let bytes = copy_tree(from, dir.path(), true)?;
    Ok((dir, bytes))
}

/// Copies the files and folders under `from` into the existing directory `to`; `top` leaves out
/// the lock file, which belongs to the original.
fn copy_tree(from: &Path, to: &Path, top: bool) -> Result<u64, StoreError> {
    let mut bytes = 0;
    for entry in fs::read_dir(from).map_err(StoreError::io(from))? {
        let entry = entry.map_err(StoreError::io(from))?;
        let source = entry.path();
        let target = to.join(entry.file_name());
        if top && entry.file_name() == LOCK_FILE {
            continue;
        }
        let kind = entry.file_type().map_err(StoreError::io(&source))?;
        if kind.is_dir() {
            fs::create_dir(&target).map_err(StoreError::io(&target))?;
            bytes += copy_tree(&source, &target, false)?;
        } else if kind.is_file() {
            bytes += fs::copy(&source, &target).map_err(StoreError::io(&source))?;
            // The copy keeps the original's mode: without write bits, sled could not open it.
            fs::set_permissions(&target, Permissions::from_mode(0o600))
                .map_err(StoreError::io(&target))?;
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_without_write_bits_is_read_only_whoever_reads_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join(SLED_DATA_FILE), b"data").expect("write");
        assert!(!is_read_only(dir.path()).expect("checks"));
        fs::set_permissions(
            dir.path().join(SLED_DATA_FILE),
            Permissions::from_mode(0o444),
        )
        .expect("chmod");
        assert!(is_read_only(dir.path()).expect("checks"));
        fs::set_permissions(
            dir.path().join(SLED_DATA_FILE),
            Permissions::from_mode(0o644),
        )
        .expect("chmod");
        fs::set_permissions(dir.path(), Permissions::from_mode(0o555)).expect("chmod");
        assert!(is_read_only(dir.path()).expect("checks"));
        fs::set_permissions(dir.path(), Permissions::from_mode(0o755)).expect("chmod back");
    }

    #[test]
    fn the_copy_holds_every_file_but_the_lock_and_can_be_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join(SLED_DATA_FILE), b"data").expect("write");
        fs::write(dir.path().join(LOCK_FILE), b"{}").expect("write");
        fs::create_dir(dir.path().join("blobs")).expect("mkdir");
        fs::write(dir.path().join("blobs").join("1"), b"blob").expect("write");
        fs::set_permissions(
            dir.path().join(SLED_DATA_FILE),
            Permissions::from_mode(0o444),
        )
        .expect("chmod");
        let (copy, bytes) = copy_to_temp(dir.path()).expect("copies");
        assert_eq!(bytes, 8);
        assert!(!copy.path().join(LOCK_FILE).exists());
        assert_eq!(
            fs::read(copy.path().join("blobs").join("1")).expect("read"),
            b"blob"
        );
        assert!(!is_read_only(copy.path()).expect("checks"));
    }
}
