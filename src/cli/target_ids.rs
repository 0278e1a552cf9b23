//! Target ids given on the command line: an id that names no target is an error that lists the
//! known ones, or suggests the closest, rather than a filter that quietly matches nothing.

use anyhow::{Result, bail};

use super::session::OpenStore;
use claimwatch::config::Config;
use claimwatch::crawl::canonical::canonical_str;

/// Checks that every id names a target of the watch-list (`crawl` can only crawl those).
pub fn check_in_config(config: &Config, ids: &[String]) -> Result<()> {
    let known = config_ids(Some(config));
    for id in ids {
        if !known.contains(id) {
            bail!(
                "no target {id:?} in {}{}",
                config.path.display(),
                hint(id, &known)
            );
        }
    }
    Ok(())
}

/// Checks that every id names a target of the watch-list or one the store holds captures of (a
/// target taken off the watch-list keeps its history). `config` is `None` when the command does
/// not need targets.toml and it could not be read.
pub fn check_known(config: Option<&Config>, store: &OpenStore, ids: &[String]) -> Result<()> {
    let known = config_ids(config);
    for id in ids {
        if known.contains(id) || store.has_target(id)? {
            continue;
        }
        let watch_list = match config {
            Some(config) => config.path.display().to_string(),
            None => "the watch-list".to_string(),
        };
        bail!(
            "no target {id:?} in {watch_list} or in the store at {}{}",
            store.path().display(),
            hint(id, &known)
        );
    }
    Ok(())
}

/// For commands that take a target id or a URL: fails unless `what` is a URL or names a
/// known target (see [`check_known`]).
pub fn check_target_or_url(config: Option<&Config>, store: &OpenStore, what: &str) -> Result<()> {
    if canonical_str(what).is_some() {
        return Ok(());
    }
    check_known(config, store, &[what.to_string()])
}

fn config_ids(config: Option<&Config>) -> Vec<String> {
    config
        .map(|c| c.targets.iter().map(|t| t.id.clone()).collect())
        .unwrap_or_default()
}

/// "; did you mean \"winninc\"?" when one id is close, else the ids there are.
fn hint(id: &str, known: &[String]) -> String {
    if let Some(close) = closest(id, known) {
        return format!("; did you mean {close:?}?");
    }
    const SHOWN: usize = 20;
    match known.len() {
        0 => String::new(),
        n if n <= SHOWN => format!("; the targets are: {}", known.join(", ")),
        n => format!(
            "; the targets are: {}, … ({} more; `claimwatch check` lists them all)",
            known[..SHOWN].join(", "),
            n - SHOWN
        ),
    }
}

/// The known id most like `id`, if one is like it at all.
fn closest<'a>(id: &str, known: &'a [String]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(id, k), k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_near_miss_is_suggested_and_a_stranger_gets_the_list() {
        let known = ids(&["winninc", "sinno", "huaqiang"]);
        assert_eq!(hint("winnic", &known), "; did you mean \"winninc\"?");
        assert_eq!(
            hint("nosuch", &known),
            "; the targets are: winninc, sinno, huaqiang"
        );
        assert_eq!(hint("x", &[]), "");
    }
}
