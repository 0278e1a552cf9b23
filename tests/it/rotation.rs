//! Detection on a web built like real distributor sites, in English, Simplified Chinese (GBK),
//! Traditional Chinese (Big5) and Russian (windows-1251): featured-product boxes and news
//! sidebars that carry claim words and change on every crawl, dated news lists, product tables
//! holding the featured lines without their part numbers. Rotation must raise nothing; a
//! removal, an addition, a rewording and an unrelated swap must each come out as what they are.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use crate::support::*;

/// One company's words in one script.
struct Lang {
    id: &'static str,
    encoding: &'static encoding_rs::Encoding,
    /// The charset label the pages declare.
    label: &'static str,
    html_lang: &'static str,
    nav: [&'static str; 5],
    featured_heading: &'static str,
    news_heading: &'static str,
    /// (part number, catalogue line): the featured box shows both, the product table the line.
    catalogue: [(&'static str, &'static str); 4],
    headlines: [&'static str; 6],
    /// Dates as this script's sites write them before a headline in the news list.
    date: fn(usize) -> String,
    neutral: &'static str,
    /// Taken down from the about page in crawl 4.
    removed: &'static str,
    /// Added to the products page in crawl 4.
    added: &'static str,
    /// Reworded on the about page in crawl 5, most of the wording kept.
    reworded: (&'static str, &'static str),
    /// Replaced on the contact page in crawl 5 by an unrelated claim of the same rule.
    swapped: (&'static str, &'static str),
    /// How the page is laid out: semantic elements, plain divs, or a table.
    layout: Layout,
}

#[derive(Clone, Copy)]
enum Layout {
    Semantic,
    Divs,
    Table,
}

const LANGS: [Lang; 4] = [
    Lang {
        id: "en",
        encoding: encoding_rs::UTF_8,
        label: "utf-8",
        html_lang: "en",
        nav: ["Home", "About us", "Products", "News", "Contact"],
        featured_heading: "Featured product",
        news_heading: "Latest news",
        catalogue: [
            (
                "XC7Z020-1CLG400I",
                "MIL-PRF-38535 qualified, military temperature range",
            ),
            (
                "EP4CE22F17I7",
                "Radiation hardened for aerospace and defense programs",
            ),
            (
                "AD9361BBCZ",
                "Used in military radar and electronic warfare systems",
            ),
            ("LM108AH/883", "MIL-STD-883 screened for hi-rel avionics"),
        ],
        headlines: [
            "Meet us at the defence electronics exhibition",
            "Our military grade catalogue for 2027 is out",
            "New radiation hardened parts for space and aerospace",
            "We join the armed forces supplier day in Singapore",
            "Our MIL-STD-883 screening line has been expanded",
            "Avionics customers now get an extended warranty",
        ],
        date: |i| format!("2026-10-{:02}", 2 + i),
        neutral: "Founded in 2009 in Hong Kong.",
        removed: "Our engineers support defence contractors across Asia.",
        added: "Now shipping ITAR controlled parts to approved customers.",
        reworded: (
            "Winninc is a top distributor for industrial, military, aerospace, and consumer electronics manufacturers.",
            "Winninc is a leading distributor for industrial, military and aerospace manufacturers.",
        ),
        swapped: (
            "Ask our team about military qualification documents.",
            "Radiation tolerant memories for satellite programmes in stock.",
        ),
        layout: Layout::Semantic,
    },
    Lang {
        id: "zh-hans",
        encoding: encoding_rs::GBK,
        label: "gb2312",
        html_lang: "zh-CN",
        nav: ["首页", "关于我们", "产品中心", "新闻动态", "联系我们"],
        featured_heading: "推荐产品",
        news_heading: "最新动态",
        catalogue: [
            ("XC7Z020-1CLG400I", "符合GJB标准，军工级温度范围"),
            ("EP4CE22F17I7", "抗辐射加固，适用于航天和国防项目"),
            ("AD9361BBCZ", "用于军用雷达和电子对抗系统"),
            ("LM108AH/883", "七专级筛选，高可靠军品器件"),
        ],
        headlines: [
            "欢迎参观国防电子展",
            "2027年军工产品目录正式发布",
            "新增宇航级抗辐射器件系列",
            "我司参加军民融合供应商大会",
            "军品筛选生产线扩建完成",
            "航天客户享受延长质保服务",
        ],
        date: |i| format!("2026年10月{}日", 2 + i),
        neutral: "公司成立于2005年，位于深圳华强北。",
        removed: "我们的工程师为国防客户提供技术支持。",
        added: "现可供应军用级电源模块。",
        reworded: (
            "我们是GJB军工级元器件的专业供应商。",
            "我们是军工级元器件的专业供应商和代理商。",
        ),
        swapped: ("欢迎咨询军品资质文件。", "宇航级存储器现货供应。"),
        layout: Layout::Divs,
    },
    Lang {
        id: "zh-hant",
        encoding: encoding_rs::BIG5,
        label: "big5",
        html_lang: "zh-HK",
        nav: ["首頁", "關於我們", "產品中心", "新聞動態", "聯繫我們"],
        featured_heading: "推薦產品",
        news_heading: "最新動態",
        catalogue: [
            ("XC7Z020-1CLG400I", "符合GJB標準，軍工級溫度範圍"),
            ("EP4CE22F17I7", "抗輻射加固，適用於航天和國防項目"),
            ("AD9361BBCZ", "用於軍用雷達和電子對抗系統"),
            ("LM108AH/883", "七專級篩選，高可靠軍品器件"),
        ],
        headlines: [
            "歡迎參觀國防電子展",
            "2027年軍工產品目錄正式發佈",
            "新增宇航級抗輻射器件系列",
            "我司參加軍民融合供應商大會",
            "軍品篩選生產線擴建完成",
            "航天客戶享受延長質保服務",
        ],
        date: |i| format!("2026年10月{}日", 2 + i),
        neutral: "公司成立於2005年，位於香港九龍。",
        removed: "我們的工程師為國防客戶提供技術支援。",
        added: "現可供應軍用級電源模組。",
        reworded: (
            "我們是軍工級元器件的專業供應商。",
            "我們是軍工級元器件和模組的專業供應商。",
        ),
        swapped: ("歡迎諮詢軍品資質文件。", "宇航級記憶體現貨供應。"),
        layout: Layout::Divs,
    },
    Lang {
        id: "ru",
        encoding: encoding_rs::WINDOWS_1251,
        label: "windows-1251",
        html_lang: "ru",
        nav: ["Главная", "О компании", "Продукция", "Новости", "Контакты"],
        featured_heading: "Товар дня",
        news_heading: "Новости",
        catalogue: [
            (
                "XC7Z020-1CLG400I",
                "Военная приёмка, расширенный температурный диапазон",
            ),
            (
                "EP4CE22F17I7",
                "Радиационно стойкие изделия для оборонной промышленности",
            ),
            ("AD9361BBCZ", "Применяется в системах РЭБ и радиолокации"),
            (
                "LM108AH/883",
                "Поставки по гособоронзаказу с полным пакетом документов",
            ),
        ],
        headlines: [
            "Приглашаем на форум оборонных технологий",
            "Вышел каталог продукции для ВПК на 2027 год",
            "Новые компоненты для БПЛА уже на складе",
            "Мы участвуем в выставке для предприятий ОПК",
            "Расширена линия военной приёмки",
            "Гарантия для заказчиков гособоронзаказа продлена",
        ],
        date: |i| format!("{:02}.10.2026", 2 + i),
        neutral: "Компания основана в 2005 году.",
        removed: "Наши инженеры поддерживают предприятия ВПК.",
        added: "Теперь доступны изделия двойного назначения.",
        reworded: (
            "Мы поставляем компоненты для предприятий оборонной промышленности.",
            "Мы поставляем электронные компоненты предприятиям оборонной промышленности России.",
        ),
        swapped: (
            "Запросите документы военной приёмки у наших менеджеров.",
            "Комплектующие для БПЛА со склада в Москве.",
        ),
        layout: Layout::Table,
    },
];

const PATHS: [&str; 5] = [
    "/",
    "/about.html",
    "/products.html",
    "/news.html",
    "/contact.html",
];

/// Crawls: a baseline, two of rotation only, then the removal and addition, then the rewording
/// and the swap.
const CRAWLS: usize = 5;

/// Which headlines a page's sidebar shows on a visit: two of six, drawn anew on every visit.
fn sidebar(visit: u64) -> [usize; 2] {
    let a = (mix(visit) % 6) as usize;
    let b = (a + 1 + (mix(visit ^ 0xabcd) % 5) as usize) % 6;
    [a, b]
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;")
}

/// One page of one site as served at crawl `version`, on visit number `visit`.
fn page(lang: &Lang, path: &str, version: usize, visit: u64) -> Vec<u8> {
    let nav: String = PATHS
        .iter()
        .zip(lang.nav)
        .map(|(p, label)| format!("<a href=\"{p}\">{label}</a> "))
        .collect();
    let (part, line) = lang.catalogue[(mix(visit ^ 0x5eed) % 4) as usize];
    let featured = format!(
        "<h3>{}</h3><p><a href=\"/products.html\">{}</a> {}</p>",
        lang.featured_heading,
        escape(part),
        line
    );
    // The crawl that takes the about sentence down also rotates new headlines onto the about
    // page: the case that used to pair them as a rewording.
    let shown = match (path, version) {
        ("/about.html", 2) => [0, 1],
        ("/about.html", 3) => [2, 3],
        _ => sidebar(visit),
    };
    let news: String = shown
        .iter()
        .map(|&i| format!("<li><a href=\"/news.html\">{}</a></li>", lang.headlines[i]))
        .collect();
    let news = format!("<h3>{}</h3><ul>{news}</ul>", lang.news_heading);
    let main = main_content(lang, path, version);
    let counter = 10_000 + visit % 100_000;
    let body = match lang.layout {
        Layout::Semantic => format!(
            "<header><nav>{nav}</nav></header><div class=\"wrap\"><main>{main}</main>\
             <aside>{featured}{news}</aside></div><footer><p>Visitors: {counter}</p></footer>"
        ),
        Layout::Divs => format!(
            "<div class=\"top\"><div class=\"menu\">{nav}</div></div><div class=\"body\">\
             <div class=\"left\"><div class=\"box\">{featured}</div><div class=\"box\">{news}</div></div>\
             <div class=\"right\"><div class=\"content\">{main}</div></div></div>\
             <div class=\"bottom\"><p>访问量：{counter}</p></div>"
        ),
        Layout::Table => format!(
            "<table width=\"100%\"><tr><td colspan=\"2\">{nav}</td></tr><tr>\
             <td width=\"70%\" valign=\"top\">{main}</td>\
             <td class=\"col\" valign=\"top\">{featured}{news}</td></tr>\
             <tr><td colspan=\"2\">Посетителей: {counter}</td></tr></table>"
        ),
    };
    let html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"{}\"><title>{}</title></head><body>{body}</body></html>",
        lang.html_lang, lang.label, lang.nav[0]
    );
    lang.encoding.encode(&html).0.into_owned()
}

fn main_content(lang: &Lang, path: &str, version: usize) -> String {
    let p = |text: &str| format!("<p>{text}</p>");
    match path {
        "/about.html" => {
            let mut html = format!("<h1>{}</h1>", lang.nav[1]);
            html += &p(if version >= 4 {
                lang.reworded.1
            } else {
                lang.reworded.0
            });
            html += &p(lang.neutral);
            if version < 3 {
                html += &p(lang.removed);
            }
            html
        }
        "/products.html" => {
            let rows: String = lang
                .catalogue
                .iter()
                .map(|(part, line)| format!("<tr><td>{}</td><td>{line}</td></tr>", escape(part)))
                .collect();
            let added = if version >= 3 {
                p(lang.added)
            } else {
                String::new()
            };
            format!("<h1>{}</h1><table>{rows}</table>{added}", lang.nav[2])
        }
        "/news.html" => {
            let items: String = lang
                .headlines
                .iter()
                .enumerate()
                .map(|(i, h)| format!("<li>{} {h}</li>", (lang.date)(i)))
                .collect();
            format!("<h1>{}</h1><ul class=\"list\">{items}</ul>", lang.nav[3])
        }
        "/contact.html" => format!(
            "<h1>{}</h1>{}{}",
            lang.nav[4],
            p(lang.neutral),
            p(if version >= 4 {
                lang.swapped.1
            } else {
                lang.swapped.0
            })
        ),
        _ => format!("<h1>{}</h1>{}", lang.nav[0], p(lang.neutral)),
    }
}

/// A site that draws its boxes anew on every request.
fn handler(lang: &'static Lang, version: Arc<AtomicUsize>) -> Handler {
    let visits = Arc::new(AtomicUsize::new(0));
    Arc::new(move |path: &str| {
        if path == "/robots.txt" {
            return Reply::bytes("text/plain", b"User-agent: *\nAllow: /\n".to_vec());
        }
        if !PATHS.contains(&path) {
            return Reply::not_found();
        }
        let visit = visits.fetch_add(1, Ordering::SeqCst) as u64;
        Reply::bytes(
            "text/html",
            page(
                lang,
                path,
                version.load(Ordering::SeqCst),
                mix(visit ^ lang.id.len() as u64),
            ),
        )
    })
}

fn describe(flags: &[&Value]) -> Vec<(String, String, String, String)> {
    let mut out: Vec<_> = flags
        .iter()
        .map(|f| {
            let url = f["url"].as_str().unwrap_or_default();
            (
                f["flag_type"].as_str().unwrap_or_default().to_string(),
                f["scope"].as_str().unwrap_or_default().to_string(),
                url[url.rfind('/').unwrap_or(0)..].to_string(),
                f["claim"]["text"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn rotating_distributor_sites_raise_only_the_real_changes_in_every_script() {
    let version = Arc::new(AtomicUsize::new(0));
    let ips = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"];
    let mut servers = Vec::new();
    let mut toml = fast_crawl("max_pages = 20");
    for (lang, ip) in LANGS.iter().zip(ips) {
        let server = Server::start(ip, 0, handler(lang, version.clone()))
            .await
            .expect("start a site");
        toml += &target(lang.id, &server.url("/"), "");
        servers.push(server);
    }
    let ws = Workspace::new(&toml);
    // Flags come out in id order, not in the order they were raised: new ones are told by id.
    let mut seen = std::collections::HashSet::new();
    for crawl in 0..CRAWLS {
        version.store(crawl, Ordering::SeqCst);
        let output = ws.run(&["crawl"]).await;
        let flags = flags_json(&ws).await;
        let new: Vec<&Value> = flags
            .iter()
            .filter(|f| !seen.contains(&f["flag_id"]))
            .collect();
        seen.extend(new.iter().map(|f| f["flag_id"].clone()));
        eprintln!(
            "crawl {crawl}: exit {:?}, {} new flags ({} page scope)",
            output.status.code(),
            new.len(),
            new.iter().filter(|f| f["scope"] == "page").count()
        );
        let expected_exit = if crawl >= 3 { 1 } else { 0 };
        assert_eq!(
            output.status.code(),
            Some(expected_exit),
            "crawl {crawl}: {}\n{}\nflags: {:#?}",
            stdout(&output),
            stderr(&output),
            describe(&new)
        );
        for lang in &LANGS {
            let mine: Vec<&Value> = new
                .iter()
                .copied()
                .filter(|f| f["target"]["id"] == lang.id)
                .collect();
            let got = describe(&mine);
            let want: Vec<(String, String, String, String)> = match crawl {
                3 => vec![
                    (
                        "claim_added".into(),
                        "site".into(),
                        "/products.html".into(),
                        lang.added.into(),
                    ),
                    (
                        "claim_removed".into(),
                        "site".into(),
                        "/about.html".into(),
                        lang.removed.into(),
                    ),
                ],
                4 => vec![
                    (
                        "claim_added".into(),
                        "site".into(),
                        "/contact.html".into(),
                        lang.swapped.1.into(),
                    ),
                    (
                        "claim_changed".into(),
                        "page".into(),
                        "/about.html".into(),
                        lang.reworded.1.into(),
                    ),
                    (
                        "claim_removed".into(),
                        "site".into(),
                        "/contact.html".into(),
                        lang.swapped.0.into(),
                    ),
                ],
                _ => vec![],
            };
            assert_eq!(got, want, "{}: crawl {crawl}: {mine:#?}", lang.id);
            for flag in &mine {
                let reason = flag["reason"].as_str().unwrap_or_default();
                assert!(
                    !reason.is_empty(),
                    "{}: every flag says why: {flag:#}",
                    lang.id
                );
                if flag["flag_type"] == "claim_removed" {
                    assert!(
                        reason.contains("no page of the site carries it now")
                            && reason.contains("5 good pages compared"),
                        "{}: {reason}",
                        lang.id
                    );
                }
            }
        }
    }
}
