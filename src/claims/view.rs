//! What detection needs of one page's document: its claims under the current rules, and where
//! each block of text stood. Computed once per document and rule set and kept in the store, so
//! a page whose body did not change costs no matching on the next run.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Claim, Matcher};
use crate::extract::{Block, Document};

/// A page's claims and block places.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageView {
    pub claims: Vec<Claim>,
    pub blocks: Vec<BlockMark>,
}

/// One block of a page: its section ([`crate::extract::Region::section`]) and a hash of its
/// normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockMark {
    pub section: u64,
    pub text: u64,
}

impl PageView {
    /// The view of `document` under `matcher`'s rules.
    pub fn of(matcher: &Matcher, document: &Document) -> PageView {
        PageView {
            claims: matcher.claims(document),
            blocks: document.blocks.iter().map(block_mark).collect(),
        }
    }
}

/// A block's place and a hash of its text (already whitespace-collapsed by extraction). The hash
/// is SHA-256's first eight bytes rather than std's hasher, whose output may change between
/// Rust releases: views are kept in the store and compared with views made by later builds.
fn block_mark(block: &Block) -> BlockMark {
    let digest = Sha256::digest(block.text.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    BlockMark {
        section: block.region.section,
        text: u64::from_be_bytes(first),
    }
}
