//! The log on stderr: what each verbosity shows, and a writer that can never fail or panic.
//!
//! tracing's own stderr writer reports a failed write with `eprintln!`, which panics when stderr
//! is closed; a panic inside sled's logging left its log buffer unsealed and the final flush
//! waiting for it for ever. Here a failed write is swallowed, and it stops the run: a cron job
//! whose log cannot be written (a closed pipe, a full disk) should not go on crawling unseen.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use super::shutdown::{self, StopReason};

/// The filter of each `-v` count: claimwatch's own lines only. What other crates log is about
/// their internals (sled repeats a full disk a dozen times, html5ever warns of every misnested
/// table); what matters of it reaches the log through claimwatch's own errors. `-vvv` shows every
/// crate's debug output.
fn default_filter(verbose: u8) -> &'static str {
    match verbose {
        0 => "claimwatch=warn",
        1 => "claimwatch=info",
        2 => "claimwatch=debug",
        _ => "claimwatch=trace,debug",
    }
}

/// Sends log lines to stderr: `-v` info, `-vv` debug; `CLAIMWATCH_LOG` (a tracing filter)
/// overrides the verbosity.
pub fn init(verbose: u8) {
    let filter = EnvFilter::try_from_env("CLAIMWATCH_LOG")
        .unwrap_or_else(|_| EnvFilter::new(default_filter(verbose)));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(StderrLog)
        .log_internal_errors(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}

/// Set once a write to stderr failed: later lines are dropped without trying.
static STDERR_FAILED: AtomicBool = AtomicBool::new(false);

/// Writes log lines to stderr; never returns an error.
struct StderrLog;

impl<'a> MakeWriter<'a> for StderrLog {
    type Writer = StderrLog;

    fn make_writer(&'a self) -> StderrLog {
        StderrLog
    }
}

impl Write for StderrLog {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        if !STDERR_FAILED.load(Ordering::Relaxed)
            && let Err(error) = io::stderr().lock().write_all(line)
            && !STDERR_FAILED.swap(true, Ordering::Relaxed)
        {
            shutdown::request(StopReason::OutputFailed {
                stream: "stderr",
                error: error.to_string(),
            });
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_verbosity_is_a_valid_filter_and_only_the_last_shows_other_crates() {
        for verbose in 0..=3 {
            let filter = default_filter(verbose);
            EnvFilter::try_new(filter).expect("a valid filter");
            assert_eq!(filter.contains(','), verbose == 3, "{filter}");
        }
    }
}
