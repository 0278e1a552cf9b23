//! One HTTP fetch of one URL: redirects followed by hand (scope and guard checked at every hop),
//! one deadline for all hops and the body, and the body cut at `max_body` while it streams.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{
    ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING, HeaderMap, LOCATION, RETRY_AFTER, TRANSFER_ENCODING,
    USER_AGENT,
};
use url::Url;

use super::certificate::{Certificate, certificate};
use super::decode::{ACCEPTED, BodyDecoder};
use super::guard::{AddressRefused, GuardedResolver, check_address, find_refusal};

/// At most this many redirect hops are followed.
pub const MAX_REDIRECTS: usize = 10;

/// The most a body buffer is sized to before any byte arrived: Content-Length is the server's
/// word, and a hostile one may announce terabytes.
const MAX_PREALLOCATED_BODY: usize = 16 << 20;

/// Connecting may take no longer than this, even when the whole fetch may take longer.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Response headers kept on a capture: evidence, and what detection needs to spot challenges.
const KEPT_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "content-encoding",
    "content-language",
    "last-modified",
    "etag",
    "date",
    "server",
    "location",
    "retry-after",
    "x-powered-by",
    "cf-ray",
    "cf-mitigated",
    "cf-cache-status",
    "x-amz-cf-id",
    "x-amzn-waf-action",
    "x-cache",
];

/// How a fetcher behaves; one per target.
#[derive(Debug, Clone)]
pub struct FetchSettings {
    pub user_agent: String,
    pub timeout: Duration,
    pub allow_private: bool,
}

/// The HTTP clients of one run, shared by every target: a client starts a connection pool, a
/// fixed cost that would otherwise be paid per target. Two at most, since the address guard
/// sits in the client's resolver: one for targets that may reach private addresses, one for
/// the rest, each built when first wanted. Clients renewed during a run share its TLS
/// configuration, and with it the system's trust roots, read once (`tls`).
#[derive(Debug)]
pub struct HttpClients {
    /// Host → addresses, consulted before DNS (`--resolve`).
    overrides: Arc<HashMap<String, Vec<IpAddr>>>,
    tls: Arc<Result<rustls::ClientConfig, FetchError>>,
    guarded: std::sync::Mutex<Option<reqwest::Client>>,
    private_allowed: std::sync::Mutex<Option<reqwest::Client>>,
}

impl HttpClients {
    pub fn new(overrides: Arc<HashMap<String, Vec<IpAddr>>>) -> HttpClients {
        // Building the configuration reads no certificate: that waits for the first one to
        // check (`tls`).
        HttpClients::with_tls(overrides, Arc::new(super::tls::client_config()))
    }

    /// Fresh clients, without the idle connections of these, under the same TLS configuration.
    pub fn renewed(&self) -> HttpClients {
        HttpClients::with_tls(self.overrides.clone(), self.tls.clone())
    }

    fn with_tls(
        overrides: Arc<HashMap<String, Vec<IpAddr>>>,
        tls: Arc<Result<rustls::ClientConfig, FetchError>>,
    ) -> HttpClients {
        HttpClients {
            overrides,
            tls,
            guarded: std::sync::Mutex::new(None),
            private_allowed: std::sync::Mutex::new(None),
        }
    }

    /// The client for targets that may (or may not) reach private addresses.
    fn client(&self, allow_private: bool) -> Result<reqwest::Client, FetchError> {
        let slot = if allow_private {
            &self.private_allowed
        } else {
            &self.guarded
        };
        let mut slot = slot.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(client) = &*slot {
            return Ok(client.clone());
        }
        // Timeouts and the User-Agent are the target's, set on each request.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // Bodies are decoded here (`decode`), so the headers stay as received.
            .no_gzip()
            .no_brotli()
            .no_deflate()
            .tls_info(true)
            .use_preconfigured_tls((*self.tls).clone()?)
            .no_proxy()
            .connect_timeout(MAX_CONNECT_TIMEOUT)
            .pool_max_idle_per_host(4)
            .dns_resolver(Arc::new(GuardedResolver {
                overrides: self.overrides.clone(),
                allow_private,
            }))
            .build()
            .map_err(|e| FetchError::Transport(format!("cannot build HTTP client: {e}")))?;
        *slot = Some(client.clone());
        Ok(client)
    }
}

impl FetchSettings {
    /// How long connecting may take: the whole fetch's timeout, at most [`MAX_CONNECT_TIMEOUT`].
    fn connect_timeout(&self) -> Duration {
        self.timeout.min(MAX_CONNECT_TIMEOUT)
    }
}

/// What a fetch waits for before each redirect hop: the turn of the host the hop goes to.
pub type WaitTurn<'a> = dyn Fn(&Url) -> Turn + Sync + 'a;

/// Waiting for one host's turn.
pub type Turn = Pin<Box<dyn Future<Output = ()> + Send>>;

/// How one request of a fetch ended.
enum Hop {
    Redirect(Url),
    Final(Box<Response>),
}

/// A response, after redirects, with its body (possibly cut).
#[derive(Debug, Clone)]
pub struct Response {
    pub final_url: Url,
    /// Every URL a redirect pointed to, in order.
    pub redirects: Vec<Url>,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub content_type: Option<String>,
    pub ip: Option<IpAddr>,
    pub body: Vec<u8>,
    /// SHA-256 of `body`, taken as it came in.
    pub body_sha256: [u8; 32],
    /// The body was longer than `max_body` and was cut there.
    pub truncated: bool,
    /// Retry-After, when the server sent one we could read.
    pub retry_after: Option<Duration>,
    pub elapsed: Duration,
    /// The last hop's request and response as exchanged, for evidence.
    pub exchange: Exchange,
}

/// One request and its response as they went over the wire (the last hop of a fetch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// `GET /about?x=1 HTTP/1.1`.
    pub request_line: String,
    /// The request headers sent: every one claimwatch sets, and `host`, which the HTTP
    /// library derives from the URL.
    pub request_headers: Vec<(String, String)>,
    /// `HTTP/1.1`, `HTTP/2.0`.
    pub http_version: String,
    /// Every response header as received, in the order the HTTP library keeps them (by
    /// name, then as received).
    pub response_headers: Vec<(String, String)>,
    /// Content codings claimwatch undid (`["gzip"]`).
    pub content_decoded: Vec<String>,
    /// Transfer codings the HTTP library removed (`["chunked"]`).
    pub transfer_decoded: Vec<String>,
    /// The address and port connected to.
    pub peer: Option<std::net::SocketAddr>,
    /// The server's leaf certificate, over TLS.
    pub certificate: Option<Certificate>,
}

/// Why a fetch produced no response.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    /// The address guard refused the address.
    #[error(transparent)]
    Refused(#[from] AddressRefused),
    /// A redirect pointed outside the target's scope.
    #[error("redirect to {0} is outside the target's scope")]
    OutOfScope(String),
    /// A redirect's Location could not be understood.
    #[error("bad redirect location {0:?}")]
    BadRedirect(String),
    #[error("more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects,
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// DNS, connect, TLS, protocol or body errors.
    #[error("{0}")]
    Transport(String),
}

impl FetchError {
    /// Refusals are policy, not failures of the site.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            FetchError::Refused(_)
                | FetchError::OutOfScope(_)
                | FetchError::TooManyRedirects
                | FetchError::BadRedirect(_)
        )
    }
}

/// Fetches URLs for one target.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    settings: FetchSettings,
}

impl Fetcher {
    pub fn new(settings: FetchSettings, clients: &HttpClients) -> Result<Fetcher, FetchError> {
        let client = clients.client(settings.allow_private)?;
        Ok(Fetcher { client, settings })
    }

    /// GETs `url`, following redirects that stay in scope; all hops and the body share one
    /// deadline of `timeout`. Each hop after the first waits for `wait_turn` of the URL it
    /// goes to first (the caller waits for the first), and that wait does not count against
    /// the deadline: it is politeness, not the server being slow.
    pub async fn get(
        &self,
        url: &Url,
        in_scope: &(dyn Fn(&Url) -> bool + Sync),
        wait_turn: &WaitTurn<'_>,
        max_body: u64,
    ) -> Result<Response, FetchError> {
        let started = Instant::now();
        let timeout = self.settings.timeout;
        let mut deadline = tokio::time::Instant::now() + timeout;
        let mut waited = Duration::ZERO;
        let mut current = url.clone();
        let mut redirects = Vec::new();
        loop {
            let hop = tokio::time::timeout_at(deadline, self.hop(&current, in_scope, max_body));
            match hop.await.map_err(|_| FetchError::Timeout(timeout))?? {
                Hop::Redirect(next) => {
                    if redirects.len() >= MAX_REDIRECTS {
                        return Err(FetchError::TooManyRedirects);
                    }
                    redirects.push(next.clone());
                    let waiting = Instant::now();
                    wait_turn(&next).await;
                    let wait = waiting.elapsed();
                    waited += wait;
                    deadline += wait;
                    current = next;
                }
                Hop::Final(mut response) => {
                    response.final_url = current;
                    response.redirects = redirects;
                    response.elapsed = started.elapsed().saturating_sub(waited);
                    return Ok(*response);
                }
            }
        }
    }

    /// One request: where it redirects to (checked), or the response with its body.
    async fn hop(
        &self,
        current: &Url,
        in_scope: &(dyn Fn(&Url) -> bool + Sync),
        max_body: u64,
    ) -> Result<Hop, FetchError> {
        self.check_literal_host(current)?;
        let request_headers = self.request_headers(current);
        let mut request = self
            .client
            .get(current.clone())
            .timeout(self.settings.timeout);
        // `host` is the HTTP library's to write; the others are claimwatch's.
        for (name, value) in request_headers.iter().skip(1) {
            request = request.header(name.as_str(), value.as_str());
        }
        let response = request.send().await.map_err(|e| self.transport_error(&e))?;
        let ip = response.remote_addr().map(|a| a.ip());
        if let Some(ip) = ip {
            check_address(ip, self.settings.allow_private)?;
        }
        let status = response.status();
        if status.is_redirection()
            && let Some(location) = response.headers().get(LOCATION)
        {
            let location = String::from_utf8_lossy(location.as_bytes()).into_owned();
            let next = current
                .join(location.trim())
                .map_err(|_| FetchError::BadRedirect(location.clone()))?;
            if !matches!(next.scheme(), "http" | "https") {
                return Err(FetchError::BadRedirect(location));
            }
            self.check_literal_host(&next)?;
            if !in_scope(&next) {
                return Err(FetchError::OutOfScope(next.to_string()));
            }
            return Ok(Hop::Redirect(next));
        }
        let headers = kept_headers(response.headers());
        let content_type = header_str(response.headers(), "content-type");
        let retry_after = parse_retry_after(response.headers());
        let mut exchange = exchange_of(current, request_headers, &response);
        let decoded = self.read_capped(response, max_body).await?;
        exchange.content_decoded = decoded.codings;
        Ok(Hop::Final(Box::new(Response {
            final_url: current.clone(),
            redirects: Vec::new(),
            status: status.as_u16(),
            headers,
            content_type,
            ip,
            body: decoded.body,
            body_sha256: decoded.sha256,
            truncated: decoded.truncated,
            retry_after,
            elapsed: Duration::ZERO,
            exchange,
        })))
    }

    /// The resolver never sees IP literals, so they are checked here.
    fn check_literal_host(&self, url: &Url) -> Result<(), FetchError> {
        let ip = match url.host() {
            Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
            _ => return Ok(()),
        };
        check_address(ip, self.settings.allow_private)?;
        Ok(())
    }
}

impl Fetcher {
    /// The request headers a GET of `url` sends, `host` first.
    fn request_headers(&self, url: &Url) -> Vec<(String, String)> {
        let host = match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (host, None) => host.unwrap_or_default().to_string(),
            (None, Some(_)) => String::new(),
        };
        vec![
            ("host".into(), host),
            (USER_AGENT.as_str().into(), self.settings.user_agent.clone()),
            (ACCEPT.as_str().into(), "*/*".into()),
            (ACCEPT_ENCODING.as_str().into(), ACCEPTED.into()),
        ]
    }

    /// Streams the body, decoding its content coding and keeping at most `max_body` decoded
    /// bytes (so a compression bomb is cut like any other big body).
    async fn read_capped(
        &self,
        mut response: reqwest::Response,
        max_body: u64,
    ) -> Result<super::decode::Decoded, FetchError> {
        let coding = header_str(response.headers(), CONTENT_ENCODING.as_str());
        let cap = usize::try_from(max_body).unwrap_or(usize::MAX);
        // Sized once from Content-Length when the server sends one (a lie only costs a
        // resize), rather than doubled chunk by chunk through a page's worth of copies.
        let announced = response
            .content_length()
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0);
        let capacity = announced.min(cap).min(MAX_PREALLOCATED_BODY);
        let mut decoder = BodyDecoder::new(coding.as_deref(), cap, capacity);
        let undecodable = |e: std::io::Error| {
            FetchError::Transport(format!(
                "error decoding the response body ({}): {e}",
                coding.as_deref().unwrap_or("identity")
            ))
        };
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_error(&e))?
        {
            if !decoder.feed(&chunk).map_err(undecodable)? {
                break;
            }
        }
        decoder.finish().map_err(undecodable)
    }

    fn transport_error(&self, err: &reqwest::Error) -> FetchError {
        if let Some(refused) = find_refusal(err) {
            return FetchError::Refused(refused);
        }
        // reqwest's own timeouts are as long as the deadline around the fetch, or shorter for
        // connecting, and may fire first: one wording for every timeout.
        if err.is_timeout() {
            return FetchError::Timeout(if err.is_connect() {
                self.settings.connect_timeout()
            } else {
                self.settings.timeout
            });
        }
        describe_transport(err)
    }
}

fn describe_transport(err: &reqwest::Error) -> FetchError {
    FetchError::Transport(error_chain(err))
}

/// An error and its causes, each once: reqwest's own message ("error sending request") hides
/// the cause people need.
pub(crate) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        let text = inner.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = inner.source();
    }
    message
}

/// The exchange as far as the response's head: the body's decoding is filled in once read.
fn exchange_of(
    url: &Url,
    request_headers: Vec<(String, String)>,
    response: &reqwest::Response,
) -> Exchange {
    let http_version = format!("{:?}", response.version());
    let mut target = url.path().to_string();
    if let Some(query) = url.query() {
        target.push('?');
        target.push_str(query);
    }
    let response_headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let transfer_decoded = response
        .headers()
        .get_all(TRANSFER_ENCODING)
        .iter()
        .flat_map(|value| {
            String::from_utf8_lossy(value.as_bytes())
                .split(',')
                .map(|c| c.trim().to_ascii_lowercase())
                .collect::<Vec<_>>()
        })
        .filter(|coding| !coding.is_empty())
        .collect();
    let certificate = response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
        .map(certificate);
    Exchange {
        request_line: format!("GET {target} {http_version}"),
        request_headers,
        http_version,
        response_headers,
        content_decoded: Vec::new(),
        transfer_decoded,
        peer: response.remote_addr(),
        certificate,
    }
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

fn kept_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    KEPT_HEADERS
        .iter()
        .filter_map(|name| header_str(headers, name).map(|v| ((*name).to_string(), v)))
        .collect()
}

/// Retry-After is either seconds or an HTTP date.
fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = header_str(headers, RETRY_AFTER.as_str())?;
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("120"));
        assert_eq!(parse_retry_after(&headers), Some(Duration::from_secs(120)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(parse_retry_after(&headers), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(parse_retry_after(&headers), None);
    }
}
