//! Target ids for imported entities: readable slugs of their names, `[a-z0-9_-]+`, the same for
//! the same entity on every import.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

/// Legal-form words dropped from the end of a name: "Acme Electronics Co., Ltd." and "Acme
/// Electronics Limited" are both `acme-electronics`.
const LEGAL_FORMS: &[&str] = &[
    "ab",
    "ag",
    "ao",
    "as",
    "bv",
    "co",
    "company",
    "corp",
    "corporation",
    "fzc",
    "fzco",
    "fze",
    "gmbh",
    "inc",
    "incorporated",
    "jsc",
    "kg",
    "limited",
    "llc",
    "llp",
    "ltd",
    "nv",
    "oao",
    "ooo",
    "oy",
    "pao",
    "pjsc",
    "plc",
    "pte",
    "pty",
    "sa",
    "sarl",
    "spa",
    "srl",
    "zao",
];

/// Slugs are cut at a word boundary near here: long enough to read, short enough to type.
const MAX_LEN: usize = 40;

/// The slug of a name: transliterated to ASCII, lower-case, words joined by `-`, legal forms
/// dropped from the end. Empty when nothing is left.
pub fn slug(name: &str) -> String {
    // Dots and apostrophes join: "S.A." is `sa`, "O'Neil" is `oneil`.
    let ascii = deunicode::deunicode(name)
        .to_ascii_lowercase()
        .replace(['.', '\''], "");
    let mut words: Vec<&str> = ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    while words.len() > 1 && words.last().is_some_and(|w| LEGAL_FORMS.contains(w)) {
        words.pop();
    }
    let mut slug = String::new();
    for word in words {
        if !slug.is_empty() && slug.len() + 1 + word.len() > MAX_LEN {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(word);
    }
    slug.truncate(MAX_LEN);
    slug
}

/// The name a slug is made from: the name itself when it is written in Latin letters, else the
/// first alias that is, else the name (transliterated): "ООО Рога" with the alias "Roga LLC"
/// is `roga`, not `ooo-roga`.
pub fn name_for_id<'a>(name: &'a str, aliases: &'a [String]) -> &'a str {
    // Latin letters: Basic Latin, Latin-1, Latin Extended-A and -B, Latin Extended Additional.
    let latin = |s: &str| {
        let mut letters = s.chars().filter(|c| c.is_alphabetic()).peekable();
        letters.peek().is_some()
            && letters.all(|c| c < '\u{0250}' || ('\u{1e00}'..='\u{1eff}').contains(&c))
    };
    if latin(name) {
        return name;
    }
    aliases
        .iter()
        .map(String::as_str)
        .find(|a| latin(a) && !slug(a).is_empty())
        .unwrap_or(name)
}

/// A target id for an entity, not in `taken`: its slug, or when another target has that, the
/// slug with a short digest of `identity` (what names the entity in its source), so the id
/// does not depend on what else is in the file.
pub fn unique_id(base: &str, identity: &str, taken: &HashSet<String>) -> String {
    let base = if base.is_empty() { "entity" } else { base };
    if !taken.contains(base) {
        return base.to_string();
    }
    let digest = hex::encode(Sha256::digest(identity.as_bytes()));
    let with_digest = format!("{base}-{}", &digest[..6]);
    if !taken.contains(&with_digest) {
        return with_digest;
    }
    (2..)
        .map(|n| format!("{with_digest}-{n}"))
        .find(|id| !taken.contains(id))
        .expect("some numbered id is free: the set is finite")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_of_names() {
        assert_eq!(
            slug("Winninc Electronics Co., Limited"),
            "winninc-electronics"
        );
        assert_eq!(slug("ACME (HK) TRADING CO., LTD."), "acme-hk-trading");
        assert_eq!(slug("Société Générale S.A."), "societe-generale");
        assert_eq!(slug("ООО Рога и Копыта"), "ooo-roga-i-kopyta");
        assert_eq!(
            slug("深圳市华强电子有限公司"),
            "shen-zhen-shi-hua-qiang-dian-zi-you-xian"
        );
        assert_eq!(slug("Limited"), "limited");
        assert_eq!(slug("!!!"), "");
        let long = slug("The Extraordinarily Long Named Precision Electronic Components Trading");
        assert!(long.len() <= MAX_LEN && !long.ends_with('-'), "{long}");
    }

    #[test]
    fn latin_aliases_name_non_latin_entities() {
        let aliases = vec!["深圳华强".to_string(), "Huaqiang Electronics".to_string()];
        assert_eq!(
            name_for_id("深圳市华强电子有限公司", &aliases),
            "Huaqiang Electronics"
        );
        assert_eq!(name_for_id("Acme", &aliases), "Acme");
        assert_eq!(
            name_for_id("深圳市华强电子有限公司", &[]),
            "深圳市华强电子有限公司"
        );
    }

    #[test]
    fn ids_are_unique_and_stable() {
        let mut taken = HashSet::new();
        assert_eq!(unique_id("acme", "csl:1", &taken), "acme");
        taken.insert("acme".to_string());
        let second = unique_id("acme", "csl:2", &taken);
        assert!(second.starts_with("acme-") && second.len() == "acme-".len() + 6);
        assert_eq!(second, unique_id("acme", "csl:2", &taken), "stable");
        assert_ne!(second, unique_id("acme", "csl:3", &taken));
        assert_eq!(unique_id("", "x", &HashSet::new()), "entity");
    }
}
