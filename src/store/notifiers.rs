//! Where each `[[notify]]` notifier's deliveries stand: the flags delivered up to a marker, and
//! the failures since the last delivery.
//!
//! The flags owed to a notifier are not queued: they are the flags the runs recorded as new,
//! taken in (run, flag id) order from the run the notifier was first seen in, after its marker.
//! A run that ended before it could deliver (a crash, a stop) therefore leaves nothing behind:
//! the next run finds its flags past the marker.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::codec::{from_json, to_json};
use super::keys::id_key;
use super::{RunRecord, Store, StoreError};

/// A flag's place in the order notifiers are sent flags in: its run, then its id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FlagPosition {
    pub run: u64,
    pub flag_id: String,
}

/// One notifier's deliveries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifierState {
    /// The run it was first seen in: flags raised before it are not its to get.
    pub first_run: u64,
    /// The last flag it took: every flag up to this position was delivered.
    pub delivered_through: Option<FlagPosition>,
    pub last_delivered_at: Option<DateTime<Utc>>,
    /// Attempts that failed since it last took a delivery.
    pub failed_attempts: u32,
    /// The first of those failures.
    pub failing_since: Option<DateTime<Utc>>,
    /// Why the last attempt failed, while it fails.
    pub last_error: Option<String>,
}

impl NotifierState {
    /// A notifier first seen in run `first_run`.
    pub fn new(first_run: u64) -> NotifierState {
        NotifierState {
            first_run,
            delivered_through: None,
            last_delivered_at: None,
            failed_attempts: 0,
            failing_since: None,
            last_error: None,
        }
    }

    /// Was the flag at `position` delivered, or is it from before this notifier?
    pub fn is_done(&self, position: &FlagPosition) -> bool {
        position.run < self.first_run || self.delivered_through.as_ref() >= Some(position)
    }

    /// Every flag up to `through` was delivered at `at`.
    pub fn delivered(&mut self, through: &FlagPosition, at: DateTime<Utc>) {
        if self.delivered_through.as_ref() < Some(through) {
            self.delivered_through = Some(through.clone());
        }
        self.last_delivered_at = Some(at);
        self.failed_attempts = 0;
        self.failing_since = None;
        self.last_error = None;
    }

    /// An attempt at `at` failed because of `why`.
    pub fn failed(&mut self, why: &str, at: DateTime<Utc>) {
        self.failed_attempts += 1;
        self.failing_since.get_or_insert(at);
        self.last_error = Some(why.to_owned());
    }
}

impl Store {
    /// Where `notifier` stands, if it was ever seen.
    pub fn notifier_state(&self, notifier: &str) -> Result<Option<NotifierState>, StoreError> {
        match self.notifiers.get(notifier.as_bytes())? {
            Some(v) => from_json("notifiers", notifier.as_bytes(), &v).map(Some),
            None => Ok(None),
        }
    }

    pub fn save_notifier_state(
        &self,
        notifier: &str,
        state: &NotifierState,
    ) -> Result<(), StoreError> {
        self.notifiers.insert(notifier.as_bytes(), to_json(state))?;
        Ok(())
    }

    /// The flags that runs from `first_run` on recorded as new, in (run, flag id) order.
    pub fn flags_raised_from(&self, first_run: u64) -> Result<Vec<FlagPosition>, StoreError> {
        let mut raised = Vec::new();
        for entry in self.runs.range(id_key(first_run)..) {
            let (key, value) = entry?;
            let run: RunRecord = from_json("runs", &key, &value)?;
            let start = raised.len();
            raised.extend(
                run.targets
                    .iter()
                    .flat_map(|counts| &counts.new_flags)
                    .map(|flag_id| FlagPosition {
                        run: run.id,
                        flag_id: flag_id.clone(),
                    }),
            );
            raised[start..].sort();
        }
        Ok(raised)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::TargetCounts;

    fn run_with(store: &Store, flags: &[&[&str]]) -> u64 {
        let mut run = store.begin_run().expect("begin");
        run.targets = flags
            .iter()
            .enumerate()
            .map(|(i, ids)| TargetCounts {
                target: format!("t{i}"),
                new_flags: ids.iter().map(|id| id.to_string()).collect(),
                ..TargetCounts::default()
            })
            .collect();
        store.save_run(&run).expect("save");
        run.id
    }

    fn at(run: u64, flag_id: &str) -> FlagPosition {
        FlagPosition {
            run,
            flag_id: flag_id.into(),
        }
    }

    #[test]
    fn flags_raised_come_in_run_then_id_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        let first = run_with(&store, &[&["f9"]]);
        let second = run_with(&store, &[&["f7", "f2"], &[], &["f5"]]);
        assert_eq!(
            store.flags_raised_from(first).expect("read"),
            [
                at(first, "f9"),
                at(second, "f2"),
                at(second, "f5"),
                at(second, "f7")
            ]
        );
        assert_eq!(store.flags_raised_from(second).expect("read").len(), 3);
        assert!(
            store
                .flags_raised_from(second + 1)
                .expect("read")
                .is_empty()
        );
    }

    #[test]
    fn a_marker_moves_forward_and_failures_count_until_a_delivery() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        assert_eq!(store.notifier_state("hook").expect("read"), None);
        let mut state = NotifierState::new(3);
        assert!(state.is_done(&at(2, "f1")), "from before the notifier");
        assert!(!state.is_done(&at(3, "f1")));

        let t0 = Utc::now();
        state.failed("HTTP 500", t0);
        state.failed("HTTP 503", t0 + chrono::Duration::seconds(5));
        assert_eq!((state.failed_attempts, state.failing_since), (2, Some(t0)));
        assert_eq!(state.last_error.as_deref(), Some("HTTP 503"));
        store.save_notifier_state("hook", &state).expect("save");
        assert_eq!(
            store.notifier_state("hook").expect("read"),
            Some(state.clone())
        );

        state.delivered(&at(4, "f2"), t0);
        assert!(state.is_done(&at(4, "f1")) && state.is_done(&at(4, "f2")));
        assert!(!state.is_done(&at(4, "f3")) && !state.is_done(&at(5, "f0")));
        assert_eq!((state.failed_attempts, state.failing_since), (0, None));
        state.delivered(&at(3, "f9"), t0);
        assert_eq!(
            state.delivered_through,
            Some(at(4, "f2")),
            "never backwards"
        );
        assert_eq!(store.notifier_state("hook-2").expect("read"), None);
    }
}
