//! Deliveries in the store: for each notifier, each flag queued for it and whether it was
//! delivered, so that a failed delivery is tried again on the next run and nothing delivered is
//! sent again.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::codec::{from_json, to_json};
use super::{Store, StoreError};

/// One flag's delivery to one notifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub queued_at: DateTime<Utc>,
    /// `None` while it waits.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Attempts so far, the successful one included.
    pub attempts: u32,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// `notifier 0x00 flag id`: a notifier's deliveries are one range.
fn key(notifier: &str, flag_id: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(notifier.len() + 1 + flag_id.len());
    key.extend_from_slice(notifier.as_bytes());
    key.push(0);
    key.extend_from_slice(flag_id.as_bytes());
    key
}

impl Store {
    /// Queues each flag for `notifier` unless it was queued before (delivered or not). Returns
    /// how many were queued now.
    pub fn queue_deliveries(
        &self,
        notifier: &str,
        flag_ids: &[&str],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let fresh = Delivery {
            queued_at: now,
            delivered_at: None,
            attempts: 0,
            last_attempt_at: None,
            last_error: None,
        };
        let mut queued = 0;
        for id in flag_ids {
            let swapped = self.deliveries.compare_and_swap(
                key(notifier, id),
                None as Option<&[u8]>,
                Some(to_json(&fresh)),
            )?;
            queued += usize::from(swapped.is_ok());
        }
        Ok(queued)
    }

    /// The flags still waiting for `notifier`, with their deliveries, in flag id order.
    pub fn pending_deliveries(
        &self,
        notifier: &str,
    ) -> Result<Vec<(String, Delivery)>, StoreError> {
        let mut pending = Vec::new();
        for entry in self.deliveries.scan_prefix(key(notifier, "")) {
            let (k, v) = entry?;
            let delivery: Delivery = from_json("deliveries", &k, &v)?;
            if delivery.delivered_at.is_none() {
                let flag_id = String::from_utf8_lossy(&k[notifier.len() + 1..]).into_owned();
                pending.push((flag_id, delivery));
            }
        }
        Ok(pending)
    }

    /// The delivery of `flag_id` to `notifier`, if it was ever queued.
    pub fn delivery(&self, notifier: &str, flag_id: &str) -> Result<Option<Delivery>, StoreError> {
        let k = key(notifier, flag_id);
        match self.deliveries.get(&k)? {
            Some(v) => from_json("deliveries", &k, &v).map(Some),
            None => Ok(None),
        }
    }

    /// Records an attempt to deliver `flag_ids` to `notifier`: delivered, or why not.
    pub fn record_delivery(
        &self,
        notifier: &str,
        flag_ids: &[&str],
        outcome: Result<(), &str>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        for id in flag_ids {
            let Some(mut delivery) = self.delivery(notifier, id)? else {
                continue;
            };
            delivery.attempts += 1;
            delivery.last_attempt_at = Some(at);
            match outcome {
                Ok(()) => {
                    delivery.delivered_at = Some(at);
                    delivery.last_error = None;
                }
                Err(why) => delivery.last_error = Some(why.to_owned()),
            }
            batch.insert(key(notifier, id), to_json(&delivery));
        }
        self.deliveries.apply_batch(batch)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_once_pending_until_delivered() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        let now = Utc::now();
        assert_eq!(
            store.queue_deliveries("hook", &["f1", "f2"], now).unwrap(),
            2
        );
        assert_eq!(
            store.queue_deliveries("hook", &["f2", "f3"], now).unwrap(),
            1
        );
        assert_eq!(store.queue_deliveries("hook-2", &["f1"], now).unwrap(), 1);
        let ids = |n: &str| -> Vec<String> {
            store
                .pending_deliveries(n)
                .unwrap()
                .into_iter()
                .map(|(id, _)| id)
                .collect()
        };
        assert_eq!(ids("hook"), ["f1", "f2", "f3"]);

        store
            .record_delivery("hook", &["f1", "f2"], Err("HTTP 500"), now)
            .unwrap();
        let f1 = store.delivery("hook", "f1").unwrap().expect("queued");
        assert_eq!(
            (f1.attempts, f1.last_error.as_deref()),
            (1, Some("HTTP 500"))
        );
        store
            .record_delivery("hook", &["f1", "f2"], Ok(()), now)
            .unwrap();
        assert_eq!(ids("hook"), ["f3"]);
        let f1 = store.delivery("hook", "f1").unwrap().expect("queued");
        assert_eq!(
            (f1.attempts, f1.delivered_at, f1.last_error),
            (2, Some(now), None)
        );
        assert_eq!(
            store.queue_deliveries("hook", &["f1"], now).unwrap(),
            0,
            "never again"
        );
        assert_eq!(ids("hook-2"), ["f1"], "each notifier on its own");
        assert_eq!(store.delivery("hook", "f9").unwrap(), None);
    }
}
