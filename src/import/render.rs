//! An imported entity written as a `[[target]]` table, in the style of a hand-written one: a
//! comment saying where it came from, its keys, its email domains as seeds commented out, and
//! its listings as `[[target.list_refs]]` tables.

use std::fmt::Write as _;

use super::{ListFormat, ListedEntity};
use crate::config::ListRef;

/// The TOML text of one imported target, ending in a newline.
pub fn target_block(id: &str, entity: &ListedEntity, format: ListFormat) -> String {
    // Writing to a String cannot fail.
    let mut out = String::new();
    let kind = if entity.kind.is_empty() {
        String::new()
    } else {
        format!(" {}", entity.kind)
    };
    let _ = writeln!(
        out,
        "# Imported from {}:{kind} {}",
        format.source(),
        one_line(&entity.source_id)
    );
    let _ = writeln!(out, "[[target]]");
    let _ = writeln!(out, "id = {}", quoted(id));
    let _ = writeln!(out, "name = {}", quoted(&entity.name));
    if !entity.aliases.is_empty() {
        let _ = writeln!(out, "aliases = {}", list(&entity.aliases));
    }
    if let Some(country) = entity.countries.first() {
        let _ = writeln!(out, "country = {}", quoted(country));
    }
    if !entity.topics.is_empty() {
        let _ = writeln!(out, "tags = {}", list(&entity.topics));
    }
    write_seeds(&mut out, entity);
    for r in &entity.list_refs {
        let _ = writeln!(out);
        write_list_ref(&mut out, r);
    }
    out
}

/// `seeds`: the websites, then each email domain that no website is on, commented out for a
/// person to decide: a company's mail domain is often its site, but not always.
fn write_seeds(out: &mut String, entity: &ListedEntity) {
    let site_hosts: Vec<&str> = entity
        .websites
        .iter()
        .filter_map(|u| u.host_str())
        .collect();
    let candidates: Vec<&String> = entity
        .email_domains
        .iter()
        .filter(|d| {
            !site_hosts
                .iter()
                .any(|h| h == d || h.strip_prefix("www.") == Some(d.as_str()))
        })
        .collect();
    let seeds: Vec<String> = entity.websites.iter().map(|u| u.to_string()).collect();
    if candidates.is_empty() {
        let _ = writeln!(out, "seeds = {}", list(&seeds));
        return;
    }
    let _ = writeln!(out, "seeds = [");
    for seed in &seeds {
        let _ = writeln!(out, "  {},", quoted(seed));
    }
    for domain in candidates {
        let _ = writeln!(
            out,
            "  # {},  # an email domain, not checked: uncomment to crawl it",
            quoted(&format!("http://{domain}/"))
        );
    }
    let _ = writeln!(out, "]");
}

fn write_list_ref(out: &mut String, r: &ListRef) {
    let text = |v: &Option<String>| v.as_deref().map(quoted);
    let programs = (!r.programs.is_empty()).then(|| list(&r.programs));
    let fields = [
        ("dataset", text(&r.dataset)),
        ("entity_id", text(&r.entity_id)),
        ("list", text(&r.list)),
        ("programs", programs),
        ("federal_register_notice", text(&r.federal_register_notice)),
        ("start_date", text(&r.start_date)),
        ("url", text(&r.url)),
    ];
    let _ = writeln!(out, "[[target.list_refs]]");
    for (key, value) in fields {
        if let Some(value) = value {
            let _ = writeln!(out, "{key} = {value}");
        }
    }
}

/// A TOML string, quoted and escaped as TOML needs: lists hold names with quotes, backslashes
/// and any script.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| quoted(i)).collect();
    format!("[{}]", quoted.join(", "))
}

/// Text for a comment: a line break inside an id would end the comment and start TOML.
fn one_line(text: &str) -> String {
    text.split(['\n', '\r']).collect::<Vec<_>>().join(" ")
}
