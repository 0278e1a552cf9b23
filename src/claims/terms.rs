//! The term syntax shared by packs and user rules, and the dictionary that finds terms.
//!
//! A term is matched on normalised text (see [`normalize`]). Latin and Cyrillic terms must
//! stand as words; CJK terms match inside words, because Chinese has no spaces between them. A
//! `*` at the end of a word matches any ending, for inflected languages: "военн*" finds военный,
//! военной, военных; "официальн* дистрибьютор*" finds "официальным дистрибьютором".

use aho_corasick::{AhoCorasick, MatchKind};

use super::normalize::{boundary_after, boundary_before, is_word_at, normalize};
use crate::text::is_cjk;

/// Word-character class of the wildcard and the end boundary of wildcard regexes. Written as
/// classes rather than `\b` because Unicode `\b` forces the regex engine off its DFA on
/// non-ASCII text, which is most of the text this crate reads.
const WORD: &str = r"[\p{L}\p{N}\p{M}]";
const RIGHT: &str = r"(?:$|[^\p{L}\p{N}\p{M}]|[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}])";

/// How a compiled term is matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A fixed string, found with Aho-Corasick.
    Literal {
        needle: String,
        /// Must start at a word boundary.
        left: bool,
        /// Must end at a word boundary (false for a trailing `*`).
        right: bool,
    },
    /// A `*` inside the term: found by its first word's literal start, then confirmed by a
    /// regex anchored there (so that a sentence costs one Aho-Corasick pass, not a regex scan
    /// per term).
    Wild {
        needle: String,
        left: bool,
        /// Anchored at the needle's start.
        regex: String,
    },
}

/// A term ready to match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Term {
    pub shape: Shape,
    /// What makes two terms the same term: the normalised pieces joined by `*`.
    pub key: String,
}

/// Compiles a term as written in a pack or targets.toml.
pub(crate) fn compile(raw: &str) -> Result<Term, String> {
    let pieces: Vec<&str> = raw.split('*').collect();
    let stars = pieces.len() - 1;
    // A `*` must end a word: "a*b" or "* x" would be a glob the user did not mean.
    let mut offset = 0;
    for piece in &pieces[..stars] {
        offset += piece.len();
        let before = raw[..offset].chars().next_back();
        let after = raw[offset + 1..].chars().next();
        if !before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric) {
            return Err(format!(
                "term {raw:?}: `*` may only end a word (\"военн*\")"
            ));
        }
        offset += 1;
    }
    let normalized: Vec<String> = pieces.iter().map(|p| normalize(p)).collect();
    let first = normalized[0].chars().next();
    let Some(first) = first else {
        return Err(format!("term {raw:?} has no letters or digits"));
    };
    let left = !is_cjk(first);
    let key = normalized.join("*");
    if stars == 0 || (stars == 1 && normalized[1].is_empty()) {
        let needle = normalized[0].clone();
        let right = stars == 0 && needle.chars().next_back().is_some_and(|c| !is_cjk(c));
        return Ok(Term {
            shape: Shape::Literal {
                needle,
                left,
                right,
            },
            key,
        });
    }
    let mut regex = String::from("^");
    let last = normalized.len() - 1;
    for (i, piece) in normalized.iter().enumerate() {
        if piece.is_empty() {
            // Only the piece after a trailing `*` can be empty: the checks above keep a letter
            // before every `*`.
            continue;
        }
        if i > 0 {
            regex.push(' ');
        }
        regex.push_str(&regex::escape(piece));
        if i < last {
            regex.push_str(WORD);
            regex.push('*');
        }
    }
    if let Some(c) = normalized[last].chars().next_back()
        && !is_cjk(c)
    {
        regex.push_str(RIGHT);
    }
    Ok(Term {
        shape: Shape::Wild {
            needle: normalized[0].clone(),
            left,
            regex,
        },
        key,
    })
}

/// Whether the needle found at `start` in `text` lies inside one of `excludes` (normalised
/// phrases such as "未经授权", inside which "授权" is no claim).
pub(crate) fn excluded(text: &str, start: usize, needle: &str, excludes: &[String]) -> bool {
    excludes.iter().any(|phrase| {
        phrase.match_indices(needle).any(|(k, _)| {
            start
                .checked_sub(k)
                .and_then(|s| text.get(s..))
                .is_some_and(|rest| rest.starts_with(phrase.as_str()))
        })
    })
}

/// A set of needles, each standing for one or more targets, found all at once.
#[derive(Debug)]
pub(crate) struct Dict<T> {
    ac: Option<AhoCorasick>,
    needles: Vec<String>,
    targets: Vec<Vec<T>>,
}

/// What a [`Dict`] target must say about its boundaries.
pub(crate) trait Bounded {
    fn left(&self) -> bool;
    fn right(&self) -> bool;
}

impl<T: Bounded> Dict<T> {
    pub(crate) fn new(entries: impl IntoIterator<Item = (String, T)>) -> Result<Self, String> {
        let mut needles: Vec<String> = Vec::new();
        let mut targets: Vec<Vec<T>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        for (needle, target) in entries {
            let i = *index.entry(needle.clone()).or_insert_with(|| {
                needles.push(needle);
                targets.push(Vec::new());
                targets.len() - 1
            });
            targets[i].push(target);
        }
        let ac = if needles.is_empty() {
            None
        } else {
            // Standard semantics: overlapping search must report every term, not just the
            // leftmost-longest ("代理" inside "授权代理商" too).
            let ac = AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(&needles)
                .map_err(|e| e.to_string())?;
            Some(ac)
        };
        Ok(Dict {
            ac,
            needles,
            targets,
        })
    }

    /// Calls `found(needle, start, target)` for every occurrence of a needle in `text` that
    /// respects the target's boundaries.
    pub(crate) fn find(&self, text: &str, mut found: impl FnMut(&str, usize, &T)) {
        let Some(ac) = &self.ac else { return };
        for m in ac.find_overlapping_iter(text) {
            let (start, end) = (m.start(), m.end());
            let needle = &self.needles[m.pattern().as_usize()];
            for target in &self.targets[m.pattern().as_usize()] {
                let ok = match (target.left(), target.right()) {
                    (false, false) => true,
                    (true, true) => is_word_at(text, start, end),
                    (true, false) => boundary_before(text, start),
                    (false, true) => boundary_after(text, end),
                };
                if ok {
                    found(needle, start, target);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(raw: &str) -> (String, bool, bool) {
        match compile(raw).expect("valid term").shape {
            Shape::Literal {
                needle,
                left,
                right,
            } => (needle, left, right),
            other => panic!("{raw}: {other:?}"),
        }
    }

    #[test]
    fn literal_terms() {
        assert_eq!(literal("MIL-STD"), ("mil std".into(), true, true));
        assert_eq!(literal("军工"), ("军工".into(), false, false));
        assert_eq!(literal("GJB*"), ("gjb".into(), true, false));
        assert_eq!(literal("Военн*"), ("военн".into(), true, false));
        assert_eq!(compile("Военн*").map(|t| t.key), Ok("военн*".into()));
    }

    /// Whether a wildcard term matches `text` the way the matcher applies it.
    fn wild_matches(raw: &str, text: &str) -> bool {
        let Shape::Wild {
            needle,
            left,
            regex,
        } = compile(raw).expect("valid").shape
        else {
            panic!("{raw}: not a wildcard term")
        };
        let re = regex::Regex::new(&regex).expect("compiles");
        text.match_indices(&needle)
            .any(|(i, _)| (!left || boundary_before(text, i)) && re.is_match(&text[i..]))
    }

    #[test]
    fn wildcard_terms() {
        let t = compile("официальн* дистрибьютор*").expect("valid");
        assert_eq!(t.key, "официальн*дистрибьютор*");
        let raw = "официальн* дистрибьютор*";
        assert!(wild_matches(
            raw,
            "мы являемся официальным дистрибьютором ti"
        ));
        assert!(wild_matches(raw, "официальный дистрибьютор"));
        assert!(!wild_matches(raw, "неофициальный дистрибьютор"));
        assert!(!wild_matches(raw, "официальный представитель"));
        assert!(wild_matches(
            "радиоэлектронн* борьб*",
            "средства радиоэлектронной борьбы"
        ));
        assert!(wild_matches(
            "official* distributor",
            "officially distributor"
        ));
        assert!(!wild_matches(
            "official* distributor",
            "official distributors"
        ));
    }

    #[test]
    fn bad_terms() {
        for bad in ["", " ", "!!", "*", "a*b", "*a", "a **", "a * b"] {
            assert!(compile(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn exclusions() {
        let ex = ["未经授权".to_string()];
        let text = "未经授权禁止转载";
        let start = text.find("授权").expect("present");
        assert!(excluded(text, start, "授权", &ex));
        let text = "授权代理";
        assert!(!excluded(text, 0, "授权", &ex));
    }
}
