//! Flags: the changes an investigator reviews and a screening tool ingests, in the contract's
//! shape (docs/contract.md "A flag"), and their export formats.

pub mod export;
pub mod record;

pub use record::*;
