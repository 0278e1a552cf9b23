//! `claimwatch flags` for people: the flags grouped into cases, a block per case with its flags
//! under it, reviewable as a whole by the case id the block shows; `--format` one flag a line.

use crate::commands::{crawled_site, flag_of};
use crate::review::two_versions;
use crate::support::*;

/// The header line of every case in `flags` output.
fn case_headers(out: &str) -> Vec<&str> {
    out.lines().filter(|l| l.starts_with("case ")).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn flags_print_a_case_per_site_change_and_a_case_is_reviewed_by_its_id() {
    let (ws, _server) = two_versions().await;
    let flags = flags_json(&ws).await;
    let output = ws.run(&["flags"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    let headers = case_headers(&out);
    assert_eq!(headers.len(), 1, "one crawl took the claims down:\n{out}");
    let header = headers[0];
    let words: Vec<&str> = header.split_whitespace().collect();
    let case_id = words[1];
    assert_eq!(case_id.len(), 32, "{header}");
    assert_eq!(&words[2..5], ["HIGH", "sinno", "(sinno"], "{header}");
    assert!(header.ends_with("  unreviewed"), "{header}");
    let detected = flags[0]["detected_at"].as_str().expect("a time");
    assert!(header.contains(detected), "{header}");
    let mut lines = out.lines();
    lines.next();
    assert_eq!(
        lines.next(),
        Some(
            "  sinno took down its partner claims for Analog Devices and Texas Instruments: \
             2 sentences, 1 logo"
        ),
        "{out}"
    );
    // Every flag stands under its case, as its readable line with its reason under it.
    for flag in &flags {
        let id = flag["flag_id"].as_str().expect("an id");
        let line = out
            .lines()
            .find(|l| l.ends_with(&format!(" id {id}")))
            .unwrap_or_else(|| panic!("flag {id} is not listed:\n{out}"));
        assert!(
            line.starts_with(&format!("    {detected}  HIGH   claim_removed")),
            "{line}"
        );
    }
    assert_eq!(
        out.lines()
            .filter(|l| l.trim_start().starts_with("why: "))
            .count(),
        flags.len(),
        "{out}"
    );

    // Tools still get one flag a line.
    let jsonl = stdout(&ws.run(&["flags", "--format", "jsonl"]).await);
    assert_eq!(jsonl.lines().count(), flags.len(), "{jsonl}");

    let reviewed = ws
        .run(&[
            "review",
            case_id,
            "--status",
            "confirmed",
            "--note",
            "TI denies it",
        ])
        .await;
    assert_eq!(reviewed.status.code(), Some(0), "{}", stderr(&reviewed));
    let out = stdout(&ws.run(&["flags"]).await);
    assert!(case_headers(&out)[0].ends_with("  confirmed"), "{out}");
    assert_eq!(
        out.lines()
            .filter(|l| l.trim_start().starts_with("review: confirmed ")
                && l.ends_with(": TI denies it"))
            .count(),
        flags.len(),
        "every flag shows the decision under it:\n{out}"
    );

    let one = flags[0]["flag_id"].as_str().expect("an id");
    let dismissed = ws.run(&["review", one, "--status", "dismissed"]).await;
    assert_eq!(dismissed.status.code(), Some(0), "{}", stderr(&dismissed));
    let out = stdout(&ws.run(&["flags"]).await);
    let expected = format!(
        "  partly reviewed ({} confirmed, 1 dismissed)",
        flags.len() - 1
    );
    assert!(case_headers(&out)[0].ends_with(&expected), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn cases_come_most_severe_first_then_newest() {
    let (_server, ws) = crawled_site().await;
    {
        let store = ws.open_store();
        for (target, id, severity, time) in [
            ("alpha", "a-medium-new", "medium", "2026-11-28T02:00:00Z"),
            ("bravo", "b-high-old", "high", "2026-09-01T02:00:00Z"),
            ("bravo", "b-low-old", "low", "2026-09-01T02:00:00Z"),
            ("charlie", "c-high-new", "high", "2026-11-28T02:00:00Z"),
            ("delta", "d-low-newest", "low", "2026-12-01T02:00:00Z"),
        ] {
            store
                .insert_flag(&flag_of(target, id, severity, time))
                .expect("store a flag");
        }
    }
    let output = ws.run(&["flags"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    let order: Vec<(&str, &str)> = case_headers(&out)
        .iter()
        .map(|h| {
            let words: Vec<&str> = h.split_whitespace().collect();
            (words[2], words[3])
        })
        .collect();
    assert_eq!(
        order,
        [
            ("HIGH", "charlie"),
            ("HIGH", "bravo"),
            ("MEDIUM", "alpha"),
            ("LOW", "delta")
        ],
        "{out}"
    );
    // A case's flags: the most severe first.
    let bravo: Vec<&str> = out
        .lines()
        .filter(|l| l.contains(" bravo ") && l.contains(" id "))
        .map(|l| l.rsplit(" id ").next().unwrap_or_default())
        .collect();
    assert_eq!(bravo, ["b-high-old", "b-low-old"], "{out}");
    // Cases are separated by a blank line.
    assert_eq!(out.lines().filter(|l| l.is_empty()).count(), 3, "{out}");
}
