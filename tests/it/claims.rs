//! Claims, change detection and flags, end to end, in English, Simplified and Traditional
//! Chinese and Russian: one test per rule of docs/contract.md "What is and is not a change".

use std::sync::atomic::Ordering;

use crate::support::*;
use serde_json::Value;

/// One script's sentences: a claim, a rewording that keeps its term (most of the wording
/// shared), one that drops it, and neutral text.
struct Script {
    name: &'static str,
    rule: &'static str,
    claim: &'static str,
    reworded: &'static str,
    dropped: &'static str,
    neutral: &'static str,
    /// The claim with its width and case changed (same claim to a reader).
    restyled: &'static str,
    partner: &'static str,
}

const SCRIPTS: [Script; 4] = [
    Script {
        name: "en",
        rule: "military-en",
        claim: "Winninc is a top distributor for industrial, military, aerospace, and consumer electronics manufacturers.",
        reworded: "Winninc is a leading distributor for industrial, military and aerospace manufacturers.",
        dropped: "Winninc is a top distributor for industrial and consumer electronics manufacturers.",
        neutral: "Founded in 2009 in Hong Kong.",
        restyled: "WINNINC is a TOP distributor for industrial,  military,  aerospace, and consumer electronics manufacturers.",
        partner: "Sinno is a cooperative partner of Texas Instruments.",
    },
    Script {
        name: "zh-Hans",
        rule: "military-zh-hans",
        claim: "我们是GJB军工级元器件的专业供应商。",
        reworded: "我们是军工级元器件的专业供应商和代理商。",
        dropped: "我们是工业级元器件的专业供应商。",
        neutral: "公司成立于2005年。",
        restyled: "我们是ＧＪＢ军工级元器件的专业供应商。",
        partner: "我们是德州仪器授权代理商。",
    },
    Script {
        name: "zh-Hant",
        rule: "military-zh-hant",
        claim: "我們是軍工級元器件的專業供應商。",
        reworded: "我們是軍工級元器件和模組的專業供應商。",
        dropped: "我們是工業級元器件的專業供應商。",
        neutral: "公司成立於2005年。",
        restyled: "我們是軍工級元器件的專業供應商。",
        partner: "我們是德州儀器授權代理商。",
    },
    Script {
        name: "ru",
        rule: "military-ru",
        claim: "Мы поставляем компоненты для предприятий оборонной промышленности.",
        reworded: "Мы поставляем электронные компоненты предприятиям оборонной промышленности России.",
        dropped: "Мы поставляем компоненты для промышленных предприятий.",
        neutral: "Компания основана в 2005 году.",
        restyled: "МЫ ПОСТАВЛЯЕМ компоненты для предприятий   оборонной промышленности.",
        partner: "Мы являемся официальным дистрибьютором Texas Instruments.",
    },
];

fn html(body: &str) -> Reply {
    Reply::html(format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Company</title></head><body>\
         <nav><a href=\"/\">Home</a> <a href=\"/about.html\">About</a> <a href=\"/company.html\">Company</a> <a href=\"/zh-hant.html\">繁體</a></nav>{body}</body></html>"
    ))
}

fn p(text: &str) -> String {
    format!("<p>{text}</p>")
}

/// Serves `pages` (path → one body per version), crawls once per version, and returns the
/// workspace and each crawl's exit code.
async fn crawl_versions(
    pages: Vec<(&str, Vec<Reply>)>,
    versions: usize,
    extra_toml: &str,
) -> (Workspace, Vec<i32>, Server) {
    let (handler, version) = versioned(pages);
    let server = Server::start("127.0.0.1", 0, handler)
        .await
        .expect("server");
    let ws = Workspace::new(&(fast_crawl("") + &target("site", &server.url("/"), "") + extra_toml));
    let mut codes = Vec::new();
    for v in 0..versions {
        version.store(v, Ordering::SeqCst);
        let output = ws.run(&["crawl"]).await;
        codes.push(output.status.code().unwrap_or(-1));
        assert_ne!(
            output.status.code(),
            Some(2),
            "crawl {v} failed: {} {}",
            stdout(&output),
            stderr(&output)
        );
    }
    (ws, codes, server)
}

fn home() -> (&'static str, Vec<Reply>) {
    ("/", vec![html("<h1>Home</h1>")])
}

fn of_type<'a>(flags: &'a [Value], flag_type: &str) -> Vec<&'a Value> {
    flags
        .iter()
        .filter(|f| f["flag_type"] == flag_type)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn removal_is_flagged_in_every_script() {
    for s in &SCRIPTS {
        let about = vec![html(&(p(s.claim) + &p(s.neutral))), html(&p(s.neutral))];
        let (ws, codes, server) = crawl_versions(vec![home(), ("/about.html", about)], 2, "").await;
        assert_eq!(
            codes,
            [0, 1],
            "{}: baseline raises nothing, the removal raises a flag",
            s.name
        );
        let flags = flags_json(&ws).await;
        assert_eq!(flags.len(), 1, "{}: {flags:#?}", s.name);
        let flag = &flags[0];
        assert_eq!(flag["flag_type"], "claim_removed", "{}", s.name);
        assert_eq!(flag["scope"], "site");
        assert_eq!(flag["category"], "military");
        assert_eq!(flag["severity"], "high");
        assert_eq!(flag["claim"]["rule"], s.rule);
        assert_eq!(flag["claim"]["text"], s.claim);
        assert_eq!(flag["url"], server.url("/about.html"));
        assert_eq!(flag["schema_version"], 1);
        assert!(flag["before"]["sha256"].is_string() && flag["after"]["sha256"].is_string());
        assert_ne!(flag["before"]["sha256"], flag["after"]["sha256"]);
        assert_eq!(flag["after"]["http_status"], 200);
        assert_eq!(flag["review"]["status"], "unreviewed");
        assert!(flag["claim"]["manufacturer"].is_null());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn addition_is_flagged_in_every_script() {
    for s in &SCRIPTS {
        let about = vec![html(&p(s.neutral)), html(&(p(s.neutral) + &p(s.claim)))];
        let (ws, codes, _server) =
            crawl_versions(vec![home(), ("/about.html", about)], 2, "").await;
        assert_eq!(codes, [0, 1], "{}", s.name);
        let flags = flags_json(&ws).await;
        assert_eq!(flags.len(), 1, "{}: {flags:#?}", s.name);
        assert_eq!(flags[0]["flag_type"], "claim_added");
        assert_eq!(flags[0]["scope"], "site");
        assert_eq!(flags[0]["claim"]["text"], s.claim);
        assert!(
            flags[0]["before"].is_object(),
            "the page had a good capture before"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rewording_that_keeps_the_term_is_a_change_not_a_removal() {
    for s in &SCRIPTS {
        let about = vec![
            html(&(p(s.claim) + &p(s.neutral))),
            html(&(p(s.reworded) + &p(s.neutral))),
        ];
        let (ws, _codes, _server) =
            crawl_versions(vec![home(), ("/about.html", about)], 2, "").await;
        let flags = flags_json(&ws).await;
        assert_eq!(flags.len(), 1, "{}: {flags:#?}", s.name);
        assert_eq!(flags[0]["flag_type"], "claim_changed", "{}", s.name);
        assert_eq!(flags[0]["scope"], "page");
        assert_eq!(flags[0]["severity"], "low");
        assert_eq!(flags[0]["claim"]["text"], s.reworded);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rewording_that_drops_the_term_is_a_removal() {
    for s in &SCRIPTS {
        let about = vec![html(&p(s.claim)), html(&p(s.dropped))];
        let (ws, _codes, _server) =
            crawl_versions(vec![home(), ("/about.html", about)], 2, "").await;
        let flags = flags_json(&ws).await;
        assert_eq!(flags.len(), 1, "{}: {flags:#?}", s.name);
        assert_eq!(flags[0]["flag_type"], "claim_removed", "{}", s.name);
        assert_eq!(flags[0]["claim"]["text"], s.claim);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn claim_moving_to_another_page_is_no_site_removal() {
    for s in &SCRIPTS {
        let about = vec![html(&(p(s.claim) + &p(s.neutral))), html(&p(s.neutral))];
        let company = vec![html(&p("Contact")), html(&(p("Contact") + &p(s.claim)))];
        let (ws, codes, _server) = crawl_versions(
            vec![home(), ("/about.html", about), ("/company.html", company)],
            2,
            "",
        )
        .await;
        let flags = flags_json(&ws).await;
        assert!(
            flags.iter().all(|f| f["scope"] != "site"),
            "{}: a moved claim raised a site flag: {flags:#?}",
            s.name
        );
        assert!(
            flags.is_empty(),
            "{}: the site says the same thing: {flags:#?}",
            s.name
        );
        assert_eq!(codes, [0, 0]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn page_gone_404_removes_its_claims() {
    for s in &SCRIPTS {
        let about = vec![html(&p(s.claim)), Reply::not_found()];
        let (ws, codes, _server) =
            crawl_versions(vec![home(), ("/about.html", about)], 2, "").await;
        assert_eq!(codes, [0, 1], "{}", s.name);
        let flags = flags_json(&ws).await;
        assert_eq!(flags.len(), 1, "{}: {flags:#?}", s.name);
        assert_eq!(flags[0]["flag_type"], "claim_removed");
        assert_eq!(flags[0]["scope"], "site");
        assert_eq!(flags[0]["after"]["http_status"], 404);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn challenge_page_and_500_then_the_old_page_raise_no_flag() {
    let challenge = Reply::html(
        "<html><head><title>Just a moment...</title></head><body><p>Checking your browser before accessing.</p></body></html>",
    );
    for s in &SCRIPTS {
        let page = html(&(p(s.claim) + &p(s.neutral)));
        let about = vec![page.clone(), challenge.clone(), page.clone()];
        let company = vec![page.clone(), Reply::status(500), page.clone()];
        let (ws, codes, server) = crawl_versions(
            vec![home(), ("/about.html", about), ("/company.html", company)],
            3,
            "",
        )
        .await;
        assert_eq!(codes, [0, 0, 0], "{}", s.name);
        assert!(flags_json(&ws).await.is_empty(), "{}", s.name);
        let history = stdout(&ws.run(&["history", &server.url("/about.html")]).await);
        assert!(history.contains("blocked"), "{}: {history}", s.name);
        let history = stdout(&ws.run(&["history", &server.url("/company.html")]).await);
        assert!(history.contains("500 http"), "{}: {history}", s.name);
    }
}

/// The same page in another charset: a change of bytes, not of text.
fn encoded(body: &str, encoding: &'static encoding_rs::Encoding) -> Reply {
    let page = format!(
        "<!DOCTYPE html><html><head><meta charset=\"{}\"><title>Company</title></head><body><div><span>{body}</span></div></body></html>",
        encoding.name()
    );
    Reply::bytes("text/html", encoding.encode(&page).0.into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn markup_width_case_and_encoding_changes_are_not_changes() {
    for (s, encoding) in SCRIPTS.iter().zip([
        encoding_rs::WINDOWS_1252,
        encoding_rs::GB18030,
        encoding_rs::BIG5,
        encoding_rs::WINDOWS_1251,
    ]) {
        let about = vec![
            html(&(p(s.claim) + &p(s.neutral))),
            encoded(
                &format!("{}<br> <b></b>{}", s.restyled, s.neutral),
                encoding,
            ),
        ];
        let (ws, codes, server) = crawl_versions(vec![home(), ("/about.html", about)], 2, "").await;
        assert!(flags_json(&ws).await.is_empty(), "{}", s.name);
        assert_eq!(codes, [0, 0]);
        let history = stdout(&ws.run(&["history", &server.url("/about.html")]).await);
        let digests: std::collections::HashSet<&str> = history
            .lines()
            .skip(1)
            .filter_map(|l| {
                l.split_whitespace()
                    .find(|w| w.len() == 64 && w.chars().all(|c| c.is_ascii_hexdigit()))
            })
            .collect();
        assert_eq!(
            digests.len(),
            2,
            "{}: the bytes did change: {history}",
            s.name
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn claims_only_in_a_meta_description_or_alt_text_are_found() {
    for s in &SCRIPTS {
        let with = Reply::html(format!(
            "<html><head><meta name=\"description\" content=\"{}\"><title>Company</title></head><body><p>{}</p><img src=\"/a.png\" alt=\"{}\"></body></html>",
            s.claim, s.neutral, s.reworded
        ));
        let without = Reply::html(format!(
            "<html><head><meta name=\"description\" content=\"{}\"><title>Company</title></head><body><p>{}</p><img src=\"/a.png\" alt=\"\"></body></html>",
            s.neutral, s.neutral
        ));
        let (ws, _codes, _server) = crawl_versions(vec![("/", vec![with, without])], 1, "").await;
        let claims = stdout(&ws.run(&["claims", "site"]).await);
        assert!(claims.contains("meta_description"), "{}: {claims}", s.name);
        assert!(claims.contains("alt"), "{}: {claims}", s.name);
        assert!(
            claims.contains(s.claim) && claims.contains(s.reworded),
            "{}: {claims}",
            s.name
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn removal_of_a_claim_only_in_meta_or_alt_is_flagged() {
    let s = &SCRIPTS[0];
    let with = Reply::html(format!(
        "<html><head><meta name=\"description\" content=\"{}\"></head><body><p>{}</p><img src=\"/a.png\" alt=\"{}\"></body></html>",
        s.claim, s.neutral, s.reworded
    ));
    let without = Reply::html(format!(
        "<html><head></head><body><p>{}</p></body></html>",
        s.neutral
    ));
    let (ws, codes, _server) = crawl_versions(vec![("/", vec![with, without])], 2, "").await;
    assert_eq!(codes, [0, 1]);
    let flags = flags_json(&ws).await;
    assert_eq!(of_type(&flags, "claim_removed").len(), 2, "{flags:#?}");
}

const MAKERS: &str = "\n[[manufacturer]]\nname = \"Texas Instruments\"\naliases = [\"TI\", \"德州仪器\", \"德州儀器\"]\nauthorized = [\"mouser.com\", \"digikey.com\"]\nsource = \"https://www.ti.example/distributors\"\n";

#[tokio::test(flavor = "multi_thread")]
async fn partner_claim_for_a_maker_with_an_authorized_list_that_leaves_the_site_out() {
    for s in &SCRIPTS {
        let partners = vec![html(&p(s.partner))];
        let (ws, codes, _server) =
            crawl_versions(vec![home(), ("/about.html", partners)], 2, MAKERS).await;
        assert_eq!(codes, [1, 0], "{}: raised once, at the first crawl", s.name);
        let flags = flags_json(&ws).await;
        assert_eq!(flags.len(), 1, "{}: {flags:#?}", s.name);
        let flag = &flags[0];
        assert_eq!(flag["flag_type"], "partner_unverified");
        assert_eq!(flag["category"], "partner");
        assert!(flag["before"].is_null());
        assert_eq!(flag["claim"]["manufacturer"]["name"], "Texas Instruments");
        assert_eq!(flag["claim"]["manufacturer"]["allowlist"], "not_listed");
        assert_eq!(
            flag["claim"]["manufacturer"]["source"],
            "https://www.ti.example/distributors"
        );
        assert_eq!(flag["claim"]["text"], s.partner);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn partner_claim_for_a_maker_without_a_list_or_listing_the_site_is_not_flagged() {
    for s in &SCRIPTS {
        let partners = vec![html(&p(s.partner))];
        // No authorized list: unknown, never "unverified".
        let (ws, codes, _server) =
            crawl_versions(vec![home(), ("/about.html", partners.clone())], 1, "").await;
        assert_eq!(codes, [0], "{}", s.name);
        assert!(flags_json(&ws).await.is_empty());
        // A list that holds the site's host: listed.
        let listed = MAKERS.replace("\"mouser.com\"", "\"127.0.0.1\"");
        let (ws, codes, _server) =
            crawl_versions(vec![home(), ("/about.html", partners)], 1, &listed).await;
        assert_eq!(codes, [0], "{}", s.name);
        assert!(flags_json(&ws).await.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn partner_claim_removal_names_the_maker() {
    let s = &SCRIPTS[0];
    let about = vec![html(&(p(s.partner) + &p(s.neutral))), html(&p(s.neutral))];
    let (ws, codes, _server) =
        crawl_versions(vec![home(), ("/about.html", about)], 2, MAKERS).await;
    assert_eq!(codes, [1, 1]);
    let flags = flags_json(&ws).await;
    let removed = of_type(&flags, "claim_removed");
    assert_eq!(removed.len(), 1, "{flags:#?}");
    assert_eq!(removed[0]["category"], "partner");
    assert_eq!(removed[0]["severity"], "high");
    assert_eq!(
        removed[0]["claim"]["manufacturer"]["name"],
        "Texas Instruments"
    );
}

/// Noise every real site carries: dates, counters, tokens, rotating news, session links.
fn noisy(version: usize, s: &Script) -> Reply {
    let news = [
        "New warehouse opened",
        "Holiday schedule",
        "Price list updated",
    ][version % 3];
    html(&format!(
        "<script>var csrf='{version:08x}deadbeef';</script>{}{}\
         <aside><h3>News</h3><p>{news}</p></aside>\
         <a href=\"/about.html?sid={version}&utm_source=n{version}\">About</a>\
         <footer><p>Updated 2026-11-{:02}. Visitors: {}.</p><input type=\"hidden\" name=\"t\" value=\"{version}\"></footer>",
        p(s.claim),
        p(s.neutral),
        version + 1,
        10_000 + version * 731,
    ))
}

#[tokio::test(flavor = "multi_thread")]
async fn three_crawls_of_noisy_sites_raise_no_flags() {
    let mut pages = vec![];
    for (i, s) in SCRIPTS.iter().enumerate() {
        pages.push((
            ["/", "/about.html", "/company.html", "/zh-hant.html"][i],
            (0..3).map(|v| noisy(v, s)).collect::<Vec<_>>(),
        ));
    }
    let mut pages_ref: Vec<(&str, Vec<Reply>)> = pages;
    pages_ref.push((
        "/robots.txt",
        vec![Reply::bytes(
            "text/plain",
            b"User-agent: *\nAllow: /\n".to_vec(),
        )],
    ));
    let (ws, codes, _server) = crawl_versions(pages_ref, 3, "").await;
    assert_eq!(codes, [0, 0, 0]);
    assert!(flags_json(&ws).await.is_empty());
    let claims = stdout(&ws.run(&["claims"]).await);
    assert!(claims.contains("current claims"), "{claims}");
}

#[tokio::test(flavor = "multi_thread")]
async fn flags_are_stable_printed_once_by_new_and_exported_in_every_format() {
    let s = &SCRIPTS[0];
    let about = vec![html(&p(s.claim)), html(&p(s.neutral))];
    let (handler, version) = versioned(vec![home(), ("/about.html", about)]);
    let server = Server::start("127.0.0.1", 0, handler)
        .await
        .expect("server");
    let ws = Workspace::new(&(fast_crawl("") + &target("site", &server.url("/"), "")));
    assert_eq!(ws.run(&["crawl"]).await.status.code(), Some(0));
    version.store(1, Ordering::SeqCst);
    let output = ws.run(&["crawl"]).await;
    assert_eq!(output.status.code(), Some(1));
    let summary = stdout(&output);
    assert!(
        summary.contains("claim_removed") && summary.contains(s.claim),
        "the summary names the new flag: {summary}"
    );

    let first = flags_json(&ws).await;
    assert_eq!(first.len(), 1);
    // A third crawl of the unchanged page: no new flag, the same id.
    let output = ws.run(&["crawl"]).await;
    assert_eq!(output.status.code(), Some(0));
    let again = flags_json(&ws).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0]["flag_id"], first[0]["flag_id"]);

    // One case, its flag a line under it, the flag's reason under that.
    let new = stdout(&ws.run(&["flags", "--new"]).await);
    assert_eq!(
        new.lines().filter(|l| l.starts_with("case ")).count(),
        1,
        "{new}"
    );
    assert_eq!(
        new.lines().filter(|l| l.contains(" id ")).count(),
        1,
        "{new}"
    );
    assert!(
        new.contains("why: no page of the site carries it now"),
        "{new}"
    );
    let new = stdout(&ws.run(&["flags", "--new"]).await);
    assert_eq!(new.lines().count(), 0, "{new}");

    let csv = stdout(&ws.run(&["flags", "--format", "csv"]).await);
    let mut lines = csv.split("\r\n");
    assert!(
        lines
            .next()
            .unwrap_or_default()
            .starts_with("schema_version,flag_id,flag_type")
    );
    assert!(csv.contains("claim_removed"));
    let ftm = stdout(&ws.run(&["flags", "--format", "ftm"]).await);
    let schemas: Vec<String> = ftm
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("ftm lines are JSON")["schema"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert!(
        schemas.contains(&"Company".to_string())
            && schemas.contains(&"Note".to_string())
            && schemas.contains(&"HyperText".to_string()),
        "{schemas:?}"
    );

    let since = stdout(&ws.run(&["flags", "--since", "2999-01-01"]).await);
    assert!(since.is_empty());
    let other = stdout(&ws.run(&["flags", "--target", "other"]).await);
    assert!(other.is_empty());

    let diff = stdout(&ws.run(&["diff", &server.url("/about.html")]).await);
    assert!(diff.contains("- p: ") && diff.contains("◀ claim"), "{diff}");
    assert!(!diff.contains('\u{1b}'), "no colour when not on a terminal");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_claim_leaving_one_pages_main_content_while_another_page_keeps_it_is_a_low_page_flag() {
    for s in &SCRIPTS {
        let main = |body: String| html(&format!("<div class=\"content\">{body}</div>"));
        let home = vec![main(p(s.claim) + &p("Welcome."))];
        let about = vec![
            main(p(s.claim) + &p(s.neutral) + &p("Contact us for details.")),
            main(p(s.neutral) + &p("Contact us for details.")),
        ];
        let (ws, codes, server) =
            crawl_versions(vec![("/", home), ("/about.html", about)], 2, "").await;
        let flags = flags_json(&ws).await;
        assert_eq!(flags.len(), 1, "{}: {flags:#?}", s.name);
        assert_eq!(codes, [0, 1], "{}", s.name);
        let flag = &flags[0];
        assert_eq!(flag["flag_type"], "claim_removed", "{}", s.name);
        assert_eq!(flag["scope"], "page");
        assert_eq!(flag["severity"], "low");
        assert_eq!(flag["url"], server.url("/about.html"));
        let reason = flag["reason"].as_str().unwrap_or_default();
        assert!(
            reason.contains("left the main content of this page")
                && reason.contains("on 1 other page"),
            "{}: {reason}",
            s.name
        );
    }
}
