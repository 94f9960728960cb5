//! The pure part of the attempt limiter: what one policy allows and what a
//! failure does to the counters. No I/O, so the rules are tested by value.

use shared::LoginFailures;
use std::time::Duration;

/// When a key (an account, an identifier, an IP, …) gets locked.
///
/// The sign-in defaults follow common practice (Casdoor, Keycloak): 5
/// consecutive failures lock for 15 minutes, doubling with each further lock
/// up to a day; 20 failures within 24 hours lock until the oldest of them is
/// a day old. Other secrets build their own policy from their settings (see
/// [`Policies`](super::Policies)); `u32::MAX` turns a limit off.
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

/// The stored counters of one key, as read inside the limiter's transaction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct State {
    /// Failures since the last success or lock.
    pub consecutive: i64,
    /// Locks since the last success; each doubles the next one.
    pub lock_count: i64,
    pub locked_until: Option<i64>,
    /// Failures inside the rolling window (0 when the policy has none).
    pub cumulative: i64,
}

/// What the limiter does with a new attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Let it through to the secret.
    Admit,
    /// Every remaining try is already in flight: wait for one to resolve,
    /// since a right secret frees the allowance and a wrong one may lock.
    Wait,
    /// Refuse until this time.
    Locked(i64),
}

impl LockoutPolicy {
    /// A policy with only a consecutive limit and a fixed lock (the PIN, the
    /// password re-entry, a code).
    pub fn consecutive(max: u32, lock: Duration) -> Self {
        LockoutPolicy {
            max_consecutive: max,
            base_lock: lock,
            max_lock: lock,
            max_cumulative: u32::MAX,
            window: Duration::ZERO,
            captcha_after: u32::MAX,
        }
    }

    /// A policy with only a rolling-window limit (per-IP counts).
    pub fn per_window(max: u32, window: Duration) -> Self {
        LockoutPolicy {
            max_consecutive: u32::MAX,
            base_lock: Duration::ZERO,
            max_lock: Duration::ZERO,
            max_cumulative: max,
            window,
            captcha_after: u32::MAX,
        }
    }

    /// Lock length after `previous_locks` earlier locks: base × 2ⁿ, capped.
    pub fn lock_duration(&self, previous_locks: u32) -> i64 {
        let base = self.base_lock.as_secs() as i64;
        let max = self.max_lock.as_secs() as i64;
        base.saturating_mul(1i64 << previous_locks.min(40)).min(max)
    }

    /// Whether failures are kept for a rolling window.
    pub(crate) fn windowed(&self) -> bool {
        self.max_cumulative != u32::MAX && !self.window.is_zero()
    }

    /// How many more attempts may be judged before the counters are known:
    /// the failures still allowed by both limits.
    fn allowance(&self, s: &State) -> i64 {
        let consecutive = i64::from(self.max_consecutive) - s.consecutive;
        let cumulative = if self.windowed() {
            i64::from(self.max_cumulative) - s.cumulative
        } else {
            i64::MAX
        };
        consecutive.min(cumulative)
    }

    /// Decides on a new attempt while `in_flight` others are being judged.
    ///
    /// An in-flight attempt is not a failure, but it may become one, so only
    /// as many attempts as there are failures left may be in flight at once.
    /// That keeps a wrong guess from ever reaching the secret past the limit,
    /// and lets right ones through as soon as an earlier one resolves.
    pub(crate) fn admit(&self, s: &State, in_flight: i64, now: i64) -> Admission {
        if let Some(until) = s.locked_until.filter(|&u| u > now) {
            return Admission::Locked(until);
        }
        if in_flight < self.allowance(s) {
            Admission::Admit
        } else {
            Admission::Wait
        }
    }

    /// The counters after one more failure, and the lock it sets, if any.
    /// `window_lock_end` is when enough failures leave the window to go back
    /// under the cumulative cap (asked for only when the cap is reached).
    pub(crate) fn after_failure(
        &self,
        s: &State,
        now: i64,
        window_lock_end: impl FnOnce(i64) -> i64,
    ) -> (State, Option<i64>) {
        let consecutive = s.consecutive + 1;
        let cumulative = s.cumulative + i64::from(self.windowed());
        let mut lock = None;
        let mut lock_count = s.lock_count;
        if consecutive >= i64::from(self.max_consecutive) {
            lock = Some(now + self.lock_duration(s.lock_count.clamp(0, 40) as u32));
            lock_count += 1;
        }
        if self.windowed() && cumulative >= i64::from(self.max_cumulative) {
            let until = window_lock_end(cumulative - i64::from(self.max_cumulative)).max(now + 1);
            lock = Some(lock.map_or(until, |l: i64| l.max(until)));
        }
        let next = State {
            // A lock starts a fresh run of consecutive failures after it ends.
            consecutive: if lock.is_some() { 0 } else { consecutive },
            lock_count,
            locked_until: lock.or(s.locked_until),
            cumulative,
        };
        (next, lock)
    }

    /// The counters an answer carries. `consecutive` is the run the answer
    /// reports (the stored one is reset by a lock). Without a window the
    /// cumulative pair repeats the consecutive one.
    pub(crate) fn counters(
        &self,
        consecutive: i64,
        cumulative: i64,
        locked_until: Option<i64>,
    ) -> LoginFailures {
        let left = |max: u32, n: i64| (i64::from(max) - n).clamp(0, i64::from(u32::MAX)) as u32;
        let (cum, cum_max) = if self.windowed() {
            (cumulative, self.max_cumulative)
        } else {
            (consecutive, self.max_consecutive)
        };
        LoginFailures {
            consecutive_failures: consecutive.max(0) as u32,
            remaining_consecutive: left(self.max_consecutive, consecutive),
            cumulative_failures: cum.max(0) as u32,
            remaining_cumulative: left(cum_max, cum),
            locked_until,
        }
    }

    /// Whether the next attempt must carry a solved captcha.
    pub(crate) fn captcha_after_failures(&self, consecutive: i64) -> bool {
        consecutive >= i64::from(self.captcha_after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_000_000;

    fn state(consecutive: i64, cumulative: i64) -> State {
        State {
            consecutive,
            cumulative,
            ..State::default()
        }
    }

    #[test]
    fn in_flight_attempts_use_up_the_allowance_but_are_not_failures() {
        let p = LockoutPolicy::default();
        assert_eq!(p.admit(&state(0, 0), 4, NOW), Admission::Admit);
        assert_eq!(p.admit(&state(0, 0), 5, NOW), Admission::Wait);
        assert_eq!(p.admit(&state(3, 3), 1, NOW), Admission::Admit);
        assert_eq!(p.admit(&state(3, 3), 2, NOW), Admission::Wait);
        // The window's cap binds when it is the nearer limit.
        assert_eq!(p.admit(&state(0, 19), 0, NOW), Admission::Admit);
        assert_eq!(p.admit(&state(0, 19), 1, NOW), Admission::Wait);
    }

    #[test]
    fn a_lock_refuses_until_it_ends() {
        let p = LockoutPolicy::default();
        let s = State {
            locked_until: Some(NOW + 10),
            ..State::default()
        };
        assert_eq!(p.admit(&s, 0, NOW), Admission::Locked(NOW + 10));
        assert_eq!(p.admit(&s, 0, NOW + 10), Admission::Admit);
    }

    #[test]
    fn the_failure_that_reaches_the_limit_locks_and_starts_a_new_run() {
        let p = LockoutPolicy::default();
        let (s, lock) = p.after_failure(&state(3, 3), NOW, |_| unreachable!());
        assert_eq!((s.consecutive, lock), (4, None));
        let (s, lock) = p.after_failure(&s, NOW, |_| unreachable!());
        assert_eq!(lock, Some(NOW + 15 * 60));
        assert_eq!((s.consecutive, s.lock_count, s.cumulative), (0, 1, 5));
        // The next lock doubles.
        let s = State {
            consecutive: 4,
            ..s
        };
        let (_, lock) = p.after_failure(&s, NOW, |_| unreachable!());
        assert_eq!(lock, Some(NOW + 30 * 60));
    }

    #[test]
    fn the_window_cap_locks_until_the_oldest_failure_leaves() {
        let p = LockoutPolicy::default();
        let (_, lock) = p.after_failure(&state(0, 19), NOW, |offset| {
            assert_eq!(offset, 0);
            NOW + 500
        });
        assert_eq!(lock, Some(NOW + 500));
    }

    #[test]
    fn a_consecutive_policy_has_a_fixed_lock_and_mirrored_counters() {
        let p = LockoutPolicy::consecutive(5, Duration::from_secs(3600));
        let s = State {
            lock_count: 7,
            consecutive: 4,
            ..State::default()
        };
        let (_, lock) = p.after_failure(&s, NOW, |_| unreachable!());
        assert_eq!(lock, Some(NOW + 3600));
        let c = p.counters(2, 0, None);
        assert_eq!(
            (c.consecutive_failures, c.remaining_consecutive),
            (c.cumulative_failures, c.remaining_cumulative)
        );
        assert_eq!(c.remaining_consecutive, 3);
    }

    #[test]
    fn a_window_policy_never_waits_on_a_consecutive_run() {
        let p = LockoutPolicy::per_window(3, Duration::from_secs(3600));
        assert_eq!(p.admit(&state(1000, 2), 0, NOW), Admission::Admit);
        let (s, lock) = p.after_failure(&state(1000, 2), NOW, |_| NOW + 60);
        assert_eq!((s.cumulative, lock), (3, Some(NOW + 60)));
    }
}
