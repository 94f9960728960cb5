//! The user center's domain: accounts, sessions, tokens and their storage.
//!
//! This crate knows nothing about Leptos or HTTP, so it can be tested against a
//! real SQLite file alone and reused by the server functions and the REST API.

pub mod accounts;
pub mod clock;
pub mod db;
pub mod error;
pub mod lockout;
pub mod passwords;
pub mod secret;
pub mod sessions;
pub mod tokens;

#[cfg(test)]
mod tests;

use std::time::Duration;

pub use clock::Clock;
pub use error::DomainError;
pub use lockout::LockoutPolicy;
pub use passwords::HashCost;
pub use sessions::{AuthContext, ClientInfo, TokenCheck};

/// Knobs of the domain that deployments may change.
#[derive(Clone, Debug)]
pub struct Settings {
    /// How long a sign-in token (and its session) stays valid.
    pub token_ttl: Duration,
    pub hash_cost: HashCost,
    pub lockout: LockoutPolicy,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            token_ttl: Duration::from_secs(24 * 3600),
            hash_cost: HashCost::Owasp,
            lockout: LockoutPolicy::default(),
        }
    }
}

/// Everything a request handler needs, cheap to clone.
#[derive(Clone)]
pub struct UserCenter {
    pub(crate) pool: sqlx::SqlitePool,
    pub(crate) hasher: passwords::Hasher,
    pub(crate) tokens: tokens::TokenKeys,
    pub(crate) settings: Settings,
    pub(crate) clock: std::sync::Arc<dyn Clock>,
}

impl UserCenter {
    /// Builds the domain on an open, migrated pool and a token signing secret.
    pub fn new(
        pool: sqlx::SqlitePool,
        jwt_secret: &[u8],
        settings: Settings,
    ) -> Result<Self, DomainError> {
        Ok(UserCenter {
            hasher: passwords::Hasher::new(settings.hash_cost)?,
            tokens: tokens::TokenKeys::new(jwt_secret),
            pool,
            settings,
            clock: std::sync::Arc::new(clock::SystemClock),
        })
    }

    /// Replaces the clock (tests move time with [`clock::ManualClock`]).
    pub fn with_clock(mut self, clock: impl Clock) -> Self {
        self.clock = std::sync::Arc::new(clock);
        self
    }

    pub(crate) fn now(&self) -> i64 {
        self.clock.now()
    }

    pub fn pool(&self) -> &sqlx::SqlitePool {
        &self.pool
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }
}
