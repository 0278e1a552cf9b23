//! Every malformed targets.toml we could think of, through the real binary: each must fail with
//! exit 2 and a message naming the file, the line and what is wrong. A file that was once
//! misreported has its own test in `regression`.

use crate::support::*;

const SEED: &str = "seeds = [\"http://127.0.0.1:9/\"]";

pub(crate) fn target_with(extra: &str) -> String {
    format!("[[target]]\nid = \"a\"\nname = \"A\"\n{SEED}\n{extra}\n")
}

/// (what, file, line, substrings the message must hold)
fn cases() -> Vec<(&'static str, String, usize, Vec<&'static str>)> {
    vec![
        ("empty file", String::new(), 1, vec!["target"]),
        (
            "only a comment",
            "# nothing here\n".into(),
            1,
            vec!["target"],
        ),
        (
            "[target] written as a table",
            format!("[target]\nid = \"a\"\nname = \"A\"\n{SEED}\n"),
            1,
            vec!["target"],
        ),
        (
            "misspelt table",
            "[crawls]\nrate = \"1/s\"\n".to_string() + &target_with(""),
            1,
            vec!["crawls"],
        ),
        (
            "duplicate key",
            target_with("max_pages = 3\nmax_pages = 4"),
            6,
            vec!["max_pages"],
        ),
        (
            "seeds not a list",
            "[[target]]\nid = \"a\"\nname = \"A\"\nseeds = \"http://x/\"\n".into(),
            4,
            vec!["seeds"],
        ),
        (
            "seed without scheme",
            "[[target]]\nid = \"a\"\nname = \"A\"\nseeds = [\"www.x.com\"]\n".into(),
            4,
            vec!["seeds", "https://www.x.com"],
        ),
        (
            "seed with spaces",
            "[[target]]\nid = \"a\"\nname = \"A\"\nseeds = [\"http://exa mple.com/\"]\n".into(),
            4,
            vec!["seeds"],
        ),
        (
            "negative max_depth",
            target_with("max_depth = -1"),
            5,
            vec!["max_depth"],
        ),
        (
            "huge max_pages",
            target_with("max_pages = 100000000000000000000"),
            5,
            vec!["max_pages"],
        ),
        (
            "zero max_pages",
            target_with("max_pages = 0"),
            5,
            vec!["max_pages"],
        ),
        (
            "rate per day",
            target_with("rate = \"1/d\""),
            5,
            vec!["rate", "1/d"],
        ),
        ("rate as a number", target_with("rate = 2"), 5, vec!["rate"]),
        (
            "burst as a string",
            target_with("burst = \"3\""),
            5,
            vec!["burst"],
        ),
        (
            "zero timeout",
            target_with("timeout = \"0s\""),
            5,
            vec!["timeout"],
        ),
        (
            "zero max_body",
            target_with("max_body = \"0\""),
            5,
            vec!["max_body"],
        ),
        (
            "user agent with a newline",
            "[crawl]\nuser_agent = \"claimwatch\\nX-Evil: 1\"\n".to_string() + &target_with(""),
            2,
            vec!["user_agent"],
        ),
        (
            "allow_private not a boolean",
            target_with("allow_private = \"yes\""),
            5,
            vec!["allow_private"],
        ),
        (
            "upper-case id",
            "[[target]]\nid = \"WinInc\"\nname = \"A\"\nseeds = [\"http://x/\"]\n".into(),
            2,
            vec!["id"],
        ),
        (
            "empty id",
            "[[target]]\nid = \"\"\nname = \"A\"\nseeds = [\"http://x/\"]\n".into(),
            2,
            vec!["id"],
        ),
        (
            "empty name",
            "[[target]]\nid = \"a\"\nname = \"  \"\nseeds = [\"http://x/\"]\n".into(),
            3,
            vec!["name"],
        ),
        (
            "bad exclude regex",
            target_with("exclude = [\"[unclosed\"]"),
            5,
            vec!["exclude"],
        ),
        (
            "manufacturer without a name",
            target_with("") + "\n[[manufacturer]]\naliases = [\"TI\"]\n",
            7,
            vec!["name"],
        ),
        (
            "authorized host with a path",
            target_with("")
                + "\n[[manufacturer]]\nname = \"TI\"\nauthorized = [\"mouser.com/list\"]\n",
            9,
            vec!["authorized"],
        ),
        (
            "rule with a bad regex",
            target_with("")
                + "\n[[rule]]\nid = \"r\"\ncategory = \"military\"\nregex = \"(radar\"\n",
            10,
            vec!["regex"],
        ),
        (
            "unknown pack disabled",
            target_with("") + "\n[claims]\ndisable = [\"navy\"]\n",
            8,
            vec!["disable", "navy"],
        ),
        (
            "unknown key in [claims]",
            target_with("") + "\n[claims]\nenable = [\"military\"]\n",
            8,
            vec!["enable"],
        ),
        (
            "not UTF-8",
            String::from_utf8_lossy(b"[crawl]\nrate = \"\xff\xfe\"\n").into_owned()
                + &target_with(""),
            2,
            vec![],
        ),
    ]
}

/// Runs `claimwatch check` on `text`: it must exit 2 with a message naming
/// `targets.toml:<line>:` and holding every one of `needles`. Says how it fell short.
pub(crate) async fn check_names_line_and_problem(
    text: &str,
    line: usize,
    needles: &[&str],
) -> Result<(), String> {
    let ws = Workspace::new(text);
    let output = ws.run(&["check"]).await;
    let message = stderr(&output);
    let located = format!("targets.toml:{line}:");
    let ok = output.status.code() == Some(2)
        && message.contains(&located)
        && needles.iter().all(|n| message.contains(n));
    if ok {
        return Ok(());
    }
    Err(format!(
        "exit {:?}, wanted {located} and {needles:?}, got: {message}",
        output.status.code()
    ))
}

#[tokio::test(flavor = "multi_thread")]
async fn every_malformed_targets_toml_names_file_line_and_problem() {
    let mut failures = Vec::new();
    for (what, text, line, needles) in cases() {
        if let Err(failure) = check_names_line_and_problem(&text, line, &needles).await {
            failures.push(format!("{what}: {failure}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_targets_file_that_is_not_utf8_or_missing_says_so() {
    let ws = Workspace::new("");
    std::fs::write(ws.targets(), b"[crawl]\nrate = \"\xff\"\n").expect("write");
    let output = ws.run(&["check"]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("targets.toml"),
        "{}",
        stderr(&output)
    );
    std::fs::remove_file(ws.targets()).expect("remove");
    let output = ws.run(&["check"]).await;
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("cannot read") && message.contains("targets.toml"),
        "{message}"
    );
}
