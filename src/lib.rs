//! claimwatch watches company websites for the claims they quietly take down.
//!
//! # Architecture
//!
//! Data flows one way; each stage calls only those before it and returns plain data:
//!
//! ```text
//! config ─► fetch ─► extract ─► claims ─► store ─┬─► crawl ──┬─► run ─► commands (the binary)
//!                                                ├─► detect ─┘             ▲
//!                                                └─► export (with report) ─┘
//! ```
//!
//! `crawl` and `detect` do not know each other: `run` strings them together. Beside the line sit
//! plain helpers any stage may use: `address`, `text`, `flags` (the record the store keeps and
//! detection raises), `diff` (for people) and `demo` (built-in sites for the demo and benchmarks).
//!
//! - [`config`] parses and validates `targets.toml` into a [`config::Config`]; it also owns the
//!   units settings are written in, and shows byte sizes the same way everywhere.
//! - [`address`] says which IP addresses are internal or never crawled; `config` (does a seed
//!   imply `allow_private`?) and the fetch guard (may this address be reached?) both ask it.
//! - [`fetch`] owns reqwest: timeouts, body cap, redirects, the address guard, charset decoding.
//! - [`extract`] turns HTML into a [`extract::Document`] of visible text blocks and links; it is
//!   sync CPU work that the crawler runs on blocking threads.
//! - [`claims`] finds military and partner claims in a document's text.
//! - [`store`] owns sled: content-addressed bodies, capture records, documents, runs, pages, flags,
//!   and the custody log that chains every capture, flag and review; it checks itself
//!   (`verify`) and reads a read-only store through a temporary copy.
//! - [`crawl`] owns the tokio tasks: frontier, canonical URLs, robots.txt, per-host politeness. It
//!   captures pages into the store and hands each target's captures up; it knows nothing of
//!   claims or flags.
//! - [`detect`] compares a target's claims before and after a crawl and raises [`flags`]; it knows
//!   nothing of HTTP.
//! - [`run`] is the one place a crawl is strung together: crawl every target, detect each as its
//!   crawl ends, record the run, deliver the new flags through [`notify`] (webhooks and command
//!   hooks, retried on the next run until delivered), hand them back.
//! - [`import`] reads sanctions and screening lists (FollowTheMoney entities, the Consolidated
//!   Screening List) into new targets appended to targets.toml.
//! - [`flags`] is the flag record, its export formats and its readable lines; [`diff`] shows what
//!   changed between two captures; [`text`] holds the rules about characters (whitespace,
//!   CJK, combining marks, terminal safety) that extraction, claims and the diff share, so that
//!   they cannot disagree.
//! - [`export`] takes evidence out of the store: WARC files of captures and flags, and the
//!   bundle of one case (WARC, flags, diff page, SHA-256 manifest).
//! - [`demo`] holds the demo's built-in sites and the loopback server that serves them.
//!
//! The command-line surface is not part of the library: it belongs to the `claimwatch` binary
//! (`src/cli/`, one file per command, the demo's story among them), which reaches the library
//! only through its public API. The binary also shares the store between processes: the one
//! holding it answers the others on a socket in the store directory ([`store::SOCKET_FILE`]),
//! carrying out their commands for them (`src/cli/share/`).

#![forbid(unsafe_code)]
// Not under `cfg(test)`: the unit tests also link the dev-dependencies, which only the
// integration tests and benches use.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

// Cargo has no dependencies of the binary alone: the library does not use these, the command
// line (`src/cli/`) does, and naming them here keeps the lint above about the library's own.
use anyhow as _;
use indicatif as _;
#[cfg(all(target_os = "linux", target_env = "gnu"))]
use libc as _;
use log as _;
use mio as _;
use strsim as _;
use tracing_subscriber as _;

pub mod address;
pub mod cases;
pub mod claims;
pub mod config;
pub mod crawl;
pub mod demo;
pub mod detect;
pub mod diff;
pub mod exit;
pub mod export;
pub mod extract;
pub mod fetch;
pub mod flags;
pub mod import;
pub mod notify;
pub mod report;
pub mod run;
pub mod serve;
pub mod show;
pub mod store;
pub mod text;
