//! Flags: the changes an investigator reviews and a screening tool ingests, in the contract's
//! shape (docs/contract.md "A flag"), their export formats, and the lines people read.

pub mod export;
pub mod filter;
pub mod ftm;
pub mod record;
#[cfg(test)]
mod sample;
pub mod show;

pub use record::*;
