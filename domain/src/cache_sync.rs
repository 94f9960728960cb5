//! Keeping the in-memory caches of several servers on one PostgreSQL
//! database exact.
//!
//! Each server drops its own copies after its own changes
//! ([`crate::caches`]). Changes made by another server (or a command line)
//! reach it as notifications: triggers (PostgreSQL migration 0023) call
//! `pg_notify('uc_cache', …)` inside the changing transaction, and
//! PostgreSQL delivers them at COMMIT, in commit order, to every listening
//! connection. This module listens and makes the same drops.
//!
//! **The bound.** A notification can be late or lost (a slow or broken
//! connection), so the caches answer only while this server can prove it
//! is current: every [`PING_EVERY`] it notifies itself with the time of
//! sending, and when its own ping comes back, every change committed before
//! that time has been applied (delivery is in commit order). The caches may
//! answer until [`BOUND`] after the newest ping that came back; past that
//! they are bypassed and every check asks the database. So no server
//! accepts a session, a frozen account's token or a changed currency more
//! than [`BOUND`] (one second) after the change committed. When the
//! listening connection drops, every copy is thrown away and the caches stay
//! off until it is back.

use crate::UserCenter;
use sqlx::postgres::PgListener;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The notification channel of the triggers.
const CHANNEL: &str = "uc_cache";

/// How stale a cached answer may be, at most, on PostgreSQL.
pub const BOUND: Duration = Duration::from_secs(1);

/// How often a server checks that it is current.
const PING_EVERY: Duration = Duration::from_millis(200);

/// Whether the caches may answer now.
#[derive(Default)]
pub(crate) struct Freshness {
    /// Set on PostgreSQL: answers then need a recent ping.
    shared: AtomicBool,
    /// Milliseconds since [`clock_base`] until which answers are allowed.
    until_ms: AtomicU64,
}

/// The monotonic clock's zero for [`Freshness::until_ms`].
fn clock_base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

fn now_ms() -> u64 {
    u64::try_from(clock_base().elapsed().as_millis()).unwrap_or(u64::MAX)
}

impl Freshness {
    pub(crate) fn usable(&self) -> bool {
        self.usable_at(now_ms())
    }

    fn usable_at(&self, now_ms: u64) -> bool {
        !self.shared.load(Ordering::Acquire) || now_ms < self.until_ms.load(Ordering::Acquire)
    }

    /// From now on, answers need proof of being current.
    fn share(&self) {
        self.until_ms.store(0, Ordering::Release);
        self.shared.store(true, Ordering::Release);
    }

    /// A ping sent at `sent_ms` came back: every change committed before it
    /// has been applied.
    fn confirmed(&self, sent_ms: u64) {
        let bound = u64::try_from(BOUND.as_millis()).unwrap_or(u64::MAX);
        self.until_ms
            .fetch_max(sent_ms.saturating_add(bound), Ordering::AcqRel);
    }

    fn lost(&self) {
        self.until_ms.store(0, Ordering::Release);
    }
}

impl UserCenter {
    /// On PostgreSQL, follows the other servers' changes for as long as the
    /// process runs (the server starts it). On SQLite there is nothing to
    /// follow and this returns at once.
    pub async fn follow_other_servers(&self) {
        let crate::store::Pool::Postgres(pool) = &self.pool else {
            return;
        };
        let freshness = &self.caches.freshness;
        freshness.share();
        // Tells this server's pings from the others'.
        let me = format!("{:016x}", rand::random::<u64>());
        let pinger = {
            let pool = pool.clone();
            let me = me.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(PING_EVERY);
                every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    every.tick().await;
                    let payload = format!("p:{me}:{}", now_ms());
                    if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)")
                        .bind(CHANNEL)
                        .bind(payload)
                        .execute(&pool)
                        .await
                    {
                        tracing::debug!(error = %e, "cache ping not sent");
                    }
                }
            })
        };
        loop {
            if let Err(e) = self.listen(pool, &me).await {
                tracing::warn!(error = %e, "cache notifications interrupted; caches off until back");
            }
            freshness.lost();
            self.all_changed();
            tokio::time::sleep(PING_EVERY).await;
            if pinger.is_finished() {
                return;
            }
        }
    }

    /// One listening connection, until it fails.
    async fn listen(&self, pool: &sqlx::PgPool, me: &str) -> Result<(), sqlx::Error> {
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        // Whatever changed while no connection listened is unknown.
        self.all_changed();
        loop {
            // `None`: the connection was lost (notifications may be missed).
            let Some(note) = listener.try_recv().await? else {
                return Ok(());
            };
            self.apply(note.payload(), me);
        }
    }

    fn apply(&self, payload: &str, me: &str) {
        match payload.split_once(':') {
            Some(("s", session)) => self.session_ended(session),
            Some(("u", user)) => match user.parse() {
                Ok(user_id) => self.sessions_changed_for(user_id),
                Err(_) => self.all_changed(),
            },
            Some(("a", app)) => self.app_changed(app),
            Some(("p", ping)) => {
                if let Some((from, sent)) = ping.split_once(':') {
                    if from == me {
                        if let Ok(sent_ms) = sent.parse() {
                            self.caches.freshness.confirmed(sent_ms);
                        }
                    }
                }
            }
            _ if payload == "c" => self.currencies_changed(),
            _ => self.all_changed(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_caches_answer_only_within_the_bound_of_a_confirmed_ping() {
        let bound = u64::try_from(BOUND.as_millis()).unwrap();
        let f = Freshness::default();
        assert!(f.usable_at(5_000), "SQLite: always");
        f.share();
        assert!(!f.usable_at(5_000), "no ping back yet");
        // A ping sent at 5 s came back: answers until 5 s + the bound.
        f.confirmed(5_000);
        assert!(f.usable_at(5_000 + bound - 1));
        assert!(!f.usable_at(5_000 + bound), "past the bound: the database");
        // An older ping coming back late moves nothing back.
        f.confirmed(4_000);
        assert!(f.usable_at(5_000 + bound - 1));
        f.lost();
        assert!(!f.usable_at(5_001), "the connection dropped");
    }
}
