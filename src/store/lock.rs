//! The lock file `<store>/claimwatch.lock`: one claimwatch process per store, and a refusal that
//! says which process holds it.
//!
//! sled locks its own `db` file, but its refusal only says it "could not acquire lock". This lock
//! is taken first so the refusal can name the holder, which writes its pid, command line and
//! start time into the file. `flock` locks belong to the open file, so the kernel drops them when
//! the holder exits or dies: a leftover lock file never blocks anyone.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use fs4::TryLockError;
use serde::{Deserialize, Serialize};

use super::StoreError;

/// The lock file's name inside the store directory.
pub(super) const LOCK_FILE: &str = "claimwatch.lock";

/// Who holds the store, as written into the lock file (one JSON line). Also how a process that
/// asks the holder for something says who it is, so a refusal can name it the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub pid: u32,
    pub command: String,
    pub since: DateTime<Utc>,
}

impl Holder {
    /// This process, from now.
    pub fn current() -> Holder {
        // args_os: a non-UTF-8 argument must not make opening the store panic.
        let command = std::env::args_os()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        Holder {
            pid: std::process::id(),
            command,
            since: Utc::now(),
        }
    }

    /// `pid 1234, "claimwatch crawl", since 2026-11-28T02:00:00Z`
    pub fn describe(&self) -> String {
        format!(
            "pid {}, {:?}, since {}",
            self.pid,
            self.command,
            self.since.to_rfc3339_opts(SecondsFormat::Secs, true)
        )
    }
}

/// Describes the holder from the lock file's bytes, whatever state they are in: the holder may
/// not have written them yet, or an older or foreign program may have written something else.
pub(super) fn describe_contents(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    if text.is_empty() {
        return "a process that has not yet written its details".to_string();
    }
    match serde_json::from_str::<Holder>(text) {
        Ok(holder) => holder.describe(),
        Err(_) => {
            let shown: String = text.chars().take(200).collect();
            format!("unrecognised lock file contents {shown:?}")
        }
    }
}

/// Takes the store's lock without waiting, creating the lock file if needed, and records this
/// process as the holder. The lock lasts as long as the returned file stays open.
pub(super) fn acquire(store_dir: &Path) -> Result<(File, Holder), StoreError> {
    let path = store_dir.join(LOCK_FILE);
    let io = StoreError::io(&path);
    // No truncate on open: until the lock is ours, the contents belong to the holder and are
    // what the refusal quotes.
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    // Called through the trait: std's inherent `File::try_lock` would shadow it.
    match fs4::FileExt::try_lock(&file) {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).map_err(io)?;
            return Err(StoreError::Held {
                path: store_dir.to_path_buf(),
                holder: describe_contents(&bytes),
            });
        }
        Err(TryLockError::Error(source)) => return Err(io(source)),
    }
    let holder = Holder::current();
    let mut line = serde_json::to_vec(&holder)
        .expect("a struct of a number and two strings always serialises");
    line.push(b'\n');
    file.set_len(0).map_err(io)?;
    file.write_all(&line).map_err(io)?;
    file.sync_data().map_err(io)?;
    Ok((file, holder))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder() -> Holder {
        Holder {
            pid: 1234,
            command: "claimwatch crawl".to_string(),
            since: DateTime::parse_from_rfc3339("2026-11-28T02:00:00Z")
                .expect("a valid literal")
                .with_timezone(&Utc),
        }
    }

    #[test]
    fn holder_round_trips_through_the_file_format() {
        let bytes = serde_json::to_vec(&holder()).expect("serialises");
        assert_eq!(
            describe_contents(&bytes),
            r#"pid 1234, "claimwatch crawl", since 2026-11-28T02:00:00Z"#
        );
    }

    #[test]
    fn held_message_names_the_holder_and_what_to_do() {
        let err = StoreError::Held {
            path: "/x/store".into(),
            holder: holder().describe(),
        };
        assert_eq!(
            err.to_string(),
            r#"store /x/store is in use by another claimwatch process (pid 1234, "claimwatch crawl", since 2026-11-28T02:00:00Z); wait for it to finish or use another --store"#
        );
    }

    #[test]
    fn empty_or_foreign_contents_are_described_not_rejected() {
        assert_eq!(
            describe_contents(b"  \n"),
            "a process that has not yet written its details"
        );
        assert_eq!(
            describe_contents(b"4321\n"),
            r#"unrecognised lock file contents "4321""#
        );
        assert!(describe_contents(&[0xff, 0xfe]).starts_with("unrecognised"));
    }

    #[test]
    fn a_second_lock_in_the_same_process_is_refused_with_our_pid() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = acquire(dir.path()).expect("first lock");
        let err = acquire(dir.path()).expect_err("second lock must be refused");
        let message = err.to_string();
        assert!(matches!(err, StoreError::Held { .. }), "{message}");
        assert!(
            message.contains(&format!("pid {},", std::process::id())),
            "{message}"
        );
        drop(first);
        acquire(dir.path()).expect("lock is free again once the holder closes it");
    }
}
