//! Sign-in sessions: one row per sign-in, referenced by the access token's
//! `sid` and renewed through a rotating refresh token.
//!
//! Keeping sessions server-side is what makes logout and revoking a device
//! real: a revoked session's tokens are refused even before they expire.

use crate::audit::AuditEvent;
pub use crate::caller::{AuthContext, ClientInfo};
use crate::store;
use crate::store::sessions::{NewSession, SessionOwner};
use crate::store::users::UserStatus;
use crate::tokens::Claims;
use crate::{clock, DomainError, UserCenter};
use shared::admin::AuditAction;
use shared::dto::{AuthResponse, SessionInfo, UserProfile};
use shared::ErrorCode;

const MAX_USER_AGENT_CHARS: usize = 512;
const MAX_IP_CHARS: usize = 64;
const MAX_DEVICE_ID_CHARS: usize = 128;

/// A valid token's facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenCheck {
    pub auth: AuthContext,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Freshly issued tokens.
#[derive(Clone, Debug)]
pub struct IssuedTokens {
    pub access_token: String,
    pub access_expires_at: i64,
    pub refresh_token: String,
    pub refresh_expires_at: i64,
}

/// What sign-up, sign-in and refresh answer.
pub(crate) fn auth_response(issued: IssuedTokens, user: UserProfile) -> AuthResponse {
    AuthResponse {
        token: issued.access_token,
        token_type: "Bearer".into(),
        expires_at: issued.access_expires_at,
        refresh_token: issued.refresh_token,
        refresh_expires_at: issued.refresh_expires_at,
        user,
    }
}

fn clip(value: &Option<String>, max: usize) -> Option<String> {
    value.as_ref().map(|v| v.chars().take(max).collect())
}

/// "Chrome on Linux", "Safari on iPhone", … from a User-Agent header.
pub fn client_label(user_agent: Option<&str>) -> String {
    let Some(ua) = user_agent.filter(|u| !u.is_empty()) else {
        return "Unknown client".into();
    };
    match woothee::parser::Parser::new().parse(ua) {
        Some(r) if r.name != "UNKNOWN" && r.os != "UNKNOWN" => format!("{} on {}", r.name, r.os),
        Some(r) if r.name != "UNKNOWN" => r.name.to_string(),
        _ => ua.chars().take(40).collect(),
    }
}

/// The browser and OS when the User-Agent names known ones, for texts sent
/// to the user, which must not carry what a stranger typed into their
/// User-Agent; `None` otherwise.
pub(crate) fn known_client(user_agent: Option<&str>) -> Option<String> {
    let parsed = user_agent.and_then(|ua| woothee::parser::Parser::new().parse(ua))?;
    match parsed {
        r if r.name != "UNKNOWN" && r.os != "UNKNOWN" => Some(format!("{} on {}", r.name, r.os)),
        r if r.name != "UNKNOWN" => Some(r.name.to_string()),
        _ => None,
    }
}

fn new_refresh_token() -> String {
    crate::opaque::random_token()
}

fn hash_refresh_token(token: &str) -> String {
    crate::opaque::token_digest(token)
}

impl UserCenter {
    /// When a session renewed now ends: a refresh-token lifetime from now
    /// (sessions slide on activity), but never past the absolute cap counted
    /// from its sign-in.
    fn session_end(&self, now: i64, created_at: i64) -> i64 {
        let sliding = now + self.settings.refresh_ttl.as_secs() as i64;
        let cap = created_at.saturating_add(self.settings.session_max.as_secs() as i64);
        sliding.min(cap)
    }

    /// Opens a session for `user_id` inside the caller's transaction and issues
    /// its first access and refresh tokens.
    pub(crate) async fn start_session(
        &self,
        conn: &mut store::Conn,
        user_id: i64,
        client: &ClientInfo,
    ) -> Result<IssuedTokens, DomainError> {
        let now = self.now();
        let refresh_expires_at = self.session_end(now, now);
        let session_id = uuid::Uuid::new_v4().simple().to_string();
        let ip = clip(&client.ip, MAX_IP_CHARS);
        let user_agent = clip(&client.user_agent, MAX_USER_AGENT_CHARS);
        let device_id = clip(&client.device_id, MAX_DEVICE_ID_CHARS);
        store::sessions::insert(
            conn,
            &NewSession {
                id: &session_id,
                user_id,
                now,
                expires_at: refresh_expires_at,
                ip: ip.as_deref(),
                user_agent: user_agent.as_deref(),
                label: &client_label(client.user_agent.as_deref()),
                device_id: device_id.as_deref(),
            },
        )
        .await?;
        self.issue_tokens(conn, user_id, &session_id, refresh_expires_at)
            .await
    }

    async fn issue_tokens(
        &self,
        conn: &mut store::Conn,
        user_id: i64,
        session_id: &str,
        refresh_expires_at: i64,
    ) -> Result<IssuedTokens, DomainError> {
        let now = self.now();
        let refresh_token = new_refresh_token();
        store::sessions::insert_refresh_token(
            conn,
            &hash_refresh_token(&refresh_token),
            session_id,
            now,
        )
        .await?;
        let access_expires_at =
            (now + self.settings.access_ttl.as_secs() as i64).min(refresh_expires_at);
        let access_token = self.tokens.issue(&Claims {
            sub: user_id.to_string(),
            sid: session_id.to_string(),
            iat: now,
            exp: access_expires_at,
        })?;
        Ok(IssuedTokens {
            access_token,
            access_expires_at,
            refresh_token,
            refresh_expires_at,
        })
    }

    /// Exchanges a refresh token for new tokens (and the user), replacing it,
    /// and extends the session to [`Settings::refresh_ttl`](crate::Settings)
    /// from now, within its absolute cap ([`Settings::session_max`](crate::Settings)).
    ///
    /// A token that was already replaced and comes back within the grace
    /// interval lost a race with another request of the same client (two
    /// tabs): `409 REFRESH_SUPERSEDED`, and the session lives on. After the
    /// grace it was copied by someone: the whole session is revoked, so the
    /// thief and the owner both have to sign in again (`TOKEN_REVOKED`).
    pub async fn refresh(
        &self,
        refresh_token: &str,
        client: &ClientInfo,
    ) -> Result<AuthResponse, DomainError> {
        let now = self.now();
        let hash = hash_refresh_token(refresh_token);
        let mut tx = crate::store::begin_write(&self.pool).await?;
        let found = store::sessions::find_refresh(&mut tx, &hash).await?;
        let Some(store::sessions::RefreshRow {
            session_id,
            rotated_at,
            user_id,
            revoked_at,
            expires_at,
            created_at,
            status,
        }) = found
        else {
            return Err(ErrorCode::TokenRevoked.into());
        };
        if revoked_at.is_some() || expires_at <= now || status != UserStatus::Normal {
            return Err(ErrorCode::TokenRevoked.into());
        }
        if let Some(rotated_at) = rotated_at {
            if now - rotated_at > self.settings.refresh_reuse_grace.as_secs() as i64 {
                store::sessions::revoke(&mut tx, &session_id, now).await?;
                tx.commit().await?;
                self.session_ended(&session_id);
                tracing::warn!(user_id, session_id = %session_id, "refresh token reused: session revoked");
                return Err(ErrorCode::TokenRevoked.into());
            }
            return Err(ErrorCode::RefreshSuperseded.into());
        }
        store::sessions::mark_rotated(&mut tx, &hash, now).await?;
        let expires_at = self.session_end(now, created_at);
        let ip = clip(&client.ip, MAX_IP_CHARS);
        store::sessions::touch(&mut tx, &session_id, now, expires_at, ip.as_deref()).await?;
        let issued = self
            .issue_tokens(&mut tx, user_id, &session_id, expires_at)
            .await?;
        tx.commit().await?;
        Ok(auth_response(issued, self.profile(user_id).await?))
    }

    /// Checks a token's signature and expiry, and that its session is live and
    /// its account may still sign in. Any failure is `UNAUTHENTICATED`: a
    /// browser gains nothing from knowing which check failed.
    pub async fn authenticate(&self, token: &str) -> Result<AuthContext, DomainError> {
        self.check_token(token)
            .await
            .map(|c| c.auth)
            .map_err(|e| match e {
                DomainError::Rejected(_) => ErrorCode::Unauthenticated.into(),
                other => other,
            })
    }

    /// The token check for other services: like [`Self::authenticate`], but the
    /// error says what is wrong (`TOKEN_EXPIRED`, `TOKEN_REVOKED`,
    /// `TOKEN_MALFORMED`, `TOKEN_INVALID_SIGNATURE`), and the answer carries
    /// the expiry. One signature check and one primary-key lookup.
    pub async fn check_token(&self, token: &str) -> Result<TokenCheck, DomainError> {
        let claims = self.tokens.verify(token)?;
        if claims.exp <= self.now() {
            return Err(ErrorCode::TokenExpired.into());
        }
        let user_id: i64 = claims
            .sub
            .parse()
            .map_err(|_| DomainError::from(ErrorCode::TokenMalformed))?;
        let live = self.session_is_live(&claims.sid, user_id).await?;
        match live {
            true => Ok(TokenCheck {
                auth: AuthContext {
                    user_id,
                    session_id: claims.sid,
                    ip: None,
                    user_agent: None,
                },
                expires_at: claims.exp,
            }),
            false => Err(ErrorCode::TokenRevoked.into()),
        }
    }

    /// Checks a session's refresh token used as a long-lived bearer token.
    ///
    /// Some seed clients keep one token for as long as the session lasts
    /// (the app API's "save the token", ukex's `deadLine`), which a 15-minute
    /// access token cannot serve. Their facades hand out the session's
    /// refresh token and check it here: live while the session is, and not
    /// rotated by this check. A token already rotated away (the session was
    /// refreshed through the REST API) is refused like any stale one. Every
    /// failure is `UNAUTHENTICATED`.
    pub async fn authenticate_session_token(
        &self,
        refresh_token: &str,
    ) -> Result<AuthContext, DomainError> {
        let mut conn = self.pool.acquire().await?;
        let found = store::sessions::live_by_current_token(
            &mut conn,
            &hash_refresh_token(refresh_token),
            self.now(),
        )
        .await?;
        let SessionOwner {
            session_id,
            user_id,
        } = found.ok_or(ErrorCode::Unauthenticated)?;
        Ok(AuthContext {
            user_id,
            session_id,
            ip: None,
            user_agent: None,
        })
    }

    /// Ends the caller's session; its tokens are refused from now on.
    pub async fn logout(&self, auth: &AuthContext) -> Result<(), DomainError> {
        if self.revoke_session(auth.user_id, &auth.session_id).await? {
            self.audit(AuditEvent::by_user(AuditAction::Logout, auth.user_id, auth))
                .await;
        }
        Ok(())
    }

    /// Ends the session a refresh token belongs to, for a logout whose access
    /// token has lapsed (a browser's refresh cookie is all it still has).
    /// Any token the session ever had counts: whoever holds one could have
    /// refreshed with it anyway. An unknown token, or a session already
    /// ended, is not an error: signing out twice is harmless.
    pub async fn logout_by_refresh_token(
        &self,
        refresh_token: &str,
        client: &ClientInfo,
    ) -> Result<(), DomainError> {
        let mut conn = self.pool.acquire().await?;
        let found =
            store::sessions::by_any_token(&mut conn, &hash_refresh_token(refresh_token)).await?;
        drop(conn);
        let Some(SessionOwner {
            session_id,
            user_id,
        }) = found
        else {
            return Ok(());
        };
        if self.revoke_session(user_id, &session_id).await? {
            self.audit(AuditEvent::by_user(AuditAction::Logout, user_id, client))
                .await;
        }
        Ok(())
    }

    /// The user ends one of their own sessions (another device); audited.
    pub async fn revoke_own_session(
        &self,
        auth: &AuthContext,
        session_id: &str,
    ) -> Result<bool, DomainError> {
        let done = self.revoke_session(auth.user_id, session_id).await?;
        if done {
            self.audit(
                AuditEvent::by_user(AuditAction::SessionRevoked, auth.user_id, auth)
                    .details(serde_json::json!({ "session": session_id })),
            )
            .await;
        }
        Ok(done)
    }

    /// "Sign out everywhere else": every session but the caller's ends; audited.
    pub async fn sign_out_elsewhere(&self, auth: &AuthContext) -> Result<u64, DomainError> {
        let n = self
            .revoke_other_sessions(auth.user_id, Some(&auth.session_id))
            .await?;
        self.audit(
            AuditEvent::by_user(AuditAction::OtherSessionsRevoked, auth.user_id, auth)
                .details(serde_json::json!({ "sessions": n })),
        )
        .await;
        Ok(n)
    }

    /// Ends one of the user's sessions. Returns whether one was ended.
    pub async fn revoke_session(
        &self,
        user_id: i64,
        session_id: &str,
    ) -> Result<bool, DomainError> {
        let mut conn = self.pool.acquire().await?;
        let ended = store::sessions::revoke_own(&mut conn, user_id, session_id, self.now()).await?;
        self.session_ended(session_id);
        Ok(ended)
    }

    /// Ends every session of the user except `keep` (e.g. after a password
    /// change, or "sign out everywhere else"). Returns how many were ended.
    pub async fn revoke_other_sessions(
        &self,
        user_id: i64,
        keep: Option<&str>,
    ) -> Result<u64, DomainError> {
        let mut conn = self.pool.acquire().await?;
        let ended = store::sessions::revoke_all(&mut conn, user_id, keep, self.now()).await?;
        self.sessions_changed_for(user_id);
        Ok(ended)
    }

    /// The user's live sessions, most recently seen first.
    pub async fn list_sessions(&self, auth: &AuthContext) -> Result<Vec<SessionInfo>, DomainError> {
        let mut conn = self.pool.acquire().await?;
        let rows = store::sessions::list_live(&mut conn, auth.user_id, self.now()).await?;
        Ok(rows
            .into_iter()
            .map(|r| SessionInfo {
                current: r.id == auth.session_id,
                id: r.id,
                label: r.label.unwrap_or_else(|| client_label(None)),
                ip: r.ip,
                device_id: r.device_id,
                created_at: clock::rfc3339(r.created_at),
                last_seen_at: clock::rfc3339(r.last_seen_at),
            })
            .collect())
    }
}
