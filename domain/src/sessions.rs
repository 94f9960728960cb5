//! Sign-in sessions: one row per sign-in, referenced by the access token's
//! `sid` and renewed through a rotating refresh token.
//!
//! Keeping sessions server-side is what makes logout and revoking a device
//! real: a revoked session's tokens are refused even before they expire.

use crate::accounts::auth_response;
use crate::audit::AuditEvent;
use crate::tokens::Claims;
use crate::{clock, DomainError, UserCenter};
use shared::admin::AuditAction;
use shared::dto::{AuthResponse, SessionInfo};
use shared::ErrorCode;

const MAX_USER_AGENT_CHARS: usize = 512;
const MAX_IP_CHARS: usize = 64;
const MAX_DEVICE_ID_CHARS: usize = 128;

/// Where a request came from, recorded on its session.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The client's own id for the device, if it sends one.
    pub device_id: Option<String>,
}

/// Who is calling, once a token has been checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthContext {
    pub user_id: i64,
    pub session_id: String,
    /// The caller's IP and user agent when the server knows them, for the
    /// audit log; the token says nothing about them, so the web layer's
    /// caller extractor fills them in.
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl AuthContext {
    /// The same caller, as the web layer saw the request.
    pub fn seen_from(mut self, client: &ClientInfo) -> Self {
        self.ip.clone_from(&client.ip);
        self.user_agent.clone_from(&client.user_agent);
        self
    }
}

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

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    label: Option<String>,
    ip: Option<String>,
    device_id: Option<String>,
    created_at: i64,
    last_seen_at: i64,
}

/// A refresh token with its session and account, as `refresh` reads them.
#[derive(sqlx::FromRow)]
struct RefreshRow {
    session_id: String,
    rotated_at: Option<i64>,
    user_id: i64,
    revoked_at: Option<i64>,
    expires_at: i64,
    /// When the session started: the absolute cap counts from here.
    created_at: i64,
    status: String,
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
        conn: &mut sqlx::SqliteConnection,
        user_id: i64,
        client: &ClientInfo,
    ) -> Result<IssuedTokens, DomainError> {
        let now = self.now();
        let refresh_expires_at = self.session_end(now, now);
        let session_id = uuid::Uuid::new_v4().simple().to_string();
        sqlx::query(
            "INSERT INTO sessions (id, user_id, created_at, expires_at, last_seen_at, ip, user_agent, label, device_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&session_id)
        .bind(user_id)
        .bind(now)
        .bind(refresh_expires_at)
        .bind(now)
        .bind(clip(&client.ip, MAX_IP_CHARS))
        .bind(clip(&client.user_agent, MAX_USER_AGENT_CHARS))
        .bind(client_label(client.user_agent.as_deref()))
        .bind(clip(&client.device_id, MAX_DEVICE_ID_CHARS))
        .execute(&mut *conn)
        .await?;
        self.issue_tokens(conn, user_id, &session_id, refresh_expires_at)
            .await
    }

    async fn issue_tokens(
        &self,
        conn: &mut sqlx::SqliteConnection,
        user_id: i64,
        session_id: &str,
        refresh_expires_at: i64,
    ) -> Result<IssuedTokens, DomainError> {
        let now = self.now();
        let refresh_token = new_refresh_token();
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, session_id, issued_at) VALUES (?, ?, ?)",
        )
        .bind(hash_refresh_token(&refresh_token))
        .bind(session_id)
        .bind(now)
        .execute(&mut *conn)
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
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let found: Option<RefreshRow> = sqlx::query_as(
            "SELECT r.session_id, r.rotated_at, s.user_id, s.revoked_at, s.expires_at, s.created_at,
                    u.status
             FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id JOIN users u ON u.id = s.user_id
             WHERE r.token_hash = ?",
        )
        .bind(&hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(RefreshRow {
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
        if revoked_at.is_some() || expires_at <= now || status != "normal" {
            return Err(ErrorCode::TokenRevoked.into());
        }
        if let Some(rotated_at) = rotated_at {
            if now - rotated_at > self.settings.refresh_reuse_grace.as_secs() as i64 {
                sqlx::query("UPDATE sessions SET revoked_at = ? WHERE id = ?")
                    .bind(now)
                    .bind(&session_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                tracing::warn!(user_id, session_id = %session_id, "refresh token reused: session revoked");
                return Err(ErrorCode::TokenRevoked.into());
            }
            return Err(ErrorCode::RefreshSuperseded.into());
        }
        sqlx::query("UPDATE refresh_tokens SET rotated_at = ? WHERE token_hash = ?")
            .bind(now)
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
        let expires_at = self.session_end(now, created_at);
        sqlx::query(
            "UPDATE sessions SET last_seen_at = ?, expires_at = ?, ip = COALESCE(?, ip) WHERE id = ?",
        )
        .bind(now)
        .bind(expires_at)
        .bind(clip(&client.ip, MAX_IP_CHARS))
        .bind(&session_id)
        .execute(&mut *tx)
        .await?;
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
        let live: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL AND s.expires_at > ?
               AND u.status = 'normal'",
        )
        .bind(&claims.sid)
        .bind(user_id)
        .bind(self.now())
        .fetch_optional(&self.pool)
        .await?;
        match live {
            Some(_) => Ok(TokenCheck {
                auth: AuthContext {
                    user_id,
                    session_id: claims.sid,
                    ip: None,
                    user_agent: None,
                },
                expires_at: claims.exp,
            }),
            None => Err(ErrorCode::TokenRevoked.into()),
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
        let found: Option<(String, i64)> = sqlx::query_as(
            "SELECT s.id, s.user_id FROM refresh_tokens r
             JOIN sessions s ON s.id = r.session_id JOIN users u ON u.id = s.user_id
             WHERE r.token_hash = ? AND r.rotated_at IS NULL AND s.revoked_at IS NULL
               AND s.expires_at > ? AND u.status = 'normal'",
        )
        .bind(hash_refresh_token(refresh_token))
        .bind(self.now())
        .fetch_optional(&self.pool)
        .await?;
        let (session_id, user_id) = found.ok_or(ErrorCode::Unauthenticated)?;
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
        let found: Option<(String, i64)> = sqlx::query_as(
            "SELECT s.id, s.user_id FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id
             WHERE r.token_hash = ?",
        )
        .bind(hash_refresh_token(refresh_token))
        .fetch_optional(&self.pool)
        .await?;
        let Some((session_id, user_id)) = found else {
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
        let done = sqlx::query("UPDATE sessions SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL")
            .bind(self.now())
            .bind(session_id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Ends every session of the user except `keep` (e.g. after a password
    /// change, or "sign out everywhere else"). Returns how many were ended.
    pub async fn revoke_other_sessions(
        &self,
        user_id: i64,
        keep: Option<&str>,
    ) -> Result<u64, DomainError> {
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND id IS NOT ?",
        )
        .bind(self.now())
        .bind(user_id)
        .bind(keep)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// The user's live sessions, most recently seen first.
    pub async fn list_sessions(&self, auth: &AuthContext) -> Result<Vec<SessionInfo>, DomainError> {
        let rows: Vec<SessionRow> = sqlx::query_as(
            "SELECT id, label, ip, device_id, created_at, last_seen_at FROM sessions
             WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?
             ORDER BY last_seen_at DESC, created_at DESC",
        )
        .bind(auth.user_id)
        .bind(self.now())
        .fetch_all(&self.pool)
        .await?;
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
