//! The address policy: which IP addresses are internal, which are never crawled, and which seed
//! hosts name an internal site.
//!
//! The config asks whether a seed implies `allow_private`; the fetch guard asks whether a
//! resolved address may be connected to. Both ask here, so the two cannot drift apart.

use std::net::{IpAddr, Ipv6Addr};

use url::Host;

/// The IPv6 address of the AWS instance metadata service.
const AWS_METADATA_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);

/// IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
pub fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// Loopback, RFC 1918 private, RFC 6598 shared (CGNAT) and unique-local (fc00::/7) addresses:
/// reachable only by a target that allows private addresses.
///
/// Link-local is deliberately not internal: a literal 169.254.169.254 seed is a cloud metadata
/// endpoint, never a site someone meant to watch, so it must not imply `allow_private`.
pub fn is_internal(addr: IpAddr) -> bool {
    match canonical(addr) {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            let shared = a == 100 && (64..128).contains(&b);
            v4.is_loopback() || v4.is_private() || shared
        }
        IpAddr::V6(v6) => v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00,
    }
}

/// Link-local (which holds the cloud metadata endpoints), the AWS IPv6 metadata address,
/// multicast, broadcast, unspecified and 0.0.0.0/8: refused whatever the target allows.
pub fn is_never_crawled(addr: IpAddr) -> bool {
    match canonical(addr) {
        IpAddr::V4(v4) => {
            v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.octets()[0] == 0
        }
        IpAddr::V6(v6) => {
            v6 == AWS_METADATA_V6
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6.is_unspecified()
                || v6.is_multicast()
        }
    }
}

/// Does a seed with this host name an internal site? True for `localhost` and for a literal
/// internal IP address; a seed like that means the target lives on the internal network, which
/// implies `allow_private`.
pub fn is_internal_host(host: Host<&str>) -> bool {
    match host {
        Host::Domain(d) => {
            d.eq_ignore_ascii_case("localhost") || d.eq_ignore_ascii_case("localhost.")
        }
        Host::Ipv4(ip) => is_internal(IpAddr::V4(ip)),
        Host::Ipv6(ip) => is_internal(IpAddr::V6(ip)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test addresses are valid")
    }

    /// (address, internal, never crawled): the answers both the config and the fetch guard rely on.
    const ANSWERS: &[(&str, bool, bool)] = &[
        // Loopback.
        ("127.0.0.1", true, false),
        ("127.0.0.3", true, false),
        ("127.255.255.254", true, false),
        ("::1", true, false),
        // RFC 1918, with the addresses just outside each block.
        ("10.0.0.1", true, false),
        ("10.255.255.255", true, false),
        ("11.0.0.1", false, false),
        ("172.16.0.1", true, false),
        ("172.31.255.255", true, false),
        ("172.15.255.255", false, false),
        ("172.32.0.1", false, false),
        ("192.168.0.1", true, false),
        ("192.168.255.255", true, false),
        ("192.169.0.1", false, false),
        // RFC 6598 shared address space.
        ("100.64.0.1", true, false),
        ("100.127.255.255", true, false),
        ("100.63.255.255", false, false),
        ("100.128.0.1", false, false),
        // Link-local and metadata: never crawled, and not internal (see `is_internal`).
        ("169.254.169.254", false, true),
        ("169.254.0.1", false, true),
        ("fe80::1", false, true),
        ("febf::1", false, true),
        ("fec0::1", false, false),
        // The AWS IPv6 metadata address lies inside fc00::/7, so it is internal too.
        ("fd00:ec2::254", true, true),
        ("fd00:ec2::253", true, false),
        // Unique-local fc00::/7.
        ("fc00::1", true, false),
        ("fd12::1", true, false),
        ("fdff:ffff::1", true, false),
        ("fe00::1", false, false),
        // IPv4-mapped IPv6 addresses answer as their IPv4 address.
        ("::ffff:127.0.0.1", true, false),
        ("::ffff:10.0.0.1", true, false),
        ("::ffff:100.64.0.1", true, false),
        ("::ffff:169.254.169.254", false, true),
        ("::ffff:0.0.0.0", false, true),
        ("::ffff:8.8.8.8", false, false),
        // IPv4-compatible (deprecated) addresses are not translated: they answer as IPv6.
        ("::127.0.0.1", false, false),
        // Unspecified, "this network", broadcast, multicast.
        ("0.0.0.0", false, true),
        ("0.1.2.3", false, true),
        ("255.255.255.255", false, true),
        ("224.0.0.1", false, true),
        ("::", false, true),
        ("ff02::1", false, true),
        // Public.
        ("8.8.8.8", false, false),
        ("93.184.216.34", false, false),
        ("2606:2800:220:1::1", false, false),
    ];

    #[test]
    fn internal_and_never_crawled_addresses() {
        for &(addr, internal, never) in ANSWERS {
            assert_eq!(is_internal(ip(addr)), internal, "is_internal({addr})");
            assert_eq!(
                is_never_crawled(ip(addr)),
                never,
                "is_never_crawled({addr})"
            );
        }
    }

    #[test]
    fn canonical_unwraps_only_ipv4_mapped_addresses() {
        assert_eq!(canonical(ip("::ffff:10.1.2.3")), ip("10.1.2.3"));
        assert_eq!(canonical(ip("::10.1.2.3")), ip("::10.1.2.3"));
        assert_eq!(canonical(ip("fd12::1")), ip("fd12::1"));
        assert_eq!(canonical(ip("10.1.2.3")), ip("10.1.2.3"));
    }

    #[test]
    fn internal_hosts() {
        for (host, internal) in [
            ("localhost", true),
            ("LOCALHOST", true),
            ("localhost.", true),
            ("Localhost.", true),
            ("localhost.example", false),
            ("mylocalhost", false),
            ("www.example.com", false),
        ] {
            assert_eq!(is_internal_host(Host::Domain(host)), internal, "{host}");
        }
        for &(addr, internal, _) in ANSWERS {
            let host = match ip(addr) {
                IpAddr::V4(v4) => Host::Ipv4(v4),
                IpAddr::V6(v6) => Host::Ipv6(v6),
            };
            assert_eq!(is_internal_host(host), internal, "{addr}");
        }
    }
}
