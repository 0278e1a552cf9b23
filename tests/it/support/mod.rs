//! Shared helpers for the integration tests: loopback HTTP servers that record every request,
//! and a runner for the real `claimwatch` binary.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// One request a test server saw.
#[derive(Debug, Clone)]
pub struct Hit {
    pub at: Instant,
    /// Path and query.
    pub path: String,
    pub user_agent: String,
}

/// The requests a test server saw, shared with the tasks that answer them.
#[derive(Clone, Default)]
pub struct HitLog(Arc<Mutex<Vec<Hit>>>);

impl HitLog {
    pub fn push(&self, hit: Hit) {
        self.0.lock().expect("hits lock").push(hit);
    }
}

/// What every test server offers: its address and the requests it saw.
pub trait Served {
    fn local_addr(&self) -> SocketAddr;
    fn log(&self) -> &HitLog;

    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.local_addr(), path)
    }

    fn hits(&self) -> Vec<Hit> {
        self.log().0.lock().expect("hits lock").clone()
    }

    fn paths(&self) -> Vec<String> {
        self.hits().into_iter().map(|h| h.path).collect()
    }

    fn count(&self, path: &str) -> usize {
        self.hits().iter().filter(|h| h.path == path).count()
    }

    /// Requests for pages: robots.txt and /sitemap.xml left out.
    fn pages_requested(&self) -> Vec<String> {
        self.paths()
            .into_iter()
            .filter(|p| p != "/robots.txt" && p != "/sitemap.xml")
            .collect()
    }
}

/// What a test server answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn html(body: impl Into<String>) -> Reply {
        Reply::bytes("text/html; charset=utf-8", body.into().into_bytes())
    }

    pub fn bytes(content_type: &str, body: Vec<u8>) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), content_type.into())],
            body,
        }
    }

    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn redirect(location: &str) -> Reply {
        Reply {
            status: 302,
            headers: vec![("location".into(), location.into())],
            body: Vec::new(),
        }
    }

    pub fn not_found() -> Reply {
        Reply::status(404)
    }
}

/// Maps a path (with query) to a reply.
pub type Handler = Arc<dyn Fn(&str) -> Reply + Send + Sync>;

struct ServerState {
    handler: Handler,
    hits: HitLog,
}

/// A loopback HTTP server for one test.
pub struct Server {
    pub addr: SocketAddr,
    hits: HitLog,
    stop: CancellationToken,
}

impl Served for Server {
    fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    fn log(&self) -> &HitLog {
        &self.hits
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn answer(State(state): State<Arc<ServerState>>, request: Request) -> Response {
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    state.hits.push(Hit {
        at: Instant::now(),
        path: path.clone(),
        user_agent: header("user-agent"),
    });
    let reply = (state.handler)(&path);
    let mut response = Response::new(Body::from(reply.body));
    *response.status_mut() =
        StatusCode::from_u16(reply.status).expect("test status codes are valid");
    for (name, value) in reply.headers {
        response.headers_mut().insert(
            HeaderName::from_bytes(name.as_bytes()).expect("test header names are valid"),
            HeaderValue::from_str(&value).expect("test header values are valid"),
        );
    }
    response
}

impl Server {
    /// Starts a server on `ip:port` (port 0 for any).
    pub async fn start(ip: &str, port: u16, handler: Handler) -> std::io::Result<Server> {
        let ip: IpAddr = ip.parse().expect("test IPs are valid");
        let listener = TcpListener::bind((ip, port)).await?;
        let addr = listener.local_addr()?;
        let hits = HitLog::default();
        let stop = CancellationToken::new();
        let state = Arc::new(ServerState {
            handler,
            hits: hits.clone(),
        });
        let app = Router::new().fallback(answer).with_state(state);
        let stopped = stop.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move { stopped.cancelled().await })
                .await;
        });
        Ok(Server { addr, hits, stop })
    }

    /// Starts one server per IP, all on the same port (distinct hosts of one "port").
    pub async fn start_many(ips: &[&str], handlers: Vec<Handler>) -> Vec<Server> {
        for _ in 0..20 {
            let first = Server::start(ips[0], 0, handlers[0].clone())
                .await
                .expect("bind the first test server");
            let port = first.addr.port();
            let mut servers = vec![first];
            for (ip, handler) in ips.iter().zip(&handlers).skip(1) {
                match Server::start(ip, port, handler.clone()).await {
                    Ok(server) => servers.push(server),
                    Err(_) => break,
                }
            }
            if servers.len() == ips.len() {
                return servers;
            }
        }
        panic!("could not bind {ips:?} on one port");
    }
}

/// A scratch directory with a targets.toml and a store.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new(targets_toml: &str) -> Workspace {
        let dir = tempfile::tempdir().expect("create a temp dir");
        std::fs::write(dir.path().join("targets.toml"), targets_toml).expect("write targets.toml");
        Workspace { dir }
    }

    pub fn targets(&self) -> PathBuf {
        self.dir.path().join("targets.toml")
    }

    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    pub fn write_targets(&self, toml: &str) {
        std::fs::write(self.targets(), toml).expect("write targets.toml");
    }

    /// The real binary with `args`, this workspace's targets and store, and no log override;
    /// killed when dropped.
    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_claimwatch"));
        command
            .args(args)
            .env("CLAIMWATCH_TARGETS", self.targets())
            .env("CLAIMWATCH_STORE", self.store())
            .env_remove("CLAIMWATCH_LOG")
            .kill_on_drop(true);
        command
    }

    /// `claimwatch crawl` started with its output piped, for tests that signal or kill it.
    pub fn spawn_crawl(&self) -> tokio::process::Child {
        self.command(&["crawl"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start claimwatch crawl")
    }

    /// Runs the real binary with this workspace's targets and store.
    pub async fn run(&self, args: &[&str]) -> Output {
        let mut command = self.command(args);
        tokio::time::timeout(std::time::Duration::from_secs(60), command.output())
            .await
            .expect("claimwatch finished within 60 s")
            .expect("claimwatch ran")
    }

    pub fn open_store(&self) -> claimwatch::store::Store {
        claimwatch::store::Store::open(&self.store()).expect("open the store")
    }
}

/// Asserts that consecutive requests were at least `min` apart; `why` names the rule.
pub fn assert_spaced(hits: &[Hit], min: std::time::Duration, why: &str) {
    for pair in hits.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap >= min,
            "requests {} and {} only {gap:?} apart under {why}",
            pair[0].path,
            pair[1].path
        );
    }
}

/// The summary line of one target in `crawl`'s output (after the time it starts with).
pub fn summary_line(output: &Output, id: &str) -> String {
    stdout(output)
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some(id))
        .unwrap_or_else(|| panic!("no summary line for {id}: {}", stdout(output)))
        .to_string()
}

/// targets.toml crawling at most `max_pages` pages of `server`'s site at 200/s, 2 links deep.
pub fn site_at_200_per_second(server: &Server, max_pages: usize) -> String {
    fast_crawl("")
        + &target(
            "site",
            &server.url("/"),
            &format!("rate = \"200/s\"\nburst = 20\nmax_pages = {max_pages}\nmax_depth = 2"),
        )
}

/// splitmix64: small and seedable, for kill moments and incompressible page contents.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform-ish in `lo..=hi`.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// splitmix64's finaliser: scatters the bits of `z`.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A handler from a fixed list of (path, reply); everything else is 404.
pub fn routes(routes: Vec<(&str, Reply)>) -> Handler {
    let routes: Vec<(String, Reply)> = routes
        .into_iter()
        .map(|(p, r)| (p.to_string(), r))
        .collect();
    Arc::new(move |path: &str| {
        routes
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, r)| r.clone())
            .unwrap_or_else(Reply::not_found)
    })
}

/// A target block for targets.toml.
pub fn target(id: &str, seed: &str, extra: &str) -> String {
    format!("[[target]]\nid = \"{id}\"\nname = \"{id} Co.\"\nseeds = [\"{seed}\"]\n{extra}\n")
}

/// A [crawl] block with fast defaults for tests.
pub fn fast_crawl(extra: &str) -> String {
    format!("[crawl]\nrate = \"100/s\"\nburst = 10\ntimeout = \"5s\"\n{extra}\n")
}

/// A site whose pages change between crawls: each path has one reply per version (the last one
/// is served for later versions). Returns the handler and the version switch.
pub fn versioned(pages: Vec<(&str, Vec<Reply>)>) -> (Handler, Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let version = Arc::new(AtomicUsize::new(0));
    let current = version.clone();
    let pages: Vec<(String, Vec<Reply>)> =
        pages.into_iter().map(|(p, r)| (p.to_string(), r)).collect();
    let handler: Handler = Arc::new(move |path: &str| {
        let v = current.load(Ordering::SeqCst);
        pages
            .iter()
            .find(|(p, _)| p == path)
            .and_then(|(_, replies)| replies.get(v.min(replies.len().saturating_sub(1))).cloned())
            .unwrap_or_else(Reply::not_found)
    });
    (handler, version)
}

/// The flags in the store, as `claimwatch flags --format jsonl` prints them.
pub async fn flags_json(ws: &Workspace) -> Vec<serde_json::Value> {
    let output = ws.run(&["flags", "--format", "jsonl"]).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "flags failed: {}",
        stderr(&output)
    );
    stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("every jsonl line is JSON"))
        .collect()
}

/// A loopback server on 127.0.0.1 serving fixed routes.
pub async fn serve(list: Vec<(&str, Reply)>) -> Server {
    Server::start("127.0.0.1", 0, routes(list))
        .await
        .expect("start the test server")
}

/// A workspace whose watch-list is one target, `site`, seeded at the server's root.
pub fn one_target(server: &Server, extra: &str) -> Workspace {
    Workspace::new(&(fast_crawl("") + &target("site", &server.url("/"), extra)))
}

/// Stops a server and waits until its port refuses connections.
pub async fn go_dark(server: Server) -> std::net::SocketAddr {
    let addr = server.addr;
    drop(server);
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            return addr;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{addr} still answers after its server stopped");
}

/// Runs `claimwatch crawl` and asserts it finished with no new flag.
pub async fn crawl_ok(ws: &Workspace) -> Output {
    let output = ws.run(&["crawl"]).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "crawl failed: {} {}",
        stdout(&output),
        stderr(&output)
    );
    output
}

/// Sends the signal `name` ("TERM", "INT") to a running child.
pub fn send_signal(child: &tokio::process::Child, name: &str) {
    let pid = child.id().expect("the child is running");
    let sent = std::process::Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill -{name} {pid} failed");
}

pub mod hostile;
mod isolation;

pub use isolation::{heavy_test_turn, in_a_fresh_process, rerun_in_a_fresh_process};
