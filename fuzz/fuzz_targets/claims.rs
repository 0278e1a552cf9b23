#![no_main]

//! The body is shared with tests/it/fuzz_regressions.rs, which replays saved inputs without
//! cargo-fuzz.

#[path = "../../tests/fuzz_regressions/harness.rs"]
#[allow(dead_code)]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::claims(data));
