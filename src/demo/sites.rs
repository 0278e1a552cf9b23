//! The demo's built-in company sites, each in two versions: the story of claims put up and
//! quietly taken down, with the noise real sites carry (dates, counters, tokens, news).

use super::server::Site;

const HTML: &str = "text/html; charset=utf-8";

/// Wraps a body in a page with the noise every version changes.
fn page(title: &str, body: &str, version: usize) -> Vec<u8> {
    let (date, visitors, token, news) = match version {
        0 => (
            "2026-09-01",
            10234,
            "a81f9c2e",
            "New warehouse opened in Kowloon",
        ),
        _ => (
            "2026-11-28",
            10877,
            "5d03be71",
            "Holiday shipping schedule announced",
        ),
    };
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<script>var csrf="{token}";</script></head><body>
<nav><a href="/">Home</a> <a href="/about.html">About</a> <a href="/products.html">Products</a> <a href="/partners.html">Partners</a></nav>
<main>{body}</main>
<aside><h3>News</h3><p>{news}</p></aside>
<footer><p>Updated {date}. Visitors: {visitors}.</p><input type="hidden" name="token" value="{token}"></footer>
</body></html>"#
    )
    .into_bytes()
}

fn both(title: &str, v1: &str, v2: &str) -> Vec<Option<Vec<u8>>> {
    vec![Some(page(title, v1, 0)), Some(page(title, v2, 1))]
}

fn same(title: &str, body: &str) -> Vec<Option<Vec<u8>>> {
    both(title, body, body)
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
    site.page("/", HTML, same("Winninc Electronics", "<h1>Winninc Electronics Co., Limited</h1><p>Electronic components from stock, shipped worldwide.</p><p><a href=\"/admin/\">Staff login</a></p>"));
    site.page("/about.html", HTML, both(
        "About Winninc",
        "<h1>About us</h1><p>Winninc is a top distributor for industrial, military, aerospace, and consumer electronics manufacturers.</p><p>Founded in 2009 in Hong Kong.</p>",
        "<h1>About us</h1><p>Winninc is a top distributor for industrial and consumer electronics manufacturers.</p><p>Founded in 2009 in Hong Kong.</p>",
    ));
    site.page("/products.html", HTML, same("Products", "<h2>Product lines</h2><ul><li>FPGAs</li><li>Data converters</li><li>Power management</li></ul>"));
    site.page(
        "/partners.html",
        HTML,
        same("Partners", "<p>We source from the open market.</p>"),
    );
    site.page(
        "/careers.html",
        HTML,
        same("Careers", "<p>We are hiring sales engineers.</p>"),
    );
    site.page("/admin/", HTML, same("Admin", "<p>Staff only.</p>"));
    site
}

/// A distributor that lists itself as a partner of Texas Instruments and Analog Devices, then
/// takes the line and the logos down.
pub fn sinno() -> Site {
    let mut site = Site::default();
    common(&mut site, "User-agent: *\nAllow: /\n");
    site.page(
        "/",
        HTML,
        same(
            "Sinno Electronics",
            "<h1>Sinno Electronics</h1><p>Your partner for semiconductors.</p>",
        ),
    );
    site.page(
        "/about.html",
        HTML,
        same(
            "About Sinno",
            "<p>Sinno Electronics, Shenzhen and Hong Kong.</p>",
        ),
    );
    site.page(
        "/products.html",
        HTML,
        same(
            "Products",
            "<ul><li>Amplifiers</li><li>Microcontrollers</li></ul>",
        ),
    );
    site.page("/partners.html", HTML, both(
        "Partners",
        "<h2>Our partners</h2><p>Sinno is a cooperative partner of Texas Instruments and Analog Devices.</p><div class=\"logos\"><img src=\"/img/ti-logo.png\" alt=\"Texas Instruments\"><img src=\"/img/adi-logo.png\" alt=\"Analog Devices\"></div>",
        "<h2>Our partners</h2><p>We work with many suppliers.</p>",
    ));
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
