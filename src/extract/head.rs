//! The head of a page: its title, meta descriptions and `<base href>`.

use scraper::ElementRef;
use url::Url;

use super::{HTML_NS, MAX_DESCRIPTIONS, attr, resolve};
use crate::text::collapse_whitespace;

/// What the head of a page says about it.
pub(super) struct Head {
    pub(super) title: Option<String>,
    pub(super) descriptions: Vec<String>,
    pub(super) base: Url,
}

/// Title, meta descriptions and the effective base URL. These are read from anywhere in the
/// document: malformed pages put them in the body, and html5ever keeps them where they are.
pub(super) fn read_head(root: ElementRef<'_>, page: &Url) -> Head {
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
                let is_description = attr(e, "name")
                    .is_some_and(|n| n.trim().eq_ignore_ascii_case("description"))
                    || attr(e, "property")
                        .is_some_and(|p| p.trim().eq_ignore_ascii_case("og:description"));
                let room = head.descriptions.len() < MAX_DESCRIPTIONS;
                if let Some(content) = attr(e, "content").filter(|_| is_description && room) {
                    let text = collapse_whitespace(content);
                    if !text.is_empty() && !head.descriptions.contains(&text) {
                        head.descriptions.push(text);
                    }
                }
            }
            // Only the first <base href> counts, even when it is unusable.
            "base" if !base_seen => {
                if let Some(href) = attr(e, "href") {
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
