//! Which flags to show: the filters `claimwatch flags` takes (since, target), and those the
//! review desk and the report add (category, type, scope, review status, until), read from a
//! URL query so that the desk's forms, its JSON API and bookmarks all say the same thing.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{Flag, FlagType, ReviewStatus, Scope};

/// A set of conditions a flag must all meet; an empty list means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlagFilter {
    /// Target ids.
    pub targets: Vec<String>,
    /// Category names ("military", "partner", a user category, "health").
    pub categories: Vec<String>,
    pub types: Vec<FlagType>,
    pub scopes: Vec<Scope>,
    /// The flag's own review status.
    pub statuses: Vec<ReviewStatus>,
    /// Detected at or after.
    pub since: Option<DateTime<Utc>>,
    /// Detected before.
    pub until: Option<DateTime<Utc>>,
}

impl FlagFilter {
    pub fn matches(&self, flag: &Flag) -> bool {
        fn any_or<T: PartialEq>(wanted: &[T], value: &T) -> bool {
            wanted.is_empty() || wanted.contains(value)
        }
        any_or(&self.targets, &flag.target.id)
            && (self.categories.is_empty()
                || self.categories.iter().any(|c| c == flag.category.as_str()))
            && any_or(&self.types, &flag.flag_type)
            && any_or(&self.scopes, &flag.scope)
            && any_or(&self.statuses, &flag.review.status)
            && self.since.is_none_or(|since| flag.detected_at >= since)
            && self.until.is_none_or(|until| flag.detected_at < until)
    }

    /// Reads one query parameter into the filter. Returns `Ok(false)` for a name the filter does
    /// not know, so callers can take parameters of their own (a page number) or refuse it.
    pub fn take(&mut self, name: &str, value: &str, now: DateTime<Utc>) -> Result<bool, String> {
        // An empty value is what a form's "any" choice sends.
        if value.is_empty() {
            return Ok(matches!(
                name,
                "target" | "category" | "flag_type" | "scope" | "status" | "since" | "until"
            ));
        }
        match name {
            "target" => self.targets.push(value.to_string()),
            "category" => self.categories.push(value.to_string()),
            "flag_type" => self.types.push(flag_type(value)?),
            "scope" => self.scopes.push(scope(value)?),
            "status" => self.statuses.push(value.parse()?),
            "since" => self.since = Some(parse_time(value, now)?),
            "until" => self.until = Some(parse_until(value, now)?),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Every flag type, in the order a reviewer meets them.
pub const FLAG_TYPES: [FlagType; 6] = [
    FlagType::ClaimRemoved,
    FlagType::ClaimAdded,
    FlagType::ClaimChanged,
    FlagType::PartnerUnverified,
    FlagType::SiteUnreachable,
    FlagType::SiteBack,
];

fn flag_type(text: &str) -> Result<FlagType, String> {
    FLAG_TYPES
        .into_iter()
        .find(|t| t.as_str() == text)
        .ok_or_else(|| {
            let names: Vec<&str> = FLAG_TYPES.iter().map(FlagType::as_str).collect();
            format!("{text:?} is not a flag type: use {}", names.join(", "))
        })
}

fn scope(text: &str) -> Result<Scope, String> {
    match text {
        "site" => Ok(Scope::Site),
        "page" => Ok(Scope::Page),
        _ => Err(format!("{text:?} is not a scope: use site or page")),
    }
}

/// A time as `claimwatch flags --since` takes it: RFC 3339 (2026-11-28T02:00:00Z), a date
/// (2026-11-28, midnight UTC) or an age before `now` (7d, 12h).
pub fn parse_time(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    if let Some(midnight) = date(text) {
        return Ok(midnight);
    }
    if let Ok(age) = humantime::parse_duration(text) {
        let age = Duration::from_std(age).map_err(|e| e.to_string())?;
        return now
            .checked_sub_signed(age)
            .ok_or_else(|| format!("{text:?} reaches back before any time"));
    }
    Err(format!(
        "{text:?} is not a time: use RFC 3339 (2026-11-28T02:00:00Z), a date (2026-11-28) or an age (7d)"
    ))
}

/// Like [`parse_time`], except that a date means the end of that day: "until 2026-11-28"
/// includes the 28th.
pub fn parse_until(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    match date(text) {
        Some(midnight) => Ok(midnight + Duration::days(1)),
        None => parse_time(text, now),
    }
}

fn date(text: &str) -> Option<DateTime<Utc>> {
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(
        date.and_hms_opt(0, 0, 0)
            .expect("midnight exists on every date")
            .and_utc(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-28T12:00:00Z".parse().expect("a time")
    }

    #[test]
    fn times_read_as_rfc_3339_dates_and_ages() {
        assert_eq!(
            parse_time("2026-11-01T02:00:00Z", now()).expect("rfc 3339"),
            "2026-11-01T02:00:00Z"
                .parse::<DateTime<Utc>>()
                .expect("a time")
        );
        assert_eq!(
            parse_time("2026-11-01", now())
                .expect("a date")
                .to_rfc3339(),
            "2026-11-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_until("2026-11-01", now())
                .expect("a date")
                .to_rfc3339(),
            "2026-11-02T00:00:00+00:00"
        );
        assert_eq!(
            parse_time("7d", now()).expect("an age").to_rfc3339(),
            "2026-11-21T12:00:00+00:00"
        );
        assert!(parse_time("last week", now()).is_err());
    }

    #[test]
    fn parameters_fill_the_filter_and_unknown_ones_are_left_to_the_caller() {
        let mut filter = FlagFilter::default();
        for (name, value) in [
            ("target", "sinno"),
            ("target", "winninc"),
            ("flag_type", "claim_removed"),
            ("scope", "site"),
            ("status", "confirmed"),
            ("category", ""),
        ] {
            assert_eq!(filter.take(name, value, now()), Ok(true), "{name}");
        }
        assert_eq!(filter.targets, ["sinno", "winninc"]);
        assert_eq!(filter.types, [FlagType::ClaimRemoved]);
        assert!(filter.categories.is_empty());
        assert_eq!(filter.take("page", "2", now()), Ok(false));
        assert!(filter.take("status", "maybe", now()).is_err());
        assert!(filter.take("flag_type", "claim_gone", now()).is_err());
        assert!(filter.take("scope", "world", now()).is_err());
    }
}
