//! Sign-in failure counters and temporary locks.
//!
//! An attempt is counted as a failure *before* its password is checked, in one
//! `BEGIN IMMEDIATE` transaction, and forgiven if the password turns out right.
//! So parallel guesses cannot race past the threshold: the attempt that reaches
//! it sets the lock, and every later one is refused without touching the hash.

use crate::{DomainError, UserCenter};
use shared::{AppError, ErrorCode, LoginFailures};
use std::time::Duration;

/// When identifiers get locked. Defaults follow common practice (Casdoor,
/// Keycloak): 5 consecutive failures lock for 15 minutes, doubling with each
/// further lock up to a day; 20 failures within 24 hours lock until the oldest
/// of them is a day old.
#[derive(Clone, Debug)]
pub struct LockoutPolicy {
    pub max_consecutive: u32,
    pub base_lock: Duration,
    pub max_lock: Duration,
    pub max_cumulative: u32,
    pub window: Duration,
    /// After this many consecutive failures, sign-in also needs an image
    /// captcha, which slows scripted guessing before the lock is reached.
    pub captcha_after: u32,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            max_consecutive: 5,
            base_lock: Duration::from_secs(15 * 60),
            max_lock: Duration::from_secs(24 * 3600),
            max_cumulative: 20,
            window: Duration::from_secs(24 * 3600),
            captcha_after: 3,
        }
    }
}

impl LockoutPolicy {
    /// Lock length after `previous_locks` earlier locks: base × 2ⁿ, capped.
    pub fn lock_duration(&self, previous_locks: u32) -> i64 {
        let base = self.base_lock.as_secs() as i64;
        let max = self.max_lock.as_secs() as i64;
        base.saturating_mul(1i64 << previous_locks.min(40)).min(max)
    }
}

/// One attempt, already counted as a failure.
#[derive(Debug)]
pub(crate) struct Reservation {
    identifier: String,
    event_id: i64,
    /// Whether this attempt set the lock (it reached a threshold).
    set_lock: bool,
    counters: LoginFailures,
    /// Seconds until the lock this attempt set ends.
    retry_after: Option<i64>,
    /// Whether the next attempt must solve a captcha.
    captcha_next: bool,
}

impl Reservation {
    /// The error for this attempt when the password was wrong.
    /// Whether this failed attempt locked the identifier.
    pub(crate) fn locks(&self) -> bool {
        self.set_lock
    }

    pub(crate) fn failure(&self) -> DomainError {
        self.failure_as(ErrorCode::InvalidCredentials)
    }

    /// The error for this attempt, with `wrong` as the code unless the
    /// attempt set a lock.
    pub(crate) fn failure_as(&self, wrong: ErrorCode) -> DomainError {
        let code = if self.set_lock {
            ErrorCode::AccountLocked
        } else {
            wrong
        };
        let mut err = AppError::login_failure(code, self.counters.clone());
        if let Some(secs) = self.retry_after {
            err = err.retry_after(secs);
        }
        if self.captcha_next {
            err = err.needing_captcha();
        }
        err.into()
    }
}

impl UserCenter {
    /// Counts an attempt for `identifier` as a failure in advance, or refuses
    /// it with `ACCOUNT_LOCKED` while the identifier is locked.
    pub(crate) async fn reserve_attempt(
        &self,
        identifier: &str,
    ) -> Result<Reservation, DomainError> {
        let policy = &self.settings.lockout;
        let now = self.now();
        let window_start = now - policy.window.as_secs() as i64;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;

        let row: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT consecutive, lock_count, locked_until FROM login_throttle WHERE identifier = ?",
        )
        .bind(identifier)
        .fetch_optional(&mut *tx)
        .await?;
        let (consecutive, lock_count, locked_until) = row.unwrap_or((0, 0, None));
        sqlx::query("DELETE FROM login_failures WHERE identifier = ? AND at <= ?")
            .bind(identifier)
            .bind(window_start)
            .execute(&mut *tx)
            .await?;
        let (cumulative,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM login_failures WHERE identifier = ?")
                .bind(identifier)
                .fetch_one(&mut *tx)
                .await?;

        let counters = |consecutive: i64, cumulative: i64, until: Option<i64>| LoginFailures {
            consecutive_failures: consecutive as u32,
            remaining_consecutive: (policy.max_consecutive as i64 - consecutive).max(0) as u32,
            cumulative_failures: cumulative as u32,
            remaining_cumulative: (policy.max_cumulative as i64 - cumulative).max(0) as u32,
            locked_until: until,
        };
        if let Some(until) = locked_until.filter(|&u| u > now) {
            tx.rollback().await?;
            return Err(AppError::login_failure(
                ErrorCode::AccountLocked,
                counters(
                    consecutive.max(policy.max_consecutive as i64),
                    cumulative,
                    Some(until),
                ),
            )
            .retry_after(until - now)
            .into());
        }

        let (event_id,): (i64,) = sqlx::query_as(
            "INSERT INTO login_failures (identifier, at) VALUES (?, ?) RETURNING id",
        )
        .bind(identifier)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let consecutive = consecutive + 1;
        let cumulative = cumulative + 1;
        let mut lock: Option<i64> = None;
        let mut new_lock_count = lock_count;
        if consecutive >= policy.max_consecutive as i64 {
            lock = Some(now + policy.lock_duration(lock_count as u32));
            new_lock_count += 1;
        }
        if cumulative >= policy.max_cumulative as i64 {
            // Locked until enough failures leave the window to go below the cap.
            let offset = cumulative - policy.max_cumulative as i64;
            let (oldest,): (i64,) = sqlx::query_as(
                "SELECT at FROM login_failures WHERE identifier = ? ORDER BY at, id LIMIT 1 OFFSET ?",
            )
            .bind(identifier)
            .bind(offset)
            .fetch_one(&mut *tx)
            .await?;
            let until = (oldest + policy.window.as_secs() as i64).max(now + 1);
            lock = Some(lock.map_or(until, |l| l.max(until)));
        }
        // A lock starts a fresh run of consecutive failures after it ends.
        let stored_consecutive = if lock.is_some() { 0 } else { consecutive };
        sqlx::query(
            "INSERT INTO login_throttle (identifier, consecutive, lock_count, locked_until, updated_at)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (identifier) DO UPDATE SET
               consecutive = excluded.consecutive, lock_count = excluded.lock_count,
               locked_until = excluded.locked_until, updated_at = excluded.updated_at",
        )
        .bind(identifier)
        .bind(stored_consecutive)
        .bind(new_lock_count)
        .bind(lock)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Reservation {
            identifier: identifier.to_string(),
            event_id,
            set_lock: lock.is_some(),
            counters: counters(consecutive, cumulative, lock),
            retry_after: lock.map(|u| u - now),
            captcha_next: consecutive >= i64::from(policy.captcha_after),
        })
    }

    /// Whether the next sign-in for `identifier` must carry a solved captcha.
    pub(crate) async fn captcha_needed(&self, identifier: &str) -> Result<bool, DomainError> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT consecutive FROM login_throttle WHERE identifier = ?")
                .bind(identifier)
                .fetch_optional(&self.pool)
                .await?;
        let consecutive = row.map_or(0, |r| r.0);
        Ok(consecutive >= i64::from(self.settings.lockout.captcha_after))
    }

    /// The password was right: forget this attempt's failure and the run of
    /// consecutive failures (the cumulative window keeps earlier ones).
    pub(crate) async fn forgive_attempt(
        &self,
        reservation: Reservation,
    ) -> Result<(), DomainError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("DELETE FROM login_failures WHERE id = ?")
            .bind(reservation.event_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE login_throttle SET consecutive = 0, lock_count = 0,
               locked_until = CASE WHEN ? THEN NULL ELSE locked_until END, updated_at = ?
             WHERE identifier = ?",
        )
        .bind(reservation.set_lock)
        .bind(self.now())
        .bind(&reservation.identifier)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Lifts a lock and clears the failure history of one identifier
    /// (e.g. `email:a@b.co`); for staff.
    pub async fn unlock_identifier(&self, identifier: &str) -> Result<(), DomainError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("DELETE FROM login_throttle WHERE identifier = ?")
            .bind(identifier)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM login_failures WHERE identifier = ?")
            .bind(identifier)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Lifts the locks of every identifier of a user (email, phone, username).
    pub async fn unlock_user(&self, user_id: i64) -> Result<(), DomainError> {
        let row: Option<(Option<String>, Option<String>, Option<String>)> =
            sqlx::query_as("SELECT email, phone, username_key FROM users WHERE id = ?")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        let (email, phone, username) = row.ok_or(DomainError::from(ErrorCode::NotFound))?;
        let keys = [
            email.map(|e| format!("email:{e}")),
            phone.map(|p| format!("phone:{p}")),
            username.map(|u| format!("username:{u}")),
        ];
        for key in keys.into_iter().flatten() {
            self.unlock_identifier(&key).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
impl UserCenter {
    /// Clears the failure history but keeps the lock count, so tests can see
    /// locks double without the cumulative cap getting in the way.
    pub(crate) async fn unlock_identifier_failures_only(&self, identifier: &str) {
        sqlx::query("DELETE FROM login_failures WHERE identifier = ?")
            .bind(identifier)
            .execute(&self.pool)
            .await
            .expect("clear failures");
    }
}
