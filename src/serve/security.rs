//! What stands between the desk and the network: the token, the Host check, cross-site
//! refusals, the forms' secret, and the headers every response carries.
//!
//! - Without a token the desk listens on loopback only and answers only requests whose Host is a
//!   loopback name: a web page elsewhere cannot point a DNS name of its own at 127.0.0.1 and read
//!   the desk as if it were that site (DNS rebinding).
//! - With a token, every request carries it: `Authorization: Bearer T`, or a cookie set by
//!   visiting any page once with `?token=T` (the desk then redirects to the same page without
//!   it, so the token stays out of the history). The cookie holds a digest of the token, not the
//!   token.
//! - Requests that change something are POSTs, refused when the browser says they come from
//!   another site (`Sec-Fetch-Site`, else `Origin`). Forms also carry a secret drawn when the
//!   desk starts; the JSON API takes only `application/json`, which no cross-site form can send.
//!   `GET /api/flags?new=1` marks flags as printed, so it gets the same cross-site check.
//! - Every response says `Content-Security-Policy` with no script source, so that even if
//!   crawled text escaped its escaping, the browser would run nothing and load nothing from
//!   elsewhere.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::ServeError;
use super::pages::message_page;

/// The policy every response carries: nothing but the desk's own stylesheet and images, forms
/// posting only to the desk, no framing, no `<base>`.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The cookie that carries the token's digest.
const COOKIE: &str = "claimwatch_token";

/// The query parameter that sets the cookie.
const TOKEN_PARAMETER: &str = "token";

/// The desk's guard: token, Host rule, forms' secret.
pub struct Guard {
    /// SHA-256 of the token, when there is one.
    token: Option<[u8; 32]>,
    /// The forms' secret, hex.
    csrf: String,
}

impl Guard {
    /// A guard for a desk listening on `addr`; refuses a non-loopback address without a token.
    pub fn new(token: Option<String>, addr: SocketAddr) -> Result<Guard, ServeError> {
        if token.as_deref().is_some_and(str::is_empty) {
            return Err(ServeError::EmptyToken);
        }
        if token.is_none() && !addr.ip().is_loopback() {
            return Err(ServeError::TokenRequired(addr));
        }
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| ServeError::Secret(e.to_string()))?;
        Ok(Guard {
            token: token.map(|t| digest(&t)),
            csrf: hex::encode(secret),
        })
    }

    /// The secret that the desk's forms carry in their `csrf` field.
    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    /// Whether a form's `csrf` field is the desk's secret.
    pub fn csrf_ok(&self, given: &str) -> bool {
        digest(given).ct_eq(&digest(&self.csrf)).into()
    }

    fn admit(&self, request: &Request) -> Result<(), Refusal> {
        let headers = request.headers();
        match self.token {
            None => check_loopback_host(headers)?,
            Some(token) => self.check_token(request, &token)?,
        }
        if changes_state(request) {
            check_same_origin(headers)?;
        }
        Ok(())
    }

    fn check_token(&self, request: &Request, token: &[u8; 32]) -> Result<(), Refusal> {
        let matches = |given: [u8; 32]| -> bool { given.ct_eq(token).into() };
        let query: Vec<(String, String)> = query_pairs(request);
        if let Some((_, given)) = query.iter().find(|(k, _)| k == TOKEN_PARAMETER) {
            if request.method() == Method::GET && matches(digest(given)) {
                return Err(Refusal::Redirect(without_token(
                    request.uri().path(),
                    &query,
                )));
            }
            return Err(Refusal::Forbidden(
                StatusCode::UNAUTHORIZED,
                "that is not this desk's token".into(),
            ));
        }
        let headers = request.headers();
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| matches(digest(given.trim())));
        let cookie = cookie_value(headers, COOKIE)
            .and_then(|v| <[u8; 32]>::try_from(hex::decode(v).ok()?).ok())
            .is_some_and(matches);
        if bearer || cookie {
            Ok(())
        } else {
            Err(Refusal::Forbidden(
                StatusCode::UNAUTHORIZED,
                "this desk needs its token: open it once with ?token=… in the address, or send \
                 the header Authorization: Bearer …"
                    .into(),
            ))
        }
    }

    /// The cookie's value: the token's digest, so that the browser never keeps the token itself.
    fn cookie(&self) -> Option<String> {
        self.token.map(hex::encode)
    }
}

/// The middleware: admits or refuses the request, and puts the security headers on whatever
/// goes back.
pub async fn guard(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let mut response = match guard.admit(&request) {
        Ok(()) => next.run(request).await,
        Err(Refusal::Redirect(location)) => {
            // Lax, not Strict: a link to the desk from mail or chat should open it signed in.
            // Cross-site requests that change anything are refused on their own headers.
            let cookie = format!(
                "{COOKIE}={}; HttpOnly; SameSite=Lax; Path=/",
                guard.cookie().unwrap_or_default()
            );
            let mut response = StatusCode::SEE_OTHER.into_response();
            if let (Ok(location), Ok(cookie)) = (
                HeaderValue::from_str(&location),
                HeaderValue::from_str(&cookie),
            ) {
                response.headers_mut().insert(header::LOCATION, location);
                response.headers_mut().insert(header::SET_COOKIE, cookie);
            }
            response
        }
        Err(Refusal::Forbidden(status, message)) if api => {
            (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
        }
        Err(Refusal::Forbidden(status, message)) => {
            (status, message_page("Not allowed", &message)).into_response()
        }
    };
    secure_headers(response.headers_mut());
    response
}

/// Headers every response carries; `Cache-Control` only where the handler set none (pages hold
/// investigation material: no cache keeps them).
fn secure_headers(headers: &mut HeaderMap) {
    let fixed: [(HeaderName, &str); 6] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

enum Refusal {
    /// The token came in the query: set the cookie and go to this address without it.
    Redirect(String),
    Forbidden(StatusCode, String),
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// Whether the request changes the store: any method but GET and HEAD, and the API's
/// `new=…`, which marks flags as printed.
fn changes_state(request: &Request) -> bool {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return true;
    }
    request.uri().path() == "/api/flags" && query_pairs(request).iter().any(|(k, _)| k == "new")
}

fn check_same_origin(headers: &HeaderMap) -> Result<(), Refusal> {
    let refuse = |why: &str| {
        Err(Refusal::Forbidden(
            StatusCode::FORBIDDEN,
            format!("refused a request from another site ({why})"),
        ))
    };
    if let Some(site) = headers.get("sec-fetch-site") {
        return match site.to_str() {
            Ok("same-origin") => Ok(()),
            Ok(other) => refuse(&format!("Sec-Fetch-Site: {other}")),
            Err(_) => refuse("Sec-Fetch-Site unreadable"),
        };
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        // Not from a browser that says where it comes from: a tool, which has no cookies of
        // ours to abuse, or carries the token itself.
        return Ok(());
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin = origin.to_str().ok();
    let same = match (origin, host) {
        (Some(origin), Some(host)) => {
            origin == format!("http://{host}") || origin == format!("https://{host}")
        }
        _ => false,
    };
    if same {
        Ok(())
    } else {
        refuse(&format!("Origin: {}", origin.unwrap_or("unreadable")))
    }
}

/// Without a token: only Host names that mean this machine.
fn check_loopback_host(headers: &HeaderMap) -> Result<(), Refusal> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if is_loopback_host(host) {
        Ok(())
    } else {
        Err(Refusal::Forbidden(
            StatusCode::MISDIRECTED_REQUEST,
            format!(
                "this desk answers only to loopback names (127.0.0.1, localhost, [::1]), not \
                 {host:?}; to reach it under another name, start it with --token"
            ),
        ))
    }
}

/// "127.0.0.1:8080", "localhost", "[::1]:8080".
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn query_pairs(request: &Request) -> Vec<(String, String)> {
    request
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

fn without_token(path: &str, query: &[(String, String)]) -> String {
    let rest: Vec<&(String, String)> = query.iter().filter(|(k, _)| k != TOKEN_PARAMETER).collect();
    if rest.is_empty() {
        return path.to_string();
    }
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in rest {
        serializer.append_pair(k, v);
    }
    format!("{path}?{}", serializer.finish())
}

fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_told_from_others() {
        for host in [
            "127.0.0.1:8080",
            "localhost:80",
            "LOCALHOST",
            "[::1]:9",
            "127.3.4.5",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "evil.example:8080",
            "10.0.0.1",
            "",
            "[::2]:80",
            "localhost.evil.example",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn a_non_loopback_address_needs_a_token() {
        let any: SocketAddr = "0.0.0.0:8080".parse().expect("an address");
        assert!(matches!(
            Guard::new(None, any),
            Err(ServeError::TokenRequired(_))
        ));
        assert!(Guard::new(Some("t".into()), any).is_ok());
        assert!(matches!(
            Guard::new(Some(String::new()), any),
            Err(ServeError::EmptyToken)
        ));
    }

    #[test]
    fn the_forms_secret_is_checked_whole() {
        let guard = Guard::new(None, "127.0.0.1:1".parse().expect("an address")).expect("a guard");
        let secret = guard.csrf().to_string();
        assert!(guard.csrf_ok(&secret));
        assert!(!guard.csrf_ok(&secret[..10]));
        assert!(!guard.csrf_ok(""));
    }
}
