//! The HTTP client: timeouts, body cap, content decoding, redirects, the address guard,
//! charset, and what evidence needs of each exchange (headers as sent and received, the peer,
//! its certificate).
//!
//! Only this module knows about reqwest.

pub mod certificate;
pub mod charset;
pub mod client;
mod decode;
pub mod guard;
pub mod post;
mod tls;

pub use client::{
    Exchange, FetchError, FetchSettings, Fetcher, HttpClients, Response, Turn, WaitTurn,
};
