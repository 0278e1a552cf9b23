//! Evidence out of the store: WARC files and case bundles read back by an independent reader
//! (warcio), the custody log and `verify` against a store damaged by hand, and every read
//! command on a read-only copy of a store.

mod custody;
mod read_only;
mod warc;
mod warcio;

use std::sync::atomic::Ordering;

use crate::support::*;

/// The about page before and after the site took its military claim down; the products page
/// never changes (so its second capture is a revisit), the news page is served gzip-encoded.
pub const ABOUT_BEFORE: &str = "<html><head><title>About Acme</title></head><body><nav><a href=\"/products.html\">Products</a> <a href=\"/news.html\">News</a></nav><p>Acme is a top distributor for industrial, military, aerospace, and consumer electronics manufacturers.</p><p>Founded in 2009.</p></body></html>";
pub const ABOUT_AFTER: &str = "<html><head><title>About Acme</title></head><body><nav><a href=\"/products.html\">Products</a> <a href=\"/news.html\">News</a></nav><p>Acme is a top distributor for industrial and consumer electronics manufacturers.</p><p>Founded in 2009.</p></body></html>";
const PRODUCTS: &str = "<html><head><title>Products</title></head><body><p>Op amps, regulators and RF transceivers.</p><a href=\"/\">About</a></body></html>";
const NEWS: &str =
    "<html><head><title>News</title></head><body><p>Our new catalogue is out.</p></body></html>";

fn gzip(text: &str) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(text.as_bytes()).expect("gzip to memory");
    encoder.finish().expect("gzip to memory")
}

/// A site crawled twice, its military claim taken down in between: one flag.
pub async fn crawled_twice() -> (Workspace, Server) {
    let news = Reply {
        status: 200,
        headers: vec![
            ("content-type".into(), "text/html; charset=utf-8".into()),
            ("content-encoding".into(), "gzip".into()),
        ],
        body: gzip(NEWS),
    };
    let (handler, version) = versioned(vec![
        (
            "/",
            vec![Reply::html(ABOUT_BEFORE), Reply::html(ABOUT_AFTER)],
        ),
        ("/products.html", vec![Reply::html(PRODUCTS)]),
        ("/news.html", vec![news]),
        (
            "/robots.txt",
            vec![Reply::bytes(
                "text/plain",
                b"User-agent: *\nDisallow: /private\n".to_vec(),
            )],
        ),
    ]);
    let server = Server::start("127.0.0.1", 0, handler)
        .await
        .expect("start the test server");
    let ws = Workspace::new(&(fast_crawl("") + &target("acme", &server.url("/"), "")));
    crawl_ok(&ws).await;
    version.store(1, Ordering::SeqCst);
    let second = ws.run(&["crawl"]).await;
    assert_eq!(
        second.status.code(),
        Some(1),
        "the second crawl should flag the removal: {} {}",
        stdout(&second),
        stderr(&second)
    );
    (ws, server)
}

/// Runs the binary and asserts it exited 0.
pub async fn run_ok(ws: &Workspace, args: &[&str]) -> std::process::Output {
    let output = ws.run(args).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?} failed: {} {}",
        stdout(&output),
        stderr(&output)
    );
    output
}

/// Edits a stored capture record as someone who read docs/contract.md could: JSON as it is, a
/// delta (0x01, its base's id, a zstd frame with the base's JSON as dictionary) decoded and
/// encoded again on the same base. The deltas built on an edited base are encoded again on the
/// edited one, so that only the record edited reads differently.
pub fn edit_record(captures: &sled::Tree, id: u64, edit: impl Fn(String) -> String) {
    let key = id.to_be_bytes();
    let stored = captures.get(key).expect("reads").expect("the capture");
    if stored[0] != b'{' {
        assert_eq!(stored[0], 0x01, "a delta");
        let base = captures
            .get(&stored[1..9])
            .expect("reads")
            .expect("the base");
        let json = edit(String::from_utf8(delta_decode(&stored[9..], &base)).expect("JSON"));
        let frame = delta_encode(json.as_bytes(), &base);
        captures
            .insert(key, [&stored[..9], &frame[..]].concat())
            .expect("write");
        return;
    }
    let edited = edit(String::from_utf8(stored.to_vec()).expect("JSON")).into_bytes();
    let dependents: Vec<(sled::IVec, Vec<u8>)> = captures
        .iter()
        .map(|entry| entry.expect("reads"))
        .filter(|(_, value)| value[0] == 0x01 && value[1..9] == key)
        .map(|(k, value)| (k, delta_decode(&value[9..], &stored)))
        .collect();
    captures.insert(key, edited.as_slice()).expect("write");
    for (dependent, json) in dependents {
        let frame = delta_encode(&json, &edited);
        captures
            .insert(dependent, [&[0x01][..], &key[..], &frame[..]].concat())
            .expect("write");
    }
}

fn delta_decode(frame: &[u8], base: &[u8]) -> Vec<u8> {
    zstd::bulk::Decompressor::with_dictionary(base)
        .expect("a decompressor")
        .decompress(frame, 1 << 20)
        .expect("decodes on its base")
}

fn delta_encode(json: &[u8], base: &[u8]) -> Vec<u8> {
    zstd::bulk::Compressor::with_dictionary(3, base)
        .expect("a compressor")
        .compress(json)
        .expect("encodes on its base")
}
