//! How long detection takes on a big site: `cargo bench --bench detect`.
//!
//! A site of 200 pages carrying 5,000 claim sentences (25 a page), crawled twice: every page's
//! news sidebar and featured product rotate, the product tables hold thousands of distinct
//! catalogue lines that differ only by part number, and a few claims are taken down, added or
//! reworded. Detection (`decide`) must stay well under a second: identity lookups go through an
//! index, never through every pair of claims.

use std::sync::Arc;
use std::time::Instant;

use claimwatch::claims::Claim;
use claimwatch::claims::normalize::normalize;
use claimwatch::detect::decide::decide;
use claimwatch::detect::site::{BlockMark, PageAfter, PageView, SitePage};
use claimwatch::extract::{BlockKind, Region};

const PAGES: usize = 200;
const CLAIMS_PER_PAGE: usize = 25;

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn claim(text: &str, section: u64) -> Claim {
    Claim {
        rule: "military-en".into(),
        category: "military".into(),
        lang: "en".into(),
        terms: vec!["military".into()],
        text: text.into(),
        normalized: normalize(text),
        block: BlockKind::Text,
        manufacturer: None,
        region: Region {
            section,
            boilerplate: false,
        },
    }
}

const LINES: [&str; 5] = [
    "MIL-PRF-38535 qualified, military temperature range",
    "radiation hardened for military and aerospace programs",
    "MIL-STD-883 screened for military avionics",
    "used in military radar and electronic warfare systems",
    "military grade, extended temperature, long-term supply",
];

/// One page's claim texts at crawl `round`.
fn texts(page: usize, round: u64) -> Vec<(String, u64)> {
    let visit = mix((page as u64) << 8 | round);
    let mut texts = Vec::new();
    // The sidebar: 3 of 40 headlines, drawn anew on every visit.
    for k in 0..3 {
        let h = mix(visit + k) % 40;
        texts.push((
            format!("Meet us at military electronics show number {h} this autumn"),
            1,
        ));
    }
    // The featured product: a part number and its catalogue line.
    let f = mix(visit ^ 0xfeed) % 2_000;
    texts.push((format!("XC{f:05}-1CLG400I {}", LINES[(f % 5) as usize]), 2));
    // The product table: distinct parts, one line each.
    for row in 0..(CLAIMS_PER_PAGE - 6) {
        let part = (page * (CLAIMS_PER_PAGE - 6) + row) % 2_000;
        texts.push((format!("XC{part:05}-1CLG400I {}", LINES[part % 5]), 3));
    }
    // Main content: two sentences of the page's own; on four pages one is taken down and an
    // unrelated one put up.
    texts.push((own_sentence(page, 0), 4));
    let own = if round == 1 && page.is_multiple_of(50) {
        format!(
            "Brand new {} for {} armed forces",
            word(page, 3),
            word(page, 4)
        )
    } else {
        own_sentence(page, 1)
    };
    texts.push((own, 4));
    texts
}

const SYLLABLES: [&str; 20] = [
    "ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "ba", "de", "fu", "go", "hi", "ja", "ke", "lu",
    "ma", "no", "pe", "ri",
];

/// A made-up word for a page's slot: 8,000 of them, so no two pages say the same thing.
fn word(page: usize, slot: u64) -> String {
    let pick = mix(page as u64 * 31 + slot);
    (0..3)
        .map(|k| SYLLABLES[((pick >> (8 * k)) % 20) as usize])
        .collect()
}

fn own_sentence(page: usize, n: u64) -> String {
    format!(
        "Our {} and {} division supplies {} military {} systems",
        word(page, n * 8),
        word(page, n * 8 + 1),
        word(page, n * 8 + 2),
        word(page, n * 8 + 5),
    )
}

fn view(page: usize, round: u64) -> Arc<PageView> {
    let texts = texts(page, round);
    Arc::new(PageView {
        blocks: texts
            .iter()
            .map(|(t, section)| BlockMark {
                section: *section,
                text: mix(t.len() as u64 ^ t.bytes().map(u64::from).sum::<u64>()),
            })
            .collect(),
        claims: texts
            .iter()
            .map(|(t, section)| claim(t, *section))
            .collect(),
    })
}

fn main() {
    let pages: Vec<SitePage> = (0..PAGES)
        .map(|page| SitePage {
            url: format!("https://www.example.com/p{page}.html"),
            before: Some(view(page, 0)),
            after: PageAfter::Fetched(view(page, 1)),
        })
        .collect();
    let claims: usize = pages
        .iter()
        .map(|p| p.before.as_ref().map_or(0, |v| v.claims.len()))
        .sum();
    let mut best = f64::MAX;
    let mut decisions = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        decisions = decide(&pages);
        best = best.min(started.elapsed().as_secs_f64());
    }
    let by_kind = |kind: &str| {
        decisions
            .iter()
            .filter(|d| format!("{}:{:?}", d.flag_type.as_str(), d.scope) == kind)
            .count()
    };
    println!(
        "detect: {PAGES} pages, {claims} claim sentences, best of 5: {:.1} ms; decisions: {} \
         (site added {}, page changed {}, site removed {})",
        best * 1000.0,
        decisions.len(),
        by_kind("claim_added:Site"),
        by_kind("claim_changed:Page"),
        by_kind("claim_removed:Site"),
    );
}
