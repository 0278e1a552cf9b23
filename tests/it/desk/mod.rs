//! The review desk (`claimwatch serve`) and the report, against stores built by real crawls of
//! local sites: the demo's four companies, and a hostile site whose claims, titles, alt texts
//! and URLs carry script payloads.
//!
//! Each store is crawled once per test binary and copied into each test's own workspace, so
//! tests can change theirs (reviews, `new`) side by side. The desk runs as the real binary on
//! port 0; its first line says where.

mod api;
mod browser;
mod http;
mod report;
mod scale;
mod security;
mod webdriver;
mod xss;

use std::path::Path;
use std::process::ExitStatus;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;
use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;

use crate::support::*;

/// A crawled store and the watch-list it was crawled with, kept for the whole test binary.
struct Crawled {
    dir: tempfile::TempDir,
}

impl Crawled {
    /// A fresh workspace holding a copy of this store.
    fn workspace(&self) -> Workspace {
        let toml = std::fs::read_to_string(self.dir.path().join("targets.toml"))
            .expect("read the crawled targets.toml");
        let ws = Workspace::new(&toml);
        copy_dir(&self.dir.path().join("store"), &ws.store());
        ws
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the store copy");
    for entry in std::fs::read_dir(from).expect("read the crawled store") {
        let entry = entry.expect("a store entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a store file");
        }
    }
}

/// The demo's four companies, crawled as they stood in September (twice), then in November.
pub async fn demo_workspace() -> Workspace {
    static DEMO: OnceCell<Crawled> = OnceCell::const_new();
    DEMO.get_or_init(crawl_demo).await.workspace()
}

async fn crawl_demo() -> Crawled {
    let stop = CancellationToken::new();
    let mut toml = fast_crawl("max_pages = 50");
    let mut sites = Vec::new();
    for (id, name, site) in claimwatch::demo::sites::companies() {
        let site = Arc::new(site);
        let addr = claimwatch::demo::server::start(
            site.clone(),
            "127.0.0.1:0".parse().expect("an address"),
            stop.clone(),
        )
        .await
        .expect("start a demo site");
        toml.push_str(&format!(
            "\n[[target]]\nid = \"{id}\"\nname = \"{name}\"\nseeds = [\"http://{addr}/\"]\n"
        ));
        sites.push(site);
    }
    toml.push_str(
        "\n[[manufacturer]]\nname = \"Analog Devices\"\naliases = [\"ADI\"]\ndomains = [\"analog.com\"]\nauthorized = [\"digikey.com\", \"mouser.com\"]\nsource = \"https://www.analog.com/en/support/distributors.html\"\n",
    );
    let ws = Workspace::new(&toml);
    // September twice, then November, a few seconds apart so the timelines have a shape.
    for (i, version) in [0, 0, 1].into_iter().enumerate() {
        if i > 0 {
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
        for site in &sites {
            site.set_version(version);
        }
        let output = ws.run(&["crawl"]).await;
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "crawl {version} failed: {}",
            stderr(&output)
        );
    }
    stop.cancel();
    Crawled { dir: ws.dir }
}

/// Script that would set [`MARKERS`] if a browser ran it: in claim text, a title, alt texts,
/// a link's URL and the page URLs themselves. Entities in the source become these characters
/// in the extracted text, which is how markup reaches a page as text.
pub const PAYLOADS: [&str; 4] = [
    "<script>window.pwned=1</script>",
    "<img src=x onerror=\"document.title='pwned'\">",
    "<svg onload=window.pwned=3>",
    "javascript:window.pwned=4",
];

/// The hostile site: its first version makes military and partner claims carrying payloads,
/// its second takes them down, so each payload stands in a flag, a diff, a timeline and a
/// capture. Pages whose URLs carry payloads link from the home page.
pub async fn hostile_workspace() -> (Workspace, String) {
    static HOSTILE: OnceCell<(Crawled, String)> = OnceCell::const_new();
    let (crawled, base) = HOSTILE.get_or_init(crawl_hostile).await;
    (crawled.workspace(), base.clone())
}

async fn crawl_hostile() -> (Crawled, String) {
    let script = "&lt;script&gt;window.pwned=1&lt;/script&gt;";
    let img = "&lt;img src=x onerror=&quot;document.title='pwned'&quot;&gt;";
    let home_v1 = format!(
        "<html><head><title>Evil {img} Ltd</title></head><body>\
         <p>We are a military supplier {script} for the army.</p>\
         <p>Authorized distributor of Analog Devices {img}.</p>\
         <h2>Our partners</h2><img src=\"/adi.png\" alt=\"Analog Devices &lt;svg onload=window.pwned=3&gt;\">\
         <p><a href=\"javascript:window.pwned=4\">military catalogue javascript:window.pwned=4</a></p>\
         <a href=\"/x&quot;&gt;&lt;script&gt;window.pwned=5&lt;/script&gt;.html\">more</a>\
         <a href=\"/page?next=javascript:window.pwned=6\">next</a>\
         </body></html>"
    );
    let home_v2 = "<html><head><title>Evil Ltd</title></head><body><p>We make cables.</p>\
         <a href=\"/x&quot;&gt;&lt;script&gt;window.pwned=5&lt;/script&gt;.html\">more</a>\
         <a href=\"/page?next=javascript:window.pwned=6\">next</a></body></html>"
        .to_string();
    let odd = "<html><head><title>Odd</title></head><body><p>Defence electronics &lt;script&gt;window.pwned=7&lt;/script&gt; since 1999.</p></body></html>";
    let (handler, version) = versioned(vec![
        ("/", vec![Reply::html(home_v1), Reply::html(home_v2)]),
        (
            "/x%22%3E%3Cscript%3Ewindow.pwned=5%3C/script%3E.html",
            vec![Reply::html(odd), Reply::html("<p>Cables.</p>")],
        ),
        (
            "/page?next=javascript:window.pwned=6",
            vec![
                Reply::html("<p>Military radios.</p>"),
                Reply::html("<p>Radios.</p>"),
            ],
        ),
    ]);
    let server = Server::start("127.0.0.1", 0, handler)
        .await
        .expect("start the hostile site");
    let toml = fast_crawl("")
        + &target("evil", &server.url("/"), "")
        + "\n[[manufacturer]]\nname = \"Analog Devices\"\naliases = [\"ADI\"]\nauthorized = [\"digikey.com\"]\n";
    let ws = Workspace::new(&toml);
    for v in 0..2 {
        version.store(v, Ordering::SeqCst);
        let output = ws.run(&["crawl"]).await;
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "hostile crawl {v} failed: {}",
            stderr(&output)
        );
    }
    (Crawled { dir: ws.dir }, server.url("/"))
}

/// `claimwatch serve` running on a workspace.
pub struct Desk {
    pub ws: Workspace,
    child: Child,
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base: String,
}

impl Desk {
    /// Starts the desk on 127.0.0.1, any port, with these extra arguments.
    pub async fn start(ws: Workspace, args: &[&str]) -> Desk {
        let mut all = vec!["serve", "--addr", "127.0.0.1:0"];
        all.extend_from_slice(args);
        Desk::launch(ws, &all, &[]).await
    }

    /// Runs `claimwatch` with these arguments and environment, and waits for the line that
    /// says where the desk listens.
    pub async fn launch(ws: Workspace, args: &[&str], env: &[(&str, &str)]) -> Desk {
        let mut command = ws.command(args);
        command.envs(env.iter().copied());
        let mut child = command
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start claimwatch serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the desk said where it listens within 30 s")
            .expect("read the desk's output")
            .unwrap_or_default();
        let base = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .trim_end_matches('/')
            .to_string();
        Desk { ws, child, base }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGKILL, as a crash or the OOM killer would: nothing is cleaned up.
    pub async fn kill(mut self) -> Workspace {
        self.child.start_kill().expect("SIGKILL the desk");
        tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("the desk died within 30 s of SIGKILL")
            .expect("wait for the desk");
        self.ws
    }

    /// SIGTERM, and the exit status once it has flushed and let go of the store.
    pub async fn stop(mut self) -> (Workspace, ExitStatus) {
        let pid = self.child.id().expect("the desk is running") as libc::pid_t;
        // SAFETY: kill(2) with a pid this test started and has not yet waited for.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let status = tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("the desk stopped within 30 s of SIGTERM")
            .expect("wait for the desk");
        (self.ws, status)
    }
}

/// An HTTP client that follows no redirects and keeps no cookies: each test says what it sends.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("an HTTP client")
}

/// GET `path` from the desk; the response, asserted 200.
pub async fn get_ok(desk: &Desk, path: &str) -> reqwest::Response {
    let response = client()
        .get(desk.url(path))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    assert_eq!(response.status(), 200, "GET {path}");
    response
}

/// The text of `path`, asserted 200.
pub async fn page_text(desk: &Desk, path: &str) -> String {
    get_ok(desk, path).await.text().await.expect("a body")
}

/// Every `href` in a page, in order.
pub fn hrefs(html: &str) -> Vec<String> {
    let document = scraper::Html::parse_document(html);
    let links = scraper::Selector::parse("[href]").expect("a selector");
    document
        .select(&links)
        .filter_map(|e| e.value().attr("href").map(str::to_string))
        .collect()
}

/// The desk paths a page links to that start with `prefix` ("/cases/").
pub fn links_to(html: &str, prefix: &str) -> Vec<String> {
    let mut found: Vec<String> = hrefs(html)
        .into_iter()
        .filter(|h| h.starts_with(prefix))
        .collect();
    found.dedup();
    found
}
