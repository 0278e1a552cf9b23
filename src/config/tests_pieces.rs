//! A long watch-list read in pieces reads exactly as it does whole: the same targets in the
//! same order, and the same message at the same line for every mistake.

use std::path::Path;

use super::pieces::{Kind, PIECE, read_in_pieces_of, read_pieces, sections};
use super::raw::RawFile;
use super::source::Source;
use super::{Config, ConfigError};

/// The file read whole and read in pieces of two targets, each as the config or the message
/// it gives.
fn whole_and_in_pieces(text: &str) -> (String, String) {
    let source = Source::new(text, Path::new("targets.toml"));
    let show = |read: Result<Config, ConfigError>| match read {
        Ok(config) => format!("{config:?}"),
        Err(e) => format!("error: {e}"),
    };
    let whole = toml::from_str::<RawFile>(text)
        .map_err(|e| source.syntax(&e))
        .and_then(|raw| source.config(&raw, true));
    (show(whole), show(read_in_pieces_of(&source, true, 2)))
}

/// Were the pieces read (rather than the file whole, after they failed)?
fn read_in_pieces(text: &str) -> bool {
    let source = Source::new(text, Path::new("targets.toml"));
    sections(text).is_some_and(|s| read_pieces(&source, &s, 2).is_some())
}

fn target(n: usize) -> String {
    format!(
        "[[target]]\nid = \"t{n}\"\nname = \"Target {n}\"\nseeds = [\"https://t{n}.example/\"]\n"
    )
}

/// Seven targets around every other kind of table, with comments, strings and multi-line
/// values that hold what looks like a header.
fn mixed_watch_list() -> String {
    let mut text =
        String::from("# [[target]] in a comment is not a header\n[crawl]\nrate = \"2/s\"\n\n");
    for n in 0..7 {
        text.push_str(&target(n));
        match n {
            1 => text.push_str("tags = [\n  \"a\",\n  \"[[target]]\",\n]\n"),
            2 => text.push_str(
                "\n[[manufacturer]]\nname = \"Analog Devices\"\naliases = [\"ADI\"]\n\n",
            ),
            3 => text.push_str("list_refs = [\n  { list = \"SDN\", entity_id = \"1234\" },\n]\n"),
            4 => text.push_str(
                "\n[[rule]]\nid = \"r\"\ncategory = \"military\"\nregex = '''\n[[target]]\nid = \"x\"'''\n",
            ),
            5 => text.push_str("  # an indented comment\n\n[[notify]]\ncommand = [\"true\"]\n"),
            _ => {}
        }
    }
    text
}

#[test]
fn a_long_watch_list_reads_the_same_in_pieces_as_whole() {
    let text = mixed_watch_list();
    assert!(read_in_pieces(&text), "the pieces should parse:\n{text}");
    let (whole, pieces) = whole_and_in_pieces(&text);
    assert!(!whole.starts_with("error"), "{whole}");
    assert_eq!(whole, pieces);

    // A target's subtable after another table still belongs to the last target; the file is
    // then read whole.
    let away = format!(
        "{text}\n[[manufacturer]]\nname = \"X\"\n\n[[target.list_refs]]\ndataset = \"us_trade_csl\"\nentity_id = \"late\"\n"
    );
    let (away_whole, away_pieces) = whole_and_in_pieces(&away);
    assert!(away_whole.contains("late"), "{away_whole}");
    assert_eq!(away_whole, away_pieces);

    // A quoted header name is the same table; the file is then read whole.
    let quoted = text.replace("[[target]]\nid = \"t3\"", "[[\"target\"]]\nid = \"t3\"");
    assert!(sections(&quoted).is_none());
    assert_eq!(whole_and_in_pieces(&quoted), (whole.clone(), whole));
}

#[test]
fn headers_inside_strings_comments_and_values_do_not_split_the_file() {
    let text = mixed_watch_list();
    let kinds: Vec<Kind> = sections(&text)
        .expect("splittable")
        .iter()
        .map(|s| s.kind)
        .collect();
    let targets = kinds.iter().filter(|k| **k == Kind::Target).count();
    let others = kinds.iter().filter(|k| **k == Kind::Other).count();
    // [crawl], [[manufacturer]], [[rule]], [[notify]].
    assert_eq!((targets, others), (7, 4), "{kinds:?}");
    let nested = "[crawl]\nrate = \"1/s\"\nx = [\n[1, 2],\n[3],\n]\n[[target]]\nid = \"a\"\n";
    let kinds: Vec<Kind> = sections(nested)
        .expect("splittable")
        .iter()
        .map(|s| s.kind)
        .collect();
    assert_eq!(kinds, [Kind::Preamble, Kind::Other, Kind::Target]);
}

#[test]
fn a_target_subtable_stays_with_its_target() {
    let mut text = String::new();
    for n in 0..5 {
        text.push_str(&target(n));
        text.push_str(&format!(
            "\n[[target.list_refs]]\ndataset = \"us_trade_csl\"\nentity_id = \"e{n}\"\n\n"
        ));
    }
    assert!(read_in_pieces(&text));
    let (whole, pieces) = whole_and_in_pieces(&text);
    assert_eq!(whole, pieces);
}

#[test]
fn every_mistake_in_a_long_watch_list_gets_the_message_it_gets_whole() {
    let base = mixed_watch_list();
    let broken = [
        // A bad value in a late target.
        base.replace("https://t5.example/", "ftp://t5.example/"),
        // A syntax error in a late target.
        base.replace("name = \"Target 6\"", "name = \"Target 6"),
        // An unknown key in a target.
        base.replace("name = \"Target 4\"", "name = \"Target 4\"\nseed = \"x\""),
        // Two [crawl] tables.
        format!("{base}\n[crawl]\nrate = \"1/s\"\n"),
        // Targets inline in the preamble as well as in tables.
        format!("target = [{{ id = \"z\" }}]\n{base}"),
        // A duplicate id in two pieces.
        base.replace("id = \"t6\"", "id = \"t0\""),
        // A target's subtable before any target.
        format!("[target.extra]\nx = 1\n{base}"),
    ];
    for text in broken {
        let (whole, pieces) = whole_and_in_pieces(&text);
        assert!(whole.starts_with("error"), "expected a mistake:\n{text}");
        assert_eq!(whole, pieces, "in:\n{text}");
    }
}

#[test]
fn a_watch_list_longer_than_a_piece_keeps_every_target_in_order_and_every_line() {
    let count = PIECE + 5;
    let mut text = String::from("[crawl]\nrate = \"1/s\"\n");
    for n in 0..count {
        text.push_str(&target(n));
    }
    let config = Config::parse(&text, Path::new("targets.toml")).expect("valid");
    assert_eq!(config.targets.len(), count);
    assert!(
        config
            .targets
            .iter()
            .enumerate()
            .all(|(n, t)| t.id == format!("t{n}"))
    );

    let last = count - 1;
    let bad = text.replace(
        &format!("https://t{last}.example/"),
        &format!("ftp://t{last}.example/"),
    );
    // Two lines of [crawl], four of each target, then its seeds line.
    let line = 2 + 4 * last + 4;
    match Config::parse(&bad, Path::new("targets.toml")) {
        Err(e @ ConfigError::Invalid { .. }) => {
            let message = e.to_string();
            assert!(
                message.starts_with(&format!("targets.toml:{line}:")),
                "{message}"
            );
        }
        other => panic!("expected a bad seed at line {line}, got {other:?}"),
    }
}
