//! Where on its page a block stood: the containers around it, and whether they are navigation,
//! a header, a footer or a sidebar. Detection uses it to tell a page's main content from the
//! template and the rotating boxes a site repeats on every page.

use std::borrow::Cow;

use scraper::node::Element;

use super::{Region, attr};

/// Elements whose content is navigation, banners, footers or asides on every site that uses
/// them.
const BOILERPLATE_ELEMENTS: &[&str] = &["nav", "header", "footer", "aside", "menu"];

/// ARIA landmark roles of the same kind.
const BOILERPLATE_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "menu",
    "menubar",
    "search",
];

/// Words of an id or class that name navigation, headers, footers and sidebars; a word matches
/// when it starts with one of these ("navbar", "footer-links", "sidebar2").
const BOILERPLATE_PREFIXES: &[&str] = &[
    "nav",
    "menu",
    "header",
    "footer",
    "sidebar",
    "breadcrumb",
    "copyright",
    "widget",
];

/// Words that match only whole: "side" is a sidebar, "sidenote" need not be.
const BOILERPLATE_WORDS: &[&str] = &[
    "side", "aside", "banner", "topbar", "toolbar", "related", "social", "share", "cookie",
    "cookies",
];

/// The region inside `element`, whose parent's inside is `parent`. `index` is the element's
/// position among its parent's element children, which tells the columns of a layout table
/// apart.
pub(super) fn inside(parent: Region, element: &Element, index: usize) -> Region {
    let mut hash = mix(parent.section ^ 0x7365_6374, fnv(element.name()));
    if let Some(id) = element.id() {
        hash = mix(hash, fnv(&without_digits(id)) ^ 1);
    }
    let classes = classes(element);
    let mut shapes: Vec<Cow<'_, str>> = classes.iter().map(|c| without_digits(c)).collect();
    shapes.sort_unstable();
    for shape in &shapes {
        hash = mix(hash, fnv(shape) ^ 2);
    }
    if matches!(element.name(), "td" | "th") {
        hash = mix(hash, index as u64 ^ 3);
    }
    Region {
        section: hash.max(1),
        boilerplate: parent.boilerplate || is_boilerplate(element, &classes),
    }
}

/// The element's classes, sorted and without repeats, as [`Element::classes`] lists them.
/// That method makes each class an atom, which locks and hashes into a table shared by the
/// whole process and grows it with every class of every page crawled.
fn classes(element: &Element) -> Vec<&str> {
    let mut classes: Vec<&str> = element
        .attrs
        .iter()
        .filter(|(name, _)| &*name.local == "class")
        .flat_map(|(_, value)| value.split_ascii_whitespace())
        .collect();
    classes.sort_unstable();
    classes.dedup();
    classes
}

/// The region of the document's head: its title and meta descriptions.
pub(super) fn head() -> Region {
    Region {
        section: fnv("head").max(1),
        boilerplate: false,
    }
}

/// The region of the body before any container.
pub(super) fn body() -> Region {
    Region {
        section: fnv("body").max(1),
        boilerplate: false,
    }
}

fn is_boilerplate(element: &Element, classes: &[&str]) -> bool {
    if BOILERPLATE_ELEMENTS.contains(&element.name()) {
        return true;
    }
    if attr(element, "role")
        .is_some_and(|role| BOILERPLATE_ROLES.contains(&role.trim().to_ascii_lowercase().as_str()))
    {
        return true;
    }
    element
        .id()
        .into_iter()
        .chain(classes.iter().copied())
        .any(|name| {
            name.split(|c: char| !c.is_ascii_alphanumeric())
                .any(|word| {
                    BOILERPLATE_WORDS
                        .iter()
                        .any(|w| word.eq_ignore_ascii_case(w))
                        || BOILERPLATE_PREFIXES.iter().any(|p| {
                            word.get(..p.len())
                                .is_some_and(|start| start.eq_ignore_ascii_case(p))
                        })
                })
        })
}

/// Page-specific numbers in ids and classes ("post-1234", "item3") leave the template's shape
/// the same from page to page.
fn without_digits(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_digit()) {
        Cow::Owned(name.chars().filter(|c| !c.is_ascii_digit()).collect())
    } else {
        Cow::Borrowed(name)
    }
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// splitmix64's finaliser over two values: sections must not collide by accident.
fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.rotate_left(23) ^ 0x9e37_79b9_7f4a_7c15;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
