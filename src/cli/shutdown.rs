//! How a run is stopped, and the promise that a stopped run ends within seconds.
//!
//! A run stops when it is told to (SIGTERM, Ctrl-C) or when it can no longer say what it does
//! (stdout or stderr closed or full). Either way the run's token is cancelled: the crawl takes no
//! new page, the store is flushed, and the process exits 2. A stopped run that has not ended
//! after [`GRACE`] (a flush stuck on a failing disk, a write blocked on a pipe nobody reads) is
//! ended anyway with exit 2; the kernel releases the store's lock with the process, and the store
//! recovers on its next open as it does after a crash. A second signal ends the process at once.
//!
//! Signals are heard on a thread of their own, so that they are answered whatever the run's
//! runtime is doing, and after it has shut down; another watches stdout and stderr for their
//! reader going away.
//!
//! A crawl carried out by the process holding the store for another (see `super::share`) has a
//! [`Stop`] of its own inside the holder's: it stops when the holder does, or when the process
//! that asked for it is stopped or goes away, and never ends the holder's process.

use std::io;
use std::sync::{Arc, LazyLock, OnceLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use claimwatch::exit::Exit;

/// How long a stopped run has to flush the store and exit before the process ends anyway.
pub const GRACE: Duration = Duration::from_secs(10);

/// Why a run was stopped. Serialisable: a command carried out by the process holding the store
/// is stopped for the reasons of the process that asked for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StopReason {
    /// SIGTERM or SIGINT.
    Signal(String),
    /// Writing to stdout or stderr failed.
    OutputFailed { stream: String, error: String },
}

impl StopReason {
    /// For the summary: "interrupted by SIGTERM", "stderr could not be written (Broken pipe …)".
    pub fn describe(&self) -> String {
        match self {
            StopReason::Signal(name) => format!("interrupted by {name}"),
            StopReason::OutputFailed { stream, error } => {
                format!("stopped: {stream} could not be written ({error})")
            }
        }
    }

    /// The reader of `stream` went away.
    pub fn reader_gone(stream: &str) -> StopReason {
        StopReason::OutputFailed {
            stream: stream.to_string(),
            error: "its reader is gone".into(),
        }
    }
}

/// How one command is stopped: the process's own (signals, its outputs), or that of a command
/// carried out for another process, which stops with its holder and when its asker says so.
pub struct Stop {
    token: CancellationToken,
    reason: OnceLock<StopReason>,
    /// A stop of the parent is a stop of this one, for its reason.
    parent: Option<Arc<Stop>>,
    /// The process's own stop ends the process after [`GRACE`]; a command carried out for
    /// another process must not end the process that carries it out.
    ends_process: bool,
}

static PROCESS: LazyLock<Arc<Stop>> = LazyLock::new(|| {
    Arc::new(Stop {
        token: CancellationToken::new(),
        reason: OnceLock::new(),
        parent: None,
        ends_process: true,
    })
});

impl Stop {
    /// This process's stop: signals and lost outputs request it.
    pub fn process() -> Arc<Stop> {
        PROCESS.clone()
    }

    /// A stop of its own for a command carried out inside `parent`'s.
    pub fn within(parent: &Arc<Stop>) -> Arc<Stop> {
        Arc::new(Stop {
            token: parent.token.child_token(),
            reason: OnceLock::new(),
            parent: Some(parent.clone()),
            ends_process: false,
        })
    }

    /// The token a run watches: cancelled when the run must stop.
    pub fn token(&self) -> CancellationToken {
        self.token.clone()
    }

    /// Why the run was stopped, if it was.
    pub fn reason(&self) -> Option<StopReason> {
        self.reason
            .get()
            .cloned()
            .or_else(|| self.parent.as_ref().and_then(|p| p.reason()))
    }

    /// Why this command itself was stopped, leaving aside its parent's reasons: a desk whose own
    /// stderr failed has not lost the stderr of a command it carries out for another process.
    pub fn own_reason(&self) -> Option<&StopReason> {
        self.reason.get()
    }

    /// Stops the run: the first reason given is the one reported. The process's own stop gives
    /// the process [`GRACE`] to end. Cheap and safe to call from anywhere, a log writer
    /// included.
    pub fn request(&self, reason: StopReason) {
        if self.reason.set(reason).is_ok() {
            self.token.cancel();
            if self.ends_process {
                end_after_grace();
            }
        }
    }
}

/// From now on the process has [`GRACE`] to end.
fn end_after_grace() {
    let watchdog = std::thread::Builder::new()
        .name("shutdown deadline".into())
        .spawn(|| {
            std::thread::sleep(GRACE);
            exit_now();
        });
    if watchdog.is_err() {
        // No thread for the deadline: end now rather than risk never ending.
        exit_now();
    }
}

/// Ends the process with exit 2 without waiting for anything. Nothing is written: stdout or
/// stderr may be what is stuck.
fn exit_now() -> ! {
    std::process::exit(Exit::Failed as i32)
}

/// Stops the run as soon as the reader of stdout or stderr is gone (a pipe's reader closed, a
/// terminal hung up), rather than when the summary or the next log line fails to be written,
/// which may be hours of unseen crawling later. Outputs that cannot go away under the process
/// (files, /dev/null) cannot be watched and need not be: a failed write still stops the run.
pub fn watch_outputs() -> io::Result<()> {
    use std::os::fd::AsRawFd;

    use mio::unix::SourceFd;
    use mio::{Events, Interest, Poll, Token};

    const STREAMS: [&str; 2] = ["stdout", "stderr"];
    let mut poll = Poll::new()?;
    let fds = [io::stdout().as_raw_fd(), io::stderr().as_raw_fd()];
    let mut watched = 0;
    for (token, fd) in fds.iter().enumerate() {
        // Refused for files and /dev/null, which epoll cannot watch.
        if poll
            .registry()
            .register(&mut SourceFd(fd), Token(token), Interest::WRITABLE)
            .is_ok()
        {
            watched += 1;
        }
    }
    if watched == 0 {
        return Ok(());
    }
    std::thread::Builder::new()
        .name("output watch".into())
        .spawn(move || {
            let mut events = Events::with_capacity(4);
            loop {
                match poll.poll(&mut events, None) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(_) => return,
                }
                if let Some(gone) = events.iter().find(|e| e.is_error() || e.is_write_closed()) {
                    Stop::process().request(StopReason::reader_gone(STREAMS[gone.token().0]));
                    return;
                }
            }
        })?;
    Ok(())
}

/// Starts answering SIGTERM and SIGINT: the first stops the run, a second (or one after the run
/// was stopped for another reason) ends the process.
/// Returns once the handlers are in place, so no signal after it is missed.
pub fn listen_for_signals() -> io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    let (mut term, mut int) = {
        let _context = runtime.enter();
        (
            signal(SignalKind::terminate())?,
            signal(SignalKind::interrupt())?,
        )
    };
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            runtime.block_on(async move {
                loop {
                    let name = tokio::select! {
                        Some(()) = term.recv() => "SIGTERM",
                        Some(()) = int.recv() => "SIGINT",
                        else => return,
                    };
                    let stop = Stop::process();
                    if stop.reason().is_some() {
                        // Already stopping, and asked again: the user does not want to wait.
                        exit_now();
                    }
                    stop.request(StopReason::Signal(name.to_string()));
                    tracing::warn!("{name}: interrupted; stopping, and the store is flushed");
                }
            });
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A holder's stop that, unlike the process's, does not end the test process.
    fn holder() -> Arc<Stop> {
        Arc::new(Stop {
            token: CancellationToken::new(),
            reason: OnceLock::new(),
            parent: None,
            ends_process: false,
        })
    }

    #[test]
    fn a_command_stops_alone_and_with_its_holder_and_keeps_its_first_reason() {
        let holder = holder();
        let asked = Stop::within(&holder);
        asked.request(StopReason::reader_gone("stdout"));
        assert!(asked.token().is_cancelled());
        assert!(!holder.token().is_cancelled(), "the holder goes on");
        assert_eq!(holder.reason(), None);

        let other = Stop::within(&holder);
        holder.request(StopReason::Signal("SIGTERM".into()));
        assert!(other.token().is_cancelled());
        assert_eq!(other.reason(), Some(StopReason::Signal("SIGTERM".into())));
        assert_eq!(
            other.own_reason(),
            None,
            "the holder's reason is not its own"
        );
        assert_eq!(asked.reason(), Some(StopReason::reader_gone("stdout")));
    }
}
