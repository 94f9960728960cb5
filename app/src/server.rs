//! Server-only glue for the server functions: the domain handle, the caller's
//! token and the auth cookie.

use domain::{ClientInfo, DomainError, UserCenter};
use http::header::{AUTHORIZATION, COOKIE, SET_COOKIE, USER_AGENT};
use http::request::Parts;
use http::HeaderValue;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use shared::AppError;

/// Name of the HttpOnly cookie that carries the access token.
pub const AUTH_COOKIE: &str = "uc_token";

/// Web settings the server functions need, provided as context by the server.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Adds `Secure` to cookies; on whenever the site is served over HTTPS.
    pub secure_cookies: bool,
}

/// The client's IP address as seen by the socket, put into request extensions
/// by the server.
#[derive(Clone, Copy, Debug)]
pub struct PeerAddr(pub std::net::SocketAddr);

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
    let from_form = parts().is_some_and(|p| accepts_html(&p.headers));
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

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// The access token from `Authorization: Bearer …`, else from the cookie.
pub fn request_token() -> Option<String> {
    let parts = parts()?;
    token_from_headers(&parts.headers)
}

pub fn token_from_headers(headers: &http::HeaderMap) -> Option<String> {
    if let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        if let Some(token) = value.strip_prefix("Bearer ") {
            let token = token.trim();
            if !token.is_empty() {
                return Some(token.to_string());
            }
        }
    }
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == AUTH_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty())
}

pub fn client_info() -> ClientInfo {
    let Some(parts) = parts() else {
        return ClientInfo::default();
    };
    ClientInfo {
        ip: parts
            .extensions
            .get::<PeerAddr>()
            .map(|p| p.0.ip().to_string()),
        user_agent: parts
            .headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    }
}

fn secure_cookies() -> bool {
    use_context::<WebConfig>().is_some_and(|c| c.secure_cookies)
}

fn append_cookie(cookie: cookie::Cookie<'_>) -> Result<(), AppError> {
    let res = use_context::<ResponseOptions>().ok_or_else(AppError::internal)?;
    let value = HeaderValue::from_str(&cookie.to_string()).map_err(|_| AppError::internal())?;
    res.append_header(SET_COOKIE, value);
    Ok(())
}

pub fn auth_cookie(token: &str, max_age_secs: i64, secure: bool) -> cookie::Cookie<'static> {
    cookie::Cookie::build((AUTH_COOKIE, token.to_string()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(max_age_secs.max(0)))
        .build()
}

pub fn set_auth_cookie(token: &str, expires_at: i64) -> Result<(), AppError> {
    let max_age = expires_at - domain::clock::now();
    append_cookie(auth_cookie(token, max_age, secure_cookies()))
}

pub fn clear_auth_cookie() -> Result<(), AppError> {
    append_cookie(auth_cookie("", 0, secure_cookies()))
}

/// Where to go after signing in: only same-site paths, never `//host` or a
/// scheme, so the parameter can't be used as an open redirect.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control()) =>
        {
            n.to_string()
        }
        _ => "/profile".to_string(),
    }
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

    #[test]
    fn token_prefers_bearer_then_cookie() {
        let mut h = http::HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_static("a=b; uc_token=fromcookie; c=d"),
        );
        assert_eq!(token_from_headers(&h).as_deref(), Some("fromcookie"));
        h.insert(AUTHORIZATION, HeaderValue::from_static("Bearer fromheader"));
        assert_eq!(token_from_headers(&h).as_deref(), Some("fromheader"));
        let mut empty = http::HeaderMap::new();
        empty.insert(COOKIE, HeaderValue::from_static("uc_token="));
        assert_eq!(token_from_headers(&empty), None);
    }

    #[test]
    fn auth_cookie_is_http_only_and_same_site() {
        let c = auth_cookie("tok", 60, false).to_string();
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Path=/"),
            "{c}"
        );
        assert!(!c.contains("Secure"));
        assert!(auth_cookie("tok", 60, true).to_string().contains("Secure"));
    }
}
