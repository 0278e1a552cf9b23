//! A misbehaving HTTP server for the hostile-server tests: raw TCP on loopback, every byte written
//! by hand, so a test can send what no well-behaved server library would: bodies and headers that
//! never end, resets in the middle of a body, compression bombs, silence after a TLS ClientHello.
//!
//! Each connection carries one request. The server records it (like [`super::Server`]) and
//! answers with the [`Plan`] its route gives for the path: `head`, then `repeat` written `times`
//! times (waiting `pace` before each), then `tail`, then the connection ends as `end` says.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use super::{Hit, HitLog, Served};

/// How a connection ends once its plan is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Close it normally (FIN).
    Close,
    /// Reset it: `SO_LINGER` 0, then drop, so the client reads ECONNRESET.
    Reset,
    /// Keep it open and silent until the client leaves or the server stops.
    Hang,
}

/// What the server writes for one request.
#[derive(Debug, Clone)]
pub struct Plan {
    pub head: Bytes,
    pub repeat: Bytes,
    pub times: u64,
    pub pace: Duration,
    pub tail: Bytes,
    pub end: End,
}

/// `times` for a stream that goes on until the client leaves.
pub const FOREVER: u64 = u64::MAX;

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        404 => "Not Found",
        429 => "Too Many Requests",
        _ => "Whatever",
    }
}

/// A status line and headers, ended by the blank line. `Connection: close` is added: every
/// connection carries one request.
pub fn head(status: u16, headers: &[(&str, &str)]) -> String {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("Connection: close\r\n\r\n");
    head
}

impl Plan {
    /// Writes `head` and ends the connection normally.
    pub fn raw(head: impl Into<Bytes>) -> Plan {
        Plan {
            head: head.into(),
            repeat: Bytes::new(),
            times: 0,
            pace: Duration::ZERO,
            tail: Bytes::new(),
            end: End::Close,
        }
    }

    /// A complete, well-formed response with a Content-Length.
    pub fn reply(status: u16, headers: &[(&str, &str)], body: impl Into<Bytes>) -> Plan {
        let body: Bytes = body.into();
        let mut all = headers.to_vec();
        let length = body.len().to_string();
        all.push(("Content-Length", &length));
        let mut bytes = head(status, &all).into_bytes();
        bytes.extend_from_slice(&body);
        Plan::raw(bytes)
    }

    pub fn bytes(content_type: &str, body: impl Into<Bytes>) -> Plan {
        Plan::reply(200, &[("Content-Type", content_type)], body)
    }

    pub fn html(body: impl Into<String>) -> Plan {
        Plan::bytes("text/html; charset=utf-8", body.into())
    }

    pub fn not_found() -> Plan {
        Plan::reply(404, &[("Content-Type", "text/plain")], "not found")
    }

    pub fn redirect(location: &str) -> Plan {
        Plan::reply(302, &[("Location", location)], Bytes::new())
    }

    /// Reads the request and never answers.
    pub fn silence() -> Plan {
        Plan::raw(Bytes::new()).ending(End::Hang)
    }

    /// After the head, `chunk` is written `times` times, waiting `pace` before each.
    pub fn repeating(mut self, chunk: impl Into<Bytes>, times: u64, pace: Duration) -> Plan {
        self.repeat = chunk.into();
        self.times = times;
        self.pace = pace;
        self
    }

    pub fn ending(mut self, end: End) -> Plan {
        self.end = end;
        self
    }
}

/// Maps a path (with query) to a plan.
pub type Route = Arc<dyn Fn(&str) -> Plan + Send + Sync>;

/// A route from a fixed list of (path, plan); everything else is 404.
pub fn fixed(list: Vec<(&str, Plan)>) -> Route {
    let list: Vec<(String, Plan)> = list.into_iter().map(|(p, r)| (p.to_string(), r)).collect();
    Arc::new(move |path: &str| {
        list.iter()
            .find(|(p, _)| p == path)
            .map(|(_, plan)| plan.clone())
            .unwrap_or_else(Plan::not_found)
    })
}

/// A misbehaving server on loopback; it stops when dropped.
pub struct Hostile {
    pub addr: SocketAddr,
    hits: HitLog,
    connections: Arc<AtomicUsize>,
    stop: CancellationToken,
}

impl Served for Hostile {
    fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    fn log(&self) -> &HitLog {
        &self.hits
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl Hostile {
    /// Serves `route` on `ip`, any port.
    pub async fn start(ip: &str, route: Route) -> Hostile {
        Hostile::listen(ip, Some(route)).await
    }

    /// Serves fixed routes on 127.0.0.1.
    pub async fn fixed(list: Vec<(&str, Plan)>) -> Hostile {
        Hostile::start("127.0.0.1", fixed(list)).await
    }

    /// Accepts connections and never reads or writes a byte: a TLS handshake that stalls after
    /// the ClientHello, a server that accepts and forgets.
    pub async fn tarpit(ip: &str) -> Hostile {
        Hostile::listen(ip, None).await
    }

    async fn listen(ip: &str, route: Option<Route>) -> Hostile {
        let listener = TcpListener::bind((ip, 0))
            .await
            .expect("bind the hostile server");
        let addr = listener.local_addr().expect("hostile server address");
        let hits = HitLog::default();
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = CancellationToken::new();
        let (seen, count, stopped) = (hits.clone(), connections.clone(), stop.clone());
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    _ = stopped.cancelled() => return,
                    accepted = listener.accept() => accepted,
                };
                let Ok((stream, _)) = accepted else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                let (route, seen, stopped) = (route.clone(), seen.clone(), stopped.clone());
                tokio::spawn(async move {
                    tokio::select! {
                        _ = stopped.cancelled() => {}
                        _ = connection(stream, route, seen) => {}
                    }
                });
            }
        });
        Hostile {
            addr,
            hits,
            connections,
            stop,
        }
    }

    pub fn https_url(&self, path: &str) -> String {
        format!("https://{}{}", self.addr, path)
    }

    /// Connections accepted, whether or not a request came on them.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn connection(mut stream: TcpStream, route: Option<Route>, hits: HitLog) {
    let Some(route) = route else {
        // The tarpit: hold the socket until the client gives up (or the server stops).
        let _ = std::future::pending::<()>().await;
        return;
    };
    let Some(request) = read_request_head(&mut stream).await else {
        return;
    };
    let hit = parse_hit(&request);
    let plan = route(&hit.path);
    hits.push(hit);
    if write_plan(&mut stream, &plan).await.is_err() {
        // The client left early, as it should from an endless body.
        return;
    }
    match plan.end {
        End::Close => {
            let _ = stream.shutdown().await;
        }
        End::Reset => {
            let _ = stream.set_zero_linger();
            drop(stream);
        }
        End::Hang => {
            // Drain until the client closes.
            let mut buf = [0u8; 1024];
            while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
        }
    }
}

async fn write_plan(stream: &mut TcpStream, plan: &Plan) -> std::io::Result<()> {
    stream.write_all(&plan.head).await?;
    for _ in 0..plan.times {
        if !plan.pace.is_zero() {
            tokio::time::sleep(plan.pace).await;
        }
        stream.write_all(&plan.repeat).await?;
    }
    stream.write_all(&plan.tail).await?;
    stream.flush().await
}

/// Reads up to the blank line ending the request head (at most 64 KiB).
async fn read_request_head(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > 64 * 1024 {
            return None;
        }
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    Some(head)
}

fn parse_hit(request: &[u8]) -> Hit {
    let text = String::from_utf8_lossy(request);
    let mut lines = text.split("\r\n");
    let path = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .unwrap_or_default()
        .to_string();
    let mut user_agent = String::new();
    for line in lines {
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("user-agent")
        {
            user_agent = value.trim().to_string();
        }
    }
    Hit {
        at: Instant::now(),
        path,
        user_agent,
    }
}

/// A gzip member that inflates to `prefix`, then `fill` `copies` times. Each part is deflated
/// once by a fresh compressor ending in a full flush: its blocks are byte-aligned, not final, and
/// refer to nothing before them, so the fill's blocks can be repeated as they are. A gigabyte of
/// output costs a few milliseconds and about a megabyte; the trailer's CRC is combined, not
/// computed over the whole.
pub fn gzip_bomb(prefix: &[u8], fill: &[u8], copies: u64) -> Vec<u8> {
    fn deflate_flushed(data: &[u8]) -> Vec<u8> {
        let mut compress = flate2::Compress::new(flate2::Compression::best(), false);
        let mut out = Vec::with_capacity(data.len() / 100 + 1024);
        loop {
            let consumed = usize::try_from(compress.total_in()).expect("fits");
            let status = compress
                .compress_vec(&data[consumed..], &mut out, flate2::FlushCompress::Full)
                .expect("deflate");
            let done = usize::try_from(compress.total_in()).expect("fits") == data.len();
            if done && out.len() < out.capacity() {
                break;
            }
            assert_ne!(status, flate2::Status::StreamEnd);
            out.reserve(out.capacity().max(1024));
        }
        out
    }
    let crc_of = |data: &[u8]| {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        crc
    };
    let head_block = deflate_flushed(prefix);
    let fill_block = deflate_flushed(fill);
    let mut crc = crc_of(prefix);
    let fill_crc = crc_of(fill);
    let mut size = prefix.len() as u64;
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend_from_slice(&head_block);
    for _ in 0..copies {
        out.extend_from_slice(&fill_block);
        crc.combine(&fill_crc);
        size += fill.len() as u64;
    }
    // A final, empty block with fixed codes: BFINAL 1, BTYPE 01, end-of-block.
    out.extend_from_slice(&[0x03, 0x00]);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(size as u32).to_le_bytes());
    out
}

/// A brotli stream that decodes to `prefix`, then `fill` repeated `copies` × 16 times: two
/// concatenable streams made once and spliced with the brotli crate's concatenator. A gigabyte
/// (1 MiB fill, 64 copies) is about a kilobyte.
pub fn brotli_bomb(prefix: &[u8], fill: &[u8], copies: u64) -> Vec<u8> {
    fn catable(data: &[u8], reps: usize) -> Vec<u8> {
        let params = brotli::enc::BrotliEncoderParams {
            quality: 5,
            lgwin: 24,
            catable: true,
            appendable: true,
            use_dictionary: false,
            ..Default::default()
        };
        let mut out = Vec::new();
        {
            let mut writer = brotli::CompressorWriter::with_params(&mut out, 1 << 16, &params);
            for _ in 0..reps {
                writer.write_all(data).expect("brotli");
            }
        }
        out
    }
    use brotli::concat::{BroCatli, BroCatliResult};
    let head = catable(prefix, 1);
    let body = catable(fill, 16);
    let mut cat = BroCatli::new_with_window_size(24);
    let mut out = vec![0u8; 1024 + (head.len() + body.len()) * (copies as usize + 1) * 2];
    let mut written = 0;
    let parts = std::iter::once(&head).chain(std::iter::repeat_n(&body, copies as usize));
    for part in parts {
        cat.new_brotli_file();
        let mut read = 0;
        let result = cat.stream(part, &mut read, &mut out, &mut written);
        assert!(
            matches!(result, BroCatliResult::NeedsMoreInput) && read == part.len(),
            "brotli concatenation: {result:?}"
        );
    }
    let result = cat.finish(&mut out, &mut written);
    assert!(
        matches!(result, BroCatliResult::Success),
        "brotli concatenation: {result:?}"
    );
    out.truncate(written);
    out
}
