//! HTML → [`Document`]: the visible text of a page as blocks, and its links.
//!
//! Sync CPU work: the crawler calls [`extract`] on a blocking thread, never on async workers.

use serde::{Deserialize, Serialize};
use url::Url;

/// What kind of place on the page a block of text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    /// The document `<title>`.
    Title,
    /// `h1`–`h6`.
    Heading,
    /// `p`, and any other run of text not inside a more specific block.
    Text,
    /// `li`, `dt`, `dd`.
    ListItem,
    /// `td`, `th`, `caption`.
    TableCell,
    /// `<meta name="description">` (and og:description).
    MetaDescription,
    /// An `img` `alt` attribute.
    Alt,
    /// A `title` attribute on any visible element.
    TitleAttr,
}

/// One block of visible text, whitespace collapsed, never empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    pub text: String,
}

/// A link as written on the page, resolved against the page URL (and `<base href>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// Absolute URL; only http and https links are kept.
    pub url: String,
    /// The link's visible text, whitespace collapsed (may be empty).
    pub text: String,
}

/// An image: its source resolved to an absolute URL, and its alt text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    pub src: String,
    pub alt: String,
}

/// Everything the claim matcher and the frontier need from one HTML page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub title: Option<String>,
    /// `<html lang>`, if any.
    pub lang: Option<String>,
    /// Blocks in document order (title, meta description first).
    pub blocks: Vec<Block>,
    pub links: Vec<Link>,
    pub images: Vec<Image>,
}

/// Extracts the visible text blocks, links and images of an HTML page.
pub fn extract(_html: &str, _base: &Url) -> Document {
    todo!("extract: see the module doc")
}
