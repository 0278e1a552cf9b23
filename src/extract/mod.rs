//! HTML → [`Document`]: the visible text of a page as blocks, and its links.
//!
//! Sync CPU work: the crawler calls [`extract`] on a blocking thread, never on async workers.

pub mod nesting;

use std::collections::HashSet;

use scraper::node::Element;
use scraper::{ElementRef, Html, Node};
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

/// Subtrees that never render as text. `head` is read separately for the title and metas;
/// `title` can also appear in the body of a malformed page; media and canvas hold fallback
/// content that browsers don't show.
const SKIPPED: &[&str] = &[
    "head", "title", "script", "style", "noscript", "template", "svg", "math", "iframe", "object",
    "embed", "canvas", "audio", "video", "noembed", "noframes", "datalist",
];

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
        lang: root
            .attr("lang")
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned),
        ..Document::default()
    };
    let head = read_head(root, base);
    if let Some(title) = head.title {
        doc.blocks.push(Block {
            kind: BlockKind::Title,
            text: title.clone(),
        });
        doc.title = Some(title);
    }
    doc.blocks
        .extend(head.descriptions.into_iter().map(|text| Block {
            kind: BlockKind::MetaDescription,
            text,
        }));

    let mut walker = Walker::new(head.base, doc.blocks);
    // An explicit stack: hostile pages nest elements deeply enough to overflow a recursive walk.
    let mut stack = vec![Step::Enter(*root)];
    while let Some(step) = stack.pop() {
        match step {
            Step::Exit(opened) => walker.exit(opened),
            Step::Enter(node) => match node.value() {
                Node::Text(text) => walker.text(text),
                Node::Element(_) => {
                    let Some(element) = ElementRef::wrap(node) else {
                        continue;
                    };
                    if let Some(opened) = walker.enter(element) {
                        stack.push(Step::Exit(opened));
                        stack.extend(node.children().rev().map(Step::Enter));
                    }
                }
                _ => {}
            },
        }
    }
    walker.flush();

    doc.blocks = walker.blocks;
    doc.links = walker.links;
    doc.images = walker.images;
    doc
}

/// Collapses every run of Unicode whitespace (NBSP and U+3000 included) to one ASCII space,
/// trims, and drops invisible format characters (zero-width space, BOM, soft hyphen, word
/// joiner) that would otherwise split words a reader sees whole.
pub fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
        } else if !matches!(c, '\u{200B}' | '\u{FEFF}' | '\u{00AD}' | '\u{2060}') {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

struct Head {
    title: Option<String>,
    descriptions: Vec<String>,
    base: Url,
}

/// Title, meta descriptions and the effective base URL. These are read from anywhere in the
/// document: malformed pages put them in the body, and html5ever keeps them where they are.
fn read_head(root: ElementRef<'_>, page: &Url) -> Head {
    let mut head = Head {
        title: None,
        descriptions: Vec::new(),
        base: page.clone(),
    };
    let mut base_seen = false;
    for element in root.descendent_elements() {
        let e = element.value();
        if &*e.name.ns != HTML_NS {
            continue;
        }
        match e.name() {
            "title" if head.title.is_none() => {
                let text = collapse_whitespace(&element.text().collect::<String>());
                if !text.is_empty() {
                    head.title = Some(text);
                }
            }
            "meta" => {
                let is_description = e
                    .attr("name")
                    .is_some_and(|n| n.trim().eq_ignore_ascii_case("description"))
                    || e.attr("property")
                        .is_some_and(|p| p.trim().eq_ignore_ascii_case("og:description"));
                let room = head.descriptions.len() < MAX_DESCRIPTIONS;
                if let Some(content) = e.attr("content").filter(|_| is_description && room) {
                    let text = collapse_whitespace(content);
                    if !text.is_empty() && !head.descriptions.contains(&text) {
                        head.descriptions.push(text);
                    }
                }
            }
            // Only the first <base href> counts, even when it is unusable.
            "base" if !base_seen => {
                if let Some(href) = e.attr("href") {
                    base_seen = true;
                    if let Some(url) = resolve(page, href) {
                        head.base = url;
                    }
                }
            }
            _ => {}
        }
    }
    head
}

/// `href` resolved against `base`, if the result is an http(s) URL.
fn resolve(base: &Url, href: &str) -> Option<Url> {
    base.join(href)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
}

enum Step<N> {
    Enter(N),
    Exit(Opened),
}

/// What entering an element started, to be undone when leaving it.
#[derive(Clone, Copy, Default)]
struct Opened {
    hidden: bool,
    block: bool,
    anchor: bool,
}

/// How an element takes part in block layout.
enum Layout {
    Inline,
    /// A block that keeps the enclosing block's kind (`div` inside `li` is still list text).
    Block,
    /// A block of its own kind.
    Kind(BlockKind),
}

fn layout(name: &str) -> Layout {
    match name {
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Layout::Kind(BlockKind::Heading),
        "li" | "dt" | "dd" => Layout::Kind(BlockKind::ListItem),
        "td" | "th" | "caption" => Layout::Kind(BlockKind::TableCell),
        "p" => Layout::Kind(BlockKind::Text),
        "address" | "article" | "aside" | "blockquote" | "body" | "center" | "colgroup"
        | "details" | "dialog" | "dir" | "div" | "dl" | "fieldset" | "figcaption" | "figure"
        | "footer" | "form" | "frameset" | "header" | "hgroup" | "hr" | "html" | "legend"
        | "listing" | "main" | "menu" | "nav" | "ol" | "optgroup" | "option" | "plaintext"
        | "pre" | "search" | "section" | "summary" | "table" | "tbody" | "tfoot" | "thead"
        | "tr" | "ul" | "xmp" => Layout::Block,
        _ => Layout::Inline,
    }
}

/// Hidden from readers, though links inside are still followed.
fn is_hidden(e: &Element) -> bool {
    // `until-found` content is revealed by find-in-page, like a closed <details>.
    if e.attr("hidden")
        .is_some_and(|v| !v.trim().eq_ignore_ascii_case("until-found"))
    {
        return true;
    }
    if let Some(style) = e.attr("style") {
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect();
        if style.contains("display:none") || style.contains("visibility:hidden") {
            return true;
        }
    }
    match e.name() {
        "input" => e
            .attr("type")
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("hidden")),
        "dialog" => e.attr("open").is_none(),
        _ => false,
    }
}

/// An `<a href>` or `<area href>` whose text is being collected.
struct Anchor {
    url: Option<String>,
    text: String,
    alt: String,
    /// The walker's hidden depth inside the anchor: only text at this depth is the anchor's
    /// visible text, even when the anchor itself sits in a hidden subtree.
    hidden: usize,
}

struct Walker {
    base: Url,
    blocks: Vec<Block>,
    /// Alt and title-attribute blocks met inside a text run, emitted after that run's block so
    /// that a block comes before what was found in the middle of it.
    pending: Vec<Block>,
    kinds: Vec<BlockKind>,
    buf: String,
    hidden: usize,
    anchors: Vec<Anchor>,
    links: Vec<Link>,
    seen_links: HashSet<(String, String)>,
    images: Vec<Image>,
}

impl Walker {
    fn new(base: Url, blocks: Vec<Block>) -> Self {
        Walker {
            base,
            blocks,
            pending: Vec::new(),
            kinds: Vec::new(),
            buf: String::new(),
            hidden: 0,
            anchors: Vec::new(),
            links: Vec::new(),
            seen_links: HashSet::new(),
            images: Vec::new(),
        }
    }

    fn kind(&self) -> BlockKind {
        self.kinds.last().copied().unwrap_or(BlockKind::Text)
    }

    /// The innermost anchor, if the current node belongs to its visible text.
    fn anchor(&mut self) -> Option<&mut Anchor> {
        let hidden = self.hidden;
        self.anchors.last_mut().filter(|a| a.hidden == hidden)
    }

    /// Returns what the element opened, or None when its subtree is to be skipped.
    fn enter(&mut self, element: ElementRef<'_>) -> Option<Opened> {
        let e = element.value();
        let name = e.name();
        if &*e.name.ns != HTML_NS || SKIPPED.contains(&name) {
            return None;
        }
        let mut opened = Opened::default();
        if is_hidden(e) {
            self.hidden += 1;
            opened.hidden = true;
        }
        let visible = self.hidden == 0;

        if visible {
            match layout(name) {
                Layout::Inline => {}
                Layout::Block => {
                    self.boundary();
                    self.kinds.push(self.kind());
                    opened.block = true;
                }
                Layout::Kind(kind) => {
                    self.boundary();
                    self.kinds.push(kind);
                    opened.block = true;
                }
            }
        }

        match name {
            "br" => {
                if visible {
                    self.buf.push(' ');
                }
                if let Some(anchor) = self.anchor() {
                    anchor.text.push(' ');
                }
            }
            "img" => {
                let alt = e.attr("alt").unwrap_or_default();
                if let Some(anchor) = self.anchor() {
                    anchor.alt.push_str(alt);
                    anchor.alt.push(' ');
                }
                if visible {
                    self.side_block(BlockKind::Alt, alt);
                    if let Some(src) = e.attr("src").and_then(|s| resolve(&self.base, s))
                        && self.images.len() < MAX_IMAGES
                    {
                        self.images.push(Image {
                            src: src.into(),
                            alt: collapse_whitespace(alt),
                        });
                    }
                }
            }
            _ => {}
        }

        if visible && let Some(title) = e.attr("title") {
            self.side_block(BlockKind::TitleAttr, title);
        }

        if matches!(name, "a" | "area")
            && let Some(href) = e.attr("href")
        {
            self.anchors.push(Anchor {
                url: resolve(&self.base, href).map(String::from),
                text: String::new(),
                alt: if name == "area" {
                    e.attr("alt").unwrap_or_default().to_owned()
                } else {
                    String::new()
                },
                hidden: self.hidden,
            });
            opened.anchor = true;
        }
        Some(opened)
    }

    fn exit(&mut self, opened: Opened) {
        if opened.anchor
            && let Some(anchor) = self.anchors.pop()
        {
            self.finish_link(anchor);
        }
        if opened.block {
            self.boundary();
            self.kinds.pop();
        }
        if opened.hidden {
            self.hidden -= 1;
        }
    }

    fn text(&mut self, text: &str) {
        if self.hidden == 0 {
            self.buf.push_str(text);
        }
        if let Some(anchor) = self.anchor() {
            anchor.text.push_str(text);
        }
    }

    /// A block element starts or ends: the current run becomes a block.
    fn boundary(&mut self) {
        self.flush();
        if let Some(anchor) = self.anchor() {
            anchor.text.push(' ');
        }
    }

    fn flush(&mut self) {
        let text = collapse_whitespace(&self.buf);
        self.buf.clear();
        if !text.is_empty() {
            let kind = self.kind();
            self.push_block(Block { kind, text });
        }
        let pending = std::mem::take(&mut self.pending);
        for block in pending {
            self.push_block(block);
        }
    }

    fn push_block(&mut self, block: Block) {
        if self.blocks.len() < MAX_BLOCKS {
            self.blocks.push(block);
        }
    }

    /// An alt or title-attribute block: emitted now, or after the text run it interrupts.
    fn side_block(&mut self, kind: BlockKind, raw: &str) {
        let text = collapse_whitespace(raw);
        if text.is_empty() {
            return;
        }
        let block = Block { kind, text };
        // `<a title="X"><img title="X"></a>` is one tooltip to a reader.
        let previous = self.pending.last().or(self.blocks.last());
        if kind == BlockKind::TitleAttr && previous == Some(&block) {
            return;
        }
        if self.buf.chars().all(char::is_whitespace) {
            self.push_block(block);
        } else if self.blocks.len() + self.pending.len() < MAX_BLOCKS {
            self.pending.push(block);
        }
    }

    fn finish_link(&mut self, anchor: Anchor) {
        let Some(url) = anchor.url else { return };
        if self.links.len() >= MAX_LINKS {
            return;
        }
        let mut text = collapse_whitespace(&anchor.text);
        if text.is_empty() {
            text = collapse_whitespace(&anchor.alt);
        }
        let key = (url, text);
        if !self.seen_links.contains(&key) {
            self.seen_links.insert(key.clone());
            let (url, text) = key;
            self.links.push(Link { url, text });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_url() -> Url {
        Url::parse("https://example.com/products/index.html").expect("a valid literal URL")
    }

    fn doc(html: &str) -> Document {
        extract(html, &page_url())
    }

    fn blocks(d: &Document) -> Vec<(BlockKind, &str)> {
        d.blocks.iter().map(|b| (b.kind, b.text.as_str())).collect()
    }

    fn texts(d: &Document) -> Vec<&str> {
        d.blocks.iter().map(|b| b.text.as_str()).collect()
    }

    fn links(d: &Document) -> Vec<(&str, &str)> {
        d.links
            .iter()
            .map(|l| (l.url.as_str(), l.text.as_str()))
            .collect()
    }

    use BlockKind::*;

    #[test]
    fn block_kinds() {
        let d = doc(
            "<html lang=zh-CN><head><title> Acme \n Corp </title></head><body>\
            <h1>Welcome</h1><p>We are a supplier.</p>\
            <ul><li>Radar</li><li>Sonar</li></ul>\
            <dl><dt>Term</dt><dd>Definition</dd></dl>\
            <table><caption>Prices</caption><tr><th>Item</th><td>42</td></tr></table>\
            <h3>Contact</h3></body></html>",
        );
        assert_eq!(d.title.as_deref(), Some("Acme Corp"));
        assert_eq!(d.lang.as_deref(), Some("zh-CN"));
        assert_eq!(
            blocks(&d),
            vec![
                (Title, "Acme Corp"),
                (Heading, "Welcome"),
                (Text, "We are a supplier."),
                (ListItem, "Radar"),
                (ListItem, "Sonar"),
                (ListItem, "Term"),
                (ListItem, "Definition"),
                (TableCell, "Prices"),
                (TableCell, "Item"),
                (TableCell, "42"),
                (Heading, "Contact"),
            ]
        );
    }

    #[test]
    fn invisible_content_is_skipped() {
        let d = doc(
            r#"<html><head><style>p{}</style><script>var a = "head script";</script></head>
            <body><p>visible one</p>
            <script>document.write("script text")</script>
            <style>.x { color: red }</style>
            <noscript>enable javascript</noscript>
            <template><p>template text</p></template>
            <div hidden>hidden attr</div>
            <div style="DISPLAY : None ;">display none</div>
            <div style="color:red;visibility: hidden">visibility hidden</div>
            <input type="hidden" value="x" title="hidden input">
            <svg><text>svg text</text><title>svg title</title></svg>
            <iframe>iframe text</iframe>
            <div aria-hidden="true">aria hidden is visible</div>
            <p>visible <span hidden>not </span>two</p>
            </body></html>"#,
        );
        assert_eq!(
            texts(&d),
            vec!["visible one", "aria hidden is visible", "visible two"]
        );
        assert_eq!(d.title, None);
    }

    #[test]
    fn bare_text_and_inline_elements() {
        let d = doc(
            "<body>loose text<div>top <b>military</b> <a href=/x>supplier</a> of \
            <span>parts</span><font>!</font></div>tail<br>after break</body>",
        );
        assert_eq!(
            blocks(&d),
            vec![
                (Text, "loose text"),
                (Text, "top military supplier of parts!"),
                (Text, "tail after break"),
            ]
        );
    }

    #[test]
    fn nested_blocks_split() {
        let d = doc(
            "<ul><li>before <p>inner para</p> after<div>in div</div></li></ul>\
            <td-like><table><tr><td><div>cell div</div></td></tr></table>",
        );
        assert_eq!(
            blocks(&d),
            vec![
                (ListItem, "before"),
                (Text, "inner para"),
                (ListItem, "after"),
                (ListItem, "in div"),
                (TableCell, "cell div"),
            ]
        );
    }

    #[test]
    fn meta_descriptions() {
        let d = doc(r#"<head><title>T</title>
            <meta name="Description" content=" Authorised  distributor ">
            <meta property="og:description" content="Authorised distributor">
            <meta property="og:description" content="Другое описание">
            <meta name="keywords" content="not this">
            </head><body><p>Body</p></body>"#);
        assert_eq!(
            blocks(&d),
            vec![
                (Title, "T"),
                (MetaDescription, "Authorised distributor"),
                (MetaDescription, "Другое описание"),
                (Text, "Body"),
            ]
        );
    }

    #[test]
    fn alt_and_title_attributes() {
        let d = doc(
            r#"<body><div><img src="/logo.png" alt="Acme logo">Intro text</div>
            <p>Hello <abbr title="North Atlantic Treaty Organization">NATO</abbr> partners</p>
            <a href="/a" title="Same"><img src="b.png" title="Same" alt=""></a>
            <img src="data:image/png;base64,AAAA" alt="inline">
            <img alt="no src">
            <div style="display:none"><img src="/hidden.png" alt="hidden alt"></div>
            </body>"#,
        );
        assert_eq!(
            blocks(&d),
            vec![
                (Alt, "Acme logo"),
                (Text, "Intro text"),
                (Text, "Hello NATO partners"),
                (TitleAttr, "North Atlantic Treaty Organization"),
                (TitleAttr, "Same"),
                (Alt, "inline"),
                (Alt, "no src"),
            ]
        );
        let images: Vec<(&str, &str)> = d
            .images
            .iter()
            .map(|i| (i.src.as_str(), i.alt.as_str()))
            .collect();
        assert_eq!(
            images,
            vec![
                ("https://example.com/logo.png", "Acme logo"),
                ("https://example.com/products/b.png", ""),
            ]
        );
    }

    #[test]
    fn links_resolved_and_filtered() {
        let d = doc(r#"<body>
            <a href="/about">About  us</a>
            <a href="contact.html#form">Contact</a>
            <a href="https://other.example/x">Other</a>
            <a href="javascript:void(0)">JS</a>
            <a href="mailto:a@example.com">Mail</a>
            <a href="tel:+123">Tel</a>
            <a href="data:text/html,hi">Data</a>
            <a href="ftp://example.com/f">FTP</a>
            <a href="/about">About us</a>
            <a href="/about">About again</a>
            <a href="/logo"><img src="/l.png" alt="Logo"></a>
            <a href="/card"><h2>Card</h2><p>Body</p></a>
            <a name="anchor-only">No href</a>
            <div style="display:none"><a href="/hidden">Hidden <span hidden>deeper</span></a></div>
            <script>var s = '<a href="/in-script">x</a>';</script>
            <template><a href="/in-template">t</a></template>
            <map><area href="/area" alt="Area alt"></map>
            </body>"#);
        assert_eq!(
            links(&d),
            vec![
                ("https://example.com/about", "About us"),
                ("https://example.com/products/contact.html#form", "Contact"),
                ("https://other.example/x", "Other"),
                ("https://example.com/about", "About again"),
                ("https://example.com/logo", "Logo"),
                ("https://example.com/card", "Card Body"),
                ("https://example.com/hidden", "Hidden"),
                ("https://example.com/area", "Area alt"),
            ]
        );
    }

    #[test]
    fn base_href_is_honoured() {
        let d = doc(
            r#"<head><base target="_blank"><base href="https://cdn.example.net/site/">
            <base href="https://ignored.example/"></head>
            <body><a href="page.html">P</a><a href="/root">R</a><img src="i.png"></body>"#,
        );
        assert_eq!(
            links(&d),
            vec![
                ("https://cdn.example.net/site/page.html", "P"),
                ("https://cdn.example.net/root", "R"),
            ]
        );
        assert_eq!(d.images[0].src, "https://cdn.example.net/site/i.png");

        let d = doc(r#"<base href="../other/"><a href="x">X</a>"#);
        assert_eq!(links(&d), vec![("https://example.com/other/x", "X")]);

        // An unusable base leaves links resolving against the page.
        let d = doc(r#"<base href="javascript:alert(1)"><a href="x">X</a>"#);
        assert_eq!(links(&d), vec![("https://example.com/products/x", "X")]);
    }

    #[test]
    fn chinese_russian_and_whitespace() {
        let d = doc(
            "<p>深圳市军工电子有限公司，\u{3000}军用元器件\u{00A0}\u{00A0}授权代理商</p>\
            <p>Официальный&nbsp;дистрибьютор,\n\t оборонной промышленности</p>\
            <p>mili\u{00AD}tary\u{200B}</p><p> \u{3000}\u{00A0} </p>",
        );
        assert_eq!(
            texts(&d),
            vec![
                "深圳市军工电子有限公司， 军用元器件 授权代理商",
                "Официальный дистрибьютор, оборонной промышленности",
                "military",
            ]
        );
    }

    #[test]
    fn collapse() {
        assert_eq!(collapse_whitespace("  a \u{3000}\u{00A0} b\r\n"), "a b");
        assert_eq!(collapse_whitespace(" \u{2003} "), "");
        assert_eq!(collapse_whitespace("\u{200B} a"), "a");
    }

    #[test]
    fn hidden_variants() {
        let d = doc(r#"<div hidden="until-found">found by search</div>
            <dialog>closed dialog</dialog><dialog open>open dialog</dialog>
            <p style="display: block">shown</p>
            <p title="">empty title</p>"#);
        assert_eq!(
            texts(&d),
            vec!["found by search", "open dialog", "shown", "empty title"]
        );
    }

    /// Parsing is the slow part of deep nesting (html5ever is quadratic in open-element depth:
    /// 5k deep takes seconds in a debug build), so this stays shallow; the next test covers the
    /// walk itself at a depth no recursive walk would survive.
    #[test]
    fn deeply_nested_page() {
        let depth = 5_000;
        let html = format!(
            "<body>{}deep text <a href=/deep>deep link</a>{}</body>",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let d = doc(&html);
        assert_eq!(texts(&d), vec!["deep text deep link"]);
        assert_eq!(links(&d), vec![("https://example.com/deep", "deep link")]);
    }

    #[test]
    fn walk_is_iterative() {
        let mut html = Html::parse_document("<body><div>x</div></body>");
        let div = html
            .root_element()
            .descendent_elements()
            .find(|e| e.value().name() == "div")
            .expect("the literal has a div");
        let (mut parent, div, text) = (
            div.id(),
            div.value().clone(),
            div.first_child().expect("the div has text").value().clone(),
        );
        for _ in 0..200_000 {
            let mut node = html.tree.get_mut(parent).expect("ids come from this tree");
            parent = node.append(Node::Element(div.clone())).id();
        }
        let mut node = html.tree.get_mut(parent).expect("ids come from this tree");
        node.append(text);
        let d = extract_parsed(&html, &page_url());
        assert_eq!(texts(&d), vec!["x", "x"]);
    }

    #[test]
    fn caps_hold() {
        let html = "<p>x</p><a href=/a>a</a>".repeat(MAX_LINKS + 10);
        let d = doc(&html);
        assert_eq!(d.links.len(), 1);
        // Each repetition makes two blocks: the paragraph and the link's text run.
        assert_eq!(d.blocks.len(), MAX_BLOCKS);

        let html: String = (0..MAX_BLOCKS + 5)
            .map(|i| format!("<p>{i}</p><a href=/{i}>.</a>"))
            .collect();
        let d = doc(&html);
        assert_eq!(d.blocks.len(), MAX_BLOCKS);
        assert_eq!(d.links.len(), MAX_LINKS);
    }

    #[test]
    fn meta_descriptions_are_capped() {
        let html: String = (0..20_000)
            .map(|i| format!("<meta name=description content=d{i}>"))
            .collect();
        let d = doc(&html);
        assert_eq!(d.blocks.len(), MAX_DESCRIPTIONS);
    }

    #[test]
    fn empty_and_garbage_input() {
        assert_eq!(doc(""), Document::default());
        let d = doc("<<<>>></p></li><td>\u{0}x");
        assert!(d.blocks.iter().all(|b| !b.text.is_empty()));
    }
}
