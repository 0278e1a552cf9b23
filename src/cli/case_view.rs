//! Cases as people read them on a terminal: a block per case (its id, severity, target, when,
//! review status and what happened in a sentence), its flags under it as `flags` has always
//! printed them. `flags` prints this by default; the demo prints its new flags this way.
//!
//! ```text
//! case 5c0d8e2a4f0b9d3e1a7c6b5d4e3f2a10  HIGH  sinno (Sinno Electronics Co., Ltd)  2026-11-28T02:00:41Z  unreviewed
//!   Sinno took down its partner claims for Texas Instruments and Analog Devices: 2 sentences, 2 logos
//!     2026-11-28T02:00:41Z  HIGH   claim_removed      site partner   sinno  …  id 66d1…
//!            why: no page of the site carries it now: …
//! ```

use std::io::{self, Write};

use claimwatch::cases::Case;
use claimwatch::flags::show::{one_line, why_line};
use claimwatch::flags::{Flag, ReviewStatus};
use claimwatch::text::terminal_safe;

/// How far a case's flags stand in from its header.
const FLAG_INDENT: &str = "    ";

/// The most severe cases first, and among equals the newest, so the cases that matter most are
/// at the top of a long list.
pub fn most_severe_then_newest(cases: &mut [Case]) {
    cases.sort_by(|a, b| {
        (b.severity, b.detected_at, &a.id).cmp(&(a.severity, a.detected_at, &b.id))
    });
}

/// Writes each case as its block, a blank line between blocks.
pub fn write_cases(out: &mut impl Write, cases: &[Case]) -> io::Result<()> {
    for (index, case) in cases.iter().enumerate() {
        if index > 0 {
            writeln!(out)?;
        }
        write_case(out, case)?;
    }
    Ok(())
}

fn write_case(out: &mut impl Write, case: &Case) -> io::Result<()> {
    let severity = format!("{:?}", case.severity).to_uppercase();
    let target = if case.target_name.is_empty() || case.target_name == case.target_id {
        case.target_id.clone()
    } else {
        format!("{} ({})", case.target_id, terminal_safe(&case.target_name))
    };
    writeln!(
        out,
        "case {}  {severity}  {target}  {}  {}",
        case.id,
        case.detected_at.format("%Y-%m-%dT%H:%M:%SZ"),
        status_words(case)
    )?;
    writeln!(out, "  {}", terminal_safe(&case.summary))?;
    for flag in &case.flags {
        writeln!(
            out,
            "{FLAG_INDENT}{}  {}",
            flag.detected_at.format("%Y-%m-%dT%H:%M:%SZ"),
            one_line(flag)
        )?;
        if let Some(why) = why_line(flag) {
            writeln!(out, "{FLAG_INDENT}{why}")?;
        }
        if let Some(review) = review_line(flag) {
            writeln!(out, "{FLAG_INDENT}{review}")?;
        }
    }
    Ok(())
}

/// "unreviewed", "confirmed", or "partly reviewed (1 confirmed, 2 unreviewed)" when the flags
/// of the case were decided differently.
fn status_words(case: &Case) -> String {
    if let Some(status) = case.status() {
        return status.as_str().to_string();
    }
    let counts: Vec<String> = ReviewStatus::ALL
        .into_iter()
        .filter_map(|status| {
            let n = case
                .flags
                .iter()
                .filter(|f| f.review.status == status)
                .count();
            (n > 0).then(|| format!("{n} {}", status.as_str()))
        })
        .collect();
    format!("partly reviewed ({})", counts.join(", "))
}

/// A decided flag's review, under its reason: "review: confirmed 2026-11-30T10:00:00Z: note".
fn review_line(flag: &Flag) -> Option<String> {
    let review = &flag.review;
    if review.status == ReviewStatus::Unreviewed && review.note.is_none() {
        return None;
    }
    let mut line = format!("    review: {}", review.status.as_str());
    if let Some(at) = review.reviewed_at {
        line.push_str(&format!(" {}", at.format("%Y-%m-%dT%H:%M:%SZ")));
    }
    if let Some(note) = &review.note {
        line.push_str(&format!(": {}", terminal_safe(note)));
    }
    Some(line)
}
