//! Manufacturers that partner claims can name: the built-in list merged with targets.toml.
//!
//! Names are found in three ways. Most aliases match on normalised text, in any case and width.
//! Aliases with a short capitalised word ("TI", "ST", "ADI", "ON Semiconductor") only match in
//! capitals or title case, because "ti", "st" and "based on semiconductor …" are everyday text.
//! In image file names, which have no case to go by, those match in any case too.

use crate::config::Manufacturer;
use crate::text::is_cjk;

use super::ClaimsError;
use super::normalize::{lowercase_into, normalize, normalize_kept_into};
use super::packs::PackManufacturer;
use super::terms::{Bounded, Dict, excluded};

/// A manufacturer as the matcher knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownManufacturer {
    /// The canonical name partner claims report.
    pub name: String,
    pub aliases: Vec<String>,
    /// Hosts of its sites, lower-case; subdomains count too.
    pub domains: Vec<String>,
    /// Hosts of its authorized distributors, from targets.toml; `None`: unknown.
    pub authorized: Option<Vec<String>>,
    /// Where the authorized list came from, from targets.toml.
    pub source: Option<String>,
}

/// Merges targets.toml's manufacturers into the built-in ones. An entry with a built-in name
/// (in any case) adds its aliases and domains to it and brings its authorized list and source;
/// its spelling of the name wins, being the user's. Other entries are appended.
pub(crate) fn merge(
    built_in: &[PackManufacturer],
    config: &[Manufacturer],
) -> (Vec<KnownManufacturer>, Vec<Vec<String>>) {
    let mut list: Vec<KnownManufacturer> = Vec::new();
    let mut excludes: Vec<Vec<String>> = Vec::new();
    for m in built_in {
        list.push(KnownManufacturer {
            name: m.name.clone(),
            aliases: m.aliases.clone(),
            domains: m.domains.clone(),
            authorized: None,
            source: None,
        });
        excludes.push(m.exclude.iter().map(|e| normalize(e)).collect());
    }
    for c in config {
        let same = list
            .iter()
            .position(|k| k.name.to_lowercase() == c.name.to_lowercase());
        let i = same.unwrap_or_else(|| {
            list.push(KnownManufacturer {
                name: c.name.clone(),
                aliases: Vec::new(),
                domains: Vec::new(),
                authorized: None,
                source: None,
            });
            excludes.push(Vec::new());
            list.len() - 1
        });
        let k = &mut list[i];
        k.name = c.name.clone();
        for alias in &c.aliases {
            let key = normalize(alias);
            if !k.aliases.iter().any(|a| normalize(a) == key) {
                k.aliases.push(alias.clone());
            }
        }
        for domain in &c.domains {
            let domain = domain.trim_end_matches('.').to_ascii_lowercase();
            if !k.domains.contains(&domain) {
                k.domains.push(domain);
            }
        }
        k.authorized = c.authorized.clone();
        k.source = c.source.clone();
    }
    (list, excludes)
}

#[derive(Debug, Clone, Copy)]
struct Target {
    maker: usize,
    left: bool,
    right: bool,
}

impl Bounded for Target {
    fn left(&self) -> bool {
        self.left
    }
    fn right(&self) -> bool {
        self.right
    }
}

/// The manufacturers, compiled for finding their names in text.
#[derive(Debug)]
pub(crate) struct Makers {
    pub(crate) list: Vec<KnownManufacturer>,
    excludes: Vec<Vec<String>>,
    /// Case-insensitive aliases, on normalised text.
    folded: Dict<Target>,
    /// Case-sensitive aliases in their accepted spellings, on case-kept normalised text.
    exact: Dict<Target>,
    /// The case-sensitive aliases lower-cased, on normalised text: for file names.
    exact_any_case: Dict<Target>,
}

impl Makers {
    pub(crate) fn new(
        list: Vec<KnownManufacturer>,
        excludes: Vec<Vec<String>>,
    ) -> Result<Makers, ClaimsError> {
        let mut folded = Vec::new();
        let mut exact = Vec::new();
        let mut any_case = Vec::new();
        let mut kept = String::new();
        let mut lower = String::new();
        for (maker, m) in list.iter().enumerate() {
            for alias in std::iter::once(&m.name).chain(&m.aliases) {
                normalize_kept_into(alias, &mut kept);
                // An alias of only punctuation could never be written on a page.
                let (Some(first), Some(last)) = (kept.chars().next(), kept.chars().next_back())
                else {
                    continue;
                };
                let target = Target {
                    maker,
                    left: !is_cjk(first),
                    right: !is_cjk(last),
                };
                lowercase_into(&kept, &mut lower);
                if is_case_sensitive(&kept) {
                    for spelling in spellings(&kept) {
                        exact.push((spelling, target));
                    }
                    any_case.push((lower.clone(), target));
                } else {
                    folded.push((lower.clone(), target));
                }
            }
        }
        let build = |entries| {
            Dict::new(entries).map_err(|message| ClaimsError::Pack {
                pack: "manufacturers".into(),
                message,
            })
        };
        Ok(Makers {
            list,
            excludes,
            folded: build(folded)?,
            exact: build(exact)?,
            exact_any_case: build(any_case)?,
        })
    }

    /// The manufacturers named in a text, in list order, into `out`. `kept` and `norm` are the
    /// text normalised with and without case; `any_case` for text that has lost its case.
    pub(crate) fn named(&self, kept: &str, norm: &str, any_case: bool, out: &mut Vec<usize>) {
        out.clear();
        self.folded.find(norm, |needle, start, t| {
            if !excluded(norm, start, needle, &self.excludes[t.maker]) {
                out.push(t.maker);
            }
        });
        if any_case {
            self.exact_any_case.find(norm, |_, _, t| out.push(t.maker));
        } else {
            self.exact.find(kept, |_, _, t| out.push(t.maker));
        }
        out.sort_unstable();
        out.dedup();
    }

    /// The manufacturers whose site `host` is on, in list order.
    pub(crate) fn by_host(&self, host: &str) -> impl Iterator<Item = usize> + '_ {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let hits: Vec<usize> = self
            .list
            .iter()
            .enumerate()
            .filter(|(_, m)| m.domains.iter().any(|d| on_domain(&host, d)))
            .map(|(i, _)| i)
            .collect();
        hits.into_iter()
    }
}

/// `host` is `domain` or one of its subdomains.
fn on_domain(host: &str, domain: &str) -> bool {
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|rest| rest.ends_with('.'))
}

/// Whether an alias has a word of one to three capitals (digits allowed): "TI", "ADI", "NXP",
/// "ON Semiconductor". Such words are everyday words or syllables in lower case.
fn is_case_sensitive(kept: &str) -> bool {
    kept.split(' ').any(|w| {
        (1..=3).contains(&w.len())
            && w.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && w.chars().any(|c| c.is_ascii_uppercase())
    })
}

/// The spellings a case-sensitive alias is accepted in: as written, in capitals ("ON
/// SEMICONDUCTOR" on line cards), and for several words in title case ("On Semiconductor").
fn spellings(kept: &str) -> Vec<String> {
    let mut out = vec![kept.to_string(), kept.to_uppercase()];
    if kept.contains(' ') {
        let title: Vec<String> = kept
            .split(' ')
            .map(|w| {
                let mut chars = w.chars();
                chars.next().map_or_else(String::new, |first| {
                    first
                        .to_uppercase()
                        .chain(chars.flat_map(char::to_lowercase))
                        .collect()
                })
            })
            .collect();
        out.push(title.join(" "));
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn makers(config: &[Manufacturer]) -> Makers {
        let packs = super::super::packs::built_in().expect("built-in packs parse");
        let built_in: Vec<PackManufacturer> =
            packs.into_iter().flat_map(|p| p.manufacturers).collect();
        let (list, excludes) = merge(&built_in, config);
        Makers::new(list, excludes).expect("compiles")
    }

    fn names(m: &Makers, text: &str, any_case: bool) -> Vec<String> {
        let mut kept = String::new();
        let mut norm = String::new();
        normalize_kept_into(text, &mut kept);
        lowercase_into(&kept, &mut norm);
        let mut out = Vec::new();
        m.named(&kept, &norm, any_case, &mut out);
        out.into_iter().map(|i| m.list[i].name.clone()).collect()
    }

    #[test]
    fn finds_names_and_aliases() {
        let m = makers(&[]);
        assert_eq!(
            names(&m, "Texas Instruments and ADI", false),
            ["Texas Instruments", "Analog Devices"]
        );
        assert_eq!(
            names(&m, "ＴＥＸＡＳ　ＩＮＳＴＲＵＭＥＮＴＳ", false),
            ["Texas Instruments"]
        );
        assert_eq!(
            names(&m, "德州仪器、亞德諾", false),
            ["Texas Instruments", "Analog Devices"]
        );
        assert_eq!(names(&m, "TI代理", false), ["Texas Instruments"]);
        assert_eq!(names(&m, "TI's parts", false), ["Texas Instruments"]);
        assert!(names(&m, "OPTIMIZATION", false).is_empty());
        assert!(names(&m, "ti parts, st parts", false).is_empty());
        assert!(names(&m, "Ti parts", false).is_empty());
        assert_eq!(names(&m, "ti logo", true), ["Texas Instruments"]);
        assert!(names(&m, "list optimization", true).is_empty());
    }

    #[test]
    fn short_words_in_longer_aliases() {
        let m = makers(&[]);
        assert_eq!(names(&m, "ON Semiconductor", false), ["ON Semiconductor"]);
        assert_eq!(names(&m, "ON SEMICONDUCTOR", false), ["ON Semiconductor"]);
        assert_eq!(names(&m, "On Semiconductor", false), ["ON Semiconductor"]);
        assert!(names(&m, "based on semiconductor physics", false).is_empty());
        assert_eq!(names(&m, "onsemi", false), ["ON Semiconductor"]);
    }

    #[test]
    fn exclusions() {
        let m = makers(&[]);
        assert!(names(&m, "高通滤波器", false).is_empty());
        assert_eq!(names(&m, "高通芯片", false), ["Qualcomm"]);
        assert!(names(&m, "微芯片", false).is_empty());
        assert_eq!(names(&m, "微芯代理", false), ["Microchip"]);
    }

    #[test]
    fn config_extends_built_in() {
        let config = [
            Manufacturer {
                name: "texas instruments".into(),
                aliases: vec!["TXN".into(), "ti".into(), "TI".into()],
                domains: vec!["ti.com".into(), "ti.com.cn".into()],
                authorized: Some(vec!["mouser.com".into()]),
                source: Some("https://www.ti.com/distributors".into()),
            },
            Manufacturer {
                name: "Acme Semi".into(),
                aliases: vec![],
                domains: vec!["acme.example".into()],
                authorized: None,
                source: None,
            },
        ];
        let m = makers(&config);
        let ti = &m.list[0];
        assert_eq!(ti.name, "texas instruments");
        assert_eq!(ti.aliases, ["TI", "德州仪器", "德州儀器", "TXN"]);
        assert_eq!(ti.domains, ["ti.com", "ti.com.cn"]);
        assert_eq!(
            ti.authorized.as_deref(),
            Some(&["mouser.com".to_string()][..])
        );
        assert!(m.list[..15].iter().skip(1).all(|k| k.authorized.is_none()));
        assert_eq!(m.list.last().map(|k| k.name.as_str()), Some("Acme Semi"));
        assert_eq!(names(&m, "TXN", false), ["texas instruments"]);
        assert_eq!(names(&m, "acme semi", false), ["Acme Semi"]);
        let hosts: Vec<usize> = m.by_host("www.acme.example.").collect();
        assert_eq!(hosts, [m.list.len() - 1]);
        assert_eq!(m.by_host("e2e.ti.com").collect::<Vec<_>>(), [0]);
        assert!(m.by_host("notti.com").next().is_none());
    }
}
