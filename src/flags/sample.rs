//! Sample flags for the export tests: a removal and a partner flag that share a capture, with
//! text that CSV and FtM must carry verbatim.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::record::*;

pub const TRICKY: &str = "=1+1, the \"authorized\" distributor\n德州仪器授权代理商";

pub fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

pub fn capture(id: &str, when: DateTime<Utc>) -> FlagCapture {
    FlagCapture {
        capture_id: id.to_owned(),
        captured_at: when,
        http_status: Some(200),
        sha256: Some("ab".repeat(32)),
    }
}

pub fn flags() -> Vec<Flag> {
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
