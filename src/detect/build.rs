//! Building flag records: stable ids, severity, the allowlist verdict for partner claims.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::claims::manufacturers::KnownManufacturer;
use crate::claims::{Category, Claim};
use crate::flags::{
    Allowlist, Flag, FlagCapture, FlagClaim, FlagManufacturer, FlagTarget, FlagType, Review,
    SCHEMA_VERSION, Scope, Severity,
};
use crate::store::CaptureRecord;

/// A stable id from the fields that make a change what it is: the same change (same claim, same
/// page, same pair of captures) always gets the same id, however often detection runs.
pub fn flag_id(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0x1f]);
    }
    hex::encode(&hasher.finalize()[..16])
}

/// Flags carry times to the second, as the contract's examples do; captures keep full precision.
pub(super) fn whole_seconds(time: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::SubsecRound;
    time.trunc_subsecs(0)
}

pub fn flag_capture(capture: &CaptureRecord) -> FlagCapture {
    FlagCapture {
        capture_id: capture.id.to_string(),
        captured_at: whole_seconds(capture.captured_at),
        http_status: capture.status,
        sha256: capture.sha256.clone(),
    }
}

/// Is the target's host on the manufacturer's authorized list? `hosts` are the target's seed
/// hosts; an authorized entry covers its subdomains.
pub fn allowlist(maker: &KnownManufacturer, hosts: &[String]) -> Allowlist {
    let Some(authorized) = &maker.authorized else {
        return Allowlist::Unknown;
    };
    let listed = hosts.iter().any(|host| {
        authorized.iter().any(|entry| {
            let entry = entry.trim_start_matches("*.");
            host == entry || host.ends_with(&format!(".{entry}"))
        })
    });
    if listed {
        Allowlist::Listed
    } else {
        Allowlist::NotListed
    }
}

pub fn severity(flag_type: FlagType, scope: Scope, category: &Category) -> Severity {
    let built_in = category.is_built_in();
    match (flag_type, scope) {
        (FlagType::ClaimRemoved, Scope::Site) if built_in => Severity::High,
        (FlagType::ClaimRemoved, Scope::Site) => Severity::Medium,
        (FlagType::ClaimRemoved, Scope::Page) => Severity::Low,
        (FlagType::ClaimAdded, Scope::Site) => Severity::Medium,
        (FlagType::ClaimAdded, Scope::Page) => Severity::Low,
        (FlagType::ClaimChanged, _) => Severity::Low,
        (FlagType::PartnerUnverified, _) => Severity::Medium,
        (FlagType::SiteUnreachable, _) => Severity::Medium,
        (FlagType::SiteBack, _) => Severity::Low,
    }
}

/// What a flag is about, beyond its type and scope.
pub struct FlagParts<'a> {
    pub flag_type: FlagType,
    pub scope: Scope,
    pub target: FlagTarget,
    pub url: &'a str,
    pub claim: &'a Claim,
    pub maker: Option<(&'a KnownManufacturer, Allowlist)>,
    pub before: Option<&'a CaptureRecord>,
    pub after: &'a CaptureRecord,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub detected_at: DateTime<Utc>,
    pub reason: Option<String>,
}

pub fn build(parts: FlagParts<'_>) -> Flag {
    let claim = parts.claim;
    let manufacturer = claim.manufacturer.as_deref().unwrap_or("");
    let id = match parts.flag_type {
        FlagType::PartnerUnverified => flag_id(&[
            parts.flag_type.as_str(),
            &parts.target.id,
            &manufacturer.to_lowercase(),
        ]),
        _ => flag_id(&[
            parts.flag_type.as_str(),
            &parts.target.id,
            parts.url,
            &claim.rule,
            &claim.normalized,
            manufacturer,
            &parts.before.map(|b| b.id.to_string()).unwrap_or_default(),
            &parts.after.id.to_string(),
        ]),
    };
    Flag {
        schema_version: SCHEMA_VERSION,
        flag_id: id,
        flag_type: parts.flag_type,
        scope: parts.scope,
        category: claim.category.clone(),
        severity: severity(parts.flag_type, parts.scope, &claim.category),
        target: parts.target,
        url: parts.url.to_string(),
        claim: Some(FlagClaim {
            text: claim.text.clone(),
            lang: claim.lang.clone(),
            rule: claim.rule.clone(),
            terms: claim.terms.clone(),
            manufacturer: parts.maker.map(|(maker, allowlist)| FlagManufacturer {
                name: maker.name.clone(),
                allowlist,
                source: maker.source.clone(),
            }),
        }),
        before: parts.before.map(flag_capture),
        after: flag_capture(parts.after),
        first_seen: whole_seconds(parts.first_seen),
        last_seen: whole_seconds(parts.last_seen),
        detected_at: whole_seconds(parts.detected_at),
        reason: parts.reason,
        review: Review::unreviewed(),
    }
}
