//! Unit tests of the FtM export: ids, the entities and their links, what the watch-list and
//! the store add, and the delta of a run. The `followthemoney` package checks the same output
//! in the integration tests.

use std::collections::HashSet;
use std::path::Path;

use super::*;
use crate::config::Config;
use crate::flags::record::*;
use crate::flags::sample::*;

fn bare() -> Context<'static> {
    Context {
        targets: &[],
        evidence: &NoEvidence,
    }
}

fn render(flags: &[Flag], context: &Context<'_>) -> String {
    let mut buf = Vec::new();
    write(flags, context, &mut buf).unwrap();
    String::from_utf8(buf).unwrap()
}

fn parsed(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn ftm_entities_are_well_formed_and_deduplicated() {
    let mut flags = flags();
    // A second target whose id FtM would reject as is.
    let mut other = flags[0].clone();
    other.flag_id = "f3".into();
    other.target = FlagTarget {
        id: "acme_parts-".into(),
        name: "Acme Parts Ltd".into(),
    };
    other.before = None;
    other.after = capture("303", at(2026, 11, 28, 3, 0, 0));
    flags.push(other);

    let out = render(&flags, &bare());
    let id_syntax = regex::Regex::new(r"^[0-9a-zA-Z]([0-9a-zA-Z.\-]*[0-9a-zA-Z])?$").unwrap();
    let entities: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut ids = HashSet::new();
    for e in &entities {
        let id = e["id"].as_str().unwrap();
        assert!(id_syntax.is_match(id), "{id}");
        assert!(ids.insert(id.to_owned()), "{id} twice");
        assert!(e["schema"].is_string());
        let props = e["properties"].as_object().unwrap();
        for (name, values) in props {
            let values = values.as_array().unwrap();
            assert!(!values.is_empty(), "{name}");
            assert!(values.iter().all(|v| v.is_string()), "{name}");
        }
    }

    let schemas: Vec<&str> = entities
        .iter()
        .map(|e| e["schema"].as_str().unwrap())
        .collect();
    assert_eq!(
        schemas,
        [
            "Company",
            "Company",
            "HyperText",
            "HyperText",
            "HyperText",
            "Documentation",
            "Documentation",
            "Documentation",
            "Note",
            "Note",
            "Note",
            "Mention"
        ]
    );
    assert_eq!(entities[1]["id"], "claimwatch-company-acme.5fparts.2d");
    assert_eq!(
        entities[0]["properties"]["name"][0],
        "Winninc Electronics Co., Limited"
    );

    let note = |flag_id: &str| {
        entities
            .iter()
            .find(|e| e["id"] == format!("claimwatch-flag-{flag_id}"))
            .unwrap()
    };
    let n1 = note("f1");
    assert_eq!(n1["properties"]["entity"][0], "claimwatch-company-winninc");
    assert_eq!(
        n1["properties"]["proof"],
        serde_json::json!(["claimwatch-capture-202", "claimwatch-capture-101"])
    );
    assert_eq!(n1["properties"]["createdAt"][0], "2026-11-28T02:00:02");
    assert_eq!(
        n1["properties"]["description"][0],
        "claim_removed (site, military, high): We supply military customers. Why: no page of \
         the site carries it now: 3 good pages compared."
    );
    let n2 = note("f2");
    let description = n2["properties"]["description"][0].as_str().unwrap();
    assert!(!description.contains('\n'));
    assert!(
        description.ends_with("[manufacturer: Texas Instruments, not_listed] [review: dismissed]")
    );
    assert_eq!(n2["properties"]["notes"][0], TRICKY);
    assert_eq!(note("f3")["properties"]["entity"][0], entities[1]["id"]);

    let hypertext = &entities[2];
    assert_eq!(hypertext["id"], "claimwatch-capture-202");
    assert_eq!(
        hypertext["properties"]["retrievedAt"][0],
        "2026-11-28T02:00:02"
    );
    assert!(
        hypertext["properties"].get("contentHash").is_none(),
        "no store, no hash"
    );
    assert_eq!(
        entities[0]["properties"]["sourceUrl"][0], "https://www.winninc.example/",
        "the site, not the flagged page"
    );
    let documentation = &entities[5];
    assert_eq!(
        documentation["properties"]["document"][0],
        "claimwatch-capture-202"
    );
    assert_eq!(
        documentation["properties"]["entity"][0],
        "claimwatch-company-winninc"
    );
    let mention = &entities[11];
    assert_eq!(
        mention["properties"]["document"][0],
        "claimwatch-capture-202"
    );
    assert_eq!(mention["properties"]["name"][0], "Texas Instruments");
}

#[test]
fn ftm_id_part_is_safe_and_injective() {
    assert_eq!(ftm_id_part("winninc"), "winninc");
    assert_eq!(ftm_id_part("a-b_c"), "a-b.5fc");
    assert_eq!(ftm_id_part("a."), "a.2e");
    assert_eq!(ftm_id_part("x-"), "x.2d");
    assert_ne!(ftm_id_part("a_"), ftm_id_part("a.5f"));
    assert_eq!(ftm_id_part("é"), ".c3.a9");
}

const WATCH_LIST: &str = r#"
[[target]]
id = "winninc"
name = "Winninc Electronics Co., Limited"
aliases = ["Winninc", "稳联"]
country = "HK"
tags = ["entity-list"]
seeds = ["https://www.winninc.example/en/", "http://shop.winninc.example/", "https://www.winninc.example/"]
list_refs = ["BIS Entity List, 2022", { dataset = "us_trade_csl", entity_id = "NK-4vWy8", list = "Entity List (EL) - Bureau of Industry and Security", programs = ["EAR"], federal_register_notice = "85 FR 34495", start_date = "2020-06-05", url = "https://www.bis.doc.gov/" }]
"#;

/// The store's answers, made up.
struct Facts;

impl Evidence for Facts {
    fn capture(&self, capture_id: &str) -> Option<CaptureFacts> {
        (capture_id == "202").then(|| CaptureFacts {
            url: Some("https://www.winninc.example/about.html".into()),
            final_url: Some("https://www.winninc.example/en/about.html".into()),
            content_type: Some("text/html; charset=GBK".into()),
            encoding: Some("gb18030".into()),
            size: Some(5120),
            sha1: Some(content_hash(b"<html>")),
        })
    }
}

#[test]
fn the_watch_list_and_the_store_fill_in_what_the_flags_do_not_hold() {
    let config = Config::parse(WATCH_LIST, Path::new("targets.toml")).unwrap();
    let context = Context {
        targets: &config.targets,
        evidence: &Facts,
    };
    let entities = parsed(&render(&flags(), &context));
    let company = &entities[0]["properties"];
    assert_eq!(company["name"][0], "Winninc Electronics Co., Limited");
    assert_eq!(company["alias"], serde_json::json!(["Winninc", "稳联"]));
    assert_eq!(company["country"], serde_json::json!(["hk"]));
    assert_eq!(company["keywords"], serde_json::json!(["entity-list"]));
    assert_eq!(
        company["website"],
        serde_json::json!([
            "https://www.winninc.example/",
            "http://shop.winninc.example/"
        ])
    );
    assert_eq!(
        company["sourceUrl"],
        serde_json::json!(["https://www.winninc.example/"])
    );

    let sanctions: Vec<&serde_json::Value> = entities
        .iter()
        .filter(|e| e["schema"] == "Sanction")
        .collect();
    assert_eq!(sanctions.len(), 2);
    assert_eq!(
        sanctions[0]["properties"]["authority"][0],
        "BIS Entity List, 2022"
    );
    let csl = &sanctions[1]["properties"];
    assert_eq!(csl["entity"][0], "claimwatch-company-winninc");
    assert_eq!(csl["authorityId"][0], "85 FR 34495");
    assert_eq!(csl["recordId"][0], "NK-4vWy8");
    assert_eq!(csl["publisher"][0], "us_trade_csl");
    assert_eq!(csl["program"][0], "EAR");
    assert_eq!(csl["startDate"][0], "2020-06-05");

    let page = entities
        .iter()
        .find(|e| e["id"] == "claimwatch-capture-202")
        .unwrap();
    let page = &page["properties"];
    assert_eq!(
        page["contentHash"][0],
        "0fe0bb445f51fad57f3fc4115d7c66cf18545107"
    );
    assert_eq!(page["mimeType"][0], "text/html");
    assert_eq!(page["encoding"][0], "gb18030");
    assert_eq!(page["fileSize"][0], "5120");
    assert_eq!(
        page["sourceUrl"][0],
        "https://www.winninc.example/about.html"
    );
    assert_eq!(
        page["notes"][0],
        "Redirected to https://www.winninc.example/en/about.html"
    );
    let older = entities
        .iter()
        .find(|e| e["id"] == "claimwatch-capture-101")
        .unwrap();
    assert!(older["properties"].get("contentHash").is_none());
}

#[test]
fn a_delta_holds_only_what_the_new_flags_add() {
    let flags = flags();
    let full: Vec<serde_json::Value> = parsed(&render(&flags, &bare()));
    let new = HashSet::from(["f2".to_string()]);
    let mut buf = Vec::new();
    write_delta(&flags, &new, &bare(), &mut buf).unwrap();
    let delta = parsed(&String::from_utf8(buf).unwrap());
    let ids: Vec<&str> = delta.iter().map(|e| e["id"].as_str().unwrap()).collect();
    // The company and capture 202 came with f1; f2 adds its note and its mention.
    assert_eq!(
        ids,
        [
            "claimwatch-flag-f2",
            "claimwatch-capture-202-mentions-e7d8144d0e2f"
        ]
    );
    for entity in &delta {
        assert!(
            full.contains(entity),
            "{entity} differs from the full export"
        );
    }
    let mut none = Vec::new();
    write_delta(&flags, &HashSet::new(), &bare(), &mut none).unwrap();
    assert!(none.is_empty());
}
