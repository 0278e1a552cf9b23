//! The crawl, end to end: the real binary against loopback servers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::support::*;

fn page(links: &[&str], text: &str) -> Reply {
    let links: String = links
        .iter()
        .map(|l| format!("<a href=\"{l}\">{l}</a> "))
        .collect();
    Reply::html(format!("<html><body><p>{text}</p>{links}</body></html>"))
}

#[tokio::test(flavor = "multi_thread")]
async fn robots_disallowed_paths_are_never_requested() {
    let server = serve(vec![
        (
            "/robots.txt",
            Reply::bytes(
                "text/plain",
                b"User-agent: *\nDisallow: /private\n".to_vec(),
            ),
        ),
        (
            "/",
            page(
                &["/public.html", "/private/secret.html", "/private"],
                "home",
            ),
        ),
        ("/public.html", page(&[], "public")),
        ("/private/secret.html", page(&[], "secret")),
    ])
    .await;
    let ws = one_target(&server, "");
    crawl_ok(&ws).await;
    let paths = server.paths();
    assert!(
        paths.iter().all(|p| !p.starts_with("/private")),
        "requested a disallowed path: {paths:?}"
    );
    assert!(paths.contains(&"/public.html".to_string()));
    let history = stdout(&ws.run(&["history", "site"]).await);
    assert!(history.contains("robots"), "{history}");
    assert!(
        history
            .lines()
            .any(|l| l.contains("/private/secret.html") && l.contains("robots"))
    );
    // The User-Agent names the tool.
    assert!(
        server
            .hits()
            .iter()
            .all(|h| h.user_agent.starts_with("claimwatch/"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn per_host_rate_is_respected() {
    let pages: Vec<String> = (0..6).map(|i| format!("/p{i}.html")).collect();
    let mut list = vec![(
        "/",
        page(
            &pages.iter().map(String::as_str).collect::<Vec<_>>(),
            "home",
        ),
    )];
    for p in &pages {
        list.push((p.as_str(), page(&[], "leaf")));
    }
    let server = Server::start("127.0.0.1", 0, routes(list))
        .await
        .expect("server");
    let ws = one_target(&server, "rate = \"5/s\"\nburst = 1");
    crawl_ok(&ws).await;
    let hits = server.hits();
    assert!(
        hits.len() >= 8,
        "robots, sitemap, home and 6 pages: {:?}",
        server.paths()
    );
    // 5/s is one request per 200 ms; allow 30 ms for timer and scheduling jitter.
    assert_spaced(&hits, Duration::from_millis(170), "rate 5/s");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_hosts_are_crawled_concurrently() {
    let handler = || {
        let pages: Vec<&str> = vec!["/a.html", "/b.html", "/c.html"];
        routes(vec![
            ("/", page(&pages, "home")),
            ("/a.html", page(&[], "a")),
            ("/b.html", page(&[], "b")),
            ("/c.html", page(&[], "c")),
        ])
    };
    let servers = Server::start_many(&["127.0.0.2", "127.0.0.3"], vec![handler(), handler()]).await;
    let slow = "rate = \"4/s\"\nburst = 1";
    let toml = fast_crawl("")
        + &target("one", &servers[0].url("/"), slow)
        + &target("two", &servers[1].url("/"), slow);
    let ws = Workspace::new(&toml);
    crawl_ok(&ws).await;
    let (one, two) = (servers[0].hits(), servers[1].hits());
    assert!(one.len() >= 5 && two.len() >= 5);
    // Each host takes over a second at 4/s; crawled concurrently, each starts before the other ends.
    assert!(
        two[0].at < one[one.len() - 1].at,
        "host two started only after host one finished"
    );
    assert!(
        one[0].at < two[two.len() - 1].at,
        "host one started only after host two finished"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn gbk_big5_and_windows_1251_pages_decode_to_the_right_text() {
    let gbk_text = "深圳市军工电子有限公司，军用元器件授权代理商。";
    let big5_text = "台灣軍工電子有限公司，國防授權代理。";
    let cyr_text = "Официальный дистрибьютор для предприятий оборонной промышленности.";
    let wrap = |text: &str, meta: &str| {
        format!("<html><head>{meta}<title>t</title></head><body><p>{text}</p></body></html>")
    };
    let gbk = encoding_rs::GB18030
        .encode(&wrap(gbk_text, "<meta charset=\"gbk\">"))
        .0
        .into_owned();
    let big5 = encoding_rs::BIG5
        .encode(&wrap(big5_text, ""))
        .0
        .into_owned();
    let cyr = encoding_rs::WINDOWS_1251
        .encode(&wrap(cyr_text, ""))
        .0
        .into_owned();
    let server = serve(vec![
        ("/", page(&["/gbk.html", "/big5.html", "/ru.html"], "home")),
        ("/gbk.html", Reply::bytes("text/html", gbk)),
        ("/big5.html", Reply::bytes("text/html; charset=big5", big5)),
        (
            "/ru.html",
            Reply::bytes("text/html; charset=windows-1251", cyr),
        ),
    ])
    .await;
    let ws = one_target(&server, "");
    crawl_ok(&ws).await;
    let store = ws.open_store();
    for (path, text, encoding) in [
        ("/gbk.html", gbk_text, "gb18030"),
        ("/big5.html", big5_text, "Big5"),
        ("/ru.html", cyr_text, "windows-1251"),
    ] {
        let captures = store.captures_for_url(&server.url(path)).expect("captures");
        let capture = captures.last().expect("captured");
        assert_eq!(capture.encoding.as_deref(), Some(encoding), "{path}");
        let document = store
            .document(capture.id)
            .expect("read")
            .expect("document stored");
        assert!(
            document.blocks.iter().any(|b| b.text == text),
            "{path}: {:?}",
            document.blocks
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn second_crawl_of_unchanged_pages_adds_no_body() {
    let server = serve(vec![
        ("/", page(&["/a.html", "/b.html"], "home")),
        ("/a.html", page(&[], "a")),
        ("/b.html", page(&[], "b")),
    ])
    .await;
    let ws = one_target(&server, "");
    assert_eq!(ws.run(&["crawl"]).await.status.code(), Some(0));
    let first = { ws.open_store().stats().expect("stats") };
    let output = ws.run(&["crawl"]).await;
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).contains("    0 new bodies"),
        "{}",
        stdout(&output)
    );
    let second = ws.open_store().stats().expect("stats");
    assert_eq!(second.bodies, first.bodies);
    assert_eq!(second.body_bytes, first.body_bytes);
    assert_eq!(second.captures, first.captures * 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn unlinked_page_still_served_is_fetched_again() {
    let linked = Arc::new(AtomicUsize::new(1));
    let flag = linked.clone();
    let handler: Handler = Arc::new(move |path: &str| match path {
        "/" if flag.load(Ordering::SeqCst) == 1 => page(&["/old.html"], "home"),
        "/" => page(&[], "home, link removed"),
        "/old.html" => page(&[], "still here"),
        _ => Reply::not_found(),
    });
    let server = Server::start("127.0.0.1", 0, handler)
        .await
        .expect("server");
    let ws = one_target(&server, "");
    assert_eq!(ws.run(&["crawl"]).await.status.code(), Some(0));
    assert_eq!(server.count("/old.html"), 1);
    linked.store(0, Ordering::SeqCst);
    assert_eq!(ws.run(&["crawl"]).await.status.code(), Some(0));
    assert_eq!(
        server.count("/old.html"),
        2,
        "the unlinked page was not fetched again"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn session_and_tracking_parameters_do_not_create_pages() {
    let server = Server::start(
        "127.0.0.1",
        0,
        Arc::new(|path: &str| {
            if path == "/" {
                page(
                    &[
                        "/item?id=1",
                        "/item?id=1&utm_source=mail&utm_campaign=x",
                        "/item?fbclid=abc&id=1",
                        "/item?id=1&PHPSESSID=9f8e",
                        "/item;jsessionid=ABCDEF?id=1",
                        "/item?id=1&sid=42#details",
                    ],
                    "home",
                )
            } else if path.starts_with("/item") {
                page(&[], "item")
            } else {
                Reply::not_found()
            }
        }),
    )
    .await
    .expect("server");
    let ws = one_target(&server, "");
    assert_eq!(ws.run(&["crawl"]).await.status.code(), Some(0));
    let items: Vec<String> = server
        .paths()
        .into_iter()
        .filter(|p| p.starts_with("/item"))
        .collect();
    assert_eq!(items, ["/item?id=1"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn public_name_resolving_to_loopback_is_refused_unless_allow_private() {
    let server = serve(vec![("/", page(&[], "inside"))]).await;
    let seed = format!("http://intranet.winninc.example:{}/", server.addr.port());
    let resolve = "--resolve=intranet.winninc.example=127.0.0.1";
    let ws = Workspace::new(&(fast_crawl("") + &target("site", &seed, "")));
    let output = ws.run(&[resolve, "crawl"]).await;
    assert_eq!(
        output.status.code(),
        Some(2),
        "every target failed: {}",
        stdout(&output)
    );
    assert!(
        server.hits().is_empty(),
        "a refused address was connected to: {:?}",
        server.paths()
    );
    assert!(stdout(&output).contains("FAILED"), "{}", stdout(&output));

    ws.write_targets(&(fast_crawl("") + &target("site", &seed, "allow_private = true")));
    let output = ws.run(&[resolve, "crawl"]).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{} {}",
        stdout(&output),
        stderr(&output)
    );
    assert_eq!(server.count("/"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn redirect_to_metadata_address_is_never_followed() {
    let server = serve(vec![
        ("/", page(&["/go"], "home")),
        (
            "/go",
            Reply::redirect("http://169.254.169.254/latest/meta-data/"),
        ),
    ])
    .await;
    // Even with the metadata host declared in scope, the guard refuses it.
    let ws = one_target(&server, "allow_hosts = [\"169.254.169.254\"]");
    crawl_ok(&ws).await;
    let history = stdout(&ws.run(&["history", &server.url("/go")]).await);
    assert!(history.contains("refused"), "{history}");
    assert!(history.contains("169.254.169.254"), "{history}");
}

#[tokio::test(flavor = "multi_thread")]
async fn body_over_max_body_is_cut_and_recorded() {
    let big = "<html><body><p>".to_string() + &"x".repeat(100 * 1024) + "</p></body></html>";
    let server = serve(vec![
        ("/", page(&["/big.html"], "home")),
        ("/big.html", Reply::html(big)),
    ])
    .await;
    let ws = Workspace::new(
        &(fast_crawl("max_body = \"10KiB\"") + &target("site", &server.url("/"), "")),
    );
    assert_eq!(ws.run(&["crawl"]).await.status.code(), Some(0));
    let store = ws.open_store();
    let capture = store
        .captures_for_url(&server.url("/big.html"))
        .expect("read")
        .pop()
        .expect("captured");
    assert!(capture.truncated);
    assert_eq!(capture.size, Some(10 * 1024));
    assert!(
        capture
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("max_body")
    );
    drop(store);
    let history = stdout(&ws.run(&["history", &server.url("/big.html")]).await);
    assert!(history.contains("200 cut"), "{history}");
}

#[tokio::test(flavor = "multi_thread")]
async fn crawl_on_a_held_store_exits_2_naming_the_holder() {
    let server = serve(vec![("/", page(&[], "home"))]).await;
    let ws = one_target(&server, "");
    let held = ws.open_store();
    let output = ws.run(&["crawl"]).await;
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("in use"), "{message}");
    assert!(
        message.contains(&format!("pid {}", std::process::id())),
        "{message}"
    );
    assert!(server.hits().is_empty());
    drop(held);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_targets_toml_names_file_line_and_key() {
    let ws = Workspace::new(
        "[crawl]\nrate = \"1/s\"\n\n[[target]]\nid = \"a\"\nname = \"A\"\nseeds = [\"http://127.0.0.1/\"]\nrat = \"2/s\"\n",
    );
    let output = ws.run(&["crawl"]).await;
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("targets.toml:8"), "{message}");
    assert!(message.contains("rat"), "{message}");
    let output = ws.run(&["check"]).await;
    assert_eq!(output.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn check_prints_the_plan() {
    let ws = Workspace::new(
        &(fast_crawl("") + &target("winninc", "http://127.0.0.1:9/", "rate = \"2/s\"")),
    );
    let output = ws.run(&["check"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let plan = stdout(&output);
    assert!(
        plan.contains("winninc") && plan.contains("2/s") && plan.contains("http://127.0.0.1:9/"),
        "{plan}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn only_crawls_the_named_targets() {
    let servers = Server::start_many(
        &["127.0.0.2", "127.0.0.3"],
        vec![
            routes(vec![("/", page(&[], "one"))]),
            routes(vec![("/", page(&[], "two"))]),
        ],
    )
    .await;
    let ws = Workspace::new(
        &(fast_crawl("")
            + &target("one", &servers[0].url("/"), "")
            + &target("two", &servers[1].url("/"), "")),
    );
    let output = ws.run(&["crawl", "--target", "two"]).await;
    assert_eq!(output.status.code(), Some(0));
    assert!(servers[0].hits().is_empty());
    assert_eq!(servers[1].count("/"), 1);
    // The older spelling, which cron lines use, still works.
    let output = ws.run(&["crawl", "--only", "two"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(servers[0].hits().is_empty());
    assert_eq!(servers[1].count("/"), 2);
    let output = ws.run(&["crawl", "--target", "nope"]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("nope"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_watch_list_longer_than_a_client_generation_is_crawled_whole() {
    // Targets get their task as a slot frees, and the HTTP clients are renewed every 64
    // targets at concurrency 2: every target is still crawled once, and none fails.
    const TARGETS: usize = 150;
    let handler: Handler = Arc::new(|path: &str| {
        if path.starts_with("/t") {
            page(&[], &format!("the page of {path}"))
        } else {
            Reply::not_found()
        }
    });
    let server = Server::start("127.0.0.1", 0, handler)
        .await
        .expect("server");
    let mut config = String::from(
        "[crawl]\nrate = \"1000/s\"\nburst = 50\ntimeout = \"5s\"\nconcurrency = 2\nmax_pages = 1\n",
    );
    for i in 0..TARGETS {
        config += &target(&format!("t{i}"), &server.url(&format!("/t{i}/")), "");
    }
    let ws = Workspace::new(&config);
    let output = crawl_ok(&ws).await;
    for i in 0..TARGETS {
        assert_eq!(server.count(&format!("/t{i}/")), 1, "target t{i}");
        let line = summary_line(&output, &format!("t{i}"));
        assert!(!line.contains("FAILED"), "{line}");
    }
}
