//! The walk over a page's body: visible text into blocks, links with their text, images.

use std::collections::HashSet;

use scraper::node::Element;
use scraper::{ElementRef, Node};
use url::Url;

use crate::text::collapse_whitespace;

use super::region;
use super::{
    Block, BlockKind, Document, HTML_NS, Image, Link, MAX_BLOCKS, MAX_IMAGES, MAX_LINKS, Region,
    attr, resolve,
};

/// Most earlier siblings counted to place a table cell: a row of a hostile page can hold
/// millions of cells, and layout tables have a handful.
const MAX_CELL_INDEX: usize = 64;

/// Subtrees that never render as text. `head` is read separately for the title and metas;
/// `title` can also appear in the body of a malformed page; media and canvas hold fallback
/// content that browsers don't show.
const SKIPPED: &[&str] = &[
    "head", "title", "script", "style", "noscript", "template", "svg", "math", "iframe", "object",
    "embed", "canvas", "audio", "video", "noembed", "noframes", "datalist",
];

/// Appends the visible text under `root` to `doc`'s blocks, and fills in its links and images.
pub(super) fn walk(root: ElementRef<'_>, base: Url, doc: &mut Document) {
    let mut walker = Walker::new(base, std::mem::take(&mut doc.blocks));
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
}

/// A step of the walk: entering a node, or leaving an element entered before.
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
    if attr(e, "hidden").is_some_and(|v| !v.trim().eq_ignore_ascii_case("until-found")) {
        return true;
    }
    if let Some(style) = attr(e, "style") {
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
        "input" => attr(e, "type").is_some_and(|t| t.trim().eq_ignore_ascii_case("hidden")),
        "dialog" => attr(e, "open").is_none(),
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
    /// Per open block element: the region inside it, and the region of its own text (a
    /// paragraph's or list item's text belongs to the containers around it).
    regions: Vec<(Region, Region)>,
    buf: String,
    hidden: usize,
    anchors: Vec<Anchor>,
    links: Vec<Link>,
    /// Hashed with foldhash, seeded per process (URLs and texts come from the page): SipHash
    /// over every link cost a twentieth of the walk.
    seen_links: HashSet<(String, String), foldhash::fast::RandomState>,
    images: Vec<Image>,
}

impl Walker {
    fn new(base: Url, blocks: Vec<Block>) -> Self {
        Walker {
            base,
            blocks,
            pending: Vec::new(),
            kinds: Vec::new(),
            regions: Vec::new(),
            buf: String::new(),
            hidden: 0,
            anchors: Vec::new(),
            links: Vec::new(),
            seen_links: HashSet::default(),
            images: Vec::new(),
        }
    }

    fn kind(&self) -> BlockKind {
        self.kinds.last().copied().unwrap_or(BlockKind::Text)
    }

    /// The region of text met now.
    fn region(&self) -> Region {
        self.regions.last().map_or_else(region::body, |r| r.1)
    }

    /// Opens `element`'s region; `leaf` elements (paragraphs, headings, list items, cells) give
    /// their text the region around them.
    fn open_region(&mut self, element: ElementRef<'_>, leaf: bool) {
        let outer = self.regions.last().map_or_else(region::body, |r| r.0);
        let index = if matches!(element.value().name(), "td" | "th") {
            element
                .prev_siblings()
                .filter(|n| n.value().is_element())
                .take(MAX_CELL_INDEX)
                .count()
        } else {
            0
        };
        let inside = region::inside(outer, element.value(), index);
        let text = if leaf {
            Region {
                boilerplate: inside.boilerplate,
                ..outer
            }
        } else {
            inside
        };
        self.regions.push((inside, text));
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
                    self.open_region(element, false);
                    opened.block = true;
                }
                Layout::Kind(kind) => {
                    self.boundary();
                    self.kinds.push(kind);
                    // A cell is a column of its table as much as a block: its text keeps the
                    // column, which tells a layout table's main column from its sidebar.
                    self.open_region(element, kind != BlockKind::TableCell);
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
                let alt = attr(e, "alt").unwrap_or_default();
                if let Some(anchor) = self.anchor() {
                    anchor.alt.push_str(alt);
                    anchor.alt.push(' ');
                }
                if visible {
                    self.side_block(BlockKind::Alt, alt);
                    if let Some(src) = attr(e, "src").and_then(|s| resolve(&self.base, s))
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

        if visible && let Some(title) = attr(e, "title") {
            self.side_block(BlockKind::TitleAttr, title);
        }

        if matches!(name, "a" | "area")
            && let Some(href) = attr(e, "href")
        {
            self.anchors.push(Anchor {
                url: resolve(&self.base, href).map(String::from),
                text: String::new(),
                alt: if name == "area" {
                    attr(e, "alt").unwrap_or_default().to_owned()
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
            self.regions.pop();
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
            let region = self.region();
            self.push_block(Block { kind, text, region });
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
        let block = Block {
            kind,
            text,
            region: self.region(),
        };
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
