//! The asker's side: when a process holds the store and answers on its socket, hand it the
//! command and pass on what it writes, to this process's stdout and stderr, until its exit code
//! comes back. A stop of this process (a signal, an output without a reader) is passed on too.

use std::io::Write;
use std::path::Path;

use tokio::io::AsyncWriteExt;
use tokio::net::UnixStream;
use tokio::net::unix::OwnedWriteHalf;
use tokio::sync::mpsc;

use super::wire::{self, Frame, Message, Request};
use super::{CONNECT, HANDSHAKE};
use crate::cli::Cli;
use crate::cli::session::Session;
use crate::cli::shutdown::StopReason;
use claimwatch::exit::Exit;
use claimwatch::store::{Holder, SOCKET_FILE};

/// What asking came to.
pub enum Asked {
    /// The holder carried out the command (or refused it, which was said): its exit code.
    Done(Exit),
    /// Nobody answers on the socket: no holder, a dead one's socket, or one that is stopping.
    NoHolder,
}

/// Asks the process holding `cli.store`, if one answers, to carry out `cli`.
pub fn ask(cli: &Cli, s: &mut Session) -> Asked {
    let socket = s.path(&cli.store).join(SOCKET_FILE);
    if std::fs::symlink_metadata(&socket).is_err() {
        return Asked::NoHolder;
    }
    let request = match request(cli, s) {
        Ok(request) => request,
        Err(error) => return failed(s, &format!("cannot ask the store's holder: {error}")),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return failed(s, &format!("cannot start the async runtime: {error}")),
    };
    runtime.block_on(converse(&socket, request, s))
}

/// The request for `cli`, with this process's surroundings.
fn request(cli: &Cli, s: &Session) -> anyhow::Result<Request> {
    Ok(Request {
        protocol: wire::PROTOCOL,
        version: env!("CARGO_PKG_VERSION").to_string(),
        asker: Holder::current(),
        cwd: std::env::current_dir()?,
        log: std::env::var("CLAIMWATCH_LOG").ok(),
        no_color: std::env::var_os("NO_COLOR").is_some(),
        stdout_terminal: s.out.is_terminal(),
        stderr_terminal: s.err.is_terminal(),
        command: serde_json::to_value(cli)?,
    })
}

async fn converse(socket: &Path, request: Request, s: &mut Session) -> Asked {
    let silent = || {
        format!(
            "the claimwatch process holding the store at {} does not answer on {} (waited {} s); \
             if it is stopped or stuck, end it",
            socket.parent().unwrap_or(socket).display(),
            socket.display(),
            HANDSHAKE.as_secs()
        )
    };
    let stream = match tokio::time::timeout(CONNECT, UnixStream::connect(socket)).await {
        Ok(Ok(stream)) => stream,
        // Refused (a dead holder's socket), gone meanwhile, or not ours to use.
        Ok(Err(_)) => return Asked::NoHolder,
        Err(_) => return failed(s, &silent()),
    };
    let (mut reader, mut writer) = stream.into_split();
    let frame = wire::message(&Message::Request(Box::new(request)));
    match tokio::time::timeout(HANDSHAKE, writer.write_all(&frame)).await {
        Ok(Ok(())) => {}
        // Closed under us: the holder is letting go of the store.
        Ok(Err(_)) => return Asked::NoHolder,
        Err(_) => return failed(s, &silent()),
    }
    match tokio::time::timeout(HANDSHAKE, wire::read(&mut reader)).await {
        Err(_) => failed(s, &silent()),
        Ok(Ok(Some(Frame::Message(Message::Accepted)))) => {
            let (frames, received) = mpsc::channel(16);
            tokio::spawn(async move {
                loop {
                    let frame = wire::read(&mut reader).await;
                    let last = !matches!(frame, Ok(Some(_)));
                    if frames.send(frame).await.is_err() || last {
                        return;
                    }
                }
            });
            relay(received, writer, s).await
        }
        Ok(Ok(Some(Frame::Message(Message::Refused { message })))) => failed(s, &message),
        // Closed without an answer: the holder is letting go of the store.
        Ok(Ok(None)) | Ok(Err(_)) => Asked::NoHolder,
        Ok(Ok(Some(other))) => failed(
            s,
            &format!("the store's holder answered out of turn: {other:?}"),
        ),
    }
}

/// Passes the command's output on until its exit code comes; passes a stop of this process to
/// the holder.
async fn relay(
    mut frames: mpsc::Receiver<std::io::Result<Option<Frame>>>,
    mut writer: OwnedWriteHalf,
    s: &mut Session,
) -> Asked {
    let stopped = s.stop.token();
    let mut told = false;
    // Streams of this process that could not be written: the holder was told; the rest of
    // what it sends for them is dropped.
    let mut lost = Vec::new();
    loop {
        let frame = tokio::select! {
            frame = frames.recv() => frame,
            () = stopped.cancelled(), if !told => {
                told = true;
                if let Some(reason) = s.stop.reason() {
                    cancel(&mut writer, reason).await;
                }
                continue;
            }
        };
        let (stream, bytes) = match frame {
            Some(Ok(Some(Frame::Stdout(bytes)))) => (wire::Stream::Stdout, bytes),
            Some(Ok(Some(Frame::Stderr(bytes)))) => (wire::Stream::Stderr, bytes),
            Some(Ok(Some(Frame::Message(Message::Exit { code })))) => {
                return Asked::Done(exit_of(code));
            }
            _ => {
                return failed(
                    s,
                    "the claimwatch process holding the store ended before the command finished",
                );
            }
        };
        if lost.contains(&stream) {
            continue;
        }
        let output = match stream {
            wire::Stream::Stdout => &mut s.out,
            wire::Stream::Stderr => &mut s.err,
        };
        if let Err(error) = output.write_all(&bytes).and_then(|()| output.flush()) {
            // As a command run here would find its output gone: the holder's command finds
            // this stream failing from now on.
            lost.push(stream);
            let reason = StopReason::OutputFailed {
                stream: stream.name().to_string(),
                error: error.to_string(),
            };
            cancel(&mut writer, reason).await;
        }
    }
}

async fn cancel(writer: &mut OwnedWriteHalf, reason: StopReason) {
    let frame = wire::message(&Message::Cancel { reason });
    let _ = tokio::time::timeout(HANDSHAKE, writer.write_all(&frame)).await;
}

fn exit_of(code: u8) -> Exit {
    match code {
        0 => Exit::Ok,
        1 => Exit::NewFlags,
        _ => Exit::Failed,
    }
}

/// Says why on stderr, as a command's error is said: asking ended in exit 2.
fn failed(s: &mut Session, message: &str) -> Asked {
    let _ = writeln!(s.err, "error: {message}");
    Asked::Done(Exit::Failed)
}
