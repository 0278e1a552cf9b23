//! The watch-lists of the scale bench: many small company sites, six linked pages of a few KB
//! each, every site's text its own and some saying they serve the military or distribute a
//! manufacturer's parts; each site on its own loopback address, so each has its own politeness
//! limiter as real sites do. And a large generated watch-list that is only checked, not crawled.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr};

use claimwatch::demo::server::Site;

use crate::filler::{Rng, chinese, sentence};

/// The pages of every site, all linked from every page's navigation.
const PATHS: [(&str, &str); 6] = [
    ("/", "Home"),
    ("/about.html", "About us"),
    ("/products.html", "Products"),
    ("/partners.html", "Partners"),
    ("/news.html", "News"),
    ("/contact.html", "Contact"),
];
pub const PAGES_PER_SITE: usize = PATHS.len();
const HTML: &str = "text/html; charset=utf-8";

/// Site number `index`: distinct text on every page (no two sites share a body), a claim of
/// military work on every fourth site's about page and of an authorized distributorship on
/// every fifth site's partners page.
pub fn site(index: usize) -> Site {
    let mut rng = Rng::new(0x5ca1_e000 + index as u64);
    let company = company(index);
    let nav: String = PATHS
        .iter()
        .map(|(path, label)| format!("<a href=\"{path}\">{label}</a> "))
        .collect();
    let mut site = Site::default();
    site.page(
        "/robots.txt",
        "text/plain",
        vec![Some(b"User-agent: *\nAllow: /\n".to_vec())],
    );
    for (path, label) in PATHS {
        let mut body = format!("<h1>{label}</h1>\n");
        match path {
            "/about.html" if index.is_multiple_of(4) => body.push_str(
                "<p>We supply military and aerospace customers with MIL-STD-883 screened parts.</p>\n",
            ),
            "/partners.html" if index.is_multiple_of(5) => body.push_str(
                "<p>We are an authorized distributor of Texas Instruments and Analog Devices.</p>\n",
            ),
            _ => {}
        }
        // A few KB of text: 2–5 KB a page.
        let size = 2048 + rng.below(3 * 1024);
        while body.len() < size {
            let _ = writeln!(body, "<p>{} {}</p>", sentence(&mut rng), sentence(&mut rng));
        }
        let _ = writeln!(body, "<p lang=\"zh\">{}</p>", chinese(&mut rng, 3));
        let html = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{label} | {company}</title></head>\n\
             <body>\n<nav>{nav}</nav>\n<main>\n{body}</main>\n<footer><p>© 2024 {company}</p></footer>\n</body>\n</html>\n"
        );
        site.page(path, HTML, vec![Some(html.into_bytes())]);
    }
    site
}

fn company(index: usize) -> String {
    format!("Scale Site {} Components Ltd", index + 1)
}

/// Site `index`'s own loopback address: all of 127.0.0.0/8 is loopback on Linux. Away from
/// 127.0.0.x, which the other benches and tests use, and never ending in 0 or 255.
pub fn address(index: usize) -> Ipv4Addr {
    let block = index / 250;
    Ipv4Addr::new(
        127,
        u8::try_from(20 + block / 256).expect("fewer than 14 million sites"),
        (block % 256) as u8,
        (index % 250 + 1) as u8,
    )
}

/// The `[crawl]` table both watch-lists share: 50 targets at once, a fast rate (each host is
/// one of ours on loopback).
fn crawl_table() -> String {
    "[crawl]\nconcurrency = 50\nrate = \"1000/s\"\nburst = 100\nmax_pages = 50\nmax_depth = 3\ntimeout = \"10s\"\n"
        .to_string()
}

fn target(toml: &mut String, index: usize, seed: &str) {
    let _ = write!(
        toml,
        "\n[[target]]\nid = \"site{n:06}\"\nname = \"{company}\"\nseeds = [\"{seed}\"]\ntags = [\"bench\"]\n",
        n = index + 1,
        company = company(index),
    );
}

/// The watch-list of the served sites, in order. Their literal loopback seeds let them reach
/// private addresses without `allow_private`.
pub fn targets_toml(addrs: &[SocketAddr]) -> String {
    let mut toml = crawl_table();
    for (index, addr) in addrs.iter().enumerate() {
        target(&mut toml, index, &format!("http://{addr}/"));
    }
    toml
}

/// A watch-list of `count` targets on public-looking hosts, for `check` alone.
pub fn generated_targets_toml(count: usize) -> String {
    let mut toml = crawl_table();
    for index in 0..count {
        target(
            &mut toml,
            index,
            &format!("https://www.company{}.example.com/", index + 1),
        );
    }
    toml
}
