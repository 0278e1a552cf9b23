//! The store: one sled database holding every capture ever made, so nothing seen is lost.
//!
//! Only this module knows about sled. Bodies are zstd-compressed and content-addressed by
//! SHA-256, so an unchanged page stores no second copy. One capture is written atomically.

pub mod records;

pub use records::*;
