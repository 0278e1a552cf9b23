//! The matcher: document → claims.

use crate::config::{Manufacturer, Rule};
use crate::extract::Document;

use super::{Claim, ClaimsError};

/// Compiled rules: built-in packs (minus disabled ones), user rules, and manufacturer names.
#[derive(Debug)]
pub struct Matcher {}

impl Matcher {
    /// `disabled_packs`: ids of built-in packs to leave out ("military", "partner").
    pub fn new(
        _manufacturers: &[Manufacturer],
        _rules: &[Rule],
        _disabled_packs: &[String],
    ) -> Result<Matcher, ClaimsError> {
        todo!()
    }

    /// The claims of a document, in document order, each (rule, normalized, manufacturer) once.
    pub fn claims(&self, _document: &Document) -> Vec<Claim> {
        todo!()
    }
}
