//! HTML → [`Document`]: the visible text of a page as blocks, and its links.
//!
//! Sync CPU work: the crawler calls [`extract`] on a blocking thread, never on async workers.
//! [`nesting`] bounds the depth html5ever parses to; `head` reads the title, descriptions and
//! base URL; `walker` walks the body for its text blocks, links and images.

mod head;
pub mod nesting;
mod region;
mod walker;

use scraper::Html;
use scraper::node::Element;
use serde::{Deserialize, Serialize};
use url::Url;

// The crate's one whitespace rule, also where the fuzz targets have long found it.
pub use crate::text::collapse_whitespace;

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

/// Where on its page a block stood, for telling a site's template from a page's main content.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Region {
    /// A hash of the block's containers (element names, ids and classes, digits left out):
    /// pages built from one template share it. 0 when unknown.
    #[serde(default)]
    pub section: u64,
    /// Inside navigation, a header, a footer or a sidebar, by element, role or id/class name.
    #[serde(default)]
    pub boilerplate: bool,
}

/// One block of visible text, whitespace collapsed, never empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    pub text: String,
    /// Unknown (0) in documents stored before regions were recorded.
    #[serde(default)]
    pub region: Region,
}

impl Block {
    /// A block in an unknown place (tests, and text that comes from no element).
    pub fn new(kind: BlockKind, text: impl Into<String>) -> Block {
        Block {
            kind,
            text: text.into(),
            region: Region::default(),
        }
    }
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

/// Most links kept from one page; a hostile page can hold millions.
pub const MAX_LINKS: usize = 50_000;
/// Most blocks kept from one page (title and meta descriptions included).
pub const MAX_BLOCKS: usize = 100_000;
/// Most images kept from one page.
pub const MAX_IMAGES: usize = 50_000;

/// Most meta descriptions kept: real pages have one to three, hostile ones thousands.
pub const MAX_DESCRIPTIONS: usize = 8;

const HTML_NS: &str = "http://www.w3.org/1999/xhtml";

/// Extracts the visible text blocks, links and images of an HTML page.
pub fn extract(html: &str, base: &Url) -> Document {
    let html = nesting::limit_nesting(html);
    extract_parsed(&Html::parse_document(&html), base)
}

/// [`extract`] on an already parsed document.
pub fn extract_parsed(html: &Html, base: &Url) -> Document {
    let root = html.root_element();

    let mut doc = Document {
        lang: attr(root.value(), "lang")
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned),
        ..Document::default()
    };
    let head = head::read_head(root, base);
    if let Some(title) = head.title {
        doc.blocks.push(Block {
            kind: BlockKind::Title,
            text: title.clone(),
            region: region::head(),
        });
        doc.title = Some(title);
    }
    doc.blocks
        .extend(head.descriptions.into_iter().map(|text| Block {
            kind: BlockKind::MetaDescription,
            text,
            region: region::head(),
        }));

    walker::walk(root, head.base, &mut doc);
    doc
}

/// The value of an element's attribute `name` (no namespace), as [`Element::attr`] gives it.
/// That method makes `name` an atom first, which hashes it, and the walk asks every element
/// for several attributes; a look through its few attributes costs less.
fn attr<'a>(element: &'a Element, name: &str) -> Option<&'a str> {
    element
        .attrs
        .iter()
        .find(|(qual, _)| qual.prefix.is_none() && qual.ns.is_empty() && &*qual.local == name)
        .map(|(_, value)| &**value)
}

/// `href` resolved against `base`, if the result is an http(s) URL.
fn resolve(base: &Url, href: &str) -> Option<Url> {
    base.join(href)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
}

#[cfg(test)]
mod tests;
