//! The FollowTheMoney outputs, checked by FtM's own `followthemoney` package: `flags --format
//! ftm` (full and `--delta`) parses entity by entity against its schemata and keeps every
//! property set, and `flags --format csv` run through `ftm map-csv` with docs/ftm-mapping.yml
//! gives entities that do as well.
//!
//! The package lives in a virtual environment that `.ci/run` creates at `.venv-ci` and names in
//! `CLAIMWATCH_FTM_PYTHON` (see [`ftm_python`] for what happens without one).

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use serde_json::Value;
use sha1::{Digest, Sha1};

use crate::support::*;

const PARTNER: &str = "<p>We are a cooperative partner of Texas Instruments.</p>";
const MILITARY: &str = "<p>We supply military and aerospace customers with connectors.</p>";
const ADDED: &str = "<p>Authorized distributor of Analog Devices in Hong Kong.</p>";

/// How to make the environment these tests need, at the repository's root.
const INSTALL: &str =
    "python3 -m venv .venv-ci && .venv-ci/bin/pip install 'followthemoney>=4.11,<5'";

/// The python of a virtual environment with `followthemoney`: `CLAIMWATCH_FTM_PYTHON`, else
/// the repository's `.venv-ci` (which `.ci/run` makes). Without either, under CI (`CI` set)
/// the test fails saying how to make one; elsewhere it is skipped, with a notice that
/// `cargo test`'s capture does not swallow. A python that is named but cannot import the
/// package always fails.
fn ftm_python() -> Option<PathBuf> {
    let named = std::env::var_os("CLAIMWATCH_FTM_PYTHON").map(PathBuf::from);
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-ci/bin/python");
    let python = match named {
        Some(python) => python,
        None if beside.exists() => beside,
        None if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false") => panic!(
            "CI: no python with `followthemoney` to check the FtM output with. Make one at the \
             repository's root with\n  {INSTALL}\nor name one in CLAIMWATCH_FTM_PYTHON"
        ),
        None => {
            // Straight to the process's stderr: libtest captures what eprintln! writes.
            let _ = writeln!(
                std::io::stderr(),
                "\n*** SKIPPED: the FollowTheMoney checks of tests/it/ftm.rs need a python with \
                 `followthemoney`.\n*** Make one at the repository's root with\n***   \
                 {INSTALL}\n*** (or name one in CLAIMWATCH_FTM_PYTHON); under CI they fail \
                 instead.\n"
            );
            return None;
        }
    };
    let version = std::process::Command::new(&python)
        .args([
            "-c",
            "import followthemoney; print(followthemoney.__version__)",
        ])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {}: {e}; make it with\n  {INSTALL}",
                python.display()
            )
        });
    assert!(
        version.status.success(),
        "{} cannot import followthemoney: {}\nmake the environment with\n  {INSTALL}",
        python.display(),
        String::from_utf8_lossy(&version.stderr)
    );
    println!(
        "followthemoney {} from {}",
        String::from_utf8_lossy(&version.stdout).trim(),
        python.display()
    );
    Some(python)
}

/// Runs `tests/it/ftm_validate.py` on `file` and returns its report, asserting no problem.
async fn validate(python: &Path, file: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/ftm_validate.py");
    let output = tokio::process::Command::new(python)
        .arg(&script)
        .arg(file)
        .output()
        .await
        .expect("run the FtM validator");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "the validator said no report ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert!(
        output.status.success() && report["problems"] == serde_json::json!([]),
        "FtM problems in {}: {report:#}",
        file.display()
    );
    report
}

/// `claimwatch flags ARGS` saved to `name` in the workspace.
async fn flags_to_file(ws: &Workspace, args: &[&str], name: &str) -> PathBuf {
    let mut all = vec!["flags"];
    all.extend_from_slice(args);
    let output = ws.run(&all).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let path = ws.dir.path().join(name);
    std::fs::write(&path, &output.stdout).expect("save the output");
    path
}

/// The standard output of `ftm ARGS`, which must succeed.
fn run_ftm(ftm: &Path, args: &[&std::ffi::OsStr]) -> Vec<u8> {
    let output = std::process::Command::new(ftm)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", ftm.display()));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// `ftm validate` re-parses each entity and sets every value again through FtM's cleaning:
/// what comes out must be what went in, property by property.
fn assert_kept_by_ftm_validate(python: &Path, file: &Path) {
    let ftm = python.with_file_name("ftm");
    let cleaned = run_ftm(
        &ftm,
        &["validate".as_ref(), "-i".as_ref(), file.as_os_str()],
    );
    let cleaned: Vec<Value> = String::from_utf8_lossy(&cleaned)
        .lines()
        .map(|l| serde_json::from_str(l).expect("an entity a line"))
        .collect();
    let ours = entities(file);
    assert_eq!(cleaned.len(), ours.len(), "ftm validate dropped entities");
    for (theirs, ours) in cleaned.iter().zip(&ours) {
        assert_eq!(
            (&theirs["id"], &theirs["schema"]),
            (&ours["id"], &ours["schema"])
        );
        assert_eq!(
            values_by_property(theirs),
            values_by_property(ours),
            "ftm validate changed {}",
            ours["id"]
        );
    }
}

/// An entity's properties, each as its set of values.
fn values_by_property(entity: &Value) -> std::collections::BTreeMap<String, Vec<String>> {
    let empty = serde_json::Map::new();
    let properties = entity["properties"].as_object().unwrap_or(&empty);
    properties
        .iter()
        .map(|(name, values)| {
            let mut values: Vec<String> = values
                .as_array()
                .into_iter()
                .flatten()
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .collect();
            values.sort();
            values.dedup();
            (name.clone(), values)
        })
        .collect()
}

fn entities(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("read the entities")
        .lines()
        .map(|l| serde_json::from_str(l).expect("an entity a line"))
        .collect()
}

fn ids(entities: &[Value]) -> HashSet<String> {
    entities
        .iter()
        .map(|e| e["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// A site crawled twice: a partner claim naming TI (whose authorized list leaves it out) and
/// a military claim that the second crawl finds removed. The switch makes a third version.
async fn flagged_site() -> (
    Workspace,
    Server,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    let page = |body: &str| Reply::html(format!("<html><body>{body}</body></html>"));
    let (handler, version) = versioned(vec![(
        "/",
        vec![
            page(&format!("{PARTNER}{MILITARY}")),
            page(PARTNER),
            page(&format!("{PARTNER}{ADDED}")),
        ],
    )]);
    let server = Server::start("127.0.0.1", 0, handler)
        .await
        .expect("server");
    let watch_list = fast_crawl("")
        + &format!(
            "[[target]]\nid = \"sinno_hk\"\nname = \"Sinno Electronics (HK) Co., Limited\"\n\
             aliases = [\"Sinno HK\", \"芯诺电子\"]\ncountry = \"HK\"\ntags = [\"entity-list\"]\n\
             seeds = [\"{}\"]\nlist_refs = [\"BIS Entity List, 2022\", {{ dataset = \"us_trade_csl\", \
             entity_id = \"NK-4vWy8\", list = \"Entity List (EL) - Bureau of Industry and Security\", \
             programs = [\"EAR\"], federal_register_notice = \"85 FR 34495\", start_date = \"2020-06-05\" }}]\n\n\
             [[manufacturer]]\nname = \"Texas Instruments\"\nauthorized = [\"mouser.com\"]\n\n\
             [[manufacturer]]\nname = \"Analog Devices\"\nauthorized = [\"digikey.com\"]\n",
            server.url("/")
        );
    let ws = Workspace::new(&watch_list);
    for v in 0..2 {
        version.store(v, Ordering::SeqCst);
        let output = ws.run(&["crawl"]).await;
        assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
    }
    (ws, server, version)
}

#[tokio::test(flavor = "multi_thread")]
async fn ftm_output_is_valid_followthemoney_and_carries_the_watch_list() {
    let Some(python) = ftm_python() else { return };
    let (ws, server, version) = flagged_site().await;
    let full = flags_to_file(&ws, &["--format", "ftm"], "full.ftm.json").await;
    let report = validate(&python, &full).await;
    assert_kept_by_ftm_validate(&python, &full);
    for schema in [
        "Company",
        "Sanction",
        "HyperText",
        "Documentation",
        "Note",
        "Mention",
    ] {
        assert!(
            report["schemata"][schema].as_u64() > Some(0),
            "no {schema}: {report:#}"
        );
    }
    let all = entities(&full);
    let company = &all[0]["properties"];
    assert_eq!(company["name"][0], "Sinno Electronics (HK) Co., Limited");
    assert_eq!(
        company["alias"],
        serde_json::json!(["Sinno HK", "芯诺电子"])
    );
    assert_eq!(company["country"], serde_json::json!(["hk"]));
    assert_eq!(company["website"], serde_json::json!([server.url("/")]));
    let after_removal = format!("<html><body>{PARTNER}</body></html>");
    let hash = hex::encode(Sha1::digest(after_removal.as_bytes()));
    assert!(
        all.iter()
            .any(|e| e["schema"] == "HyperText" && e["properties"]["contentHash"][0] == hash),
        "no capture with the SHA-1 of the page's body {hash}"
    );

    // A third crawl adds a claim: the delta is what it adds, and with the earlier load it is
    // the whole.
    version.store(2, Ordering::SeqCst);
    assert_eq!(ws.run(&["crawl"]).await.status.code(), Some(1));
    let delta = flags_to_file(&ws, &["--format", "ftm", "--delta"], "delta.ftm.json").await;
    let after = flags_to_file(&ws, &["--format", "ftm"], "after.ftm.json").await;
    let (delta, after) = (entities(&delta), entities(&after));
    assert!(!delta.is_empty());
    assert!(
        ids(&delta).is_disjoint(&ids(&all)),
        "the delta repeats earlier entities"
    );
    let union: HashSet<String> = ids(&all).union(&ids(&delta)).cloned().collect();
    assert_eq!(union, ids(&after));
    assert!(delta.iter().all(|e| e["schema"] != "Company"));
    let stream = ws.dir.path().join("loaded.ftm.json");
    let loaded: Vec<String> = all.iter().chain(&delta).map(Value::to_string).collect();
    std::fs::write(&stream, loaded.join("\n") + "\n").expect("write");
    validate(&python, &stream).await;

    let new_flags = flags_to_file(&ws, &["--format", "jsonl", "--delta"], "delta.jsonl").await;
    let new_flags = std::fs::read_to_string(new_flags).expect("read");
    assert!(!new_flags.is_empty());
    assert!(
        new_flags.lines().all(|l| l.contains("Analog Devices")),
        "{new_flags}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_csv_maps_to_followthemoney_with_the_mapping_file() {
    let Some(python) = ftm_python() else { return };
    let (ws, _server, _version) = flagged_site().await;
    let csv = flags_to_file(&ws, &["--format", "csv"], "flags.csv").await;
    let ftm = python.with_file_name("ftm");
    let mapping = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ftm-mapping.yml");
    let fragments = ws.dir.path().join("fragments.ftm.json");
    let mapped = run_ftm(
        &ftm,
        &[
            "map-csv".as_ref(),
            mapping.as_os_str(),
            "-i".as_ref(),
            csv.as_os_str(),
        ],
    );
    std::fs::write(&fragments, mapped).expect("write");
    let aggregated = run_ftm(
        &ftm,
        &["aggregate".as_ref(), "-i".as_ref(), fragments.as_os_str()],
    );
    let merged = ws.dir.path().join("mapped.ftm.json");
    std::fs::write(&merged, aggregated).expect("write");
    let report = validate(&python, &merged).await;
    for schema in ["Company", "HyperText", "Documentation", "Note", "Mention"] {
        assert!(
            report["schemata"][schema].as_u64() > Some(0),
            "no {schema}: {report:#}"
        );
    }
    let notes = entities(&merged)
        .into_iter()
        .filter(|e| e["schema"] == "Note")
        .count();
    let rows = std::fs::read_to_string(&csv).expect("read").lines().count() - 1;
    assert_eq!(notes, rows, "a note per flag");
}
