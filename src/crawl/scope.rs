//! A target's scope: the hosts its crawl may visit, and its include / exclude patterns.

use regex::Regex;
use url::Url;

use crate::config::Target;

/// Which URLs belong to a target.
#[derive(Debug, Clone)]
pub struct Scope {
    hosts: Vec<String>,
    suffixes: Vec<String>,
    include: Vec<Regex>,
    exclude: Vec<Regex>,
}

impl Scope {
    /// Seed hosts (with and without a leading `www.`) plus `allow_hosts`.
    pub fn for_target(target: &Target) -> Scope {
        let mut hosts = Vec::new();
        let mut suffixes = Vec::new();
        for seed in &target.seeds {
            if let Some(host) = seed.host_str() {
                let host = host.to_ascii_lowercase();
                match host.strip_prefix("www.") {
                    Some(bare) => hosts.push(bare.to_string()),
                    None if host.parse::<std::net::IpAddr>().is_err() && !host.starts_with('[') => {
                        hosts.push(format!("www.{host}"))
                    }
                    None => {}
                }
                hosts.push(host);
            }
        }
        for allowed in &target.allow_hosts {
            match allowed.strip_prefix("*.") {
                Some(suffix) => {
                    hosts.push(suffix.to_string());
                    suffixes.push(format!(".{suffix}"));
                }
                None => hosts.push(allowed.clone()),
            }
        }
        hosts.sort();
        hosts.dedup();
        Scope {
            hosts,
            suffixes,
            include: target.include.clone(),
            exclude: target.exclude.clone(),
        }
    }

    /// Is the URL's host one the target may visit?
    pub fn host_in_scope(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host.to_ascii_lowercase();
        matches!(url.scheme(), "http" | "https")
            && (self.hosts.contains(&host) || self.suffixes.iter().any(|s| host.ends_with(s)))
    }

    /// In scope and wanted: host in scope, matching an include pattern if there are any, and no
    /// exclude pattern.
    pub fn wants(&self, url: &Url) -> bool {
        let text = url.as_str();
        self.host_in_scope(url)
            && (self.include.is_empty() || self.include.iter().any(|r| r.is_match(text)))
            && !self.exclude.iter().any(|r| r.is_match(text))
    }

    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }
}
