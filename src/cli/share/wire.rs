//! The wire format between a command and the process holding the store: frames of one kind
//! byte, a big-endian `u32` length and that many bytes. Output travels as raw bytes, in frames of
//! at most [`MAX_CHUNK`]; everything else as one JSON [`Message`].
//!
//! The asker sends a [`Message::Request`]; the holder answers [`Message::Accepted`] or
//! [`Message::Refused`]; once accepted, the holder sends output frames and last a
//! [`Message::Exit`], while the asker may send [`Message::Cancel`] when it is stopped.

use std::io::{self, Read};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::cli::shutdown::StopReason;
use claimwatch::store::Holder;

/// The version of this protocol; a holder refuses a request of another.
pub const PROTOCOL: u32 = 1;

/// The longest frame either side accepts: a request is small, and output comes in chunks.
const MAX_FRAME: usize = 1 << 20;

/// The largest piece of output one frame carries.
pub const MAX_CHUNK: usize = 64 << 10;

const STDOUT: u8 = b'o';
const STDERR: u8 = b'e';
const MESSAGE: u8 = b'm';

/// What the asker sends first: the command as it parsed it, and what of its surroundings the
/// command depends on.
#[derive(Debug, Serialize, Deserialize)]
pub struct Request {
    pub protocol: u32,
    /// The asker's claimwatch version: the command's shape is that version's.
    pub version: String,
    /// Who asks (pid, command line, since), for refusals that name it.
    pub asker: Holder,
    /// The directory relative paths are relative to.
    pub cwd: PathBuf,
    /// The asker's `CLAIMWATCH_LOG`.
    pub log: Option<String>,
    /// The asker's `NO_COLOR` is set.
    pub no_color: bool,
    pub stdout_terminal: bool,
    pub stderr_terminal: bool,
    /// The parsed command line (`Cli`), decoded once the versions are known to agree.
    pub command: serde_json::Value,
}

/// A frame that is not output.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    Request(Box<Request>),
    Accepted,
    /// Not carried out; `message` says why, as an error of the command would.
    Refused {
        message: String,
    },
    /// The command ended with this exit code.
    Exit {
        code: u8,
    },
    /// The asker was stopped: stop the command for this reason.
    Cancel {
        reason: StopReason,
    },
}

/// One frame as read.
#[derive(Debug)]
pub enum Frame {
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    Message(Message),
}

/// Which output stream a chunk belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    /// "stdout" or "stderr", as stop reasons name streams.
    pub fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

/// The frames carrying `bytes` of `stream`, back to back.
pub fn output(stream: Stream, bytes: &[u8]) -> Vec<u8> {
    let kind = match stream {
        Stream::Stdout => STDOUT,
        Stream::Stderr => STDERR,
    };
    let mut framed = Vec::with_capacity(bytes.len() + 5 * bytes.len().div_ceil(MAX_CHUNK));
    for chunk in bytes.chunks(MAX_CHUNK) {
        push_frame(&mut framed, kind, chunk);
    }
    framed
}

/// The frame carrying `message`.
pub fn message(message: &Message) -> Vec<u8> {
    let json = serde_json::to_vec(message).expect("messages are plain data and always serialise");
    let mut framed = Vec::with_capacity(json.len() + 5);
    push_frame(&mut framed, MESSAGE, &json);
    framed
}

fn push_frame(framed: &mut Vec<u8>, kind: u8, payload: &[u8]) {
    let length = u32::try_from(payload.len()).expect("frames are far smaller than 4 GiB");
    framed.push(kind);
    framed.extend_from_slice(&length.to_be_bytes());
    framed.extend_from_slice(payload);
}

/// The kind and length of the frame a 5-byte header starts.
fn header(bytes: [u8; 5]) -> io::Result<(u8, usize)> {
    let length = u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]) as usize;
    if length > MAX_FRAME {
        return Err(invalid(format!("a frame of {length} bytes")));
    }
    Ok((bytes[0], length))
}

fn decode(kind: u8, payload: Vec<u8>) -> io::Result<Frame> {
    match kind {
        STDOUT => Ok(Frame::Stdout(payload)),
        STDERR => Ok(Frame::Stderr(payload)),
        MESSAGE => serde_json::from_slice(&payload)
            .map(Frame::Message)
            .map_err(|e| invalid(format!("a message that does not decode: {e}"))),
        other => Err(invalid(format!("a frame of unknown kind {other}"))),
    }
}

fn invalid(what: String) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("claimwatch protocol: {what}"),
    )
}

/// The next frame, or `None` when the other side closed between frames.
pub fn read_blocking(from: &mut impl Read) -> io::Result<Option<Frame>> {
    let mut head = [0; 5];
    match from.read_exact(&mut head) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let (kind, length) = header(head)?;
    let mut payload = vec![0; length];
    from.read_exact(&mut payload)?;
    decode(kind, payload).map(Some)
}

/// The next frame, or `None` when the other side closed between frames. Not cancel-safe: a
/// frame half read is lost.
pub async fn read(from: &mut (impl AsyncRead + Unpin)) -> io::Result<Option<Frame>> {
    let mut head = [0; 5];
    match from.read_exact(&mut head).await {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let (kind, length) = header(head)?;
    let mut payload = vec![0; length];
    from.read_exact(&mut payload).await?;
    decode(kind, payload).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_big_output_is_cut_into_chunks() {
        let big = vec![b'x'; MAX_CHUNK * 2 + 3];
        let mut bytes = output(Stream::Stdout, &big);
        bytes.extend(output(Stream::Stderr, b"warning\n"));
        bytes.extend(message(&Message::Exit { code: 1 }));
        let mut reader = bytes.as_slice();
        let mut stdout = Vec::new();
        let mut frames = 0;
        while let Some(frame) = read_blocking(&mut reader).expect("well-formed frames") {
            frames += 1;
            match frame {
                Frame::Stdout(chunk) => {
                    assert!(chunk.len() <= MAX_CHUNK);
                    stdout.extend(chunk);
                }
                Frame::Stderr(chunk) => assert_eq!(chunk, b"warning\n"),
                Frame::Message(Message::Exit { code }) => assert_eq!(code, 1),
                Frame::Message(other) => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(stdout, big);
        assert_eq!(frames, 5);
    }

    #[test]
    fn a_frame_too_long_or_of_an_unknown_kind_is_refused_not_allocated() {
        let mut huge: &[u8] = &[MESSAGE, 0xff, 0xff, 0xff, 0xff];
        assert!(read_blocking(&mut huge).is_err());
        let mut unknown: &[u8] = &[b'z', 0, 0, 0, 0];
        assert!(read_blocking(&mut unknown).is_err());
        let mut cut: &[u8] = &[STDOUT, 0, 0, 0, 9, b'a'];
        assert!(read_blocking(&mut cut).is_err(), "a frame cut short");
    }
}
