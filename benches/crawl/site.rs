//! The synthetic company sites the bench crawls: an index, product sections and leaf pages of
//! realistic HTML (nav, paragraphs, lists, tables, some Chinese text, internal and external
//! links), served by the demo server.

use std::fmt::Write as _;

use claimwatch::demo::server::Site;

use crate::filler::{Rng, chinese, phrase, sentence};

/// Leaf pages under one section page.
const LEAVES_PER_SECTION: usize = 60;
/// The content type every page is served with.
pub const HTML: &str = "text/html; charset=utf-8";

/// One synthetic company site: an index, sections, and leaf pages.
pub struct SiteSpec {
    pub pages: Vec<(String, Vec<u8>)>,
    pub sections: usize,
}

impl SiteSpec {
    /// Site number `index` with `total` pages (robots.txt not counted).
    pub fn build(index: usize, total: usize) -> SiteSpec {
        let sections = (total - 1).div_ceil(LEAVES_PER_SECTION + 1).max(1);
        let leaves = total - 1 - sections;
        // Leaves per section: as even as possible.
        let counts: Vec<usize> = (0..sections)
            .map(|s| leaves / sections + usize::from(s < leaves % sections))
            .collect();
        let company = format!("Bench Site {} Electronics", index + 1);
        let mut rng = Rng::new(0x5eed_0000 + index as u64);
        let mut pages = Vec::with_capacity(total);

        let nav = nav_html(sections);
        let mut index_html = page_start(&company, &company, "Home", &nav, &mut rng);
        index_html.push_str("<h1>Welcome</h1>\n<ul class=\"sections\">\n");
        for (s, count) in counts.iter().enumerate() {
            let _ = writeln!(
                index_html,
                "<li><a href=\"{}\">{}</a>: {count} products. {}</li>",
                section_path(s),
                section_name(s),
                sentence(&mut rng),
            );
        }
        index_html.push_str("</ul>\n");
        pages.push(("/".to_string(), page_end(index_html, &mut rng)));

        for (s, &count) in counts.iter().enumerate() {
            let mut html = page_start(&section_name(s), &company, &section_name(s), &nav, &mut rng);
            let _ = writeln!(
                html,
                "<h1>{}</h1>\n<p>{}</p>\n<table class=\"products\">\n<tr><th>Part</th><th>Description</th><th>Stock</th></tr>",
                section_name(s),
                sentence(&mut rng)
            );
            for leaf in 0..count {
                let _ = writeln!(
                    html,
                    "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
                    leaf_path(s, leaf),
                    part_number(s, leaf),
                    phrase(&mut rng, 4),
                    rng.below(100_000),
                );
            }
            html.push_str("</table>\n");
            pages.push((section_path(s), page_end(html, &mut rng)));

            for leaf in 0..count {
                let mut related = Vec::new();
                for _ in 0..6 {
                    let other = rng.below(sections);
                    if counts[other] > 0 {
                        related.push((other, rng.below(counts[other])));
                    }
                }
                if leaf + 1 < count {
                    related.push((s, leaf + 1));
                }
                let html = leaf_html(&company, &nav, s, leaf, &related, &mut rng);
                pages.push((leaf_path(s, leaf), html));
            }
        }
        SiteSpec { pages, sections }
    }

    pub fn html_bytes(&self) -> usize {
        self.pages.iter().map(|(_, b)| b.len()).sum()
    }

    pub fn to_site(&self) -> Site {
        let mut site = Site::default();
        site.page(
            "/robots.txt",
            "text/plain",
            vec![Some(b"User-agent: *\nAllow: /\n".to_vec())],
        );
        for (path, body) in &self.pages {
            site.page(path, HTML, vec![Some(body.clone())]);
        }
        site
    }
}

fn section_path(s: usize) -> String {
    format!("/products/{s:02}/")
}

fn leaf_path(s: usize, leaf: usize) -> String {
    format!("/products/{s:02}/p{leaf:03}.html")
}

fn section_name(s: usize) -> String {
    let families = [
        "Microcontrollers",
        "Power Management ICs",
        "Memory",
        "Interface ICs",
        "Passive Components",
        "Connectors",
        "Sensors",
        "RF Modules",
        "Optoelectronics",
        "Discrete Semiconductors",
    ];
    format!(
        "{} {}",
        families[s % families.len()],
        s / families.len() + 1
    )
}

fn part_number(s: usize, leaf: usize) -> String {
    let prefixes = [
        "STM32F", "TPS", "MT29F", "MAX", "GRM", "LM", "ADXL", "CC", "ESP32-",
    ];
    format!(
        "{}{}{:03}-{}",
        prefixes[(s + leaf) % prefixes.len()],
        100 + s,
        leaf,
        ["Q", "T", "R"][leaf % 3]
    )
}

fn nav_html(sections: usize) -> String {
    let mut nav = String::from("<nav class=\"main\"><ul>\n<li><a href=\"/\">Home</a></li>\n");
    for s in 0..sections {
        let _ = writeln!(
            nav,
            "<li><a href=\"{}\">{}</a></li>",
            section_path(s),
            section_name(s)
        );
    }
    nav.push_str(
        "<li><a href=\"https://www.example.com/partners\">Partners</a></li>\n</ul></nav>\n",
    );
    nav
}

fn page_start(title: &str, company: &str, crumb: &str, nav: &str, rng: &mut Rng) -> String {
    let mut html = String::with_capacity(16 * 1024);
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title} | {company}</title>\n\
         <meta name=\"description\" content=\"{}\">\n\
         <style>body{{font-family:sans-serif;margin:0}}nav ul{{list-style:none}}td{{padding:2px 6px}}</style>\n\
         <script>window.dataLayer=window.dataLayer||[];</script>\n</head>\n<body>\n\
         <header><a href=\"/\" class=\"logo\"><img src=\"/logo.png\" alt=\"{company} logo\"></a>\n{nav}</header>\n\
         <main>\n<p class=\"crumbs\"><a href=\"/\">Home</a> &gt; {crumb}</p>\n",
        sentence(rng),
    );
    html
}

/// Pads the page with paragraphs to 8–15 KB, then closes it.
fn page_end(mut html: String, rng: &mut Rng) -> Vec<u8> {
    let target = 8 * 1024 + rng.below(7 * 1024);
    while html.len() + 700 < target {
        let mut paragraph = String::new();
        for _ in 0..3 + rng.below(4) {
            paragraph.push_str(&sentence(rng));
            paragraph.push(' ');
        }
        let _ = writeln!(html, "<p>{}</p>", paragraph.trim_end());
    }
    html.push_str(
        "</main>\n<footer>\n<p>© 2024 版权所有 · <a href=\"mailto:sales@example.com\">sales@example.com</a> · \
         <a href=\"https://en.wikipedia.org/wiki/Integrated_circuit\">About ICs</a> · \
         <a href=\"https://www.example.com/privacy\">Privacy</a></p>\n\
         <p>地址：深圳市福田区华强北路 1001 号 电子科技大厦 18 楼 · 电话：+86 755 8888 0000</p>\n</footer>\n</body>\n</html>\n",
    );
    html.into_bytes()
}

fn leaf_html(
    company: &str,
    nav: &str,
    s: usize,
    leaf: usize,
    related: &[(usize, usize)],
    rng: &mut Rng,
) -> Vec<u8> {
    let part = part_number(s, leaf);
    let crumb = format!(
        "<a href=\"{}\">{}</a> &gt; {part}",
        section_path(s),
        section_name(s)
    );
    let mut html = page_start(&part, company, &crumb, nav, rng);
    let _ = writeln!(
        html,
        "<h1>{part} — {}</h1>\n<p>{}</p>\n<p lang=\"zh\">{}</p>",
        phrase(rng, 3),
        sentence(rng),
        chinese(rng, 4),
    );
    html.push_str("<h2>Features</h2>\n<ul>\n");
    for _ in 0..5 + rng.below(6) {
        let _ = writeln!(html, "<li>{}</li>", phrase(rng, 6));
    }
    html.push_str("</ul>\n<h2>Specifications</h2>\n<table class=\"specs\">\n<caption>Electrical characteristics</caption>\n");
    for _ in 0..8 + rng.below(12) {
        let _ = writeln!(
            html,
            "<tr><th>{}</th><td>{}.{} {}</td><td>{}</td></tr>",
            phrase(rng, 2),
            rng.below(100),
            rng.below(10),
            ["V", "mA", "MHz", "°C", "kΩ", "pF"][rng.below(6)],
            chinese(rng, 1),
        );
    }
    html.push_str("</table>\n<h2>Related parts</h2>\n<ul class=\"related\">\n");
    for &(rs, rl) in related {
        let _ = writeln!(
            html,
            "<li><a href=\"{}\" title=\"{}\">{}</a></li>",
            leaf_path(rs, rl),
            phrase(rng, 3),
            part_number(rs, rl),
        );
    }
    html.push_str("</ul>\n");
    let _ = writeln!(
        html,
        "<p><a href=\"https://www.example.com/datasheets/{part}.pdf\">Datasheet (PDF)</a> · \
         <a href=\"{}?utm_source=bench\">Back to {}</a></p>",
        section_path(s),
        section_name(s),
    );
    page_end(html, rng)
}
