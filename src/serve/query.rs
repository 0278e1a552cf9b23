//! The URL parameters of the case list and of `GET /api/flags`, read from the raw query so that a
//! parameter may repeat (`target=a&target=b`), as `claimwatch flags --target` does.

use chrono::{DateTime, Utc};

use super::load::CaseStatus;
use crate::flags::filter::FlagFilter;

/// The case list's parameters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    /// Conditions on flags: a case is listed when one of its flags meets them all.
    pub filter: FlagFilter,
    /// The case's own status: its flags' common status, or mixed.
    pub status: Option<CaseStatus>,
    /// 1-based.
    pub page: usize,
    /// The parameters as given, without `page` and empty values, to build links that keep them.
    pub pairs: Vec<(String, String)>,
}

impl ListQuery {
    /// `/?…` with the same filters, on another page.
    pub fn page_url(&self, page: usize) -> String {
        let mut pairs = self.pairs.clone();
        if page > 1 {
            pairs.push(("page".into(), page.to_string()));
        }
        url_of("/", &pairs)
    }

    /// `/?…` with the same filters but another status (`None`: any), back on the first page.
    pub fn status_url(&self, status: Option<CaseStatus>) -> String {
        let mut pairs: Vec<(String, String)> = self
            .pairs
            .iter()
            .filter(|(k, _)| k != "status")
            .cloned()
            .collect();
        if let Some(status) = status {
            pairs.push(("status".into(), status.as_str().into()));
        }
        url_of("/", &pairs)
    }

    /// The value of a single-valued parameter, for a form to show what is chosen.
    pub fn value(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// `GET /api/flags`'s parameters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApiQuery {
    pub filter: FlagFilter,
    /// Only flags no `new` has returned before (nor `claimwatch flags --new` printed); marks
    /// them.
    pub new: bool,
}

/// Reads the case list's parameters; an unknown parameter or a bad value is an error that says
/// which.
pub fn list_query(raw: Option<&str>, now: DateTime<Utc>) -> Result<ListQuery, String> {
    let mut query = ListQuery {
        page: 1,
        ..ListQuery::default()
    };
    for (name, value) in pairs(raw) {
        match name.as_str() {
            "page" => {
                query.page = value
                    .parse()
                    .ok()
                    .filter(|&p| p >= 1)
                    .ok_or_else(|| format!("page {value:?} is not a page number"))?;
                continue;
            }
            "status" if !value.is_empty() => query.status = Some(value.parse()?),
            _ if query.filter.take(&name, &value, now)? => {}
            _ => return Err(format!("unknown parameter {name:?}")),
        }
        if !value.is_empty() {
            query.pairs.push((name, value));
        }
    }
    Ok(query)
}

/// Reads `GET /api/flags`'s parameters: `new`, `since`, `target` (as `claimwatch flags` takes
/// them), and `until`, `category`, `flag_type`, `scope`, `status` (a flag's review status).
pub fn api_query(raw: Option<&str>, now: DateTime<Utc>) -> Result<ApiQuery, String> {
    let mut query = ApiQuery::default();
    for (name, value) in pairs(raw) {
        match name.as_str() {
            "new" => {
                query.new = match value.as_str() {
                    "" | "1" | "true" | "yes" => true,
                    "0" | "false" | "no" => false,
                    _ => return Err(format!("new={value:?}: use new=1 or new=0")),
                }
            }
            _ if query.filter.take(&name, &value, now)? => {}
            _ => return Err(format!("unknown parameter {name:?}")),
        }
    }
    Ok(query)
}

fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    raw.map(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    })
    .unwrap_or_default()
}

/// `path?k=v&…`, values encoded.
pub fn url_of(path: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return path.to_string();
    }
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        serializer.append_pair(k, v);
    }
    format!("{path}?{}", serializer.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flags::ReviewStatus;

    fn now() -> DateTime<Utc> {
        "2026-11-28T12:00:00Z".parse().expect("a time")
    }

    #[test]
    fn the_list_keeps_its_filters_across_pages_and_statuses() {
        let query = list_query(
            Some("target=sinno&category=&status=mixed&flag_type=claim_removed&page=3"),
            now(),
        )
        .expect("a query");
        assert_eq!(query.page, 3);
        assert_eq!(query.status, Some(CaseStatus::Mixed));
        assert_eq!(query.filter.targets, ["sinno"]);
        assert_eq!(
            query.page_url(4),
            "/?target=sinno&status=mixed&flag_type=claim_removed&page=4"
        );
        assert_eq!(
            query.status_url(Some(CaseStatus::All(ReviewStatus::Confirmed))),
            "/?target=sinno&flag_type=claim_removed&status=confirmed"
        );
        assert_eq!(query.value("target"), "sinno");
        assert!(list_query(Some("page=0"), now()).is_err());
        assert!(list_query(Some("colour=red"), now()).is_err());
    }

    #[test]
    fn the_api_reads_repeated_targets_and_new() {
        let query = api_query(Some("target=a&target=b&new=1&since=7d"), now()).expect("a query");
        assert!(query.new);
        assert_eq!(query.filter.targets, ["a", "b"]);
        assert!(query.filter.since.is_some());
        assert!(api_query(Some("new=perhaps"), now()).is_err());
        assert!(api_query(Some("page=2"), now()).is_err());
    }
}
