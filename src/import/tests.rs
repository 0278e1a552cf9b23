//! Unit tests of the import: the two list formats read from real-shaped files, the plan
//! against an existing watch-list, and re-importing.

use std::path::Path;

use super::*;
use crate::config::Config;

const FTM: &str = include_str!("../../tests/it/fixtures/opensanctions.ftm.json");
const CSL: &str = include_str!("../../tests/it/fixtures/csl.csv");

/// A watch-list as people write them: comments, odd spacing, no newline at the end.
const EXISTING: &str = "# our watch-list\n[crawl]\nrate = \"1/s\"   # polite\n\n\
[[target]]\nid = \"sinno\"\nname = \"Sinno\"\nseeds = [\"https://www.sinno-tech.example/\"]\n\n\
[[manufacturer]]\nname = \"Texas Instruments\"\n\n\
[[target]]\nid = \"kometa\"\nname   =   \"Kometa\"\nseeds = [\"https://kometa-old.example/\"]\n\
list_refs = [{ dataset = \"ru_fsin\", entity_id = \"ru-fsin-kometa-old\" }]";

fn ftm() -> ListFile {
    ftm::read(FTM.as_bytes(), Path::new("entities.ftm.json")).expect("the fixture reads")
}

fn csl() -> ListFile {
    csl::read(CSL.as_bytes(), Path::new("csl.csv")).expect("the fixture reads")
}

fn entity<'a>(file: &'a ListFile, name: &str) -> &'a ListedEntity {
    file.entities
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no {name:?} in {:#?}", file.entities))
}

fn urls(e: &ListedEntity) -> Vec<&str> {
    e.websites.iter().map(url::Url::as_str).collect()
}

#[test]
fn ftm_parties_with_their_sanctions() {
    let file = ftm();
    assert_eq!(file.entities.len(), 7, "parties only");
    assert_eq!(file.other_records, 3, "a sanction, an address, a vessel");

    let winninc = entity(&file, "Shenzhen Winninc Electronics Co., Ltd.");
    assert_eq!(winninc.kind, "Company");
    assert_eq!(
        winninc.aliases,
        ["Winninc Electronics", "深圳稳联电子有限公司"]
    );
    assert_eq!(winninc.countries, ["CN"]);
    assert_eq!(
        urls(winninc),
        [
            "http://www.winninc.example/",
            "https://en.winninc.example/products/"
        ]
    );
    assert_eq!(
        winninc.email_domains,
        ["winninc-mail.example"],
        "163.com is free mail"
    );
    assert_eq!(winninc.topics, ["export.control"]);
    assert_eq!(winninc.other_ids.len(), 1);
    let listing = &winninc.list_refs[..];
    assert_eq!(listing.len(), 1);
    assert_eq!(listing[0].dataset.as_deref(), Some("us_trade_csl"));
    assert_eq!(
        listing[0].entity_id.as_deref(),
        Some("NK-4vWy8Tz2hP6qRm3kXcD9aB")
    );
    assert_eq!(
        listing[0].list.as_deref(),
        Some("Entity List (EL) - Bureau of Industry and Security")
    );
    assert_eq!(listing[0].programs, ["EAR"]);
    assert_eq!(
        listing[0].federal_register_notice.as_deref(),
        Some("85 FR 34495")
    );
    assert_eq!(listing[0].start_date.as_deref(), Some("2020-06-05"));

    let sinno = entity(&file, "Sinno Technology Group Limited");
    assert_eq!(sinno.kind, "Organization");
    assert_eq!(sinno.countries, ["HK", "CN"]);
    assert_eq!(
        sinno.list_refs[0].programs,
        ["RUSSIA-EO14024"],
        "a nested sanction"
    );
    assert_eq!(sinno.list_refs[0].start_date.as_deref(), Some("2023-05-19"));

    let radiokomp = entity(&file, "ООО Радиокомп");
    assert_eq!(radiokomp.list_refs.len(), 2, "one listing per data set");
    assert_eq!(
        radiokomp.list_refs[1].dataset.as_deref(),
        Some("gb_hmt_sanctions")
    );
    assert_eq!(radiokomp.list_refs[1].programs, ["RUSSIA-EO14024"]);

    assert!(entity(&file, "Ivan Petrov").websites.is_empty());
    assert!(entity(&file, "Ivan Petrov").email_domains.is_empty());
    let no_site = entity(&file, "Northwind Parts Trading Ltd");
    assert_eq!(no_site.email_domains, ["northwind-parts.example"]);
}

#[test]
fn ftm_lines_that_are_not_entities_are_errors_with_their_line() {
    let text = "{\"id\":\"a\",\"schema\":\"Company\",\"properties\":{\"name\":[\"A\"]}}\n\n{oops\n";
    match ftm::read(text.as_bytes(), Path::new("x.json")) {
        Err(e) => assert!(
            e.to_string().starts_with("x.json:3: not a FollowTheMoney"),
            "{e}"
        ),
        Ok(file) => panic!("read {file:?}"),
    }
}

#[test]
fn csl_rows_with_quoted_cells_lists_and_websites_in_ids_and_remarks() {
    let file = csl();
    assert_eq!(file.entities.len(), 6);
    let acme = entity(&file, "Acme (HK) Trading Co., Ltd.");
    assert_eq!(acme.kind, "Entity");
    assert_eq!(
        acme.aliases,
        ["Acme HK", "阿克米贸易有限公司", "Acme \"Golden\" Trading"]
    );
    assert_eq!(acme.countries, ["HK", "CN"]);
    assert_eq!(urls(acme), ["http://www.acme-trading.example/"]);
    assert_eq!(acme.email_domains, ["acmemail.example"]);
    let listing = &acme.list_refs[0];
    assert_eq!(
        listing.list.as_deref(),
        Some("Entity List (EL) - Bureau of Industry and Security")
    );
    assert_eq!(
        listing.entity_id.as_deref(),
        Some("c3a1f0e2b7d94b6e8f1a2b3c4d5e6f70")
    );
    assert_eq!(
        listing.federal_register_notice.as_deref(),
        Some("85 FR 34495")
    );
    assert_eq!(listing.start_date.as_deref(), Some("2020-06-05"));
    assert_eq!(listing.programs, ["EAR"]);

    let petro = entity(&file, "PETRO PARTS SUPPLY LLC");
    assert_eq!(
        urls(petro),
        [
            "http://www.petro-parts.example/",
            "http://petroparts.example.ru/"
        ],
        "two websites in the remarks, across a line break"
    );
    assert_eq!(petro.email_domains, ["petro-parts.example"]);
    assert_eq!(
        petro.list_refs[0].programs,
        ["RUSSIA-EO14024", "IRAN-EO13846"]
    );
    assert_eq!(petro.list_refs[0].start_date, None);
    assert_eq!(petro.countries, ["RU"]);

    let zhang = entity(&file, "ZHANG, Wei");
    assert!(zhang.websites.is_empty());
    assert_eq!(zhang.countries, ["CN"]);
    assert_eq!(
        entity(&file, "Polar Star LLC").email_domains,
        ["polarstar.example"]
    );
}

#[test]
fn a_csv_without_names_is_not_the_list() {
    let err = csl::read("a,b\n1,2\n".as_bytes(), Path::new("x.csv")).expect_err("no name");
    assert!(err.to_string().contains("no `name` column"), "{err}");
}

#[test]
fn new_targets_are_appended_and_the_file_kept_byte_for_byte() {
    let plan = plan(EXISTING, Path::new("targets.toml"), ftm(), ListFormat::Ftm).expect("plan");
    assert!(plan.new_text.starts_with(EXISTING));
    assert_eq!(&plan.new_text[EXISTING.len()..EXISTING.len() + 2], "\n\n");
    let ids: Vec<&str> = plan.added.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["shenzhen-winninc-electronics", "radiokomp"]);

    let present: Vec<(&str, &str, &str)> = plan
        .present
        .iter()
        .map(|p| (p.entity.name.as_str(), p.target_id.as_str(), p.why.as_str()))
        .collect();
    assert_eq!(
        present,
        [
            (
                "Sinno Technology Group Limited",
                "sinno",
                "same website host sinno-tech.example"
            ),
            (
                "Winninc (HK) Limited",
                "shenzhen-winninc-electronics",
                "same website host winninc.example"
            ),
            ("Kometa JSC", "kometa", "same entity id ru-fsin-kometa-old"),
        ]
    );
    let without: Vec<&str> = plan
        .without_website
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(without, ["Ivan Petrov", "Northwind Parts Trading Ltd"]);

    let config = Config::parse(&plan.new_text, Path::new("targets.toml")).expect("valid");
    assert_eq!(config.targets.len(), 4);
    let winninc = &config.targets[2];
    assert_eq!(winninc.name, "Shenzhen Winninc Electronics Co., Ltd.");
    assert_eq!(winninc.country.as_deref(), Some("CN"));
    assert_eq!(winninc.tags, ["export.control"]);
    assert_eq!(
        winninc.seeds.len(),
        2,
        "the email domain stays commented out"
    );
    assert_eq!(
        winninc.list_refs[0].federal_register_notice.as_deref(),
        Some("85 FR 34495")
    );
    assert!(plan.new_text.contains(
        "  # \"http://winninc-mail.example/\",  # an email domain, not checked: uncomment to crawl it\n"
    ));
    assert!(plan.new_text.contains(
        "# Imported from FollowTheMoney entities: Company NK-4vWy8Tz2hP6qRm3kXcD9aB\n[[target]]\n"
    ));
    let radiokomp = &config.targets[3];
    assert_eq!(radiokomp.name, "ООО Радиокомп");
    assert_eq!(radiokomp.aliases, ["Radiokomp LLC", "Радиокомп"]);
}

#[test]
fn re_importing_changes_nothing() {
    for (format, file) in [
        (ListFormat::Ftm, ftm as fn() -> ListFile),
        (ListFormat::Csl, csl),
    ] {
        let first = plan(EXISTING, Path::new("t.toml"), file(), format).expect("first");
        assert!(!first.added.is_empty());
        let again = plan(&first.new_text, Path::new("t.toml"), file(), format).expect("again");
        assert!(again.added.is_empty(), "{format:?}: {:?}", again.added);
        assert_eq!(again.new_text, first.new_text);
        assert_eq!(again.present.len(), first.present.len() + first.added.len());
        assert_eq!(unified_diff(&again.old_text, &again.new_text, "t.toml"), "");
    }
}

#[test]
fn the_same_entity_gets_the_same_id_in_any_file() {
    let alone = plan("", Path::new("t.toml"), csl(), ListFormat::Csl).expect("plan");
    let ids: Vec<&str> = alone.added.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "acme-hk-trading",
            "petro-parts-supply",
            "winninc-electronics"
        ]
    );
    // An existing target that took the slug: the newcomer's id is the slug and its own digest.
    let taken = "[[target]]\nid = \"acme-hk-trading\"\nname = \"Other\"\nseeds = [\"https://other.example/\"]\n";
    let clash = plan(taken, Path::new("t.toml"), csl(), ListFormat::Csl).expect("plan");
    let again = plan(taken, Path::new("t.toml"), csl(), ListFormat::Csl).expect("plan");
    assert!(clash.added[0].id.starts_with("acme-hk-trading-"));
    assert_eq!(clash.added[0].id, again.added[0].id);
    assert!(
        alone
            .new_text
            .starts_with("# Imported from the Consolidated Screening List: Entity")
    );
}

#[test]
fn an_existing_list_reference_covers_an_entity() {
    let existing = "[[target]]\nid = \"acme\"\nname = \"Acme\"\nseeds = [\"https://acme-other.example/\"]\n\n\
        [[target.list_refs]]\nlist = \"Entity List (EL) - Bureau of Industry and Security\"\n\
        entity_id = \"C3A1F0E2B7D94B6E8F1A2B3C4D5E6F70\"\n";
    let plan = plan(existing, Path::new("t.toml"), csl(), ListFormat::Csl).expect("plan");
    let acme = plan
        .present
        .iter()
        .find(|p| p.target_id == "acme")
        .expect("covered");
    assert!(
        acme.why.starts_with("same list reference Entity List"),
        "{}",
        acme.why
    );
}

#[test]
fn names_toml_must_escape_are_written_safely() {
    let file = ListFile {
        entities: vec![ListedEntity {
            source_id: "x\n[[target]]".into(),
            kind: "Company".into(),
            name: "Back\\slash \"Quoted\" 'Name'\nLtd".into(),
            aliases: vec!["Tab\there".into()],
            websites: vec![url::Url::parse("http://odd.example/").expect("a URL")],
            ..ListedEntity::default()
        }],
        other_records: 0,
    };
    let plan = plan("", Path::new("t.toml"), file, ListFormat::Ftm).expect("plan");
    let config = Config::parse(&plan.new_text, Path::new("t.toml")).expect("valid");
    assert_eq!(config.targets.len(), 1, "{}", plan.new_text);
    assert_eq!(config.targets[0].name, "Back\\slash \"Quoted\" 'Name'\nLtd");
    assert_eq!(config.targets[0].aliases, ["Tab\there"]);
}

#[test]
fn a_bad_watch_list_is_reported_not_overwritten() {
    let err = plan(
        "[[target]]\nid = 1\n",
        Path::new("t.toml"),
        csl(),
        ListFormat::Csl,
    )
    .expect_err("bad file");
    assert!(err.to_string().starts_with("t.toml:2:"), "{err}");
}
