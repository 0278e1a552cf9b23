//! claimwatch watches company websites for the claims they quietly take down.
//!
//! # Architecture
//!
//! Data flows one way, each stage taking and returning plain data:
//!
//! ```text
//! targets.toml ─► config ─► crawl ─► fetch ─► extract ─► store
//!                            │  (robots, per-host      (text blocks,
//!                            │   limiter, caps,          links)
//!                            ▼   decode)
//!                        frontier ◄── links
//! store ─► views: cli (history, check) · demo
//! ```
//!
//! - [`config`] parses and validates `targets.toml` into a [`config::Config`].
//! - [`crawl`] owns the tokio tasks: frontier, canonical URLs, robots.txt, per-host politeness.
//! - [`fetch`] owns reqwest: timeouts, body cap, redirects, the address guard, charset decoding.
//! - [`address`] says which IP addresses are internal or never crawled; `config` (does a seed
//!   imply `allow_private`?) and the fetch guard (may this address be reached?) both ask it.
//! - [`extract`] turns HTML into a [`extract::Document`] of visible text blocks and links; it is
//!   sync CPU work that the crawler runs on blocking threads.
//! - [`store`] owns sled: content-addressed bodies, capture records, documents, runs, pages.
//! - [`cli`] is the command-line surface; [`demo`] serves built-in sites offline.

pub mod address;
pub mod claims;
pub mod cli;
pub mod config;
pub mod crawl;
pub mod demo;
pub mod detect;
pub mod diff;
pub mod exit;
pub mod extract;
pub mod fetch;
pub mod flags;
pub mod run;
pub mod store;
pub mod text;
