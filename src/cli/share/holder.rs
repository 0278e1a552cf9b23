//! The holder's side: while a `crawl` or `serve` holds the store, it listens on the store's
//! socket and carries out the commands of the processes that ask, each on a thread of its own
//! with the store it has open, the asker's output streams and a stop of its own.
//!
//! The socket is bound only once the store's lock is held, so a socket file found there then is
//! a stale one of a holder that died, and is replaced. Only processes of the holder's own user
//! are answered. Dropping the [`Sharing`] stops answering, removes the socket and gives the
//! commands under way a few seconds to end.

use std::io::{self, LineWriter, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixStream as BlockingStream;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::{UnixListener, UnixStream};
use tokio_util::sync::CancellationToken;

use super::wire::{self, Frame, Message, Request, Stream};
use super::{HANDSHAKE, Role};
use crate::cli::logging::{self, JobLog};
use crate::cli::session::{Forwarded, OpenStore, Output, Session};
use crate::cli::shutdown::{Stop, StopReason};
use crate::cli::{Cli, Command, execute};
use claimwatch::store::{Holder, SOCKET_FILE, Store, StoreError};

/// At most this many commands are carried out at once; more are refused.
const MAX_JOBS: usize = 32;

/// How long a write to an asker may block (an asker that stopped reading) before the command
/// carried out for it is stopped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// How long commands under way are given to end once the holder stops answering.
const JOBS_GRACE: Duration = Duration::from_secs(5);

/// The store shared with other processes while this handle lives.
pub struct Sharing {
    socket: PathBuf,
    accepting: CancellationToken,
    thread: Option<JoinHandle<()>>,
    jobs: Arc<Jobs>,
}

/// What every answer needs.
struct Shared {
    store: Arc<Store>,
    role: Role,
    /// The holder's own stop, parent of each command's.
    stop: Arc<Stop>,
    /// The user the holder runs as: the only one it answers.
    uid: u32,
    jobs: Arc<Jobs>,
}

/// The commands under way.
#[derive(Default)]
struct Jobs {
    state: Mutex<JobsState>,
    ended: Condvar,
}

#[derive(Default)]
struct JobsState {
    running: usize,
    /// The asker of the crawl under way, when the desk carries one out.
    crawl: Option<Holder>,
}

impl Jobs {
    fn state(&self) -> std::sync::MutexGuard<'_, JobsState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until no command is under way, for at most `grace`.
    fn wait_idle(&self, grace: Duration) {
        let deadline = Instant::now() + grace;
        let mut state = self.state();
        while state.running > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            state = self
                .ended
                .wait_timeout(state, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// A command counted as under way until dropped (however its thread ends).
struct Ticket {
    jobs: Arc<Jobs>,
    crawl: bool,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut state = self.jobs.state();
        state.running -= 1;
        if self.crawl {
            state.crawl = None;
        }
        self.jobs.ended.notify_all();
    }
}

impl Sharing {
    /// Listens on `<store>/claimwatch.sock`, answering as `role`.
    pub fn start(store: &OpenStore, role: Role, stop: &Arc<Stop>) -> io::Result<Sharing> {
        let socket = store.path().join(SOCKET_FILE);
        // This process holds the store's lock: a socket there is a dead holder's.
        match std::fs::remove_file(&socket) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let listener = std::os::unix::net::UnixListener::bind(&socket)?;
        std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600))?;
        let uid = std::fs::metadata(&socket)?.uid();
        listener.set_nonblocking(true)?;
        let jobs = Arc::new(Jobs::default());
        let shared = Arc::new(Shared {
            store: store.shared(),
            role,
            stop: stop.clone(),
            uid,
            jobs: jobs.clone(),
        });
        let accepting = CancellationToken::new();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let until = accepting.clone();
        let thread = std::thread::Builder::new()
            .name("store sharing".into())
            .spawn(move || runtime.block_on(accept(listener, shared, until)))?;
        Ok(Sharing {
            socket,
            accepting,
            thread: Some(thread),
            jobs,
        })
    }
}

impl Drop for Sharing {
    fn drop(&mut self) {
        self.accepting.cancel();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let _ = std::fs::remove_file(&self.socket);
        self.jobs.wait_idle(JOBS_GRACE);
    }
}

async fn accept(
    listener: std::os::unix::net::UnixListener,
    shared: Arc<Shared>,
    until: CancellationToken,
) {
    let listener = match UnixListener::from_std(listener) {
        Ok(listener) => listener,
        Err(error) => {
            tracing::warn!("cannot answer other claimwatch commands: {error}");
            return;
        }
    };
    loop {
        let stream = tokio::select! {
            () = until.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors, most likely: try again shortly.
                    tracing::debug!("cannot accept a connection on the store's socket: {error}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        tokio::spawn(answer(stream, shared.clone()));
    }
}

/// Reads the request, refuses it or starts the command.
async fn answer(mut stream: UnixStream, shared: Arc<Shared>) {
    let request = match tokio::time::timeout(HANDSHAKE, wire::read(&mut stream)).await {
        Ok(Ok(Some(Frame::Message(Message::Request(request))))) => request,
        // Silent, gone, or not speaking the protocol: nothing to answer.
        _ => return,
    };
    let peer = stream.peer_cred().map(|cred| cred.uid());
    let answer = match peer {
        Ok(uid) if uid == shared.uid => shared.admit(&request),
        _ => Err("the process holding the store runs as another user".to_string()),
    };
    let reply = match &answer {
        Ok(_) => Message::Accepted,
        Err(message) => Message::Refused {
            message: message.clone(),
        },
    };
    let sent = tokio::time::timeout(HANDSHAKE, stream.write_all(&wire::message(&reply))).await;
    let Ok((cli, ticket)) = answer else { return };
    if !matches!(sent, Ok(Ok(()))) {
        return;
    }
    let blocking = stream
        .into_std()
        .and_then(|s| s.set_nonblocking(false).map(|()| s));
    match blocking {
        Ok(stream) => {
            if let Err(error) = start_job(stream, *request, cli, ticket, &shared) {
                tracing::warn!("cannot carry out a command for another process: {error}");
            }
        }
        Err(error) => tracing::warn!("cannot carry out a command for another process: {error}"),
    }
}

impl Shared {
    /// The command to carry out, counted as under way; or why not.
    fn admit(&self, request: &Request) -> Result<(Cli, Ticket), String> {
        let version = env!("CARGO_PKG_VERSION");
        if request.protocol != wire::PROTOCOL || request.version != version {
            return Err(format!(
                "the store is held by claimwatch {version} ({}), which cannot carry out a \
                 command of claimwatch {}; run the same claimwatch as the holder",
                self.store.holder().describe(),
                request.version
            ));
        }
        let cli: Cli = serde_json::from_value(request.command.clone())
            .map_err(|e| format!("the process holding the store cannot read the command: {e}"))?;
        let held_by = |holder: &Holder| {
            StoreError::Held {
                path: cli.store.clone(),
                holder: holder.describe(),
            }
            .to_string()
        };
        let mut state = self.jobs.state();
        let crawl = match (&cli.command, self.role) {
            (Command::Check | Command::Demo, _) => {
                return Err("not a command on the store".to_string());
            }
            (Command::Serve { .. }, _) | (Command::Crawl { .. }, Role::Crawl) => {
                return Err(held_by(self.store.holder()));
            }
            (Command::Crawl { .. }, Role::Desk) => {
                if let Some(running) = &state.crawl {
                    return Err(held_by(running));
                }
                true
            }
            _ => false,
        };
        if state.running >= MAX_JOBS {
            return Err(format!(
                "the process holding the store ({}) is carrying out {MAX_JOBS} commands already; \
                 try again shortly",
                self.store.holder().describe()
            ));
        }
        state.running += 1;
        if crawl {
            state.crawl = Some(request.asker.clone());
        }
        let ticket = Ticket {
            jobs: self.jobs.clone(),
            crawl,
        };
        Ok((cli, ticket))
    }
}

/// Carries out `cli` for the asker at the other end of `stream`: one thread runs it, another
/// listens for the asker stopping or going away.
fn start_job(
    stream: BlockingStream,
    request: Request,
    cli: Cli,
    ticket: Ticket,
    shared: &Shared,
) -> io::Result<()> {
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    let mut listening = stream.try_clone()?;
    let connection = Arc::new(Mutex::new(stream));
    let stop = Stop::within(&shared.stop);
    let out = Output::new(
        LineWriter::new(Remote::new(&connection, Stream::Stdout, &stop)),
        request.stdout_terminal,
    );
    let err = Output::new(
        Remote::new(&connection, Stream::Stderr, &stop),
        request.stderr_terminal,
    );
    let log = Arc::new(JobLog::new(
        request.log.as_deref(),
        cli.verbose,
        err.clone(),
        stop.clone(),
    ));
    let session = Session::forwarded(Forwarded {
        out,
        err,
        stop: stop.clone(),
        cwd: request.cwd,
        no_color: request.no_color,
        store: shared.store.clone(),
    });
    let asker_stop = stop.clone();
    std::thread::Builder::new()
        .name("store job asker".into())
        .spawn(move || listen_to_asker(&mut listening, &asker_stop))?;
    std::thread::Builder::new()
        .name("store job".into())
        .spawn(move || {
            let _wanted = log.wanted();
            logging::enter_job(log);
            let mut session = session;
            let exit = execute(&cli, &mut session);
            let _ = session.out.flush();
            let connection = connection.lock().unwrap_or_else(|e| e.into_inner());
            let _ = (&*connection).write_all(&wire::message(&Message::Exit { code: exit as u8 }));
            // Ends the listener's read; the asker has all it will get.
            let _ = connection.shutdown(std::net::Shutdown::Both);
            drop(ticket);
        })?;
    Ok(())
}

/// Stops the command when the asker says it was stopped, or goes away (its output has no reader
/// then).
fn listen_to_asker(from: &mut BlockingStream, stop: &Stop) {
    loop {
        match wire::read_blocking(from) {
            Ok(Some(Frame::Message(Message::Cancel { reason }))) => stop.request(reason),
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => {
                stop.request(StopReason::reader_gone("stdout"));
                return;
            }
        }
    }
}

/// One of the asker's output streams, as frames on the connection.
struct Remote {
    connection: Arc<Mutex<BlockingStream>>,
    stream: Stream,
    stop: Arc<Stop>,
}

impl Remote {
    fn new(connection: &Arc<Mutex<BlockingStream>>, stream: Stream, stop: &Arc<Stop>) -> Remote {
        Remote {
            connection: connection.clone(),
            stream,
            stop: stop.clone(),
        }
    }
}

impl Write for Remote {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        // The asker's stream has no reader any more (it said so, or went away): writing fails
        // as it would on the asker's own closed pipe.
        if let Some(StopReason::OutputFailed { stream, .. }) = self.stop.own_reason()
            && stream == self.stream.name()
        {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        let connection = self.connection.lock().unwrap_or_else(|e| e.into_inner());
        (&*connection).write_all(&wire::output(self.stream, bytes))?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
