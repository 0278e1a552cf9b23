//! Flags as people read them on a terminal: one line a flag, and its reason under it.
//!
//! Claim text and reasons come from crawled pages, so both go through [`terminal_safe`].

use super::Flag;
use crate::text::terminal_safe;

/// The flag's reason, indented under its line.
pub fn why_line(flag: &Flag) -> Option<String> {
    let reason = flag.reason.as_deref()?;
    Some(format!("       why: {}", terminal_safe(reason)))
}

/// One readable line: severity, type, scope, category, target, URL, the claim, the id.
pub fn one_line(flag: &Flag) -> String {
    let severity = format!("{:?}", flag.severity).to_uppercase();
    let mut claim = terminal_safe(flag.claim_text());
    if claim.chars().count() > 120 {
        claim = claim.chars().take(117).collect::<String>() + "...";
    }
    let maker = flag
        .claim
        .as_ref()
        .and_then(|c| c.manufacturer.as_ref())
        .map(|m| {
            let allowlist = serde_json::to_value(m.allowlist)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            format!(" [{}: {allowlist}]", m.name)
        })
        .unwrap_or_default();
    format!(
        "{severity:<6} {:<18} {:<4} {:<9} {:<12} {}  \"{claim}\"{maker}  id {}",
        flag.flag_type.as_str(),
        format!("{:?}", flag.scope).to_lowercase(),
        flag.category,
        flag.target.id,
        flag.url,
        flag.flag_id,
    )
}
