//! The store: one sled database holding every capture ever made, so nothing seen is lost.
//!
//! Only this module knows about sled. Bodies are zstd-compressed and content-addressed by
//! SHA-256, so an unchanged page stores no second copy. One capture is written atomically.
//!
//! Trees (ids are big-endian, so sled's order is the order things happened in):
//!
//! | tree       | key                          | value                    |
//! |------------|------------------------------|--------------------------|
//! | bodies     | SHA-256, 32 raw bytes        | zstd(body)               |
//! | captures   | capture id                   | JSON [`CaptureRecord`]   |
//! | documents  | SHA-256 of the document JSON | zstd(JSON `Document`)    |
//! | links      | SHA-256 of the document JSON | zstd(JSON link URLs)     |
//! | views      | SHA-256 of the document JSON | packed `PageView` (views.rs) |
//! | by_url     | url 0x00 capture id          | empty                    |
//! | by_target  | target 0x00 capture id       | empty                    |
//! | pages      | target 0x00 url              | JSON [`PageRecord`]      |
//! | runs       | run id                       | JSON [`RunRecord`]       |
//! | flags      | flag id                      | JSON `Flag`              |
//! | printed    | flag id                      | empty (printed by --new) |
//! | health     | target 0x00 run id           | JSON [`HealthRecord`]    |
//! | custody    | entry number                 | JSON [`CustodyEntry`]    |
//! | notifiers  | notifier name                | JSON [`NotifierState`]   |
//! | meta       | "schema", "next_id", "next_run", "custody_head" | "1", counters, JSON [`CustodyHead`] |
//!
//! One process at a time: [`Store::open`] takes `<store>/claimwatch.lock` before sled's own
//! lock, so a refusal can say which process holds the store. A holder that answers the others
//! does so on the Unix socket [`SOCKET_FILE`] beside it (the command line's business, not the
//! store's: the store only names the place). A store that must not be written (an evidence
//! copy) is read through a temporary copy ([`Store::open_for_reading`]).
//!
//! Every capture, flag and review is logged in the custody log (a hash chain) in the
//! transaction that stores it; [`Store::check_integrity`] checks the whole store against it.

mod bodies;
mod capture_evidence;
mod capture_write;
mod captures;
mod codec;
mod custody;
mod error;
mod evidence;
mod flags;
mod health;
mod integrity;
mod keys;
mod lock;
mod notifiers;
mod read_only;
mod record_delta;
pub mod records;
#[cfg(test)]
mod tests;
mod views;

use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::Utc;

pub use capture_evidence::{CaptureEvidence, TlsDetails};
pub use capture_write::{PreparedCapture, PutOutcome};
pub use custody::{CustodyEntry, CustodyHead, CustodyKind, GENESIS};
pub use error::StoreError;
pub use health::{DownCause, HealthRecord, SiteHealth};
pub use integrity::{IntegrityReport, Problem};
pub use lock::Holder;
pub use notifiers::{FlagPosition, NotifierState};
pub use records::*;

use codec::{from_json, to_json};
use keys::id_key;

/// The Unix socket inside the store directory on which the process holding the store answers
/// the others.
pub const SOCKET_FILE: &str = "claimwatch.sock";

/// The schema this build reads and writes, kept in the meta tree.
const SCHEMA_VERSION: &str = "1";
const SCHEMA_KEY: &[u8] = b"schema";
const NEXT_ID_KEY: &[u8] = b"next_id";
/// The file sled keeps its data in, inside the store directory: there is a store where it is.
const SLED_DATA_FILE: &str = "db";
/// Runs count on their own, so that run numbers count runs: 1, 2, 3, not the captures between.
const NEXT_RUN_KEY: &[u8] = b"next_run";

/// An open store. It holds the store's lock until dropped; dropping it flushes.
pub struct Store {
    path: PathBuf,
    db: sled::Db,
    bodies: sled::Tree,
    captures: sled::Tree,
    documents: sled::Tree,
    /// Each document's links, so an unchanged page feeds the frontier without being read.
    links: sled::Tree,
    /// Each document's claims under the last crawl's rules: see `views.rs`.
    views: sled::Tree,
    by_url: sled::Tree,
    by_target: sled::Tree,
    pages: sled::Tree,
    runs: sled::Tree,
    flags: sled::Tree,
    /// Counts writes to `flags` since the store was opened: readers that keep something
    /// computed from the flags (the review desk's cases) know when it is stale. sled is
    /// single-process, so every write goes through this value.
    flags_written: std::sync::atomic::AtomicU64,
    /// Set when sled failed a write (a full disk, a failing device). A transaction of many
    /// captures that fails that way can leave sled's log waiting for a write that never comes,
    /// and its flush would then wait forever: after such a failure the store flushes no more.
    write_failed: std::sync::atomic::AtomicBool,
    printed: sled::Tree,
    /// Each target's health per run, keyed `target 0x00 run`.
    health: sled::Tree,
    /// The custody log: entry number → JSON [`CustodyEntry`]; its head is in `meta`.
    custody: sled::Tree,
    /// Where each notifier's deliveries stand.
    notifiers: sled::Tree,
    meta: sled::Tree,
    /// This process, as the lock file names it.
    holder: Holder,
    /// Declared after sled's handles so it closes after them: the lock must outlive them, or a
    /// process waiting for it could find sled's own lock still taken.
    _lock: File,
    /// The temporary copy a read-only store is read from, removed last.
    copy: Option<ReadCopy>,
}

/// Where a read-only store is read from: a temporary copy of it (see `store::read_only`).
pub struct ReadCopy {
    dir: tempfile::TempDir,
    bytes: u64,
}

impl ReadCopy {
    /// The directory of the copy, removed with the store.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// How many bytes were copied.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

/// The most memory sled's page cache may hold.
const STORE_CACHE_BYTES: u64 = 8 * 1024 * 1024;

impl Store {
    /// Opens the store at `path`, creating it if missing (only `crawl` should). Fails with [`StoreError::Held`] when
    /// another process has it open.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(path).map_err(StoreError::io(path))?;
        if read_only::is_read_only(path)? {
            return Err(StoreError::ReadOnly {
                path: path.to_path_buf(),
            });
        }
        let store = Store::open_writable(path)?;
        let adopted = store.adopt_into_custody()?;
        if adopted > 0 {
            tracing::info!("{adopted} records stored before the custody log entered it");
        }
        Ok(store)
    }

    fn open_writable(path: &Path) -> Result<Store, StoreError> {
        let (lock, holder) = lock::acquire(path)?;
        remove_unfinished_snapshots(path)?;
        let db = sled::Config::new()
            .path(path)
            // Bodies are read once per capture and records once per run: a page cache of sled's
            // default 1 GiB only lets memory grow with the store, not speed anything up.
            .cache_capacity(STORE_CACHE_BYTES)
            .open()
            .map_err(|err| sled_open_error(path, err))?;
        let meta = db.open_tree("meta")?;
        match meta.get(SCHEMA_KEY)? {
            None => {
                meta.insert(SCHEMA_KEY, SCHEMA_VERSION)?;
            }
            Some(found) if found.as_ref() == SCHEMA_VERSION.as_bytes() => {}
            Some(found) => {
                return Err(StoreError::Schema {
                    path: path.to_path_buf(),
                    found: String::from_utf8_lossy(&found).into_owned(),
                    expected: SCHEMA_VERSION,
                });
            }
        }
        Ok(Store {
            path: path.to_path_buf(),
            bodies: db.open_tree("bodies")?,
            captures: db.open_tree("captures")?,
            documents: db.open_tree("documents")?,
            links: db.open_tree("links")?,
            views: db.open_tree("views")?,
            by_url: db.open_tree("by_url")?,
            by_target: db.open_tree("by_target")?,
            pages: db.open_tree("pages")?,
            runs: db.open_tree("runs")?,
            flags: db.open_tree("flags")?,
            flags_written: std::sync::atomic::AtomicU64::new(0),
            write_failed: std::sync::atomic::AtomicBool::new(false),
            printed: db.open_tree("printed")?,
            health: db.open_tree("health")?,
            custody: db.open_tree("custody")?,
            notifiers: db.open_tree("notifiers")?,
            meta,
            db,
            holder,
            _lock: lock,
            copy: None,
        })
    }

    /// Opens the store at `path` only if one is there: for commands that read, which must not
    /// leave an empty store behind a mistyped path. Fails with [`StoreError::Missing`]
    /// naming the path (made absolute, so a wrong working directory shows).
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        Store::check_exists(path)?;
        Store::open(path)
    }

    /// Opens the store at `path`, which must exist, for a command that only reads: in place
    /// when it may be written, else through a temporary copy ([`Store::read_copy`] says which).
    pub fn open_for_reading(path: &Path) -> Result<Store, StoreError> {
        Store::check_exists(path)?;
        if !read_only::is_read_only(path)? {
            return Store::open_writable(path);
        }
        let (dir, bytes) = read_only::copy_to_temp(path)?;
        let mut store = Store::open_writable(dir.path())?;
        store.path = path.to_path_buf();
        store.copy = Some(ReadCopy { dir, bytes });
        Ok(store)
    }

    fn check_exists(path: &Path) -> Result<(), StoreError> {
        if !path.join(SLED_DATA_FILE).is_file() {
            return Err(StoreError::Missing {
                path: std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
            });
        }
        Ok(())
    }

    /// The temporary copy this store is read from, when the store itself is read-only.
    pub fn read_copy(&self) -> Option<&ReadCopy> {
        self.copy.as_ref()
    }

    /// The directory the store lives in, as given to [`Store::open`].
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The process holding the store (this one), as its lock file names it to others.
    pub fn holder(&self) -> &Holder {
        &self.holder
    }

    /// A fresh id for a capture or run. sled's ids start at 0; ours start at 1 so that 0 never
    /// names anything.
    ///
    /// A counter in the meta tree rather than sled's `generate_id`, which jumps by a million
    /// after every reopen: ids are shown to people and should read 1, 2, 3.
    fn next_id(&self) -> Result<u64, StoreError> {
        self.next_in(NEXT_ID_KEY, 0)
    }

    /// Increments the counter under `key`, starting after `floor` if it has never counted.
    fn next_in(&self, key: &[u8], floor: u64) -> Result<u64, StoreError> {
        let next = self.meta.update_and_fetch(key, |old| {
            let current = old
                .and_then(|bytes| <[u8; 8]>::try_from(bytes).ok())
                .map_or(floor, u64::from_be_bytes);
            Some((current + 1).to_be_bytes().to_vec())
        })?;
        next.and_then(|bytes| <[u8; 8]>::try_from(bytes.as_ref()).ok())
            .map(u64::from_be_bytes)
            .ok_or_else(|| {
                StoreError::corrupt(format!(
                    "meta: {} is not a counter",
                    String::from_utf8_lossy(key)
                ))
            })
    }

    /// The next run number. Stores written before runs counted on their own numbered runs from
    /// the capture counter: numbering goes on after their last run.
    fn next_run_id(&self) -> Result<u64, StoreError> {
        let last = match self.runs.last()? {
            Some((key, _)) => keys::id_from_key("runs", &key)?,
            None => 0,
        };
        self.next_in(NEXT_RUN_KEY, last)
    }

    /// Starts a run: a new id, started now, not completed, saved at once so an interrupted run
    /// still shows in the history.
    pub fn begin_run(&self) -> Result<RunRecord, StoreError> {
        let run = RunRecord {
            id: self.next_run_id()?,
            started_at: Utc::now(),
            finished_at: None,
            completed: false,
            targets: Vec::new(),
        };
        self.save_run(&run)?;
        Ok(run)
    }

    /// Saves a run, replacing what was stored under its id.
    pub fn save_run(&self, run: &RunRecord) -> Result<(), StoreError> {
        self.runs.insert(id_key(run.id), to_json(run))?;
        Ok(())
    }

    /// Every run, oldest first.
    pub fn runs(&self) -> Result<Vec<RunRecord>, StoreError> {
        self.runs
            .iter()
            .map(|entry| {
                let (key, value) = entry?;
                from_json("runs", &key, &value)
            })
            .collect()
    }

    /// The body with this hex SHA-256, decompressed. `None` when no such body is stored,
    /// including when `sha256_hex` is not a SHA-256 at all.
    pub fn body(&self, sha256_hex: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(raw) = bodies::parse_hex(sha256_hex) else {
            return Ok(None);
        };
        match self.bodies.get(raw)? {
            Some(packed) => codec::decompress("bodies", &raw, &packed).map(Some),
            None => Ok(None),
        }
    }

    /// How much the store holds.
    pub fn stats(&self) -> Result<StoreStats, StoreError> {
        // sled's `Tree::len` drops read errors on the floor; count by hand to surface them.
        fn count(tree: &sled::Tree) -> Result<u64, StoreError> {
            let mut n = 0;
            for entry in tree.iter().keys() {
                entry?;
                n += 1;
            }
            Ok(n)
        }
        let mut bodies = 0;
        let mut body_bytes = 0;
        for entry in self.bodies.iter() {
            let (_, value) = entry?;
            bodies += 1;
            body_bytes += value.len() as u64;
        }
        Ok(StoreStats {
            captures: count(&self.captures)?,
            bodies,
            body_bytes,
            documents: count(&self.documents)?,
            runs: count(&self.runs)?,
            pages: count(&self.pages)?,
        })
    }

    /// Writes everything to disk and waits for it. sled otherwise syncs only every 500 ms.
    /// Fails at once after a failed write (see `write_failed`).
    pub fn flush(&self) -> Result<(), StoreError> {
        if self.write_failed() {
            return Err(StoreError::WriteFailed);
        }
        self.db.flush()?;
        Ok(())
    }

    /// Whether sled failed a write in this process (a full disk, a failing device). sled flushes
    /// when its last handle is dropped, and after such a failure that flush can wait forever:
    /// the holder of a store whose writes failed leaks it rather than drop it (the process is
    /// ending; the operating system releases the lock, and sled replays its log on the next
    /// open, as after a crash).
    pub fn write_failed(&self) -> bool {
        self.write_failed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Notes that a write failed (sled's, or one the caller saw): see `write_failed`.
    pub fn note_write_failed(&self) {
        self.write_failed
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Re-hashes every stored body against the digest it is stored under. Returns the hex
    /// digests that no longer match (or no longer decompress); empty means all is well.
    pub fn verify_bodies(&self) -> Result<Vec<String>, StoreError> {
        let mut damaged = Vec::new();
        for entry in self.bodies.iter() {
            let (key, value) = entry?;
            if !bodies::entry_is_intact(&key, &value) {
                damaged.push(hex::encode(&key));
            }
        }
        Ok(damaged)
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // Best effort: a failure here has no one to report to, and sled's own recovery replays
        // its log on the next open.
        let _ = self.flush();
    }
}

/// Removes the snapshot files a killed process left half-written, so that sled can open.
///
/// sled 0.34.7 writes a snapshot of its page table during every open that finds new log entries:
/// it writes `snap.<lsn>.generating`, syncs it, then renames it to `snap.<lsn>`. A process killed
/// in between leaves the `.generating` file behind, and sled's next open takes it for the newest
/// snapshot (its file filter skips only `.in___motion` files): a truncated one fails every open
/// after with "Read corrupted data at file offset None". Such a file is never needed: sled
/// rebuilds the same snapshot from the log, starting from the previous snapshot, which it
/// deletes only after the rename. Called with the store's lock held, so no other claimwatch is
/// writing one.
fn remove_unfinished_snapshots(path: &Path) -> Result<(), StoreError> {
    for entry in std::fs::read_dir(path).map_err(StoreError::io(path))? {
        let entry = entry.map_err(StoreError::io(path))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            let file = entry.path();
            tracing::warn!(
                "removing {}, a store snapshot a killed claimwatch left unfinished",
                file.display()
            );
            std::fs::remove_file(&file).map_err(StoreError::io(&file))?;
        }
    }
    Ok(())
}

/// A failed transaction as the store's error: the abort's own, or sled's.
fn transaction_error(err: sled::transaction::TransactionError<StoreError>) -> StoreError {
    match err {
        sled::transaction::TransactionError::Abort(err) => err,
        sled::transaction::TransactionError::Storage(err) => StoreError::Sled(err),
    }
}

/// sled refuses a second open with an I/O error of its own ("could not acquire lock"). Our lock
/// file is taken first, so this only happens when something other than claimwatch holds the
/// database; say so rather than pass on sled's wording.
fn sled_open_error(path: &Path, err: sled::Error) -> StoreError {
    match &err {
        sled::Error::Io(io)
            if io.kind() == std::io::ErrorKind::WouldBlock
                || io.to_string().contains("could not acquire lock") =>
        {
            StoreError::Held {
                path: path.to_path_buf(),
                holder: "a process without claimwatch's lock file, holding sled's lock on db"
                    .to_string(),
            }
        }
        _ => StoreError::Sled(err),
    }
}
