//! Which facades are on and how they are mounted (`UC_COMPAT*`).

use domain::password_digests::DigestScheme;
use ipnet::IpNet;

/// The seed systems the product can speak for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Seed {
    /// `000`: the jigsaw RPC user API.
    Jigsaw,
    /// `001`: java110's register / login / check.
    Java110,
    /// `002`: the app API under `Api/User/…` with the `{data, info, code, state}` envelope.
    AppApi,
    /// `003`: the ukex user center under `/api/{0}/{1}` with `{status, data}`.
    Ukex,
    /// `004`: the yonyou user center (`user/…`, `images/getValiImage`, `cas/v1/validate`).
    Yonyou,
}

impl Seed {
    pub const ALL: [Seed; 5] = [
        Seed::Jigsaw,
        Seed::Java110,
        Seed::AppApi,
        Seed::Ukex,
        Seed::Yonyou,
    ];

    /// The name `UC_COMPAT` uses.
    pub fn name(self) -> &'static str {
        match self {
            Seed::Jigsaw => "jigsaw",
            Seed::Java110 => "java110",
            Seed::AppApi => "app_api",
            Seed::Ukex => "ukex",
            Seed::Yonyou => "yonyou",
        }
    }

    /// The password digest this seed's clients send instead of the
    /// password, whose verifiers every account then keeps (see
    /// `domain::password_digests`).
    pub fn digest_scheme(self) -> Option<DigestScheme> {
        match self {
            Seed::Jigsaw => Some(DigestScheme::DoubleMd5),
            Seed::Java110 => Some(DigestScheme::Java110),
            Seed::Yonyou => Some(DigestScheme::Md5),
            Seed::AppApi | Seed::Ukex => None,
        }
    }

    /// Whether the seed's callers are servers on a trusted network with no
    /// credential of their own, so the facade answers only
    /// `UC_COMPAT_ALLOW_FROM`. java110 signs its calls and the app API is
    /// called by end users' apps with their own tokens.
    pub fn trusts_network(self) -> bool {
        matches!(self, Seed::Jigsaw | Seed::Ukex | Seed::Yonyou)
    }
}

/// `UC_COMPAT`: a comma-separated list of [`Seed::name`]s; empty for none.
pub fn parse_seeds(value: &str) -> Result<Vec<Seed>, String> {
    let mut seeds = Vec::new();
    for name in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let seed = Seed::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let known: Vec<_> = Seed::ALL.iter().map(|s| s.name()).collect();
                format!("unknown facade {name:?}; known: {}", known.join(", "))
            })?;
        if !seeds.contains(&seed) {
            seeds.push(seed);
        }
    }
    Ok(seeds)
}

/// `UC_COMPAT_PREFIX`: empty, or a path starting with `/` without a
/// trailing one (`/legacy`).
pub fn parse_prefix(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() || value == "/" {
        return Ok(String::new());
    }
    let ok = value.starts_with('/')
        && !value.ends_with('/')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.'));
    if ok {
        Ok(value.to_owned())
    } else {
        Err(format!(
            "{value:?} is not a path prefix like /legacy (letters, digits, - _ . and /, no trailing /)"
        ))
    }
}

/// Everything the facades need from the configuration.
#[derive(Clone, Debug)]
pub struct CompatSettings {
    pub seeds: Vec<Seed>,
    /// Mounted under this path ("" for the seeds' own paths).
    pub prefix: String,
    /// Networks the server-to-server facades answer ([`Seed::trusts_network`]).
    pub allow_from: Vec<IpNet>,
    pub java110: super::java110::Options,
    pub ukex: super::ukex::Options,
    pub jigsaw: super::jigsaw::Options,
    pub app_api: super::app_api::Options,
    pub yonyou: super::yonyou::Options,
}

impl Default for CompatSettings {
    fn default() -> Self {
        CompatSettings {
            seeds: Vec::new(),
            prefix: String::new(),
            allow_from: vec![
                IpNet::from(std::net::IpAddr::from([127, 0, 0, 1])),
                IpNet::from(std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST)),
            ],
            java110: Default::default(),
            ukex: Default::default(),
            jigsaw: Default::default(),
            app_api: Default::default(),
            yonyou: Default::default(),
        }
    }
}

impl CompatSettings {
    /// The digest schemes the enabled facades need (`Settings::password_digests`).
    pub fn digest_schemes(&self) -> Vec<DigestScheme> {
        self.seeds
            .iter()
            .filter_map(|s| s.digest_scheme())
            .collect()
    }

    /// All facades on, at their own paths: for tests.
    #[cfg(test)]
    pub fn all() -> Self {
        CompatSettings {
            seeds: Seed::ALL.to_vec(),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_and_prefix_parse() {
        assert_eq!(
            parse_seeds(" java110, UKEX,java110").unwrap(),
            vec![Seed::Java110, Seed::Ukex]
        );
        assert!(parse_seeds("").unwrap().is_empty());
        assert!(parse_seeds("keycloak").unwrap_err().contains("jigsaw"));
        assert_eq!(parse_prefix("").unwrap(), "");
        assert_eq!(parse_prefix("/legacy").unwrap(), "/legacy");
        assert!(parse_prefix("legacy").is_err());
        assert!(parse_prefix("/legacy/").is_err());
    }
}

/// The `UC_COMPAT*` variables as clap reads them; see [`CompatArgs::settings`].
#[derive(clap::Args, Clone, Debug)]
pub struct CompatArgs {
    /// Facades to serve, comma-separated: jigsaw, java110, app_api, ukex,
    /// yonyou. Empty: none.
    #[arg(long = "compat", env = "UC_COMPAT", default_value = "", global = true, value_parser = seed_list)]
    pub seeds: SeedList,

    /// Path the facades are mounted under, e.g. /legacy. Empty: the seeds'
    /// own paths.
    #[arg(long = "compat-prefix", env = "UC_COMPAT_PREFIX", default_value = "", global = true, value_parser = parse_prefix)]
    pub prefix: String,

    /// Addresses or CIDR blocks (comma-separated) the server-to-server
    /// facades (jigsaw, ukex, yonyou) answer.
    #[arg(long = "compat-allow-from", env = "UC_COMPAT_ALLOW_FROM", default_value = "127.0.0.1,::1", global = true, value_parser = net_list)]
    pub allow_from: NetList,

    #[command(flatten)]
    pub jigsaw: super::jigsaw::Options,
    #[command(flatten)]
    pub java110: super::java110::Options,
    #[command(flatten)]
    pub app_api: super::app_api::Options,
    #[command(flatten)]
    pub ukex: super::ukex::Options,
    #[command(flatten)]
    pub yonyou: super::yonyou::Options,
}

/// The parsed `UC_COMPAT` (a newtype, so clap takes it as one value).
#[derive(Clone, Debug, Default)]
pub struct SeedList(pub Vec<Seed>);

/// The parsed `UC_COMPAT_ALLOW_FROM`.
#[derive(Clone, Debug, Default)]
pub struct NetList(pub Vec<IpNet>);

fn seed_list(value: &str) -> Result<SeedList, String> {
    parse_seeds(value).map(SeedList)
}

fn net_list(value: &str) -> Result<NetList, String> {
    edge::settings::parse_trusted_proxies(value)
        .map(NetList)
        .map_err(|e| e.to_string())
}

impl CompatArgs {
    pub fn settings(&self) -> CompatSettings {
        CompatSettings {
            seeds: self.seeds.0.clone(),
            prefix: self.prefix.clone(),
            allow_from: self.allow_from.0.clone(),
            java110: self.java110.clone(),
            ukex: self.ukex.clone(),
            jigsaw: self.jigsaw.clone(),
            app_api: self.app_api.clone(),
            yonyou: self.yonyou.clone(),
        }
    }
}
