//! Turning the raw tables of `targets.toml` into a [`Config`]: each `[[target]]`,
//! `[[manufacturer]]` and `[[rule]]` checked in file order, the first problem reported.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use toml::Spanned;
use url::Url;

use super::raw::{List, RawClaims, RawFile, RawManufacturer, RawRule, RawTarget, Val};
use super::settings::CrawlSettings;
use super::source::Source;
use super::{BUILT_IN_PACKS, Config, ConfigError, Manufacturer, Rule, Target};

impl Source<'_> {
    /// The whole file: `[crawl]`, then the targets, manufacturers, rules, `[claims]` and
    /// notifiers; a file without targets only when not `require_targets`.
    pub(super) fn config(
        &self,
        raw: &RawFile,
        require_targets: bool,
    ) -> Result<Config, ConfigError> {
        self.config_with_targets(raw, |crawl| {
            if require_targets && raw.target.is_empty() {
                return Err(self.invalid_line(
                    1,
                    "target",
                    "no [[target]] table: the watch-list needs at least one target",
                ));
            }
            each(&raw.target, |t, ids| self.target(t, crawl, ids))
        })
    }

    /// [`Source::config`], with the targets checked by `targets` once the crawl defaults are
    /// known: a long watch-list's are read and checked a piece at a time.
    pub(super) fn config_with_targets(
        &self,
        raw: &RawFile,
        targets: impl FnOnce(&CrawlSettings) -> Result<Vec<Target>, ConfigError>,
    ) -> Result<Config, ConfigError> {
        let crawl = self.crawl_defaults(raw.crawl.as_ref())?;
        let targets = targets(&crawl)?;
        let manufacturers = each(&raw.manufacturer, |m, names| self.manufacturer(m, names))?;
        let rules = each(&raw.rule, |r, ids| self.rule(r, ids))?;
        let disabled_packs = self.disabled_packs(raw.claims.as_ref())?;
        let notify = each(&raw.notify, |n, names| self.notifier(n, names))?;
        Ok(Config {
            path: self.path.to_path_buf(),
            crawl,
            targets,
            manufacturers,
            rules,
            disabled_packs,
            notify,
        })
    }

    /// One target; `ids` holds the ids of those before it.
    pub(super) fn target(
        &self,
        raw: &Spanned<RawTarget>,
        crawl: &CrawlSettings,
        ids: &mut HashMap<String, usize>,
    ) -> Result<Target, ConfigError> {
        let table = raw.span();
        let t = raw.get_ref();

        let id = self.required(&t.id, table.clone(), "id", "every target needs an id")?;
        let id = self.unique_slug(id, "id", ids)?;
        let name = self.required(&t.name, table.clone(), "name", "every target needs a name")?;
        let name = self.non_empty(name, "name")?;
        let seeds = self.seeds(&t.seeds, table.clone())?;
        let country = match &t.country {
            Some(v) => Some(self.non_empty(v, "country")?),
            None => None,
        };
        let settings = self.target_settings(t, crawl)?;

        Ok(Target {
            id,
            name,
            seeds,
            aliases: self.strings(&t.aliases, "aliases")?,
            country,
            tags: self.strings(&t.tags, "tags")?,
            list_refs: self.list_refs(&t.list_refs)?,
            include: self.regexes(&t.include, "include")?,
            exclude: self.regexes(&t.exclude, "exclude")?,
            allow_hosts: self.hosts(&t.allow_hosts, "allow_hosts", true)?,
            allow_private: t.allow_private.unwrap_or(false),
            settings,
            line: self.line(table.start),
        })
    }

    /// A target's seeds: at least one, each an http(s) URL, without repeats.
    fn seeds(&self, seeds: &Val<List>, table: Range<usize>) -> Result<Vec<Url>, ConfigError> {
        let list = self.required(
            seeds,
            table,
            "seeds",
            "a target needs at least one http or https URL",
        )?;
        if list.get_ref().is_empty() {
            return Err(self.invalid(
                list.span(),
                "seeds",
                "is empty: a target needs at least one http or https URL",
            ));
        }
        let mut seeds: Vec<Url> = Vec::with_capacity(list.get_ref().len());
        for v in list.get_ref() {
            let url = self.seed(v)?;
            if !seeds.contains(&url) {
                seeds.push(url);
            }
        }
        Ok(seeds)
    }

    fn manufacturer(
        &self,
        raw: &Spanned<RawManufacturer>,
        names: &mut HashMap<String, usize>,
    ) -> Result<Manufacturer, ConfigError> {
        let m = raw.get_ref();
        let name_v = self.required(
            &m.name,
            raw.span(),
            "name",
            "every manufacturer needs a name",
        )?;
        let name = self.non_empty(name_v, "name")?;
        let line = self.line(name_v.span().start);
        if let Some(first) = names.insert(name.to_lowercase(), line) {
            return Err(self.invalid_line(
                line,
                "name",
                format!("duplicate manufacturer {name:?} (first at line {first})"),
            ));
        }
        let authorized = match &m.authorized {
            Some(list) => Some(self.hosts(list, "authorized", true)?),
            None => None,
        };
        Ok(Manufacturer {
            name,
            aliases: self.strings(&m.aliases, "aliases")?,
            domains: self.hosts(&m.domains, "domains", false)?,
            authorized,
            source: m.source.clone(),
        })
    }

    fn rule(
        &self,
        raw: &Spanned<RawRule>,
        ids: &mut HashMap<String, usize>,
    ) -> Result<Rule, ConfigError> {
        let r = raw.get_ref();
        let id = self.required(&r.id, raw.span(), "id", "every rule needs an id")?;
        let id = self.unique_slug(id, "id", ids)?;
        let category = self.required(
            &r.category,
            raw.span(),
            "category",
            "every rule needs a category (e.g. \"military\" or \"partner\")",
        )?;
        let category = self.slug(category, "category")?;
        let terms = match &r.terms {
            Some(list) => self.terms(list.get_ref())?,
            None => Vec::new(),
        };
        let regex = match &r.regex {
            Some(v) => Some(self.regex(v, "regex")?),
            None => None,
        };
        if terms.is_empty() && regex.is_none() {
            let span = r.terms.as_ref().map_or(raw.span(), Spanned::span);
            return Err(self.invalid(
                span,
                "terms",
                format!("rule {id:?} has neither terms nor a regex: give `terms` or `regex`"),
            ));
        }
        Ok(Rule {
            id,
            category,
            terms,
            regex,
        })
    }

    /// A rule's terms: none empty, and no two the same once case and spacing are ignored.
    fn terms(&self, list: &[Spanned<String>]) -> Result<Vec<String>, ConfigError> {
        let mut terms = Vec::with_capacity(list.len());
        let mut seen = HashSet::new();
        for v in list {
            let term = v.get_ref().trim();
            if term.is_empty() {
                return Err(self.invalid(
                    v.span(),
                    "terms",
                    "empty term: it would match everything",
                ));
            }
            // Terms match case- and whitespace-insensitively, so these spell the same term.
            let folded = term
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            if !seen.insert(folded) {
                return Err(self.invalid(v.span(), "terms", format!("duplicate term {term:?}")));
            }
            terms.push(term.to_string());
        }
        Ok(terms)
    }

    /// The built-in packs `[claims] disable` turns off; each must be one that exists.
    fn disabled_packs(&self, claims: Option<&RawClaims>) -> Result<Vec<String>, ConfigError> {
        let mut disabled = Vec::new();
        for pack in claims.iter().flat_map(|c| &c.disable) {
            if !BUILT_IN_PACKS.contains(&pack.get_ref().as_str()) {
                return Err(self.invalid(
                    pack.span(),
                    "disable",
                    format!(
                        "no built-in pack {:?}: the packs are {}",
                        pack.get_ref(),
                        BUILT_IN_PACKS.join(", ")
                    ),
                ));
            }
            disabled.push(pack.get_ref().clone());
        }
        Ok(disabled)
    }
}

/// Checks each table of one kind in file order, stopping at the first problem; `check` is handed
/// what must not repeat (ids, names), mapped to the line it was first seen on.
fn each<R, T>(
    raws: &[Spanned<R>],
    mut check: impl FnMut(&Spanned<R>, &mut HashMap<String, usize>) -> Result<T, ConfigError>,
) -> Result<Vec<T>, ConfigError> {
    let mut seen = HashMap::new();
    raws.iter().map(|raw| check(raw, &mut seen)).collect()
}
