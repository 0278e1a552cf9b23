//! Finding a claim's twin in a site's claims without comparing it with every one of them.
//!
//! A site can carry thousands of claim sentences; asking "does the site still say this?" for
//! each claim that left a page must not cost a comparison with each claim the site holds. The
//! index answers it from hash lookups, and compares wordings only with the few candidates those
//! lookups return:
//! - equal normalised texts, from a map;
//! - a claim inside a longer one, from every run of three units of the indexed claims;
//! - a longer claim around a shorter indexed one, from the first three units of each;
//! - nearly identical wordings, by prefix filtering: two wordings whose features are
//!   [`NEAR_IDENTICAL`] alike share at least one of the rarer features of each.

use std::collections::HashMap;

use super::identity::{MIN_WEIGHT, NEAR_IDENTICAL, Wording, mix, same_claim};
use crate::claims::Claim;

/// Most candidates compared per lookup step: a bound on the work one claim can cause, whatever
/// the site holds. A claim whose twin hides behind more candidates than this is reported as
/// unmatched rather than found slowly.
const MAX_CANDIDATES: usize = 256;

/// What claims are compared within: one category, one maker. Rules of one category differ by
/// language, and a sentence can match two of them (a Russian catalogue line with a "/883" part
/// number is English-rule military and Russian-rule military): it is one claim, however many
/// rules found it, and the same line without its part number is the same claim too.
pub fn group_of(claim: &Claim) -> u64 {
    let maker = claim.manufacturer.as_deref().unwrap_or("");
    mix(hash(claim.category.as_str()), hash(maker))
}

/// One distinct claim text of the index.
pub struct Entry<T> {
    pub normalized: String,
    pub wording: Wording,
    /// What the caller keeps with the text (for example, the pages that carry it).
    pub value: T,
    group: u64,
}

/// A set of claims to look twins up in.
pub struct ClaimIndex<T> {
    entries: Vec<Entry<T>>,
    exact: HashMap<(u64, String), usize>,
    /// Every run of three units → entries holding it.
    runs: HashMap<u64, Vec<usize>>,
    /// The first run of three units of each entry heavy enough to be found inside others.
    firsts: HashMap<u64, Vec<usize>>,
    /// Feature → entries holding it.
    features: HashMap<u64, Vec<usize>>,
}

impl<T> Default for ClaimIndex<T> {
    fn default() -> Self {
        ClaimIndex {
            entries: Vec::new(),
            exact: HashMap::new(),
            runs: HashMap::new(),
            firsts: HashMap::new(),
            features: HashMap::new(),
        }
    }
}

impl<T> ClaimIndex<T> {
    pub fn entries(&self) -> &[Entry<T>] {
        &self.entries
    }

    pub fn entry_mut(&mut self, id: usize) -> &mut Entry<T> {
        &mut self.entries[id]
    }

    /// The entry of exactly this claim text, adding it with `value()` when absent.
    pub fn insert_with(&mut self, claim: &Claim, value: impl FnOnce() -> T) -> usize {
        let group = group_of(claim);
        if let Some(&id) = self.exact.get(&(group, claim.normalized.clone())) {
            return id;
        }
        let id = self.entries.len();
        let wording = Wording::new(&claim.normalized, &claim.terms);
        for run in wording.trigrams() {
            push_unique(self.runs.entry(mix(group, run)).or_default(), id);
        }
        if wording.weight() >= MIN_WEIGHT {
            if let Some(first) = wording.trigrams().next() {
                self.firsts.entry(mix(group, first)).or_default().push(id);
            }
            for &feature in wording.features() {
                push_unique(self.features.entry(mix(group, feature)).or_default(), id);
            }
        }
        self.exact.insert((group, claim.normalized.clone()), id);
        self.entries.push(Entry {
            normalized: claim.normalized.clone(),
            wording,
            value: value(),
            group,
        });
        id
    }

    /// An entry that is the same claim as `claim` and satisfies `accept`, if any.
    pub fn find(
        &self,
        claim: &Claim,
        wording: &Wording,
        accept: impl Fn(&Entry<T>) -> bool,
    ) -> Option<usize> {
        let group = group_of(claim);
        if let Some(&id) = self.exact.get(&(group, claim.normalized.clone()))
            && accept(&self.entries[id])
        {
            return Some(id);
        }
        if wording.weight() < MIN_WEIGHT {
            // Too short to be recognised in, around or near another claim: exact text only.
            return None;
        }
        let check = |ids: &mut dyn Iterator<Item = usize>| {
            ids.take(MAX_CANDIDATES).find(|&id| {
                let entry = &self.entries[id];
                entry.group == group && accept(entry) && same_claim(wording, &entry.wording)
            })
        };
        // Shorter indexed claims inside this one start at one of its runs.
        let mut around = wording
            .trigrams()
            .filter_map(|run| self.firsts.get(&mix(group, run)))
            .flatten()
            .copied();
        if let Some(id) = check(&mut around) {
            return Some(id);
        }
        // Longer indexed claims around this one hold every one of its runs: try the rarest.
        let rarest = wording
            .trigrams()
            .map(|run| {
                self.runs
                    .get(&mix(group, run))
                    .map_or(&[][..], Vec::as_slice)
            })
            .min_by_key(|ids| ids.len());
        if let Some(id) = rarest.and_then(|ids| check(&mut ids.iter().copied())) {
            return Some(id);
        }
        self.near_identical(group, wording, &check)
    }

    /// Candidates sharing one of the rarer features: with a similarity of at least `t`, two
    /// multisets of sizes m ≤ n share at least t·(m+n)/2 features, so a wording's
    /// `n - ⌈t/(2-t)·n⌉ + 1` rarest features must include one of any near-identical twin's.
    fn near_identical(
        &self,
        group: u64,
        wording: &Wording,
        check: &dyn Fn(&mut dyn Iterator<Item = usize>) -> Option<usize>,
    ) -> Option<usize> {
        let mut postings: Vec<&[usize]> = wording
            .features()
            .iter()
            .map(|f| {
                self.features
                    .get(&mix(group, *f))
                    .map_or(&[][..], Vec::as_slice)
            })
            .collect();
        postings.sort_by_key(|p| p.len());
        let n = postings.len();
        let least_shared = ((NEAR_IDENTICAL / (2.0 - NEAR_IDENTICAL)) * n as f32).ceil() as usize;
        let prefix = (n + 1).saturating_sub(least_shared).min(n);
        let mut candidates = postings[..prefix].iter().flat_map(|p| p.iter().copied());
        check(&mut candidates)
    }
}

fn push_unique(ids: &mut Vec<usize>, id: usize) {
    if ids.last() != Some(&id) {
        ids.push(id);
    }
}

fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::normalize::normalize;
    use crate::extract::BlockKind;

    fn claim(category: &str, text: &str) -> Claim {
        Claim {
            rule: format!("{category}-en"),
            category: category.into(),
            lang: "en".into(),
            terms: vec!["military".into()],
            text: text.into(),
            normalized: normalize(text),
            block: BlockKind::Text,
            manufacturer: None,
            region: Default::default(),
        }
    }

    fn find(index: &ClaimIndex<()>, category: &str, text: &str) -> Option<String> {
        let c = claim(category, text);
        let wording = Wording::new(&c.normalized, &c.terms);
        index
            .find(&c, &wording, |_| true)
            .map(|id| index.entries()[id].normalized.clone())
    }

    #[test]
    fn finds_exact_contained_surrounding_and_near_identical_twins() {
        let mut index = ClaimIndex::default();
        for text in [
            "MIL-PRF-38535 qualified, military temperature range",
            "2026-11-02 Meet us at the military electronics exhibition",
            "We supply military components to the defence industry worldwide",
            "Military",
        ] {
            index.insert_with(&claim("military", text), || ());
        }
        assert!(find(&index, "military", "Military").is_some());
        assert!(
            find(
                &index,
                "military",
                "XC7Z020 MIL-PRF-38535 qualified, military temperature range"
            )
            .is_some()
        );
        assert!(
            find(
                &index,
                "military",
                "Meet us at the military electronics exhibition"
            )
            .is_some()
        );
        assert!(
            find(
                &index,
                "military",
                "We supply military components to the defense industry worldwide"
            )
            .is_some()
        );
        assert_eq!(
            find(&index, "partner", "Military"),
            None,
            "categories apart"
        );
        assert_eq!(find(&index, "military", "Military aircraft"), None);
        assert_eq!(
            find(&index, "military", "We sell radar parts for military use"),
            None
        );
    }

    #[test]
    fn a_crowd_of_similar_claims_is_searched_within_bounds() {
        let mut index = ClaimIndex::default();
        for i in 0..5_000 {
            let text = format!("XC{i:05} MIL-PRF-38535 qualified, military temperature range");
            index.insert_with(&claim("military", &text), || ());
        }
        assert!(
            find(
                &index,
                "military",
                "MIL-PRF-38535 qualified, military temperature range"
            )
            .is_some()
        );
        assert!(
            find(
                &index,
                "military",
                "XC04999 MIL-PRF-38535 qualified, military temperature range"
            )
            .is_some()
        );
        assert!(
            find(
                &index,
                "military",
                "Radiation hardened military parts for space programmes"
            )
            .is_none()
        );
    }
}
