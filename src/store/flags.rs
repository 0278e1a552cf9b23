//! Flags in the store: inserted once under their stable id, listed, marked as printed by
//! `flags --new`, and reviewed.

use std::sync::atomic::Ordering;

use super::codec::{from_json, to_json};
use super::{Store, StoreError};
use crate::flags::{Flag, Review};

impl Store {
    /// Stores a flag unless one with its id exists. Returns whether it was new; an existing flag
    /// keeps its `detected_at` and review.
    pub fn insert_flag(&self, flag: &Flag) -> Result<bool, StoreError> {
        let swapped = self.flags.compare_and_swap(
            flag.flag_id.as_bytes(),
            None as Option<&[u8]>,
            Some(to_json(flag)),
        )?;
        if swapped.is_ok() {
            self.flags_written.fetch_add(1, Ordering::SeqCst);
        }
        Ok(swapped.is_ok())
    }

    /// Changes whenever a flag is inserted or reviewed (through this store, which is the only
    /// way). Equal values mean the flags are as they were.
    pub fn flags_version(&self) -> u64 {
        self.flags_written.load(Ordering::SeqCst)
    }

    pub fn flag(&self, flag_id: &str) -> Result<Option<Flag>, StoreError> {
        match self.flags.get(flag_id.as_bytes())? {
            Some(value) => from_json("flags", flag_id.as_bytes(), &value).map(Some),
            None => Ok(None),
        }
    }

    /// Every flag, oldest detection first (ties by id, so the order is stable).
    pub fn flags(&self) -> Result<Vec<Flag>, StoreError> {
        let mut flags = self
            .flags
            .iter()
            .map(|entry| {
                let (key, value) = entry?;
                from_json::<Flag>("flags", &key, &value)
            })
            .collect::<Result<Vec<_>, _>>()?;
        flags.sort_by(|a, b| (a.detected_at, &a.flag_id).cmp(&(b.detected_at, &b.flag_id)));
        Ok(flags)
    }

    /// Has `flags --new` printed this flag already?
    pub fn was_printed(&self, flag_id: &str) -> Result<bool, StoreError> {
        Ok(self.printed.contains_key(flag_id.as_bytes())?)
    }

    pub fn mark_printed(&self, flag_ids: &[&str]) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        for id in flag_ids {
            batch.insert(id.as_bytes(), &[] as &[u8]);
        }
        self.printed.apply_batch(batch)?;
        Ok(())
    }

    /// Sets a flag's review; `false` when there is no such flag.
    pub fn set_review(&self, flag_id: &str, review: Review) -> Result<bool, StoreError> {
        let Some(mut flag) = self.flag(flag_id)? else {
            return Ok(false);
        };
        flag.review = review;
        self.flags.insert(flag_id.as_bytes(), to_json(&flag))?;
        self.flags_written.fetch_add(1, Ordering::SeqCst);
        Ok(true)
    }
}
