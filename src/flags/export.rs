//! Flags out: JSON lines, CSV (RFC 4180) and FollowTheMoney entities.
//!
//! Screening tools ingest these, so every format is a faithful rendering of the
//! [`Flag`] record: nothing is rewritten, truncated or "sanitised" on the way out.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, BufWriter, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::record::{Flag, FlagCapture, FlagClaim};

/// The `--format` of `claimwatch flags`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Jsonl,
    Csv,
    Ftm,
}

/// Writes `flags` in `format`.
pub fn write(format: Format, flags: &[Flag], out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Jsonl => write_jsonl(flags, out),
        Format::Csv => write_csv(flags, out),
        Format::Ftm => write_ftm(flags, out),
    }
}

/// One compact JSON object a line, in the record's own serde shape (docs/contract.md "A flag").
pub fn write_jsonl(flags: &[Flag], out: &mut dyn Write) -> io::Result<()> {
    // `out` is usually an unbuffered stdout lock; one write per token would be slow.
    let mut out = BufWriter::new(out);
    for flag in flags {
        serde_json::to_writer(&mut out, flag)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// The CSV header, in the contract's order; nested fields flattened with dots.
pub const CSV_HEADER: [&str; 30] = [
    "schema_version",
    "flag_id",
    "flag_type",
    "scope",
    "category",
    "severity",
    "target.id",
    "target.name",
    "url",
    "claim.text",
    "claim.lang",
    "claim.rule",
    "claim.terms",
    "claim.manufacturer.name",
    "claim.manufacturer.allowlist",
    "claim.manufacturer.source",
    "before.capture_id",
    "before.captured_at",
    "before.http_status",
    "before.sha256",
    "after.capture_id",
    "after.captured_at",
    "after.http_status",
    "after.sha256",
    "first_seen",
    "last_seen",
    "detected_at",
    "reason",
    "review.status",
    "review.note",
];

/// Joins `claim.terms` into one cell.
const TERMS_SEPARATOR: &str = "; ";

/// RFC 4180: CRLF record ends, a header row, fields quoted only when they must be.
///
/// No spreadsheet formula guard: prefixing cells that start with `=`, `+`, `-` or `@`
/// would alter the claim text, which is evidence.
pub fn write_csv(flags: &[Flag], out: &mut dyn Write) -> io::Result<()> {
    let mut csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .has_headers(false)
        .from_writer(out);
    csv.write_record(CSV_HEADER)?;
    for flag in flags {
        csv.write_record(csv_row(flag))?;
    }
    csv.flush()
}

fn csv_row(flag: &Flag) -> Vec<String> {
    let claim = flag.claim.as_ref();
    let manufacturer = claim.and_then(|c| c.manufacturer.as_ref());
    let cell = |f: fn(&FlagClaim) -> String| claim.map(f).unwrap_or_default();
    let mut row = vec![
        flag.schema_version.to_string(),
        flag.flag_id.clone(),
        flag.flag_type.as_str().to_owned(),
        serde_name(&flag.scope),
        flag.category.to_string(),
        serde_name(&flag.severity),
        flag.target.id.clone(),
        flag.target.name.clone(),
        flag.url.clone(),
        cell(|c| c.text.clone()),
        cell(|c| c.lang.clone()),
        cell(|c| c.rule.clone()),
        cell(|c| c.terms.join(TERMS_SEPARATOR)),
        manufacturer.map(|m| m.name.clone()).unwrap_or_default(),
        manufacturer
            .map(|m| serde_name(&m.allowlist))
            .unwrap_or_default(),
        manufacturer
            .and_then(|m| m.source.clone())
            .unwrap_or_default(),
    ];
    row.extend(capture_cells(flag.before.as_ref()));
    row.extend(capture_cells(Some(&flag.after)));
    row.extend([
        csv_time(&flag.first_seen),
        csv_time(&flag.last_seen),
        csv_time(&flag.detected_at),
        flag.reason.clone().unwrap_or_default(),
        serde_name(&flag.review.status),
        flag.review.note.clone().unwrap_or_default(),
    ]);
    debug_assert_eq!(row.len(), CSV_HEADER.len());
    row
}

fn capture_cells(capture: Option<&FlagCapture>) -> [String; 4] {
    match capture {
        None => Default::default(),
        Some(c) => [
            c.capture_id.clone(),
            csv_time(&c.captured_at),
            c.http_status.map(|s| s.to_string()).unwrap_or_default(),
            c.sha256.clone().unwrap_or_default(),
        ],
    }
}

/// RFC 3339 with `Z`. `AutoSi` rather than `Secs`: identical for whole seconds, and it
/// keeps sub-second digits instead of truncating them, so a cell equals the JSON value.
fn csv_time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// The name serde gives a unit enum variant, so CSV and FtM spell values as JSON does.
fn serde_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => unreachable!("not a unit enum variant: {other:?}"),
    }
}

/// One FollowTheMoney entity, in the JSON shape FtM tools read (`ftm` CLI, Aleph,
/// yente): every property value is a list of strings.
#[derive(Debug, Serialize)]
struct Entity {
    id: String,
    schema: &'static str,
    properties: BTreeMap<&'static str, Vec<String>>,
}

/// FollowTheMoney entities as JSON lines: a Company a target, a HyperText a capture,
/// a Note a flag; companies first, then captures, then notes, each once, in order of
/// first appearance.
///
/// Only properties defined by FtM's schemata are used (Thing, Document, Note). The raw
/// body's SHA-256 goes to `notes`, not `contentHash`: FtM's checksum type is SHA-1 of a
/// blob in Aleph's archive (at most 40 characters), and we hold no such blob.
pub fn write_ftm(flags: &[Flag], out: &mut dyn Write) -> io::Result<()> {
    let mut seen = HashSet::new();
    let mut companies = Vec::new();
    let mut captures = Vec::new();
    let mut notes = Vec::new();

    for flag in flags {
        let company_id = company_entity_id(&flag.target.id);
        if seen.insert(company_id.clone()) {
            companies.push(Entity {
                id: company_id.clone(),
                schema: "Company",
                properties: BTreeMap::from([
                    ("name", vec![flag.target.name.clone()]),
                    ("sourceUrl", vec![flag.url.clone()]),
                ]),
            });
        }

        let mut proof = Vec::new();
        // After first: it is the page as it now stands, the one a reader checks first.
        for capture in std::iter::once(&flag.after).chain(flag.before.as_ref()) {
            let capture_id = capture_entity_id(&capture.capture_id);
            proof.push(capture_id.clone());
            if seen.insert(capture_id.clone()) {
                captures.push(capture_entity(capture_id, capture, &flag.url));
            }
        }

        let note_id = flag_entity_id(&flag.flag_id);
        if seen.insert(note_id.clone()) {
            notes.push(Entity {
                id: note_id,
                schema: "Note",
                properties: BTreeMap::from([
                    ("entity", vec![company_id]),
                    ("name", vec![flag.flag_type.as_str().to_owned()]),
                    ("description", vec![note_description(flag)]),
                    // Verbatim, line breaks and all: the description above is flattened.
                    ("notes", vec![flag.claim_text().to_owned()]),
                    ("sourceUrl", vec![flag.url.clone()]),
                    ("createdAt", vec![ftm_date(&flag.detected_at)]),
                    ("proof", proof),
                ]),
            });
        }
    }

    let mut out = BufWriter::new(out);
    for entity in companies.iter().chain(&captures).chain(&notes) {
        serde_json::to_writer(&mut out, entity)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

fn capture_entity(id: String, capture: &FlagCapture, url: &str) -> Entity {
    // A flag's captures are both of its page, so the flag's URL is the capture's.
    let mut properties = BTreeMap::from([
        ("sourceUrl", vec![url.to_owned()]),
        ("retrievedAt", vec![ftm_date(&capture.captured_at)]),
        ("crawler", vec!["claimwatch".to_owned()]),
    ]);
    let mut notes = Vec::new();
    if let Some(status) = capture.http_status {
        notes.push(format!("HTTP status: {status}"));
    }
    if let Some(sha256) = &capture.sha256 {
        notes.push(format!("SHA-256 of the raw response body: {sha256}"));
    }
    if !notes.is_empty() {
        properties.insert("notes", notes);
    }
    Entity {
        id,
        schema: "HyperText",
        properties,
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

/// FtM dates are UTC by definition and written without an offset; FtM has no
/// sub-second precision.
fn ftm_date(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
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
mod tests {
    use super::*;
    use crate::flags::record::*;
    use chrono::{Duration, TimeZone};

    const TRICKY: &str = "=1+1, the \"authorized\" distributor\n德州仪器授权代理商";

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    fn capture(id: &str, when: DateTime<Utc>) -> FlagCapture {
        FlagCapture {
            capture_id: id.to_owned(),
            captured_at: when,
            http_status: Some(200),
            sha256: Some("ab".repeat(32)),
        }
    }

    fn flags() -> Vec<Flag> {
        let removed = Flag {
            schema_version: SCHEMA_VERSION,
            flag_id: "f1".into(),
            flag_type: FlagType::ClaimRemoved,
            scope: Scope::Site,
            category: "military".into(),
            severity: Severity::High,
            target: FlagTarget {
                id: "winninc".into(),
                name: "Winninc Electronics Co., Limited".into(),
            },
            url: "https://www.winninc.example/about.html".into(),
            claim: Some(FlagClaim {
                text: "We supply military customers.".into(),
                lang: "en".into(),
                rule: "military-en".into(),
                terms: vec!["military".into(), "defence".into()],
                manufacturer: None,
            }),
            before: Some(capture("101", at(2026, 9, 1, 2, 0, 3))),
            after: capture("202", at(2026, 11, 28, 2, 0, 2)),
            first_seen: at(2026, 9, 1, 2, 0, 3),
            last_seen: at(2026, 10, 30, 2, 0, 1),
            detected_at: at(2026, 11, 28, 2, 0, 2),
            reason: Some("no page of the site carries it now: 3 good pages compared".into()),
            review: Review::unreviewed(),
        };
        let partner = Flag {
            schema_version: SCHEMA_VERSION,
            flag_id: "f2".into(),
            flag_type: FlagType::PartnerUnverified,
            scope: Scope::Page,
            category: "partner".into(),
            severity: Severity::Medium,
            target: removed.target.clone(),
            url: "https://www.winninc.example/about.html".into(),
            claim: Some(FlagClaim {
                text: TRICKY.into(),
                lang: "zh".into(),
                rule: "partner-zh".into(),
                terms: vec!["授权代理商".into()],
                manufacturer: Some(FlagManufacturer {
                    name: "Texas Instruments".into(),
                    allowlist: Allowlist::NotListed,
                    source: Some("https://www.ti.example/distributors".into()),
                }),
            }),
            before: None,
            // The same capture raised both flags: it must come out once in FtM.
            after: capture("202", at(2026, 11, 28, 2, 0, 2)),
            first_seen: at(2026, 11, 28, 2, 0, 2),
            last_seen: at(2026, 11, 28, 2, 0, 2),
            detected_at: at(2026, 11, 28, 2, 0, 2) + Duration::milliseconds(250),
            reason: None,
            review: Review {
                status: ReviewStatus::Dismissed,
                note: Some("checked, TI lists them".into()),
                reviewed_at: None,
            },
        };
        vec![removed, partner]
    }

    fn render(format: Format, flags: &[Flag]) -> String {
        let mut buf = Vec::new();
        write(format, flags, &mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn jsonl_round_trips_in_the_record_shape() {
        let flags = flags();
        let out = render(Format::Jsonl, &flags);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), flags.len());
        assert!(out.ends_with('\n'));
        for (line, flag) in lines.iter().zip(&flags) {
            let back: Flag = serde_json::from_str(line).unwrap();
            assert_eq!(&back, flag);
        }
        assert!(lines[1].contains(r#""before":null"#));
        assert!(lines[0].contains(r#""manufacturer":null"#));
        assert!(lines[0].contains(r#""note":null"#));
        assert!(lines[0].starts_with(r#"{"schema_version":1,"flag_id":"f1","flag_type":"#));
        assert!(lines[0].contains(r#""captured_at":"2026-11-28T02:00:02Z""#));
    }

    #[test]
    fn csv_is_rfc4180_and_round_trips() {
        let flags = flags();
        let out = render(Format::Csv, &flags);

        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(out.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(header, CSV_HEADER);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), flags.len());
        for row in &rows {
            assert_eq!(row.len(), CSV_HEADER.len());
        }
        let col = |name: &str| CSV_HEADER.iter().position(|h| *h == name).unwrap();

        assert_eq!(&rows[1][col("claim.text")], TRICKY);
        assert_eq!(&rows[0][col("claim.terms")], "military; defence");
        assert_eq!(&rows[0][col("after.captured_at")], "2026-11-28T02:00:02Z");
        assert_eq!(&rows[0][col("before.http_status")], "200");
        assert_eq!(&rows[0][col("claim.manufacturer.name")], "");
        assert_eq!(&rows[0][col("review.note")], "");
        assert_eq!(&rows[1][col("before.capture_id")], "");
        assert_eq!(&rows[1][col("before.captured_at")], "");
        assert_eq!(&rows[1][col("claim.manufacturer.allowlist")], "not_listed");
        assert_eq!(&rows[1][col("review.status")], "dismissed");
        let detected: DateTime<Utc> = rows[1][col("detected_at")].parse().unwrap();
        assert_eq!(detected, flags[1].detected_at);

        // Record ends are CRLF; the only bare LF is the one inside the quoted claim.
        let mut quoted = false;
        let mut prev = '\0';
        for ch in out.chars() {
            match ch {
                '"' => quoted = !quoted,
                '\n' if !quoted => assert_eq!(prev, '\r', "bare LF ends a record"),
                _ => {}
            }
            prev = ch;
        }
        assert!(out.starts_with("schema_version,flag_id,flag_type,"));
        assert!(out.ends_with("\r\n"));
        assert_eq!(out.matches("\r\n").count(), flags.len() + 1);
        // Quoted and doubled, and no formula guard in front of the `=`.
        assert!(out.contains("\"=1+1, the \"\"authorized\"\" distributor\n德州"));
        // Fields needing no quotes get none.
        assert!(out.contains(",winninc,"));
    }

    #[test]
    fn ftm_entities_are_well_formed_and_deduplicated() {
        let mut flags = flags();
        // A second target whose id FtM would reject as is.
        let mut other = flags[0].clone();
        other.flag_id = "f3".into();
        other.target = FlagTarget {
            id: "acme_parts-".into(),
            name: "Acme Parts Ltd".into(),
        };
        other.before = None;
        other.after = capture("303", at(2026, 11, 28, 3, 0, 0));
        flags.push(other);

        let out = render(Format::Ftm, &flags);
        let id_syntax = regex::Regex::new(r"^[0-9a-zA-Z]([0-9a-zA-Z.\-]*[0-9a-zA-Z])?$").unwrap();
        let entities: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let mut ids = HashSet::new();
        for e in &entities {
            let id = e["id"].as_str().unwrap();
            assert!(id_syntax.is_match(id), "{id}");
            assert!(ids.insert(id.to_owned()), "{id} twice");
            assert!(e["schema"].is_string());
            let props = e["properties"].as_object().unwrap();
            for (name, values) in props {
                let values = values.as_array().unwrap();
                assert!(!values.is_empty(), "{name}");
                assert!(values.iter().all(|v| v.is_string()), "{name}");
            }
        }

        let schemas: Vec<&str> = entities
            .iter()
            .map(|e| e["schema"].as_str().unwrap())
            .collect();
        assert_eq!(
            schemas,
            [
                "Company",
                "Company",
                "HyperText",
                "HyperText",
                "HyperText",
                "Note",
                "Note",
                "Note"
            ]
        );
        assert_eq!(entities[1]["id"], "claimwatch-company-acme.5fparts.2d");
        assert_eq!(
            entities[0]["properties"]["name"][0],
            "Winninc Electronics Co., Limited"
        );

        let note = |flag_id: &str| {
            entities
                .iter()
                .find(|e| e["id"] == format!("claimwatch-flag-{flag_id}"))
                .unwrap()
        };
        let n1 = note("f1");
        assert_eq!(n1["properties"]["entity"][0], "claimwatch-company-winninc");
        assert_eq!(
            n1["properties"]["proof"],
            serde_json::json!(["claimwatch-capture-202", "claimwatch-capture-101"])
        );
        assert_eq!(n1["properties"]["createdAt"][0], "2026-11-28T02:00:02");
        assert_eq!(
            n1["properties"]["description"][0],
            "claim_removed (site, military, high): We supply military customers. Why: no page of \
             the site carries it now: 3 good pages compared."
        );
        let n2 = note("f2");
        let description = n2["properties"]["description"][0].as_str().unwrap();
        assert!(!description.contains('\n'));
        assert!(
            description
                .ends_with("[manufacturer: Texas Instruments, not_listed] [review: dismissed]")
        );
        assert_eq!(n2["properties"]["notes"][0], TRICKY);
        assert_eq!(note("f3")["properties"]["entity"][0], entities[1]["id"]);

        let hypertext = &entities[2];
        assert_eq!(hypertext["id"], "claimwatch-capture-202");
        assert_eq!(
            hypertext["properties"]["retrievedAt"][0],
            "2026-11-28T02:00:02"
        );
        assert!(hypertext["properties"].get("contentHash").is_none());
    }

    #[test]
    fn ftm_id_part_is_safe_and_injective() {
        assert_eq!(ftm_id_part("winninc"), "winninc");
        assert_eq!(ftm_id_part("a-b_c"), "a-b.5fc");
        assert_eq!(ftm_id_part("a."), "a.2e");
        assert_eq!(ftm_id_part("x-"), "x.2d");
        assert_ne!(ftm_id_part("a_"), ftm_id_part("a.5f"));
        assert_eq!(ftm_id_part("é"), ".c3.a9");
    }

    #[test]
    fn a_site_health_flag_has_a_null_claim_in_every_format() {
        let mut flag = flags().remove(0);
        flag.flag_type = FlagType::SiteUnreachable;
        flag.category = crate::claims::Category::Health;
        flag.claim = None;
        let jsonl = render(Format::Jsonl, std::slice::from_ref(&flag));
        let record: serde_json::Value = serde_json::from_str(jsonl.trim()).unwrap();
        assert!(record["claim"].is_null());
        assert_eq!(record["category"], "health");
        assert_eq!(record["flag_type"], "site_unreachable");
        let csv = render(Format::Csv, std::slice::from_ref(&flag));
        let mut rows = csv::Reader::from_reader(csv.as_bytes());
        let row = rows.records().next().unwrap().unwrap();
        let col = |name: &str| CSV_HEADER.iter().position(|h| *h == name).unwrap();
        assert_eq!(&row[col("claim.text")], "");
        assert_eq!(&row[col("flag_type")], "site_unreachable");
        let ftm = render(Format::Ftm, std::slice::from_ref(&flag));
        assert!(
            ftm.contains("site_unreachable (site, health, high)"),
            "{ftm}"
        );
    }

    #[test]
    fn empty_input() {
        assert_eq!(render(Format::Jsonl, &[]), "");
        assert_eq!(render(Format::Ftm, &[]), "");
        assert_eq!(render(Format::Csv, &[]), CSV_HEADER.join(",") + "\r\n");
    }
}
