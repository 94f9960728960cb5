//! The domain's in-memory caches (see [`crate::cache`] for how they stay
//! exact) and the drops that the changing code calls after its COMMIT.

use crate::cache::Cache;
use crate::service_apps::Scope;
use crate::store::currencies::CurrencyRow;
use crate::{store, DomainError, UserCenter};
use std::time::Duration;

/// Whether a session is live: `(user id, expires at)` by session id.
/// Everything that ends sessions in this process drops them at once; the
/// age limit is a backstop.
const SESSION_MAX_AGE: Duration = Duration::from_secs(10);
const SESSIONS: usize = 100_000;

/// A currency changed with `server admin currency …` while the server runs
/// is seen within this time; changes through the console at once.
const CURRENCY_MAX_AGE: Duration = Duration::from_secs(2);

/// Apps are only added: nothing in the product disables one yet
/// (`service_apps.disabled_at` has no writer), and an unknown app is never
/// cached. Whatever comes to disable apps must drop the entry too.
const APP_MAX_AGE: Duration = Duration::from_secs(60);

pub(crate) struct Caches {
    /// Whether the copies may answer now: always on SQLite; on PostgreSQL
    /// only while this server provably follows the other servers' changes
    /// (see [`crate::cache_sync`]).
    pub(crate) freshness: crate::cache_sync::Freshness,
    sessions: Cache<String, (i64, i64)>,
    /// By the name a request used: a code or an alias.
    currencies: Cache<String, CurrencyRow>,
    /// The decrypted signing secret and the scopes, by app id.
    apps: Cache<String, (String, Vec<Scope>)>,
}

impl Default for Caches {
    fn default() -> Self {
        Caches {
            freshness: crate::cache_sync::Freshness::default(),
            sessions: Cache::new(SESSION_MAX_AGE, SESSIONS),
            currencies: Cache::new(CURRENCY_MAX_AGE, 1024),
            apps: Cache::new(APP_MAX_AGE, 1024),
        }
    }
}

impl UserCenter {
    /// Whether the session is live and its account may sign in; from memory
    /// in the common case, so a token check costs no query.
    pub(crate) async fn session_is_live(
        &self,
        session_id: &str,
        user_id: i64,
    ) -> Result<bool, DomainError> {
        let now = self.now();
        let sessions = &self.caches.sessions;
        // Only a "live" answer comes from memory: a session past the end
        // remembered may have been extended since (a refresh slides it), so
        // that case, like a miss, asks the database.
        if self.caches.freshness.usable() {
            if let Some((owner, expires_at)) = sessions.get(session_id) {
                if owner == user_id && expires_at > now {
                    return Ok(true);
                }
            }
        }
        let epoch = sessions.epoch();
        let mut conn = self.pool.acquire().await?;
        let live = store::sessions::live_until(&mut conn, session_id, user_id, now).await?;
        if let Some(expires_at) = live {
            sessions.fill(epoch, session_id.to_string(), (user_id, expires_at));
        }
        Ok(live.is_some())
    }

    /// After a COMMIT that ended one session.
    pub(crate) fn session_ended(&self, session_id: &str) {
        self.caches.sessions.remove(session_id);
    }

    /// After a COMMIT that ended a user's sessions or changed whether the
    /// account may sign in (freeze, close, `allow_login`, password, role).
    pub(crate) fn sessions_changed_for(&self, user_id: i64) {
        self.caches
            .sessions
            .remove_where(|_, (owner, _)| *owner == user_id);
    }

    /// A currency by code or alias (exact, after trimming).
    pub(crate) async fn currency(&self, name: &str) -> Result<CurrencyRow, DomainError> {
        let name = name.trim();
        let currencies = &self.caches.currencies;
        if self.caches.freshness.usable() {
            if let Some(row) = currencies.get(name) {
                return Ok(row);
            }
        }
        let epoch = currencies.epoch();
        let mut conn = self.pool.acquire().await?;
        let row = match store::currencies::by_code(&mut conn, name).await? {
            Some(row) => row,
            None => store::currencies::by_alias(&mut conn, name)
                .await?
                .ok_or(DomainError::from(shared::ErrorCode::UnknownCurrency))?,
        };
        currencies.fill(epoch, name.to_string(), row.clone());
        Ok(row)
    }

    /// After a COMMIT that changed a currency or its aliases.
    pub(crate) fn currencies_changed(&self) {
        self.caches.currencies.clear();
    }

    /// After a COMMIT that changed a service app.
    pub(crate) fn app_changed(&self, app_id: &str) {
        self.caches.apps.remove(app_id);
    }

    /// Every copy, when this server may have missed changes (its
    /// notification connection was lost).
    pub(crate) fn all_changed(&self) {
        self.caches.sessions.clear();
        self.caches.currencies.clear();
        self.caches.apps.clear();
    }

    /// An app's secret and scopes, decrypted once per [`APP_MAX_AGE`].
    pub(crate) async fn cached_app(
        &self,
        app_id: &str,
    ) -> Result<(String, Vec<Scope>), DomainError> {
        let apps = &self.caches.apps;
        if self.caches.freshness.usable() {
            if let Some(app) = apps.get(app_id) {
                return Ok(app);
            }
        }
        let epoch = apps.epoch();
        let app = self.app_secret(app_id).await?;
        apps.fill(epoch, app_id.to_string(), app.clone());
        Ok(app)
    }
}
