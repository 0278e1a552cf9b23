//! The store as the FtM export's source of evidence: a capture's record and the SHA-1 of its
//! body, for the HyperText that stands for it.

use super::Store;
use crate::flags::ftm::{CaptureFacts, Evidence, content_hash};

impl Evidence for Store {
    fn capture(&self, capture_id: &str) -> Option<CaptureFacts> {
        let id: u64 = capture_id.parse().ok()?;
        let record = match self.capture(id) {
            Ok(record) => record?,
            Err(e) => {
                // The export goes on with what the flag holds; `verify` is for damage.
                tracing::warn!("capture {id}: {e}");
                return None;
            }
        };
        let body = record
            .sha256
            .as_deref()
            .and_then(|sha256| match self.body(sha256) {
                Ok(body) => body,
                Err(e) => {
                    tracing::warn!("the body of capture {id}: {e}");
                    None
                }
            });
        Some(CaptureFacts {
            url: Some(record.url.clone()),
            final_url: Some(record.final_url.clone()),
            content_type: record.content_type.clone(),
            encoding: record.encoding.clone(),
            size: record.size,
            sha1: body.map(|b| content_hash(&b)),
        })
    }
}
