//! The client's real address and scheme behind reverse proxies.
//!
//! Forwarding headers are written by whoever sent the request, so they are
//! believed only when the socket peer is a trusted proxy, and then only up
//! to the first hop that is not trusted: that hop connected to one of our
//! proxies, so it is the client as far as anyone we trust can vouch. A
//! client that sends its own `X-Forwarded-For: 1.2.3.4` through the proxy
//! only adds an entry left of the hop the proxy appended.

use crate::settings::{canonical, EdgeSettings};
use http::HeaderMap;
use std::net::{IpAddr, SocketAddr};

/// What the edge concluded about where a request came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr {
    pub ip: IpAddr,
    /// The scheme the client used, as a trusted proxy reported it (`None`
    /// when no trusted proxy said).
    pub https: Option<bool>,
}

/// Resolves the client behind `peer` (the socket's address).
///
/// `Forwarded` (RFC 7239) is read when present, else `X-Forwarded-For`; the
/// scheme comes from the chosen `Forwarded` element's `proto`, else from
/// `X-Forwarded-Proto` (its first value: the one the outermost proxy set).
pub fn resolve(peer: IpAddr, headers: &HeaderMap, settings: &EdgeSettings) -> ClientAddr {
    let peer = canonical(peer);
    if !settings.is_trusted_proxy(peer) {
        return ClientAddr {
            ip: peer,
            https: None,
        };
    }
    let forwarded = forwarded_hops(headers);
    let hops = if forwarded.is_empty() {
        x_forwarded_for_hops(headers)
    } else {
        forwarded
    };
    // Walk from the right (the hop nearest to us) past trusted proxies.
    let mut client = peer;
    let mut proto = None;
    for hop in hops.iter().rev() {
        match hop.addr {
            Some(ip) => {
                client = ip;
                proto = hop.proto;
                if !settings.is_trusted_proxy(ip) {
                    break;
                }
            }
            // An obfuscated or unknown hop: nobody we trust can say who is
            // behind it, so the last address we could vouch for stands.
            None => break,
        }
    }
    let https = proto.or_else(|| {
        header_values(headers, "x-forwarded-proto")
            .next()
            .map(|p| p.eq_ignore_ascii_case("https"))
    });
    ClientAddr { ip: client, https }
}

/// One element of a forwarding chain.
#[derive(Debug)]
struct Hop {
    addr: Option<IpAddr>,
    proto: Option<bool>,
}

/// Every comma-separated value of every line of a header, in order.
fn header_values<'a>(headers: &'a HeaderMap, name: &str) -> impl Iterator<Item = &'a str> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn x_forwarded_for_hops(headers: &HeaderMap) -> Vec<Hop> {
    header_values(headers, "x-forwarded-for")
        .map(|v| Hop {
            addr: parse_node(v),
            proto: None,
        })
        .collect()
}

/// The elements of `Forwarded: for=192.0.2.60;proto=https, for="[2001:db8::1]:4711"`.
fn forwarded_hops(headers: &HeaderMap) -> Vec<Hop> {
    header_values(headers, "forwarded")
        .map(|element| {
            let mut hop = Hop {
                addr: None,
                proto: None,
            };
            for pair in element.split(';') {
                let Some((key, value)) = pair.split_once('=') else {
                    continue;
                };
                let value = value.trim().trim_matches('"');
                match key.trim().to_ascii_lowercase().as_str() {
                    "for" => hop.addr = parse_node(value),
                    "proto" => hop.proto = Some(value.eq_ignore_ascii_case("https")),
                    _ => {}
                }
            }
            hop
        })
        .collect()
}

/// `192.0.2.60`, `192.0.2.60:8080`, `[2001:db8::1]`, `[2001:db8::1]:4711` or
/// a bare IPv6 address; `unknown` and `_hidden` names are `None`.
fn parse_node(value: &str) -> Option<IpAddr> {
    let value = value.trim().trim_matches('"');
    if let Ok(ip) = value.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(sock) = value.parse::<SocketAddr>() {
        return Some(canonical(sock.ip()));
    }
    let inner = value.strip_prefix('[')?.split(']').next()?;
    inner.parse::<IpAddr>().ok().map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::parse_trusted_proxies;
    use http::HeaderValue;

    fn settings(proxies: &str) -> EdgeSettings {
        EdgeSettings {
            trusted_proxies: parse_trusted_proxies(proxies).unwrap(),
            ..EdgeSettings::default()
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_spoofed_header_from_an_untrusted_peer_is_ignored() {
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-proto", "https"),
            ("forwarded", "for=5.6.7.8;proto=https"),
        ]);
        let got = resolve(ip("203.0.113.9"), &h, &settings("10.0.0.0/8"));
        assert_eq!(
            got,
            ClientAddr {
                ip: ip("203.0.113.9"),
                https: None
            }
        );
        // Nothing configured: nobody is trusted, not even loopback.
        assert_eq!(
            resolve(ip("127.0.0.1"), &h, &settings("")).ip,
            ip("127.0.0.1")
        );
    }

    #[test]
    fn a_chain_through_two_trusted_proxies_yields_the_real_client() {
        // The client forged an entry; the edge proxy (10.0.0.2) appended the
        // real client, the inner proxy (10.0.0.3) appended the edge proxy.
        let h = headers(&[
            ("x-forwarded-for", "6.6.6.6, 198.51.100.7"),
            ("x-forwarded-for", "10.0.0.2"),
            ("x-forwarded-proto", "https, http"),
        ]);
        let got = resolve(ip("10.0.0.3"), &h, &settings("10.0.0.2, 10.0.0.3"));
        assert_eq!(
            got,
            ClientAddr {
                ip: ip("198.51.100.7"),
                https: Some(true)
            }
        );
    }

    #[test]
    fn forwarded_wins_over_x_forwarded_for_and_carries_the_scheme() {
        let h = headers(&[
            (
                "forwarded",
                "for=\"[2001:db8::1]:4711\";proto=https, for=10.0.0.2;proto=http",
            ),
            ("x-forwarded-for", "9.9.9.9"),
        ]);
        let got = resolve(ip("::ffff:10.0.0.3"), &h, &settings("10.0.0.0/24"));
        assert_eq!(
            got,
            ClientAddr {
                ip: ip("2001:db8::1"),
                https: Some(true)
            }
        );
    }

    #[test]
    fn an_unknown_hop_stops_at_the_last_vouched_address() {
        let h = headers(&[("forwarded", "for=unknown, for=10.0.0.2")]);
        let got = resolve(ip("10.0.0.3"), &h, &settings("10.0.0.0/24"));
        assert_eq!(got.ip, ip("10.0.0.2"));
        // A trusted proxy that forwards nothing is itself the client.
        assert_eq!(
            resolve(ip("10.0.0.3"), &HeaderMap::new(), &settings("10.0.0.0/24")).ip,
            ip("10.0.0.3")
        );
    }

    #[test]
    fn ports_and_brackets_are_stripped() {
        assert_eq!(parse_node("192.0.2.60:8080"), Some(ip("192.0.2.60")));
        assert_eq!(parse_node("[2001:db8::1]"), Some(ip("2001:db8::1")));
        assert_eq!(parse_node("2001:db8::1"), Some(ip("2001:db8::1")));
        assert_eq!(parse_node("_hidden"), None);
    }
}
