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
/// Name of the HttpOnly cookie that carries the refresh token. It is only
/// sent to [`REFRESH_PATH`], so page loads and other calls never expose it.
pub const REFRESH_COOKIE: &str = "uc_refresh";
/// Where the refresh cookie is sent: the refresh server function lives here.
pub const REFRESH_PATH: &str = "/api/auth";

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

/// The caller, or `UNAUTHENTICATED` (as a 401 for API callers).
pub async fn require_auth(uc: &UserCenter) -> Result<domain::AuthContext, AppError> {
    let token = request_token().ok_or_else(|| reject(shared::ErrorCode::Unauthenticated.into()))?;
    let auth = uc.authenticate(&token).await.map_err(reject)?;
    Ok(auth.from_ip(client_info().ip))
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// The access token from `Authorization: Bearer …`, else from the cookie.
pub fn request_token() -> Option<String> {
    let parts = parts()?;
    token_from_headers(&parts.headers)
}

/// The refresh token from its cookie.
pub fn request_refresh_token() -> Option<String> {
    cookie_value(&parts()?.headers, REFRESH_COOKIE)
}

fn cookie_value(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty())
}

/// The language messages (codes, notices) should be written in: the one the
/// user picked on the site (leptos_i18n's cookie), else the browser's first
/// Accept-Language.
pub fn lang_from_headers(headers: &http::HeaderMap) -> domain::Lang {
    if let Some(picked) = cookie_value(headers, "i18n_pref_locale") {
        return domain::Lang::from_tag(&picked);
    }
    headers
        .get(http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|tag| domain::Lang::from_tag(tag.split(';').next().unwrap_or("")))
        .unwrap_or_default()
}

/// [`lang_from_headers`] for the current server-function request.
pub fn request_lang() -> domain::Lang {
    parts()
        .map(|p| lang_from_headers(&p.headers))
        .unwrap_or_default()
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
    cookie_value(headers, AUTH_COOKIE)
}

pub fn client_info() -> ClientInfo {
    let Some(parts) = parts() else {
        return ClientInfo::default();
    };
    let ip = parts
        .extensions
        .get::<PeerAddr>()
        .map(|p| p.0.ip().to_string());
    client_from_headers(ip, &parts.headers)
}

/// Where a request comes from: the peer's IP, its User-Agent and the
/// client's own `X-Device-Id`, as recorded on a new session.
pub fn client_from_headers(ip: Option<String>, headers: &http::HeaderMap) -> ClientInfo {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    ClientInfo {
        ip,
        user_agent: header(USER_AGENT.as_str()),
        device_id: header("x-device-id"),
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
    session_cookie(AUTH_COOKIE, "/", token, max_age_secs, secure)
}

fn session_cookie(
    name: &'static str,
    path: &'static str,
    value: &str,
    max_age_secs: i64,
    secure: bool,
) -> cookie::Cookie<'static> {
    cookie::Cookie::build((name, value.to_string()))
        .path(path)
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::seconds(max_age_secs.max(0)))
        .build()
}

/// Sets both cookies after sign-up, sign-in or refresh. The access cookie
/// lives as long as its token; the refresh cookie as long as the session.
pub fn set_auth_cookies(res: &shared::dto::AuthResponse) -> Result<(), AppError> {
    let now = domain::clock::now();
    let secure = secure_cookies();
    append_cookie(auth_cookie(&res.token, res.expires_at - now, secure))?;
    append_cookie(session_cookie(
        REFRESH_COOKIE,
        REFRESH_PATH,
        &res.refresh_token,
        res.refresh_expires_at - now,
        secure,
    ))
}

pub fn clear_auth_cookies() -> Result<(), AppError> {
    let secure = secure_cookies();
    append_cookie(auth_cookie("", 0, secure))?;
    append_cookie(session_cookie(REFRESH_COOKIE, REFRESH_PATH, "", 0, secure))
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
