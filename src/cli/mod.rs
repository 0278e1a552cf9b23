//! The command-line surface: clap definitions and dispatch to the commands, one file each.
//! Beside them: `session` (what a command runs with: its outputs, paths, stop and store),
//! `share` (the process holding the store answers the others over a Unix socket), `logging`
//! (the log on stderr, or on the stderr of the process a command is carried out for),
//! `shutdown` (signals, and how a stopped run ends), `summary` (what `crawl` prints),
//! `case_view` (cases as `flags` prints them), `target_ids` (refusing ids that name no target).
//!
//! Every command returns `anyhow::Result<Exit>` and writes only through its [`Session`]; errors
//! are printed once, by [`finish`], with their context chain, and become exit code 2. A command
//! that needs the store runs here, or, while another process holds the store, is carried out by
//! that process with the same output and exit code ([`share::run_or_forward`]).

mod case_view;
mod check;
mod claims;
mod crawl;
mod demo;
mod diff;
mod export;
mod flags;
mod flags_ftm;
mod history;
mod logging;
mod report;
mod review;
mod serve;
mod session;
mod share;
mod show;
mod shutdown;
mod summary;
mod target_ids;
mod targets;
mod verify;

use std::collections::HashMap;
use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::Result;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use serde::{Deserialize, Serialize};

use claimwatch::exit::Exit;
use session::Session;

/// Watches company websites for the claims they quietly take down.
///
/// Serialisable: a command another process carries out travels to it as parsed here, with this
/// process's environment already applied.
#[derive(Debug, Parser, Serialize, Deserialize)]
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

#[derive(Debug, Subcommand, Serialize, Deserialize)]
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
    /// Evidence out of the store: WARC files, or the bundle of one case.
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// Validates targets.toml and prints the plan.
    Check,
    /// Builds the watch-list from sanctions and screening lists.
    Targets {
        #[command(subcommand)]
        command: targets::TargetsCommand,
    },
    /// Checks the whole store: re-hashes every body and document, follows every reference,
    /// and checks every capture and flag against the custody log. Exits 2 on any problem.
    Verify {
        /// A custody head recorded earlier (from a crawl's summary): it must still be an entry
        /// of the log, or the chain was rewritten since.
        #[arg(long, value_name = "HASH")]
        head: Option<String>,
    },
    /// Offline: serves built-in sites on loopback, crawls them, shows what was stored.
    Demo,
}

impl Command {
    /// Does the command use the store (and so may have to ask the process holding it)?
    fn uses_store(&self) -> bool {
        !matches!(
            self,
            Command::Check | Command::Demo | Command::Targets { .. }
        )
    }
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
}

/// Parses the command line, runs the command and returns the exit code.
pub fn main() -> std::process::ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // A crawl or a desk may carry out commands for other processes, whose log lines it routes
    // back to them.
    let may_hold = matches!(cli.command, Command::Crawl { .. } | Command::Serve { .. });
    logging::init(cli.verbose, may_hold);
    if may_hold && let Err(e) = shutdown::listen_for_signals() {
        tracing::warn!("cannot listen for SIGTERM and SIGINT: {e}");
    }
    if matches!(cli.command, Command::Crawl { .. })
        && let Err(e) = shutdown::watch_outputs()
    {
        tracing::warn!("cannot watch stdout and stderr: {e}");
    }
    let mut session = Session::process();
    let exit = if matches!(cli.command, Command::Demo) {
        let result = demo::refuse_store_options(&matches).and_then(|()| run(&cli, &mut session));
        finish(&cli, &mut session, result)
    } else if cli.command.uses_store() {
        share::run_or_forward(&cli, &mut session)
    } else {
        execute(&cli, &mut session)
    };
    exit.into()
}

/// Runs the command in `s` to its exit code, its error printed.
pub fn execute(cli: &Cli, s: &mut Session) -> Exit {
    let result = run(cli, s);
    finish(cli, s, result)
}

/// Runs the command; its error is the caller's to print.
fn run(cli: &Cli, s: &mut Session) -> Result<Exit> {
    match &cli.command {
        Command::Crawl { only } => crawl::run(cli, s, only),
        Command::Flags(args) => flags::run(cli, s, args),
        Command::Claims {
            positional,
            target_ids,
            all,
        } => {
            let ids: Vec<String> = positional.iter().chain(target_ids).cloned().collect();
            claims::run(cli, s, &ids, *all)
        }
        Command::Diff { what, from, to } => diff::run(cli, s, what, *from, *to),
        Command::History { what } => history::run(cli, s, what),
        Command::Show { capture } => show::run(cli, s, *capture),
        Command::Review { id, status, note } => review::run(cli, s, id, *status, note.as_deref()),
        Command::Serve { addr, token } => serve::run(cli, s, *addr, token.as_deref()),
        Command::Report {
            out,
            since,
            target_ids,
        } => report::run(cli, s, out, *since, target_ids),
        Command::Export(command) => export::run(cli, s, command),
        Command::Check => check::run(cli, s),
        Command::Targets { command } => targets::run(cli, s, command),
        Command::Verify { head } => verify::run(cli, s, head.as_deref()),
        Command::Demo => demo::run(s),
    }
}

/// The exit code of a command's result; an error is printed on the command's stderr.
fn finish(cli: &Cli, s: &mut Session, result: Result<Exit>) -> Exit {
    match result {
        Ok(exit) => exit,
        // A crawl that could not print its summary failed (it says so itself).
        Err(err) if !matches!(cli.command, Command::Crawl { .. }) && is_broken_pipe(&err) => {
            Exit::Ok
        }
        Err(err) => {
            let _ = writeln!(s.err, "error: {err:#}");
            Exit::Failed
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
