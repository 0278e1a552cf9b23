//! Cases: the flags of one target raised by one run, reviewed together.
//!
//! One change on a site often raises several flags: a partner sentence naming two makers and the
//! two logos beside it, taken down together, are four flags. An investigator reviews that as one
//! case ("Sinno took down its partner claims for Texas Instruments and Analog Devices: 2
//! sentences, 2 logos"), as a whole or flag by flag.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::detect::build::flag_id;
use crate::flags::{Flag, FlagType, ReviewStatus, Severity};
use crate::store::{Store, StoreError};

/// The flags of one target from one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Stable: the same target and run always make the same id.
    pub id: String,
    pub target_id: String,
    pub target_name: String,
    /// The run that raised the flags (0 when their captures are no longer in the store).
    pub run: u64,
    /// When the newest of its flags was detected.
    pub detected_at: DateTime<Utc>,
    /// The most severe of its flags.
    pub severity: Severity,
    /// Most severe first, then by page.
    pub flags: Vec<Flag>,
    /// What happened, in a sentence.
    pub summary: String,
}

impl Case {
    /// The case's review status: the flags' common status, or `None` when they differ.
    pub fn status(&self) -> Option<ReviewStatus> {
        let first = self.flags.first()?.review.status;
        self.flags
            .iter()
            .all(|f| f.review.status == first)
            .then_some(first)
    }
}

/// The stable id of the case of `target`'s flags from `run`.
pub fn case_id(target: &str, run: u64) -> String {
    flag_id(&["case", target, &run.to_string()])
}

/// Groups flags into cases, newest first. The run of a flag is the run of its `after` capture.
pub fn cases(store: &Store, flags: Vec<Flag>) -> Result<Vec<Case>, StoreError> {
    let mut groups: BTreeMap<(String, u64), Vec<Flag>> = BTreeMap::new();
    for flag in flags {
        let run = match flag.after.capture_id.parse::<u64>() {
            Ok(id) => store.capture(id)?.map_or(0, |c| c.run_id),
            Err(_) => 0,
        };
        groups
            .entry((flag.target.id.clone(), run))
            .or_default()
            .push(flag);
    }
    let mut cases: Vec<Case> = groups
        .into_iter()
        .map(|((target_id, run), mut flags)| {
            // The maker breaks ties (one sentence naming two makers is two flags), so that the
            // order, and the summary that follows it, never depends on the flags' ids.
            flags.sort_by(|a, b| {
                (
                    b.severity,
                    &a.url,
                    a.flag_type.as_str(),
                    a.claim_text(),
                    maker(a),
                )
                    .cmp(&(
                        a.severity,
                        &b.url,
                        b.flag_type.as_str(),
                        b.claim_text(),
                        maker(b),
                    ))
            });
            let detected_at = flags
                .iter()
                .map(|f| f.detected_at)
                .max()
                .unwrap_or_default();
            let severity = flags
                .iter()
                .map(|f| f.severity)
                .max()
                .unwrap_or(Severity::Low);
            let target_name = flags
                .first()
                .map(|f| f.target.name.clone())
                .unwrap_or_default();
            Case {
                id: case_id(&target_id, run),
                summary: summary(&target_name, &flags),
                target_id,
                target_name,
                run,
                detected_at,
                severity,
                flags,
            }
        })
        .collect();
    cases.sort_by(|a, b| {
        (b.detected_at, &a.target_id, b.run).cmp(&(a.detected_at, &b.target_id, a.run))
    });
    Ok(cases)
}

/// The maker a flag's claim names, if any.
fn maker(flag: &Flag) -> Option<&str> {
    flag.claim
        .as_ref()
        .and_then(|c| c.manufacturer.as_ref())
        .map(|m| m.name.as_str())
}

/// "Sinno took down its partner claims for Texas Instruments and Analog Devices: 2 sentences,
/// 2 logos; added 1 military claim".
pub fn summary(target_name: &str, flags: &[Flag]) -> String {
    let name = short_name(target_name);
    let mut parts: Vec<String> = Vec::new();
    let kinds = [
        (FlagType::ClaimRemoved, "took down"),
        (FlagType::ClaimAdded, "put up"),
        (FlagType::ClaimChanged, "reworded"),
    ];
    for (flag_type, verb) in kinds {
        let mut by_category: BTreeMap<String, Vec<&Flag>> = BTreeMap::new();
        for flag in flags.iter().filter(|f| f.flag_type == flag_type) {
            by_category
                .entry(flag.category.as_str().to_owned())
                .or_default()
                .push(flag);
        }
        for (category, flags) in by_category {
            parts.push(format!(
                "{verb} its {category} claims{}: {}",
                makers_phrase(&flags),
                counts_phrase(&flags)
            ));
        }
    }
    let unverified: Vec<&Flag> = flags
        .iter()
        .filter(|f| f.flag_type == FlagType::PartnerUnverified)
        .collect();
    if !unverified.is_empty() {
        parts.push(format!(
            "claims partnerships that the makers' lists do not back{}",
            makers_phrase(&unverified)
        ));
    }
    if flags
        .iter()
        .any(|f| f.flag_type == FlagType::SiteUnreachable)
    {
        parts.push("went dark: no page answers".into());
    }
    if flags.iter().any(|f| f.flag_type == FlagType::SiteBack) {
        parts.push("answers again".into());
    }
    if parts.is_empty() {
        return format!("{name}: no flags");
    }
    format!("{name} {}", parts.join("; "))
}

/// The first words of a company's name, without its legal form: "Sinno" from "Sinno
/// Electronics Co., Ltd".
fn short_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or(name)
}

/// " for Texas Instruments and Analog Devices", or "" when no maker is named.
fn makers_phrase(flags: &[&Flag]) -> String {
    let mut makers: Vec<&str> = Vec::new();
    for flag in flags {
        if let Some(name) = maker(flag)
            && !makers.contains(&name)
        {
            makers.push(name);
        }
    }
    match makers.as_slice() {
        [] => String::new(),
        [one] => format!(" for {one}"),
        [rest @ .., last] => format!(" for {} and {last}", rest.join(", ")),
    }
}

/// "2 sentences, 2 logos": a claim whose text is only its maker's name is a logo (or a name in
/// a list of logos and links); anything longer is a sentence.
fn counts_phrase(flags: &[&Flag]) -> String {
    let is_name = |flag: &&&Flag| {
        flag.claim.as_ref().is_some_and(|c| {
            c.manufacturer
                .as_ref()
                .is_some_and(|m| c.text.trim().eq_ignore_ascii_case(m.name.trim()))
        })
    };
    let names = flags.iter().filter(is_name).count();
    let sentences = flags.len() - names;
    let mut out = Vec::new();
    if sentences > 0 {
        out.push(plural(sentences, "sentence", "sentences"));
    }
    if names > 0 {
        out.push(plural(names, "logo", "logos"));
    }
    out.join(", ")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests;
