use std::sync::Arc;

use super::*;
use crate::claims::normalize::normalize;
use crate::detect::site::{BlockMark, PageAfter, PageView};
use crate::extract::{BlockKind, Region};

fn claim(text: &str) -> Claim {
    Claim {
        rule: "military-en".into(),
        category: "military".into(),
        lang: "en".into(),
        terms: vec!["military".into()],
        text: text.into(),
        normalized: normalize(text),
        block: BlockKind::Text,
        manufacturer: None,
        region: Default::default(),
    }
}

/// A page whose claims stand in unknown places, as in documents stored before places were
/// recorded.
fn claims(texts: &[&str]) -> Arc<PageView> {
    in_section(0, texts, &[])
}

/// A page whose claims stand in `section`, beside blocks of `other` text.
fn in_section(section: u64, texts: &[&str], other: &[&str]) -> Arc<PageView> {
    let mark = |text: &str| BlockMark {
        section,
        text: text
            .bytes()
            .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))),
    };
    Arc::new(PageView {
        claims: texts
            .iter()
            .map(|t| Claim {
                region: Region {
                    section,
                    boilerplate: false,
                },
                ..claim(t)
            })
            .collect(),
        blocks: texts.iter().chain(other).map(|t| mark(t)).collect(),
    })
}

fn page(url: &str, before: &[&str], after: &[&str]) -> SitePage {
    SitePage {
        url: url.into(),
        before: Some(claims(before)),
        after: PageAfter::Fetched(claims(after)),
    }
}

fn summary(decisions: &[Decision], pages: &[SitePage]) -> Vec<(String, &'static str, String)> {
    decisions
        .iter()
        .map(|d| {
            (
                format!(
                    "{}:{}",
                    d.flag_type.as_str(),
                    if d.scope == Scope::Site {
                        "site"
                    } else {
                        "page"
                    }
                ),
                match pages[d.page].url.as_str() {
                    "/" => "/",
                    "/about" => "/about",
                    "/products" => "/products",
                    "/news" => "/news",
                    _ => "other",
                },
                d.claim.text.clone(),
            )
        })
        .collect()
}

const ABOUT: &str = "Winninc is a top distributor for industrial, military, aerospace, and consumer electronics manufacturers.";
const H1: &str = "Meet us at the military electronics exhibition";
const H2: &str = "Our military product catalogue for 2027 is out";
const H3: &str = "New military temperature range amplifiers in stock";

#[test]
fn a_removal_is_a_site_removal_even_when_a_headline_rotates_onto_the_page() {
    let pages = vec![
        page("/", &[H2], &[H1]),
        page("/about", &[ABOUT, H1], &[H2]),
        page("/products", &[H3], &[H3]),
    ];
    let decisions = decide(&pages);
    assert_eq!(
        summary(&decisions, &pages),
        [(
            "claim_removed:site".to_string(),
            "/about",
            ABOUT.to_string()
        )]
    );
    assert!(
        decisions[0]
            .reason
            .contains("no page of the site carries it now"),
        "{}",
        decisions[0].reason
    );
    assert!(
        decisions[0].reason.contains("3 good pages compared"),
        "{}",
        decisions[0].reason
    );
}

#[test]
fn an_addition_is_a_site_addition_even_when_a_headline_rotates_off_the_page() {
    let new = "We now ship military grade FPGAs from Hong Kong";
    let pages = vec![
        page("/", &[H2], &[H1]),
        page("/products", &[H1, H3], &[H3, new, H2]),
    ];
    let decisions = decide(&pages);
    assert_eq!(
        summary(&decisions, &pages),
        [("claim_added:site".to_string(), "/products", new.to_string())]
    );
}

#[test]
fn rotation_between_pages_is_no_change() {
    let pages = vec![
        page("/", &[H1, H2], &[H3, H1]),
        page("/about", &[H3], &[H2]),
        page("/news", &[H2, H3], &[H1]),
    ];
    assert_eq!(decide(&pages), []);
}

#[test]
fn a_featured_line_leaving_while_the_product_table_keeps_its_text_is_no_change() {
    let pages = vec![
        page(
            "/",
            &["XC7Z020-1CLG400I MIL-PRF-38535 qualified, military temperature range"],
            &["EP4CE22F17I7 radiation hardened, military grade"],
        ),
        page(
            "/products",
            &[
                "MIL-PRF-38535 qualified, military temperature range",
                "radiation hardened, military grade",
            ],
            &[
                "MIL-PRF-38535 qualified, military temperature range",
                "radiation hardened, military grade",
            ],
        ),
    ];
    assert_eq!(decide(&pages), []);
}

#[test]
fn a_headline_leaving_the_sidebar_while_the_dated_news_list_keeps_it_is_no_change() {
    let pages = vec![
        page("/", &[H1], &[]),
        page(
            "/news",
            &[&format!("2026-11-02 {H1}")],
            &[&format!("2026-11-02 {H1}")],
        ),
    ];
    assert_eq!(decide(&pages), []);
}

#[test]
fn a_rewording_is_one_change_and_an_unrelated_swap_is_a_removal_and_an_addition() {
    let reworded =
        "Winninc is a leading distributor for industrial, military and aerospace manufacturers.";
    let pages = vec![page("/about", &[ABOUT], &[reworded])];
    let decisions = decide(&pages);
    assert_eq!(
        summary(&decisions, &pages),
        [(
            "claim_changed:page".to_string(),
            "/about",
            reworded.to_string()
        )]
    );
    assert_eq!(
        decisions[0].replaced.as_ref().map(|c| c.text.as_str()),
        Some(ABOUT)
    );
    assert!(
        decisions[0].reason.contains("% of the wording shared"),
        "{}",
        decisions[0].reason
    );

    let unrelated = "Radiation hardened military parts for space programmes.";
    let pages = vec![page("/about", &[ABOUT], &[unrelated])];
    let decisions = decide(&pages);
    assert_eq!(
        summary(&decisions, &pages),
        [
            (
                "claim_removed:site".to_string(),
                "/about",
                ABOUT.to_string()
            ),
            (
                "claim_added:site".to_string(),
                "/about",
                unrelated.to_string()
            ),
        ]
    );
}

#[test]
fn a_claim_gone_from_several_pages_is_one_site_removal() {
    let pages = vec![
        page("/", &[ABOUT], &[]),
        page("/about", &[ABOUT], &[]),
        page("/news", &[ABOUT], &[]),
    ];
    let decisions = decide(&pages);
    assert_eq!(decisions.len(), 1, "{decisions:#?}");
    assert_eq!(decisions[0].scope, Scope::Site);
}

#[test]
fn a_claim_leaving_one_page_main_content_while_another_keeps_it_is_a_page_removal() {
    let main = |texts: &[&str], other: &[&str]| PageAfter::Fetched(in_section(7, texts, other));
    let home_text = ["Welcome to Winninc"];
    let about_text = ["Founded in 2009 in Hong Kong.", "We ship worldwide."];
    let pages = vec![
        SitePage {
            url: "/".into(),
            before: Some(in_section(7, &[ABOUT], &home_text)),
            after: main(&[ABOUT], &home_text),
        },
        SitePage {
            url: "/about".into(),
            before: Some(in_section(7, &[ABOUT, H3], &about_text)),
            after: main(&[H3], &about_text),
        },
    ];
    let decisions = decide(&pages);
    assert_eq!(
        summary(&decisions, &pages),
        [(
            "claim_removed:page".to_string(),
            "/about",
            ABOUT.to_string()
        )]
    );
    assert!(
        decisions[0]
            .reason
            .contains("still carries it on 1 other page"),
        "{}",
        decisions[0].reason
    );
}

#[test]
fn a_claim_in_unknown_places_leaving_one_page_is_no_page_removal() {
    let pages = vec![
        page("/", &[ABOUT], &[ABOUT]),
        page("/about", &[ABOUT, H3], &[H3]),
    ];
    assert_eq!(
        decide(&pages),
        [],
        "page scope needs a known place in the main content"
    );
}

#[test]
fn a_claim_in_a_box_drawn_anew_each_visit_is_no_page_removal() {
    let boxed = |texts: &[&str]| in_section(9, texts, &[]);
    let pages = vec![
        SitePage {
            url: "/".into(),
            before: Some(boxed(&[ABOUT])),
            after: PageAfter::Fetched(boxed(&[ABOUT])),
        },
        SitePage {
            url: "/about".into(),
            before: Some(boxed(&[ABOUT, H3])),
            after: PageAfter::Fetched(boxed(&[H1])),
        },
    ];
    let decisions = decide(&pages);
    assert!(
        decisions.iter().all(|d| d.scope == Scope::Site),
        "{decisions:#?}"
    );
}

#[test]
fn a_template_claim_leaving_one_page_is_no_page_removal() {
    let footer = "Supplier of military grade components since 2009";
    let pages = vec![
        page("/", &[footer], &[footer]),
        page("/about", &[footer], &[]),
        page("/products", &[footer], &[footer]),
        page("/news", &[footer], &[footer]),
    ];
    assert_eq!(decide(&pages), []);
}

#[test]
fn a_gone_page_removes_what_no_other_page_says() {
    let pages = vec![
        page("/", &[H1], &[H1]),
        SitePage {
            url: "/about".into(),
            before: Some(claims(&[ABOUT, H1])),
            after: PageAfter::Gone,
        },
    ];
    let decisions = decide(&pages);
    assert_eq!(
        summary(&decisions, &pages),
        [(
            "claim_removed:site".to_string(),
            "/about",
            ABOUT.to_string()
        )]
    );
    assert!(
        decisions[0].reason.contains("1 page gone"),
        "{}",
        decisions[0].reason
    );
}

#[test]
fn a_page_not_fetched_well_counts_with_its_last_good_capture() {
    let pages = vec![
        page("/", &[ABOUT], &[]),
        SitePage {
            url: "/about".into(),
            before: Some(claims(&[ABOUT])),
            after: PageAfter::Unchanged,
        },
    ];
    assert_eq!(decide(&pages), []);
}

#[test]
fn a_new_page_is_a_baseline_but_counts_for_what_the_site_says() {
    let pages = vec![
        page("/", &[ABOUT], &[]),
        SitePage {
            url: "/about".into(),
            before: None,
            after: PageAfter::Fetched(claims(&[ABOUT, H1])),
        },
    ];
    assert_eq!(
        decide(&pages),
        [],
        "moved to a new page; the new page's claims are its baseline"
    );
}
