//! The integration tests, one test binary with a module per area: the real `claimwatch` binary
//! and the library's public API against loopback servers, plus the fuzz targets' saved inputs.
//! One binary builds the shared helpers in `support` once and links once; run an area with
//! `cargo test --test it <area>::`, for example `cargo test --test it hostile::`.
//!
//! The tests of all areas run side by side on the harness's threads, so none may change what
//! the process shares (environment, current directory, signal handlers): each starts its own
//! servers, workspace and child processes. The tests that load the whole machine take turns
//! through [`support::heavy_test_turn`], and the one that reads a child's peak memory runs again
//! in a process of its own ([`support::rerun_in_a_fresh_process`]).
//!
//! `regression` holds a test for every bug fixed, named for what broke.

mod support;

mod cases;
mod charsets;
mod claims;
mod commands;
mod config_errors;
mod crash;
mod crawl;
mod desk;
mod disk;
mod evidence;
mod ftm;
mod fuzz_regressions;
mod health;
mod hostile;
mod import;
mod memory;
mod notify;
mod operation;
mod politeness;
mod regression;
mod review;
mod rotation;
mod sharing;
mod tls;
mod unchanged;
