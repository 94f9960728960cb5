//! The limiter against a real database: parallel attempts, every kind.

use super::*;
use crate::tests::{fixture, fixture_with, test_settings};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// Kinds judged through a reservation, each with its allowance in the test
/// settings.
const RESERVED_KINDS: [(Kind, u32); 3] = [(Kind::SignIn, 5), (Kind::Pin, 5), (Kind::Reentry, 5)];

/// One guess: admitted, then "checked" for a while (as a hash would be),
/// then settled. Returns the answer's code, or `None` when it was right.
async fn guess(
    uc: UserCenter,
    kind: Kind,
    right: bool,
    judged: Arc<AtomicU32>,
) -> Option<ErrorCode> {
    let attempt = match uc.reserve(kind, "k").await {
        Ok(a) => a,
        Err(e) => return Some(e.code()),
    };
    judged.fetch_add(1, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(20)).await;
    if right {
        attempt.forgive().await.unwrap();
        None
    } else {
        Some(
            attempt
                .fail()
                .await
                .unwrap()
                .error(ErrorCode::InvalidCredentials)
                .code(),
        )
    }
}

async fn parallel(
    uc: &UserCenter,
    kind: Kind,
    n: usize,
    right: bool,
) -> (Vec<Option<ErrorCode>>, u32) {
    let judged = Arc::new(AtomicU32::new(0));
    let tasks: Vec<_> = (0..n)
        .map(|_| tokio::spawn(guess(uc.clone(), kind, right, judged.clone())))
        .collect();
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    (answers, judged.load(Ordering::SeqCst))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_parallel_wrong_guesses_reach_the_secret_exactly_the_allowance() {
    let f = fixture().await;
    for (kind, max) in RESERVED_KINDS {
        let (answers, judged) = parallel(&f.uc, kind, 50, false).await;
        assert_eq!(judged, max, "{kind:?}: guesses that reached the secret");
        let wrong = answers
            .iter()
            .filter(|a| **a == Some(ErrorCode::InvalidCredentials))
            .count();
        let locked = answers
            .iter()
            .filter(|a| **a == Some(kind.locked_code()))
            .count();
        assert_eq!(
            (wrong, locked),
            (max as usize - 1, 50 - max as usize + 1),
            "{kind:?}: {answers:?}"
        );
        let state = f.uc.throttle_state(kind, "k").await.unwrap();
        assert!(state.locked_until.is_some(), "{kind:?} is locked");
        let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM throttle_reservations")
            .fetch_one(&f.db.sql)
            .await
            .unwrap();
        assert_eq!(left, 0, "{kind:?}: every reservation was settled");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_parallel_right_attempts_all_get_through() {
    let f = fixture().await;
    for (kind, _) in RESERVED_KINDS {
        // Even with failures already on the counter.
        for _ in 0..3 {
            let a = f.uc.reserve(kind, "k").await.unwrap();
            a.fail().await.unwrap();
        }
        let (answers, judged) = parallel(&f.uc, kind, 20, true).await;
        assert_eq!(judged, 20, "{kind:?}");
        assert!(answers.iter().all(Option::is_none), "{kind:?}: {answers:?}");
        assert_eq!(f.uc.throttle_state(kind, "k").await.unwrap().consecutive, 0);
    }
}

#[tokio::test]
async fn an_attempt_dropped_before_it_is_judged_counts_as_a_failure() {
    let f = fixture().await;
    let attempt = f.uc.reserve(Kind::Pin, "k").await.unwrap();
    drop(attempt);
    for _ in 0..50 {
        if f.uc
            .throttle_state(Kind::Pin, "k")
            .await
            .unwrap()
            .consecutive
            == 1
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the dropped attempt was not counted");
}

#[tokio::test]
async fn a_reservation_left_by_a_crash_counts_once_stale() {
    let (f, clock) = crate::tests::clocked_fixture().await;
    let attempt = f.uc.reserve(Kind::Pin, "k").await.unwrap();
    // A crash: the process dies without settling or dropping.
    std::mem::forget(attempt);
    clock.advance(61);
    let next = f.uc.reserve(Kind::Pin, "k").await.unwrap();
    assert_eq!(
        f.uc.throttle_state(Kind::Pin, "k")
            .await
            .unwrap()
            .consecutive,
        1
    );
    next.forgive().await.unwrap();
}

#[tokio::test]
async fn waiting_too_long_for_in_flight_attempts_is_rate_limited_not_locked() {
    let mut settings = test_settings();
    settings.throttle.wait = Duration::from_millis(100);
    let f = fixture_with(settings).await;
    let held: Vec<_> = {
        let mut v = Vec::new();
        for _ in 0..5 {
            v.push(f.uc.reserve(Kind::Pin, "k").await.unwrap());
        }
        v
    };
    let e = f.uc.reserve(Kind::Pin, "k").await.err().unwrap();
    assert_eq!(e.code(), ErrorCode::RateLimited);
    for a in held {
        a.forgive().await.unwrap();
    }
    f.uc.reserve(Kind::Pin, "k")
        .await
        .unwrap()
        .forgive()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn counted_events_stop_exactly_at_the_window_cap() {
    let mut settings = test_settings();
    settings.throttle.captchas_per_ip = 30;
    let f = fixture_with(settings).await;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let uc = f.uc.clone();
            tokio::spawn(async move { uc.charge(Kind::Captcha, "198.51.100.7").await.is_ok() })
        })
        .collect();
    let mut allowed = 0;
    for t in tasks {
        allowed += usize::from(t.await.unwrap());
    }
    assert_eq!(allowed, 30);
    // Another IP is not affected.
    f.uc.charge(Kind::Captcha, "198.51.100.8").await.unwrap();
}
