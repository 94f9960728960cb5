//! Keeps a signed-in browser signed in: refreshes the tokens shortly before
//! the access token expires, and restores a session whose access token has
//! already lapsed (e.g. after the laptop slept) from the refresh cookie.
//!
//! Several tabs share the cookies, so after a wake-up they may all refresh
//! with the same refresh token at once. One wins; the others get
//! `REFRESH_SUPERSEDED` and keep the cookies, which by then hold the winner's
//! fresh tokens: they start over from those a moment later.

use crate::api::{refresh_session, session_status};
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use shared::{AppError, ErrorCode};
use std::time::Duration;

/// Bumped whenever a refresh brings back a session the page thought was gone,
/// so views that depend on the signed-in user can reload.
#[derive(Clone, Copy)]
pub struct AuthEpoch(pub RwSignal<u32>);

pub fn provide_auth_epoch() -> AuthEpoch {
    let epoch = AuthEpoch(RwSignal::new(0));
    provide_context(epoch);
    epoch
}

pub fn use_auth_epoch() -> AuthEpoch {
    use_context::<AuthEpoch>().unwrap_or_else(provide_auth_epoch)
}

/// Refresh this long before the access token expires.
const MARGIN_SECS: i64 = 60;
/// After losing a refresh race, wait this long for the winning tab's cookies
/// to land before starting over from them.
const SUPERSEDED_RETRY: Duration = Duration::from_secs(2);

/// Whether another tab refreshed first (see the module docs).
fn superseded(result: &Result<Option<i64>, AppError>) -> bool {
    matches!(result, Err(e) if e.code == ErrorCode::RefreshSuperseded)
}

#[component]
pub fn SessionKeeper() -> impl IntoView {
    let epoch = use_auth_epoch();
    let location = use_location();
    // Each (re)start gets a generation; stale timers see a newer one and stop.
    let generation = StoredValue::new(0u64);
    // Bumped to start over after a lost refresh race, without making views
    // reload as a bump of the epoch would.
    let restart = RwSignal::new(0u32);
    Effect::new(move |_| {
        location.pathname.track();
        epoch.0.track();
        restart.track();
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        leptos::task::spawn_local(async move {
            match session_status().await {
                Ok(Some(secs)) => schedule(secs, mine, generation, restart),
                Ok(None) => {
                    let renewed = refresh_session().await;
                    if let Ok(Some(_)) = renewed {
                        // A session came back: let views reload (this restarts us).
                        epoch.0.update(|e| *e += 1);
                    } else if superseded(&renewed) {
                        start_over(restart);
                    }
                }
                Err(_) => {}
            }
        });
    });
}

/// Starts the keeper over shortly, from whatever cookies it then has.
fn start_over(restart: RwSignal<u32>) {
    set_timeout(
        move || {
            let _ = restart.try_update(|r| *r += 1);
        },
        SUPERSEDED_RETRY,
    );
}

fn schedule(expires_in: i64, mine: u64, generation: StoredValue<u64>, restart: RwSignal<u32>) {
    let wait = (expires_in - MARGIN_SECS).max(5) as u64;
    set_timeout(
        move || {
            if generation.try_get_value() != Some(mine) {
                return;
            }
            leptos::task::spawn_local(async move {
                let renewed = refresh_session().await;
                if generation.try_get_value() != Some(mine) {
                    return;
                }
                if let Ok(Some(secs)) = renewed {
                    schedule(secs, mine, generation, restart);
                } else if superseded(&renewed) {
                    start_over(restart);
                }
            });
        },
        Duration::from_secs(wait),
    );
}
