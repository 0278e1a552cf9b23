//! The address guard: which IP addresses a target's requests may connect to.
//!
//! A watched company controls its DNS and its redirects, so a public name can be pointed at the
//! crawler's own network. Link-local and cloud-metadata addresses are always refused; loopback and
//! private ones only when the target itself lives there (see `Target::private_allowed`). Which
//! address is which is decided in [`crate::address`]. The check runs on resolved addresses (in the
//! resolver, so nothing else can be connected to) and again on the address a response actually
//! came from.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::address;

/// Why an address may not be connected to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refused to connect to {addr}: {reason}")]
pub struct AddressRefused {
    pub addr: IpAddr,
    pub reason: &'static str,
}

/// Checks one address against the policy.
pub fn check_address(addr: IpAddr, allow_private: bool) -> Result<(), AddressRefused> {
    let addr = address::canonical(addr);
    let refuse = |reason| Err(AddressRefused { addr, reason });
    if address::is_never_crawled(addr) {
        return refuse(
            "link-local, metadata, multicast or unspecified addresses are never crawled",
        );
    }
    if !allow_private && address::is_internal(addr) {
        return refuse("loopback or private address, and the target does not allow_private");
    }
    Ok(())
}

/// A resolver that applies `--resolve` overrides, then the system resolver, and hands reqwest
/// only the addresses the guard accepts.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    pub overrides: Arc<HashMap<String, Vec<IpAddr>>>,
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let overridden = self.overrides.get(&host).cloned();
        let allow_private = self.allow_private;
        Box::pin(async move {
            let addrs: Vec<IpAddr> = match overridden {
                Some(addrs) => addrs,
                None => tokio::net::lookup_host((host.as_str(), 0))
                    .await?
                    .map(|sa| sa.ip())
                    .collect(),
            };
            let mut first_refusal = None;
            let mut allowed = Vec::new();
            for addr in addrs {
                match check_address(addr, allow_private) {
                    Ok(()) => allowed.push(SocketAddr::new(addr, 0)),
                    Err(refused) => {
                        first_refusal.get_or_insert(refused);
                    }
                }
            }
            match (allowed.is_empty(), first_refusal) {
                (true, Some(refused)) => Err(Box::new(refused) as _),
                _ => Ok(Box::new(allowed.into_iter()) as Addrs),
            }
        })
    }
}

/// Finds an [`AddressRefused`] anywhere in an error's source chain.
pub fn find_refusal(err: &(dyn std::error::Error + 'static)) -> Option<AddressRefused> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(refused) = e.downcast_ref::<AddressRefused>() {
            return Some(refused.clone());
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test addresses are valid")
    }

    #[test]
    fn metadata_and_link_local_are_refused_even_when_private_is_allowed() {
        for addr in [
            "169.254.169.254",
            "fd00:ec2::254",
            "fe80::1",
            "0.0.0.0",
            "::ffff:169.254.169.254",
        ] {
            assert!(check_address(ip(addr), true).is_err(), "{addr}");
        }
    }

    #[test]
    fn internal_addresses_need_allow_private() {
        for addr in [
            "127.0.0.1",
            "127.0.0.3",
            "10.0.0.1",
            "192.168.1.1",
            "172.16.0.1",
            "100.64.0.1",
            "::1",
            "fd12::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(check_address(ip(addr), false).is_err(), "{addr}");
            assert!(check_address(ip(addr), true).is_ok(), "{addr}");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for addr in ["93.184.216.34", "2606:2800:220:1::1", "172.32.0.1"] {
            assert!(check_address(ip(addr), false).is_ok(), "{addr}");
        }
    }
}
