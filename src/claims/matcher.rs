//! The matcher: document → claims.
//!
//! Every term of every rule goes into one Aho-Corasick automaton over normalised text, so a
//! sentence costs one pass however many rules there are; a term with a `*` inside is found by
//! its first word and confirmed by a regex anchored there. Pack patterns and user regexes run
//! one by one on the sentence as written (NFKC): they are few, and alone (unlike in a regex
//! set) each gets the regex engine's literal prefilters ("/883", "5962"). Only a sentence that
//! hits something is looked at further.

use std::collections::HashSet;

use url::Url;

use crate::config::{Manufacturer, Rule};
use crate::extract::{Block, BlockKind, Document, Region};
use crate::text::collapse_whitespace;

use super::lazy_regex::LazyRegex;
pub use super::manufacturers::KnownManufacturer;
use super::manufacturers::{Makers, merge};
use super::normalize::{lowercase_into, nfkc, normalize, normalize_kept_into, sentences};
use super::packs::{self, PackRule};
use super::script::is_traditional;
use super::terms::{self, Bounded, Dict, Shape, excluded};
use super::{Category, Claim, ClaimsError};

/// Compiled rules: built-in packs (minus disabled ones), user rules, and manufacturer names.
#[derive(Debug)]
pub struct Matcher {
    rules: Vec<CompiledRule>,
    literals: Dict<TermRef>,
    /// Anchored confirmations of wildcard terms, by `TermRef::wild`.
    wild: Vec<LazyRegex>,
    /// Regexes on the NFKC sentence, and the (rule, term) each stands for.
    raw: Vec<(LazyRegex, usize, usize)>,
    makers: Makers,
    fingerprint: [u8; 32],
}

#[derive(Debug)]
struct CompiledRule {
    id: String,
    category: Category,
    lang: String,
    /// The built-in pack it came from: a pack's zh-Hans and zh-Hant rules share terms, and a
    /// sentence is attributed to only one of them.
    pack: Option<usize>,
    /// The terms as written, then the pattern terms or the user regex: what claims report.
    terms: Vec<String>,
    /// Normalised phrases inside which a literal term is no claim.
    excludes: Vec<String>,
}

/// A term's place: rule and term index, the boundaries it needs, and for a wildcard term the
/// regex that confirms it.
#[derive(Debug, Clone, Copy)]
struct TermRef {
    rule: usize,
    term: usize,
    left: bool,
    right: bool,
    wild: Option<usize>,
}

impl Bounded for TermRef {
    fn left(&self) -> bool {
        self.left
    }
    fn right(&self) -> bool {
        self.right
    }
}

/// Collects the compiled pieces while rules are added.
#[derive(Default)]
struct Builder {
    rules: Vec<CompiledRule>,
    literals: Vec<(String, TermRef)>,
    wild: Vec<LazyRegex>,
    raw: Vec<(LazyRegex, usize, usize)>,
}

impl Builder {
    /// Adds a rule with its terms and its `(term, regex)` patterns. A term normalising to one
    /// already in the rule is dropped: user rules may spell one term two ways ("S-400", "S 400").
    /// A built-in rule's regexes are compiled on first use, a user rule's now.
    fn add(
        &mut self,
        mut rule: CompiledRule,
        terms: &[String],
        patterns: &[(String, String)],
    ) -> Result<(), String> {
        let built_in = rule.pack.is_some();
        let lazy = |pattern: &str| {
            if built_in {
                Ok(LazyRegex::built_in(pattern.to_string()))
            } else {
                LazyRegex::compiled_now(pattern)
            }
        };
        let index = self.rules.len();
        let mut seen = HashSet::new();
        let mut shown = Vec::new();
        for raw in terms {
            let t = terms::compile(raw)?;
            if !seen.insert(t.key) {
                continue;
            }
            let term = shown.len();
            let (needle, left, right, wild) = match t.shape {
                Shape::Literal {
                    needle,
                    left,
                    right,
                } => (needle, left, right, None),
                Shape::Wild {
                    needle,
                    left,
                    regex,
                } => {
                    let re = lazy(&regex).map_err(|e| format!("term {raw:?}: {e}"))?;
                    self.wild.push(re);
                    (needle, left, false, Some(self.wild.len() - 1))
                }
            };
            self.literals.push((
                needle,
                TermRef {
                    rule: index,
                    term,
                    left,
                    right,
                    wild,
                },
            ));
            shown.push(raw.clone());
        }
        for (label, regex) in patterns {
            let re = lazy(regex).map_err(|e| format!("regex {regex:?}: {e}"))?;
            self.raw.push((re, index, shown.len()));
            shown.push(label.clone());
        }
        rule.terms = shown;
        self.rules.push(rule);
        Ok(())
    }
}

/// Per-call buffers, reused from sentence to sentence.
#[derive(Default)]
struct Scratch {
    kept: String,
    norm: String,
    /// (rule, term) pairs the sentence matched, sorted.
    hits: Vec<(usize, usize)>,
    makers: Vec<usize>,
}

/// The claims of one document so far, each (rule, normalised, manufacturer) once.
#[derive(Default)]
struct Sink {
    claims: Vec<Claim>,
    seen: HashSet<(usize, String, Option<usize>)>,
}

/// Where on a page its partner section starts: the first block with a partner term that is a
/// heading rather than a navigation link.
struct Trigger {
    rule: usize,
    terms: Vec<String>,
}

impl Matcher {
    /// `disabled_packs`: ids of built-in packs to leave out ("military", "partner").
    ///
    /// Built-in manufacturers stay known when the partner pack is disabled, for user rules of
    /// category "partner". User rules match with lang "und"; their regexes run on the sentence
    /// as written (NFKC, case kept), their terms like pack terms.
    pub fn new(
        manufacturers: &[Manufacturer],
        rules: &[Rule],
        disabled_packs: &[String],
    ) -> Result<Matcher, ClaimsError> {
        let packs = packs::built_in()?;
        if let Some(unknown) = disabled_packs
            .iter()
            .find(|d| !packs.iter().any(|p| &p.id == *d))
        {
            let ids: Vec<&str> = packs.iter().map(|p| p.id.as_str()).collect();
            return Err(ClaimsError::Pack {
                pack: unknown.clone(),
                message: format!("no such built-in pack; the packs are {}", ids.join(", ")),
            });
        }

        let mut b = Builder::default();
        for (i, pack) in packs.iter().enumerate() {
            if disabled_packs.contains(&pack.id) {
                continue;
            }
            for rule in &pack.rules {
                b.add(
                    compiled(rule, &pack.category, Some(i)),
                    &rule.terms,
                    &rule
                        .patterns
                        .iter()
                        .map(|p| (p.term.clone(), p.regex.clone()))
                        .collect::<Vec<_>>(),
                )
                .map_err(|message| ClaimsError::Pack {
                    pack: pack.id.clone(),
                    message: format!("rule {}: {message}", rule.id),
                })?;
            }
        }

        // Ids stay unique even against disabled packs: stored claims are keyed by rule id.
        let built_in_ids: HashSet<&str> = packs
            .iter()
            .flat_map(|p| &p.rules)
            .map(|r| r.id.as_str())
            .collect();
        for rule in rules {
            let error = |message: String| ClaimsError::Rule {
                rule: rule.id.clone(),
                message,
            };
            if built_in_ids.contains(rule.id.as_str()) {
                return Err(error("that is the id of a built-in rule".into()));
            }
            let regexes: Vec<(String, String)> = rule
                .regex
                .iter()
                .map(|r| (r.as_str().to_string(), r.as_str().to_string()))
                .collect();
            let compiled = CompiledRule {
                id: rule.id.clone(),
                category: Category::from(rule.category.as_str()),
                lang: "und".into(),
                pack: None,
                terms: Vec::new(),
                excludes: Vec::new(),
            };
            b.add(compiled, &rule.terms, &regexes).map_err(error)?;
        }

        let built_in_makers: Vec<_> = packs
            .iter()
            .flat_map(|p| p.manufacturers.iter().cloned())
            .collect();
        let (list, excludes) = merge(&built_in_makers, manufacturers);
        let fingerprint = fingerprint(manufacturers, rules, disabled_packs);
        Ok(Matcher {
            fingerprint,
            literals: Dict::new(b.literals).map_err(|message| ClaimsError::Pack {
                pack: "rules".into(),
                message,
            })?,
            wild: b.wild,
            raw: b.raw,
            rules: b.rules,
            makers: Makers::new(list, excludes)?,
        })
    }

    /// Compiles every regex the matcher holds now; for the test that every built-in one does.
    #[cfg(test)]
    pub(super) fn compile_every_regex(&self) -> Result<usize, regex::Error> {
        let regexes = self.wild.iter().chain(self.raw.iter().map(|(re, _, _)| re));
        let mut compiled = 0;
        for regex in regexes {
            regex.try_compile()?;
            compiled += 1;
        }
        Ok(compiled)
    }

    /// What the claims of a document depend on besides the document: the built-in packs, the
    /// rules and manufacturer names of targets.toml, and the build. Claims kept under one
    /// fingerprint are reused only by a matcher with the same one.
    pub fn fingerprint(&self) -> [u8; 32] {
        self.fingerprint
    }

    /// The manufacturers partner claims can name: built-in, merged with targets.toml.
    pub fn manufacturers(&self) -> &[KnownManufacturer] {
        &self.makers.list
    }

    /// The manufacturer a partner claim names, by its canonical name (in any case, as
    /// targets.toml may respell a built-in name).
    pub fn manufacturer(&self, name: &str) -> Option<&KnownManufacturer> {
        let name = name.to_lowercase();
        self.makers
            .list
            .iter()
            .find(|m| m.name.to_lowercase() == name)
    }

    /// The claims of a document, in document order, each (rule, normalized, manufacturer) once.
    ///
    /// Blocks come first, sentence by sentence; then, on a page with a partner section, the
    /// logo wall (images) and the partner links.
    pub fn claims(&self, document: &Document) -> Vec<Claim> {
        let mut s = Scratch::default();
        let mut sink = Sink::default();
        let mut trigger: Option<Trigger> = None;
        let mut nav: Option<HashSet<String>> = None;
        for block in &document.blocks {
            for sentence in sentences(&block.text) {
                if !self.scan(sentence, &mut s) {
                    continue;
                }
                self.one_script(&mut s.hits, sentence, document.lang.as_deref());
                let mut i = 0;
                while i < s.hits.len() {
                    let rule = s.hits[i].0;
                    let run = s.hits[i..].iter().take_while(|h| h.0 == rule).count();
                    let terms: Vec<String> = s.hits[i..i + run]
                        .iter()
                        .map(|&(_, t)| self.rules[rule].terms[t].clone())
                        .collect();
                    i += run;
                    let text = collapse_whitespace(sentence);
                    if self.rules[rule].category != Category::Partner {
                        sink.add(
                            self,
                            rule,
                            terms,
                            text,
                            &s.norm,
                            (block.kind, block.region),
                            None,
                        );
                        continue;
                    }
                    if trigger.is_none() && opens_partner_section(block, document, &mut nav) {
                        trigger = Some(Trigger {
                            rule,
                            terms: terms.clone(),
                        });
                    }
                    self.makers.named(&s.kept, &s.norm, false, &mut s.makers);
                    for &m in &s.makers {
                        sink.add(
                            self,
                            rule,
                            terms.clone(),
                            text.clone(),
                            &s.norm,
                            (block.kind, block.region),
                            Some(m),
                        );
                    }
                }
            }
        }
        if let Some(trigger) = trigger {
            self.logo_wall(document, &trigger, &mut s, &mut sink);
            self.partner_links(document, &trigger, &mut sink);
        }
        sink.claims
    }

    /// Normalises a sentence into `s` and finds the (rule, term) pairs it matches; false when
    /// none.
    fn scan(&self, sentence: &str, s: &mut Scratch) -> bool {
        s.hits.clear();
        normalize_kept_into(sentence, &mut s.kept);
        lowercase_into(&s.kept, &mut s.norm);
        let norm = s.norm.as_str();
        let hits = &mut s.hits;
        self.literals.find(norm, |needle, start, t| {
            let confirmed = t.wild.is_none_or(|w| {
                norm.get(start..)
                    .is_some_and(|rest| self.wild[w].get().is_match(rest))
            });
            if confirmed && !excluded(norm, start, needle, &self.rules[t.rule].excludes) {
                hits.push((t.rule, t.term));
            }
        });
        if !self.raw.is_empty() {
            let text = nfkc(sentence);
            for (re, rule, term) in &self.raw {
                if re.get().is_match(&text) {
                    hits.push((*rule, *term));
                }
            }
        }
        hits.sort_unstable();
        hits.dedup();
        !hits.is_empty()
    }

    /// Keeps only one of a pack's zh-Hans and zh-Hant rules when a sentence matches both.
    fn one_script(&self, hits: &mut Vec<(usize, usize)>, sentence: &str, page_lang: Option<&str>) {
        let mut chinese: Vec<(usize, bool)> = Vec::new();
        for &(rule, _) in hits.iter() {
            let r = &self.rules[rule];
            let hant = match r.lang.as_str() {
                "zh-Hans" => false,
                "zh-Hant" => true,
                _ => continue,
            };
            if let Some(pack) = r.pack
                && !chinese.contains(&(pack, hant))
            {
                chinese.push((pack, hant));
            }
        }
        let mut traditional = None;
        for &(pack, hant) in &chinese {
            if hant || !chinese.contains(&(pack, true)) {
                continue;
            }
            let keep_hant = *traditional.get_or_insert_with(|| is_traditional(sentence, page_lang));
            hits.retain(|&(rule, _)| {
                let r = &self.rules[rule];
                r.pack != Some(pack) || r.lang != if keep_hant { "zh-Hans" } else { "zh-Hant" }
            });
        }
    }

    /// Partner claims for the images of a partner section whose alt text or file name names a
    /// manufacturer.
    fn logo_wall(&self, document: &Document, trigger: &Trigger, s: &mut Scratch, sink: &mut Sink) {
        let mut named = Vec::new();
        for image in &document.images {
            let alt = collapse_whitespace(&image.alt);
            let file = file_stem(&image.src).unwrap_or_default();
            named.clear();
            for (text, any_case) in [(alt.as_str(), false), (file.as_str(), true)] {
                if text.is_empty() {
                    continue;
                }
                normalize_kept_into(text, &mut s.kept);
                lowercase_into(&s.kept, &mut s.norm);
                self.makers.named(&s.kept, &s.norm, any_case, &mut s.makers);
                named.extend_from_slice(&s.makers);
            }
            if named.is_empty() {
                continue;
            }
            named.sort_unstable();
            named.dedup();
            let text = if alt.is_empty() { file } else { alt };
            let normalized = normalize(&text);
            for &m in &named {
                sink.add(
                    self,
                    trigger.rule,
                    trigger.terms.clone(),
                    text.clone(),
                    &normalized,
                    (BlockKind::Alt, Region::default()),
                    Some(m),
                );
            }
        }
    }

    /// Partner claims for the links of a partner section that lead to a manufacturer's site.
    fn partner_links(&self, document: &Document, trigger: &Trigger, sink: &mut Sink) {
        for link in &document.links {
            let Ok(url) = Url::parse(&link.url) else {
                continue;
            };
            let Some(host) = url.host_str() else {
                continue;
            };
            let mut makers = self.makers.by_host(host).peekable();
            if makers.peek().is_none() {
                continue;
            }
            let text = collapse_whitespace(&link.text);
            let text = if text.is_empty() {
                link.url.clone()
            } else {
                text
            };
            let normalized = normalize(&text);
            for m in makers {
                sink.add(
                    self,
                    trigger.rule,
                    trigger.terms.clone(),
                    text.clone(),
                    &normalized,
                    (BlockKind::Text, Region::default()),
                    Some(m),
                );
            }
        }
    }
}

impl Sink {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        matcher: &Matcher,
        rule: usize,
        terms: Vec<String>,
        text: String,
        normalized: &str,
        (block, region): (BlockKind, Region),
        maker: Option<usize>,
    ) {
        if !self.seen.insert((rule, normalized.to_string(), maker)) {
            return;
        }
        let r = &matcher.rules[rule];
        self.claims.push(Claim {
            rule: r.id.clone(),
            category: r.category.clone(),
            lang: r.lang.clone(),
            terms,
            text,
            normalized: normalized.to_string(),
            block,
            manufacturer: maker.map(|m| matcher.makers.list[m].name.clone()),
            region,
        });
    }
}

fn compiled(rule: &PackRule, category: &Category, pack: Option<usize>) -> CompiledRule {
    CompiledRule {
        id: rule.id.clone(),
        category: category.clone(),
        lang: rule.lang.clone(),
        pack,
        terms: Vec::new(),
        excludes: rule.exclude.iter().map(|e| normalize(e)).collect(),
    }
}

/// Whether a block with a partner term opens a partner section (whose logos and links then
/// count). A menu entry "Partners" on every page of a site does not: a block whose whole text
/// is a link's text is navigation, unless it is a title, heading or description.
fn opens_partner_section(
    block: &Block,
    document: &Document,
    nav: &mut Option<HashSet<String>>,
) -> bool {
    if matches!(
        block.kind,
        BlockKind::Title | BlockKind::Heading | BlockKind::MetaDescription
    ) {
        return true;
    }
    let nav = nav.get_or_insert_with(|| {
        document
            .links
            .iter()
            .map(|l| normalize(&l.text))
            .filter(|t| !t.is_empty())
            .collect()
    });
    !nav.contains(&normalize(&block.text))
}

/// An image's file name without extension, percent-decoded: "/img/ti-logo.png" → "ti-logo".
fn file_stem(src: &str) -> Option<String> {
    let url = Url::parse(src).ok()?;
    let name = url.path_segments()?.rfind(|s| !s.is_empty())?;
    let name = percent_decode(name);
    let stem = match name.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && (1..=5).contains(&ext.len())
                && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            stem.to_string()
        }
        _ => name,
    };
    Some(stem)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            // Both digits are below 16, so the byte cannot overflow.
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// See [`Matcher::fingerprint`]. Authorized lists and their sources are left out: they decide
/// verdicts on claims, not which claims a page holds. The build is in it because matching code
/// changes between builds without the version changing.
fn fingerprint(
    manufacturers: &[Manufacturer],
    rules: &[Rule],
    disabled_packs: &[String],
) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    let mut part = |bytes: &[u8]| {
        hash.update((bytes.len() as u64).to_be_bytes());
        hash.update(bytes);
    };
    part(env!("CARGO_PKG_VERSION").as_bytes());
    part(build_identity().as_bytes());
    for source in packs::SOURCES {
        part(source.0.as_bytes());
        part(source.1.as_bytes());
    }
    for pack in disabled_packs {
        part(pack.as_bytes());
    }
    for maker in manufacturers {
        part(maker.name.as_bytes());
        maker.aliases.iter().for_each(|a| part(a.as_bytes()));
        maker.domains.iter().for_each(|d| part(d.as_bytes()));
        part(b"/maker");
    }
    for rule in rules {
        part(rule.id.as_bytes());
        part(rule.category.as_bytes());
        rule.terms.iter().for_each(|t| part(t.as_bytes()));
        part(rule.regex.as_ref().map_or("", |r| r.as_str()).as_bytes());
        part(b"/rule");
    }
    hash.finalize().into()
}

/// The running executable's size and modification time: two builds of one version differ here.
fn build_identity() -> String {
    std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .unwrap_or_default();
            format!("{} {}", m.len(), modified.as_nanos())
        })
        .unwrap_or_default()
}
