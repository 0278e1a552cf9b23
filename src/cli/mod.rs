//! The command-line surface: clap definitions, logging set-up and dispatch to the commands.
//!
//! Every command returns `anyhow::Result<Exit>`; errors are printed once, here, with their
//! context chain, and become exit code 2.

mod check;
mod claims;
mod crawl;
mod demo;
mod diff;
mod flags;
mod flags_ftm;
mod history;
mod review;
mod show;
mod targets;
mod verify;

use std::collections::HashMap;
use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};

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
    /// More log output on stderr (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// One polite crawl of every target (or those named): capture, diff, flag.
    Crawl {
        /// Crawl only this target (repeatable).
        #[arg(long = "only", value_name = "ID")]
        only: Vec<String>,
    },
    /// The flags, for people, or for tools with --format.
    Flags(flags::FlagsArgs),
    /// The claim inventory, with first and last seen.
    Claims {
        /// Only this target.
        target: Option<String>,
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
    /// Validates targets.toml and prints the plan.
    Check,
    /// Builds the watch-list from sanctions and screening lists.
    Targets {
        #[command(subcommand)]
        command: targets::TargetsCommand,
    },
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

    fn open_store(&self) -> Result<Store> {
        Store::open(&self.store).map_err(anyhow::Error::new)
    }
}

/// Parses the command line, runs the command and returns the exit code.
pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let result = match &cli.command {
        Command::Crawl { only } => crawl::run(&cli, only),
        Command::Flags(args) => flags::run(&cli, args),
        Command::Claims { target, all } => claims::run(&cli, target.as_deref(), *all),
        Command::Diff { what, from, to } => diff::run(&cli, what, *from, *to),
        Command::History { what } => history::run(&cli, what),
        Command::Show { capture } => show::run(&cli, *capture),
        Command::Review { id, status, note } => review::run(&cli, id, *status, note.as_deref()),
        Command::Check => check::run(&cli),
        Command::Targets { command } => targets::run(&cli, command),
        Command::Verify => verify::run(&cli),
        Command::Demo => demo::run(),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(err) if is_broken_pipe(&err) => Exit::Ok.into(),
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

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CLAIMWATCH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("claimwatch={default}")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}
