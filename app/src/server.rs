//! Server-only glue for the server functions: the domain handle, the caller
//! (the edge's one extractor, shared with the REST API) and the session
//! cookies.

use domain::{DomainError, UserCenter};
use edge::Caller;
use http::header::SET_COOKIE;
use http::HeaderValue;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use shared::AppError;

pub fn user_center() -> Result<UserCenter, AppError> {
    use_context::<UserCenter>().ok_or_else(|| {
        tracing::error!("UserCenter missing from context");
        AppError::internal()
    })
}

/// Maps a domain error to what the caller sees, and sets the HTTP status of
/// the response to match its code (server functions default to 500).
///
/// A plain form post (no JavaScript, `Accept: text/html`) keeps the redirect
/// back to the form that Leptos answers with, carrying the error in the URL.
pub fn reject(e: DomainError) -> AppError {
    let err = e.to_app_error();
    let from_form = use_context::<http::request::Parts>().is_some_and(|p| accepts_html(&p.headers));
    if let (false, Some(res)) = (from_form, use_context::<ResponseOptions>()) {
        if let Ok(status) = http::StatusCode::from_u16(err.code.http_status()) {
            res.set_status(status);
        }
    }
    err
}

fn accepts_html(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// Who is calling this server function: the same [`Caller`] the REST
/// handlers extract, so both record the same client facts.
pub async fn caller() -> Result<Caller, AppError> {
    leptos_axum::extract::<Caller>().await.map_err(|e| {
        tracing::error!("no request to extract the caller from: {e}");
        AppError::internal()
    })
}

/// The signed-in caller, or `UNAUTHENTICATED` (as a 401 for API callers).
pub async fn require_auth(uc: &UserCenter) -> Result<domain::AuthContext, AppError> {
    caller().await?.authenticate(uc).await.map_err(reject)
}

fn append_cookie(cookie: cookie::Cookie<'_>) -> Result<(), AppError> {
    let res = use_context::<ResponseOptions>().ok_or_else(AppError::internal)?;
    let value = HeaderValue::from_str(&cookie.to_string()).map_err(|_| AppError::internal())?;
    res.append_header(SET_COOKIE, value);
    Ok(())
}

/// Sets both cookies after sign-up, sign-in or refresh. The access cookie
/// lives as long as its token; the refresh cookie as long as the session.
pub fn set_auth_cookies(caller: &Caller, res: &shared::dto::AuthResponse) -> Result<(), AppError> {
    let now = domain::clock::now();
    append_cookie(caller.cookies.access(&res.token, res.expires_at - now))?;
    append_cookie(
        caller
            .cookies
            .refresh(&res.refresh_token, res.refresh_expires_at - now),
    )
}

pub fn clear_auth_cookies(caller: &Caller) -> Result<(), AppError> {
    append_cookie(caller.cookies.access("", 0))?;
    append_cookie(caller.cookies.refresh("", 0))
}

/// Where to go after signing in (see [`shared::validate::safe_next_path`]).
pub fn safe_next(next: Option<&str>) -> String {
    shared::validate::safe_next_path(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_only_allows_local_paths() {
        assert_eq!(safe_next(Some("/profile?tab=1")), "/profile?tab=1");
        for bad in [
            "//evil.com",
            "https://evil.com",
            "/\\evil.com",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/profile", "{bad}");
        }
        assert_eq!(safe_next(None), "/profile");
    }
}
