//! One POST of a JSON body, for webhooks: no redirects followed (a redirected POST is a
//! misconfigured receiver, not a delivery), one deadline for the whole exchange.
//!
//! Unlike crawling, the address is the operator's own choice from targets.toml, so loopback and
//! private receivers are allowed and the address guard does not apply.

use std::time::Duration;

use url::Url;

use super::client::error_chain;

/// What a POST came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostOutcome {
    /// The receiver answered with this status.
    Status(u16),
    /// No answer: connection, TLS or the deadline; says which.
    Failed(String),
}

/// POSTs `body` as `application/json` to `url` with `headers`, within `timeout`.
pub async fn post_json(
    url: &Url,
    body: Vec<u8>,
    headers: &[(&str, String)],
    user_agent: &str,
    timeout: Duration,
) -> PostOutcome {
    let client = match reqwest::Client::builder()
        .user_agent(user_agent)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .build()
    {
        Ok(client) => client,
        Err(e) => return PostOutcome::Failed(format!("cannot build HTTP client: {e}")),
    };
    let mut request = client
        .post(url.clone())
        .header("content-type", "application/json")
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    match request.send().await {
        Ok(response) => PostOutcome::Status(response.status().as_u16()),
        Err(e) if e.is_timeout() => PostOutcome::Failed(format!("no answer within {timeout:?}")),
        Err(e) => PostOutcome::Failed(error_chain(&e)),
    }
}
