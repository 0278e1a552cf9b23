use chrono::TimeZone;

use super::*;
use crate::flags::{
    Allowlist, FlagCapture, FlagClaim, FlagManufacturer, FlagTarget, Review, SCHEMA_VERSION, Scope,
};

fn flag(flag_type: FlagType, text: &str, maker: Option<&str>) -> Flag {
    let at = Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap();
    Flag {
        schema_version: SCHEMA_VERSION,
        flag_id: format!("{flag_type:?}{text}{maker:?}"),
        flag_type,
        scope: Scope::Site,
        category: if maker.is_some() {
            crate::claims::Category::Partner
        } else {
            crate::claims::Category::Military
        },
        severity: Severity::High,
        target: FlagTarget {
            id: "sinno".into(),
            name: "Sinno Electronics Co., Ltd".into(),
        },
        url: "http://sinno.example/partners.html".into(),
        claim: Some(FlagClaim {
            text: text.into(),
            lang: "en".into(),
            rule: "partner-en".into(),
            terms: vec![],
            manufacturer: maker.map(|name| FlagManufacturer {
                name: name.into(),
                allowlist: Allowlist::Unknown,
                source: None,
            }),
        }),
        before: None,
        after: FlagCapture {
            capture_id: "1".into(),
            captured_at: at,
            http_status: Some(200),
            sha256: None,
        },
        first_seen: at,
        last_seen: at,
        detected_at: at,
        reason: None,
        review: Review::unreviewed(),
    }
}

#[test]
fn a_partner_takedown_reads_as_one_sentence() {
    let sentence = "Sinno is a cooperative partner of Texas Instruments and Analog Devices.";
    let flags = vec![
        flag(FlagType::ClaimRemoved, sentence, Some("Texas Instruments")),
        flag(FlagType::ClaimRemoved, sentence, Some("Analog Devices")),
        flag(
            FlagType::ClaimRemoved,
            "Texas Instruments",
            Some("Texas Instruments"),
        ),
        flag(
            FlagType::ClaimRemoved,
            "Analog Devices",
            Some("Analog Devices"),
        ),
    ];
    assert_eq!(
        summary("Sinno Electronics Co., Ltd", &flags),
        "Sinno took down its partner claims for Texas Instruments and Analog Devices: 2 \
         sentences, 2 logos"
    );
}

#[test]
fn mixed_changes_are_each_named() {
    let flags = vec![
        flag(FlagType::ClaimRemoved, "We serve military customers.", None),
        flag(FlagType::ClaimAdded, "Now shipping radar parts.", None),
        flag(FlagType::SiteBack, "", None),
    ];
    assert_eq!(
        summary("Winninc Electronics", &flags),
        "Winninc took down its military claims: 1 sentence; put up its military claims: 1 \
         sentence; answers again"
    );
}
