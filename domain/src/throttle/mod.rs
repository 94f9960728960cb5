//! One attempt limiter for every secret: the sign-in password, the payment
//! PIN, the password re-entered to confirm a change, verification codes, and
//! the per-IP counts of sign-in failures and captcha images, and uploads per user.
//!
//! Each [`Kind`] has a [`LockoutPolicy`] built from the settings. A slow
//! secret (an argon2 hash) is judged in three steps:
//!
//! 1. [`reserve`](UserCenter::reserve) records the attempt as *in flight*,
//!    in one `BEGIN IMMEDIATE` with the counters, before the secret is
//!    checked. A reservation is not a failure: it only uses up one of the
//!    failures still allowed, so no more wrong guesses reach the hash than the
//!    policy allows, whatever the parallelism. An attempt that finds every
//!    remaining try in flight waits briefly for one to resolve instead of
//!    being refused: a right one frees the allowance, a wrong one may lock.
//! 2. The caller checks the secret.
//! 3. [`Attempt::forgive`] (right) or [`Attempt::fail`] (wrong) settles it.
//!    An attempt dropped unsettled (a cancelled request, an error) counts as a
//!    failure, and so does a reservation left over by a crash once it is
//!    older than [`ThrottleSettings::stale_after`].
//!
//! A fast secret checked inside the caller's own write transaction (a code)
//! is settled at once with [`settle_in`](UserCenter::settle_in); counted
//! events with no secret (captcha images, failures per IP) use
//! [`charge`](UserCenter::charge).
//!
//! Model: kanidm's `credential/softlock.rs` (one policy per credential type, a
//! pure next-state function in [`policy`], tests beside it).

mod policy;
mod sign_in;
#[cfg(test)]
mod tests;

pub use policy::LockoutPolicy;
pub(crate) use policy::State;
pub(crate) use sign_in::sign_in_key;

use crate::store::throttle::Counters;
pub use crate::store::throttle::Kind;
use crate::{store, DomainError, UserCenter};
use policy::Admission;
use shared::{AppError, ErrorCode, LoginFailures};
use std::time::Duration;

/// Knobs of the limiter beyond the sign-in, PIN and code policies, which keep
/// their own settings.
#[derive(Clone, Debug)]
pub struct ThrottleSettings {
    /// The current password re-entered to change the password or a contact
    /// or to close the account: 5 wrong in a row lock it for 15 minutes (and
    /// end the session that tried).
    pub reentry: LockoutPolicy,
    /// Sign-in failures from one IP within `ip_window` after which every
    /// sign-in from it needs a captcha.
    pub ip_captcha_after: u32,
    pub ip_window: Duration,
    /// Captcha images one IP may ask for within `captcha_window`.
    pub captchas_per_ip: u32,
    pub captcha_window: Duration,
    /// How long an attempt waits for in-flight ones before `RATE_LIMITED`.
    pub wait: Duration,
    /// A reservation older than this was left by a crash and counts as a failure.
    pub stale_after: Duration,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        ThrottleSettings {
            reentry: LockoutPolicy::consecutive(5, Duration::from_secs(15 * 60)),
            ip_captcha_after: 100,
            ip_window: Duration::from_secs(3600),
            captchas_per_ip: 100,
            captcha_window: Duration::from_secs(3600),
            wait: Duration::from_secs(5),
            stale_after: Duration::from_secs(60),
        }
    }
}

impl Kind {
    /// The answer while locked, and for the failure that sets the lock.
    fn locked_code(self) -> ErrorCode {
        match self {
            Kind::SignIn => ErrorCode::AccountLocked,
            Kind::Pin => ErrorCode::PinLocked,
            Kind::Reentry => ErrorCode::ReentryLocked,
            Kind::Code => ErrorCode::CodeIncorrect,
            Kind::SignInIp | Kind::Captcha | Kind::Upload => ErrorCode::RateLimited,
        }
    }
}

/// The sign-in key of an account: one counter whichever of its email, phone
/// or username is typed.
pub(crate) fn account_key(user_id: i64) -> String {
    format!("user:{user_id}")
}

/// A failure as counted: what the answer to it says.
#[derive(Debug)]
pub(crate) struct Failure {
    kind: Kind,
    /// Whether this failure set a lock.
    pub(crate) set_lock: bool,
    pub(crate) counters: LoginFailures,
    retry_after: Option<i64>,
    /// Whether the next attempt must solve a captcha.
    captcha_next: bool,
}

impl Failure {
    /// The error for this failure: `wrong`, or the kind's lock code when it
    /// set the lock, with the counters, the wait and the captcha flag.
    pub(crate) fn error(&self, wrong: ErrorCode) -> DomainError {
        let code = if self.set_lock {
            self.kind.locked_code()
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

/// An attempt in flight: admitted, not yet settled.
#[must_use = "settle the attempt with forgive or fail; dropping it counts a failure"]
pub(crate) struct Attempt {
    uc: UserCenter,
    kind: Kind,
    key: String,
    /// The reservation row; `None` once settled.
    id: Option<i64>,
}

impl Attempt {
    /// The secret was right: forget the run of consecutive failures (the
    /// rolling window keeps earlier ones).
    pub(crate) async fn forgive(mut self) -> Result<(), DomainError> {
        let id = self.id.take();
        self.uc
            .settle_attempt(self.kind, &self.key, id, true)
            .await?;
        Ok(())
    }

    /// The secret was wrong: count the failure.
    pub(crate) async fn fail(mut self) -> Result<Failure, DomainError> {
        let id = self.id.take();
        self.uc
            .settle_attempt(self.kind, &self.key, id, false)
            .await
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        let Some(id) = self.id.take() else { return };
        // Cancelled before it was judged: count it, or a client could guess
        // and hang up before a wrong answer is recorded.
        let (uc, kind, key) = (self.uc.clone(), self.kind, std::mem::take(&mut self.key));
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = uc.settle_attempt(kind, &key, Some(id), false).await {
                    tracing::warn!(error = %e, "could not count a dropped attempt");
                }
            });
        }
    }
}

impl UserCenter {
    /// The policy of one kind of secret, from the settings.
    pub(crate) fn policy(&self, kind: Kind) -> LockoutPolicy {
        let s = &self.settings;
        match kind {
            Kind::SignIn => s.lockout.clone(),
            // Counted only for the captcha threshold (see `sign_in`): a cap
            // no IP reaches, so the count never locks anyone out.
            Kind::SignInIp => LockoutPolicy::per_window(u32::MAX - 1, s.throttle.ip_window),
            Kind::Pin => LockoutPolicy::consecutive(s.wallet.pin_max_failures, s.wallet.pin_lock),
            Kind::Reentry => s.throttle.reentry.clone(),
            // A dead code is dead until a new one is sent, which clears the count.
            Kind::Code => LockoutPolicy::consecutive(s.codes.max_attempts, Duration::ZERO),
            Kind::Captcha => {
                LockoutPolicy::per_window(s.throttle.captchas_per_ip, s.throttle.captcha_window)
            }
            Kind::Upload => {
                LockoutPolicy::per_window(s.uploads.per_hour, Duration::from_secs(3600))
            }
        }
    }

    /// Admits one attempt at the secret `kind` for `key`, or refuses it with
    /// the kind's lock code while locked. Waits (up to
    /// [`ThrottleSettings::wait`]) while every remaining try is in flight.
    pub(crate) async fn reserve(&self, kind: Kind, key: &str) -> Result<Attempt, DomainError> {
        let deadline = tokio::time::Instant::now() + self.settings.throttle.wait;
        loop {
            // Listen before looking, so a settlement in between is not missed.
            let settled = self.settled.notified();
            tokio::pin!(settled);
            settled.as_mut().enable();
            if let Some(id) = self.try_reserve(kind, key).await? {
                return Ok(Attempt {
                    uc: self.clone(),
                    kind,
                    key: key.to_string(),
                    id: Some(id),
                });
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return Err(AppError::new(ErrorCode::RateLimited).retry_after(1).into());
            }
            // Another process (or a lost wake-up) may settle without telling
            // this one: look again after a short while regardless.
            let _ = tokio::time::timeout(left.min(Duration::from_millis(50)), settled).await;
        }
    }

    /// One try at admitting: the reservation id, `None` to wait, or the lock.
    async fn try_reserve(&self, kind: Kind, key: &str) -> Result<Option<i64>, DomainError> {
        let policy = self.policy(kind);
        let now = self.now();
        let mut tx = crate::store::begin_write(&self.pool).await?;
        let mut state = load(&mut tx, kind, key, &policy, now).await?;
        // Reservations a crash left behind were never judged: count them.
        let stale = now - self.settings.throttle.stale_after.as_secs() as i64;
        let left_over = store::throttle::sweep_stale(&mut tx, kind, key, stale).await?;
        for _ in 0..left_over {
            state = record_failure(&mut tx, kind, key, &policy, &state, now)
                .await?
                .0;
        }
        let in_flight = store::throttle::in_flight(&mut tx, kind, key).await?;
        let admitted = match policy.admit(&state, in_flight, now) {
            Admission::Locked(until) => {
                tx.commit().await?;
                let counters = policy.counters(
                    state.consecutive.max(i64::from(policy.max_consecutive)),
                    state.cumulative,
                    Some(until),
                );
                return Err(AppError::login_failure(kind.locked_code(), counters)
                    .retry_after(until - now)
                    .into());
            }
            Admission::Wait => None,
            Admission::Admit => Some(store::throttle::reserve(&mut tx, kind, key, now).await?),
        };
        tx.commit().await?;
        Ok(admitted)
    }

    /// Settles a reservation (`id`, unless a crash sweep already counted it).
    async fn settle_attempt(
        &self,
        kind: Kind,
        key: &str,
        id: Option<i64>,
        right: bool,
    ) -> Result<Failure, DomainError> {
        let mut tx = crate::store::begin_write(&self.pool).await?;
        let mut reserved = false;
        if let Some(id) = id {
            reserved = store::throttle::release(&mut tx, id).await?;
        }
        let failure = if right || reserved {
            self.settle_in(&mut tx, kind, key, right).await?
        } else {
            // The sweep of stale reservations already counted this failure.
            let policy = self.policy(kind);
            let state = load(&mut tx, kind, key, &policy, self.now()).await?;
            Failure {
                kind,
                set_lock: false,
                counters: policy.counters(state.consecutive, state.cumulative, None),
                retry_after: None,
                captcha_next: policy.captcha_after_failures(state.consecutive),
            }
        };
        tx.commit().await?;
        // Wake the attempts waiting for this one.
        self.settled.notify_waiters();
        Ok(failure)
    }

    /// Judges an attempt inside the caller's write transaction: `right`
    /// resets the consecutive run, a wrong one is counted (and may lock).
    /// For secrets checked under the same lock as the counters (codes).
    pub(crate) async fn settle_in(
        &self,
        conn: &mut crate::store::Conn,
        kind: Kind,
        key: &str,
        right: bool,
    ) -> Result<Failure, DomainError> {
        let policy = self.policy(kind);
        let now = self.now();
        let state = load(conn, kind, key, &policy, now).await?;
        if right {
            if state.consecutive != 0 || state.lock_count != 0 {
                save_state(
                    conn,
                    kind,
                    key,
                    &State {
                        consecutive: 0,
                        lock_count: 0,
                        ..state
                    },
                    now,
                )
                .await?;
            }
            return Ok(Failure {
                kind,
                set_lock: false,
                counters: policy.counters(0, state.cumulative, None),
                retry_after: None,
                captcha_next: false,
            });
        }
        let (next, lock) = record_failure(conn, kind, key, &policy, &state, now).await?;
        let consecutive = state.consecutive + 1;
        Ok(Failure {
            kind,
            set_lock: lock.is_some(),
            counters: policy.counters(consecutive, next.cumulative, lock),
            retry_after: lock.map(|u| u - now),
            captcha_next: policy.captcha_after_failures(consecutive),
        })
    }

    /// Counts one event that has no secret (a captcha image, a failed sign-in
    /// from an IP), or refuses it while the key is over its limit.
    pub(crate) async fn charge(&self, kind: Kind, key: &str) -> Result<Failure, DomainError> {
        let policy = self.policy(kind);
        let now = self.now();
        let mut tx = crate::store::begin_write(&self.pool).await?;
        let state = load(&mut tx, kind, key, &policy, now).await?;
        if let Admission::Locked(until) = policy.admit(&state, 0, now) {
            tx.commit().await?;
            return Err(AppError::new(kind.locked_code())
                .retry_after(until - now)
                .into());
        }
        let failure = self.settle_in(&mut tx, kind, key, false).await?;
        tx.commit().await?;
        Ok(failure)
    }

    /// The counters of one key as they stand.
    pub(crate) async fn throttle_state(&self, kind: Kind, key: &str) -> Result<State, DomainError> {
        let policy = self.policy(kind);
        let mut conn = self.pool.acquire().await?;
        load(&mut conn, kind, key, &policy, self.now()).await
    }

    /// [`throttle_state`](Self::throttle_state) inside the caller's
    /// transaction.
    pub(crate) async fn throttle_state_in(
        &self,
        conn: &mut crate::store::Conn,
        kind: Kind,
        key: &str,
    ) -> Result<State, DomainError> {
        load(conn, kind, key, &self.policy(kind), self.now()).await
    }

    /// Whether the next attempt for `key` must carry a solved captcha.
    pub(crate) async fn captcha_after_failures(
        &self,
        kind: Kind,
        key: &str,
    ) -> Result<bool, DomainError> {
        let state = self.throttle_state(kind, key).await?;
        Ok(self.policy(kind).captcha_after_failures(state.consecutive))
    }

    /// Lifts a lock and forgets the failures of one key; for staff, and for
    /// a secret that was just replaced.
    pub(crate) async fn clear_throttle(
        &self,
        conn: &mut crate::store::Conn,
        kind: Kind,
        key: &str,
    ) -> Result<(), DomainError> {
        Ok(store::throttle::clear(conn, kind, key).await?)
    }
}

/// Reads the counters of one key, dropping failures that left the window.
async fn load(
    conn: &mut crate::store::Conn,
    kind: Kind,
    key: &str,
    policy: &LockoutPolicy,
    now: i64,
) -> Result<State, DomainError> {
    let Counters {
        consecutive,
        lock_count,
        locked_until,
    } = store::throttle::counters(conn, kind, key)
        .await?
        .unwrap_or(Counters {
            consecutive: 0,
            lock_count: 0,
            locked_until: None,
        });
    let mut cumulative = 0;
    if policy.windowed() {
        let window_start = now - policy.window.as_secs() as i64;
        cumulative = store::throttle::failures_after(conn, kind, key, window_start).await?;
    }
    Ok(State {
        consecutive,
        lock_count,
        locked_until,
        cumulative,
    })
}

/// Counts one failure on `state`, stores the result and returns it with the
/// lock it set.
async fn record_failure(
    conn: &mut crate::store::Conn,
    kind: Kind,
    key: &str,
    policy: &LockoutPolicy,
    state: &State,
    now: i64,
) -> Result<(State, Option<i64>), DomainError> {
    let mut window_lock_end = None;
    if policy.windowed() {
        let window = policy.window.as_secs() as i64;
        store::throttle::add_failure(conn, kind, key, now - window, now).await?;
        let cumulative = state.cumulative + 1;
        if cumulative >= i64::from(policy.max_cumulative) {
            // Locked until enough failures leave the window to go below the cap.
            let offset = cumulative - i64::from(policy.max_cumulative);
            let oldest = store::throttle::failure_at(conn, kind, key, offset).await?;
            window_lock_end = Some(oldest + window);
        }
    }
    let (next, lock) = policy.after_failure(state, now, |_| window_lock_end.unwrap_or(now));
    save_state(conn, kind, key, &next, now).await?;
    Ok((next, lock))
}

async fn save_state(
    conn: &mut crate::store::Conn,
    kind: Kind,
    key: &str,
    state: &State,
    now: i64,
) -> Result<(), DomainError> {
    let counters = Counters {
        consecutive: state.consecutive,
        lock_count: state.lock_count,
        locked_until: state.locked_until,
    };
    Ok(store::throttle::save_counters(conn, kind, key, &counters, now).await?)
}
