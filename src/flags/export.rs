//! Flags out: JSON lines, CSV (RFC 4180), and FollowTheMoney entities (in [`super::ftm`]).
//!
//! Screening tools ingest these, so every format is a faithful rendering of the
//! [`Flag`] record: nothing is rewritten, truncated or "sanitised" on the way out.

use std::io::{self, BufWriter, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::ftm;
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

/// Writes `flags` in `format`. FtM entities written here carry only what the flags hold; with
/// the watch-list and the store at hand, [`super::ftm::write`] carries what they know too.
pub fn write(format: Format, flags: &[Flag], out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Jsonl => write_jsonl(flags, out),
        Format::Csv => write_csv(flags, out),
        Format::Ftm => {
            let context = ftm::Context {
                targets: &[],
                evidence: &ftm::NoEvidence,
            };
            ftm::write(flags, &context, out)
        }
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
pub(super) fn serde_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => unreachable!("not a unit enum variant: {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flags::record::*;
    use crate::flags::sample::*;

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
