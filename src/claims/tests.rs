//! Matcher tests: the built-in packs on English, Simplified and Traditional Chinese and Russian
//! text, partner claims with and without manufacturers, logo walls, link lists and user rules.

use url::Url;

use super::{Category, Claim, ClaimKey, Matcher};
use crate::config::{Manufacturer, Rule};
use crate::extract::{Block, BlockKind, Document, Image, Link, extract};

/// The default matcher, built once: compiling the packs takes a while in a debug build.
fn matcher() -> &'static Matcher {
    static MATCHER: std::sync::OnceLock<Matcher> = std::sync::OnceLock::new();
    MATCHER.get_or_init(|| Matcher::new(&[], &[], &[]).expect("built-in packs compile"))
}

fn doc(blocks: &[(BlockKind, &str)]) -> Document {
    Document {
        blocks: blocks
            .iter()
            .map(|&(kind, text)| Block::new(kind, text))
            .collect(),
        ..Document::default()
    }
}

fn text(t: &str) -> Document {
    doc(&[(BlockKind::Text, t)])
}

fn html(body: &str) -> Document {
    let base = Url::parse("https://www.winninc.example/about.html").expect("valid URL");
    extract(&format!("<html><body>{body}</body></html>"), &base)
}

fn claims(t: &str) -> Vec<Claim> {
    matcher().claims(&text(t))
}

/// (rule, manufacturer) of each claim.
fn summary(claims: &[Claim]) -> Vec<(String, Option<String>)> {
    claims
        .iter()
        .map(|c| (c.rule.clone(), c.manufacturer.clone()))
        .collect()
}

fn one(t: &str) -> Claim {
    let mut found = claims(t);
    assert_eq!(found.len(), 1, "{t:?}: {found:#?}");
    found.remove(0)
}

fn keys(claims: &[Claim]) -> Vec<ClaimKey> {
    claims.iter().map(Claim::key).collect()
}

// --- military, one script at a time ---

#[test]
fn military_en() {
    let c = one("Top distributor for industrial, military, aerospace customers.");
    assert_eq!(c.rule, "military-en");
    assert_eq!(c.category, Category::Military);
    assert_eq!(c.lang, "en");
    assert_eq!(c.terms, ["military", "aerospace"]);
    assert_eq!(
        c.text,
        "Top distributor for industrial, military, aerospace customers."
    );
    assert_eq!(
        c.normalized,
        "top distributor for industrial military aerospace customers"
    );
    assert_eq!(c.block, BlockKind::Text);
    assert_eq!(c.manufacturer, None);
}

#[test]
fn military_zh_hans() {
    let c = one("我们是军工企业，产品符合GJB548B标准。");
    assert_eq!(c.rule, "military-zh-hans");
    assert_eq!(c.lang, "zh-Hans");
    assert_eq!(c.terms, ["军工", "GJB*"]);
}

#[test]
fn military_zh_hant() {
    let c = one("我們是軍工企業，服務國防客戶。");
    assert_eq!(c.rule, "military-zh-hant");
    assert_eq!(c.lang, "zh-Hant");
    assert_eq!(c.terms, ["軍工", "國防"]);
}

#[test]
fn military_ru() {
    let c = one("Поставка компонентов для оборонной промышленности.");
    assert_eq!(c.rule, "military-ru");
    assert_eq!(c.lang, "ru");
    assert_eq!(c.terms, ["оборонн*"]);
}

#[test]
fn non_claims() {
    for t in [
        "We sell resistors and capacitors from stock.",
        "我们销售电阻和电容。",
        "我們銷售電阻和電容。",
        "Мы продаём резисторы и конденсаторы со склада.",
    ] {
        assert!(claims(t).is_empty(), "{t:?}: {:?}", claims(t));
    }
}

#[test]
fn one_claim_per_sentence() {
    let found = claims(
        "We are ISO certified. We serve military, aerospace customers! Call us. Defense too.",
    );
    let texts: Vec<&str> = found.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        texts,
        ["We serve military, aerospace customers!", "Defense too."]
    );
}

#[test]
fn military_standards_and_part_numbers() {
    for (t, term) in [
        ("Screened to MIL-STD-883H class B.", "MIL-STD-883*"),
        (
            "Ｓｃｒｅｅｎｅｄ ｔｏ ＭＩＬ－ＳＴＤ－８８３.",
            "MIL-STD-883*",
        ),
        ("QML-V and QPL listed.", "QML"),
        ("Stock: 54HC00/883B, LM108AH/883.", "/883"),
        ("SMD 5962-8768801PA in stock.", "5962-"),
        ("JANTXV2N2222A available.", "JANTX*"),
        ("JAN2N2222A available.", "JAN"),
        ("Продукция с приёмкой «ВП».", "приёмка ВП"),
        ("Приемка 5 по запросу.", "приёмка ВП"),
        ("Микросхемы для гособоронзаказа.", "гособоронзаказ*"),
        ("Комплектующие для ВПК.", "ВПК"),
    ] {
        let found = claims(t);
        assert!(
            found.iter().any(|c| c.terms.iter().any(|x| x == term)),
            "{t:?} should match {term:?}: {found:?}"
        );
    }
    for t in [
        "Call 5962-1234 now.",
        "Jan 2024 price list.",
        "January 5th, 2024.",
        "Page 3/883 of the catalogue",
        "Voltage 3.3V, 5962 units.",
        "ВП",
    ] {
        assert!(claims(t).is_empty(), "{t:?}: {:?}", claims(t));
    }
}

#[test]
fn inflected_russian() {
    for (t, rule) in [
        ("для оборонной промышленности", "military-ru"),
        ("Поставки военных изделий", "military-ru"),
        (
            "Предприятиям оборонно-промышленного комплекса",
            "military-ru",
        ),
        ("Поставки по гособоронзаказу", "military-ru"),
        (
            "Является партнёром компании Texas Instruments",
            "partner-ru",
        ),
        ("Мы — официальный дистрибьютор ADI", "partner-ru"),
        (
            "Официальным дистрибьютором Analog Devices является наша фирма",
            "partner-ru",
        ),
    ] {
        let found = claims(t);
        assert!(found.iter().any(|c| c.rule == rule), "{t:?}: {found:?}");
    }
}

// --- word boundaries ---

#[test]
fn word_boundaries() {
    assert!(claims("militaryx grade").is_empty());
    assert!(claims("paramilitary style").is_empty());
    assert!(claims("Aerospaces").is_empty());
    assert_eq!(one("non-military parts").terms, ["military"]);
    assert_eq!(one("military-grade").terms, ["military", "military grade"]);
}

#[test]
fn short_aliases_need_capitals_and_whole_words() {
    assert!(claims("Authorized distributor: OPTIMIZATION services.").is_empty());
    assert!(claims("authorized distributor of ti products").is_empty());
    assert!(claims("authorized distributor of Ti products").is_empty());
    assert!(claims("Authorized distributor of STM32 parts").is_empty());
    let c = one("We are an authorized distributor of TI products.");
    assert_eq!(c.rule, "partner-en");
    assert_eq!(c.manufacturer.as_deref(), Some("Texas Instruments"));
    assert_eq!(c.terms, ["authorized distributor*"]);
}

// --- partner claims, one script at a time ---

#[test]
fn partner_with_manufacturer() {
    for (t, rule, maker) in [
        (
            "We are a cooperative partner of Texas Instruments.",
            "partner-en",
            "Texas Instruments",
        ),
        (
            "我们是德州仪器授权代理商。",
            "partner-zh-hans",
            "Texas Instruments",
        ),
        (
            "我們是德州儀器授權代理商。",
            "partner-zh-hant",
            "Texas Instruments",
        ),
        (
            "Мы являемся официальным дистрибьютором Analog Devices.",
            "partner-ru",
            "Analog Devices",
        ),
    ] {
        let found = claims(t);
        assert_eq!(
            summary(&found),
            [(rule.to_string(), Some(maker.to_string()))],
            "{t:?}"
        );
        assert_eq!(found[0].category, Category::Partner);
    }
}

#[test]
fn partner_claim_terms_in_pack_order() {
    let c = one("我们是德州仪器授权代理商。");
    assert_eq!(
        c.terms,
        ["代理", "代理商", "授权代理", "授权代理商", "授权"]
    );
    assert_eq!(c.lang, "zh-Hans");
}

#[test]
fn partner_without_manufacturer() {
    for t in [
        "We are an authorized distributor.",
        "我们是授权代理商。",
        "我們是授權代理商。",
        "Мы официальный дистрибьютор.",
        "Our partners",
    ] {
        assert!(claims(t).is_empty(), "{t:?}: {:?}", claims(t));
    }
}

#[test]
fn manufacturer_without_partner_term() {
    assert!(claims("We stock Texas Instruments and ADI parts.").is_empty());
    assert!(claims("现货供应德州仪器芯片。").is_empty());
}

#[test]
fn one_claim_per_manufacturer() {
    let found = claims("Authorized distributor of TI, ADI and 英飞凌.");
    assert_eq!(
        summary(&found),
        [
            ("partner-en".into(), Some("Texas Instruments".into())),
            ("partner-en".into(), Some("Analog Devices".into())),
            ("partner-en".into(), Some("Infineon".into())),
        ]
    );
    assert!(found.iter().all(|c| c.normalized == found[0].normalized));
}

#[test]
fn several_rules_in_one_block() {
    let found = claims("Authorized distributor of TI military grade parts.");
    assert_eq!(
        summary(&found),
        [
            ("military-en".into(), None),
            ("partner-en".into(), Some("Texas Instruments".into())),
        ]
    );
}

#[test]
fn exclusions() {
    assert!(claims("版权所有，未经授权禁止转载德州仪器资料。").is_empty());
    assert!(claims("代理高通滤波器。").is_empty());
    assert_eq!(
        summary(&claims("代理高通芯片。")),
        [("partner-zh-hans".into(), Some("Qualcomm".into()))]
    );
    assert!(claims("DHL航空快递。").is_empty());
}

// --- Simplified or Traditional: one claim, not two ---

#[test]
fn shared_chinese_terms_make_one_claim() {
    assert_eq!(
        summary(&claims("德州儀器代理")),
        [("partner-zh-hant".into(), Some("Texas Instruments".into()))]
    );
    assert_eq!(
        summary(&claims("德州仪器代理")),
        [("partner-zh-hans".into(), Some("Texas Instruments".into()))]
    );
    assert_eq!(
        summary(&claims("航天")),
        [("military-zh-hans".into(), None)]
    );
    let mut hk = text("TI代理");
    assert_eq!(
        summary(&matcher().claims(&hk)),
        [("partner-zh-hans".into(), Some("Texas Instruments".into()))]
    );
    hk.lang = Some("zh-HK".into());
    assert_eq!(
        summary(&matcher().claims(&hk)),
        [("partner-zh-hant".into(), Some("Texas Instruments".into()))]
    );
}

// --- identity survives cosmetic changes ---

#[test]
fn cosmetic_changes_keep_the_key() {
    let variants = [
        "We supply military grade parts to TI's authorized distributor.",
        "WE SUPPLY MILITARY GRADE PARTS TO TI'S AUTHORIZED DISTRIBUTOR.",
        "We  supply\tmilitary-grade parts to TI’s authorized  distributor!",
        "Ｗｅ ｓｕｐｐｌｙ ｍｉｌｉｔａｒｙ ｇｒａｄｅ ｐａｒｔｓ ｔｏ ＴＩ'ｓ ａｕｔｈｏｒｉｚｅｄ ｄｉｓｔｒｉｂｕｔｏｒ．",
    ];
    let base = keys(&claims(variants[0]));
    assert_eq!(base.len(), 2);
    for v in variants {
        assert_eq!(keys(&claims(v)), base, "{v:?}");
    }
    let zh = keys(&claims("我们是军工企业，服务航天客户。"));
    assert_eq!(keys(&claims("我们是军工企业, 服务航天客户.")), zh);
    assert_eq!(
        keys(&claims("我们是 军工 企业，服务航天客户！")),
        keys(&claims("我们是军工企业，服务航天客户。"))
    );
}

#[test]
fn markup_changes_keep_the_key() {
    let m = matcher();
    let a = m.claims(&html(
        "<p>We are an <b>authorized distributor</b> of <a href='/ti'>TI</a>. We serve military customers.</p>",
    ));
    let b = m.claims(&html(
        "<div><span>We are an authorized</span>\n  <em>distributor</em> of TI.</div><p>We serve <i>military</i> customers.</p>",
    ));
    assert_eq!(keys(&a), keys(&b));
    assert_eq!(a.len(), 2);
    let h = m.claims(&html("<h2>We serve military customers.</h2>"));
    assert_eq!(h[0].key(), a[1].key());
    assert_eq!(h[0].block, BlockKind::Heading);
}

#[test]
fn duplicates_are_dropped() {
    let m = matcher();
    let d = doc(&[
        (BlockKind::Title, "Military grade parts"),
        (BlockKind::MetaDescription, "MILITARY-GRADE PARTS"),
        (
            BlockKind::Text,
            "Military grade parts. Other words. Military grade parts.",
        ),
    ]);
    let found = m.claims(&d);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].block, BlockKind::Title);
}

// --- logo walls and partner links ---

#[test]
fn logo_wall() {
    let d = html(
        "<h2>Our partners</h2>\
         <img src='/img/ti-logo.png' alt=''>\
         <img src='/img/analog-devices.png'>\
         <img src='/img/x.png' alt='英飞凌'>\
         <img src='/img/banner.jpg' alt='Our warehouse'>",
    );
    let found = matcher().claims(&d);
    assert_eq!(
        summary(&found),
        [
            ("partner-en".into(), Some("Texas Instruments".into())),
            ("partner-en".into(), Some("Analog Devices".into())),
            ("partner-en".into(), Some("Infineon".into())),
        ]
    );
    assert!(found.iter().all(|c| c.block == BlockKind::Alt));
    assert!(found.iter().all(|c| c.terms == ["partners"]));
    assert_eq!(found[0].text, "ti-logo");
    assert_eq!(found[0].normalized, "ti logo");
    assert_eq!(found[1].text, "analog-devices");
    assert_eq!(found[2].text, "英飞凌");
}

#[test]
fn logo_wall_in_chinese_and_russian() {
    let d = html("<h3>合作伙伴</h3><img src='/logos/xilinx.png' alt='赛灵思'>");
    assert_eq!(
        summary(&matcher().claims(&d)),
        [("partner-zh-hans".into(), Some("Xilinx".into()))]
    );
    let d = html("<h3>Наши партнёры</h3><img src='/logos/NXP.svg' alt='NXP'>");
    assert_eq!(
        summary(&matcher().claims(&d)),
        [("partner-ru".into(), Some("NXP".into()))]
    );
}

#[test]
fn no_logo_wall_without_a_partner_section() {
    let d = html("<h2>Products</h2><img src='/img/ti-logo.png' alt='TI'>");
    assert!(matcher().claims(&d).is_empty());
    // A "Partners" menu entry on every page does not make every logo a partner claim.
    let d = html(
        "<ul><li><a href='/partners'>Partners</a></li></ul>\
         <h2>Products</h2><img src='/img/ti-logo.png' alt='TI'>\
         <a href='https://www.ti.com/lit/ds/lm358.pdf'>Datasheet</a>",
    );
    assert!(
        matcher().claims(&d).is_empty(),
        "{:?}",
        matcher().claims(&d)
    );
}

#[test]
fn partner_links() {
    let d = html(
        "<h2>Partners</h2><ul>\
         <li><a href='https://www.analog.com/'></a></li>\
         <li><a href='https://e2e.ti.com/'>Texas Instruments</a></li>\
         <li><a href='https://www.notti.com/'>Other</a></li></ul>",
    );
    let found = matcher().claims(&d);
    assert_eq!(
        summary(&found),
        [
            ("partner-en".into(), Some("Analog Devices".into())),
            ("partner-en".into(), Some("Texas Instruments".into())),
        ]
    );
    assert_eq!(found[0].text, "https://www.analog.com/");
    assert_eq!(found[0].block, BlockKind::Text);
    assert_eq!(found[1].text, "Texas Instruments");
}

#[test]
fn logo_links_count_once() {
    let d = html(
        "<h2>Our Partners</h2><a href='https://www.st.com/'><img src='/l/st.png' alt='ST'></a>",
    );
    let found = matcher().claims(&d);
    assert_eq!(
        summary(&found),
        [("partner-en".into(), Some("STMicroelectronics".into()))]
    );
    assert_eq!(found[0].block, BlockKind::Alt);
}

#[test]
fn alt_text_with_partner_term() {
    let d = doc(&[(BlockKind::Alt, "Authorized distributor of Renesas")]);
    let found = matcher().claims(&d);
    assert_eq!(
        summary(&found),
        [("partner-en".into(), Some("Renesas".into()))]
    );
    assert_eq!(found[0].block, BlockKind::Alt);
}

#[test]
fn images_and_links_built_by_hand() {
    let d = Document {
        blocks: vec![Block::new(BlockKind::Heading, "Line card")],
        images: vec![Image {
            src: "https://cdn.example/a/Maxim%20Integrated.png?v=2".into(),
            alt: String::new(),
        }],
        links: vec![Link {
            url: "not a url".into(),
            text: "TI".into(),
        }],
        ..Document::default()
    };
    let found = matcher().claims(&d);
    assert_eq!(
        summary(&found),
        [("partner-en".into(), Some("Maxim Integrated".into()))]
    );
    assert_eq!(found[0].text, "Maxim Integrated");
}

// --- configuration ---

fn rule(id: &str, category: &str, terms: &[&str], regex: Option<&str>) -> Rule {
    Rule {
        id: id.into(),
        category: category.into(),
        terms: terms.iter().map(|t| t.to_string()).collect(),
        regex: regex.map(|r| regex::Regex::new(r).expect("valid regex")),
    }
}

#[test]
fn user_rules() {
    let m = Matcher::new(
        &[],
        &[
            rule("radar-parts", "military", &["radar", "S-400"], None),
            rule("gjb-regex", "military", &[], Some(r"GJB\s*\d+")),
        ],
        &[],
    )
    .expect("compiles");
    let found = m.claims(&text("We sell radar modules."));
    assert_eq!(summary(&found), [("radar-parts".into(), None)]);
    assert_eq!(found[0].lang, "und");
    assert_eq!(found[0].category, Category::Military);
    assert_eq!(found[0].terms, ["radar"]);
    let found = m.claims(&text("Parts for the s 400"));
    assert_eq!(found[0].terms, ["S-400"]);
    let found = m.claims(&text("Tested to ＧＪＢ 548."));
    assert!(
        found
            .iter()
            .any(|c| c.rule == "gjb-regex" && c.terms == [r"GJB\s*\d+"])
    );
}

#[test]
fn user_partner_rule_needs_a_manufacturer() {
    let m = Matcher::new(
        &[],
        &[rule("reseller", "partner", &["value added reseller"], None)],
        &["partner".into()],
    )
    .expect("compiles");
    assert!(m.claims(&text("Value added reseller.")).is_empty());
    assert!(m.claims(&text("Authorized distributor of TI.")).is_empty());
    let found = m.claims(&text("Value-added reseller of Broadcom."));
    assert_eq!(
        summary(&found),
        [("reseller".into(), Some("Broadcom".into()))]
    );
    assert_eq!(found[0].category, Category::Partner);
}

#[test]
fn disabled_packs() {
    let t = text("Authorized distributor of TI military parts.");
    let m = Matcher::new(&[], &[], &["military".into()]).expect("compiles");
    assert_eq!(
        summary(&m.claims(&t)),
        [("partner-en".into(), Some("Texas Instruments".into()))]
    );
    let m = Matcher::new(&[], &[], &["military".into(), "partner".into()]).expect("compiles");
    assert!(m.claims(&t).is_empty());
    let err = Matcher::new(&[], &[], &["navy".into()]).expect_err("unknown pack");
    assert!(err.to_string().contains("navy"), "{err}");
}

#[test]
fn user_rule_errors() {
    let err = Matcher::new(&[], &[rule("military-en", "military", &["x"], None)], &[])
        .expect_err("clashes with a built-in id");
    assert!(err.to_string().contains("military-en"), "{err}");
    let err =
        Matcher::new(&[], &[rule("r", "military", &["?!"], None)], &[]).expect_err("no letters");
    assert!(err.to_string().starts_with("rule r:"), "{err}");
}

#[test]
fn config_manufacturers() {
    let m = Matcher::new(
        &[
            Manufacturer {
                name: "Texas Instruments".into(),
                aliases: vec!["TXN".into()],
                domains: vec!["ti.com.cn".into()],
                authorized: Some(vec!["mouser.com".into(), "digikey.com".into()]),
                source: Some("https://www.ti.com/distributors".into()),
            },
            Manufacturer {
                name: "Milandr".into(),
                aliases: vec!["Миландр".into()],
                domains: vec!["milandr.ru".into()],
                authorized: None,
                source: None,
            },
        ],
        &[],
        &[],
    )
    .expect("compiles");
    let ti = m.manufacturer("Texas Instruments").expect("known");
    assert_eq!(ti.aliases, ["TI", "德州仪器", "德州儀器", "TXN"]);
    assert_eq!(ti.domains, ["ti.com", "ti.com.cn"]);
    assert_eq!(ti.authorized.as_ref().map(Vec::len), Some(2));
    assert_eq!(m.manufacturers().len(), 16);
    assert_eq!(
        summary(&m.claims(&text("Authorized distributor of TXN."))),
        [("partner-en".into(), Some("Texas Instruments".into()))]
    );
    assert_eq!(
        summary(&m.claims(&text("Официальный дистрибьютор АО «Миландр»."))),
        [("partner-ru".into(), Some("Milandr".into()))]
    );
}

#[test]
fn built_in_manufacturers() {
    let m = matcher();
    let names: Vec<&str> = m.manufacturers().iter().map(|k| k.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Texas Instruments",
            "Analog Devices",
            "Xilinx",
            "AMD",
            "Altera",
            "Intel",
            "Microchip",
            "Maxim Integrated",
            "NXP",
            "STMicroelectronics",
            "Infineon",
            "ON Semiconductor",
            "Renesas",
            "Broadcom",
            "Qualcomm",
        ]
    );
    assert!(
        m.manufacturers()
            .iter()
            .all(|k| k.authorized.is_none() && !k.domains.is_empty())
    );
    for (t, maker) in [
        ("Authorized distributor of Analog Devices", "Analog Devices"),
        ("赛灵思代理", "Xilinx"),
        ("AMD authorized distributor", "AMD"),
        ("阿尔特拉代理", "Altera"),
        ("英特爾代理", "Intel"),
        ("Microchip partner", "Microchip"),
        ("Maxim Integrated partner", "Maxim Integrated"),
        ("恩智浦代理", "NXP"),
        ("意法半导体代理", "STMicroelectronics"),
        ("英飛凌代理", "Infineon"),
        ("onsemi partner", "ON Semiconductor"),
        ("瑞萨代理", "Renesas"),
        ("博通代理", "Broadcom"),
        ("高通代理", "Qualcomm"),
    ] {
        let found = m.claims(&text(t));
        assert_eq!(
            found
                .iter()
                .map(|c| c.manufacturer.as_deref())
                .collect::<Vec<_>>(),
            [Some(maker)],
            "{t:?}"
        );
    }
}

// --- speed ---

#[test]
fn large_page() {
    let m = matcher();
    let blocks: Vec<Block> = (0..100_000)
        .map(|i| {
            Block::new(
                BlockKind::ListItem,
                match i % 4 {
                    0 => format!("LM358DR{i} op-amp, 3.3V, SOIC-8. In stock: {i} pcs."),
                    1 => format!("我们销售电阻和电容，型号{i}。"),
                    2 => format!("Резистор {i} Ом, поставка со склада."),
                    _ => format!("Military grade part {i}."),
                },
            )
        })
        .collect();
    let d = Document {
        blocks,
        ..Document::default()
    };
    let start = std::time::Instant::now();
    let found = m.claims(&d);
    assert_eq!(found.len(), 25_000);
    // Generous even for an unoptimised build; the point is catching a quadratic blow-up.
    assert!(start.elapsed().as_secs() < 30, "{:?}", start.elapsed());
}

// --- wrong-sense matches seen on real pages ---

#[test]
fn a_defense_of_an_argument_is_no_military_claim() {
    assert!(claims("He wrote a defense of a comment he had made.").is_empty());
    assert!(claims("An essay in defence of free speech.").is_empty());
    assert!(claims("In Defense of Food, a book about eating.").is_empty());
    assert_eq!(
        summary(&claims("We supply the defense industry.")),
        [("military-en".into(), None)],
        "the military sense stays"
    );
}

#[test]
fn weaponized_as_a_metaphor_is_no_military_claim() {
    assert!(claims("Social media can be weaponized against journalists.").is_empty());
    assert!(claims("The weaponisation of data is a growing worry.").is_empty());
    assert_eq!(
        summary(&claims("Components for weapon systems.")),
        [("military-en".into(), None)]
    );
}

#[test]
fn catch_22_is_no_military_claim() {
    assert!(claims("我最喜欢的小说是《第22条军规》。").is_empty());
    assert!(claims("約瑟夫·海勒的《第22條軍規》是經典。").is_empty());
    assert!(claims("《第二十二条军规》").is_empty());
    assert_eq!(
        summary(&claims("本公司产品符合军规标准。")),
        [("military-zh-hans".into(), None)]
    );
}

#[test]
fn every_built_in_pattern_compiles() {
    // Built-in patterns are compiled on first use; this is what lets that use not fail.
    let compiled = matcher()
        .compile_every_regex()
        .expect("every built-in pattern compiles");
    assert!(compiled > 10, "only {compiled} built-in patterns");
}
