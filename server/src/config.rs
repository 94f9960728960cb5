//! Server configuration from the command line, environment variables and an
//! optional `.env` file (loaded before parsing, never overriding the real
//! environment).

use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser, Debug, Clone)]
#[command(
    name = "server",
    version,
    about = "User Center: accounts, security and wallet service"
)]
pub struct Config {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Address to listen on. Defaults to LEPTOS_SITE_ADDR, else 127.0.0.1:3000.
    #[arg(long, env = "UC_BIND", global = true)]
    pub bind: Option<SocketAddr>,

    /// Directory for the database, the generated token secret and other state.
    #[arg(long, env = "UC_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// The database: sqlite://PATH (the default, sqlite://<data dir>/user-center.db)
    /// or postgres://USER:PASSWORD@HOST:PORT/DATABASE.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Secret that signs access tokens (at least 32 bytes). When unset, a random
    /// one is generated on first start and kept in <data dir>/jwt-secret (0600).
    #[arg(long, env = "UC_JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<Secret>,

    /// Key-encryption key of the personal data (base64 of 32 bytes): it
    /// unwraps the keys that seal real names, ID numbers and document
    /// photos. When unset, one is generated on first start and kept in
    /// <data dir>/data-key (0600). Without it the data cannot be read: back
    /// it up apart from the database.
    #[arg(long, env = "UC_DATA_KEY", hide_env_values = true, global = true)]
    pub data_key: Option<Secret>,

    /// Mark cookies `Secure`: set this whenever the site is served over HTTPS.
    #[arg(
        long,
        env = "UC_SECURE_COOKIES",
        default_value_t = false,
        global = true
    )]
    pub secure_cookies: bool,

    /// The site's public address (e.g. https://id.example.com). Browsers'
    /// state-changing requests must come from this origin. Unset: the
    /// request's own Host, with https when UC_SECURE_COOKIES is set or a
    /// trusted proxy says so.
    #[arg(long, env = "UC_PUBLIC_URL", global = true, value_parser = edge::settings::parse_public_url)]
    pub public_url: Option<String>,

    /// Reverse proxies (addresses or CIDR blocks, comma-separated) whose
    /// Forwarded / X-Forwarded-For / X-Forwarded-Proto headers are believed.
    /// Unset: none; the socket's peer is the client.
    #[arg(long, env = "UC_TRUSTED_PROXIES", default_value = "", global = true, value_parser = parse_proxies)]
    pub trusted_proxies: ProxyList,

    /// Lifetime of an access token (JWT), in seconds.
    #[arg(long, env = "UC_ACCESS_TTL_SECS", default_value_t = 900, global = true)]
    pub access_ttl_secs: u64,

    /// How long a session lasts without a refresh, in seconds (the refresh
    /// token's life); each refresh extends it to this long from then, up to
    /// UC_SESSION_MAX_SECS.
    #[arg(
        long,
        env = "UC_REFRESH_TTL_SECS",
        default_value_t = 2_592_000,
        global = true
    )]
    pub refresh_ttl_secs: u64,

    /// The absolute cap on a session, in seconds from its sign-in, however
    /// often it is refreshed (90 days).
    #[arg(
        long,
        env = "UC_SESSION_MAX_SECS",
        default_value_t = 7_776_000,
        global = true
    )]
    pub session_max_secs: u64,

    /// Consecutive failed sign-ins that lock an identifier.
    #[arg(
        long,
        env = "UC_LOCKOUT_CONSECUTIVE",
        default_value_t = 5,
        global = true
    )]
    pub lockout_consecutive: u32,

    /// First lock length in seconds; each further lock doubles it.
    #[arg(
        long,
        env = "UC_LOCKOUT_BASE_SECS",
        default_value_t = 900,
        global = true
    )]
    pub lockout_base_secs: u64,

    /// Longest lock in seconds.
    #[arg(
        long,
        env = "UC_LOCKOUT_MAX_SECS",
        default_value_t = 86_400,
        global = true
    )]
    pub lockout_max_secs: u64,

    /// Failed sign-ins within the window that lock an identifier until the
    /// oldest of them leaves the window.
    #[arg(
        long,
        env = "UC_LOCKOUT_CUMULATIVE",
        default_value_t = 20,
        global = true
    )]
    pub lockout_cumulative: u32,

    /// Length of the rolling window for cumulative failures, in seconds.
    #[arg(
        long,
        env = "UC_LOCKOUT_WINDOW_SECS",
        default_value_t = 86_400,
        global = true
    )]
    pub lockout_window_secs: u64,

    /// Failed sign-ins from one IP within an hour after which every sign-in
    /// from it needs a captcha.
    #[arg(
        long,
        env = "UC_SIGNIN_IP_CAPTCHA_AFTER",
        default_value_t = 100,
        global = true
    )]
    pub signin_ip_captcha_after: u32,

    /// Captcha images one IP may ask for within an hour (`429 RATE_LIMITED` past it).
    #[arg(
        long,
        env = "UC_CAPTCHAS_PER_IP_HOUR",
        default_value_t = 100,
        global = true
    )]
    pub captchas_per_ip_hour: u32,

    /// Refuse password sign-in from a device (X-Device-Id) not bound to the
    /// account; a code sign-in from it works and binds it.
    #[arg(
        long,
        env = "UC_UNBOUND_DEVICE_NEEDS_CODE",
        default_value_t = false,
        action = clap::ArgAction::Set,
        global = true
    )]
    pub unbound_device_needs_code: bool,

    /// Days a closed account keeps its email, phone and username before
    /// they may be registered again.
    #[arg(
        long,
        env = "UC_CLOSED_CONTACT_GRACE_DAYS",
        default_value_t = 30,
        global = true
    )]
    pub closed_contact_grace_days: u64,

    /// Avatar and document uploads one user may make within an hour
    /// (`429 RATE_LIMITED` past it).
    #[arg(long, env = "UC_UPLOADS_PER_HOUR", default_value_t = 30, global = true)]
    pub uploads_per_hour: u32,

    /// Uploads are refused (`507 STORAGE_FULL`) while the data disk has
    /// less free space than the smaller of this many bytes and
    /// UC_MIN_FREE_PERCENT of its size; 0 turns the floor off.
    #[arg(
        long,
        env = "UC_MIN_FREE_BYTES",
        default_value_t = 1 << 30,
        global = true
    )]
    pub min_free_bytes: u64,

    /// The percentage half of the free-space floor (0–100); see UC_MIN_FREE_BYTES.
    #[arg(
        long,
        env = "UC_MIN_FREE_PERCENT",
        default_value_t = 5,
        value_parser = clap::value_parser!(u8).range(0..=100),
        global = true
    )]
    pub min_free_percent: u8,

    #[command(flatten)]
    pub codes: crate::messaging_config::CodeArgs,

    #[command(flatten)]
    pub delivery: crate::messaging_config::DeliveryArgs,

    #[command(flatten)]
    pub notify: crate::messaging_config::NotifyArgs,

    /// The seed-compatible facades (`UC_COMPAT*`): see `compat`.
    #[command(flatten)]
    pub compat: crate::compat::settings::CompatArgs,

    /// Log filter, e.g. `info`, `debug`, `server=debug,sqlx=warn`.
    #[arg(long, env = "RUST_LOG", default_value = "info", global = true)]
    pub log: String,

    /// Log lines as `text` (for people) or `json` (one object a line, for
    /// log collectors).
    #[arg(long, env = "UC_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"], global = true)]
    pub log_format: String,

    /// Address of a second listener that serves Prometheus metrics at
    /// `/metrics`, e.g. `127.0.0.1:9100`. Unset: no metrics are collected.
    /// Keep it private: it is not behind the site's guard.
    #[arg(long, env = "UC_METRICS_BIND", global = true)]
    pub metrics_bind: Option<std::net::SocketAddr>,
}

pub use domain::secret_string::SecretString as Secret;

/// The parsed `UC_TRUSTED_PROXIES`.
#[derive(Clone, Debug, Default)]
pub struct ProxyList(pub Vec<ipnet::IpNet>);

fn parse_proxies(value: &str) -> Result<ProxyList, edge::settings::SettingError> {
    edge::settings::parse_trusted_proxies(value).map(ProxyList)
}

#[derive(clap::Subcommand, Debug, Clone)]
pub enum Command {
    /// Serve the web UI and the APIs (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Operator tasks on accounts (run on the server, against its data directory).
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Bring users in from another system (run on the server, against its data
    /// directory), or, with --from, a whole deployment from another database.
    #[command(args_conflicts_with_subcommands = true)]
    Import {
        /// Copy every table of this database (e.g. sqlite://data/user-center.db)
        /// into the configured one (DATABASE_URL), with the same ids, then check
        /// the ledger. Run with the servers stopped; running it again changes
        /// nothing.
        #[arg(long, value_name = "URL")]
        from: Option<String>,
        #[command(subcommand)]
        command: Option<ImportCommand>,
    },
    /// Copy every table of the configured database into another one (e.g.
    /// postgres://…), with the same ids, then check the ledger there.
    Export {
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// The keys that seal personal data (run on the server, against its data directory).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(clap::Subcommand, Debug, Clone)]
pub enum KeysCommand {
    /// Add a data-encryption key, which seals every write from now on, and
    /// re-seal the stored real names, ID numbers and document photos under
    /// it. Interrupted, it resumes at the next start of the server (or with
    /// `keys reseal`).
    Rotate,
    /// Finish re-sealing under the active key without adding one.
    Reseal,
    /// Print the active key and how many records are not yet sealed under it.
    Status,
}

#[derive(clap::Subcommand, Debug, Clone)]
pub enum ImportCommand {
    /// Import users from a JSON Lines file, one user a line, with their
    /// legacy password hashes and opening balances (the format is in the
    /// README, "Importing users"). Every row is checked first and bad rows
    /// are listed by line; any bad row means nothing is written unless
    /// --skip-invalid. Running the same file again changes nothing.
    Users {
        /// The JSON Lines file.
        file: PathBuf,
        /// Check every row and report, writing nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import the good rows even when some are bad (they are still
        /// listed, and the exit status is still 1).
        #[arg(long)]
        skip_invalid: bool,
        /// Rows written per transaction.
        #[arg(long, default_value_t = domain::import::DEFAULT_BATCH_SIZE,
              value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
        batch_size: usize,
    },
}

#[derive(clap::Subcommand, Debug, Clone)]
pub enum AdminCommand {
    /// Create an account with the `super_admin` role (the first administrator
    /// cannot sign up and promote itself). The password is read from stdin,
    /// one line; the sign-up password policy applies.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        username: Option<String>,
        /// Read the password from standard input (required: a password on the
        /// command line would end up in the shell history and `ps`).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// The role to give: `super_admin` (default), `staff` or `user`.
        #[arg(long, default_value = "super_admin")]
        role: domain::admin::Role,
    },
    /// Give an existing account a role: `staff`, `super_admin` or `user`.
    SetRole {
        /// The account's email (a phone number or username works too).
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: domain::admin::Role,
    },
    /// Register a service app for the signed API; prints its id and secret
    /// (shown this once).
    CreateApp {
        #[arg(long)]
        name: String,
        /// Comma-separated: users:read, users:write, users:admin,
        /// wallet:read, wallet:write, auth:check.
        #[arg(long, value_delimiter = ',', required = true)]
        scopes: Vec<String>,
    },
    /// Add, rename, enable, disable or list the wallet's currencies.
    Currency {
        #[command(subcommand)]
        command: CurrencyCommand,
    },
}

/// `server admin currency …`: the same changes a super admin makes on
/// `/admin/currencies`, audited as `currency_changed` (via `cli`).
#[derive(clap::Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum CurrencyCommand {
    /// Every currency: code, scale, state, names and aliases.
    List,
    /// Add an enabled currency.
    Add {
        /// 2–10 capital letters or digits, e.g. EUR; never changes.
        code: String,
        #[arg(long)]
        name: String,
        /// The name shown on Chinese pages (else the name).
        #[arg(long)]
        name_zh: Option<String>,
        /// Decimal places, 0–8; fixed once money has moved in it.
        #[arg(long)]
        scale: u32,
        /// Other names of it (coin ids), comma-separated.
        #[arg(long, default_value = "")]
        aliases: String,
    },
    /// Change the name and/or the Chinese name (`--name-zh ""` removes it).
    #[command(group(clap::ArgGroup::new("names").required(true).multiple(true).args(["name", "name_zh"])))]
    Rename {
        code: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        name_zh: Option<String>,
    },
    /// Replace the aliases with this comma-separated list (`""` removes all).
    Aliases { code: String, aliases: String },
    /// Change the scale: only while no money has moved in the currency.
    SetScale { code: String, scale: u32 },
    /// Take money in again.
    Enable { code: String },
    /// Stop money coming in: no deposits, transfers or new holds; balances
    /// stay, withdrawals and the end of holds still work.
    Disable { code: String },
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("UC_JWT_SECRET must be at least 32 bytes long")]
    SecretTooShort,
    #[error("`server import` needs --from URL (a whole database) or a subcommand (`server import users FILE`)")]
    ImportWhat,
}

impl Config {
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}",
                self.data_dir.join("user-center.db").display()
            )
        })
    }

    pub fn lockout(&self) -> domain::LockoutPolicy {
        use std::time::Duration;
        domain::LockoutPolicy {
            max_consecutive: self.lockout_consecutive.max(1),
            base_lock: Duration::from_secs(self.lockout_base_secs),
            max_lock: Duration::from_secs(self.lockout_max_secs.max(self.lockout_base_secs)),
            max_cumulative: self.lockout_cumulative.max(1),
            window: Duration::from_secs(self.lockout_window_secs),
            captcha_after: self.codes.captcha_after_failures,
        }
    }

    /// What the web edge needs: origin, HTTPS, proxies, and in development
    /// (`cargo leptos watch` sets `LEPTOS_WATCH`) the live-reload port.
    pub fn edge(&self, reload_port: u32) -> edge::EdgeSettings {
        edge::EdgeSettings {
            public_origin: self.public_url.clone(),
            secure_cookies: self.secure_cookies,
            trusted_proxies: self.trusted_proxies.0.clone(),
            live_reload_port: std::env::var_os("LEPTOS_WATCH").map(|_| reload_port),
        }
    }

    /// The attempt limiter's settings beyond the sign-in lockout.
    pub fn throttle(&self) -> domain::ThrottleSettings {
        domain::ThrottleSettings {
            ip_captcha_after: self.signin_ip_captcha_after.max(1),
            captchas_per_ip: self.captchas_per_ip_hour.max(1),
            ..domain::ThrottleSettings::default()
        }
    }

    /// The upload limits: hourly allowance and free-space floor (the
    /// document quota and expiry keep their defaults).
    pub fn uploads(&self) -> domain::UploadSettings {
        domain::UploadSettings {
            per_hour: self.uploads_per_hour.max(1),
            min_free_bytes: self.min_free_bytes,
            min_free_percent: self.min_free_percent,
            ..domain::UploadSettings::default()
        }
    }

    pub fn check(&self) -> Result<(), ConfigError> {
        if let Some(Command::Import {
            from: None,
            command: None,
        }) = self.command
        {
            return Err(ConfigError::ImportWhat);
        }
        match &self.jwt_secret {
            Some(s) if s.as_bytes().len() < 32 => Err(ConfigError::SecretTooShort),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_redacted_and_length_checked() {
        let config = Config::parse_from(["server", "--jwt-secret", "short"]);
        assert!(!format!("{config:?}").contains("short"));
        assert!(matches!(config.check(), Err(ConfigError::SecretTooShort)));
        let ok = Config::parse_from(["server", "--jwt-secret", &"k".repeat(32)]);
        assert!(ok.check().is_ok());
        assert_eq!(ok.database_url(), "sqlite://data/user-center.db");
    }

    #[test]
    fn edge_settings_parse() {
        let config = Config::parse_from([
            "server",
            "--public-url",
            "https://ID.example.com/",
            "--trusted-proxies",
            "10.0.0.1, 172.16.0.0/12",
            "--secure-cookies",
        ]);
        let edge = config.edge(3001);
        assert_eq!(
            edge.public_origin.as_deref(),
            Some("https://id.example.com")
        );
        assert_eq!(edge.trusted_proxies.len(), 2);
        assert!(edge.secure_cookies);
        let defaults = Config::parse_from(["server"]).edge(3001);
        assert!(defaults.public_origin.is_none() && defaults.trusted_proxies.is_empty());
        assert!(Config::try_parse_from(["server", "--public-url", "id.example.com"]).is_err());
        assert!(Config::try_parse_from(["server", "--trusted-proxies", "10.0.0.0/33"]).is_err());
    }

    #[test]
    fn upload_and_session_limits_have_the_documented_defaults() {
        let defaults = Config::parse_from(["server"]);
        let uploads = defaults.uploads();
        assert_eq!(uploads.per_hour, 30);
        assert_eq!(uploads.min_free_bytes, 1 << 30);
        assert_eq!(uploads.min_free_percent, 5);
        assert_eq!(defaults.session_max_secs, 90 * 24 * 3600);
        let set = Config::parse_from([
            "server",
            "--uploads-per-hour",
            "5",
            "--min-free-bytes",
            "0",
            "--min-free-percent",
            "10",
        ])
        .uploads();
        assert_eq!(
            (set.per_hour, set.min_free_bytes, set.min_free_percent),
            (5, 0, 10)
        );
        assert!(Config::try_parse_from(["server", "--min-free-percent", "101"]).is_err());
    }

    #[test]
    fn captcha_outbox_is_refused_with_secure_cookies() {
        let dir = tempfile::tempdir().unwrap();
        let dev = Config::parse_from(["server", "--captcha-to-outbox", "true"]);
        assert!(dev
            .delivery
            .messenger(dir.path(), dev.secure_cookies)
            .is_ok());
        let prod =
            Config::parse_from(["server", "--captcha-to-outbox", "true", "--secure-cookies"]);
        assert!(matches!(
            prod.delivery.messenger(dir.path(), prod.secure_cookies),
            Err(crate::messaging_config::DeliveryConfigError::CaptchaOutboxInProduction)
        ));
        let defaults = Config::parse_from(["server"]);
        assert!(defaults.command.is_none());
        assert!(defaults.codes.require_contact_code);
        assert!(!defaults.delivery.captcha_to_outbox);
    }

    #[test]
    fn import_commands_parse() {
        let config = Config::parse_from(["server", "import", "users", "old.jsonl", "--dry-run"]);
        match config.command {
            Some(Command::Import {
                from: None,
                command:
                    Some(ImportCommand::Users {
                        file,
                        dry_run,
                        skip_invalid,
                        batch_size,
                    }),
            }) => {
                assert_eq!(file, PathBuf::from("old.jsonl"));
                assert!(dry_run && !skip_invalid);
                assert_eq!(batch_size, domain::import::DEFAULT_BATCH_SIZE);
            }
            other => panic!("{other:?}"),
        }
        assert!(Config::try_parse_from(["server", "import", "users"]).is_err());
        let moved =
            Config::parse_from(["server", "import", "--from", "sqlite://old/user-center.db"]);
        assert!(matches!(
            moved.command,
            Some(Command::Import { from: Some(ref url), command: None }) if url == "sqlite://old/user-center.db"
        ));
        assert!(
            Config::try_parse_from(["server", "import", "--from", "sqlite://a", "users", "f"])
                .is_err(),
            "a move and a user import are separate runs"
        );
        assert!(
            Config::try_parse_from(["server", "import", "users", "f", "--batch-size", "0"])
                .is_err()
        );
    }

    #[test]
    fn admin_commands_parse() {
        let config = Config::parse_from([
            "server",
            "admin",
            "create",
            "--email",
            "a@example.com",
            "--password-stdin",
        ]);
        match config.command {
            Some(Command::Admin {
                command:
                    AdminCommand::Create {
                        email,
                        role,
                        password_stdin,
                        phone,
                        ..
                    },
            }) => {
                assert_eq!(email, "a@example.com");
                assert_eq!(role, domain::admin::Role::SuperAdmin);
                assert!(password_stdin);
                assert_eq!(phone, None);
            }
            other => panic!("{other:?}"),
        }
        // No password on the command line, ever: the flag is required.
        assert!(
            Config::try_parse_from(["server", "admin", "create", "--email", "a@example.com"])
                .is_err()
        );
        let config = Config::parse_from([
            "server",
            "admin",
            "set-role",
            "--email",
            "a@example.com",
            "--role",
            "staff",
        ]);
        assert!(matches!(
            config.command,
            Some(Command::Admin {
                command: AdminCommand::SetRole {
                    role: domain::admin::Role::Staff,
                    ..
                }
            })
        ));
        assert!(Config::try_parse_from([
            "server",
            "admin",
            "set-role",
            "--email",
            "a@example.com",
            "--role",
            "root",
        ])
        .is_err());
    }
}
