//! FollowTheMoney entities as JSON lines, as OpenSanctions publishes them
//! (`entities.ftm.json`): one `{"id", "schema", "properties", "datasets", "referents", …}` a
//! line. Parties (companies, organisations, people) become [`ListedEntity`]s; the `Sanction`
//! entities that point at them (or sit nested in their `sanctions` property) give their
//! listings.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;
use serde_json::Value;

use super::web::{email_domains_in, is_company_mail_domain, site_url};
use super::{ImportError, ListFile, ListedEntity};
use crate::config::{ListRef, is_partial_iso_date};

/// The schemata of parties: what may have a website and be watched.
const PARTIES: &[&str] = &[
    "LegalEntity",
    "Organization",
    "Company",
    "PublicBody",
    "Person",
];

/// Where a party's country is said, the most telling first.
const COUNTRY_PROPERTIES: &[&str] = &[
    "country",
    "jurisdiction",
    "mainCountry",
    "nationality",
    "citizenship",
];

/// One line as written. Property values are lists of strings, or of nested entities in the
/// nested export form; a bare string is taken as a list of one.
#[derive(Debug, Deserialize)]
struct RawEntity {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    schema: Option<String>,
    #[serde(default)]
    caption: Option<String>,
    #[serde(default)]
    properties: BTreeMap<String, Value>,
    #[serde(default)]
    datasets: Vec<String>,
    #[serde(default)]
    referents: Vec<String>,
}

impl RawEntity {
    fn values<'a>(&'a self, property: &str) -> impl Iterator<Item = &'a Value> + 'a {
        let values: &[Value] = match self.properties.get(property) {
            Some(Value::Array(items)) => items,
            Some(one) => std::slice::from_ref(one),
            None => &[],
        };
        values.iter()
    }

    /// The string values of `property`, trimmed, empty ones left out.
    fn strings(&self, property: &str) -> Vec<String> {
        self.values(property)
            .filter_map(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }

    fn is_a(&self, schemata: &[&str]) -> bool {
        self.schema
            .as_deref()
            .is_some_and(|s| schemata.contains(&s))
    }
}

/// What a `Sanction` entity says about a listing.
#[derive(Debug, Default)]
struct Sanction {
    datasets: Vec<String>,
    authorities: Vec<String>,
    programs: Vec<String>,
    authority_ids: Vec<String>,
    dates: Vec<String>,
    urls: Vec<String>,
}

impl Sanction {
    fn of(raw: &RawEntity) -> Sanction {
        let mut dates = raw.strings("startDate");
        dates.extend(raw.strings("listingDate"));
        Sanction {
            datasets: raw.datasets.clone(),
            authorities: raw.strings("authority"),
            programs: raw.strings("program"),
            authority_ids: raw.strings("authorityId"),
            dates,
            urls: raw.strings("sourceUrl"),
        }
    }
}

pub(super) fn read(input: impl BufRead, path: &Path) -> Result<ListFile, ImportError> {
    let mut parties: Vec<RawEntity> = Vec::new();
    let mut sanctions: HashMap<String, Vec<Sanction>> = HashMap::new();
    let mut other_records = 0;
    for (index, line) in input.lines().enumerate() {
        let at = index as u64 + 1;
        let record = |message: String| ImportError::Record {
            path: path.to_path_buf(),
            line: at,
            message,
        };
        let line = line.map_err(|e| record(e.to_string()))?;
        if line.trim().is_empty() {
            continue;
        }
        let raw: RawEntity = serde_json::from_str(&line)
            .map_err(|e| record(format!("not a FollowTheMoney entity: {e}")))?;
        if raw.is_a(&["Sanction"]) {
            for entity in raw.strings("entity") {
                sanctions
                    .entry(entity)
                    .or_default()
                    .push(Sanction::of(&raw));
            }
            other_records += 1;
        } else if raw.is_a(PARTIES) {
            let Some(id) = raw.id.clone() else {
                return Err(record("a party without an `id`".into()));
            };
            // The nested export form holds a party's sanctions inside it.
            for nested in raw.values("sanctions").filter(|v| v.is_object()) {
                if let Ok(sanction) = serde_json::from_value::<RawEntity>(nested.clone()) {
                    sanctions
                        .entry(id.clone())
                        .or_default()
                        .push(Sanction::of(&sanction));
                }
            }
            parties.push(raw);
        } else {
            other_records += 1;
        }
    }
    let entities = parties
        .iter()
        .filter_map(|party| listed(party, sanctions.get(party.id.as_deref()?)))
        .collect();
    Ok(ListFile {
        entities,
        other_records,
    })
}

/// A party as a listed entity; `None` for one without any name.
fn listed(raw: &RawEntity, sanctions: Option<&Vec<Sanction>>) -> Option<ListedEntity> {
    let id = raw.id.clone()?;
    let mut names = raw.strings("name");
    if names.is_empty() {
        names.extend(raw.caption.clone());
    }
    if names.is_empty() {
        return None;
    }
    let name = names.remove(0);
    let mut aliases = Vec::new();
    for alias in names.into_iter().chain(raw.strings("alias")) {
        if alias != name && !aliases.contains(&alias) {
            aliases.push(alias);
        }
    }
    let mut countries = Vec::new();
    for country in COUNTRY_PROPERTIES.iter().flat_map(|p| raw.strings(p)) {
        let code = country.to_uppercase();
        if !countries.contains(&code) {
            countries.push(code);
        }
    }
    let mut websites = Vec::new();
    for url in raw.strings("website").iter().filter_map(|w| site_url(w)) {
        if !websites.contains(&url) {
            websites.push(url);
        }
    }
    let mut email_domains = Vec::new();
    for domain in raw
        .strings("email")
        .iter()
        .flat_map(|e| email_domains_in(e))
    {
        if is_company_mail_domain(&domain) && !email_domains.contains(&domain) {
            email_domains.push(domain);
        }
    }
    let no_sanctions = Vec::new();
    Some(ListedEntity {
        list_refs: list_refs(raw, &id, sanctions.unwrap_or(&no_sanctions)),
        source_id: id,
        kind: raw.schema.clone().unwrap_or_default(),
        name,
        aliases,
        countries,
        websites,
        email_domains,
        topics: raw.strings("topics"),
        other_ids: raw.referents.clone(),
    })
}

/// One listing per data set the party is in, with what its sanctions in that data set say.
fn list_refs(raw: &RawEntity, id: &str, sanctions: &[Sanction]) -> Vec<ListRef> {
    let datasets: Vec<Option<&String>> = if raw.datasets.is_empty() {
        vec![None]
    } else {
        raw.datasets.iter().map(Some).collect()
    };
    let mut refs = Vec::new();
    for dataset in datasets {
        let own: Vec<&Sanction> = sanctions
            .iter()
            .filter(|s| match dataset {
                Some(d) => s.datasets.is_empty() || s.datasets.contains(d),
                None => true,
            })
            .collect();
        let list = own.iter().flat_map(|s| &s.authorities).next().cloned();
        if dataset.is_none() && list.is_none() {
            continue;
        }
        let mut programs: Vec<String> = Vec::new();
        for program in own
            .iter()
            .flat_map(|s| s.programs.iter().cloned())
            .chain(raw.strings("program"))
        {
            if !programs.contains(&program) {
                programs.push(program);
            }
        }
        refs.push(ListRef {
            dataset: dataset.cloned(),
            entity_id: Some(id.to_string()),
            list,
            programs,
            federal_register_notice: own
                .iter()
                .flat_map(|s| &s.authority_ids)
                .find(|a| is_federal_register_citation(a))
                .cloned(),
            start_date: own
                .iter()
                .flat_map(|s| &s.dates)
                .filter_map(|d| date_part(d))
                .min(),
            url: own.iter().flat_map(|s| &s.urls).next().cloned(),
        });
    }
    refs
}

/// "85 FR 34495": OpenSanctions keeps the notice that listed a CSL entry in `authorityId`, and
/// other lists keep their own ids there.
fn is_federal_register_citation(text: &str) -> bool {
    static CITATION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\d+\s+FR\s+\d+").expect("a valid regex literal"));
    CITATION.is_match(text.trim())
}

/// The date of an FtM date value ("2020-06-05", "2020-06", "2020-06-05T10:00:00").
fn date_part(value: &str) -> Option<String> {
    let date = value.get(..10).unwrap_or(value);
    [
        date,
        value.get(..7).unwrap_or(value),
        value.get(..4).unwrap_or(value),
    ]
    .into_iter()
    .find(|d| is_partial_iso_date(d))
    .map(str::to_string)
}
