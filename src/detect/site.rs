//! A target's pages as detection sees them: the claims each page held before the run and holds
//! after it. Plain data, built from the store by [`super::detect`] or by hand in tests and
//! benchmarks.

use std::sync::Arc;

use crate::claims::Claim;
pub use crate::claims::{BlockMark, PageView};

/// One page of a site across one run.
#[derive(Debug, Clone)]
pub struct SitePage {
    pub url: String,
    /// Its last good capture before the run; `None` for a page never captured well before (its
    /// first good capture is a baseline).
    pub before: Option<Arc<PageView>>,
    pub after: PageAfter,
}

/// A page's state after the run.
#[derive(Debug, Clone)]
pub enum PageAfter {
    /// Fetched well this run: this is the page now.
    Fetched(Arc<PageView>),
    /// Answered 404 or 410: the page and its claims are gone.
    Gone,
    /// Not fetched well this run (failed, blocked, not reached): its last good capture stands.
    Unchanged,
}

impl SitePage {
    /// The page after the run, if it holds any state at all (a gone page holds nothing).
    pub fn after_view(&self) -> Option<&PageView> {
        static GONE: PageView = PageView {
            claims: Vec::new(),
            blocks: Vec::new(),
        };
        match &self.after {
            PageAfter::Fetched(view) => Some(view),
            PageAfter::Gone => Some(&GONE),
            PageAfter::Unchanged => self.before.as_deref(),
        }
    }

    /// Whether the page holds after the run exactly what it held before: the same view (views
    /// are shared by captures of one document), or no good capture this run.
    pub fn reads_as_before(&self) -> bool {
        match (&self.before, &self.after) {
            (Some(before), PageAfter::Fetched(after)) => Arc::ptr_eq(before, after),
            (Some(_), PageAfter::Unchanged) => true,
            _ => false,
        }
    }

    pub fn before_claims(&self) -> Option<&[Claim]> {
        self.before.as_deref().map(|v| v.claims.as_slice())
    }

    pub fn after_claims(&self) -> Option<&[Claim]> {
        self.after_view().map(|v| v.claims.as_slice())
    }

    /// Whether this run changed what the page says: it was captured well before, and fetched
    /// well or found gone now.
    pub fn compared(&self) -> bool {
        self.before.is_some() && !matches!(self.after, PageAfter::Unchanged)
    }
}

/// How many pages stood behind a site-level decision, for the reason a flag gives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PagesCompared {
    /// Pages fetched well this run.
    pub fetched: usize,
    /// Pages not fetched well this run, counted with their last good capture.
    pub earlier: usize,
    /// Pages that answered 404 or 410.
    pub gone: usize,
}

impl PagesCompared {
    pub fn of(pages: &[SitePage]) -> PagesCompared {
        let mut counts = PagesCompared::default();
        for page in pages {
            match (&page.after, &page.before) {
                (PageAfter::Fetched(_), _) => counts.fetched += 1,
                (PageAfter::Gone, _) => counts.gone += 1,
                (PageAfter::Unchanged, Some(_)) => counts.earlier += 1,
                (PageAfter::Unchanged, None) => {}
            }
        }
        counts
    }

    /// "12 good pages compared (11 fetched this run, 1 from an earlier capture); 1 page gone".
    pub fn describe(&self) -> String {
        let good = self.fetched + self.earlier;
        let mut text = format!(
            "{good} good {} compared ({} fetched this run, {} from an earlier capture)",
            plural(good, "page", "pages"),
            self.fetched,
            self.earlier
        );
        if self.gone > 0 {
            text.push_str(&format!(
                "; {} {} gone",
                self.gone,
                plural(self.gone, "page", "pages")
            ));
        }
        text
    }
}

pub(crate) fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}
