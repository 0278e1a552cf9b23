//! The built-in claim packs: data files compiled into the binary.
//!
//! A pack is TOML (src/claims/packs/*.toml) so that investigators can review and extend the
//! vocabulary without reading Rust. Because data is easy to get subtly wrong (a duplicate term,
//! a regex that no longer compiles, an alias claimed by two manufacturers), [`check`] finds
//! those mistakes and a unit test runs it on every built-in pack.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use super::normalize::normalize;
use super::terms::{self, Shape};
use super::{Category, ClaimsError};

/// The built-in packs, in the order their rules are tried.
pub(super) const SOURCES: &[(&str, &str)] = &[
    ("military", include_str!("packs/military.toml")),
    ("partner", include_str!("packs/partner.toml")),
];

/// One pack: a category's rules, one per language, and (for partner claims) manufacturers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    /// The id that `[claims] disable` names.
    #[serde(rename = "pack")]
    pub id: String,
    pub category: Category,
    #[serde(default, rename = "rule")]
    pub rules: Vec<PackRule>,
    #[serde(default, rename = "manufacturer")]
    pub manufacturers: Vec<PackManufacturer>,
}

/// One rule of a pack: the terms of one language.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackRule {
    pub id: String,
    /// BCP 47 tag: "en", "zh-Hans", "zh-Hant", "ru".
    pub lang: String,
    /// Terms on normalised text (see the header of military.toml for the syntax).
    #[serde(default)]
    pub terms: Vec<String>,
    /// Regexes on the sentence as written (NFKC, case kept).
    #[serde(default)]
    pub patterns: Vec<Pattern>,
    /// Phrases inside which a term of this rule is no claim.
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// A regex with the term a claim reports when it matches.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    pub term: String,
    pub regex: String,
}

/// A manufacturer partner claims can name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackManufacturer {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Hosts of its own sites; subdomains count too.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Phrases inside which an alias is no name.
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// Parses the built-in packs.
pub fn built_in() -> Result<Vec<Pack>, ClaimsError> {
    SOURCES
        .iter()
        .map(|(name, text)| parse(name, text))
        .collect()
}

/// Parses one pack file; `name` is for the error message.
pub fn parse(name: &str, text: &str) -> Result<Pack, ClaimsError> {
    toml::from_str(text).map_err(|e| ClaimsError::Pack {
        pack: name.to_string(),
        message: e.to_string(),
    })
}

/// Every mistake in `packs`, one line each; empty when the packs are sound.
pub fn check(packs: &[Pack]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut pack_ids = HashSet::new();
    let mut rule_ids = HashSet::new();
    let mut aliases: HashMap<String, String> = HashMap::new();
    let mut names = HashSet::new();
    for pack in packs {
        let p = &pack.id;
        if !is_slug(p) {
            problems.push(format!("pack {p:?}: the id must be [a-z0-9_-]+"));
        }
        if !pack_ids.insert(p.as_str()) {
            problems.push(format!("pack {p:?}: duplicate pack id"));
        }
        if !is_slug(pack.category.as_str()) {
            problems.push(format!(
                "pack {p}: category {:?} must be [a-z0-9_-]+",
                pack.category
            ));
        }
        if pack.rules.is_empty() {
            problems.push(format!("pack {p}: no rules"));
        }
        for rule in &pack.rules {
            check_rule(p, rule, &mut rule_ids, &mut problems);
        }
        for m in &pack.manufacturers {
            check_manufacturer(p, m, &mut names, &mut aliases, &mut problems);
        }
    }
    problems
}

fn check_rule<'a>(
    pack: &str,
    rule: &'a PackRule,
    ids: &mut HashSet<&'a str>,
    problems: &mut Vec<String>,
) {
    let at = format!("pack {pack}, rule {:?}", rule.id);
    if !is_slug(&rule.id) {
        problems.push(format!("{at}: the id must be [a-z0-9_-]+"));
    }
    if !ids.insert(rule.id.as_str()) {
        problems.push(format!("{at}: duplicate rule id"));
    }
    if !is_lang_tag(&rule.lang) {
        problems.push(format!("{at}: lang {:?} is not a BCP 47 tag", rule.lang));
    }
    if rule.terms.is_empty() && rule.patterns.is_empty() {
        problems.push(format!("{at}: neither terms nor patterns"));
    }
    let mut keys = HashSet::new();
    let mut needles = Vec::new();
    for term in &rule.terms {
        match terms::compile(term) {
            Ok(t) => {
                if !keys.insert(t.key.clone()) {
                    problems.push(format!("{at}: duplicate term {term:?}"));
                }
                if let Shape::Literal { needle, .. } = t.shape {
                    needles.push(needle);
                }
            }
            Err(e) => problems.push(format!("{at}: {e}")),
        }
    }
    let mut labels: HashSet<&str> = rule.terms.iter().map(String::as_str).collect();
    for pattern in &rule.patterns {
        if pattern.term.trim().is_empty() {
            problems.push(format!("{at}: a pattern without a term"));
        } else if !labels.insert(&pattern.term) {
            problems.push(format!("{at}: duplicate term {:?}", pattern.term));
        }
        if let Err(e) = regex::Regex::new(&pattern.regex) {
            problems.push(format!("{at}: pattern {:?}: {e}", pattern.term));
        }
    }
    check_excludes(&at, &rule.exclude, &needles, problems);
}

fn check_manufacturer(
    pack: &str,
    m: &PackManufacturer,
    names: &mut HashSet<String>,
    aliases: &mut HashMap<String, String>,
    problems: &mut Vec<String>,
) {
    let at = format!("pack {pack}, manufacturer {:?}", m.name);
    if normalize(&m.name).is_empty() {
        problems.push(format!("{at}: no name"));
    }
    if !names.insert(m.name.to_lowercase()) {
        problems.push(format!("{at}: duplicate manufacturer"));
    }
    let mut needles = Vec::new();
    for alias in std::iter::once(&m.name).chain(&m.aliases) {
        let key = normalize(alias);
        if key.is_empty() {
            problems.push(format!("{at}: empty alias {alias:?}"));
            continue;
        }
        match aliases.insert(key.clone(), m.name.clone()) {
            Some(other) if other == m.name => {
                problems.push(format!("{at}: alias {alias:?} given twice"));
            }
            Some(other) => {
                problems.push(format!("{at}: alias {alias:?} also names {other:?}"));
            }
            None => {}
        }
        needles.push(key);
    }
    for domain in &m.domains {
        let ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-'));
        if !ok {
            problems.push(format!("{at}: domain {domain:?} must be a lower-case host"));
        }
    }
    check_excludes(&at, &m.exclude, &needles, problems);
}

/// An exclusion that contains none of the needles it guards could never apply: a typo.
fn check_excludes(at: &str, excludes: &[String], needles: &[String], problems: &mut Vec<String>) {
    for phrase in excludes {
        let norm = normalize(phrase);
        if norm.is_empty() || !needles.iter().any(|n| norm.contains(n.as_str())) {
            problems.push(format!(
                "{at}: exclude {phrase:?} contains none of its terms or aliases"
            ));
        }
    }
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_'))
}

/// A loose BCP 47 check: a 2–3 letter language, then alphanumeric subtags.
fn is_lang_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let lang_ok = parts
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.chars().all(|c| c.is_ascii_lowercase()));
    lang_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_packs_are_sound() {
        let packs = built_in().expect("built-in packs parse");
        let problems = check(&packs);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        let ids: Vec<&str> = packs.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, crate::config::BUILT_IN_PACKS);
        for (pack, (name, _)) in packs.iter().zip(SOURCES) {
            assert_eq!(&pack.id, name);
        }
    }

    #[test]
    fn every_pack_covers_the_four_languages() {
        for pack in built_in().expect("built-in packs parse") {
            let langs: Vec<&str> = pack.rules.iter().map(|r| r.lang.as_str()).collect();
            assert_eq!(
                langs,
                ["en", "zh-Hans", "zh-Hant", "ru"],
                "pack {}",
                pack.id
            );
            for rule in &pack.rules {
                assert_eq!(rule.id, format!("{}-{}", pack.id, rule.lang.to_lowercase()));
            }
        }
    }

    #[test]
    fn checker_finds_mistakes() {
        let bad = r#"
pack = "x"
category = "military"
[[rule]]
id = "x-en"
lang = ""
terms = ["Radar", "radar", " ", "a*b"]
patterns = [{ term = "p", regex = "(" }]
exclude = ["nothing here"]
[[rule]]
id = "x-en"
lang = "en"
[[manufacturer]]
name = "A"
aliases = ["Acme"]
domains = ["https://a.com"]
[[manufacturer]]
name = ""
aliases = ["ACME"]
"#;
        let pack = parse("x", bad).expect("well-formed TOML");
        let problems = check(&[pack.clone(), pack]).join("\n");
        for needle in [
            "duplicate pack id",
            "duplicate rule id",
            "lang \"\"",
            "duplicate term \"radar\"",
            "term \" \" has no letters",
            "`*` may only end a word",
            "pattern \"p\"",
            "neither terms nor patterns",
            "exclude \"nothing here\"",
            "domain \"https://a.com\"",
            "no name",
            "alias \"ACME\" also names \"A\"",
        ] {
            assert!(problems.contains(needle), "{needle:?} not in:\n{problems}");
        }
    }

    #[test]
    fn unknown_keys_are_errors() {
        let err =
            parse("x", "pack = \"x\"\ncategory = \"m\"\ntermz = []\n").expect_err("unknown key");
        assert!(err.to_string().contains("termz"), "{err}");
    }

    #[test]
    fn lang_tags() {
        for ok in ["en", "zh-Hans", "zh-Hant", "ru", "und", "zh-Hant-HK"] {
            assert!(is_lang_tag(ok), "{ok}");
        }
        for bad in ["", "EN", "e", "zh_Hans", "zh-", "english"] {
            assert!(!is_lang_tag(bad), "{bad}");
        }
    }
}
