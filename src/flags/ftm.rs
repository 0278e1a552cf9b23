//! Flags as FollowTheMoney entities, for yente, Aleph and the `ftm` tools: a Company per target
//! with what targets.toml says of it (names, country, website, tags) and a Sanction per listing,
//! a HyperText per capture (where and when it was retrieved, the SHA-1 of its body) with a
//! Documentation tying it to the company, a Note per flag, and a Mention per manufacturer a
//! partner claim names. Ids are stable: the same target, capture and flag always get the same.
//!
//! Only properties FtM's schemata define are used, with values their types accept; the
//! integration tests check every entity with the `followthemoney` package itself.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, BufWriter, Write};

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha1::{Digest, Sha1};

use super::export::serde_name;
use super::record::{Flag, FlagCapture};
use crate::config::{ListRef, Target};

/// One FollowTheMoney entity, in the JSON shape FtM tools read: every property value is a
/// list of strings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    pub id: String,
    pub schema: &'static str,
    pub properties: BTreeMap<&'static str, Vec<String>>,
}

/// What the store knows of a capture beyond the flag's summary of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaptureFacts {
    /// The URL asked for, and where redirects led.
    pub url: Option<String>,
    pub final_url: Option<String>,
    pub content_type: Option<String>,
    pub encoding: Option<String>,
    pub size: Option<u64>,
    /// Hex SHA-1 of the raw body: FtM's `contentHash`, the digest Aleph files a document under.
    pub sha1: Option<String>,
}

/// Where the export looks captures up (the store); [`NoEvidence`] when it cannot.
pub trait Evidence {
    fn capture(&self, capture_id: &str) -> Option<CaptureFacts>;
}

/// Nothing beyond the flags.
pub struct NoEvidence;

impl Evidence for NoEvidence {
    fn capture(&self, _: &str) -> Option<CaptureFacts> {
        None
    }
}

/// What the export knows beyond the flags: the watch-list's targets and the store's captures.
pub struct Context<'a> {
    pub targets: &'a [Target],
    pub evidence: &'a dyn Evidence,
}

/// The entities of `flags`, each once: companies, their listings, captures, the documentation
/// linking them, notes, mentions.
pub fn entities(flags: &[Flag], context: &Context<'_>) -> Vec<Entity> {
    let mut out = Entities::default();
    for flag in flags {
        out.flag(flag, context);
    }
    out.into_vec()
}

/// Writes the entities of `flags` as JSON lines.
pub fn write(flags: &[Flag], context: &Context<'_>, out: &mut dyn Write) -> io::Result<()> {
    write_entities(&entities(flags, context), out)
}

/// Writes what the flags in `new` add to the entities of the other flags: for an incremental
/// load, whose earlier loads hold the rest.
pub fn write_delta(
    flags: &[Flag],
    new: &HashSet<String>,
    context: &Context<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (added, before): (Vec<Flag>, Vec<Flag>) = flags
        .iter()
        .cloned()
        .partition(|f| new.contains(&f.flag_id));
    // Ids do not depend on the evidence: the earlier entities need no store look-ups.
    let quiet = Context {
        targets: context.targets,
        evidence: &NoEvidence,
    };
    let known: HashSet<String> = entities(&before, &quiet)
        .into_iter()
        .map(|e| e.id)
        .collect();
    let fresh: Vec<Entity> = entities(&added, context)
        .into_iter()
        .filter(|e| !known.contains(&e.id))
        .collect();
    write_entities(&fresh, out)
}

fn write_entities(entities: &[Entity], out: &mut dyn Write) -> io::Result<()> {
    let mut out = BufWriter::new(out);
    for entity in entities {
        serde_json::to_writer(&mut out, entity)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// The entities so far, by kind, each id once.
#[derive(Default)]
struct Entities {
    seen: HashSet<String>,
    companies: Vec<Entity>,
    listings: Vec<Entity>,
    captures: Vec<Entity>,
    documentation: Vec<Entity>,
    notes: Vec<Entity>,
    mentions: Vec<Entity>,
}

impl Entities {
    fn into_vec(self) -> Vec<Entity> {
        [
            self.companies,
            self.listings,
            self.captures,
            self.documentation,
            self.notes,
            self.mentions,
        ]
        .concat()
    }

    /// Adds `entity` to `kind` unless its id is there already.
    fn push(seen: &mut HashSet<String>, kind: &mut Vec<Entity>, entity: Entity) {
        if seen.insert(entity.id.clone()) {
            kind.push(entity);
        }
    }

    fn flag(&mut self, flag: &Flag, context: &Context<'_>) {
        let company_id = company_entity_id(&flag.target.id);
        if !self.seen.contains(&company_id) {
            let target = context.targets.iter().find(|t| t.id == flag.target.id);
            let company = company(&company_id, flag, target);
            Self::push(&mut self.seen, &mut self.companies, company);
            for listing in target.iter().flat_map(|t| &t.list_refs) {
                let sanction = sanction(&company_id, &flag.target.id, listing);
                Self::push(&mut self.seen, &mut self.listings, sanction);
            }
        }

        let mut proof = Vec::new();
        // After first: it is the page as it now stands, the one a reader checks first.
        for capture in std::iter::once(&flag.after).chain(flag.before.as_ref()) {
            let capture_id = capture_entity_id(&capture.capture_id);
            proof.push(capture_id.clone());
            if self.seen.contains(&capture_id) {
                continue;
            }
            let facts = context.evidence.capture(&capture.capture_id);
            let hypertext = hypertext(&capture_id, capture, &flag.url, facts.unwrap_or_default());
            Self::push(&mut self.seen, &mut self.captures, hypertext);
            let documentation = documentation(&capture_id, &company_id, capture);
            Self::push(&mut self.seen, &mut self.documentation, documentation);
        }

        Self::push(
            &mut self.seen,
            &mut self.notes,
            note(flag, &company_id, proof),
        );
        if let Some(maker) = flag.claim.as_ref().and_then(|c| c.manufacturer.as_ref()) {
            let document = capture_entity_id(&flag.after.capture_id);
            let mention = Entity {
                id: format!("{document}-mentions-{}", short_digest(&maker.name)),
                schema: "Mention",
                properties: BTreeMap::from([
                    ("document", vec![document]),
                    ("name", vec![maker.name.clone()]),
                    ("detectedSchema", vec!["Company".to_owned()]),
                ]),
            };
            Self::push(&mut self.seen, &mut self.mentions, mention);
        }
    }
}

/// The company behind a target: what targets.toml says of it, or, for a target no longer in
/// the file, what its flags say.
fn company(id: &str, flag: &Flag, target: Option<&Target>) -> Entity {
    let mut properties = BTreeMap::new();
    let mut sites: Vec<String> = Vec::new();
    let mut notes = Vec::new();
    match target {
        Some(t) => {
            properties.insert("name", vec![t.name.clone()]);
            put(&mut properties, "alias", t.aliases.clone());
            put(&mut properties, "keywords", t.tags.clone());
            if let Some(country) = &t.country {
                match country_code(country) {
                    Some(code) => put(&mut properties, "country", vec![code]),
                    None => notes.push(format!("Country: {country}")),
                }
            }
            for seed in &t.seeds {
                push_new(&mut sites, site_of(seed.as_str()));
            }
        }
        None => {
            properties.insert("name", vec![flag.target.name.clone()]);
            push_new(&mut sites, site_of(&flag.url));
        }
    }
    notes.push(format!(
        "Watched by claimwatch as target {}.",
        flag.target.id
    ));
    put(
        &mut properties,
        "sourceUrl",
        sites.first().cloned().into_iter().collect(),
    );
    put(&mut properties, "website", sites);
    put(&mut properties, "notes", notes);
    Entity {
        id: id.to_owned(),
        schema: "Company",
        properties,
    }
}

/// A listing as FtM models one: a Sanction on the company, as OpenSanctions writes them (the
/// Federal Register notice in `authorityId`).
fn sanction(company_id: &str, target_id: &str, listing: &ListRef) -> Entity {
    let mut properties = BTreeMap::from([("entity", vec![company_id.to_owned()])]);
    let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
    put(&mut properties, "authority", one(&listing.list));
    put(&mut properties, "publisher", one(&listing.dataset));
    put(&mut properties, "recordId", one(&listing.entity_id));
    put(&mut properties, "program", listing.programs.clone());
    put(
        &mut properties,
        "authorityId",
        one(&listing.federal_register_notice),
    );
    put(&mut properties, "startDate", one(&listing.start_date));
    put(&mut properties, "sourceUrl", one(&listing.url));
    Entity {
        id: format!(
            "{}-listing-{}",
            company_entity_id(target_id),
            short_digest(&listing.describe())
        ),
        schema: "Sanction",
        properties,
    }
}

fn hypertext(id: &str, capture: &FlagCapture, flag_url: &str, facts: CaptureFacts) -> Entity {
    // A flag's captures are both of its page, so the flag's URL is the capture's when the
    // store has no record of it.
    let url = facts.url.unwrap_or_else(|| flag_url.to_owned());
    let mut properties = BTreeMap::from([
        ("title", vec![url.clone()]),
        ("sourceUrl", vec![url.clone()]),
        ("retrievedAt", vec![ftm_date(&capture.captured_at)]),
        ("crawler", vec!["claimwatch".to_owned()]),
    ]);
    put(
        &mut properties,
        "contentHash",
        facts.sha1.into_iter().collect(),
    );
    let mime_type = facts
        .content_type
        .as_deref()
        .and_then(|c| c.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .filter(|m| m.contains('/'));
    put(&mut properties, "mimeType", mime_type.into_iter().collect());
    put(
        &mut properties,
        "encoding",
        facts.encoding.into_iter().collect(),
    );
    put(
        &mut properties,
        "fileSize",
        facts.size.map(|s| s.to_string()).into_iter().collect(),
    );
    let mut notes = Vec::new();
    if let Some(final_url) = facts.final_url.filter(|f| *f != url) {
        notes.push(format!("Redirected to {final_url}"));
    }
    if let Some(status) = capture.http_status {
        notes.push(format!("HTTP status: {status}"));
    }
    if let Some(sha256) = &capture.sha256 {
        notes.push(format!("SHA-256 of the raw response body: {sha256}"));
    }
    put(&mut properties, "notes", notes);
    Entity {
        id: id.to_owned(),
        schema: "HyperText",
        properties,
    }
}

/// Ties a capture to the company whose site it is.
fn documentation(capture_id: &str, company_id: &str, capture: &FlagCapture) -> Entity {
    Entity {
        id: format!("{capture_id}-documents-company"),
        schema: "Documentation",
        properties: BTreeMap::from([
            ("document", vec![capture_id.to_owned()]),
            ("entity", vec![company_id.to_owned()]),
            ("role", vec!["capture of the company's website".to_owned()]),
            ("date", vec![ftm_date(&capture.captured_at)]),
        ]),
    }
}

fn note(flag: &Flag, company_id: &str, proof: Vec<String>) -> Entity {
    Entity {
        id: flag_entity_id(&flag.flag_id),
        schema: "Note",
        properties: BTreeMap::from([
            ("entity", vec![company_id.to_owned()]),
            ("name", vec![flag.flag_type.as_str().to_owned()]),
            ("description", vec![note_description(flag)]),
            // Verbatim, line breaks and all: the description above is flattened.
            ("notes", vec![flag.claim_text().to_owned()]),
            ("sourceUrl", vec![flag.url.clone()]),
            ("createdAt", vec![ftm_date(&flag.detected_at)]),
            ("proof", proof),
        ]),
    }
}

/// E.g. `claim_removed (site, military, high): We supply the military.`
fn note_description(flag: &Flag) -> String {
    let text = flag
        .claim_text()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut description = format!(
        "{} ({}, {}, {}): {}",
        flag.flag_type.as_str(),
        serde_name(&flag.scope),
        flag.category,
        serde_name(&flag.severity),
        text
    );
    if let Some(m) = flag.claim.as_ref().and_then(|c| c.manufacturer.as_ref()) {
        description.push_str(&format!(
            " [manufacturer: {}, {}]",
            m.name,
            serde_name(&m.allowlist)
        ));
    }
    if let Some(reason) = &flag.reason {
        description.push_str(&format!(" Why: {reason}."));
    }
    let review = serde_name(&flag.review.status);
    if review != "unreviewed" {
        // A dismissed flag must not read as a live one once it is out of claimwatch.
        description.push_str(&format!(" [review: {review}]"));
    }
    description
}

/// Sets `key` unless there is nothing to set: FtM has no empty properties.
fn put(
    properties: &mut BTreeMap<&'static str, Vec<String>>,
    key: &'static str,
    values: Vec<String>,
) {
    if !values.is_empty() {
        properties.insert(key, values);
    }
}

fn push_new(list: &mut Vec<String>, item: Option<String>) {
    if let Some(item) = item
        && !list.contains(&item)
    {
        list.push(item);
    }
}

/// The site a URL is on: scheme, host and port, as `https://www.example.com/`.
fn site_of(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    url.host_str()?;
    Some(format!("{}/", url.origin().ascii_serialization()))
}

/// An ISO 3166-1 alpha-2 code as FtM writes countries (lower-case); `None` for other text.
fn country_code(country: &str) -> Option<String> {
    let code = country.trim();
    (code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| code.to_ascii_lowercase())
}

/// FtM dates are UTC by definition and written without an offset; FtM has no sub-second
/// precision.
fn ftm_date(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Twelve hex digits of a SHA-1: ids for things named by free text (a listing, a maker).
fn short_digest(text: &str) -> String {
    hex::encode(Sha1::digest(text.as_bytes()))[..12].to_owned()
}

/// The hex SHA-1 of a body, as FtM's `contentHash` holds it.
pub fn content_hash(body: &[u8]) -> String {
    hex::encode(Sha1::digest(body))
}

fn company_entity_id(target_id: &str) -> String {
    format!("claimwatch-company-{}", ftm_id_part(target_id))
}

fn capture_entity_id(capture_id: &str) -> String {
    format!("claimwatch-capture-{}", ftm_id_part(capture_id))
}

fn flag_entity_id(flag_id: &str) -> String {
    format!("claimwatch-flag-{}", ftm_id_part(flag_id))
}

/// Makes `raw` fit FtM's entity id syntax, `^[0-9a-zA-Z]([0-9a-zA-Z.-]*[0-9a-zA-Z])?$`:
/// FtM drops references to ids outside it, and target ids may hold `_` (docs/contract.md "Files").
///
/// ASCII letters, digits and inner `-` stay; every other byte becomes `.` and two hex
/// digits. Injective, since a `.` only ever starts an escape, and readable for the usual
/// ids. A trailing `-` is escaped as well because the id must end alphanumeric.
fn ftm_id_part(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut id = String::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        let last = i + 1 == bytes.len();
        if b.is_ascii_alphanumeric() || (b == b'-' && !last) {
            id.push(char::from(b));
        } else {
            id.push_str(&format!(".{b:02x}"));
        }
    }
    id
}

#[cfg(test)]
mod tests;
