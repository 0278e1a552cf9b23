//! `claimwatch serve [--addr 127.0.0.1:8080] [--token T]`: the review desk, until Ctrl-C or
//! SIGTERM.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};

use super::Cli;
use claimwatch::exit::Exit;
use claimwatch::serve::{Desk, ServeOptions, serve};

pub fn run(cli: &Cli, addr: SocketAddr, token: Option<&str>) -> Result<Exit> {
    let config = cli.load_config()?;
    let store = Arc::new(cli.existing_store()?);
    let desk = Desk::new(store, config)?;
    let options = ServeOptions {
        token: token.map(str::to_string),
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let bound = listener.local_addr()?;
        let shown = match bound {
            SocketAddr::V6(v6) => format!("[{}]:{}", v6.ip(), v6.port()),
            SocketAddr::V4(v4) => v4.to_string(),
        };
        let served = serve(listener, desk, options, interrupted());
        // Said once the listener is bound, so a script can wait for this line and then connect.
        println!("review desk at http://{shown}/ (Ctrl-C stops it)");
        std::io::stdout().flush()?;
        served.await?;
        eprintln!("claimwatch: review desk stopped");
        Ok(Exit::Ok)
    })
}

/// Ctrl-C or SIGTERM.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
