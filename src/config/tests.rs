//! Unit tests of reading `targets.toml`: accepted files, every kind of rejection and its
//! message, and the printed plan.

use std::path::Path;
use std::time::Duration;

use url::Url;

use super::*;

const FULL: &str = r#"# a watch-list
[crawl]
rate = "2/s"
burst = 3
concurrency = 4
max_pages = 50
max_depth = 2
timeout = "20s"
max_body = "1 MiB"
user_agent = "claimwatch/0.1 (+mailto:ops@example.org)"
respect_robots = true
retries = 3
max_retry_wait = "2m"
max_crawl_delay = "10s"

[[target]]
id = "winninc"
name = "Winninc Electronics Co., Limited"
seeds = ["https://www.winninc.example/#top", "https://www.winninc.example/", "http://shop.winninc.example/a"]
aliases = ["Winninc", "稳联"]
country = "HK"
tags = ["distributor"]
list_refs = ["entity-list:2024"]
include = ["^https://www\\.winninc\\.example/"]
exclude = ["\\.pdf$"]
allow_hosts = ["*.Winninc.example", "cdn.example.net"]
rate = "30/m"
max_pages = 500
timeout = "45s"
max_body = "500KB"
respect_robots = false

[[target]]
id = "local-test"
name = "Local"
seeds = ["http://127.0.0.1:8080/"]

[[manufacturer]]
name = "Texas Instruments"
aliases = ["TI", "德州仪器"]
domains = ["TI.com"]
authorized = ["mouser.com", "digikey.com"]
source = "https://www.ti.com/distributors"

[[manufacturer]]
name = "Analog Devices"
domains = ["analog.com"]

[[rule]]
id = "radar-parts"
category = "military"
terms = ["radar", "S-400"]

[[rule]]
id = "gjb-regex"
category = "military"
regex = "GJB\\s*\\d+"
"#;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("targets.toml"))
}

/// The error message for `text`, which must be rejected.
fn err(text: &str) -> String {
    match parse(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

fn assert_err(text: &str, line: usize, needles: &[&str]) {
    let msg = err(text);
    let at = format!("targets.toml:{line}:");
    assert!(msg.starts_with(&at), "expected {at:?} in {msg:?}");
    for n in needles {
        assert!(msg.contains(n), "expected {n:?} in {msg:?}");
    }
}

/// A minimal valid target, for appending broken bits to.
const T: &str = "[[target]]\nid = \"a\"\nname = \"A\"\nseeds = [\"https://a.example/\"]\n";

fn target_with(extra: &str) -> String {
    format!("{T}{extra}\n")
}

#[test]
fn full_file_parses_with_overrides() {
    let c = parse(FULL).expect("valid");
    assert_eq!(c.path, Path::new("targets.toml"));
    assert_eq!(c.crawl.rate.count, 2);
    assert_eq!(c.crawl.rate.per, Duration::from_secs(1));
    assert_eq!(c.crawl.burst, 3);
    assert_eq!(c.crawl.concurrency, 4);
    assert_eq!(c.crawl.max_body, 1024 * 1024);
    assert_eq!(c.crawl.retries, 3);
    assert_eq!(c.crawl.max_retry_wait, Duration::from_secs(120));
    assert_eq!(c.crawl.max_crawl_delay, Duration::from_secs(10));
    assert_eq!(
        c.crawl.user_agent,
        "claimwatch/0.1 (+mailto:ops@example.org)"
    );

    assert_eq!(c.targets.len(), 2);
    let t = &c.targets[0];
    assert_eq!(t.id, "winninc");
    assert_eq!(t.line, 16);
    let seeds: Vec<&str> = t.seeds.iter().map(Url::as_str).collect();
    assert_eq!(
        seeds,
        [
            "https://www.winninc.example/",
            "http://shop.winninc.example/a"
        ]
    );
    assert_eq!(t.aliases, ["Winninc", "稳联"]);
    assert_eq!(t.country.as_deref(), Some("HK"));
    assert_eq!(t.tags, ["distributor"]);
    assert_eq!(t.list_refs[0].list.as_deref(), Some("entity-list:2024"));
    assert!(t.include[0].is_match("https://www.winninc.example/x"));
    assert!(t.exclude[0].is_match("https://www.winninc.example/x.pdf"));
    assert_eq!(t.allow_hosts, ["*.winninc.example", "cdn.example.net"]);
    assert!(!t.allow_private);
    assert!(!t.private_allowed());

    let s = &t.settings;
    assert_eq!(s.rate.to_string(), "30/m");
    assert_eq!(s.burst, 3, "inherited from [crawl]");
    assert_eq!(s.max_pages, 500);
    assert_eq!(s.max_depth, 2, "inherited from [crawl]");
    assert_eq!(s.timeout, Duration::from_secs(45));
    assert_eq!(s.max_body, 500_000);
    assert!(!s.respect_robots);
    assert_eq!(s.concurrency, 4);

    let local = &c.targets[1];
    assert_eq!(local.line, 33);
    assert_eq!(local.settings, CrawlSettings { ..c.crawl.clone() });
    assert!(local.private_allowed());

    assert_eq!(c.manufacturers.len(), 2);
    let ti = &c.manufacturers[0];
    assert_eq!(ti.domains, ["ti.com"]);
    assert_eq!(
        ti.authorized.as_deref(),
        Some(&["mouser.com".to_string(), "digikey.com".to_string()][..])
    );
    assert_eq!(
        ti.source.as_deref(),
        Some("https://www.ti.com/distributors")
    );
    assert_eq!(c.manufacturers[1].authorized, None);

    assert_eq!(c.rules.len(), 2);
    assert_eq!(c.rules[0].terms, ["radar", "S-400"]);
    assert!(c.rules[0].regex.is_none());
    assert!(
        c.rules[1]
            .regex
            .as_ref()
            .is_some_and(|r| r.is_match("GJB 548"))
    );
}

#[test]
fn defaults_apply_without_crawl_section() {
    let c = parse(T).expect("valid");
    assert_eq!(c.crawl, CrawlSettings::default());
    let s = &c.targets[0].settings;
    assert_eq!(s.rate.to_string(), "1/s");
    assert_eq!(s.burst, 1);
    assert_eq!(s.concurrency, 8);
    assert_eq!(s.max_pages, 100);
    assert_eq!(s.max_depth, 3);
    assert_eq!(s.timeout, Duration::from_secs(30));
    assert_eq!(s.max_body, 5 * 1024 * 1024);
    assert_eq!(s.user_agent, DEFAULT_USER_AGENT);
    assert!(s.respect_robots);
    assert_eq!(s.retries, 2);
    assert_eq!(s.max_retry_wait, Duration::from_secs(60));
    assert_eq!(s.max_crawl_delay, Duration::from_secs(30));
}

#[test]
fn rate_parses_and_displays() {
    for (text, shown, interval_ms) in [
        ("2/s", "2/s", 500),
        ("30/m", "30/m", 2_000),
        ("1/h", "1/h", 3_600_000),
        ("1 / s", "1/s", 1_000),
        ("2/sec", "2/s", 500),
        ("1/second", "1/s", 1_000),
        ("4 /seconds", "4/s", 250),
        ("10/min", "10/m", 6_000),
        ("10 / minute", "10/m", 6_000),
        ("30/minutes", "30/m", 2_000),
        ("2/hour", "2/h", 1_800_000),
        ("60/hours", "60/h", 60_000),
        ("10/MIN", "10/m", 6_000),
    ] {
        let r: Rate = text.parse().expect("valid rate");
        assert_eq!(r.to_string(), shown, "{text:?}");
        assert_eq!(r.interval(), Duration::from_millis(interval_ms), "{text:?}");
    }
    for bad in [
        "",
        "fast",
        "0/s",
        "1/x",
        "-1/s",
        "+1/s",
        "0.5/s",
        "1/",
        "/s",
        "1/ms",
        "1/2s",
        "1/day",
        "1 per second",
    ] {
        assert!(bad.parse::<Rate>().is_err(), "{bad:?} accepted");
    }
}

#[test]
fn unknown_key_in_crawl() {
    assert_err(&format!("[crawl]\nrat = \"1/s\"\n{T}"), 2, &["`rat`"]);
}

#[test]
fn unknown_key_in_target() {
    assert_err(&target_with("seedz = []"), 5, &["`seedz`"]);
}

#[test]
fn unknown_top_level_table() {
    assert_err(
        &format!("{T}\n[settings]\nrate = \"1/s\"\n"),
        6,
        &["`settings`"],
    );
}

#[test]
fn bad_rates() {
    assert_err(
        &target_with("rate = \"fast\""),
        5,
        &[
            "`rate`",
            "bad rate \"fast\"",
            "\"N/s\", \"N/m\" or \"N/h\" (or sec",
        ],
    );
    assert_err(&target_with("rate = \"0/s\""), 5, &["`rate`", "at least 1"]);
    let msg = err(&format!("[crawl]\n\nrate = \"1/x\"\n{T}"));
    assert_eq!(
        msg,
        "targets.toml:3: `rate`: bad rate \"1/x\": expected a count per unit, \"N/s\", \"N/m\" or \
         \"N/h\" (or sec, second, min, minute, hour)"
    );
}

#[test]
fn bad_burst() {
    assert_err(&target_with("burst = 0"), 5, &["`burst`", "at least 1"]);
}

#[test]
fn bad_timeout() {
    assert_err(
        &format!("[crawl]\ntimeout = \"forever\"\n{T}"),
        2,
        &["`timeout`", "\"forever\""],
    );
    assert_err(&target_with("timeout = \"0s\""), 5, &["`timeout`", "zero"]);
    assert_err(
        &target_with("timeout = \"11m\""),
        5,
        &["`timeout`", "too long"],
    );
}

#[test]
fn bad_max_body() {
    assert_err(
        &target_with("max_body = \"lots\""),
        5,
        &["`max_body`", "\"lots\""],
    );
    assert_err(
        &target_with("max_body = \"0B\""),
        5,
        &["`max_body`", "zero"],
    );
    assert_err(
        &target_with("max_body = \"2GiB\""),
        5,
        &["`max_body`", "too large"],
    );
}

#[test]
fn bad_crawl_only_settings() {
    assert_err(
        &format!("[crawl]\nconcurrency = 0\n{T}"),
        2,
        &["`concurrency`"],
    );
    assert_err(
        &format!("[crawl]\nconcurrency = 257\n{T}"),
        2,
        &["`concurrency`"],
    );
    assert_err(&format!("[crawl]\nretries = 11\n{T}"), 2, &["`retries`"]);
    assert_err(
        &format!("[crawl]\nuser_agent = \" \"\n{T}"),
        2,
        &["`user_agent`"],
    );
    assert_err(
        &format!("[crawl]\nuser_agent = \"bot\\tv1\"\n{T}"),
        2,
        &["`user_agent`"],
    );
    // Only [crawl] sets these.
    assert_err(&target_with("concurrency = 2"), 5, &["`concurrency`"]);
}

#[test]
fn bad_include_regex() {
    assert_err(
        &target_with("include = [\"ok\", \"(\"]"),
        5,
        &["`include`", "bad regex \"(\"", "unclosed group"],
    );
    let msg = err(&target_with("exclude = [\"[a-\"]"));
    assert!(msg.contains("`exclude`") && !msg.contains('\n'), "{msg:?}");
}

#[test]
fn duplicate_target_id() {
    let text = format!("{T}\n{T}");
    let msg = err(&text);
    assert_eq!(
        msg,
        "targets.toml:7: `id`: duplicate id \"a\" (first at line 2)"
    );
}

#[test]
fn bad_id() {
    let text = T.replace("id = \"a\"", "id = \"Win Inc\"");
    assert_err(&text, 2, &["`id`", "\"Win Inc\""]);
}

#[test]
fn missing_seeds() {
    assert_err(
        "\n[[target]]\nid = \"a\"\nname = \"A\"\n",
        2,
        &["`seeds`", "missing"],
    );
}

#[test]
fn missing_id_and_name() {
    assert_err(
        "[[target]]\nname = \"A\"\nseeds = [\"https://a/\"]\n",
        1,
        &["`id`"],
    );
    assert_err(
        "[[target]]\nid = \"a\"\nseeds = [\"https://a/\"]\n",
        1,
        &["`name`"],
    );
    assert_err(&T.replace("\"A\"", "\" \""), 3, &["`name`", "empty"]);
}

#[test]
fn non_http_seed() {
    let text = T.replace("https://a.example/", "ftp://x");
    assert_err(&text, 4, &["`seeds`", "\"ftp://x\"", "http"]);
    let text = T.replace("https://a.example/", "www.example.com");
    assert_err(&text, 4, &["`seeds`", "https://www.example.com"]);
}

#[test]
fn empty_seeds() {
    let text = T.replace("[\"https://a.example/\"]", "[]");
    assert_err(&text, 4, &["`seeds`", "empty"]);
}

#[test]
fn bad_allow_hosts() {
    assert_err(
        &target_with("allow_hosts = [\"http://x.com/\"]"),
        5,
        &["`allow_hosts`", "\"http://x.com/\"", "without scheme"],
    );
    assert_err(
        &target_with("allow_hosts = [\"x.com:8080\"]"),
        5,
        &["`allow_hosts`"],
    );
    assert_err(
        &target_with("allow_hosts = [\"*.10.0.0.1\"]"),
        5,
        &["`allow_hosts`"],
    );
    assert_err(&target_with("allow_hosts = [\"\"]"), 5, &["`allow_hosts`"]);
    let c = parse(&target_with(
        "allow_hosts = [\"Shop.Example.COM.\", \"*.b.example\"]",
    ))
    .expect("valid");
    assert_eq!(
        c.targets[0].allow_hosts,
        ["shop.example.com", "*.b.example"]
    );
    assert_eq!(
        c.targets[0].scope_hosts(),
        ["a.example", "shop.example.com", "*.b.example"]
    );
}

#[test]
fn no_targets() {
    assert_err("", 1, &["`target`", "at least one"]);
    assert_err("[crawl]\nrate = \"1/s\"\n", 1, &["`target`"]);
}

#[test]
fn rule_without_terms_or_regex() {
    let text = format!("{T}\n[[rule]]\nid = \"r\"\ncategory = \"military\"\n");
    assert_err(&text, 6, &["`terms`", "regex"]);
    let text = format!("{T}\n[[rule]]\nid = \"r\"\ncategory = \"military\"\nterms = []\n");
    assert_err(&text, 9, &["`terms`"]);
}

#[test]
fn rule_with_empty_term() {
    let text = format!(
        "{T}\n[[rule]]\nid = \"r\"\ncategory = \"military\"\nterms = [\n  \"radar\",\n  \" \",\n]\n"
    );
    assert_err(&text, 11, &["`terms`", "empty term"]);
}

#[test]
fn rule_with_duplicate_term() {
    let text = format!(
        "{T}\n[[rule]]\nid = \"r\"\ncategory = \"military\"\nterms = [\"Radar\", \"radar\"]\n"
    );
    assert_err(&text, 9, &["`terms`", "duplicate term"]);
}

#[test]
fn rule_checks() {
    let rule = |body: &str| format!("{T}\n[[rule]]\n{body}\n");
    assert_err(
        &rule("id = \"r\"\ncategory = \"Mil\"\nterms = [\"x\"]"),
        8,
        &["`category`"],
    );
    assert_err(
        &rule("id = \"r\"\nterms = [\"x\"]"),
        6,
        &["`category`", "missing"],
    );
    assert_err(
        &rule("id = \"r\"\ncategory = \"m\"\nregex = \"(\""),
        9,
        &["`regex`", "bad regex"],
    );
}

#[test]
fn duplicate_rule_id() {
    let r = "[[rule]]\nid = \"r\"\ncategory = \"military\"\nterms = [\"radar\"]\n";
    let text = format!("{T}\n{r}\n{r}");
    assert_err(&text, 12, &["`id`", "duplicate id \"r\"", "line 7"]);
}

#[test]
fn duplicate_manufacturer() {
    let text = format!(
        "{T}\n[[manufacturer]]\nname = \"Texas Instruments\"\n\n[[manufacturer]]\nname = \"texas instruments\"\n"
    );
    assert_err(&text, 10, &["`name`", "duplicate manufacturer", "line 7"]);
    let text = format!("{T}\n[[manufacturer]]\nname = \"X\"\ndomains = [\"https://x.com\"]\n");
    assert_err(&text, 8, &["`domains`"]);
}

#[test]
fn wrong_type() {
    let msg = err(&target_with("rate = 5"));
    assert!(msg.starts_with("targets.toml:5: `rate`:"), "{msg:?}");
    assert!(msg.contains("string"), "{msg:?}");
}

#[test]
fn invalid_toml_syntax() {
    let msg = err(&format!("{T}max_pages = = 3\n"));
    assert!(msg.starts_with("targets.toml:5:"), "{msg:?}");
    let msg = err("[[target]]\nid = \"a\nname = \"A\"\n");
    assert!(msg.starts_with("targets.toml:2:"), "{msg:?}");
    let msg = err(&format!("{T}id = \"b\"\n"));
    assert!(
        msg.starts_with("targets.toml:5:") && msg.contains("id"),
        "{msg:?}"
    );
}

fn seeded(seed: &str, extra: &str) -> Target {
    let text = T.replace("https://a.example/", seed) + extra;
    match parse(&text) {
        Ok(mut c) => c.targets.remove(0),
        Err(e) => panic!("{seed}: {e}"),
    }
}

#[test]
fn private_allowed() {
    assert!(seeded("http://127.0.0.2/", "").private_allowed());
    assert!(seeded("http://localhost:8080/", "").private_allowed());
    assert!(seeded("http://LOCALHOST/", "").private_allowed());
    assert!(seeded("http://10.1.2.3/", "").private_allowed());
    assert!(seeded("http://192.168.0.1/", "").private_allowed());
    assert!(seeded("http://172.16.5.4/", "").private_allowed());
    assert!(seeded("http://100.64.0.1/", "").private_allowed());
    assert!(seeded("http://[::1]/", "").private_allowed());
    assert!(seeded("http://[fd00::1]/", "").private_allowed());
    assert!(!seeded("http://169.254.169.254/", "").private_allowed());
    assert!(!seeded("http://[fe80::1]/", "").private_allowed());
    assert!(!seeded("http://172.32.0.1/", "").private_allowed());
    assert!(!seeded("https://www.example.com/", "").private_allowed());
    let t = seeded("https://www.example.com/", "allow_private = true\n");
    assert!(t.allow_private);
    assert!(t.private_allowed());
}

#[test]
fn plan_mentions_everything() {
    let c = parse(FULL).expect("valid");
    let plan = c.describe_plan();
    for needle in [
        "targets.toml",
        "winninc",
        "Winninc Electronics Co., Limited",
        "https://www.winninc.example/",
        "*.winninc.example",
        "30/m burst 3",
        "500",
        "45s",
        "488.3 KiB",
        "1.0 MiB",
        "robots:    off",
        "private addresses: allowed",
        "private addresses: not allowed",
        "\\.pdf$",
        "listed:    entity-list:2024",
        "2 targets, 2 manufacturers, 2 extra rules",
    ] {
        assert!(plan.contains(needle), "{needle:?} not in plan:\n{plan}");
    }
}

#[test]
fn load_reports_missing_file() {
    let missing = Path::new("/nonexistent/claimwatch/targets.toml");
    match Config::load(missing) {
        Err(e @ ConfigError::Read { .. }) => {
            let message = e.to_string();
            assert!(
                message.contains("/nonexistent/claimwatch/targets.toml"),
                "{message}"
            );
            assert_eq!(
                message.matches("No such file or directory").count(),
                1,
                "the cause once: {message}"
            );
            assert!(std::error::Error::source(&e).is_none(), "{message}");
        }
        other => panic!("expected a read error, got {other:?}"),
    }
}
