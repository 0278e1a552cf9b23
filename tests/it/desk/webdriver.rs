//! Headless Chromium driven through WebDriver (Debian's `chromium` and `chromium-driver`): a
//! chromedriver of the test's own on a free port, and a browser with a fresh profile that
//! talks to nothing but loopback.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::json;
use tokio::process::Child;

/// Set to 1 to skip the browser tests where Chromium cannot be installed; CI installs it.
const SKIP: &str = "CLAIMWATCH_SKIP_BROWSER";

/// A browser session; closes the browser and stops its driver when dropped.
pub struct Browser {
    pub client: Client,
    _driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Ends the session (the driver is killed when `self` drops).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }

    /// Runs `script` in the page (WebDriver's own channel, which the page's policy does not
    /// govern) and returns its value.
    pub async fn eval(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("run {script:?}: {e}"))
    }

    /// Sizes the window so that the page itself (the viewport) is `width` × `height`.
    pub async fn set_viewport(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("size the window");
        let inner = self
            .eval("return [window.innerWidth, window.innerHeight]")
            .await;
        let got = |i: usize| inner[i].as_u64().unwrap_or_default() as u32;
        let (w, h) = (
            width + width.saturating_sub(got(0)),
            height + height.saturating_sub(got(1)),
        );
        if (w, h) != (width, height) {
            self.client
                .set_window_size(w, h)
                .await
                .expect("size the window");
        }
    }

    /// The page's visible text.
    pub async fn text(&self) -> String {
        self.eval("return document.body.innerText")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// A headless Chromium, or `None` when [`SKIP`] is set. Fails loudly when Chromium or its
/// driver is missing, naming the packages.
pub async fn browser(width: u32, height: u32) -> Option<Browser> {
    if std::env::var(SKIP).as_deref() == Ok("1") {
        println!("skipped: {SKIP}=1, no browser test ran");
        return None;
    }
    let (Some(chromium), Some(driver)) = (on_path("chromium"), on_path("chromedriver")) else {
        panic!(
            "the browser tests need headless Chromium and its WebDriver: \
             apt-get install -y chromium chromium-driver (CI's .ci/run installs them), \
             or set {SKIP}=1 to skip them"
        );
    };
    let port = free_port();
    let driver = tokio::process::Command::new(driver)
        .arg(format!("--port={port}"))
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start chromedriver");
    wait_for_port(port).await;
    let profile = tempfile::tempdir().expect("a browser profile directory");
    let args = [
        "--headless".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-dev-shm-usage".into(),
        "--hide-scrollbars".into(),
        "--force-device-scale-factor=1".into(),
        format!("--window-size={width},{height}"),
        format!("--user-data-dir={}", profile.path().display()),
    ];
    let capabilities = json!({
        "goog:chromeOptions": { "binary": chromium, "args": args }
    });
    let serde_json::Value::Object(capabilities) = capabilities else {
        unreachable!("the capabilities are an object");
    };
    let client = ClientBuilder::rustls()
        .expect("a WebDriver client")
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session through chromedriver");
    let browser = Browser {
        client,
        _driver: driver,
        _profile: profile,
    };
    browser.set_viewport(width, height).await;
    Some(browser)
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

async fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen on {port} within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
