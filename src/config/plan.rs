//! The plan `claimwatch check` prints: what a crawl with a given `targets.toml` would do.

use std::fmt::Write as _;

use regex::Regex;
use url::Url;

use super::units::{human_duration, human_size};
use super::{Config, CrawlSettings, Notifier, NotifierKind, Target};

// Writing to a String cannot fail, so the `fmt::Result`s below are dropped.

impl Config {
    /// The plan `claimwatch check` prints: what a crawl with this file would do.
    pub fn describe_plan(&self) -> String {
        let mut plan = String::new();
        self.write_plan(|part| {
            plan.push_str(part);
            Ok::<_, std::convert::Infallible>(())
        })
        .unwrap_or_else(|never| match never {});
        plan
    }

    /// [`Config::describe_plan`], handed to `emit` a target at a time: the plan of a
    /// watch-list of 100,000 targets is some 40 MB of text, not worth holding.
    pub fn write_plan<E>(&self, mut emit: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
        let mut out = String::new();
        let _ = writeln!(out, "config: {}", self.path.display());
        write_crawl_defaults(&mut out, &self.crawl);
        emit(&out)?;
        for t in &self.targets {
            out.clear();
            let _ = writeln!(out);
            write_target(&mut out, t);
            emit(&out)?;
        }
        out.clear();
        for n in &self.notify {
            let _ = writeln!(out);
            write_notifier(&mut out, n);
        }
        let _ = writeln!(out);
        self.write_totals(&mut out);
        emit(&out)
    }

    fn write_totals(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "{} {}, {} {}, {} extra {}",
            self.targets.len(),
            plural(self.targets.len(), "target", "targets"),
            self.manufacturers.len(),
            plural(self.manufacturers.len(), "manufacturer", "manufacturers"),
            self.rules.len(),
            plural(self.rules.len(), "rule", "rules"),
        );
    }
}

fn write_crawl_defaults(out: &mut String, c: &CrawlSettings) {
    let _ = writeln!(out, "crawl defaults:");
    let _ = writeln!(out, "  rate:            {} burst {}", c.rate, c.burst);
    let _ = writeln!(out, "  concurrency:     {} hosts at once", c.concurrency);
    let _ = writeln!(out, "  max_pages:       {}", c.max_pages);
    let _ = writeln!(out, "  max_depth:       {}", c.max_depth);
    let _ = writeln!(out, "  timeout:         {}", human_duration(c.timeout));
    let _ = writeln!(out, "  max_body:        {}", human_size(c.max_body));
    let _ = writeln!(out, "  robots.txt:      {}", on_off(c.respect_robots));
    let _ = writeln!(out, "  retries:         {}", c.retries);
    let _ = writeln!(
        out,
        "  max_retry_wait:  {}",
        human_duration(c.max_retry_wait)
    );
    let _ = writeln!(
        out,
        "  max_crawl_delay: {}",
        human_duration(c.max_crawl_delay)
    );
    let _ = writeln!(
        out,
        "  unreachable:     flagged after {} failed runs in a row",
        c.unreachable_after
    );
    let _ = writeln!(out, "  user_agent:      {}", c.user_agent);
}

fn write_target(out: &mut String, t: &Target) {
    let s = &t.settings;
    let _ = writeln!(out, "target {} ({}, line {})", t.id, t.name, t.line);
    let seeds: Vec<&str> = t.seeds.iter().map(Url::as_str).collect();
    let _ = writeln!(out, "  seeds:     {}", seeds.join(", "));
    let _ = writeln!(out, "  scope:     {}", t.scope_hosts().join(", "));
    let _ = writeln!(out, "  rate:      {} burst {}", s.rate, s.burst);
    let _ = writeln!(out, "  max_pages: {}", s.max_pages);
    let _ = writeln!(out, "  max_depth: {}", s.max_depth);
    let _ = writeln!(out, "  timeout:   {}", human_duration(s.timeout));
    let _ = writeln!(out, "  max_body:  {}", human_size(s.max_body));
    let _ = writeln!(out, "  robots:    {}", on_off(s.respect_robots));
    let private = if t.private_allowed() {
        "allowed"
    } else {
        "not allowed"
    };
    let _ = writeln!(out, "  private addresses: {private}");
    let _ = writeln!(out, "  include:   {}", patterns(&t.include, "(everything)"));
    let _ = writeln!(out, "  exclude:   {}", patterns(&t.exclude, "(nothing)"));
    for listing in &t.list_refs {
        let _ = writeln!(out, "  listed:    {}", listing.describe());
    }
    let _ = writeln!(out, "  settings:  sha256 {}", t.settings_sha256());
}

impl Target {
    /// Every setting a crawl of this target runs under, one `name: value` line each, in a
    /// fixed order: what [`Target::settings_sha256`] is taken over.
    pub fn settings_text(&self) -> String {
        let s = &self.settings;
        let seeds: Vec<&str> = self.seeds.iter().map(Url::as_str).collect();
        let mut out = String::new();
        let mut line = |name: &str, value: String| {
            let _ = writeln!(out, "{name}: {value}");
        };
        line("id", self.id.clone());
        line("seeds", seeds.join(" "));
        line("scope", self.scope_hosts().join(" "));
        line("include", patterns(&self.include, ""));
        line("exclude", patterns(&self.exclude, ""));
        line("allow_private", self.private_allowed().to_string());
        line("rate", format!("{} burst {}", s.rate, s.burst));
        line("max_pages", s.max_pages.to_string());
        line("max_depth", s.max_depth.to_string());
        line("timeout", format!("{:?}", s.timeout));
        line("max_body", s.max_body.to_string());
        line("user_agent", s.user_agent.clone());
        line("respect_robots", s.respect_robots.to_string());
        line("retries", s.retries.to_string());
        line("max_retry_wait", format!("{:?}", s.max_retry_wait));
        line("max_crawl_delay", format!("{:?}", s.max_crawl_delay));
        line("unreachable_after", s.unreachable_after.to_string());
        out
    }

    /// Hex SHA-256 of [`Target::settings_text`]: the settings in force, as each capture of the
    /// target records them and `claimwatch check` prints them.
    pub fn settings_sha256(&self) -> String {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(self.settings_text().as_bytes()))
    }
}

fn write_notifier(out: &mut String, n: &Notifier) {
    let what = match &n.kind {
        NotifierKind::Webhook { secret, .. } => format!(
            "POST {}{}",
            n.kind.destination(),
            if secret.is_some() { ", signed" } else { "" }
        ),
        NotifierKind::Command { .. } => format!("run {}", n.kind.destination()),
    };
    let _ = writeln!(out, "notify {} (line {})", n.label, n.line);
    let _ = writeln!(out, "  new flags: {what}");
    let _ = writeln!(
        out,
        "  attempts:  {} a run, {} each, {} apart at first",
        n.retries + 1,
        human_duration(n.timeout),
        human_duration(n.backoff)
    );
}

fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

fn patterns(list: &[Regex], none: &str) -> String {
    if list.is_empty() {
        return none.to_string();
    }
    let shown: Vec<&str> = list.iter().map(Regex::as_str).collect();
    shown.join("  ")
}
