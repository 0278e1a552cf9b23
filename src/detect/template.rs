//! Telling a page's main content from the site's template and from rotating boxes.
//!
//! Blocks repeated across most of a site's pages (navigation, sidebars, footers, featured boxes)
//! are template: their claims count for what the site says, never for what one page says
//! (README "Claim identity"). Only a claim in a page's main content can raise a page-scope flag,
//! and a claim is main content only when every sign agrees:
//! - its block's place is known ([`crate::extract::Region`]) and is no navigation, header,
//!   footer or sidebar;
//! - its text does not stand on most of the site's pages;
//! - its section (the containers around it) is not one that most pages share while filling it
//!   with text found on other pages too (a news box, a featured product);
//! - its section on this page kept at least half its blocks through the run: a box whose
//!   content is drawn anew on every visit is rotation, whatever its markup.

use std::collections::{HashMap, HashSet};

use super::index::group_of;
use super::site::{BlockMark, PageView, SitePage};

/// Least number of pages a claim text must stand on to be template by repetition alone: on a
/// site of two pages, a sentence on both may well be main content.
const MIN_REPEATED_PAGES: usize = 3;

/// Share of a section's blocks on a page that must be found on other pages for the section to
/// be template (when most pages have that section).
const SHARED_SECTION: f32 = 0.5;

/// Share of a section's blocks on a page that must survive the run for its claims to be main
/// content.
const STABLE_SECTION: f32 = 0.5;

/// For every page compared this run, which claims before and after are main content.
#[derive(Debug, Default)]
pub struct MainContent {
    before: Vec<Vec<bool>>,
    after: Vec<Vec<bool>>,
}

impl MainContent {
    pub fn of(pages: &[SitePage]) -> MainContent {
        let before: Vec<Option<&PageView>> = pages.iter().map(|p| p.before.as_deref()).collect();
        let after: Vec<Option<&PageView>> = pages.iter().map(SitePage::after_view).collect();
        // Text found on two pages, in either state: rotation spreads a box's items over pages.
        let mut pages_of_text: HashMap<u64, HashSet<usize>> = HashMap::new();
        for state in [&before, &after] {
            for (i, view) in state.iter().enumerate() {
                for block in view.map_or(&[][..], |v| &v.blocks) {
                    pages_of_text.entry(block.text).or_default().insert(i);
                }
            }
        }
        let shared = |page: usize, text: u64| {
            pages_of_text
                .get(&text)
                .is_some_and(|p| p.len() > 1 || !p.contains(&page))
        };
        let mut marks = MainContent::default();
        for (state, out) in [(&before, &mut marks.before), (&after, &mut marks.after)] {
            let site = SiteState::of(state);
            *out = pages
                .iter()
                .enumerate()
                .map(|(i, page)| {
                    let Some(view) = state[i] else {
                        return Vec::new();
                    };
                    view.claims
                        .iter()
                        .map(|claim| {
                            let section = claim.region.section;
                            page.compared()
                                && section != 0
                                && !claim.region.boilerplate
                                && site.carried_by(group_of(claim), &claim.normalized)
                                    < site.repeated_on
                                && !site.template_section(i, view, section, &shared)
                                && stable(page, section)
                        })
                        .collect()
                })
                .collect();
        }
        marks
    }

    pub fn before(&self, page: usize, claim: usize) -> bool {
        self.before
            .get(page)
            .and_then(|p| p.get(claim))
            .copied()
            .unwrap_or(false)
    }

    pub fn after(&self, page: usize, claim: usize) -> bool {
        self.after
            .get(page)
            .and_then(|p| p.get(claim))
            .copied()
            .unwrap_or(false)
    }
}

/// What one state of the site (every page before, or after) says about repetition.
struct SiteState<'a> {
    pages: usize,
    repeated_on: usize,
    claim_pages: HashMap<(u64, &'a str), usize>,
    section_pages: HashMap<u64, usize>,
}

impl<'a> SiteState<'a> {
    fn of(state: &[Option<&'a PageView>]) -> SiteState<'a> {
        let pages = state.iter().filter(|p| p.is_some()).count();
        let mut site = SiteState {
            pages,
            repeated_on: MIN_REPEATED_PAGES.max(pages.div_ceil(2)),
            claim_pages: HashMap::new(),
            section_pages: HashMap::new(),
        };
        for view in state.iter().flatten() {
            // Claims are distinct per page, so each counts one page.
            for claim in &view.claims {
                *site
                    .claim_pages
                    .entry((group_of(claim), claim.normalized.as_str()))
                    .or_default() += 1;
            }
            let sections: HashSet<u64> = view.blocks.iter().map(|b| b.section).collect();
            for section in sections {
                *site.section_pages.entry(section).or_default() += 1;
            }
        }
        site
    }

    fn carried_by(&self, group: u64, normalized: &str) -> usize {
        self.claim_pages
            .get(&(group, normalized))
            .copied()
            .unwrap_or(0)
    }

    /// A section most pages have, filled on this page mostly with text other pages show too.
    fn template_section(
        &self,
        page: usize,
        view: &PageView,
        section: u64,
        shared: &dyn Fn(usize, u64) -> bool,
    ) -> bool {
        let on_pages = self.section_pages.get(&section).copied().unwrap_or(0);
        if on_pages < 2.max(self.pages.div_ceil(2)) {
            return false;
        }
        let blocks: Vec<&BlockMark> = view
            .blocks
            .iter()
            .filter(|b| b.section == section)
            .collect();
        let shared_blocks = blocks.iter().filter(|b| shared(page, b.text)).count();
        !blocks.is_empty() && shared_blocks as f32 >= SHARED_SECTION * blocks.len() as f32
    }
}

/// Whether the page's section kept at least half its blocks through the run.
fn stable(page: &SitePage, section: u64) -> bool {
    let (Some(before), Some(after)) = (page.before.as_deref(), page.after_view()) else {
        return false;
    };
    let texts = |view: &PageView| -> HashSet<u64> {
        view.blocks
            .iter()
            .filter(|b| b.section == section)
            .map(|b| b.text)
            .collect()
    };
    let (old, new) = (texts(before), texts(after));
    let kept = old.intersection(&new).count();
    !old.is_empty() && !new.is_empty() && kept as f32 >= STABLE_SECTION * old.len() as f32
}
