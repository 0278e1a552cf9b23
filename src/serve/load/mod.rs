//! What the desk's pages (and the report) show, read from the store as plain data: the case list
//! with its counts, one case with its captures and diffs ([`case`]), one target with its
//! timeline and history ([`target`]).

pub mod case;
pub mod target;

use std::collections::BTreeMap;

use crate::cases::Case;
use crate::config::Config;
use crate::flags::{Flag, ReviewStatus};
use crate::store::{Store, StoreError};

use super::query::ListQuery;

/// Cases a page of the list shows.
pub const PAGE_SIZE: usize = 50;

/// A case's review status: its flags' common status, or mixed when they differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseStatus {
    All(ReviewStatus),
    Mixed,
}

impl CaseStatus {
    /// In the order the list counts them.
    pub const ALL: [CaseStatus; 5] = [
        CaseStatus::All(ReviewStatus::Unreviewed),
        CaseStatus::Mixed,
        CaseStatus::All(ReviewStatus::NeedsTranslation),
        CaseStatus::All(ReviewStatus::Confirmed),
        CaseStatus::All(ReviewStatus::Dismissed),
    ];

    pub fn of(case: &Case) -> CaseStatus {
        case.status().map_or(CaseStatus::Mixed, CaseStatus::All)
    }

    /// As in URLs: a review status, or "mixed".
    pub fn as_str(&self) -> &'static str {
        match self {
            CaseStatus::All(status) => status.as_str(),
            CaseStatus::Mixed => "mixed",
        }
    }
}

impl std::str::FromStr for CaseStatus {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        if text == "mixed" {
            return Ok(CaseStatus::Mixed);
        }
        text.parse().map(CaseStatus::All).map_err(|_| {
            format!("{text:?} is not a case status: use unreviewed, mixed, needs_translation, confirmed or dismissed")
        })
    }
}

/// One page of the case list.
#[derive(Debug, Clone)]
pub struct CaseList {
    /// The cases of this page, newest first.
    pub cases: Vec<Case>,
    /// Cases matching every filter.
    pub total: usize,
    /// Cases matching every filter but the status, per status.
    pub counts: Vec<(CaseStatus, usize)>,
    pub page: usize,
    pub pages: usize,
    /// Every target the filters can name: (id, name).
    pub targets: Vec<(String, String)>,
    /// Every category among the flags.
    pub categories: Vec<String>,
}

/// The page of `cases` (all of them, newest first) that `query` asks for.
pub fn case_list(cases: &[Case], config: &Config, query: &ListQuery) -> CaseList {
    let flags = || cases.iter().flat_map(|c| &c.flags);
    let targets = target_names(config, flags());
    let mut categories: Vec<String> = flags().map(|f| f.category.as_str().to_string()).collect();
    categories.sort();
    categories.dedup();

    let matching: Vec<&Case> = cases
        .iter()
        .filter(|case| case.flags.iter().any(|f| query.filter.matches(f)))
        .collect();
    let counts = CaseStatus::ALL
        .iter()
        .map(|status| {
            let n = matching
                .iter()
                .filter(|c| CaseStatus::of(c) == *status)
                .count();
            (*status, n)
        })
        .collect();
    let mut listed: Vec<&Case> = matching
        .into_iter()
        .filter(|c| query.status.is_none_or(|s| CaseStatus::of(c) == s))
        .collect();
    // Newest first; flags carry whole seconds, so within a second the later run comes first.
    listed.sort_by_key(|c| std::cmp::Reverse((c.detected_at, c.run)));
    let total = listed.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = query.page.min(pages);
    let cases = listed
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .cloned()
        .collect();
    CaseList {
        cases,
        total,
        counts,
        page,
        pages,
        targets,
        categories,
    }
}

/// The case with this id, if any.
pub fn find_case(cases: &[Case], id: &str) -> Option<Case> {
    cases.iter().find(|c| c.id == id).cloned()
}

/// Targets by id with their names: the watch-list's, then any others that flags name (a target
/// since removed from targets.toml keeps its flags).
pub fn target_names<'a>(
    config: &Config,
    flags: impl Iterator<Item = &'a Flag>,
) -> Vec<(String, String)> {
    let mut names: BTreeMap<String, String> = flags
        .map(|f| (f.target.id.clone(), f.target.name.clone()))
        .collect();
    for target in &config.targets {
        names.insert(target.id.clone(), target.name.clone());
    }
    names.into_iter().collect()
}

/// One line about each target for the targets page.
#[derive(Debug, Clone)]
pub struct TargetSummary {
    pub id: String,
    pub name: String,
    /// How it answered in its latest run, if it was ever crawled.
    pub health: Option<crate::store::HealthRecord>,
    pub cases: usize,
    /// Cases with a flag nobody has reviewed.
    pub open: usize,
}

/// Every target, in id order.
pub fn target_summaries(
    store: &Store,
    config: &Config,
    cases: &[Case],
) -> Result<Vec<TargetSummary>, StoreError> {
    let names = target_names(config, cases.iter().flat_map(|c| &c.flags));
    names
        .into_iter()
        .map(|(id, name)| {
            let theirs: Vec<&Case> = cases.iter().filter(|c| c.target_id == id).collect();
            Ok(TargetSummary {
                health: store.recent_health(&id)?.pop(),
                cases: theirs.len(),
                open: theirs
                    .iter()
                    .filter(|c| {
                        c.flags
                            .iter()
                            .any(|f| f.review.status == ReviewStatus::Unreviewed)
                    })
                    .count(),
                id,
                name,
            })
        })
        .collect()
}
