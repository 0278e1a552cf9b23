//! Per-host politeness: a rate limiter with the target's rate and burst, a floor between
//! requests (robots crawl-delay), and back-off after 429/503.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::MonotonicClock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use tokio::time::Instant;

use crate::config::Rate;

/// A host's rate limiter, on the standard monotonic clock: governor's default clock calibrates
/// the CPU's time stamp counter on first use, for a precision politeness has no use for.
type Limiter =
    RateLimiter<NotKeyed, InMemoryState, MonotonicClock, NoOpMiddleware<std::time::Instant>>;

/// Politeness state of one host, shared by every target that visits it.
#[derive(Debug)]
pub struct Host {
    limiter: Limiter,
    floor: Mutex<Floor>,
}

#[derive(Debug)]
struct Floor {
    min_interval: Duration,
    next_allowed: Instant,
    last_request: Option<Instant>,
    /// Set once the host kept answering 429/503 after retries: no more requests this run.
    gave_up: bool,
}

impl Host {
    pub fn new(rate: Rate, burst: u32) -> Host {
        let period = rate.interval().max(Duration::from_micros(1));
        let quota = Quota::with_period(period)
            .expect("period is at least a microsecond")
            .allow_burst(NonZeroU32::new(burst.max(1)).expect("burst is at least 1"));
        Host {
            limiter: RateLimiter::direct_with_clock(quota, MonotonicClock),
            floor: Mutex::new(Floor {
                min_interval: Duration::ZERO,
                next_allowed: Instant::now(),
                last_request: None,
                gave_up: false,
            }),
        }
    }

    /// Waits until a request to this host is allowed, and claims that slot.
    pub async fn wait_turn(&self) {
        self.limiter.until_ready().await;
        loop {
            let wait = {
                let mut floor = self.lock();
                let now = Instant::now();
                if floor.next_allowed <= now {
                    floor.next_allowed = now + floor.min_interval;
                    floor.last_request = Some(now);
                    return;
                }
                floor.next_allowed - now
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// A floor between requests, from robots.txt crawl-delay. It applies from the last request
    /// on: the robots.txt fetch that announced it counts.
    pub fn set_min_interval(&self, interval: Duration) {
        let mut floor = self.lock();
        floor.min_interval = floor.min_interval.max(interval);
        if let Some(last) = floor.last_request {
            floor.next_allowed = floor.next_allowed.max(last + floor.min_interval);
        }
    }

    /// No request before `wait` from now (429/503 back-off).
    pub fn back_off(&self, wait: Duration) {
        let mut floor = self.lock();
        floor.next_allowed = floor.next_allowed.max(Instant::now() + wait);
    }

    pub fn give_up(&self) {
        self.lock().gave_up = true;
    }

    pub fn gave_up(&self) -> bool {
        self.lock().gave_up
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Floor> {
        // The floor holds plain values: a panic elsewhere cannot leave it inconsistent.
        self.floor
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Every host of a run, created on first use with the rate of the target that asked first,
/// unless a slower rate was registered for it up front.
#[derive(Debug, Default)]
pub struct Hosts {
    rates: HashMap<String, (Rate, u32)>,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
}

impl Hosts {
    /// `rates`: for hosts shared by several targets, the slowest rate and smallest burst.
    pub fn new(rates: HashMap<String, (Rate, u32)>) -> Hosts {
        Hosts {
            rates,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, host: &str, rate: Rate, burst: u32) -> Arc<Host> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        hosts
            .entry(host.to_string())
            .or_insert_with(|| {
                let (rate, burst) = self.rates.get(host).copied().unwrap_or((rate, burst));
                Arc::new(Host::new(rate, burst))
            })
            .clone()
    }
}

/// Merges one more target's rate for a host: the slower one wins.
pub fn slowest(existing: Option<(Rate, u32)>, rate: Rate, burst: u32) -> (Rate, u32) {
    match existing {
        Some((old, old_burst)) if old.interval() >= rate.interval() => (old, old_burst.min(burst)),
        Some((_, old_burst)) => (rate, old_burst.min(burst)),
        None => (rate, burst),
    }
}
