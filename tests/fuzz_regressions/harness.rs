//! The bodies of the fuzz targets, shared by `fuzz/fuzz_targets/*.rs` (through `#[path]`) and by
//! `tests/it/fuzz_regressions.rs`, which replays every saved input under `tests/fuzz_regressions/`
//! without cargo-fuzz. Each function takes the raw fuzzer input and panics when an invariant
//! breaks.

use std::borrow::Cow;
use std::sync::{LazyLock, OnceLock};
use std::time::Duration;

use claimwatch::claims::normalize::{is_cjk, normalize, sentences};
use claimwatch::claims::{Category, Matcher};
use claimwatch::crawl::canonical::canonical_str;
use claimwatch::crawl::robots::Robots;
use claimwatch::crawl::sitemap;
use claimwatch::extract::nesting::{MAX_NESTING, limit_nesting};
use claimwatch::extract::{
    Block, BlockKind, Document, Image, Link, MAX_BLOCKS, MAX_IMAGES, MAX_LINKS,
    collapse_whitespace, extract_parsed,
};
use claimwatch::fetch::charset::{self, EncodingSource};
use scraper::Html;
use url::Url;

static BASE: LazyLock<Url> =
    LazyLock::new(|| Url::parse("https://example.com/a/b").expect("a valid literal URL"));

/// An `extract` input starting with this is a unit repeated until the page is
/// [`AMPLIFIED_BYTES`] long: small inputs then reach the nesting depths that
/// [`limit_nesting`] exists to stop, which the fuzzer's few-KiB inputs never could.
pub const AMPLIFY: &[u8] = b"\0R";
/// How long an amplified page gets.
pub const AMPLIFIED_BYTES: usize = 48 * 1024;
/// The deepest tree a page may parse to once [`limit_nesting`] has run. Each counted element
/// may bring a few uncounted ones (`<table>` brings `tbody`, `tr`, `td`; `<ul>` an `li`), so
/// the bound is a small multiple of the limit.
pub const MAX_TREE_DEPTH: usize = 5 * MAX_NESTING + 16;

/// Target `extract`: lossy UTF-8 → [`limit_nesting`] and `claimwatch::extract::extract`. An
/// amplified input is parsed here instead (as `extract` does: limit, parse, [`extract_parsed`])
/// so that the depth of the tree it parses to can be checked against [`MAX_TREE_DEPTH`].
pub fn extract(data: &[u8]) {
    let html: Cow<'_, str> = match data.strip_prefix(AMPLIFY) {
        Some(unit) if !unit.is_empty() => {
            let unit = String::from_utf8_lossy(unit);
            Cow::Owned(unit.repeat(AMPLIFIED_BYTES.div_ceil(unit.len())))
        }
        _ => String::from_utf8_lossy(data),
    };

    let limited = limit_nesting(&html);
    assert!(limited.len() <= html.len(), "limit_nesting grew the page");
    if let Cow::Borrowed(b) = &limited {
        assert!(std::ptr::eq(*b, &*html), "a borrowed result is the input");
    }
    if !data.starts_with(AMPLIFY) {
        // The public entry point as the crawler calls it.
        check_document(&claimwatch::extract::extract(&html, &BASE));
        return;
    }
    // An amplified page is parsed here, as `extract` would, to check the depth it parses to.
    let parsed = Html::parse_document(&limited);
    let depth = tree_depth(&parsed);
    assert!(
        depth <= MAX_TREE_DEPTH,
        "limit_nesting let through a tree {depth} deep (bound {MAX_TREE_DEPTH})"
    );
    check_document(&extract_parsed(&parsed, &BASE));
}

/// The depth of the deepest node, counted without recursion.
fn tree_depth(html: &Html) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(html.tree.root(), 0usize)];
    while let Some((node, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        stack.extend(node.children().map(|child| (child, depth + 1)));
    }
    deepest
}

fn check_document(doc: &Document) {
    assert!(doc.blocks.len() <= MAX_BLOCKS);
    assert!(doc.links.len() <= MAX_LINKS);
    assert!(doc.images.len() <= MAX_IMAGES);
    for block in &doc.blocks {
        assert!(!block.text.is_empty(), "empty block {block:?}");
        assert_eq!(
            collapse_whitespace(&block.text),
            block.text,
            "block text is not collapsed"
        );
    }
    match &doc.title {
        Some(title) => assert_eq!(
            doc.blocks.first().map(|b| (b.kind, b.text.as_str())),
            Some((BlockKind::Title, title.as_str()))
        ),
        None => assert!(doc.blocks.iter().all(|b| b.kind != BlockKind::Title)),
    }
    let mut seen = std::collections::HashSet::new();
    for link in &doc.links {
        let url = Url::parse(&link.url).expect("links are absolute URLs");
        assert!(matches!(url.scheme(), "http" | "https"), "{}", link.url);
        assert_eq!(collapse_whitespace(&link.text), link.text);
        assert!(seen.insert((&link.url, &link.text)), "duplicate link");
    }
    for image in &doc.images {
        let url = Url::parse(&image.src).expect("image sources are absolute URLs");
        assert!(matches!(url.scheme(), "http" | "https"), "{}", image.src);
    }
}

/// Target `charset`: `[ct_len, host_len, content-type…, host…, body…]` →
/// `charset::decode(body, Some(ct), Some(host))`.
pub fn charset(data: &[u8]) {
    let (ct, host, body) = split_charset_input(data);
    let decoded = charset::decode(body, Some(&ct), Some(&host));
    assert!(!decoded.encoding.is_empty());
    match decoded.source {
        EncodingSource::Bom => assert!(
            [&b"\xEF\xBB\xBF"[..], b"\xFF\xFE", b"\xFE\xFF"]
                .iter()
                .any(|bom| body.starts_with(bom)),
            "a BOM source without a BOM"
        ),
        // Valid UTF-8 decoded as UTF-8 is the bytes themselves.
        _ if decoded.encoding == "UTF-8" && !decoded.had_errors => {
            assert_eq!(
                decoded.text.as_bytes(),
                body,
                "UTF-8 decoding changed the text"
            )
        }
        _ => {}
    }
    // The other public pieces on the same strings.
    let _ = charset::header_charset(&ct);
    let _ = charset::meta_charset(body);
    if let Some(tld) = charset::tld_hint(&host) {
        assert!(
            tld.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{tld:?} would make chardetng panic"
        );
    }
    // The host as a URL would give it: the crawler passes `Url::host_str`.
    if let Ok(url) = Url::parse(&format!("http://{host}/"))
        && let Some(h) = url.host_str()
    {
        let _ = charset::decode(body, Some(&ct), Some(h));
    }
    let _ = charset::decode(body, None, Some(&host));
}

/// `[ct_len, host_len, content-type…, host…, body…]`, each length one byte.
pub fn split_charset_input(data: &[u8]) -> (String, String, &[u8]) {
    let take = |data: &mut &[u8], n: usize| {
        let n = n.min(data.len());
        let (head, tail) = data.split_at(n);
        *data = tail;
        head.to_vec()
    };
    let mut rest = data;
    let lens = take(&mut rest, 2);
    let ct_len = lens.first().copied().unwrap_or(0) as usize;
    let host_len = lens.get(1).copied().unwrap_or(0) as usize;
    let ct = String::from_utf8_lossy(&take(&mut rest, ct_len)).into_owned();
    let host = String::from_utf8_lossy(&take(&mut rest, host_len)).into_owned();
    (ct, host, rest)
}

/// Target `robots`: the input up to the first NUL is a robots.txt, and each NUL-separated
/// piece after it a path (appended to https://example.com) to ask about; the whole input is
/// also read as a sitemap, and every piece canonicalised.
pub fn robots(data: &[u8]) {
    let mut pieces = data.split(|&b| b == 0);
    let txt = pieces.next().unwrap_or_default();
    let paths: Vec<String> = pieces
        .take(8)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();

    let robots = Robots::from_response(200, txt);
    if let [pattern, path, ..] = paths.as_slice() {
        check_pattern(pattern, path);
    }
    for path in paths
        .iter()
        .map(String::as_str)
        .chain(["/", "/a/b?c=d", ""])
    {
        let _ = robots.allowed(&format!("https://example.com{path}"));
        let _ = robots.allowed(path);
    }
    let max = Duration::from_secs(30);
    if let Some(delay) = robots.crawl_delay(max) {
        assert!(delay <= max, "crawl delay {delay:?} over the cap");
    }
    let _ = robots.sitemaps();

    let text = String::from_utf8_lossy(data);
    let map = sitemap::parse(&text);
    assert!(map.pages.len() <= sitemap::MAX_SITEMAP_URLS);
    assert!(map.sitemaps.len() <= sitemap::MAX_SITEMAP_URLS);
    assert!(map.pages.iter().chain(&map.sitemaps).all(|u| !u.is_empty()));

    let mut urls: Vec<String> = paths.clone();
    urls.extend(paths.iter().map(|p| format!("https://example.com{p}")));
    urls.extend(text.lines().take(8).map(str::to_owned));
    urls.extend(map.pages.iter().chain(&map.sitemaps).take(8).cloned());
    for raw in &urls {
        check_canonical(raw);
    }
}

/// The first two pieces as a Disallow pattern and a path: where both are plain printable ASCII
/// (so no escaping changes them), the crawler's matcher must agree with [`reference_match`].
fn check_pattern(pattern: &str, path: &str) {
    let plain = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'#' && b != b'%')
    };
    if pattern.is_empty() || !plain(pattern) || !plain(path) || !path.starts_with('/') {
        return;
    }
    if path == "/robots.txt" || pattern.len() * path.len() > 1 << 20 {
        return;
    }
    let robots = Robots::from_response(
        200,
        format!("User-agent: *\nDisallow: {pattern}\n").as_bytes(),
    );
    assert_eq!(
        robots.allowed(path),
        !reference_match(pattern.as_bytes(), path.as_bytes()),
        "Disallow: {pattern:?} on {path:?}"
    );
}

/// RFC 9309 matching by dynamic programming, the slow obvious way: `*` matches any run, a final
/// `$` ends the path, and otherwise the pattern need only match a prefix.
fn reference_match(pattern: &[u8], path: &[u8]) -> bool {
    let (pattern, anchored) = match pattern.split_last() {
        Some((b'$', rest)) => (rest, true),
        _ => (pattern, false),
    };
    // reach[j]: the pattern so far can match exactly path[..j].
    let mut reach = vec![false; path.len() + 1];
    reach[0] = true;
    for &p in pattern {
        let mut next = vec![false; path.len() + 1];
        if p == b'*' {
            let mut any = false;
            for j in 0..=path.len() {
                any |= reach[j];
                next[j] = any;
            }
        } else {
            for j in 0..path.len() {
                next[j + 1] = reach[j] && path[j] == p;
            }
        }
        reach = next;
    }
    if anchored {
        reach[path.len()]
    } else {
        reach.iter().any(|&r| r)
    }
}

fn check_canonical(raw: &str) {
    let Some(url) = canonical_str(raw) else {
        return;
    };
    assert!(matches!(url.scheme(), "http" | "https"), "{url}");
    assert!(url.host_str().is_some(), "{url}");
    assert!(url.fragment().is_none(), "{url}");
    // The frontier dedups on canonical URLs, which it also stores and reloads as strings.
    assert_eq!(
        canonical_str(url.as_str()).as_ref(),
        Some(&url),
        "canonicalisation is not idempotent for {raw:?}"
    );
}

fn matcher() -> &'static Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(|| Matcher::new(&[], &[], &[]).expect("built-in packs compile"))
}

/// Target `claims`: each input line becomes a block (its first character picks the kind), an
/// image (`img:SRC|ALT`), a link (`a:URL|TEXT`) or the page language (`lang:TAG`); the
/// matcher runs on the document and normalisation and sentence splitting on every line.
pub fn claims(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut doc = Document::default();
    for line in text.split('\n') {
        if let Some(lang) = line.strip_prefix("lang:") {
            doc.lang = Some(lang.to_owned());
        } else if let Some(rest) = line.strip_prefix("img:") {
            let (src, alt) = rest.split_once('|').unwrap_or((rest, ""));
            doc.images.push(Image {
                src: absolute(src),
                alt: alt.to_owned(),
            });
        } else if let Some(rest) = line.strip_prefix("a:") {
            let (url, text) = rest.split_once('|').unwrap_or((rest, ""));
            doc.links.push(Link {
                url: absolute(url),
                text: text.to_owned(),
            });
        } else {
            let mut chars = line.chars();
            let kind = match chars.next() {
                Some('!') => BlockKind::Title,
                Some('#') => BlockKind::Heading,
                Some('*') => BlockKind::ListItem,
                Some('|') => BlockKind::TableCell,
                Some('~') => BlockKind::MetaDescription,
                Some('@') => BlockKind::Alt,
                Some('^') => BlockKind::TitleAttr,
                _ => {
                    chars = line.chars();
                    BlockKind::Text
                }
            };
            doc.blocks.push(Block::new(kind, chars.as_str()));
        }
    }

    let claims = matcher().claims(&doc);
    let mut keys = std::collections::HashSet::new();
    for claim in &claims {
        assert!(!claim.terms.is_empty(), "{claim:?}");
        assert_eq!(
            claim.normalized,
            normalize(&claim.text),
            "a claim's normalized text is not its text normalised: {claim:?}"
        );
        assert!(keys.insert(claim.key()), "claim key twice: {claim:?}");
        assert_eq!(
            claim.manufacturer.is_some(),
            claim.category == Category::Partner
        );
    }

    for line in text.split('\n') {
        check_normalize(line);
        check_sentences(line);
    }
    check_normalize(&text);
    check_sentences(&text);
}

fn check_normalize(text: &str) {
    let once = normalize(text);
    assert_eq!(once.trim(), once, "normalize leaves edge spaces");
    assert!(!once.contains("  "), "normalize leaves a double space");
    // A second pass drops only the spaces next to CJK characters that punctuation left (they
    // are now plain whitespace, which is cosmetic next to CJK): normalised text is otherwise a
    // fixed point, so a stored claim's key never changes when it is normalised again.
    assert_eq!(
        normalize(&once),
        without_cjk_spaces(&once),
        "normalize is not idempotent on {text:?}"
    );
}

/// `text` without the spaces that touch a CJK character.
fn without_cjk_spaces(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let cjk = |c: Option<&char>| c.is_some_and(|&c| is_cjk(c));
    chars
        .iter()
        .enumerate()
        .filter(|&(i, &c)| {
            c != ' ' || !(cjk(i.checked_sub(1).and_then(|j| chars.get(j))) || cjk(chars.get(i + 1)))
        })
        .map(|(_, &c)| c)
        .collect()
}

fn check_sentences(text: &str) {
    let range = text.as_bytes().as_ptr_range();
    let mut after = range.start;
    for sentence in sentences(text) {
        assert!(!sentence.is_empty());
        assert_eq!(sentence.trim(), sentence, "untrimmed sentence");
        let span = sentence.as_bytes().as_ptr_range();
        assert!(
            span.start >= after && span.end <= range.end,
            "sentence {sentence:?} is not a later substring of the input"
        );
        after = span.end;
    }
    // Sentences cover every non-whitespace character of the text.
    let joined: String = sentences(text).concat();
    let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    assert_eq!(strip(&joined), strip(text), "sentences lost text");
}

/// A fuzzer's URL made absolute against https://example.com/ when it is not already.
fn absolute(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(url) => url.into(),
        Err(_) => BASE
            .join(raw)
            .map(String::from)
            .unwrap_or_else(|_| raw.to_owned()),
    }
}
