//! Claims: the sentences of a page that matter to an investigator, found by rule packs.
//!
//! Text is normalised before matching and comparing (NFKC, case folding, whitespace and
//! punctuation runs collapsed), so markup, case, width and encoding changes never look like a
//! change. Built-in packs are data files compiled into the binary; users add rules in
//! targets.toml.

mod category;
mod lazy_regex;
pub mod manufacturers;
pub mod matcher;
pub mod normalize;
pub mod packs;
mod script;
mod terms;
#[cfg(test)]
mod tests;
pub mod view;

use serde::{Deserialize, Serialize};

use crate::extract::{BlockKind, Region};

pub use category::Category;
pub use manufacturers::KnownManufacturer;
pub use matcher::Matcher;
pub use view::{BlockMark, PageView};

/// One claim found on a page.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Claim {
    /// The rule that matched, e.g. "military-en".
    pub rule: String,
    /// Military, partner, or a user category.
    pub category: Category,
    /// BCP 47 tag of the rule's language: "en", "zh-Hans", "zh-Hant", "ru" ("und" for user rules
    /// without one).
    pub lang: String,
    /// The rule's terms that matched, as written in the rule.
    pub terms: Vec<String>,
    /// The sentence (or block) as it stood on the page, whitespace collapsed.
    pub text: String,
    /// The normalised sentence: a claim's identity on a page is (rule, normalised, manufacturer).
    pub normalized: String,
    /// Where on the page it stood.
    pub block: BlockKind,
    /// For partner claims: the manufacturer's canonical name.
    pub manufacturer: Option<String>,
    /// Where on the page its block stood.
    #[serde(default)]
    pub region: Region,
}

impl Claim {
    /// The identity used to compare claims across captures and pages.
    pub fn key(&self) -> ClaimKey {
        ClaimKey {
            rule: self.rule.clone(),
            normalized: self.normalized.clone(),
            manufacturer: self.manufacturer.clone(),
        }
    }
}

/// What makes two claims the same claim.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ClaimKey {
    pub rule: String,
    pub normalized: String,
    pub manufacturer: Option<String>,
}

/// Why the claim rules could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClaimsError {
    /// A built-in pack is malformed (caught by the pack checker test).
    #[error("claim pack {pack}: {message}")]
    Pack { pack: String, message: String },
    /// A user rule from targets.toml cannot be compiled.
    #[error("rule {rule}: {message}")]
    Rule { rule: String, message: String },
}
