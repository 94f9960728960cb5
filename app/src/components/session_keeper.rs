//! Keeps a signed-in browser signed in: refreshes the tokens shortly before
//! the access token expires, and restores a session whose access token has
//! already lapsed (e.g. after the laptop slept) from the refresh cookie.

use crate::api::{refresh_session, session_status};
use leptos::prelude::*;
use leptos_router::hooks::use_location;
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

#[component]
pub fn SessionKeeper() -> impl IntoView {
    let epoch = use_auth_epoch();
    let location = use_location();
    // Each (re)start gets a generation; stale timers see a newer one and stop.
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        location.pathname.track();
        epoch.0.track();
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        leptos::task::spawn_local(async move {
            match session_status().await {
                Ok(Some(secs)) => schedule(secs, mine, generation),
                Ok(None) => {
                    if let Ok(Some(_)) = refresh_session().await {
                        // A session came back: let views reload (this restarts us).
                        epoch.0.update(|e| *e += 1);
                    }
                }
                Err(_) => {}
            }
        });
    });
}

fn schedule(expires_in: i64, mine: u64, generation: StoredValue<u64>) {
    let wait = (expires_in - MARGIN_SECS).max(5) as u64;
    set_timeout(
        move || {
            if generation.try_get_value() != Some(mine) {
                return;
            }
            leptos::task::spawn_local(async move {
                if let Ok(Some(secs)) = refresh_session().await {
                    if generation.try_get_value() == Some(mine) {
                        schedule(secs, mine, generation);
                    }
                }
            });
        },
        Duration::from_secs(wait),
    );
}
