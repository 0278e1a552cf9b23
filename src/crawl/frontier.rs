//! The frontier of one target's crawl: what to fetch next, shallowest first, each canonical URL
//! once, at most `max_pages` of them.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

use url::Url;

/// A URL waiting to be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub url: Url,
    pub depth: u32,
}

/// Breadth-first queue over canonical URLs.
#[derive(Debug)]
pub struct Frontier {
    heap: BinaryHeap<Reverse<(u32, u64, String)>>,
    seen: HashSet<String>,
    next_seq: u64,
    taken: usize,
    max_pages: usize,
    max_depth: u32,
}

impl Frontier {
    pub fn new(max_pages: usize, max_depth: u32) -> Frontier {
        Frontier {
            heap: BinaryHeap::new(),
            seen: HashSet::new(),
            next_seq: 0,
            taken: 0,
            max_pages,
            max_depth,
        }
    }

    /// Queues a discovered URL (already canonical and in scope) unless it was seen or is
    /// deeper than `max_depth`. Returns whether it was queued.
    pub fn push(&mut self, url: Url, depth: u32) -> bool {
        if depth > self.max_depth {
            return false;
        }
        self.push_any_depth(url, depth)
    }

    /// Queues a URL whatever its depth: seeds and pages captured in earlier runs, which are
    /// fetched again even when nothing links to them any more.
    pub fn push_any_depth(&mut self, url: Url, depth: u32) -> bool {
        if !self.seen.insert(url.as_str().to_string()) {
            return false;
        }
        self.heap
            .push(Reverse((depth, self.next_seq, url.as_str().to_string())));
        self.next_seq += 1;
        true
    }

    /// The next URL to fetch, or `None` when the queue is empty or `max_pages` were taken.
    pub fn pop(&mut self) -> Option<Pending> {
        while self.taken < self.max_pages {
            let Reverse((depth, _, url)) = self.heap.pop()?;
            if let Ok(url) = Url::parse(&url) {
                self.taken += 1;
                return Some(Pending { url, depth });
            }
        }
        None
    }

    /// URLs still queued (not counting those `max_pages` will never reach).
    pub fn remaining(&self) -> usize {
        self.heap.len().min(self.max_pages - self.taken)
    }

    pub fn taken(&self) -> usize {
        self.taken
    }

    /// Whether `max_pages` cut the crawl short.
    pub fn hit_page_limit(&self) -> bool {
        self.taken >= self.max_pages && !self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("test URLs are valid")
    }

    #[test]
    fn shallow_first_each_once_and_capped() {
        let mut f = Frontier::new(3, 2);
        assert!(f.push(url("http://a/deep"), 2));
        assert!(f.push(url("http://a/"), 0));
        assert!(!f.push(url("http://a/"), 1));
        assert!(!f.push(url("http://a/too-deep"), 3));
        assert!(f.push_any_depth(url("http://a/old"), 5));
        assert!(f.push(url("http://a/one"), 1));
        let order: Vec<String> = std::iter::from_fn(|| f.pop())
            .map(|p| p.url.to_string())
            .collect();
        assert_eq!(order, ["http://a/", "http://a/one", "http://a/deep"]);
        assert!(f.hit_page_limit());
    }
}
