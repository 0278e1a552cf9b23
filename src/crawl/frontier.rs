//! The frontier of one target's crawl: what to fetch next, shallowest first, each canonical URL
//! once, at most `max_pages` of them. URLs known to be gone (their last capture answered 404 or
//! 410) come after every other URL, so dead links only take what budget no live page wanted.

use std::collections::{BTreeSet, HashSet};

use url::Url;

/// A URL waiting to be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub url: Url,
    pub depth: u32,
}

/// A queued URL as (known gone, depth, arrival, url): ordered so that the first is the next to
/// fetch and the last the first to give up.
type Queued = (bool, u32, u64, String);

/// Breadth-first queue over canonical URLs.
#[derive(Debug)]
pub struct Frontier {
    /// Discovered URLs: the first is the next to fetch, the last the first to give up when the
    /// queue is full.
    queue: BTreeSet<Queued>,
    /// Seeds and pages from earlier runs: never given up.
    pinned: BTreeSet<Queued>,
    seen: HashSet<String>,
    next_seq: u64,
    taken: usize,
    max_pages: usize,
    max_depth: u32,
}

impl Frontier {
    pub fn new(max_pages: usize, max_depth: u32) -> Frontier {
        Frontier {
            queue: BTreeSet::new(),
            pinned: BTreeSet::new(),
            seen: HashSet::new(),
            next_seq: 0,
            taken: 0,
            max_pages,
            max_depth,
        }
    }

    /// Queues a discovered URL (already canonical and in scope) unless it was seen or is
    /// deeper than `max_depth`. Returns whether it was queued.
    ///
    /// The queue never holds more than the pages the run may still fetch: when it is full, a
    /// URL shallower than the deepest queued one takes that one's place, and anything else is
    /// dropped without being remembered, so a page of 50,000 links or a link trap cannot grow
    /// memory beyond `max_pages`.
    pub fn push(&mut self, url: Url, depth: u32) -> bool {
        self.push_ranked(url, depth, false)
    }

    /// Queues a discovered URL whose last capture answered 404 or 410: like [`Frontier::push`],
    /// but behind every URL not known to be gone, so that links to dead pages do not take the
    /// budget of live ones run after run; fetched when there is room, to notice a page that
    /// came back.
    pub fn push_known_gone(&mut self, url: Url, depth: u32) -> bool {
        self.push_ranked(url, depth, true)
    }

    /// Whether a URL at `depth` would be refused for its depth alone.
    pub fn too_deep(&self, depth: u32) -> bool {
        depth > self.max_depth
    }

    /// Whether this canonical URL was queued or fetched already.
    pub fn has_seen(&self, url: &str) -> bool {
        self.seen.contains(url)
    }

    fn push_ranked(&mut self, url: Url, depth: u32, gone: bool) -> bool {
        if depth > self.max_depth || self.seen.contains(url.as_str()) {
            return false;
        }
        if self.queued() >= self.max_pages.saturating_sub(self.taken) {
            match self.queue.last() {
                Some((last_gone, deepest, _, _)) if (*last_gone, *deepest) > (gone, depth) => {
                    if let Some((_, _, _, evicted)) = self.queue.pop_last() {
                        self.seen.remove(&evicted);
                    }
                }
                _ => return false,
            }
        }
        self.insert(url, depth, gone, false)
    }

    /// Queues a URL whatever its depth and however full the queue: seeds and pages captured in
    /// earlier runs, which are fetched again even when nothing links to them any more.
    pub fn push_any_depth(&mut self, url: Url, depth: u32) -> bool {
        self.insert(url, depth, false, true)
    }

    /// Queues `url` once: among the pinned URLs, or among those a better link may displace.
    fn insert(&mut self, url: Url, depth: u32, gone: bool, pinned: bool) -> bool {
        if !self.seen.insert(url.as_str().to_string()) {
            return false;
        }
        let queue = if pinned {
            &mut self.pinned
        } else {
            &mut self.queue
        };
        queue.insert((gone, depth, self.next_seq, url.into()));
        self.next_seq += 1;
        true
    }

    /// URLs waiting to be fetched.
    pub fn queued(&self) -> usize {
        self.queue.len() + self.pinned.len()
    }

    /// URLs handed out so far.
    pub fn taken(&self) -> usize {
        self.taken
    }

    /// Takes the next URL from either queue: not known gone, shallowest, earliest.
    fn pop_next(&mut self) -> Option<Queued> {
        match (self.queue.first(), self.pinned.first()) {
            (Some(found), Some(pinned)) if found < pinned => self.queue.pop_first(),
            (_, Some(_)) => self.pinned.pop_first(),
            (Some(_), None) => self.queue.pop_first(),
            (None, None) => None,
        }
    }

    /// The next URL to fetch, or `None` when the queue is empty or `max_pages` were taken.
    pub fn pop(&mut self) -> Option<Pending> {
        while self.taken < self.max_pages {
            let (_, depth, _, url) = self.pop_next()?;
            if let Ok(url) = Url::parse(&url) {
                self.taken += 1;
                return Some(Pending { url, depth });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("test URLs are valid")
    }

    #[test]
    fn a_flood_of_links_is_not_remembered_past_max_pages() {
        let mut f = Frontier::new(10, 5);
        f.push_any_depth(url("http://a/"), 0);
        let queued = (0..100_000)
            .filter(|i| f.push(url(&format!("http://a/p{i}")), 1))
            .count();
        assert_eq!(queued, 9);
        assert!(f.seen.len() <= 10);
        assert_eq!(std::iter::from_fn(|| f.pop()).count(), 10);
    }

    #[test]
    fn shallow_first_each_once_and_capped() {
        let mut f = Frontier::new(3, 2);
        assert!(f.push(url("http://a/deep"), 2));
        assert!(f.push(url("http://a/"), 0));
        assert!(!f.push(url("http://a/"), 1));
        assert!(!f.push(url("http://a/too-deep"), 3));
        assert!(f.push_any_depth(url("http://a/old"), 5));
        // Full: a shallower link displaces the deepest discovered one, never a pinned page.
        assert!(f.push(url("http://a/one"), 1));
        assert!(!f.push(url("http://a/two"), 1));
        let order: Vec<String> = std::iter::from_fn(|| f.pop())
            .map(|p| p.url.to_string())
            .collect();
        assert_eq!(order, ["http://a/", "http://a/one", "http://a/old"]);
    }

    #[test]
    fn known_gone_urls_come_after_every_live_one_and_go_first_when_full() {
        let mut f = Frontier::new(4, 5);
        f.push_any_depth(url("http://a/"), 0);
        assert!(f.push_known_gone(url("http://a/dead1"), 1));
        assert!(f.push_known_gone(url("http://a/dead2"), 1));
        assert!(f.push(url("http://a/deep"), 3));
        // Full: a live link, however deep, displaces a dead one.
        assert!(f.push(url("http://a/deeper"), 4));
        assert!(!f.push_known_gone(url("http://a/dead3"), 1));
        let order: Vec<String> = std::iter::from_fn(|| f.pop())
            .map(|p| p.url.to_string())
            .collect();
        assert_eq!(
            order,
            [
                "http://a/",
                "http://a/deep",
                "http://a/deeper",
                "http://a/dead1"
            ]
        );
    }
}
