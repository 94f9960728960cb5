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

    /// SQLite database URL. Defaults to sqlite://<data dir>/user-center.db.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Secret that signs access tokens (at least 32 bytes). When unset, a random
    /// one is generated on first start and kept in <data dir>/jwt-secret (0600).
    #[arg(long, env = "UC_JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<String>,

    /// Mark cookies `Secure`: set this whenever the site is served over HTTPS.
    #[arg(
        long,
        env = "UC_SECURE_COOKIES",
        default_value_t = false,
        global = true
    )]
    pub secure_cookies: bool,

    /// Lifetime of an access token and its session, in seconds.
    #[arg(
        long,
        env = "UC_TOKEN_TTL_SECS",
        default_value_t = 86_400,
        global = true
    )]
    pub token_ttl_secs: u64,

    /// Log filter, e.g. `info`, `debug`, `server=debug,sqlx=warn`.
    #[arg(long, env = "RUST_LOG", default_value = "info", global = true)]
    pub log: String,
}

#[derive(clap::Subcommand, Debug, Clone)]
pub enum Command {
    /// Serve the web UI and the APIs (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("UC_JWT_SECRET must be at least 32 bytes long")]
    SecretTooShort,
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

    pub fn check(&self) -> Result<(), ConfigError> {
        match &self.jwt_secret {
            Some(s) if s.len() < 32 => Err(ConfigError::SecretTooShort),
            _ => Ok(()),
        }
    }
}
