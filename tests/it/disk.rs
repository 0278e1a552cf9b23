//! A full disk, end to end: the store lives on a small tmpfs and the real binary crawls a site of
//! large, incompressible pages until the store cannot take more. The crawl must fail (exit 2)
//! saying the disk is full, without hanging, and once there is room again the store must open,
//! `claimwatch verify` pass and every capture's body match its digest.
//!
//! Mounting a tmpfs needs root (CAP_SYS_ADMIN), as these tests have in CI. Without it they fail
//! and say so: a silent skip would hide that the disk-full path is untested.

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::*;
use sha2::{Digest, Sha256};

/// A tmpfs mounted for one test, unmounted when dropped (also when the test fails).
pub(crate) struct Tmpfs {
    dir: PathBuf,
}

fn c_string(text: &str) -> CString {
    CString::new(text).expect("no NUL in mount arguments")
}

fn c_path(path: &Path) -> CString {
    CString::new(path.as_os_str().as_encoded_bytes()).expect("no NUL in the mount point")
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (e.g. "3m") on `dir`, which must exist.
    fn mount(dir: &Path, size: &str) -> Tmpfs {
        let options = c_string(&format!("size={size},mode=0755"));
        // SAFETY: every pointer is a NUL-terminated string that outlives the call.
        let done = unsafe {
            libc::mount(
                c_string("tmpfs").as_ptr(),
                c_path(dir).as_ptr(),
                c_string("tmpfs").as_ptr(),
                0,
                options.as_ptr().cast(),
            )
        };
        if done != 0 {
            let err = std::io::Error::last_os_error();
            if err.raw_os_error() == Some(libc::EPERM) {
                panic!(
                    "mounting a tmpfs on {} was refused ({err}): the disk-full tests need root \
                     (CAP_SYS_ADMIN) to mount a small filesystem; run them as root, as CI does",
                    dir.display()
                );
            }
            panic!("cannot mount a tmpfs on {}: {err}", dir.display());
        }
        Tmpfs {
            dir: dir.to_path_buf(),
        }
    }

    /// Grows (or shrinks) the mounted tmpfs to `size`, keeping its files.
    pub(crate) fn resize(&self, size: &str) {
        let options = c_string(&format!("size={size}"));
        // SAFETY: as in `mount`.
        let done = unsafe {
            libc::mount(
                c_string("tmpfs").as_ptr(),
                c_path(&self.dir).as_ptr(),
                c_string("tmpfs").as_ptr(),
                libc::MS_REMOUNT,
                options.as_ptr().cast(),
            )
        };
        assert_eq!(
            done,
            0,
            "cannot remount {} with size={size}: {}",
            self.dir.display(),
            std::io::Error::last_os_error()
        );
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let dir = c_path(&self.dir);
        // SAFETY: a NUL-terminated path that outlives the call.
        let done = unsafe { libc::umount2(dir.as_ptr(), 0) };
        if done != 0 {
            // Still busy (a child the failing test left behind): detach it now, so no mount
            // outlives the test; the kernel frees it once the last user is gone.
            // SAFETY: as above.
            unsafe { libc::umount2(dir.as_ptr(), libc::MNT_DETACH) };
        }
    }
}

/// Leaf pages of the site.
const PAGES: usize = 200;
/// Bytes of random text in each leaf page.
const NOISE: usize = 50 * 1024;

/// A home page linking `PAGES` leaves, each holding `NOISE` bytes of random base64-alphabet text
/// in a comment: 6 bits of entropy a byte, so zstd keeps about 3/4 of it. The comment keeps the
/// extracted documents small: it is the bodies that fill the disk.
fn noisy_site() -> Handler {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let links: String = (0..PAGES)
        .map(|i| format!("<a href=\"/p{i}.html\">page {i}</a>\n"))
        .collect();
    let home = Reply::html(format!("<html><body><h1>Home</h1>\n{links}</body></html>"));
    let leaves: Vec<Reply> = (0..PAGES)
        .map(|i| {
            let mut rng = Rng(i as u64 + 1);
            let noise: String = (0..NOISE)
                .map(|_| ALPHABET[(rng.next() % 64) as usize] as char)
                .collect();
            Reply::html(format!(
                "<html><body><h1>Page {i}</h1><p>Leaf page number {i}.</p>\n<!-- {noise} -->\n\
                 </body></html>"
            ))
        })
        .collect();
    Arc::new(move |path: &str| {
        if path == "/" {
            return home.clone();
        }
        path.strip_prefix("/p")
            .and_then(|rest| rest.strip_suffix(".html"))
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|i| leaves.get(i).cloned())
            .unwrap_or_else(Reply::not_found)
    })
}

/// Pages of the run after space is freed: enough to show the store takes captures again.
const NEXT_RUN_PAGES: usize = 40;

/// A workspace whose store directory is a fresh tmpfs of `size`, crawling the whole site of
/// `server`. Drop the tmpfs first: the workspace's directory cannot be removed while the tmpfs
/// is mounted in it.
fn workspace_on_tmpfs(server: &Server, size: &str) -> (Tmpfs, Workspace) {
    let ws = Workspace::new(&site_at_200_per_second(server, 1000));
    std::fs::create_dir(ws.store()).expect("create the mount point");
    let tmpfs = Tmpfs::mount(&ws.store(), size);
    (tmpfs, ws)
}

/// Runs `claimwatch crawl`, failing the test if it takes longer than `limit`.
async fn crawl_within(ws: &Workspace, limit: Duration) -> (Output, Duration) {
    let started = Instant::now();
    let child = ws.command(&["crawl"]).output();
    let output = tokio::time::timeout(limit, child)
        .await
        .unwrap_or_else(|_| panic!("claimwatch crawl hangs: still running after {limit:?}"))
        .expect("claimwatch ran");
    (output, started.elapsed())
}

/// Every capture of the target: its body is stored and hashes to its digest.
fn assert_every_body_matches(ws: &Workspace) -> usize {
    let store = ws.open_store();
    let records = store
        .captures_for_target("site")
        .expect("read the captures");
    for record in &records {
        let Some(sha) = &record.sha256 else { continue };
        let body = store
            .body(sha)
            .expect("read a body")
            .unwrap_or_else(|| panic!("capture {} names body {sha}, not stored", record.id));
        assert_eq!(
            hex::encode(Sha256::digest(&body)),
            *sha,
            "capture {}: body does not match its digest",
            record.id
        );
        if record.has_document {
            assert!(
                store
                    .document(record.id)
                    .expect("read a document")
                    .is_some(),
                "capture {}: document missing",
                record.id
            );
        }
    }
    let damaged = store.verify_bodies().expect("verify bodies");
    assert!(damaged.is_empty(), "damaged bodies: {damaged:?}");
    records.len()
}

/// What a run on a full disk did, for the assertions of several tests.
/// Fields drop in order: the tmpfs is unmounted before the workspace's directory is removed.
pub(crate) struct FullDiskRun {
    pub(crate) tmpfs: Tmpfs,
    pub(crate) ws: Workspace,
    pub(crate) server: Server,
    pub(crate) output: Output,
    took: Duration,
}

/// Crawls `PAGES` pages of 50 KB of noise into a 3 MiB tmpfs: the store fills up after a few
/// dozen.
pub(crate) async fn crawl_into_a_full_disk() -> FullDiskRun {
    let server = Server::start("127.0.0.1", 0, noisy_site())
        .await
        .expect("start the test server");
    let (tmpfs, ws) = workspace_on_tmpfs(&server, "3m");
    let (output, took) = crawl_within(&ws, Duration::from_secs(30)).await;
    FullDiskRun {
        tmpfs,
        ws,
        server,
        output,
        took,
    }
}

/// stderr without the ANSI colour codes the log lines carry.
pub(crate) fn plain_stderr(output: &Output) -> String {
    let text = stderr(output);
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ESC [ ... final byte in @..~
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) && c != '[' {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}

pub(crate) fn says_disk_full(line: &str) -> bool {
    let line = line.to_ascii_lowercase();
    line.contains("no space left on device") || line.contains("disk is full")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_fails_the_crawl_clearly_and_the_store_survives() {
    let _turn = heavy_test_turn().await;
    let started = Instant::now();
    let run = crawl_into_a_full_disk().await;
    let (out, err) = (stdout(&run.output), plain_stderr(&run.output));
    let requested = run.server.pages_requested().len();
    let context = format!(
        "after {:?}, {requested} page requests; stdout:\n{out}\nstderr (last lines):\n{}",
        run.took,
        err.lines().rev().take(5).collect::<Vec<_>>().join("\n")
    );
    assert_eq!(
        run.output.status.code(),
        Some(2),
        "a crawl whose store is full must fail: {context}"
    );
    // The last word on stderr is the error that ended the run: it must say the store could
    // not be written because the disk is full.
    let last = err
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    assert!(
        last.starts_with("error:") && last.contains("store") && says_disk_full(last),
        "the final error must say the store's disk is full: {last:?}\n{context}"
    );

    // With room again, the store opens and holds only whole captures.
    run.tmpfs.resize("64m");
    let kept = assert_every_body_matches(&run.ws);
    assert!(
        kept > 0,
        "the captures made before the disk filled are kept: {context}"
    );
    let verify = run.ws.run(&["verify"]).await;
    assert_eq!(
        verify.status.code(),
        Some(0),
        "verify after the disk filled: {} {}",
        stdout(&verify),
        stderr(&verify)
    );

    // And it takes new captures again: a short run (the pages known from before come first)
    // completes.
    run.ws
        .write_targets(&site_at_200_per_second(&run.server, NEXT_RUN_PAGES));
    let (next, _) = crawl_within(&run.ws, Duration::from_secs(30)).await;
    assert_eq!(
        next.status.code(),
        Some(0),
        "the run after space was freed: {} {}",
        stdout(&next),
        stderr(&next)
    );
    let after = assert_every_body_matches(&run.ws);
    assert_eq!(
        after,
        kept + NEXT_RUN_PAGES,
        "the run after space was freed stores every page it fetched"
    );
    println!(
        "full disk: exit 2 after {:?}, {kept} captures kept of {requested} pages requested; \
         test {:?}",
        run.took,
        started.elapsed()
    );
}
