//! Real pages in legacy encodings, served without a charset from hosts under the top-level
//! domains whose priors pull detection towards one script, crawled by the binary: each capture
//! must record an encoding that reads the page as its known encoding does.
//!
//! The pages are the chardet project's test files beside the checkout
//! (`../shared/corpora/charsets`, one folder per true encoding); the test skips, saying so,
//! when they are absent.

use std::path::Path;

use encoding_rs::Encoding;

use crate::support::*;

/// Folders of encodings the WHATWG standard knows, and the encoding their files must read as.
const FOLDERS: &[(&str, &str)] = &[
    ("Big5", "Big5"),
    ("GB2312", "gb18030"),
    ("IBM866", "IBM866"),
    ("KOI8-R", "KOI8-R"),
    ("MacCyrillic", "x-mac-cyrillic"),
    ("iso-8859-1", "windows-1252"),
    ("windows-1252", "windows-1252"),
    ("iso-8859-5-bulgarian", "ISO-8859-5"),
    ("iso-8859-5-russian", "ISO-8859-5"),
    ("windows-1251-bulgarian", "windows-1251"),
    ("windows-1251-russian", "windows-1251"),
    ("utf-8", "UTF-8"),
];

const DOMAINS: &[&str] = &["com", "ru", "cn", "tw", "hk"];

/// Every served page: its path on the server, its bytes and the encoding it is in.
struct Page {
    path: String,
    bytes: Vec<u8>,
    truth: &'static Encoding,
}

fn corpus_pages(root: &Path) -> Vec<Page> {
    let mut pages = Vec::new();
    for (folder, label) in FOLDERS {
        let truth = Encoding::for_label(label.as_bytes()).expect("a WHATWG label");
        let Ok(files) = std::fs::read_dir(root.join(folder)) else {
            continue;
        };
        let mut files: Vec<_> = files.flatten().map(|f| f.path()).collect();
        files.sort();
        for (i, file) in files.iter().enumerate() {
            let Ok(bytes) = std::fs::read(file) else {
                continue;
            };
            pages.push(Page {
                path: format!("/{folder}/{i}.html"),
                bytes,
                truth,
            });
        }
    }
    pages
}

#[tokio::test(flavor = "multi_thread")]
async fn corpus_pages_served_without_a_charset_are_read_right_under_every_domain() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/charsets");
    if !root.is_dir() {
        eprintln!("SKIPPED: no corpus at {}", root.display());
        return;
    }
    // Nearly a thousand pages read in a debug build keep a core busy for half a minute.
    let _turn = heavy_test_turn().await;
    let pages = corpus_pages(&root);
    assert!(
        pages.len() > 150,
        "the corpus looks incomplete: {} pages",
        pages.len()
    );
    let server = serve(
        pages
            .iter()
            .map(|p| (p.path.as_str(), Reply::bytes("text/html", p.bytes.clone())))
            .collect(),
    )
    .await;
    let port = server.addr.port();
    let mut toml = String::from(
        "[crawl]\nrate = \"1000/s\"\nburst = 100\ntimeout = \"5s\"\nmax_depth = 0\nmax_pages = 500\n",
    );
    let mut resolve = Vec::new();
    for tld in DOMAINS {
        let host = format!("shop.example.{tld}");
        let seeds: Vec<String> = pages
            .iter()
            .map(|p| format!("\"http://{host}:{port}{}\"", p.path))
            .collect();
        toml += &format!(
            "[[target]]\nid = \"{tld}\"\nname = \"{tld}\"\nseeds = [{}]\nallow_private = true\n",
            seeds.join(", ")
        );
        resolve.push(format!("{host}=127.0.0.1"));
    }
    let ws = Workspace::new(&toml);
    let mut args = Vec::new();
    for r in &resolve {
        args.extend(["--resolve", r.as_str()]);
    }
    args.push("crawl");
    let crawl = ws.run(&args).await;
    assert_eq!(crawl.status.code(), Some(0), "{}", stderr(&crawl));

    let store = ws.open_store();
    let mut wrong = Vec::new();
    let mut read = 0;
    for tld in DOMAINS {
        for page in &pages {
            let url = format!("http://shop.example.{tld}:{port}{}", page.path);
            let captures = store.captures_for_url(&url).expect("read captures");
            let Some(capture) = captures.last() else {
                wrong.push(format!("{url}: not captured"));
                continue;
            };
            read += 1;
            let recorded = capture
                .encoding
                .as_deref()
                .and_then(|e| Encoding::for_label(e.as_bytes()));
            let Some(recorded) = recorded else {
                wrong.push(format!("{url}: no encoding recorded ({capture:?})"));
                continue;
            };
            // Right means the right text: encodings that agree on every byte of a page are
            // equally right for it.
            let strip = |s: &str| s.trim_start_matches('\u{FEFF}').to_string();
            let got = strip(&recorded.decode(&page.bytes).0);
            if got != strip(&page.truth.decode(&page.bytes).0) {
                wrong.push(format!("{url}: read as {}", recorded.name()));
            }
        }
    }
    assert_eq!(read, pages.len() * DOMAINS.len(), "{}", wrong.join("\n"));
    assert!(
        wrong.is_empty(),
        "{} of {read} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
