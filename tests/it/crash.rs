//! Crash safety, end to end: the real binary crawls a loopback site of many pages and is killed
//! with SIGKILL at random moments, again and again. After every kill the store must open, keep
//! every capture an earlier check saw, and hold no half-written capture; a final crawl and
//! `claimwatch verify` must then succeed.
//!
//! The kill delays come from a seeded PRNG. The seed is printed; set `CLAIMWATCH_CRASH_SEED` to
//! replay a run's delays and page contents (the crawler's own timing still varies), and
//! `CLAIMWATCH_CRASH_KEEP=DIR` to keep a copy of the store as each kill left it, before it is
//! reopened.
//!
//! What "committed" means: sled makes writes durable when it flushes (every 500 ms, and at the end
//! of a run), so a capture the killed process wrote but had not flushed may vanish; that is not
//! damage. What must never happen: a store that does not open, a capture whose body or document
//! is missing or does not match, or a capture that an earlier check saw (after a clean open and
//! close, so on disk) missing now.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::support::*;
use claimwatch::store::{CaptureRecord, Store};
use sha2::{Digest, Sha256};

/// Leaf pages of the site.
const PAGES: usize = 400;
/// Child runs, each killed with SIGKILL unless it finishes first.
const ROUNDS: usize = 26;
/// Kill delays are drawn from this range, in milliseconds after the child starts.
const KILL_AFTER_MS: (u64, u64) = (50, 1500);

fn mix2(a: u64, b: u64) -> u64 {
    mix(mix(a) ^ b.wrapping_mul(0x2545_f491_4f6c_dd1d))
}

/// The seed of this run: `CLAIMWATCH_CRASH_SEED` if set, else the clock.
fn seed() -> u64 {
    match std::env::var("CLAIMWATCH_CRASH_SEED") {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("CLAIMWATCH_CRASH_SEED={text:?} is not a u64")),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("the clock is after 1970")
            .as_nanos() as u64,
    }
}

/// How many times page `i` has changed by generation `generation`: each page changes in a
/// generation with probability 1/8, so every kill round sees a different set of new bodies.
fn page_version(salt: u64, i: usize, generation: usize) -> usize {
    (1..=generation)
        .filter(|&g| mix2(salt ^ i as u64, g as u64).is_multiple_of(8))
        .count()
}

const WORDS: &[&str] = &[
    "lorem",
    "ipsum",
    "dolor",
    "sit",
    "amet",
    "consectetur",
    "adipiscing",
    "elit",
    "sed",
    "do",
    "eiusmod",
    "tempor",
    "incididunt",
    "ut",
    "labore",
    "et",
    "dolore",
    "magna",
    "aliqua",
    "enim",
    "minim",
    "veniam",
    "quis",
    "nostrud",
];

/// Page `i` at `version`: 5 to 20 KB of HTML text, different for every (page, version).
fn page_html(salt: u64, i: usize, version: usize) -> String {
    let mut rng = Rng(mix2(salt ^ ((i as u64) << 20), version as u64));
    let size = rng.between(5_000, 20_000) as usize;
    let mut html = format!(
        "<html><head><title>Page {i}</title></head><body><h1>Page {i} version {version}</h1>\n"
    );
    while html.len() < size {
        html.push_str("<p>");
        for _ in 0..40 {
            html.push_str(WORDS[(rng.next() % WORDS.len() as u64) as usize]);
            html.push(' ');
        }
        html.push_str(&format!("{}</p>\n", rng.next() % 100_000));
    }
    html.push_str("</body></html>\n");
    html
}

/// A home page linking `PAGES` leaves, whose contents move on with `generation`.
pub(crate) fn site(salt: u64, generation: Arc<AtomicUsize>) -> Handler {
    let links: String = (0..PAGES)
        .map(|i| format!("<a href=\"/p{i}.html\">page {i}</a>\n"))
        .collect();
    let home = Reply::html(format!("<html><body><h1>Home</h1>\n{links}</body></html>"));
    Arc::new(move |path: &str| {
        if path == "/" {
            return home.clone();
        }
        let leaf = path
            .strip_prefix("/p")
            .and_then(|rest| rest.strip_suffix(".html"))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&i| i < PAGES);
        match leaf {
            Some(i) => {
                let version = page_version(salt, i, generation.load(Ordering::SeqCst));
                Reply::html(page_html(salt, i, version))
            }
            None => Reply::not_found(),
        }
    })
}

/// What one check of the store found.
pub(crate) struct Checked {
    captures: usize,
    bodies: u64,
    took: Duration,
}

/// Opens the store after a kill and checks it through the library: it opens; every capture in
/// `committed` (what the previous check saw) is still there, unchanged; no capture is
/// half-written; the indexes, pages, stats and body verification agree. Then replaces
/// `committed` with what this check saw, which is on disk: the store was opened cleanly and is
/// flushed when dropped.
pub(crate) fn check_store(
    path: &Path,
    committed: &mut BTreeMap<u64, CaptureRecord>,
    context: &str,
) -> Checked {
    let started = Instant::now();
    let store = Store::open(path).unwrap_or_else(|e| {
        panic!("{context}: the store does not open after SIGKILL: {e} ({e:?})")
    });
    let stats = store
        .stats()
        .unwrap_or_else(|e| panic!("{context}: stats failed: {e}"));
    let records = store
        .captures_for_target("site")
        .unwrap_or_else(|e| panic!("{context}: captures_for_target failed: {e}"));
    let runs = store
        .runs()
        .unwrap_or_else(|e| panic!("{context}: runs failed: {e}"));
    let found: BTreeMap<u64, CaptureRecord> = records.into_iter().map(|r| (r.id, r)).collect();

    // Nothing an earlier check saw is lost or changed.
    for (id, before) in committed.iter() {
        match found.get(id) {
            Some(now) => assert_eq!(
                now, before,
                "{context}: capture {id} changed since the previous check"
            ),
            None => panic!(
                "{context}: capture {id} ({}) was in the store at the previous check and is gone \
                 ({} captures now, {} before)",
                before.url,
                found.len(),
                committed.len()
            ),
        }
    }

    // Every capture record is indexed: ids are shared by captures and runs, so probe every id
    // up to past the highest one in use.
    let highest = found
        .keys()
        .copied()
        .chain(runs.iter().map(|r| r.id))
        .max()
        .unwrap_or(0);
    let mut stored = 0;
    for id in 1..=highest + 256 {
        let record = store
            .capture(id)
            .unwrap_or_else(|e| panic!("{context}: capture {id} does not read: {e}"));
        if let Some(record) = record {
            stored += 1;
            assert_eq!(
                found.get(&id),
                Some(&record),
                "{context}: capture {id} is stored but not in the by_target index"
            );
        }
    }
    assert_eq!(
        stats.captures as usize,
        found.len(),
        "{context}: stats count captures the index does not list"
    );
    assert_eq!(
        stored,
        found.len(),
        "{context}: capture records outside the index"
    );

    // No half-written capture: body, document and indexes are all there.
    let mut hashed: HashMap<String, usize> = HashMap::new();
    let mut urls: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
    let mut documents: BTreeSet<String> = BTreeSet::new();
    for record in found.values() {
        urls.entry(record.url.as_str())
            .or_default()
            .insert(record.id);
        if let Some(sha) = &record.sha256 {
            let len = match hashed.get(sha) {
                Some(&len) => len,
                None => {
                    let body = store
                        .body(sha)
                        .unwrap_or_else(|e| panic!("{context}: body {sha} does not read: {e}"))
                        .unwrap_or_else(|| {
                            panic!(
                                "{context}: capture {} ({}) names body {sha}, which is not stored",
                                record.id, record.url
                            )
                        });
                    assert_eq!(
                        hex::encode(Sha256::digest(&body)),
                        *sha,
                        "{context}: body of capture {} does not hash to its digest",
                        record.id
                    );
                    hashed.insert(sha.clone(), body.len());
                    body.len()
                }
            };
            assert_eq!(
                record.size,
                Some(len as u64),
                "{context}: capture {} size differs from its body",
                record.id
            );
        }
        if record.has_document {
            // Documents are content-addressed by the digest of their JSON (records written
            // before that keep theirs under the capture id): read each one once.
            let key = record
                .document_sha256
                .clone()
                .unwrap_or_else(|| format!("capture {}", record.id));
            if documents.insert(key) {
                store
                    .document(record.id)
                    .unwrap_or_else(|e| {
                        panic!("{context}: document of {} does not read: {e}", record.id)
                    })
                    .unwrap_or_else(|| {
                        panic!(
                            "{context}: capture {} ({}) has a document that is not stored",
                            record.id, record.url
                        )
                    });
            }
        }
    }
    assert_eq!(
        stats.documents,
        documents.len() as u64,
        "{context}: documents stored that no capture names (a capture's transaction half-applied)"
    );
    assert_eq!(
        stats.bodies,
        hashed.len() as u64,
        "{context}: bodies stored that no capture names (a capture's transaction half-applied)"
    );
    for (url, ids) in &urls {
        let indexed: BTreeSet<u64> = store
            .captures_for_url(url)
            .unwrap_or_else(|e| panic!("{context}: captures_for_url({url}) failed: {e}"))
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(
            &indexed, ids,
            "{context}: the by_url index of {url} disagrees"
        );
    }
    let pages = store
        .pages("site")
        .unwrap_or_else(|e| panic!("{context}: pages failed: {e}"));
    assert_eq!(
        pages.len(),
        urls.len(),
        "{context}: page records vs captured URLs"
    );
    for page in &pages {
        let last = found.get(&page.last_capture).unwrap_or_else(|| {
            panic!(
                "{context}: page {} names last capture {}, which is not stored",
                page.url, page.last_capture
            )
        });
        assert_eq!(
            last.url, page.url,
            "{context}: page record of the wrong URL"
        );
        assert_eq!(
            urls[page.url.as_str()].last(),
            Some(&page.last_capture),
            "{context}: page {} does not name its latest capture",
            page.url
        );
    }
    let damaged = store
        .verify_bodies()
        .unwrap_or_else(|e| panic!("{context}: verify_bodies failed: {e}"));
    assert!(damaged.is_empty(), "{context}: damaged bodies {damaged:?}");
    drop(store);

    let checked = Checked {
        captures: found.len(),
        bodies: stats.bodies,
        took: started.elapsed(),
    };
    *committed = found;
    checked
}

/// Long rounds crawl the whole site: over 2 s at 200/s, so every kill lands mid-crawl. Short
/// rounds stop after 50 pages, so some kills land in the end of the run (detection, saving the
/// run, the final flush) and some runs finish first.
const WHOLE_SITE: usize = 1000;
const SHORT_ROUND: usize = 50;

/// With `CLAIMWATCH_CRASH_KEEP=DIR`, each killed store is copied to `DIR/round-N` before it is
/// opened, so a failing round can be replayed against the exact bytes the kill left.
fn keep_copy(store: &Path, round: usize) {
    let Ok(dir) = std::env::var("CLAIMWATCH_CRASH_KEEP") else {
        return;
    };
    let to = Path::new(&dir).join(format!("round-{round}"));
    let _ = std::fs::remove_dir_all(&to);
    std::fs::create_dir_all(&dir).expect("create CLAIMWATCH_CRASH_KEEP");
    let copied = std::process::Command::new("cp")
        .arg("-a")
        .arg(store)
        .arg(&to)
        .status()
        .expect("run cp");
    assert!(
        copied.success(),
        "copy {} to {}",
        store.display(),
        to.display()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_at_random_moments_never_loses_or_half_writes_a_capture() {
    let _turn = heavy_test_turn().await;
    let test_started = Instant::now();
    let seed = seed();
    println!("crash seed {seed} (replay with CLAIMWATCH_CRASH_SEED={seed})");
    let mut rng = Rng(seed);
    let salt = rng.next();
    let generation = Arc::new(AtomicUsize::new(0));
    let server = Server::start("127.0.0.1", 0, site(salt, generation.clone()))
        .await
        .expect("start the test server");
    let ws = Workspace::new(&site_at_200_per_second(&server, WHOLE_SITE));

    let mut committed: BTreeMap<u64, CaptureRecord> = BTreeMap::new();
    let mut killed_mid_run = 0;
    let mut finished_first = 0;
    let mut requested_total = 0;
    let mut killed_while_storing = 0;
    for round in 1..=ROUNDS {
        // Every round serves a different mix of changed pages.
        generation.store(round, Ordering::SeqCst);
        let short = round % 5 == 0;
        ws.write_targets(&site_at_200_per_second(
            &server,
            if short { SHORT_ROUND } else { WHOLE_SITE },
        ));
        let delay = Duration::from_millis(rng.between(KILL_AFTER_MS.0, KILL_AFTER_MS.1));
        let context = format!(
            "seed {seed}, round {round} ({}), SIGKILL after {delay:?}",
            if short { "50 pages" } else { "whole site" }
        );
        let requested_before = server.pages_requested().len();
        let child = ws.spawn_crawl();
        let pid = libc::pid_t::try_from(child.id().expect("child pid")).expect("pids fit pid_t");
        tokio::time::sleep(delay).await;
        // SAFETY: kill(2) on the pid of our own child, not yet reaped (`child` is still waited
        // for below), so it cannot name another process.
        let sent = unsafe { libc::kill(pid, libc::SIGKILL) };
        assert_eq!(
            sent,
            0,
            "{context}: kill failed: {}",
            std::io::Error::last_os_error()
        );
        let output = tokio::time::timeout(Duration::from_secs(10), child.wait_with_output())
            .await
            .unwrap_or_else(|_| panic!("{context}: the child outlived SIGKILL by 10 s"))
            .expect("wait for claimwatch");
        let outcome = match output.status.signal() {
            Some(libc::SIGKILL) => {
                killed_mid_run += 1;
                "killed"
            }
            _ => {
                // Done before the kill landed: then it must have done well.
                assert!(
                    matches!(output.status.code(), Some(0 | 1)),
                    "{context}: the crawl failed on its own: {:?} {} {}",
                    output.status,
                    stdout(&output),
                    stderr(&output)
                );
                finished_first += 1;
                "finished first"
            }
        };
        let requested = server.pages_requested().len() - requested_before;
        requested_total += requested;
        keep_copy(&ws.store(), round);
        let before = committed.len();
        let checked = check_store(&ws.store(), &mut committed, &context);
        if outcome == "killed" && checked.captures > before {
            killed_while_storing += 1;
        }
        println!(
            "round {round:>2}: {outcome:<14} after {:>4} ms; {requested:>3} pages fetched, \
             {:>3} captures kept; {:>5} captures, {:>4} bodies in all; check {} ms",
            delay.as_millis(),
            checked.captures - before,
            checked.captures,
            checked.bodies,
            checked.took.as_millis()
        );
    }
    println!(
        "{killed_mid_run} runs killed ({killed_while_storing} while storing captures), \
         {finished_first} finished first; {requested_total} pages fetched, {} captures kept",
        committed.len()
    );
    assert!(
        killed_mid_run >= 20,
        "seed {seed}: only {killed_mid_run} of {ROUNDS} children were killed mid-run \
         ({finished_first} finished first)"
    );
    assert!(
        killed_while_storing >= 10,
        "seed {seed}: only {killed_while_storing} kills landed while captures were being stored: \
         the kills prove little"
    );

    // The store is still good for a whole run, and `verify` agrees.
    generation.store(ROUNDS + 1, Ordering::SeqCst);
    ws.write_targets(&site_at_200_per_second(&server, WHOLE_SITE));
    let final_started = Instant::now();
    let output = ws.run(&["crawl"]).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "seed {seed}: the crawl after the kills failed: {} {}",
        stdout(&output),
        stderr(&output)
    );
    let final_took = final_started.elapsed();
    let before = committed.len();
    check_store(
        &ws.store(),
        &mut committed,
        &format!("seed {seed}, after the whole crawl"),
    );
    assert!(
        committed.len() > before + PAGES,
        "seed {seed}: the whole crawl kept {} captures, expected the home page and {PAGES} pages",
        committed.len() - before
    );
    let verify = ws.run(&["verify"]).await;
    assert_eq!(
        verify.status.code(),
        Some(0),
        "seed {seed}: verify: {} {}",
        stdout(&verify),
        stderr(&verify)
    );
    println!(
        "seed {seed}: whole crawl after the kills {} ms; test {} ms",
        final_took.as_millis(),
        test_started.elapsed().as_millis()
    );
}
