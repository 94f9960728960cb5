//! Sign-in sessions: one row per sign-in, referenced by the token's `sid`.
//!
//! Keeping sessions server-side is what makes logout (and later, revoking a
//! device) real: a revoked session's token is refused even before it expires.

use crate::tokens::Claims;
use crate::{DomainError, UserCenter};
use shared::ErrorCode;

const MAX_USER_AGENT_CHARS: usize = 512;
const MAX_IP_CHARS: usize = 64;

/// Where a request came from, recorded on its session.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Who is calling, once a token has been checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthContext {
    pub user_id: i64,
    pub session_id: String,
}

/// A valid token's facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenCheck {
    pub auth: AuthContext,
    /// Unix seconds.
    pub expires_at: i64,
}

/// A freshly issued token.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    pub token: String,
    pub expires_at: i64,
}

fn clip(value: &Option<String>, max: usize) -> Option<String> {
    value.as_ref().map(|v| v.chars().take(max).collect())
}

impl UserCenter {
    /// Opens a session for `user_id` inside the caller's transaction and signs
    /// its token.
    pub(crate) async fn start_session(
        &self,
        conn: &mut sqlx::SqliteConnection,
        user_id: i64,
        client: &ClientInfo,
    ) -> Result<IssuedToken, DomainError> {
        let now = self.now();
        let expires_at = now + self.settings.token_ttl.as_secs() as i64;
        let session_id = uuid::Uuid::new_v4().simple().to_string();
        sqlx::query(
            "INSERT INTO sessions (id, user_id, created_at, expires_at, last_seen_at, ip, user_agent)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&session_id)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .bind(now)
        .bind(clip(&client.ip, MAX_IP_CHARS))
        .bind(clip(&client.user_agent, MAX_USER_AGENT_CHARS))
        .execute(&mut *conn)
        .await?;
        let token = self.tokens.issue(&Claims {
            sub: user_id.to_string(),
            sid: session_id,
            iat: now,
            exp: expires_at,
        })?;
        Ok(IssuedToken { token, expires_at })
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
                },
                expires_at: claims.exp,
            }),
            None => Err(ErrorCode::TokenRevoked.into()),
        }
    }

    /// Ends the caller's session; its token is refused from now on.
    pub async fn logout(&self, auth: &AuthContext) -> Result<(), DomainError> {
        sqlx::query("UPDATE sessions SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL")
            .bind(self.now())
            .bind(&auth.session_id)
            .bind(auth.user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
