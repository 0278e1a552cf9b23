//! The HTTP client: timeouts, body cap, redirects, the address guard, charset.

pub mod charset;
