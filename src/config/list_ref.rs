//! A target's `list_refs`: where the company is listed. Each is a line of text ("BIS Entity List,
//! 2022") or a table with the listing's parts, as `claimwatch targets import` writes them.

use std::ops::Range;

use toml::Spanned;

use super::ConfigError;
use super::source::Source;

/// One listing of a target on a sanctions or screening list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListRef {
    /// The data set it came from (an OpenSanctions dataset name such as "us_trade_csl").
    pub dataset: Option<String>,
    /// The entity's id in that data set or list.
    pub entity_id: Option<String>,
    /// The list, as its publisher names it; for a reference written as text, the text.
    pub list: Option<String>,
    pub programs: Vec<String>,
    /// The Federal Register notice that listed it ("85 FR 34495").
    pub federal_register_notice: Option<String>,
    /// When it was listed: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub start_date: Option<String>,
    /// Where the listing can be read.
    pub url: Option<String>,
}

/// The keys a list reference table may have, in the order they are written.
pub const LIST_REF_KEYS: [&str; 7] = [
    "dataset",
    "entity_id",
    "list",
    "programs",
    "federal_register_notice",
    "start_date",
    "url",
];

impl ListRef {
    /// What identifies the listing across files: its entity id within its data set (or list),
    /// case-folded. `None` for a reference without an entity id, which identifies nothing.
    pub fn key(&self) -> Option<(String, String)> {
        let id = self.entity_id.as_deref()?;
        let within = self.dataset.as_deref().or(self.list.as_deref())?;
        Some((within.to_lowercase(), id.to_lowercase()))
    }

    /// One line for people: "Entity List (us_trade_csl 6a1f), programs EAR, since 2020-06-05".
    pub fn describe(&self) -> String {
        // The list names it; failing that the data set does, and is not repeated in brackets.
        let (name, dataset) = match (&self.list, &self.dataset) {
            (Some(list), dataset) => (list.as_str(), dataset.as_deref()),
            (None, Some(dataset)) => (dataset.as_str(), None),
            (None, None) => ("", None),
        };
        let mut line = name.to_string();
        let ids: Vec<&str> = [dataset, self.entity_id.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if !ids.is_empty() {
            line.push_str(&format!(" ({})", ids.join(" ")));
        }
        if !self.programs.is_empty() {
            line.push_str(&format!(", programs {}", self.programs.join(", ")));
        }
        if let Some(frn) = &self.federal_register_notice {
            line.push_str(&format!(", {frn}"));
        }
        if let Some(date) = &self.start_date {
            line.push_str(&format!(", since {date}"));
        }
        line
    }
}

impl Source<'_> {
    /// A target's `list_refs`, each text or a table.
    pub(super) fn list_refs(
        &self,
        refs: &[Spanned<toml::Value>],
    ) -> Result<Vec<ListRef>, ConfigError> {
        refs.iter().map(|r| self.list_ref(r)).collect()
    }

    fn list_ref(&self, value: &Spanned<toml::Value>) -> Result<ListRef, ConfigError> {
        let span = value.span();
        match value.get_ref() {
            toml::Value::String(text) => Ok(ListRef {
                list: Some(self.text(text, span, "list_refs")?),
                ..ListRef::default()
            }),
            toml::Value::Table(table) => self.list_ref_table(table, span),
            other => Err(self.invalid(
                span,
                "list_refs",
                format!("expected a string or a table, found {}", other.type_str()),
            )),
        }
    }

    fn list_ref_table(
        &self,
        table: &toml::Table,
        span: Range<usize>,
    ) -> Result<ListRef, ConfigError> {
        if let Some(key) = table.keys().find(|k| !LIST_REF_KEYS.contains(&k.as_str())) {
            return Err(self.invalid(
                span,
                "list_refs",
                format!(
                    "unknown key `{key}`: a list reference has {}",
                    LIST_REF_KEYS.join(", ")
                ),
            ));
        }
        let text = |key: &str| -> Result<Option<String>, ConfigError> {
            match table.get(key) {
                None => Ok(None),
                Some(toml::Value::String(s)) => self.text(s, span.clone(), key).map(Some),
                Some(other) => Err(self.invalid(
                    span.clone(),
                    key,
                    format!("expected a string, found {}", other.type_str()),
                )),
            }
        };
        let programs = match table.get("programs") {
            None => Vec::new(),
            Some(toml::Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    toml::Value::String(s) => self.text(s, span.clone(), "programs"),
                    other => Err(self.invalid(
                        span.clone(),
                        "programs",
                        format!("expected strings, found {}", other.type_str()),
                    )),
                })
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(self.invalid(
                    span,
                    "programs",
                    format!("expected a list of strings, found {}", other.type_str()),
                ));
            }
        };
        let start_date = text("start_date")?;
        if let Some(date) = &start_date
            && !is_partial_iso_date(date)
        {
            return Err(self.invalid(
                span,
                "start_date",
                format!("bad date {date:?}: expected YYYY-MM-DD, YYYY-MM or YYYY"),
            ));
        }
        let list_ref = ListRef {
            dataset: text("dataset")?,
            entity_id: text("entity_id")?,
            list: text("list")?,
            programs,
            federal_register_notice: text("federal_register_notice")?,
            start_date,
            url: text("url")?,
        };
        if list_ref.dataset.is_none() && list_ref.list.is_none() {
            return Err(self.invalid(
                span,
                "list_refs",
                "a list reference needs a `list` or a `dataset`",
            ));
        }
        Ok(list_ref)
    }

    /// A string value, trimmed, that must not be empty.
    fn text(&self, s: &str, span: Range<usize>, key: &str) -> Result<String, ConfigError> {
        let trimmed = s.trim();
        if trimmed.is_empty() {
            return Err(self.invalid(span, key, "must not be empty"));
        }
        Ok(trimmed.to_string())
    }
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, as lists publish dates known only in part.
pub fn is_partial_iso_date(text: &str) -> bool {
    let full = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok();
    let month = text.len() == 7
        && chrono::NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").is_ok();
    let year = text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit());
    full || month || year
}
