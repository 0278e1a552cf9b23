//! Comparing the claims of two captures of one page: what was removed, added, or reworded.

use std::collections::HashSet;

use crate::claims::{Claim, ClaimKey};

/// How one page's claims changed between its last good capture and this one.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PageDelta {
    pub removed: Vec<Claim>,
    pub added: Vec<Claim>,
    /// (old, new): a claim of a rule disappeared and another of the same rule (and maker)
    /// appeared: a rewording that keeps the claim.
    pub changed: Vec<(Claim, Claim)>,
}

/// Compares old and new claims by identity; pairs same-rule removals and additions, most
/// similar first, as rewordings.
pub fn compare(old: &[Claim], new: &[Claim]) -> PageDelta {
    let old_keys: HashSet<ClaimKey> = old.iter().map(Claim::key).collect();
    let new_keys: HashSet<ClaimKey> = new.iter().map(Claim::key).collect();
    let removed: Vec<Claim> = old
        .iter()
        .filter(|c| !new_keys.contains(&c.key()))
        .cloned()
        .collect();
    let added: Vec<Claim> = new
        .iter()
        .filter(|c| !old_keys.contains(&c.key()))
        .cloned()
        .collect();
    let mut candidates: Vec<(f32, usize, usize)> = Vec::new();
    for (i, gone) in removed.iter().enumerate() {
        for (j, came) in added.iter().enumerate() {
            if gone.rule == came.rule && gone.manufacturer == came.manufacturer {
                candidates.push((similarity(&gone.normalized, &came.normalized), i, j));
            }
        }
    }
    // Most similar pairs first; ties keep document order.
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    let mut removed_used = vec![false; removed.len()];
    let mut added_used = vec![false; added.len()];
    let mut pairs = Vec::new();
    for (_, i, j) in candidates {
        if !removed_used[i] && !added_used[j] {
            removed_used[i] = true;
            added_used[j] = true;
            pairs.push((i, j));
        }
    }
    pairs.sort_unstable();
    let changed = pairs
        .iter()
        .map(|&(i, j)| (removed[i].clone(), added[j].clone()))
        .collect();
    let keep = |claims: Vec<Claim>, used: &[bool]| -> Vec<Claim> {
        claims
            .into_iter()
            .zip(used)
            .filter(|(_, used)| !**used)
            .map(|(c, _)| c)
            .collect()
    };
    PageDelta {
        removed: keep(removed, &removed_used),
        added: keep(added, &added_used),
        changed,
    }
}

/// Character-level similarity in 0..=1 (by characters, so CJK compares sensibly).
fn similarity(a: &str, b: &str) -> f32 {
    similar::TextDiff::configure()
        .timeout(std::time::Duration::from_millis(50))
        .diff_chars(a, b)
        .ratio()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::BlockKind;

    fn claim(rule: &str, text: &str) -> Claim {
        Claim {
            rule: rule.into(),
            category: "military".into(),
            lang: "en".into(),
            terms: vec!["military".into()],
            text: text.into(),
            normalized: text.to_lowercase(),
            block: BlockKind::Text,
            manufacturer: None,
        }
    }

    #[test]
    fn removal_addition_and_rewording() {
        let old = vec![
            claim("m", "we serve military customers"),
            claim("m", "mil-std parts"),
        ];
        let new = vec![
            claim("m", "we serve military and aerospace customers"),
            claim("p", "partner of ti"),
        ];
        let delta = compare(&old, &new);
        assert_eq!(delta.changed.len(), 1);
        assert_eq!(
            delta.changed[0].1.text,
            "we serve military and aerospace customers"
        );
        assert_eq!(
            delta.removed.len(),
            1,
            "no same-rule claim is left to pair with"
        );
        assert_eq!(delta.removed[0].text, "mil-std parts");
        assert_eq!(delta.added.len(), 1);
        assert_eq!(delta.added[0].rule, "p");
    }

    #[test]
    fn unchanged_claims_are_no_delta() {
        let claims = vec![claim("m", "a military claim")];
        assert_eq!(compare(&claims, &claims), PageDelta::default());
    }
}
