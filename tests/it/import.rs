//! `claimwatch targets import`: real-shaped OpenSanctions and CSL files into a hand-written
//! watch-list, shown as a diff, written with --write, and imported again to no effect.

use std::path::PathBuf;

use crate::support::*;

/// A hand-written watch-list: comments, odd spacing, no newline at the end.
const WATCH_LIST: &str = "# the desk's watch-list\n[crawl]\nrate = \"1/s\"   # polite\n\n\
    [[target]]\nid = \"winninc\"\nname = \"Winninc Electronics Co., Limited\"\n\
    seeds = [\"https://www.winninc.example/\"]\nlist_refs = [\"BIS Entity List, 2024\"]";

fn fixture(name: &str) -> String {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "it", "fixtures", name]
        .iter()
        .collect();
    path.to_string_lossy().into_owned()
}

fn targets_text(ws: &Workspace) -> String {
    std::fs::read_to_string(ws.targets()).expect("read targets.toml")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_csl_import_is_a_diff_then_a_write_then_nothing() {
    let ws = Workspace::new(WATCH_LIST);
    let csl = fixture("csl.csv");

    let shown = ws.run(&["targets", "import", "--from", "csl", &csl]).await;
    assert_eq!(shown.status.code(), Some(0), "{}", stderr(&shown));
    let diff = stdout(&shown);
    assert!(diff.starts_with("--- "), "{diff}");
    assert!(diff.contains("\n+id = \"acme-hk-trading\"\n"), "{diff}");
    assert!(diff.contains("\n+id = \"petro-parts-supply\"\n"), "{diff}");
    // Only the old last line, which gains the newline it lacked, shows as removed.
    let removed: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with('-') && !l.starts_with("---"))
        .collect();
    assert_eq!(
        removed,
        ["-list_refs = [\"BIS Entity List, 2024\"]"],
        "{diff}"
    );
    assert!(diff.contains("\n\\ No newline at end of file\n"), "{diff}");
    assert_eq!(targets_text(&ws), WATCH_LIST, "no --write, no change");
    let summary = stderr(&shown);
    for line in [
        "6 listed parties (Consolidated Screening List), 3 with a website, 3 without",
        "2 new targets",
        "  = winninc  Winninc Electronics Co., Limited (same website host winninc.example)",
        "  - Polar Star LLC (Entity 1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e; email domain polarstar.example)",
        "  - ZHANG, Wei (Individual",
    ] {
        assert!(summary.contains(line), "{line:?} not in:\n{summary}");
    }

    let written = ws
        .run(&["targets", "import", "--from", "csl", &csl, "--write"])
        .await;
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    assert_eq!(stdout(&written), "", "--write prints no diff");
    let text = targets_text(&ws);
    assert!(
        text.starts_with(WATCH_LIST),
        "the old text is kept byte for byte"
    );
    let check = ws.run(&["check"]).await;
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert!(stdout(&check).contains("3 targets"), "{}", stdout(&check));

    let again = ws
        .run(&["targets", "import", "--from", "csl", &csl, "--write"])
        .await;
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("0 new targets"),
        "{}",
        stderr(&again)
    );
    assert_eq!(targets_text(&ws), text, "re-importing changes nothing");
    let shown_again = ws.run(&["targets", "import", "--from", "csl", &csl]).await;
    assert_eq!(stdout(&shown_again), "", "and shows no diff");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ftm_import_into_a_new_watch_list() {
    let ws = Workspace::new("");
    std::fs::remove_file(ws.targets()).expect("start without a targets.toml");
    let ftm = fixture("opensanctions.ftm.json");
    let written = ws
        .run(&["targets", "import", "--from", "ftm", &ftm, "--write"])
        .await;
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    let summary = stderr(&written);
    assert!(summary.contains("4 new targets"), "{summary}");
    assert!(
        summary.contains("  = shenzhen-winninc-electronics  Winninc (HK) Limited (same website host winninc.example)"),
        "{summary}"
    );
    assert!(summary.contains("3 other records"), "{summary}");
    let text = targets_text(&ws);
    assert!(
        text.contains("dataset = \"us_trade_csl\"\nentity_id = \"NK-4vWy8Tz2hP6qRm3kXcD9aB\"\n"),
        "{text}"
    );
    let check = ws.run(&["check"]).await;
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let again = ws
        .run(&["targets", "import", "--from", "ftm", &ftm, "--write"])
        .await;
    assert!(
        stderr(&again).contains("0 new targets"),
        "{}",
        stderr(&again)
    );
    assert_eq!(targets_text(&ws), text);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_list_or_watch_list_changes_nothing() {
    let ws = Workspace::new(WATCH_LIST);
    let bad = ws.dir.path().join("bad.json");
    std::fs::write(&bad, "{\"id\": \"a\", \"schema\": \"Company\"}\nnot json\n").expect("write");
    let output = ws
        .run(&[
            "targets",
            "import",
            "--from",
            "ftm",
            &bad.to_string_lossy(),
            "--write",
        ])
        .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("bad.json:2: not a FollowTheMoney entity"),
        "{}",
        stderr(&output)
    );
    assert_eq!(targets_text(&ws), WATCH_LIST);

    ws.write_targets(
        "[[target]]\nid = \"x\"\nname = \"X\"\nseeds = [\"https://x.example/\"]\nrat = 1\n",
    );
    let output = ws
        .run(&[
            "targets",
            "import",
            "--from",
            "csl",
            &fixture("csl.csv"),
            "--write",
        ])
        .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("targets.toml:5:"),
        "{}",
        stderr(&output)
    );
}
