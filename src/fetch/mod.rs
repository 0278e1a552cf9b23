//! The HTTP client: timeouts, body cap, redirects, the address guard, charset.
//!
//! Only this module knows about reqwest.

pub mod charset;
pub mod client;
pub mod guard;
pub mod post;

pub use client::{FetchError, FetchSettings, Fetcher, HttpClients, Response};
