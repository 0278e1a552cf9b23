//! What changed on a site in one run, decided from its pages' claims before and after (README
//! "What is and is not a change"). Pure: no store, no flags, just decisions with their reasons.
//!
//! 1. Per page, claims that left and claims that came (equal normalised text is unchanged).
//! 2. A claim that left a page is a *site* removal only when no page of the site carries the
//!    same claim after the run; one that came is a *site* addition only when no page carried it
//!    before. Anything else is rotation or a move, and raises nothing, unless a claim left (or
//!    came to) the main content of one page while it stands elsewhere both before and after and
//!    moved nowhere else this run: a *page* removal (addition).
//! 3. On one page, a site removal and a site addition of one rule and maker whose wording is
//!    mostly shared are one rewording.
//! 4. One claim raises one site-level decision, whichever pages it left or came to.

use super::identity::{REWORDING, Wording, rewording_similarity};
use super::index::{ClaimIndex, group_of};
use super::site::{PagesCompared, SitePage, plural};
use super::template::MainContent;
use crate::claims::Claim;
use crate::flags::{FlagType, Scope};

/// One change of one claim on one page.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub flag_type: FlagType,
    pub scope: Scope,
    /// Index into the pages given to [`decide`].
    pub page: usize,
    /// The claim as it stood (removed) or stands (added, changed).
    pub claim: Claim,
    /// For a rewording, the wording it replaced.
    pub replaced: Option<Claim>,
    pub reason: String,
}

/// A claim that left or came to one page.
struct Moved<'a> {
    page: usize,
    claim: &'a Claim,
    wording: Wording,
    /// In the page's main content (see [`MainContent`]), not template or a rotating box.
    main: bool,
}

/// The pages (indexes) a claim text stands on in one state of the site.
type Carriers = Vec<usize>;

/// Decides what changed on the site. Decisions come in page order, removals before additions.
pub fn decide(pages: &[SitePage]) -> Vec<Decision> {
    let main = MainContent::of(pages);
    let before = carriers(pages, SitePage::before_claims);
    let after = carriers(pages, SitePage::after_claims);
    let (left, came) = page_deltas(pages, &main);
    let mut in_motion: ClaimIndex<Carriers> = ClaimIndex::default();
    for m in left.iter().chain(&came) {
        let id = in_motion.insert_with(m.claim, Vec::new);
        push_page(&mut in_motion.entry_mut(id).value, m.page);
    }
    let elsewhere = |index: &ClaimIndex<Carriers>, m: &Moved<'_>| {
        index.find(m.claim, &m.wording, |e| {
            e.value.iter().any(|&p| p != m.page)
        })
    };
    let pages_elsewhere = |index: &ClaimIndex<Carriers>, m: &Moved<'_>| {
        elsewhere(index, m).map_or(0, |id| {
            index.entries()[id]
                .value
                .iter()
                .filter(|&&p| p != m.page)
                .count()
        })
    };

    let mut decisions = Vec::new();
    let mut site_left: Vec<&Moved<'_>> = Vec::new();
    let mut site_came: Vec<&Moved<'_>> = Vec::new();
    for (moves, flag_type, other_state) in [
        (&left, FlagType::ClaimRemoved, &after),
        (&came, FlagType::ClaimAdded, &before),
    ] {
        let this_state = if flag_type == FlagType::ClaimRemoved {
            &before
        } else {
            &after
        };
        for m in moves {
            if other_state.find(m.claim, &m.wording, |_| true).is_none() {
                match flag_type {
                    FlagType::ClaimRemoved => site_left.push(m),
                    _ => site_came.push(m),
                }
                continue;
            }
            // The site says it both before and after: only a main-content change of this page
            // that is no part of a move is worth a (low) flag.
            let stays = pages_elsewhere(other_state, m);
            if !m.main
                || stays == 0
                || elsewhere(this_state, m).is_none()
                || elsewhere(&in_motion, m).is_some()
            {
                continue;
            }
            let (verb, tense) = match flag_type {
                FlagType::ClaimRemoved => ("left", "still carries it"),
                _ => ("came to", "carried it before"),
            };
            decisions.push(Decision {
                flag_type,
                scope: Scope::Page,
                page: m.page,
                claim: m.claim.clone(),
                replaced: None,
                reason: format!(
                    "{verb} the main content of this page; the site {tense} on {stays} other {}",
                    plural(stays, "page", "pages")
                ),
            });
        }
    }

    let (rewordings, site_left, site_came) = pair_rewordings(site_left, site_came);
    decisions.extend(rewordings);
    let compared = PagesCompared::of(pages).describe();
    for (moves, flag_type, reason) in [
        (
            site_left,
            FlagType::ClaimRemoved,
            format!("no page of the site carries it now: {compared}"),
        ),
        (
            site_came,
            FlagType::ClaimAdded,
            format!("no page of the site carried it before: {compared}"),
        ),
    ] {
        for m in once_per_claim(moves) {
            decisions.push(Decision {
                flag_type,
                scope: Scope::Site,
                page: m.page,
                claim: m.claim.clone(),
                replaced: None,
                reason: reason.clone(),
            });
        }
    }
    decisions.sort_by_key(|d| (d.page, d.flag_type != FlagType::ClaimRemoved));
    decisions
}

/// Every claim text of one state of the site, with the pages it stands on.
fn carriers<'a>(
    pages: &'a [SitePage],
    state: impl Fn(&'a SitePage) -> Option<&'a [Claim]>,
) -> ClaimIndex<Carriers> {
    let mut index = ClaimIndex::default();
    for (i, page) in pages.iter().enumerate() {
        for claim in state(page).unwrap_or_default() {
            let id = index.insert_with(claim, Vec::new);
            push_page(&mut index.entry_mut(id).value, i);
        }
    }
    index
}

fn push_page(pages: &mut Carriers, page: usize) {
    if pages.last() != Some(&page) {
        pages.push(page);
    }
}

/// Claims that left and came to each page compared this run, by equal normalised text.
fn page_deltas<'a>(pages: &'a [SitePage], main: &MainContent) -> (Vec<Moved<'a>>, Vec<Moved<'a>>) {
    let key = |c: &Claim| (group_of(c), c.normalized.clone());
    let moved = |page, claim: &'a Claim, main| Moved {
        page,
        claim,
        wording: Wording::new(&claim.normalized, &claim.terms),
        main,
    };
    let (mut left, mut came) = (Vec::new(), Vec::new());
    for (i, page) in pages.iter().enumerate() {
        if !page.compared() {
            continue;
        }
        let old = page.before_claims().unwrap_or_default();
        let new = page.after_claims().unwrap_or_default();
        let old_keys: std::collections::HashSet<_> = old.iter().map(key).collect();
        let new_keys: std::collections::HashSet<_> = new.iter().map(key).collect();
        for (j, claim) in old.iter().enumerate() {
            if !new_keys.contains(&key(claim)) {
                left.push(moved(i, claim, main.before(i, j)));
            }
        }
        for (j, claim) in new.iter().enumerate() {
            if !old_keys.contains(&key(claim)) {
                came.push(moved(i, claim, main.after(i, j)));
            }
        }
    }
    (left, came)
}

/// On each page, pairs site removals with site additions of the same rule and maker whose
/// wording is mostly shared, most similar first. Returns the rewordings and what is left.
fn pair_rewordings<'m, 'a>(
    left: Vec<&'m Moved<'a>>,
    came: Vec<&'m Moved<'a>>,
) -> (Vec<Decision>, Vec<&'m Moved<'a>>, Vec<&'m Moved<'a>>) {
    let mut candidates: Vec<(f32, usize, usize)> = Vec::new();
    for (i, gone) in left.iter().enumerate() {
        for (j, new) in came.iter().enumerate() {
            if gone.page != new.page || group_of(gone.claim) != group_of(new.claim) {
                continue;
            }
            let similarity = rewording_similarity(&gone.wording, &new.wording);
            if similarity >= REWORDING {
                candidates.push((similarity, i, j));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    let mut left_used = vec![false; left.len()];
    let mut came_used = vec![false; came.len()];
    let mut seen = std::collections::HashSet::new();
    let mut rewordings = Vec::new();
    for (similarity, i, j) in candidates {
        if left_used[i] || came_used[j] {
            continue;
        }
        left_used[i] = true;
        came_used[j] = true;
        let (old, new) = (left[i].claim, came[j].claim);
        // A template line reworded on every page is one rewording.
        if !seen.insert((
            group_of(old),
            old.normalized.clone(),
            new.normalized.clone(),
        )) {
            continue;
        }
        rewordings.push(Decision {
            flag_type: FlagType::ClaimChanged,
            scope: Scope::Page,
            page: came[j].page,
            claim: new.clone(),
            replaced: Some(old.clone()),
            reason: format!(
                "reworded: {:.0}% of the wording shared (a rewording shares at least {:.0}%)",
                similarity * 100.0,
                REWORDING * 100.0
            ),
        });
    }
    let unused = |moves: Vec<&'m Moved<'a>>, used: &[bool]| {
        moves
            .into_iter()
            .zip(used)
            .filter(|(_, used)| !**used)
            .map(|(m, _)| m)
            .collect()
    };
    (
        rewordings,
        unused(left, &left_used),
        unused(came, &came_used),
    )
}

/// One of each claim: where the same claim left (or came to) several pages, the first page
/// whose main content held it, else the first page.
fn once_per_claim<'m, 'a>(mut moves: Vec<&'m Moved<'a>>) -> Vec<&'m Moved<'a>> {
    moves.sort_by_key(|m| (!m.main, m.page));
    let mut seen: ClaimIndex<()> = ClaimIndex::default();
    let mut kept = Vec::new();
    for m in moves {
        if seen.find(m.claim, &m.wording, |_| true).is_none() {
            seen.insert_with(m.claim, || ());
            kept.push(m);
        }
    }
    kept
}

#[cfg(test)]
mod tests;
