//! `claimwatch serve [--addr 127.0.0.1:8080] [--token T]`: the review desk, until Ctrl-C or
//! SIGTERM. While it runs, it answers the other commands that need the store, a cron `crawl`
//! among them (see [`super::share`]).

use std::io::Write;
use std::net::SocketAddr;

use anyhow::{Context, Result};

use super::session::Session;
use super::share::{self, Role};
use super::{Cli, logging};
use claimwatch::exit::Exit;
use claimwatch::serve::{Desk, ServeOptions, serve};

pub fn run(cli: &Cli, s: &mut Session, addr: SocketAddr, token: Option<&str>) -> Result<Exit> {
    let config = s.config(cli)?;
    let store = s.existing_store(cli)?;
    let desk = Desk::new(store.shared(), config)?;
    let options = ServeOptions {
        token: token.map(str::to_string),
    };
    let runtime = logging::runtime().context("cannot start the async runtime")?;
    let sharing = share::hold(&store, Role::Desk, &s.stop);
    let stop = s.stop.token();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let bound = listener.local_addr()?;
        let shown = match bound {
            SocketAddr::V6(v6) => format!("[{}]:{}", v6.ip(), v6.port()),
            SocketAddr::V4(v4) => v4.to_string(),
        };
        let served = serve(listener, desk, options, async move {
            stop.cancelled().await;
        });
        // Said once the listener is bound, so a script can wait for this line and then connect.
        writeln!(s.out, "review desk at http://{shown}/ (Ctrl-C stops it)")?;
        s.out.flush()?;
        served.await?;
        anyhow::Ok(())
    })?;
    // Commands carried out for others are stopped with the desk, and given a moment to end.
    drop(sharing);
    let _ = writeln!(s.err, "claimwatch: review desk stopped");
    Ok(Exit::Ok)
}
