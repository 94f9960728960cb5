//! `/admin/…`: the staff console. Every page loads its data through a staff
//! server function, so a signed-in non-staff user sees "not allowed" and a
//! signed-out visitor is sent to sign in; the UI hides nothing the server
//! would allow.

pub mod audit;
pub mod batch;
pub mod currencies;
pub mod open;
pub mod reviews;
pub mod user;
pub mod users;

use crate::errors::{error_text, error_text_with_details};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;
use shared::profile::AccountState;
use shared::{AppError, ErrorCode};

/// The console's section tabs; the current one is marked for screen readers.
/// Plain links (the router still navigates client-side): the router's `A`
/// would also mark "Users" on every `/admin/…` page, as a prefix match.
#[component]
pub fn AdminNav() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let current = move |prefix: &'static str| {
        move || {
            let path = location.pathname.get();
            let on = if prefix == "/admin" {
                path == "/admin" || path.starts_with("/admin/users")
            } else {
                path.starts_with(prefix)
            };
            on.then_some("page")
        }
    };
    view! {
        <nav class="admin-nav" aria-label=move || t_string!(i18n, admin_nav_label)>
            <a href="/admin" class="tab" aria-current=current("/admin")>{t!(i18n, admin_nav_users)}</a>
            <a href="/admin/reviews" class="tab" aria-current=current("/admin/reviews")>{t!(i18n, admin_nav_reviews)}</a>
            <a href="/admin/audit" class="tab" aria-current=current("/admin/audit")>{t!(i18n, admin_nav_audit)}</a>
            <a href="/admin/batch" class="tab" aria-current=current("/admin/batch")>{t!(i18n, admin_nav_batch)}</a>
            <a href="/admin/open" class="tab" aria-current=current("/admin/open")>{t!(i18n, admin_nav_open)}</a>
            <a href="/admin/currencies" class="tab" aria-current=current("/admin/currencies")>{t!(i18n, admin_nav_currencies)}</a>
        </nav>
    }
}

/// The error of `action`'s last answer, translated.
pub(crate) fn action_error<S>(action: ServerAction<S>) -> Signal<Option<String>>
where
    S: ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let i18n = use_i18n();
    Signal::derive(move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| error_text_with_details(i18n, &e))
    })
}

/// What a console page shows when its data could not be loaded.
pub fn load_error(err: AppError, here: &str) -> AnyView {
    let i18n = use_i18n();
    match err.code {
        ErrorCode::Unauthenticated => {
            let to = format!("/login?next={here}");
            view! { <Redirect path=to/> }.into_any()
        }
        ErrorCode::Forbidden => view! {
            <p class="form-alert" role="alert">{t!(i18n, admin_forbidden)}</p>
        }
        .into_any(),
        _ => view! { <p class="form-alert" role="alert">{error_text(i18n, &err)}</p> }.into_any(),
    }
}

/// `2026-11-24T13:05:00Z` as `2026-11-24 13:05 UTC`.
pub fn short_time(rfc3339: &str) -> String {
    let t = rfc3339.replace('T', " ");
    let t = t.trim_end_matches('Z');
    let t = t.get(..16).unwrap_or(t);
    format!("{t} UTC")
}

/// The translated name of an account status.
pub fn status_label(i18n: leptos_i18n::I18nContext<Locale>, state: AccountState) -> &'static str {
    match state {
        AccountState::Frozen => t_string!(i18n, admin_status_frozen),
        AccountState::Closed => t_string!(i18n, admin_status_closed),
        AccountState::PreOpened => t_string!(i18n, admin_status_pre_opened),
        AccountState::Active => t_string!(i18n, admin_status_normal),
    }
}

/// The badge class of an account status.
pub fn status_class(state: AccountState) -> &'static str {
    match state {
        AccountState::Frozen => "badge badge-warn",
        AccountState::Closed => "badge",
        AccountState::PreOpened => "badge badge-neutral",
        AccountState::Active => "badge badge-ok",
    }
}
