//! What the edge needs to know about the deployment: the site's public
//! origin, whether it is served over HTTPS, and which peers are proxies.

use ipnet::IpNet;
use std::net::IpAddr;
use std::str::FromStr;

/// The deployment facts every guarded request is judged by.
#[derive(Clone, Debug, Default)]
pub struct EdgeSettings {
    /// `UC_PUBLIC_URL` reduced to its origin (`https://id.example.com`).
    /// Without it, the site's origin is the request's own `Host` with the
    /// scheme below.
    pub public_origin: Option<String>,
    /// The site is served over HTTPS: cookies get `Secure` and the
    /// `__Host-` prefix, and pages get `Strict-Transport-Security`.
    pub secure_cookies: bool,
    /// Peers whose `Forwarded` / `X-Forwarded-*` headers are believed.
    pub trusted_proxies: Vec<IpNet>,
    /// `cargo leptos watch`'s live-reload port. Its websocket is the one
    /// thing the page's CSP allows beyond the site itself, in development.
    pub live_reload_port: Option<u32>,
}

impl EdgeSettings {
    /// Whether `ip` is one of the trusted proxies.
    pub fn is_trusted_proxy(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.trusted_proxies.iter().any(|net| net.contains(&ip))
    }
}

/// An IPv4 address that arrived as IPv4-mapped IPv6 (`::ffff:10.0.0.1`, as a
/// dual-stack socket reports it) compares as plain IPv4.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Why a setting was refused at start.
#[derive(Debug, PartialEq, Eq)]
pub struct SettingError(pub String);

impl std::fmt::Display for SettingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SettingError {}

/// Parses `UC_PUBLIC_URL` into the origin browsers send (`scheme://host[:port]`,
/// default ports left out, host lower-cased). Only http and https qualify.
pub fn parse_public_url(value: &str) -> Result<String, SettingError> {
    let url = url::Url::parse(value.trim())
        .map_err(|e| SettingError(format!("UC_PUBLIC_URL {value:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(SettingError(format!(
            "UC_PUBLIC_URL {value:?} must be an http:// or https:// address such as https://id.example.com"
        )));
    }
    Ok(url.origin().ascii_serialization())
}

/// Parses `UC_TRUSTED_PROXIES`: addresses or CIDR blocks separated by commas
/// or spaces (`10.0.0.1, 172.16.0.0/12, ::1`).
pub fn parse_trusted_proxies(value: &str) -> Result<Vec<IpNet>, SettingError> {
    value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|item| {
            IpNet::from_str(item)
                .or_else(|_| IpAddr::from_str(item).map(IpNet::from))
                .map(|net| match net {
                    // `::ffff:10.0.0.0/104` style entries are compared as IPv4.
                    IpNet::V6(v6) => match v6.addr().to_ipv4_mapped() {
                        Some(v4) => ipnet::Ipv4Net::new(v4, v6.prefix_len().saturating_sub(96))
                            .map_or(net, IpNet::V4),
                        None => net,
                    },
                    v4 => v4,
                })
                .map_err(|_| {
                    SettingError(format!(
                        "UC_TRUSTED_PROXIES: {item:?} is neither an IP address nor a CIDR block such as 10.0.0.0/8"
                    ))
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_becomes_an_origin() {
        assert_eq!(
            parse_public_url("https://ID.Example.com/path?q=1").unwrap(),
            "https://id.example.com"
        );
        assert_eq!(
            parse_public_url("https://id.example.com:443").unwrap(),
            "https://id.example.com"
        );
        assert_eq!(
            parse_public_url("http://127.0.0.1:3000/").unwrap(),
            "http://127.0.0.1:3000"
        );
        assert!(parse_public_url("id.example.com").is_err());
        assert!(parse_public_url("ftp://id.example.com").is_err());
    }

    #[test]
    fn proxies_are_addresses_or_blocks() {
        let nets = parse_trusted_proxies("10.0.0.1, 172.16.0.0/12 ::1").unwrap();
        assert_eq!(nets.len(), 3);
        let s = EdgeSettings {
            trusted_proxies: nets,
            ..EdgeSettings::default()
        };
        assert!(s.is_trusted_proxy("10.0.0.1".parse().unwrap()));
        assert!(s.is_trusted_proxy("172.20.1.2".parse().unwrap()));
        assert!(s.is_trusted_proxy("::ffff:172.20.1.2".parse().unwrap()));
        assert!(s.is_trusted_proxy("::1".parse().unwrap()));
        assert!(!s.is_trusted_proxy("10.0.0.2".parse().unwrap()));
        assert!(parse_trusted_proxies("").unwrap().is_empty());
        assert!(parse_trusted_proxies("10.0.0.300").is_err());
        assert!(parse_trusted_proxies("proxy.local").is_err());
    }
}
