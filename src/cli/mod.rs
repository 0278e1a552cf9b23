//! The command-line surface: clap definitions and dispatch to the commands, one file each.
//! Beside them: `logging` (the log on stderr), `shutdown` (signals, and how a stopped run ends),
//! `summary` (what `crawl` prints), `target_ids` (refusing ids that name no target).
//!
//! Every command returns `anyhow::Result<Exit>`; errors are printed once, here, with their
//! context chain, and become exit code 2.

mod case_view;
mod check;
mod claims;
mod crawl;
mod demo;
mod diff;
mod flags;
mod history;
mod logging;
mod report;
mod review;
mod serve;
mod show;
mod shutdown;
mod summary;
mod target_ids;
mod verify;

use std::collections::HashMap;
use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::Result;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use claimwatch::config::Config;
use claimwatch::exit::Exit;
use claimwatch::store::Store;

/// Watches company websites for the claims they quietly take down.
#[derive(Debug, Parser)]
#[command(name = "claimwatch", version, about, long_about = None)]
pub struct Cli {
    /// The watch-list.
    #[arg(
        long,
        global = true,
        env = "CLAIMWATCH_TARGETS",
        default_value = "targets.toml"
    )]
    pub targets: PathBuf,
    /// The store directory.
    #[arg(long, global = true, env = "CLAIMWATCH_STORE", default_value = "store")]
    pub store: PathBuf,
    /// Resolve HOST to ADDR instead of asking DNS (like curl's --resolve); repeatable. The
    /// address guard still applies to ADDR.
    #[arg(long, global = true, value_name = "HOST=ADDR", value_parser = parse_resolve)]
    pub resolve: Vec<(String, IpAddr)>,
    /// More log output on stderr: -v each page fetched, -vv claimwatch's decisions (frontier,
    /// robots.txt, politeness, detection), -vvv every library's debug output.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// One polite crawl of every target (or those named): capture, diff, flag.
    Crawl {
        /// Crawl only this target (repeatable). `--only` is the older spelling.
        #[arg(long = "target", alias = "only", value_name = "ID")]
        only: Vec<String>,
    },
    /// The flags, for people, or for tools with --format.
    Flags(flags::FlagsArgs),
    /// The claim inventory, with first and last seen.
    Claims {
        /// Only this target (the positional form of --target).
        #[arg(value_name = "TARGET")]
        positional: Option<String>,
        /// Only this target (repeatable).
        #[arg(long = "target", value_name = "ID")]
        target_ids: Vec<String>,
        /// Include claims no longer on their page.
        #[arg(long)]
        all: bool,
    },
    /// What changed in the visible text between two captures, claims highlighted.
    Diff {
        /// A target id or a URL.
        what: String,
        /// The older capture (default: the one before the latest good one).
        #[arg(long, value_name = "CAPTURE")]
        from: Option<u64>,
        /// The newer capture (default: the latest good one).
        #[arg(long, value_name = "CAPTURE")]
        to: Option<u64>,
    },
    /// Captures of a target or a URL, with status, size and digest.
    History {
        /// A target id or a URL.
        what: String,
    },
    /// One capture: its record (encoding and where it came from, headers, address, digest) and
    /// its extracted text, block by block.
    Show {
        /// The capture id (from `history`, `diff` or a flag).
        capture: u64,
    },
    /// Records an investigator's decision on a flag, or on every flag of a case.
    Review {
        /// A flag id, or a case id.
        id: String,
        /// confirmed, dismissed, needs_translation or unreviewed.
        #[arg(long)]
        status: claimwatch::flags::ReviewStatus,
        /// Why, in the reviewer's words.
        #[arg(long)]
        note: Option<String>,
    },
    /// The review desk: a web UI over the cases, and a JSON API (loopback unless --token).
    Serve {
        /// Where to listen; an address other than loopback needs --token.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// A secret every request must carry (Authorization: Bearer, or the cookie that
        /// opening /?token=… once sets).
        #[arg(long, env = "CLAIMWATCH_TOKEN", hide_env_values = true)]
        token: Option<String>,
    },
    /// One self-contained HTML report of the cases, their diffs and capture digests.
    Report {
        /// The file to write.
        #[arg(long, value_name = "FILE.html")]
        out: PathBuf,
        /// Only flags detected at or after TIME: RFC 3339, a date (2026-11-01), or an age (7d).
        #[arg(long, value_name = "TIME", value_parser = parse_time_now)]
        since: Option<chrono::DateTime<chrono::Utc>>,
        /// Only flags of this target (repeatable).
        #[arg(long = "target", value_name = "ID")]
        target_ids: Vec<String>,
    },
    /// Validates targets.toml and prints the plan.
    Check,
    /// Re-hashes every stored body; reports anything that does not match.
    Verify,
    /// Offline: serves built-in sites on loopback, crawls them, shows what was stored.
    Demo,
}

fn parse_resolve(text: &str) -> Result<(String, IpAddr), String> {
    let (host, addr) = text
        .split_once('=')
        .ok_or_else(|| format!("expected HOST=ADDR, got {text:?}"))?;
    let addr = addr
        .trim_matches(['[', ']'])
        .parse()
        .map_err(|e| format!("bad address {addr:?}: {e}"))?;
    Ok((host.trim().to_ascii_lowercase(), addr))
}

fn parse_time_now(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    claimwatch::flags::filter::parse_time(text, chrono::Utc::now())
}

impl Cli {
    fn resolve_map(&self) -> HashMap<String, Vec<IpAddr>> {
        let mut map: HashMap<String, Vec<IpAddr>> = HashMap::new();
        for (host, addr) in &self.resolve {
            map.entry(host.clone()).or_default().push(*addr);
        }
        map
    }

    fn load_config(&self) -> Result<Config> {
        Config::load(&self.targets).map_err(anyhow::Error::new)
    }

    /// The store, created if missing: for `crawl`, the one command that fills a store.
    fn create_store(&self) -> Result<Store> {
        Store::open(&self.store).map_err(anyhow::Error::new)
    }

    /// The store, which must exist: for every command that reads one.
    fn existing_store(&self) -> Result<Store> {
        Store::open_existing(&self.store).map_err(anyhow::Error::new)
    }
}

/// Parses the command line, runs the command and returns the exit code.
pub fn main() -> std::process::ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    logging::init(cli.verbose);
    if matches!(cli.command, Command::Crawl { .. }) {
        if let Err(e) = shutdown::listen_for_signals() {
            tracing::warn!("cannot listen for SIGTERM and SIGINT: {e}");
        }
        if let Err(e) = shutdown::watch_outputs() {
            tracing::warn!("cannot watch stdout and stderr: {e}");
        }
    }
    let result = match &cli.command {
        Command::Crawl { only } => crawl::run(&cli, only),
        Command::Flags(args) => flags::run(&cli, args),
        Command::Claims {
            positional,
            target_ids,
            all,
        } => {
            let ids: Vec<String> = positional.iter().chain(target_ids).cloned().collect();
            claims::run(&cli, &ids, *all)
        }
        Command::Diff { what, from, to } => diff::run(&cli, what, *from, *to),
        Command::History { what } => history::run(&cli, what),
        Command::Show { capture } => show::run(&cli, *capture),
        Command::Review { id, status, note } => review::run(&cli, id, *status, note.as_deref()),
        Command::Serve { addr, token } => serve::run(&cli, *addr, token.as_deref()),
        Command::Report {
            out,
            since,
            target_ids,
        } => report::run(&cli, out, *since, target_ids),
        Command::Check => check::run(&cli),
        Command::Verify => verify::run(&cli),
        Command::Demo => demo::refuse_store_options(&matches).and_then(|()| demo::run()),
    };
    match result {
        Ok(exit) => exit.into(),
        // A crawl that could not print its summary failed (it says so itself).
        Err(err) if !matches!(cli.command, Command::Crawl { .. }) && is_broken_pipe(&err) => {
            Exit::Ok.into()
        }
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "error: {err:#}");
            Exit::Failed.into()
        }
    }
}

/// `claimwatch history x | head` closing the pipe is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
