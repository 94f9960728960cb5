//! The user center's domain: accounts, sessions, tokens and their storage.
//!
//! This crate knows nothing about Leptos or HTTP, so it can be tested against a
//! real SQLite file alone and reused by the server functions and the REST API.

pub mod account_sources;
pub mod account_status;
pub mod accounts;
pub mod activation;
pub mod admin;
pub mod admin_users;
pub mod audit;
pub mod batch;
mod cache;
pub mod cache_sync;
mod caches;
pub mod caller;
pub mod captcha;
pub mod client_captcha;
pub mod clock;
pub mod codes;
pub mod consent;
pub mod contacts;
pub mod data_export;
pub mod database_move;
pub mod db;
pub mod delivery;
pub mod devices;
pub mod digest_accounts;
pub mod erasure;
pub mod error;
pub mod identifier_lookup;
pub mod import;
pub mod legacy_signatures;
pub mod media;
mod media_sweep;
pub mod notifications;
mod opaque;
pub mod password_digests;
pub mod password_policy;
pub mod passwords;
pub mod profile;
pub mod recovery;
mod reentry;
pub mod secret;
pub mod secret_string;
pub mod service_accounts;
pub mod service_actions;
pub mod service_apps;
pub mod service_closing;
pub mod service_codes;
pub mod service_pins;
pub mod service_reads;
pub mod service_users;
pub mod sessions;
pub mod staff_limits;
mod store;
pub use store::Pool;
pub mod stored_avatars;
pub mod throttle;
pub mod tokens;
pub mod upload_limits;
pub mod vault;
pub mod verification;
pub mod wallet;

#[cfg(test)]
mod activation_tests;
#[cfg(test)]
mod admin_tests;
#[cfg(test)]
mod codes_tests;
#[cfg(test)]
mod console_tests;
#[cfg(test)]
mod delivery_tests;
#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod media_tests;
#[cfg(test)]
mod password_digests_tests;
#[cfg(test)]
mod personal_data_tests;
#[cfg(test)]
mod profile_tests;
#[cfg(test)]
mod session_cache_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod upload_limits_tests;

use std::path::PathBuf;
use std::time::Duration;

pub use clock::Clock;
pub use codes::{CodeRequest, CodeSettings};
pub use delivery::{Lang, Messenger};
pub use error::DomainError;
pub use passwords::HashCost;
pub use sessions::{AuthContext, ClientInfo, TokenCheck};
pub use store::users::UserStatus;
pub use throttle::{LockoutPolicy, ThrottleSettings};
pub use upload_limits::UploadSettings;

/// Knobs of the domain that deployments may change.
#[derive(Clone, Debug)]
pub struct Settings {
    /// How long an access token (JWT) stays valid.
    pub access_ttl: Duration,
    /// How long a session lasts without being refreshed: the refresh token's
    /// life. Each refresh extends the session to this long from then.
    pub refresh_ttl: Duration,
    /// The absolute cap on a session, counted from its sign-in: however
    /// active, it then ends and the user signs in again.
    pub session_max: Duration,
    /// A rotated refresh token presented again within this interval is refused
    /// without revoking the session: two tabs refreshing at once are not a theft.
    pub refresh_reuse_grace: Duration,
    pub hash_cost: HashCost,
    /// Sign-in failures per account (per identifier when none has it).
    pub lockout: LockoutPolicy,
    /// The other limits of the attempt limiter (password re-entry, per-IP counts).
    pub throttle: ThrottleSettings,
    pub codes: CodeSettings,
    /// Password sign-in from a device that is not bound to the account is
    /// refused; a code sign-in from it works and binds it.
    pub unbound_device_needs_code: bool,
    pub wallet: wallet::WalletSettings,
    /// How long a closed account keeps its email, phone and username before
    /// they may be registered again (time to change one's mind, or for
    /// support to recognise the person).
    pub closed_contact_grace: Duration,
    /// Where avatars (public) and verification documents (private) are
    /// stored. `None`: a `media` directory beside the database file, so
    /// every data directory (and every test's temporary one) has its own.
    pub media_dir: Option<PathBuf>,
    /// Upload rate, unattached-document quota and expiry, free-space floor.
    pub uploads: UploadSettings,
    /// Digest schemes whose verifiers every password set in plaintext also
    /// gets, for the seed facades whose clients send digests (see
    /// [`password_digests`]). Empty: none, and no extra hashing.
    pub password_digests: Vec<password_digests::DigestScheme>,
    /// The site's public address (`UC_PUBLIC_URL`, e.g.
    /// `https://id.example.com`), for links in messages. `None`: links are
    /// paths (`/activate?…`) the reader opens on the site they know.
    pub public_url: Option<String>,
    /// Which receipts tell their receiver, and how failed notices are retried.
    pub notifications: notifications::NotifySettings,
    /// The key-encryption key of the personal data (see [`vault`]). `None`:
    /// one derived from the token secret (embedders and tests; the server
    /// always sets its own, from `UC_DATA_KEY` or the data-key file).
    pub data_key: Option<vault::DataKey>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(30 * 24 * 3600),
            session_max: Duration::from_secs(90 * 24 * 3600),
            refresh_reuse_grace: Duration::from_secs(30),
            hash_cost: HashCost::Owasp,
            lockout: LockoutPolicy::default(),
            throttle: ThrottleSettings::default(),
            codes: CodeSettings::default(),
            unbound_device_needs_code: false,
            wallet: wallet::WalletSettings::default(),
            closed_contact_grace: Duration::from_secs(30 * 24 * 3600),
            media_dir: None,
            uploads: UploadSettings::default(),
            password_digests: Vec::new(),
            public_url: None,
            notifications: notifications::NotifySettings::default(),
            data_key: None,
        }
    }
}

/// Everything a request handler needs, cheap to clone: one shared
/// [`Core`] (handlers clone the handle on every request, so a clone must
/// not copy keys and settings).
#[derive(Clone)]
pub struct UserCenter {
    inner: std::sync::Arc<Core>,
}

impl std::ops::Deref for UserCenter {
    type Target = Core;

    fn deref(&self) -> &Core {
        &self.inner
    }
}

/// What a [`UserCenter`] holds; reached through it.
#[doc(hidden)]
#[derive(Clone)]
pub struct Core {
    pub(crate) pool: store::Pool,
    pub(crate) hasher: passwords::Hasher,
    pub(crate) tokens: tokens::TokenKeys,
    pub(crate) settings: Settings,
    pub(crate) clock: std::sync::Arc<dyn Clock>,
    /// Hashes short secrets (codes, captcha answers) under a server key.
    pub(crate) keyed: opaque::KeyedHash,
    /// Encrypts the stored signing secrets of service apps.
    pub(crate) apps_key: opaque::KeyedHash,
    /// The key-encryption key, until [`UserCenter::vault`] has loaded the
    /// data keys with it.
    pub(crate) data_key: vault::DataKey,
    /// The unwrapped data keys, loaded on first use (or at start-up by
    /// [`UserCenter::open_vault`]).
    pub(crate) vault: std::sync::Arc<tokio::sync::OnceCell<vault::Vault>>,
    pub(crate) messenger: Messenger,
    pub(crate) media: std::sync::Arc<media::MediaStore>,
    /// Woken whenever an attempt is settled, for attempts waiting on the
    /// limiter (see [`throttle`]).
    pub(crate) settled: std::sync::Arc<tokio::sync::Notify>,
    /// The ledger writer (group commit), started on the first money
    /// movement so that building a `UserCenter` needs no runtime.
    pub(crate) ledger: std::sync::Arc<tokio::sync::OnceCell<wallet::LedgerWriter>>,
    /// Live sessions, currencies and service apps, kept in memory.
    pub(crate) caches: std::sync::Arc<caches::Caches>,
}

impl UserCenter {
    /// Builds the domain on an open, migrated pool, the server secret (it
    /// signs tokens and keys the hashes of codes) and the message senders.
    pub fn new(
        pool: store::Pool,
        secret: &[u8],
        settings: Settings,
        messenger: Messenger,
    ) -> Result<Self, DomainError> {
        secret::check(secret)?;
        // Beside the SQLite file by default; a PostgreSQL deployment names
        // its media directory (the server passes `<data dir>/media`).
        let media_dir = settings.media_dir.clone().unwrap_or_else(|| match &pool {
            store::Pool::Sqlite(p) => p
                .connect_options()
                .get_filename()
                .parent()
                .unwrap_or_else(|| std::path::Path::new("."))
                .join("media"),
            store::Pool::Postgres(_) => std::path::PathBuf::from("media"),
        });
        Ok(UserCenter {
            inner: std::sync::Arc::new(Core {
                media: std::sync::Arc::new(media::MediaStore::new(media_dir)),
                hasher: passwords::Hasher::new(settings.hash_cost)?,
                tokens: tokens::TokenKeys::new(secret),
                keyed: opaque::KeyedHash::derive(secret, "user-center/codes/v1"),
                apps_key: opaque::KeyedHash::derive(secret, "user-center/service-apps/v1"),
                data_key: settings
                    .data_key
                    .clone()
                    .unwrap_or_else(|| vault::DataKey::derived_from(secret)),
                vault: std::sync::Arc::new(tokio::sync::OnceCell::new()),
                messenger,
                pool,
                settings,
                clock: std::sync::Arc::new(clock::SystemClock),
                settled: std::sync::Arc::default(),
                ledger: std::sync::Arc::default(),
                caches: std::sync::Arc::default(),
            }),
        })
    }

    /// Replaces the clock (tests move time with [`clock::ManualClock`]).
    pub fn with_clock(mut self, clock: impl Clock) -> Self {
        let core = std::sync::Arc::make_mut(&mut self.inner);
        core.clock = std::sync::Arc::new(clock);
        // A writer started before would stamp the old clock's times.
        core.ledger = std::sync::Arc::default();
        self
    }

    /// Settings of this handle only (tests that vary one setting).
    #[cfg(test)]
    pub(crate) fn settings_mut(&mut self) -> &mut Settings {
        &mut std::sync::Arc::make_mut(&mut self.inner).settings
    }

    /// The ledger writer, started on first use.
    pub(crate) async fn ledger_writer(&self) -> &wallet::LedgerWriter {
        self.ledger
            .get_or_init(|| async {
                wallet::LedgerWriter::spawn(self.pool.clone(), self.clock.clone())
            })
            .await
    }

    pub(crate) fn now(&self) -> i64 {
        self.clock.now()
    }

    pub fn pool(&self) -> &store::Pool {
        &self.pool
    }

    /// Whether the database answers, for `/readyz`: one trivial query through
    /// the pool, so an exhausted pool or an unreadable file shows as not ready.
    pub async fn check_ready(&self) -> Result<(), DomainError> {
        let mut conn = self.pool.acquire().await?;
        store::ping(&mut conn).await?;
        Ok(())
    }

    /// The connections the pool holds, and how many of those are idle.
    pub fn pool_usage(&self) -> (u32, usize) {
        self.pool.usage()
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }
}
