//! Sharing the store: sled lets one process open it, and a polite crawl holds it for an hour.
//! So whichever process holds it (a `crawl` or `serve`) answers the others on a Unix socket in
//! the store directory (`claimwatch.sock`), and carries out their commands for them with the
//! same output, log and exit code as if they had run on their own:
//!
//! - the commands that read (`flags`, `claims`, `history`, `diff`, `show`, `verify`, `report`)
//!   and `review` are carried out by a crawl or a desk;
//! - a `crawl` is carried out by a desk (one at a time), and refused at once by a crawl: one
//!   crawl at a time, as before;
//! - `serve` is refused by either: the desk needs the store of its own.
//!
//! A command that finds the store held and nobody answering (a holder starting or stopping, or a
//! command that reads without answering) tries again for [`WAIT_FOR_HOLDER`] before it reports
//! the store held. Nothing waits longer than a timeout: connecting, and the holder's first
//! answer, have [`CONNECT`] and [`HANDSHAKE`]; a socket left by a holder that was killed refuses
//! connections at once, and the next holder replaces it.
//!
//! - [`wire`]: the frames on the socket.
//! - [`holder`]: listening, and carrying out commands for others.
//! - [`client`]: asking, and passing the answer on.

mod client;
mod holder;
mod wire;

use std::sync::Arc;
use std::time::{Duration, Instant};

use claimwatch::exit::Exit;
use claimwatch::store::StoreError;

use super::session::{OpenStore, Session};
use super::shutdown::Stop;
use super::{Cli, finish, run};
use client::Asked;
pub use holder::Sharing;

/// How long connecting to the holder's socket may take.
const CONNECT: Duration = Duration::from_secs(2);

/// How long either side waits for the other's first message.
const HANDSHAKE: Duration = Duration::from_secs(10);

/// How long a command waits for a store held by a process that does not answer.
const WAIT_FOR_HOLDER: Duration = Duration::from_secs(15);

/// How often it tries again meanwhile.
const RETRY: Duration = Duration::from_millis(100);

/// What a holder does for others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A crawl: reads and reviews; never a second crawl.
    Crawl,
    /// The review desk: reads, reviews, and one crawl at a time.
    Desk,
}

/// Starts answering the other commands on the store this process now holds; `None` (said in
/// the log) when the socket cannot be made, and the others wait or report the store held.
pub fn hold(store: &OpenStore, role: Role, stop: &Arc<Stop>) -> Option<Sharing> {
    match Sharing::start(store, role, stop) {
        Ok(sharing) => Some(sharing),
        Err(error) => {
            tracing::warn!(
                "other claimwatch commands cannot use the store while this one runs: cannot \
                 listen on {}: {error}",
                store.path().join(claimwatch::store::SOCKET_FILE).display()
            );
            None
        }
    }
}

/// Runs a command that needs the store: here, or by the process holding the store.
pub fn run_or_forward(cli: &Cli, s: &mut Session) -> Exit {
    let deadline = Instant::now() + WAIT_FOR_HOLDER;
    let mut said = false;
    loop {
        if let Asked::Done(exit) = client::ask(cli, s) {
            return exit;
        }
        let result = run(cli, s);
        match &result {
            Err(error)
                if is_held(error) && Instant::now() < deadline && s.stop.reason().is_none() =>
            {
                if !said {
                    said = true;
                    tracing::info!("{error:#}; it does not answer: waiting for it");
                }
                std::thread::sleep(RETRY);
            }
            _ => return finish(cli, s, result),
        }
    }
}

/// Did the command fail because another process holds the store?
fn is_held(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        matches!(
            e.downcast_ref::<StoreError>(),
            Some(StoreError::Held { .. })
        )
    })
}
