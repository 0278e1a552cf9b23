//! A claim's identity on a site, and how alike two wordings are.
//!
//! Two claims of one rule (and maker) are the same claim when their normalised texts are equal,
//! when one contains the other and the rest is framing, or when their wording is nearly
//! identical (README "Claim identity"). A rewording is weaker: most of the wording shared.
//!
//! Texts are cut into *units*: a Latin or Cyrillic word (letters and digits) is one unit of
//! weight 2; a CJK character is one unit of weight 1, since Chinese spends about two characters
//! on a word. Weights make the thresholds mean the same in every script.

use crate::claims::normalize::{is_cjk, normalize};

/// The least weight a claim needs to be recognised inside a longer one, or nearly identical to
/// another: three words or six CJK characters. A navigation label "Defense" (weight 2) or
/// "国防" (2) is no claim of the same identity as every sentence that says it.
pub const MIN_WEIGHT: u32 = 6;

/// Inside a longer claim, the rest may hold at most this much weight that is not framing (two
/// words or four CJK characters), or half the contained claim's weight if that is more: a label
/// ("News:", "Featured product"), "Read more", a booth number.
pub const MAX_EXTRA_WEIGHT: u32 = 4;

/// Dice similarity of all features at or above which two wordings are the same claim.
pub const NEAR_IDENTICAL: f32 = 0.85;

/// Dice similarity of content features (the claim terms and short function words left out) at or
/// above which a claim that left a page and one that came to it are one claim reworded.
pub const REWORDING: f32 = 0.5;

/// Longest word prefix compared: inflections ("оборонной", "оборонных"; "distributor",
/// "distributors") share it.
const STEM_CHARS: usize = 6;

/// Counters that follow a number in CJK dates and times (2026年11月2日): framing, like digits.
const CJK_COUNTERS: &str = "年月日号號时時分秒点點";

/// Function words that say nothing about what a sentence claims.
const FUNCTION_WORDS: &[&str] = &[
    "the",
    "and",
    "for",
    "our",
    "with",
    "from",
    "are",
    "this",
    "that",
    "you",
    "your",
    "its",
    "was",
    "has",
    "have",
    "all",
    "any",
    "про",
    "для",
    "как",
    "что",
    "это",
    "наш",
    "наша",
    "наши",
    "нашей",
    "мы",
    "вы",
    "или",
    "при",
    "также",
];

/// One unit of a wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Unit {
    /// Hash of the unit's text.
    hash: u64,
    weight: u8,
    /// Part numbers, dates and single letters: framing around a claim, not its wording.
    framing: bool,
}

/// A claim's normalised text cut into units and features, ready to compare.
#[derive(Debug, Clone)]
pub struct Wording {
    units: Vec<Unit>,
    weight: u32,
    /// Sorted hashes of word stems and CJK character pairs (a multiset).
    features: Vec<u64>,
    /// `features` without the claim's terms and function words, sorted.
    content: Vec<u64>,
}

impl Wording {
    /// Cuts a normalised text. `terms` are the rule's terms that matched (as written in the
    /// rule); their features are left out of the content features.
    pub fn new(normalized: &str, terms: &[String]) -> Wording {
        let cut = Cut::of(normalized);
        let mut term_features: Vec<u64> = terms
            .iter()
            .flat_map(|t| Cut::of(&normalize(t.trim_end_matches('*'))).features)
            .collect();
        term_features.sort_unstable();
        let mut features = cut.features;
        let mut content: Vec<u64> = features
            .iter()
            .zip(&cut.is_function)
            .filter(|(f, function)| !**function && term_features.binary_search(f).is_err())
            .map(|(f, _)| *f)
            .collect();
        features.sort_unstable();
        content.sort_unstable();
        Wording {
            weight: cut.units.iter().map(|u| u32::from(u.weight)).sum(),
            units: cut.units,
            features,
            content,
        }
    }

    pub fn weight(&self) -> u32 {
        self.weight
    }

    /// Hashes of each run of three units: what [`crate::detect::index`] looks claims up by.
    pub fn trigrams(&self) -> impl Iterator<Item = u64> + '_ {
        self.units
            .windows(3)
            .map(|w| mix(mix(w[0].hash, w[1].hash), w[2].hash))
    }

    /// The features, sorted.
    pub fn features(&self) -> &[u64] {
        &self.features
    }
}

/// Whether two wordings of one rule (and maker) are the same claim on a site. Equal normalised
/// texts are the caller's first check; this decides containment and near-identity.
pub fn same_claim(a: &Wording, b: &Wording) -> bool {
    let (short, long) = if a.weight <= b.weight { (a, b) } else { (b, a) };
    if short.weight < MIN_WEIGHT {
        return short.units == long.units;
    }
    framed_inside(short, long) || dice(&a.features, &b.features) >= NEAR_IDENTICAL
}

/// How much of the wording two claims share, leaving out their terms and function words: 0..=1.
pub fn rewording_similarity(a: &Wording, b: &Wording) -> f32 {
    dice(&a.content, &b.content)
}

/// Whether `short` stands inside `long` as a run of whole units, and what surrounds it is
/// framing.
fn framed_inside(short: &Wording, long: &Wording) -> bool {
    let n = short.units.len();
    if n == 0 || n > long.units.len() {
        return false;
    }
    let allowed = MAX_EXTRA_WEIGHT.max(short.weight / 2);
    let unframed = |units: &[Unit]| -> u32 {
        units
            .iter()
            .filter(|u| !u.framing)
            .map(|u| u32::from(u.weight))
            .sum()
    };
    let total = unframed(&long.units);
    long.units.windows(n).enumerate().any(|(i, window)| {
        window == short.units.as_slice() && total - unframed(&long.units[i..i + n]) <= allowed
    })
}

/// Dice coefficient of two sorted multisets; two empty sets are not alike.
fn dice(a: &[u64], b: &[u64]) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    (2 * shared) as f32 / (a.len() + b.len()) as f32
}

/// A text cut into units and (unsorted) features.
struct Cut {
    units: Vec<Unit>,
    features: Vec<u64>,
    /// Per feature: a function word.
    is_function: Vec<bool>,
    /// The last unit was a word with a digit in it.
    after_number: bool,
}

impl Cut {
    fn of(normalized: &str) -> Cut {
        let mut cut = Cut {
            units: Vec::new(),
            features: Vec::new(),
            is_function: Vec::new(),
            after_number: false,
        };
        let mut word = String::new();
        // The previous CJK character of the current run, for character pairs.
        let mut previous_cjk: Option<char> = None;
        let mut run_len = 0usize;
        for c in normalized.chars() {
            if is_cjk(c) {
                cut.end_word(&mut word);
                let framing = cut.after_number && CJK_COUNTERS.contains(c);
                cut.after_number = false;
                cut.units.push(Unit {
                    hash: hash_str(c.encode_utf8(&mut [0; 4])),
                    weight: 1,
                    framing,
                });
                match previous_cjk {
                    Some(p) => {
                        // A run's first character was counted alone; a run of two or more is
                        // counted in pairs instead.
                        if run_len == 1 {
                            cut.features.pop();
                            cut.is_function.pop();
                        }
                        cut.feature(hash_pair(p, c), false);
                    }
                    None => cut.feature(hash_pair(c, c), false),
                }
                previous_cjk = Some(c);
                run_len += 1;
            } else {
                previous_cjk = None;
                run_len = 0;
                if c.is_alphanumeric() || is_mark(c) {
                    word.push(c);
                } else {
                    cut.end_word(&mut word);
                }
            }
        }
        cut.end_word(&mut word);
        cut
    }

    fn end_word(&mut self, word: &mut String) {
        if word.is_empty() {
            return;
        }
        let letters = word.chars().count();
        let numeric = word.chars().any(|c| c.is_numeric());
        let framing = letters == 1 || numeric;
        self.after_number = numeric;
        self.units.push(Unit {
            hash: hash_str(word),
            weight: 2,
            framing,
        });
        let stem: String = word.chars().take(STEM_CHARS).collect();
        let function = letters <= 2 || FUNCTION_WORDS.contains(&word.as_str());
        self.feature(hash_str(&stem) ^ 0x5157_4f52_4400_0000, function);
        word.clear();
    }

    fn feature(&mut self, hash: u64, function: bool) {
        self.features.push(hash);
        self.is_function.push(function);
    }
}

fn is_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36F}' | '\u{483}'..='\u{489}')
}

fn hash_pair(a: char, b: char) -> u64 {
    mix(u64::from(a as u32) << 32 | u64::from(b as u32), 0x434a_4b00)
}

/// FNV-1a over the bytes, finished with a mix: stable across runs and builds.
fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix(h, 0)
}

/// splitmix64's finaliser over a combination of two values.
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.rotate_left(29) ^ 0x9e37_79b9_7f4a_7c15;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests;
