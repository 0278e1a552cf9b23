//! The demo's built-in company sites and the loopback server that serves them: `claimwatch demo`
//! tells its story with them, and the crawl benchmark measures on the same server.

pub mod server;
pub mod sites;
