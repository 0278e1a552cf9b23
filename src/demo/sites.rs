//! The demo's built-in company sites, each in two versions: the story of claims put up and
//! quietly taken down, with the noise real sites carry. Dates, counters and tokens change on
//! every version; the featured product and the news box are drawn anew on every visit, and
//! carry claim words ("military temperature range", "defence electronics exhibition") that the
//! product table and the news page keep saying, so none of it is a change.

use super::server::Site;

/// The demo's companies: target id, name, site.
pub fn companies() -> Vec<(&'static str, &'static str, Site)> {
    vec![
        ("winninc", "Winninc Electronics Co., Limited", winninc()),
        ("sinno", "Sinno Electronics Co., Ltd", sinno()),
        ("huaqiang", "深圳华强电子有限公司", huaqiang()),
        ("radiocomp", "ООО Радиокомп", radiocomp()),
    ]
}

const HTML: &str = "text/html; charset=utf-8";

/// The catalogue the featured box draws from: part number, then its line in the product table.
const CATALOGUE: [(&str, &str); 4] = [
    (
        "XC7Z020-1CLG400I",
        "Zynq SoC, MIL-PRF-38535 qualified, military temperature range",
    ),
    (
        "AD9361BBCZ",
        "RF transceiver used in military radar and electronic warfare",
    ),
    ("LM108AH/883", "Op amp, MIL-STD-883 screened for avionics"),
    (
        "EP4CE22F17I7",
        "Cyclone IV FPGA, industrial temperature range",
    ),
];

/// The news the sidebar draws two items from; the news page lists them all, dated.
const HEADLINES: [&str; 5] = [
    "Meet us at the defence electronics exhibition in Singapore",
    "Our military grade catalogue for 2027 is out",
    "New radiation hardened parts for space and aerospace programs",
    "Holiday shipping schedule announced",
    "New warehouse opened in Kowloon",
];

/// splitmix64: the featured line and the headlines a visit draws.
fn draw(visit: u64) -> u64 {
    let mut z = visit.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The featured product and news boxes of one visit.
fn boxes(visit: u64) -> String {
    let pick = draw(visit);
    let (part, line) = CATALOGUE[(pick % 4) as usize];
    let first = ((pick >> 8) % 5) as usize;
    let second = (first + 1 + ((pick >> 16) % 4) as usize) % 5;
    format!(
        "<div class=\"box\"><h3>Featured product</h3><p><a href=\"/products.html\">{part}</a> {line}</p></div>\
         <div class=\"box\"><h3>News</h3><ul><li><a href=\"/news.html\">{}</a></li><li><a href=\"/news.html\">{}</a></li></ul></div>",
        HEADLINES[first], HEADLINES[second]
    )
}

/// Wraps a body in a page with the noise every version and visit changes.
fn page(title: &str, body: &str, version: usize, visit: u64) -> Vec<u8> {
    let (date, visitors, token) = match version {
        0 => ("2026-09-01", 10234 + visit, "a81f9c2e"),
        _ => ("2026-11-28", 10877 + visit, "5d03be71"),
    };
    let boxes = boxes(visit);
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<script>var csrf="{token}";</script></head><body>
<nav><a href="/">Home</a> <a href="/about.html">About</a> <a href="/products.html">Products</a> <a href="/partners.html">Partners</a> <a href="/news.html">News</a></nav>
<div class="content">{body}</div>
<div class="side">{boxes}</div>
<footer><p>Updated {date}. Visitors: {visitors}.</p><input type="hidden" name="token" value="{token}"></footer>
</body></html>"#
    )
    .into_bytes()
}

/// A page whose body is `v1` in the first version and `v2` after, in the rotating shell.
fn both(site: &mut Site, path: &str, title: &'static str, v1: &'static str, v2: &'static str) {
    site.drawn(path, HTML, move |version, visit| {
        Some(page(
            title,
            if version == 0 { v1 } else { v2 },
            version,
            visit,
        ))
    });
}

fn same(site: &mut Site, path: &str, title: &'static str, body: &'static str) {
    both(site, path, title, body, body);
}

/// The product table and the dated news page every shell site has.
fn catalogue_and_news(site: &mut Site) {
    let rows: String = CATALOGUE
        .iter()
        .map(|(part, line)| format!("<tr><td>{part}</td><td>{line}</td></tr>"))
        .collect();
    let products = format!("<h1>Products</h1><table>{rows}</table>");
    let items: String = HEADLINES
        .iter()
        .enumerate()
        .map(|(i, h)| format!("<li>2026-08-{:02} {h}</li>", 20 - i))
        .collect();
    let news = format!("<h1>News</h1><ul>{items}</ul>");
    site.drawn("/products.html", HTML, move |version, visit| {
        Some(page("Products", &products, version, visit))
    });
    site.drawn("/news.html", HTML, move |version, visit| {
        Some(page("News", &news, version, visit))
    });
}

fn common(site: &mut Site, robots: &str) {
    site.page(
        "/robots.txt",
        "text/plain",
        vec![Some(robots.as_bytes().to_vec())],
    );
}

/// A Hong Kong distributor that drops "military, aerospace" from its about page.
pub fn winninc() -> Site {
    let mut site = Site::default();
    common(
        &mut site,
        "User-agent: *\nDisallow: /admin/\nSitemap: /sitemap.xml\n",
    );
    site.page("/sitemap.xml", "application/xml", vec![Some(
        b"<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>/careers.html</loc></url></urlset>".to_vec(),
    )]);
    same(
        &mut site,
        "/",
        "Winninc Electronics",
        "<h1>Winninc Electronics Co., Limited</h1><p>Electronic components from stock, shipped worldwide.</p><p><a href=\"/admin/\">Staff login</a></p>",
    );
    both(
        &mut site,
        "/about.html",
        "About Winninc",
        "<h1>About us</h1><p>Winninc is a top distributor for industrial, military, aerospace, and consumer electronics manufacturers.</p><p>Founded in 2009 in Hong Kong.</p>",
        "<h1>About us</h1><p>Winninc is a top distributor for industrial and consumer electronics manufacturers.</p><p>Founded in 2009 in Hong Kong.</p>",
    );
    catalogue_and_news(&mut site);
    same(
        &mut site,
        "/partners.html",
        "Partners",
        "<p>We source from the open market.</p>",
    );
    same(
        &mut site,
        "/careers.html",
        "Careers",
        "<p>We are hiring sales engineers.</p>",
    );
    same(&mut site, "/admin/", "Admin", "<p>Staff only.</p>");
    site
}

/// A distributor that lists itself as a partner of Texas Instruments and Analog Devices, then
/// takes the line and the logos down.
pub fn sinno() -> Site {
    let mut site = Site::default();
    common(&mut site, "User-agent: *\nAllow: /\n");
    same(
        &mut site,
        "/",
        "Sinno Electronics",
        "<h1>Sinno Electronics</h1><p>Your partner for semiconductors.</p>",
    );
    same(
        &mut site,
        "/about.html",
        "About Sinno",
        "<p>Sinno Electronics, Shenzhen and Hong Kong.</p>",
    );
    catalogue_and_news(&mut site);
    both(
        &mut site,
        "/partners.html",
        "Partners",
        "<h2>Our partners</h2><p>Sinno is a cooperative partner of Texas Instruments and Analog Devices.</p><div class=\"logos\"><img src=\"/img/ti-logo.png\" alt=\"Texas Instruments\"><img src=\"/img/adi-logo.png\" alt=\"Analog Devices\"></div>",
        "<h2>Our partners</h2><p>We work with many suppliers.</p>",
    );
    site
}

/// A Chinese-language site, served in GBK, that drops 军工 (military industry).
pub fn huaqiang() -> Site {
    let mut site = Site::default();
    common(&mut site, "User-agent: *\nAllow: /\n");
    let gbk = |title: &str, body: &str| {
        let html = format!(
            "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"><title>{title}</title></head><body><nav><a href=\"/about.html\">关于我们</a></nav>{body}</body></html>"
        );
        encoding_rs::GB18030.encode(&html).0.into_owned()
    };
    site.page("/", "text/html", vec![
        Some(gbk("华强电子", "<h1>深圳华强电子有限公司</h1><p>专业军工级元器件供应商，服务军工、航天客户。</p><p>访问量：10234</p>")),
        Some(gbk("华强电子", "<h1>深圳华强电子有限公司</h1><p>专业工业级元器件供应商，服务工业客户。</p><p>访问量：10877</p>")),
    ]);
    site.page(
        "/about.html",
        "text/html",
        vec![Some(gbk(
            "关于我们",
            "<p>公司成立于2005年，位于深圳华强北。</p>",
        ))],
    );
    site
}

/// A Russian-language site, served in windows-1251, with defence-industry language.
pub fn radiocomp() -> Site {
    let mut site = Site::default();
    common(&mut site, "User-agent: *\nAllow: /\n");
    let cp1251 = |body: &str| {
        let html = format!(
            "<!DOCTYPE html><html lang=\"ru\"><head><meta charset=\"windows-1251\"><title>Радиокомп</title></head><body>{body}</body></html>"
        );
        encoding_rs::WINDOWS_1251.encode(&html).0.into_owned()
    };
    site.page("/", "text/html", vec![Some(cp1251(
        "<h1>Радиокомп</h1><p>Официальный дистрибьютор электронных компонентов для предприятий оборонной промышленности.</p>",
    ))]);
    site
}
