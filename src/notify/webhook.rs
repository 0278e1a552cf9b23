//! A webhook delivery: the flags as one JSON document POSTed to the receiver, signed when it
//! shares a secret with us.

use std::time::Duration;

use serde::Serialize;
use url::Url;

use super::sign::{SIGNATURE_HEADER, signature};
use crate::config::Secret;
use crate::fetch::post::{PostOutcome, post_json};
use crate::flags::{Flag, SCHEMA_VERSION};

/// The body POSTed: the flags in the record shape of `flags --format jsonl`.
#[derive(Serialize)]
struct Payload<'a> {
    schema_version: u32,
    flags: &'a [Flag],
}

/// The JSON a receiver gets for `flags`.
pub fn body(flags: &[Flag]) -> Vec<u8> {
    let payload = Payload {
        schema_version: SCHEMA_VERSION,
        flags,
    };
    serde_json::to_vec(&payload).expect("a flag always serialises")
}

/// POSTs `flags`; `Ok` when the receiver answered 2xx.
pub async fn deliver(
    url: &Url,
    secret: Option<&Secret>,
    flags: &[Flag],
    timeout: Duration,
) -> Result<(), String> {
    let body = body(flags);
    let mut headers = Vec::new();
    if let Some(secret) = secret {
        headers.push((SIGNATURE_HEADER, signature(secret.expose(), &body)));
    }
    let user_agent = concat!("claimwatch/", env!("CARGO_PKG_VERSION"));
    match post_json(url, body, &headers, user_agent, timeout).await {
        PostOutcome::Status(status) if (200..300).contains(&status) => Ok(()),
        PostOutcome::Status(status) => Err(format!("the receiver answered HTTP {status}")),
        PostOutcome::Failed(why) => Err(why),
    }
}
