//! Extraction of pages: block kinds, what is hidden, links, the head, whitespace and caps.

use scraper::{Html, Node};

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

fn region_of(d: &Document, text: &str) -> Region {
    d.blocks
        .iter()
        .find(|b| b.text == text)
        .map(|b| b.region)
        .unwrap_or_else(|| panic!("no block {text:?} in {:#?}", d.blocks))
}

#[test]
fn navigation_headers_footers_and_sidebars_are_boilerplate() {
    let d = doc("<body>\
        <nav><a href=\"/\">Home</a></nav>\
        <div role=\"banner\"><p>Banner</p></div>\
        <div class=\"content\"><p>Main text</p></div>\
        <aside><p>Aside</p></aside>\
        <div id=\"left-sidebar\"><ul><li>Sidebar item</li></ul></div>\
        <div class=\"side\"><p>Side box</p></div>\
        <div class=\"sidenote\"><p>A sidenote</p></div>\
        <footer><p>Footer</p></footer></body>");
    for text in [
        "Home",
        "Banner",
        "Aside",
        "Sidebar item",
        "Side box",
        "Footer",
    ] {
        assert!(region_of(&d, text).boilerplate, "{text}");
    }
    for text in ["Main text", "A sidenote"] {
        assert!(!region_of(&d, text).boilerplate, "{text}");
    }
}

#[test]
fn sections_follow_the_containers_around_a_block() {
    let d = doc("<body>\
        <div class=\"content\"><h1>Title</h1><p>One</p><p>Two</p></div>\
        <div class=\"box\"><h3>Featured</h3><p>Line</p></div>\
        <div class=\"post-123\"><p>Post</p></div>\
        <table><tr><td>Main column</td><td>Side column</td></tr></table></body>");
    let section = |text| region_of(&d, text).section;
    assert_ne!(section("One"), 0, "known places are never 0");
    assert_eq!(section("One"), section("Two"));
    assert_eq!(
        section("Title"),
        section("One"),
        "a heading is in its container's section"
    );
    assert_ne!(section("One"), section("Line"));
    assert_ne!(
        section("Main column"),
        section("Side column"),
        "layout columns differ"
    );
    let other = doc("<body><div class=\"post-456\"><p>Other post</p></div></body>");
    assert_eq!(
        section("Post"),
        other
            .blocks
            .iter()
            .find(|b| b.text == "Other post")
            .map_or(0, |b| b.region.section),
        "page numbers in class names leave the section the same"
    );
}
