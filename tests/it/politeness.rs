//! Politeness and the crawl's edges, end to end: the real binary against loopback servers that
//! record every request (429 back-off, robots.txt, crawl-delay, sitemaps, limits, scope,
//! redirects, compressed bodies, signals, failing targets).

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::support::*;
use claimwatch::store::Outcome;

pub(crate) fn page(links: &[&str], text: &str) -> Reply {
    let links: String = links
        .iter()
        .map(|l| format!("<a href=\"{l}\">{l}</a> "))
        .collect();
    Reply::html(format!("<html><body><p>{text}</p>{links}</body></html>"))
}

pub(crate) fn robots_txt(text: &str) -> Reply {
    Reply::bytes("text/plain", text.as_bytes().to_vec())
}

fn sitemap_xml(urls: &[String]) -> Reply {
    let entries: String = urls
        .iter()
        .map(|u| format!("<url><loc>{u}</loc></url>"))
        .collect();
    Reply::bytes(
        "application/xml",
        format!(
            "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">{entries}</urlset>"
        )
        .into_bytes(),
    )
}

fn throttled(retry_after: &str) -> Reply {
    Reply {
        status: 429,
        headers: vec![("retry-after".into(), retry_after.into())],
        body: b"slow down".to_vec(),
    }
}

/// Requests for pages: everything but robots.txt and sitemaps.
fn page_paths(server: &Server) -> Vec<String> {
    server
        .paths()
        .into_iter()
        .filter(|p| p != "/robots.txt" && !p.ends_with(".xml"))
        .collect()
}

/// `claimwatch history WHAT`, which must succeed; the capture rows (header dropped).
pub(crate) async fn history(ws: &Workspace, what: &str) -> Vec<String> {
    let output = ws.run(&["history", what]).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "history {what}: {}",
        stderr(&output)
    );
    stdout(&output)
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect()
}

/// The STATUS column of a history row ("200", "429", "refused", "failed", ...).
pub(crate) fn status_word(row: &str) -> &str {
    row.split_whitespace().nth(2).unwrap_or_default()
}

/// A home page linking `count` leaf pages `/p0.html`, `/p1.html`, ...
fn linked_site(count: usize) -> Handler {
    let leaves: Vec<String> = (0..count).map(|i| format!("/p{i}.html")).collect();
    let home = page(
        &leaves.iter().map(String::as_str).collect::<Vec<_>>(),
        "home",
    );
    Arc::new(move |path: &str| {
        if path == "/" {
            home.clone()
        } else if leaves.iter().any(|l| l == path) {
            page(&[], &format!("leaf {path}"))
        } else {
            Reply::not_found()
        }
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_after_429_is_waited_out_then_the_page_is_captured() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let handler: Handler = Arc::new(move |path: &str| match path {
        "/" => page(&["/slow.html"], "home"),
        "/slow.html" if seen.fetch_add(1, Ordering::SeqCst) == 0 => throttled("1"),
        "/slow.html" => page(&[], "worth the wait"),
        _ => Reply::not_found(),
    });
    let server = Server::start("127.0.0.1", 0, handler)
        .await
        .expect("server");
    let ws = Workspace::new(
        &(fast_crawl("max_retry_wait = \"5s\"") + &target("site", &server.url("/"), "")),
    );
    crawl_ok(&ws).await;

    let slow: Vec<Hit> = server
        .hits()
        .into_iter()
        .filter(|h| h.path == "/slow.html")
        .collect();
    assert_eq!(slow.len(), 2, "one 429, one retry: {:?}", server.paths());
    let gap = slow[1].at - slow[0].at;
    assert!(
        gap >= Duration::from_millis(900),
        "retried {gap:?} after a 429 with Retry-After: 1"
    );
    let rows = history(&ws, &server.url("/slow.html")).await;
    assert_eq!(rows.len(), 1, "one capture for the page: {rows:?}");
    assert_eq!(status_word(&rows[0]), "200", "{rows:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_after_of_a_day_is_capped_and_the_host_is_left_alone() {
    let server = serve(vec![
        ("/", page(&["/busy.html", "/a.html", "/b.html"], "home")),
        ("/busy.html", throttled("86400")),
        ("/a.html", page(&[], "a")),
        ("/b.html", page(&[], "b")),
    ])
    .await;
    let ws = Workspace::new(
        &(fast_crawl("max_retry_wait = \"1s\"\nretries = 2")
            + &target("site", &server.url("/"), "")),
    );
    let started = Instant::now();
    let output = ws.run(&["crawl"]).await;
    let took = started.elapsed();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        took < Duration::from_secs(8),
        "the crawl took {took:?}: Retry-After was not capped at max_retry_wait"
    );

    let hits = server.hits();
    let busy: Vec<&Hit> = hits.iter().filter(|h| h.path == "/busy.html").collect();
    assert!(
        (1..=3).contains(&busy.len()),
        "1 try + 2 retries at most: {:?}",
        server.paths()
    );
    for pair in busy.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap >= Duration::from_millis(900),
            "retried only {gap:?} after a 429"
        );
    }
    // Once the host gave up, its remaining pages wait for the next run.
    let last_busy = busy.last().expect("busy was requested").at;
    let after: Vec<&str> = hits
        .iter()
        .filter(|h| h.at > last_busy)
        .map(|h| h.path.as_str())
        .collect();
    assert!(
        after.is_empty(),
        "requests after the host kept answering 429: {after:?}"
    );
    assert_eq!(server.count("/a.html") + server.count("/b.html"), 0);

    let rows = history(&ws, &server.url("/busy.html")).await;
    assert!(
        rows.iter().any(|r| r.contains("429 http")),
        "the 429 is recorded: {rows:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn robots_crawl_delay_spaces_page_requests() {
    let server = serve(vec![
        ("/robots.txt", robots_txt("User-agent: *\nCrawl-delay: 1\n")),
        ("/", page(&["/a.html", "/b.html"], "home")),
        ("/a.html", page(&[], "a")),
        ("/b.html", page(&[], "b")),
    ])
    .await;
    let ws = one_target(&server, "");
    crawl_ok(&ws).await;
    let hits = server.hits();
    assert_eq!(
        page_paths(&server),
        ["/", "/a.html", "/b.html"],
        "{:?}",
        server.paths()
    );
    assert_eq!(hits[0].path, "/robots.txt");
    // Every request after robots.txt was read (sitemap, pages) honours the 1 s delay, although
    // the configured rate would allow 100 a second.
    assert_spaced(&hits[1..], Duration::from_millis(900), "Crawl-delay: 1");
}

#[tokio::test(flavor = "multi_thread")]
async fn robots_txt_is_fetched_once_per_run_per_host() {
    let server = serve(vec![
        (
            "/robots.txt",
            robots_txt("User-agent: *\nDisallow: /private\n"),
        ),
        ("/one/", page(&["/one/a.html", "/one/b.html"], "one")),
        ("/one/a.html", page(&[], "one a")),
        ("/one/b.html", page(&[], "one b")),
        ("/two/", page(&["/two/a.html", "/two/b.html"], "two")),
        ("/two/a.html", page(&[], "two a")),
        ("/two/b.html", page(&[], "two b")),
    ])
    .await;
    let ws = Workspace::new(
        &(fast_crawl("")
            + &target("one", &server.url("/one/"), "")
            + &target("two", &server.url("/two/"), "")),
    );
    crawl_ok(&ws).await;
    for path in ["/one/a.html", "/one/b.html", "/two/a.html", "/two/b.html"] {
        assert_eq!(server.count(path), 1, "{path}: {:?}", server.paths());
    }
    assert_eq!(
        server.count("/robots.txt"),
        1,
        "robots.txt requested more than once in one run: {:?}",
        server.paths()
    );
    crawl_ok(&ws).await;
    assert_eq!(
        server.count("/robots.txt"),
        2,
        "a second run reads robots.txt again, once: {:?}",
        server.paths()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn robots_txt_server_error_leaves_the_host_alone_and_fails_the_target() {
    let server = serve(vec![
        ("/robots.txt", Reply::status(500)),
        ("/", page(&["/a.html"], "home")),
        ("/a.html", page(&[], "a")),
    ])
    .await;
    let ws = one_target(&server, "");
    let output = ws.run(&["crawl"]).await;
    assert_eq!(
        output.status.code(),
        Some(2),
        "every target failed: {} {}",
        stdout(&output),
        stderr(&output)
    );
    assert_eq!(
        server.paths(),
        ["/robots.txt"],
        "requested more than robots.txt"
    );
    let line = summary_line(&output, "site");
    assert!(line.contains("FAILED"), "{line}");
    assert!(line.contains("robots.txt"), "{line}");
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_robots_txt_allows_everything() {
    let server = serve(vec![
        ("/", page(&["/a.html", "/private/b.html"], "home")),
        ("/a.html", page(&["/admin/c.html"], "a")),
        ("/private/b.html", page(&[], "b")),
        ("/admin/c.html", page(&[], "c")),
    ])
    .await;
    let ws = one_target(&server, "");
    let output = crawl_ok(&ws).await;
    assert_eq!(server.count("/robots.txt"), 1);
    let mut pages = page_paths(&server);
    pages.sort();
    assert_eq!(pages, ["/", "/a.html", "/admin/c.html", "/private/b.html"]);
    let line = summary_line(&output, "site");
    assert!(!line.contains("FAILED"), "{line}");
}

#[tokio::test(flavor = "multi_thread")]
async fn respect_robots_false_skips_robots_txt_and_crawls_disallowed_paths() {
    let server = serve(vec![
        ("/robots.txt", robots_txt("User-agent: *\nDisallow: /\n")),
        ("/", page(&["/private/secret.html"], "home")),
        ("/private/secret.html", page(&[], "secret")),
    ])
    .await;
    let ws = one_target(&server, "respect_robots = false");
    crawl_ok(&ws).await;
    assert_eq!(
        server.count("/robots.txt"),
        0,
        "robots.txt requested: {:?}",
        server.paths()
    );
    assert_eq!(server.count("/"), 1);
    assert_eq!(server.count("/private/secret.html"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_listed_only_in_sitemaps_are_crawled() {
    let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let known = base.clone();
    let handler: Handler = Arc::new(move |path: &str| {
        let base = known.get().expect("base URL set before the crawl");
        match path {
            "/robots.txt" => robots_txt(&format!(
                "User-agent: *\nDisallow: /private\nSitemap: {base}/maps/extra.xml\n"
            )),
            "/sitemap.xml" => sitemap_xml(&[format!("{base}/from-default-sitemap.html")]),
            "/maps/extra.xml" => sitemap_xml(&[format!("{base}/from-robots-sitemap.html")]),
            "/" => page(&[], "home links nothing"),
            "/from-default-sitemap.html" => page(&[], "default"),
            "/from-robots-sitemap.html" => page(&[], "robots"),
            _ => Reply::not_found(),
        }
    });
    let server = Server::start("127.0.0.1", 0, handler)
        .await
        .expect("server");
    base.set(format!("http://{}", server.addr))
        .expect("set once");
    let ws = one_target(&server, "");
    crawl_ok(&ws).await;
    assert_eq!(server.count("/sitemap.xml"), 1, "{:?}", server.paths());
    assert_eq!(server.count("/maps/extra.xml"), 1, "{:?}", server.paths());
    for path in ["/from-default-sitemap.html", "/from-robots-sitemap.html"] {
        assert_eq!(server.count(path), 1, "{path}: {:?}", server.paths());
        let rows = history(&ws, &server.url(path)).await;
        assert_eq!(status_word(&rows[0]), "200", "{rows:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn max_pages_caps_the_page_requests_of_a_run() {
    let server = Server::start("127.0.0.1", 0, linked_site(10))
        .await
        .expect("server");
    let ws = one_target(&server, "max_pages = 3");
    crawl_ok(&ws).await;
    let pages = page_paths(&server);
    assert_eq!(pages.len(), 3, "max_pages = 3: {pages:?}");
    assert_eq!(pages[0], "/");
}

#[tokio::test(flavor = "multi_thread")]
async fn max_depth_1_never_requests_pages_two_links_away() {
    let server = serve(vec![
        ("/", page(&["/a.html", "/b.html"], "home")),
        ("/a.html", page(&["/deep.html"], "a")),
        ("/b.html", page(&["/deep2.html"], "b")),
        ("/deep.html", page(&["/deeper.html"], "deep")),
        ("/deep2.html", page(&[], "deep2")),
        ("/deeper.html", page(&[], "deeper")),
    ])
    .await;
    let ws = one_target(&server, "max_depth = 1");
    crawl_ok(&ws).await;
    let mut pages = page_paths(&server);
    pages.sort();
    assert_eq!(pages, ["/", "/a.html", "/b.html"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn excluded_urls_are_never_requested() {
    let base: Arc<OnceLock<String>> = Arc::new(OnceLock::new());
    let known = base.clone();
    let handler: Handler = Arc::new(move |path: &str| {
        let base = known.get().expect("base URL set before the crawl");
        match path {
            "/sitemap.xml" => sitemap_xml(&[
                format!("{base}/private/listed.html"),
                format!("{base}/listed.html"),
            ]),
            "/" => page(
                &["/public.html", "/private/linked.html", "/print/x.pdf"],
                "home",
            ),
            "/public.html" => page(&["/private/deeper.html"], "public"),
            p if p.starts_with("/private/") || p.starts_with("/print/") => page(&[], "excluded"),
            "/listed.html" => page(&[], "listed"),
            _ => Reply::not_found(),
        }
    });
    let server = Server::start("127.0.0.1", 0, handler)
        .await
        .expect("server");
    base.set(format!("http://{}", server.addr))
        .expect("set once");
    let ws = one_target(&server, "exclude = [\"/private/\", \"\\\\.pdf$\"]");
    crawl_ok(&ws).await;
    let paths = server.paths();
    assert!(
        paths
            .iter()
            .all(|p| !p.starts_with("/private/") && !p.ends_with(".pdf")),
        "requested an excluded URL: {paths:?}"
    );
    assert_eq!(server.count("/public.html"), 1, "{paths:?}");
    assert_eq!(server.count("/listed.html"), 1, "{paths:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn with_include_only_matching_urls_and_seeds_are_requested() {
    let server = serve(vec![
        (
            "/",
            page(
                &["/products/a.html", "/about.html", "/products/b.html"],
                "home",
            ),
        ),
        ("/products/a.html", page(&["/contact.html"], "a")),
        ("/products/b.html", page(&["/products/c.html"], "b")),
        ("/products/c.html", page(&[], "c")),
        ("/about.html", page(&[], "about")),
        ("/contact.html", page(&[], "contact")),
    ])
    .await;
    let ws = one_target(&server, "include = [\"/products/\"]");
    crawl_ok(&ws).await;
    let mut pages = page_paths(&server);
    pages.sort();
    assert_eq!(
        pages,
        [
            "/",
            "/products/a.html",
            "/products/b.html",
            "/products/c.html"
        ],
        "only the seed and /products/ pages"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn redirect_to_a_host_outside_the_scope_is_not_followed() {
    let other = Server::start(
        "127.0.0.3",
        0,
        routes(vec![("/landing.html", page(&[], "elsewhere"))]),
    )
    .await
    .expect("other server");
    let server = Server::start(
        "127.0.0.2",
        0,
        routes(vec![
            ("/", page(&["/away.html"], "home")),
            ("/away.html", Reply::redirect(&other.url("/landing.html"))),
        ]),
    )
    .await
    .expect("server");
    let ws = one_target(&server, "");
    crawl_ok(&ws).await;
    assert_eq!(server.count("/away.html"), 1);
    assert!(
        other.hits().is_empty(),
        "the out-of-scope host was contacted: {:?}",
        other.paths()
    );
    let rows = history(&ws, &server.url("/away.html")).await;
    assert_eq!(status_word(&rows[0]), "refused", "{rows:?}");
    assert!(rows[0].contains("outside the target's scope"), "{rows:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn redirect_within_the_host_is_followed_and_shows_the_final_url() {
    let server = Server::start(
        "127.0.0.2",
        0,
        routes(vec![
            ("/", page(&["/old.html"], "home")),
            ("/old.html", Reply::redirect("/new.html")),
            ("/new.html", page(&[], "moved here")),
        ]),
    )
    .await
    .expect("server");
    let ws = one_target(&server, "");
    crawl_ok(&ws).await;
    assert!(server.count("/new.html") >= 1, "{:?}", server.paths());
    let rows = history(&ws, &server.url("/old.html")).await;
    assert_eq!(status_word(&rows[0]), "200", "{rows:?}");
    assert!(
        rows[0].contains(&format!("-> {}", server.url("/new.html"))),
        "{rows:?}"
    );
}

/// `/long/0` redirects 11 times before a page, `/short/0` 10 times.
fn redirect_chains() -> Handler {
    Arc::new(|path: &str| {
        if path == "/" {
            return page(&["/long/0", "/short/0"], "home");
        }
        for (prefix, hops) in [("/long/", 11), ("/short/", 10)] {
            if let Some(n) = path
                .strip_prefix(prefix)
                .and_then(|n| n.parse::<u32>().ok())
            {
                return if n < hops {
                    Reply::redirect(&format!("{prefix}{}", n + 1))
                } else {
                    page(&[], &format!("end of {prefix}"))
                };
            }
        }
        Reply::not_found()
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn eleven_redirects_are_refused() {
    let server = Server::start("127.0.0.1", 0, redirect_chains())
        .await
        .expect("server");
    let ws = one_target(&server, "");
    crawl_ok(&ws).await;
    assert_eq!(
        server.count("/long/11"),
        0,
        "followed an 11th redirect: {:?}",
        server.paths()
    );
    let rows = history(&ws, &server.url("/long/0")).await;
    assert_eq!(status_word(&rows[0]), "refused", "{rows:?}");
    assert!(rows[0].contains("more than 10 redirects"), "{rows:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn ten_redirects_are_followed() {
    let server = Server::start("127.0.0.1", 0, redirect_chains())
        .await
        .expect("server");
    let ws = one_target(&server, "");
    crawl_ok(&ws).await;
    assert_eq!(server.count("/short/10"), 1, "{:?}", server.paths());
    let rows = history(&ws, &server.url("/short/0")).await;
    assert_eq!(status_word(&rows[0]), "200", "{rows:?}");
    assert!(
        rows[0].contains(&format!("-> {}", server.url("/short/10"))),
        "{rows:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn gzip_and_brotli_bodies_are_decoded_before_storing() {
    let gzip_text = "Gzipped page: authorized distributor of compressed parts.";
    let brotli_text = "Brotli page: 授权代理商 for squeezed components.";
    let html = |text: &str| format!("<html><body><p>{text}</p></body></html>");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(html(gzip_text).as_bytes()).expect("gzip");
    let gzipped = gz.finish().expect("gzip");
    let mut brotlied = Vec::new();
    {
        let mut br = brotli::CompressorWriter::new(&mut brotlied, 4096, 5, 22);
        br.write_all(html(brotli_text).as_bytes()).expect("brotli");
    }
    let encoded = |encoding: &str, body: Vec<u8>| Reply {
        status: 200,
        headers: vec![
            ("content-type".into(), "text/html; charset=utf-8".into()),
            ("content-encoding".into(), encoding.into()),
        ],
        body,
    };
    let server = serve(vec![
        ("/", page(&["/gz.html", "/br.html"], "home")),
        ("/gz.html", encoded("gzip", gzipped)),
        ("/br.html", encoded("br", brotlied)),
    ])
    .await;
    let ws = one_target(&server, "");
    crawl_ok(&ws).await;
    let store = ws.open_store();
    for (path, text) in [("/gz.html", gzip_text), ("/br.html", brotli_text)] {
        let capture = store
            .captures_for_url(&server.url(path))
            .expect("read")
            .pop()
            .unwrap_or_else(|| panic!("{path} captured"));
        assert_eq!(capture.outcome, Outcome::Ok, "{path}: {capture:?}");
        let document = store
            .document(capture.id)
            .expect("read")
            .unwrap_or_else(|| panic!("{path}: document stored"));
        assert!(
            document.blocks.iter().any(|b| b.text == text),
            "{path}: {:?}",
            document.blocks
        );
        let body = store
            .body(capture.sha256.as_deref().expect("body hashed"))
            .expect("read")
            .expect("body stored");
        assert_eq!(body, html(text).into_bytes(), "{path}: stored body");
    }
}

/// Starts a long crawl, sends `signal` once a page is stored, and checks the run stops quickly,
/// says so, and leaves a sound store behind.
async fn signal_stops_the_crawl_and_keeps_its_captures(signal: &str) {
    let server = Server::start("127.0.0.1", 0, linked_site(40))
        .await
        .expect("server");
    let ws = one_target(&server, "rate = \"2/s\"\nburst = 1\nmax_pages = 100");
    let child = ws.spawn_crawl();
    // robots.txt, sitemap.xml, / at 2/s: the first leaf is requested ~1.5 s in, once / is stored.
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.count("/p0.html") == 0 {
        assert!(
            Instant::now() < deadline,
            "the crawl never reached /p0.html: {:?}",
            server.paths()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let sent = Instant::now();
    send_signal(&child, signal);
    let output = tokio::time::timeout(Duration::from_secs(3), child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("claimwatch still running 3 s after SIG{signal}"))
        .expect("claimwatch ran");
    let took = sent.elapsed();
    assert_eq!(
        output.status.code(),
        Some(2),
        "an interrupted run exits 2 ({took:?}): {} {}",
        stdout(&output),
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("interrupted"),
        "{}",
        stderr(&output)
    );
    let requested = page_paths(&server).len();
    assert!(
        requested < 41,
        "the crawl went on after SIG{signal}: {requested} pages requested"
    );

    {
        let store = ws.open_store();
        let stats = store.stats().expect("stats");
        assert!(stats.captures >= 1, "no capture kept: {stats:?}");
        let home = store
            .captures_for_url(&server.url("/"))
            .expect("read")
            .pop()
            .expect("/ was captured before the signal");
        assert_eq!(home.outcome, Outcome::Ok);
        let run = store.runs().expect("runs").pop().expect("the run is saved");
        assert!(!run.completed, "an interrupted run is not marked completed");
    }
    let verify = ws.run(&["verify"]).await;
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{} {}",
        stdout(&verify),
        stderr(&verify)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_stops_the_crawl_quickly_and_keeps_a_sound_store() {
    signal_stops_the_crawl_and_keeps_its_captures("INT").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stops_the_crawl_quickly_and_keeps_a_sound_store() {
    signal_stops_the_crawl_and_keeps_its_captures("TERM").await;
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Two targets: `down`, seeded at a port nothing listens on, and `up`, a small site on the
/// returned server. Also returns the unreachable seed.
pub(crate) async fn an_unreachable_and_a_healthy_target() -> (Server, String, Workspace) {
    let server = Server::start("127.0.0.1", 0, linked_site(2))
        .await
        .expect("server");
    let down_seed = format!("http://127.0.0.1:{}/", closed_port());
    let ws = Workspace::new(
        &(fast_crawl("") + &target("down", &down_seed, "") + &target("up", &server.url("/"), "")),
    );
    (server, down_seed, ws)
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_target_fails_alone_and_the_others_go_on() {
    let (server, _, ws) = an_unreachable_and_a_healthy_target().await;
    // One healthy target is enough for the run to succeed.
    let output = crawl_ok(&ws).await;
    let mut pages = page_paths(&server);
    pages.sort();
    assert_eq!(pages, ["/", "/p0.html", "/p1.html"]);
    let down = summary_line(&output, "down");
    assert!(down.contains("FAILED"), "{down}");
    let up = summary_line(&output, "up");
    assert!(!up.contains("FAILED"), "{up}");
}

#[tokio::test(flavor = "multi_thread")]
async fn robots_and_sitemap_requests_wait_their_turn_like_pages() {
    // The robots.txt request, the sitemap requests after it and the pages all count against the
    // host's rate: with burst 1, none goes out sooner than the rate allows after the last.
    let server = serve(vec![
        ("/robots.txt", robots_txt("User-agent: *\n")),
        ("/", page(&["/a.html"], "home")),
        ("/a.html", page(&[], "a")),
    ])
    .await;
    let ws = Workspace::new(&target(
        "site",
        &server.url("/"),
        "rate = \"2/s\"\nburst = 1\ntimeout = \"5s\"",
    ));
    crawl_ok(&ws).await;
    let hits = server.hits();
    assert_eq!(
        server.paths(),
        ["/robots.txt", "/sitemap.xml", "/", "/a.html"]
    );
    // Arrival times carry the connection setup of the first request: 20% slack.
    assert_spaced(&hits, Duration::from_millis(400), "rate 2/s, burst 1");
}

#[tokio::test(flavor = "multi_thread")]
async fn redirect_hops_wait_for_the_turn_of_the_host_they_lead_to() {
    // A redirect hop is a request like any other: one within the host waits for the host's
    // next turn, and one to another host of the target waits for that host's.
    let other = Server::start(
        "127.0.0.3",
        0,
        routes(vec![
            ("/robots.txt", robots_txt("User-agent: *\n")),
            ("/", page(&[], "the other host")),
            ("/landing.html", page(&[], "landed")),
        ]),
    )
    .await
    .expect("other server");
    let server = Server::start(
        "127.0.0.2",
        0,
        routes(vec![
            ("/robots.txt", robots_txt("User-agent: *\n")),
            ("/", page(&["/old.html", "/away.html"], "home")),
            ("/old.html", Reply::redirect("/new.html")),
            ("/new.html", page(&[], "moved here")),
            ("/away.html", Reply::redirect(&other.url("/landing.html"))),
        ]),
    )
    .await
    .expect("server");
    let settings = "rate = \"2/s\"\nburst = 1\ntimeout = \"5s\"";
    let ws = Workspace::new(&format!(
        "[[target]]\nid = \"site\"\nname = \"site Co.\"\nseeds = [\"{}\", \"{}\"]\n{settings}\n",
        server.url("/"),
        other.url("/")
    ));
    crawl_ok(&ws).await;
    assert_eq!(server.count("/new.html"), 1, "{:?}", server.paths());
    assert_eq!(other.count("/landing.html"), 1, "{:?}", other.paths());
    assert_spaced(
        &server.hits(),
        Duration::from_millis(400),
        "rate 2/s on the first host",
    );
    assert_spaced(
        &other.hits(),
        Duration::from_millis(400),
        "rate 2/s on the second host",
    );
}
