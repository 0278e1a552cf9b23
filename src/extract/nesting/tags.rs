//! html5ever's tables of element names: which elements are void, raw text, special, scope
//! boundaries, formatting elements, and which tags close or leave what.
//!
//! The lists follow html5ever's tree builder rather than the HTML standard where the two
//! differ, since the depth being bounded is the one html5ever builds.

/// Elements that never have content.
pub(super) const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen", "basefont", "frame", "bgsound", "image",
];

/// Elements whose content is text up to their end tag (`noscript` too: html5ever parses with
/// scripting on): never scanned for tags.
pub(super) const RAW_TEXT: &[&str] = &[
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "noscript",
    "plaintext",
];

/// html5ever's "special" elements: an end tag for an element further down the stack is ignored
/// when one of these is open above it.
pub(super) const SPECIAL: &[&str] = &[
    "address",
    "applet",
    "area",
    "article",
    "aside",
    "base",
    "basefont",
    "bgsound",
    "blockquote",
    "body",
    "br",
    "button",
    "caption",
    "center",
    "col",
    "colgroup",
    "dd",
    "details",
    "dir",
    "div",
    "dl",
    "dt",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "iframe",
    "img",
    "input",
    "isindex",
    "li",
    "link",
    "listing",
    "main",
    "marquee",
    "menu",
    "meta",
    "nav",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "ol",
    "p",
    "param",
    "plaintext",
    "pre",
    "script",
    "section",
    "select",
    "source",
    "style",
    "summary",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "track",
    "ul",
    "wbr",
    "xmp",
];

/// Elements that end the default scope: an element below one of them is not "in scope".
pub(super) const SCOPE: &[&str] = &[
    "applet", "caption", "html", "table", "td", "th", "marquee", "object", "select", "template",
];

/// Elements that put a marker on the list of active formatting elements.
pub(super) const MARKERS: &[&str] = &[
    "applet", "caption", "marquee", "object", "td", "th", "template",
];

/// Formatting elements, which html5ever reopens ("reconstructs") after they were closed.
pub(super) const FORMATTING: &[&str] = &[
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];

/// Start tags that close an open `p` first.
pub(super) const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "header",
    "hgroup",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "search",
    "section",
    "summary",
    "ul",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "listing",
    "li",
    "dd",
    "dt",
    "plaintext",
    "xmp",
];

/// End tags closing their element with what is open above it, when it is in scope.
pub(super) const CLOSES_IN_SCOPE: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "button",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "header",
    "hgroup",
    "listing",
    "main",
    "menu",
    "nav",
    "ol",
    "pre",
    "search",
    "section",
    "select",
    "summary",
    "ul",
    "applet",
    "marquee",
    "object",
    "dd",
    "dt",
];

/// Start tags that leave SVG or MathML content (`font` only with some attributes).
pub(super) const BREAKOUT: &[&str] = &[
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strong",
    "strike",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
    "var",
];

pub(super) const HEADINGS: &[&str] = &["h1", "h2", "h3", "h4", "h5", "h6"];

/// What the button scope adds to the default scope's boundaries ([`SCOPE`]).
pub(super) const BUTTON_SCOPE: &[&str] = &["button"];
/// What the list-item scope adds to the default scope's boundaries.
pub(super) const LIST_SCOPE: &[&str] = &["ol", "ul"];
/// The boundaries of table scope, which replace the default ones.
pub(super) const TABLE_SCOPE: &[&str] = &["html", "table", "template"];

/// The parts of a table, whose start and end tags follow html5ever's table insertion modes.
pub(super) const TABLE_PARTS: &[&str] = &[
    "table", "tbody", "thead", "tfoot", "tr", "td", "th", "caption", "colgroup",
];

/// Elements that html5ever's implied end tags close (before an option or ruby text).
pub(super) const IMPLIED_END: &[&str] = &[
    "dd", "dt", "li", "option", "optgroup", "p", "rb", "rp", "rt", "rtc",
];

/// Whether html5ever reopens closed formatting elements before an HTML start tag: before
/// inline ones, not before blocks, table parts or what goes to the head.
pub(super) fn reconstructs(name: &str) -> bool {
    // Besides the start tags that close a `p` (all but `xmp`, which reopens them after):
    // what goes to the head, table parts and a few blocks of their own.
    const ALSO_NOT: &[&str] = &[
        "html", "head", "body", "frameset", "base", "basefont", "bgsound", "link", "meta",
        "noframes", "script", "style", "template", "title", "form", "table", "param", "source",
        "track", "hr", "textarea", "iframe", "noembed", "noscript", "rb", "rtc", "rp", "rt",
        "caption", "col", "colgroup", "frame", "tbody", "td", "tfoot", "th", "thead", "tr",
    ];
    name == "xmp" || !(CLOSES_P.contains(&name) || ALSO_NOT.contains(&name))
}

/// SVG and MathML elements inside which start tags are HTML again (`annotation-xml` only with
/// an HTML encoding, but it is taken as one always: reading SVG as HTML errs towards depth).
pub(super) fn integration_point(name: &str) -> bool {
    [
        "foreignobject",
        "desc",
        "title",
        "mi",
        "mo",
        "mn",
        "ms",
        "mtext",
        "annotation-xml",
    ]
    .iter()
    .any(|p| p.eq_ignore_ascii_case(name))
}
