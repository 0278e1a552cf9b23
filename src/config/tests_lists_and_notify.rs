//! Unit tests of a target's list references and of `[[notify]]`: the shapes accepted, and each
//! rejection naming its line and key.

use std::path::Path;
use std::time::Duration;

use super::*;

const T: &str = "[[target]]\nid = \"a\"\nname = \"A\"\nseeds = [\"https://a.example/\"]\n";

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("targets.toml"))
}

fn assert_err(text: &str, line: usize, needles: &[&str]) {
    let msg = match parse(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    };
    let at = format!("targets.toml:{line}:");
    assert!(msg.starts_with(&at), "expected {at:?} in {msg:?}");
    for n in needles {
        assert!(msg.contains(n), "expected {n:?} in {msg:?}");
    }
}

#[test]
fn list_refs_as_text_inline_tables_and_sub_tables() {
    let text = format!(
        "{T}list_refs = [\"BIS Entity List, 2022\", {{ list = \"SDN\", entity_id = \"1234\" }}]\n\n\
         [[target]]\nid = \"b\"\nname = \"B\"\nseeds = [\"https://b.example/\"]\n\n\
         [[target.list_refs]]\ndataset = \"us_trade_csl\"\nentity_id = \"6a1f\"\n\
         list = \"Entity List (EL) - Bureau of Industry and Security\"\nprograms = [\"EAR\"]\n\
         federal_register_notice = \"85 FR 34495\"\nstart_date = \"2020-06-05\"\n\
         url = \"https://www.bis.doc.gov/\"\n"
    );
    let c = parse(&text).expect("valid");
    let a = &c.targets[0].list_refs;
    assert_eq!(a[0].list.as_deref(), Some("BIS Entity List, 2022"));
    assert_eq!(a[0].key(), None);
    assert_eq!(a[1].key(), Some(("sdn".into(), "1234".into())));
    let b = &c.targets[1].list_refs[0];
    assert_eq!(b.dataset.as_deref(), Some("us_trade_csl"));
    assert_eq!(b.programs, ["EAR"]);
    assert_eq!(b.start_date.as_deref(), Some("2020-06-05"));
    assert_eq!(b.key(), Some(("us_trade_csl".into(), "6a1f".into())));
    assert_eq!(
        b.describe(),
        "Entity List (EL) - Bureau of Industry and Security (us_trade_csl 6a1f), programs EAR, \
         85 FR 34495, since 2020-06-05"
    );
}

#[test]
fn bad_list_refs() {
    assert_err(
        &format!("{T}list_refs = [{{ list = \"x\", listed = \"2020\" }}]\n"),
        5,
        &["`list_refs`", "unknown key `listed`", "entity_id"],
    );
    assert_err(
        &format!("{T}list_refs = [{{ entity_id = \"1\" }}]\n"),
        5,
        &["`list_refs`", "`list` or a `dataset`"],
    );
    assert_err(
        &format!("{T}list_refs = [{{ list = \"x\", start_date = \"5 June 2020\" }}]\n"),
        5,
        &["`start_date`", "YYYY-MM-DD"],
    );
    assert_err(
        &format!("{T}list_refs = [{{ list = \"x\", programs = \"EAR\" }}]\n"),
        5,
        &["`programs`", "list of strings"],
    );
    assert_err(
        &format!("{T}list_refs = [3]\n"),
        5,
        &["`list_refs`", "integer"],
    );
    assert_err(
        &format!("{T}list_refs = [\" \"]\n"),
        5,
        &["`list_refs`", "empty"],
    );
    assert_err(
        &format!("{T}\n[[target.list_refs]]\nlist = \"x\"\nentity = \"1\"\n"),
        6,
        &["unknown key `entity`"],
    );
    for good in ["2020", "2020-06", "2020-06-05"] {
        let text = format!("{T}list_refs = [{{ list = \"x\", start_date = \"{good}\" }}]\n");
        assert!(parse(&text).is_ok(), "{good}");
    }
}

#[test]
fn notifiers_of_both_kinds() {
    let text = format!(
        "{T}\n[[notify]]\nurl = \"https://hooks.example/claimwatch\"\nsecret = \"s3cret\"\n\n\
         [[notify]]\nid = \"mailer\"\ncommand = [\"/usr/local/bin/mail-flags\", \"--to\", \"desk\"]\n\
         timeout = \"30s\"\nretries = 0\nbackoff = \"0s\"\n"
    );
    let c = parse(&text).expect("valid");
    assert_eq!(c.notify.len(), 2);
    let hook = &c.notify[0];
    assert_eq!(hook.name, "https://hooks.example/claimwatch");
    assert_eq!(hook.line, 6);
    assert_eq!(hook.timeout, notify::DEFAULT_TIMEOUT);
    assert_eq!(hook.retries, notify::DEFAULT_RETRIES);
    match &hook.kind {
        NotifierKind::Webhook { url, secret } => {
            assert_eq!(url.as_str(), "https://hooks.example/claimwatch");
            assert_eq!(secret.as_ref().map(Secret::expose), Some(&b"s3cret"[..]));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        !format!("{c:?}").contains("s3cret"),
        "the secret shows in Debug"
    );
    assert_eq!(
        hook.label, "https://hooks.example/…",
        "the path may be a credential"
    );
    let command = &c.notify[1];
    assert_eq!(command.name, "mailer");
    assert_eq!(command.label, "mailer");
    assert_eq!(command.kind.destination(), "/usr/local/bin/mail-flags …");
    assert_eq!(command.timeout, Duration::from_secs(30));
    assert_eq!(command.retries, 0);
    assert!(matches!(&command.kind, NotifierKind::Command { argv } if argv.len() == 3));
}

#[test]
fn bad_notifiers() {
    let notify = |body: &str| format!("{T}\n[[notify]]\n{body}\n");
    assert_err(&notify("urll = \"https://x/\""), 7, &["`urll`"]);
    assert_err(&notify("secret = \"s\""), 6, &["`url`", "missing"]);
    assert_err(&notify("url = \"ftp://x/\""), 7, &["`url`", "http"]);
    assert_err(&notify("url = \"hooks.example\""), 7, &["`url`", "bad URL"]);
    assert_err(
        &notify("url = \"https://x/\"\ncommand = [\"true\"]"),
        8,
        &["`command`", "not both"],
    );
    assert_err(&notify("command = []"), 7, &["`command`", "program"]);
    assert_err(
        &notify("command = [\"true\"]\nsecret = \"s\""),
        8,
        &["`secret`", "only a webhook"],
    );
    assert_err(
        &notify("url = \"https://x/\"\nretries = 11"),
        8,
        &["`retries`"],
    );
    assert_err(
        &notify("url = \"https://x/\"\ntimeout = \"0s\""),
        8,
        &["`timeout`"],
    );
    assert_err(
        &notify("url = \"https://x/\"\nid = \"Hook 1\""),
        8,
        &["`id`"],
    );
    let twice =
        format!("{T}\n[[notify]]\nurl = \"https://x/\"\n\n[[notify]]\nurl = \"https://x/\"\n");
    assert_err(&twice, 9, &["duplicate notifier", "line 6"]);
}

#[test]
fn a_draft_may_have_no_target_yet() {
    let path = Path::new("targets.toml");
    assert!(Config::parse("[crawl]\nrate = \"1/s\"\n", path).is_err());
    let draft = Config::parse_draft("[crawl]\nrate = \"1/s\"\n", path).expect("a draft");
    assert!(draft.targets.is_empty());
    assert!(Config::parse_draft("[crawl]\nrat = 1\n", path).is_err());
}
