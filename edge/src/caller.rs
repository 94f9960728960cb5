//! Who is calling and from where: one extractor for the REST handlers and
//! the UI's server functions alike.
//!
//! No handler reads `Authorization`, cookies, `User-Agent` or forwarding
//! headers itself. [`Caller`] gathers them once, from what the
//! [`guard`](crate::guard) established about the request (the real client
//! IP, the deployment's cookie names), so a session started over REST and
//! one started from a form record the same facts, and so does the audit
//! log. [`Authed`] and [`MaybeAuthed`] add the token check for handlers
//! that need a signed-in user.

use crate::cookies::{cookie_value, SessionCookies, LANG_COOKIE};
use crate::error::ApiError;
use crate::guard::RequestFacts;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use domain::{AuthContext, ClientInfo, DomainError, Lang, UserCenter};
use http::header::{ACCEPT_LANGUAGE, AUTHORIZATION, USER_AGENT};
use http::request::Parts;
use http::HeaderMap;
use shared::ErrorCode;
use std::convert::Infallible;
use std::net::SocketAddr;

/// How the access token arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenSource {
    /// `Authorization: Bearer …`: an API client.
    Bearer,
    /// The session cookie: a browser.
    Cookie,
}

/// The facts of one request's caller. Extracting it never fails.
#[derive(Clone)]
pub struct Caller {
    token: Option<(String, TokenSource)>,
    refresh_token: Option<String>,
    /// IP (behind trusted proxies, the real client's), user agent and
    /// `X-Device-Id`, as recorded on sessions and audit rows.
    pub client: ClientInfo,
    /// The language messages to this caller are written in.
    pub lang: Lang,
    /// This deployment's session cookies, to set or clear them.
    pub cookies: SessionCookies,
}

/// Tokens stay out of logs.
impl std::fmt::Debug for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caller")
            .field("token_source", &self.token_source())
            .field("has_refresh_token", &self.refresh_token.is_some())
            .field("client", &self.client)
            .field("lang", &self.lang)
            .finish()
    }
}

impl Caller {
    /// Reads the caller from a request's head.
    pub fn from_parts(parts: &Parts) -> Caller {
        let (ip, cookies) = match parts.extensions.get::<RequestFacts>() {
            Some(facts) => (Some(facts.client.ip), facts.cookies),
            // Outside the guard (it is installed on every route of the
            // server; this is for routers built bare): the socket's peer.
            None => (
                parts
                    .extensions
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|c| c.0.ip()),
                SessionCookies::default(),
            ),
        };
        Self::from_headers(&parts.headers, ip.map(|ip| ip.to_string()), cookies)
    }

    fn from_headers(headers: &HeaderMap, ip: Option<String>, cookies: SessionCookies) -> Caller {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let bearer = headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| (t.to_string(), TokenSource::Bearer));
        let token = bearer.or_else(|| {
            cookie_value(headers, cookies.access_name()).map(|t| (t, TokenSource::Cookie))
        });
        Caller {
            token,
            refresh_token: cookie_value(headers, cookies.refresh_name()),
            client: ClientInfo {
                ip,
                user_agent: header(USER_AGENT.as_str()),
                device_id: header("x-device-id"),
            },
            lang: lang_of(headers),
            cookies,
        }
    }

    /// The access token, from `Authorization: Bearer` or else the cookie.
    pub fn token(&self) -> Option<&str> {
        self.token.as_ref().map(|(t, _)| t.as_str())
    }

    /// Which of the two carried the token.
    pub fn token_source(&self) -> Option<TokenSource> {
        self.token.as_ref().map(|(_, s)| *s)
    }

    /// The refresh token from its cookie (browsers only; API clients send
    /// theirs in the body of `POST /api/v1/auth/refresh`).
    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh_token.as_deref()
    }

    /// The signed-in user, seen from this caller's address and agent;
    /// `UNAUTHENTICATED` without a token.
    pub async fn authenticate(&self, uc: &UserCenter) -> Result<AuthContext, DomainError> {
        let token = self.token().ok_or(ErrorCode::Unauthenticated)?;
        Ok(uc.authenticate(token).await?.seen_from(&self.client))
    }
}

/// The language the user picked on the site (leptos_i18n's cookie), else
/// the browser's first `Accept-Language`.
pub(crate) fn lang_of(headers: &HeaderMap) -> Lang {
    if let Some(picked) = cookie_value(headers, LANG_COOKIE) {
        return Lang::from_tag(&picked);
    }
    headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|tag| Lang::from_tag(tag.split(';').next().unwrap_or("")))
        .unwrap_or_default()
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Caller::from_parts(parts))
    }
}

/// A signed-in caller, or the request is answered `401` with the token's
/// problem (`UNAUTHENTICATED`, `TOKEN_EXPIRED`, …).
pub struct Authed(pub AuthContext);

impl<S> FromRequestParts<S> for Authed
where
    S: Send + Sync,
    UserCenter: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let uc = UserCenter::from_ref(state);
        Ok(Authed(Caller::from_parts(parts).authenticate(&uc).await?))
    }
}

/// A signed-in member of staff, checked against the database before
/// anything else of the request is read: a plain user's request body is
/// never parsed, and every refusal is the same `403 FORBIDDEN` whatever the
/// body held. The domain still checks each action's own limits (super admins
/// only, never on oneself).
pub struct Staff(pub AuthContext);

impl<S> FromRequestParts<S> for Staff
where
    S: Send + Sync,
    UserCenter: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Authed(auth) = Authed::from_request_parts(parts, state).await?;
        UserCenter::from_ref(state)
            .require_staff(auth.user_id)
            .await?;
        Ok(Staff(auth))
    }
}

/// The signed-in caller when the request carries a valid token; operations
/// open to everyone that do more for a signed-in user (codes to one's own
/// contacts need no captcha).
pub struct MaybeAuthed(pub Option<AuthContext>);

impl<S> FromRequestParts<S> for MaybeAuthed
where
    S: Send + Sync,
    UserCenter: FromRef<S>,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let uc = UserCenter::from_ref(state);
        Ok(MaybeAuthed(
            Caller::from_parts(parts).authenticate(&uc).await.ok(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn the_token_comes_from_bearer_before_the_cookie() {
        let plain = SessionCookies { secure: false };
        let h = headers(&[("cookie", "a=b; uc_token=fromcookie; c=d")]);
        let c = Caller::from_headers(&h, None, plain);
        assert_eq!(c.token(), Some("fromcookie"));
        assert_eq!(c.token_source(), Some(TokenSource::Cookie));
        let h = headers(&[
            ("cookie", "uc_token=fromcookie"),
            ("authorization", "Bearer fromheader"),
        ]);
        let c = Caller::from_headers(&h, None, plain);
        assert_eq!(c.token(), Some("fromheader"));
        assert_eq!(c.token_source(), Some(TokenSource::Bearer));
        let c = Caller::from_headers(&headers(&[("cookie", "uc_token=")]), None, plain);
        assert_eq!(c.token(), None);
    }

    #[test]
    fn over_https_only_prefixed_cookies_count() {
        let h = headers(&[("cookie", "uc_token=planted; uc_refresh=planted")]);
        let c = Caller::from_headers(&h, None, SessionCookies { secure: true });
        assert_eq!((c.token(), c.refresh_token()), (None, None));
        let h = headers(&[("cookie", "__Host-uc_token=t; __Host-uc_refresh=r")]);
        let c = Caller::from_headers(&h, None, SessionCookies { secure: true });
        assert_eq!((c.token(), c.refresh_token()), (Some("t"), Some("r")));
    }

    #[test]
    fn client_facts_and_language() {
        let h = headers(&[
            ("user-agent", "Mozilla/5.0"),
            ("x-device-id", "phone-1"),
            ("accept-language", "zh-CN,zh;q=0.9"),
        ]);
        let c = Caller::from_headers(&h, Some("198.51.100.7".into()), SessionCookies::default());
        assert_eq!(c.client.ip.as_deref(), Some("198.51.100.7"));
        assert_eq!(c.client.user_agent.as_deref(), Some("Mozilla/5.0"));
        assert_eq!(c.client.device_id.as_deref(), Some("phone-1"));
        assert_eq!(c.lang, Lang::ZhCn);
        let h = headers(&[
            ("accept-language", "zh-CN"),
            ("cookie", "i18n_pref_locale=en"),
        ]);
        assert_eq!(
            Caller::from_headers(&h, None, SessionCookies::default()).lang,
            Lang::En
        );
        // The token never shows in logs.
        let h = headers(&[("authorization", "Bearer secret-token")]);
        let shown = format!(
            "{:?}",
            Caller::from_headers(&h, None, SessionCookies::default())
        );
        assert!(!shown.contains("secret-token"), "{shown}");
    }
}
